/**
 * Shell quoting for the commands `fix` prints: every value that came from the input (a namespace, a
 * trail name, an ARN) is quoted unless it is made only of characters no POSIX shell interprets, so
 * a hostile name in a manifest cannot turn a copied command into another one.
 */
export function sh(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A JSON argument in single quotes (the form the AWS CLI and kubectl documentation use). */
export function shJson(value: unknown): string {
  return sh(JSON.stringify(value));
}
