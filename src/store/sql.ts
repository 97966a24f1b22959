/**
 * The little each back end must provide. All SQL is written once, with `?` placeholders (the
 * PostgreSQL driver numbers them); the drivers differ only in how they lock and introspect.
 */
export type SqlValue = string | number | null | Buffer;
export type Row = Record<string, unknown>;

export interface SqlConn {
  readonly dialect: 'sqlite' | 'postgres';
  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Execute a statement; returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Insert many rows with one prepared statement (SQLite) or a few multi-row statements (PostgreSQL). */
  insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[], onConflictDoNothing?: string): Promise<void>;
}

export interface SqlDriver extends SqlConn {
  /** Names the store in messages, without credentials: `SQLite store /path/evidence.db`. */
  readonly label: string;
  readonly readOnly: boolean;
  /**
   * Run `fn` in one transaction holding the write lock (SQLite `BEGIN IMMEDIATE`; PostgreSQL
   * transaction-scoped advisory locks on each of `lockKeys`). Rolled back when `fn` throws.
   */
  write<T>(lockKeys: readonly string[], fn: (tx: SqlConn) => Promise<T>): Promise<T>;
  /** Run `fn` in a read transaction that sees one consistent state of the store. */
  read<T>(fn: (tx: SqlConn) => Promise<T>): Promise<T>;
  /** Tables of the store's schema (SQLite main database / PostgreSQL current schema). */
  tables(): Promise<string[]>;
  /** Extra integrity check of the storage itself (SQLite `quick_check`); problems in words. */
  integrityCheck(): Promise<string[]>;
  /** Bytes the store occupies, when the back end can tell. */
  sizeBytes(): Promise<number | undefined>;
  close(): Promise<void>;
}

/** Rows of a result as numbers (PostgreSQL returns BIGINT as text unless told otherwise). */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : Number(v as string);
}

export function str(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

export function optStr(v: unknown): string | undefined {
  return v === null || v === undefined ? undefined : String(v);
}

export function bytes(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  return Buffer.alloc(0);
}
