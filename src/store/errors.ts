/**
 * A problem with the evidence store that the user can act on: the store cannot be opened, is not
 * an eks-soc2 store, was written by a newer version, refuses the credentials... The message names
 * the store (never its password) and `fix` says what to do. The CLI turns it into one clear line.
 */
export type StoreErrorKind =
  | 'unreachable' // PostgreSQL down, DNS, timeout
  | 'auth' // password refused, no such role
  | 'not-found' // file or database does not exist (for commands that only read)
  | 'foreign' // not an SQLite file, or not our schema
  | 'corrupt' // malformed, truncated
  | 'newer-schema' // written by a newer eks-soc2
  | 'permission' // cannot read or write the file / directory
  | 'busy' // locked by another writer for longer than the busy timeout
  | 'invalid-url'
  | 'not-found-run'
  | 'error';

export class StoreError extends Error {
  readonly kind: StoreErrorKind;
  readonly fix: string | undefined;
  constructor(kind: StoreErrorKind, message: string, fix?: string) {
    super(message);
    this.name = 'StoreError';
    this.kind = kind;
    this.fix = fix;
  }
}
