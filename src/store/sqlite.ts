import { TxQueue } from './tx-queue.js';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { makeDirectory } from './dirs.js';
import { dirname } from 'node:path';
import type { DatabaseSync as DatabaseSyncType, SQLInputValue } from 'node:sqlite';
import { StoreError } from './errors.js';
import type { Row, SqlConn, SqlDriver, SqlValue } from './sql.js';

const HEADER = Buffer.from('SQLite format 3\u0000', 'latin1');
/** How long a writer waits for another writer's transaction before giving up. */
export const SQLITE_BUSY_TIMEOUT_MS = 30_000;

export interface SqliteOpenOptions {
  /** Create the file (and its directory) when missing. Commands that only read never do. */
  create: boolean;
  readOnly: boolean;
}

/** What the first bytes of an existing file say: usable as SQLite, or why not. */
function inspectFile(path: string): { exists: boolean; size: number } {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new StoreError('foreign', `SQLite store ${path} is a directory, not a database file`, `name a file, e.g. --store sqlite:${path.replace(/\/$/, '')}/evidence.db`);
    size = st.size;
  } catch (err) {
    if (err instanceof StoreError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { exists: false, size: 0 };
    if (code === 'EACCES' || code === 'EPERM') throw new StoreError('permission', `SQLite store ${path}: permission denied`, 'check the file and directory permissions, or choose another path with --store sqlite:PATH');
    throw new StoreError('error', `SQLite store ${path}: ${(err as Error).message}`);
  }
  if (size === 0) return { exists: true, size };
  const head = Buffer.alloc(100);
  let fd: number | undefined;
  let n: number;
  try {
    fd = openSync(path, 'r');
    n = readSync(fd, head, 0, 100, 0);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw new StoreError('permission', `SQLite store ${path}: permission denied`, 'check the file permissions, or choose another path with --store sqlite:PATH');
    throw new StoreError('error', `SQLite store ${path}: ${(err as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (n < HEADER.length || !head.subarray(0, HEADER.length).equals(HEADER)) {
    throw new StoreError('foreign', `${path} is not an SQLite database (so not an eks-soc2 evidence store); it was left untouched`,
      'point --store (or EKS_SOC2_STORE) at an eks-soc2 store, or at a path that does not exist yet to create one');
  }
  if (n < 100) {
    throw new StoreError('corrupt', `SQLite store ${path} is truncated (${size} bytes, less than an SQLite header); it was left untouched`,
      'restore the file from a backup, or start a new store at another path');
  }
  // Header fields (https://www.sqlite.org/fileformat.html): page size at 16, page count at 28,
  // valid when the change counter (24) equals "version-valid-for" (92).
  const pageSize = head.readUInt16BE(16) === 1 ? 65536 : head.readUInt16BE(16);
  const pages = head.readUInt32BE(28);
  if (pages > 0 && head.readUInt32BE(24) === head.readUInt32BE(92) && pageSize * pages > size) {
    throw new StoreError('corrupt', `SQLite store ${path} is truncated (${size} bytes, its header says ${pageSize * pages}); it was left untouched`,
      'restore the file from a backup, or start a new store at another path');
  }
  return { exists: true, size };
}

/** Turn an SQLite error into one clear message naming the store. */
export function sqliteError(path: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { errcode?: number; message?: string; code?: string };
  const primary = (e.errcode ?? 0) & 0xff;
  const msg = e.message ?? String(err);
  switch (primary) {
    case 26: // SQLITE_NOTADB
      return new StoreError('foreign', `${path} is not an SQLite database (so not an eks-soc2 evidence store); it was left untouched`,
        'point --store (or EKS_SOC2_STORE) at an eks-soc2 store, or at a path that does not exist yet to create one');
    case 11: // SQLITE_CORRUPT
      return new StoreError('corrupt', `SQLite store ${path} is damaged (${msg}); it was left untouched`,
        'restore the file from a backup, or start a new store at another path; `eks-soc2 verify` shows what is still readable');
    case 5: // SQLITE_BUSY
    case 6: // SQLITE_LOCKED
      return new StoreError('busy', `SQLite store ${path} stayed locked by another writer for ${SQLITE_BUSY_TIMEOUT_MS / 1000} s`,
        'let the other eks-soc2 process finish (or stop it) and run again');
    case 8: // SQLITE_READONLY
    case 3: // SQLITE_PERM
      return new StoreError('permission', `SQLite store ${path} is read-only for this user (${msg})`, 'fix the permissions of the file and its directory, or choose another path');
    case 14: // SQLITE_CANTOPEN
      return new StoreError('permission', `cannot open SQLite store ${path} (${msg})`, 'check that the directory exists and is writable, or choose another path with --store sqlite:PATH');
    case 13: // SQLITE_FULL
      return new StoreError('error', `SQLite store ${path}: the disk is full`, 'free some space (or prune old runs with `eks-soc2 prune --keep-days N`) and run again');
    case 10: // SQLITE_IOERR
      return new StoreError('error', `SQLite store ${path}: input/output error (${msg})`, 'check the disk and the file system');
    default:
      return new StoreError('error', `SQLite store ${path}: ${msg}`);
  }
}

function toParams(params: readonly SqlValue[] | undefined): SQLInputValue[] {
  return (params ?? []) as SQLInputValue[];
}

class SqliteConn implements SqlConn {
  readonly dialect = 'sqlite' as const;
  protected readonly db: DatabaseSyncType;
  protected readonly path: string;
  constructor(db: DatabaseSyncType, path: string) {
    this.db = db;
    this.path = path;
  }

  async all(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    try {
      return this.db.prepare(sql).all(...toParams(params)) as Row[];
    } catch (err) {
      throw sqliteError(this.path, err);
    }
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    try {
      return Number(this.db.prepare(sql).run(...toParams(params)).changes);
    } catch (err) {
      throw sqliteError(this.path, err);
    }
  }

  async insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[], onConflictDoNothing?: string): Promise<void> {
    if (!rows.length) return;
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})${onConflictDoNothing ? ` ON CONFLICT (${onConflictDoNothing}) DO NOTHING` : ''}`;
    try {
      const st = this.db.prepare(sql);
      for (const r of rows) st.run(...toParams(r));
    } catch (err) {
      throw sqliteError(this.path, err);
    }
  }
}

class SqliteDriver extends SqliteConn implements SqlDriver {
  readonly label: string;
  readonly readOnly: boolean;
  /** Transactions on this one connection, one after another (see TxQueue). */
  private readonly queue = new TxQueue();
  constructor(db: DatabaseSyncType, path: string, readOnly: boolean) {
    super(db, path);
    this.label = `SQLite store ${path}`;
    this.readOnly = readOnly;
  }

  private tx<T>(begin: string, fn: (tx: SqlConn) => Promise<T>): Promise<T> {
    return this.queue.run(() => this.txNow(begin, fn));
  }

  // As on PostgreSQL: a statement outside a transaction waits for the transaction open on the
  // connection (it would otherwise run inside it and read its uncommitted rows). Inside one (the
  // callback of write/read, and what it calls) statements still run at once, synchronously.
  override all(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return this.queue.statement(() => super.all(sql, params));
  }

  override run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.queue.statement(() => super.run(sql, params));
  }

  override insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[], onConflictDoNothing?: string): Promise<void> {
    return this.queue.statement(() => super.insertMany(table, columns, rows, onConflictDoNothing));
  }

  private async txNow<T>(begin: string, fn: (tx: SqlConn) => Promise<T>): Promise<T> {
    try {
      this.db.exec(begin);
    } catch (err) {
      throw sqliteError(this.path, err);
    }
    let result: T;
    try {
      result = await fn(this);
    } catch (err) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // the transaction may already be gone (e.g. SQLITE_FULL rolled it back)
      }
      throw err;
    }
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // ignore
      }
      throw sqliteError(this.path, err);
    }
    return result;
  }

  write<T>(_lockKeys: readonly string[], fn: (tx: SqlConn) => Promise<T>): Promise<T> {
    if (this.readOnly) throw new Error(`${this.label} was opened read-only`);
    // BEGIN IMMEDIATE takes the database's write lock before the head is read, so two writers
    // (two CronJobs, two clusters) serialise instead of interleaving chains.
    return this.tx('BEGIN IMMEDIATE', fn);
  }

  read<T>(fn: (tx: SqlConn) => Promise<T>): Promise<T> {
    return this.tx('BEGIN', fn);
  }

  async tables(): Promise<string[]> {
    const rows = await this.all(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`);
    return rows.map((r) => String(r.name));
  }

  async integrityCheck(): Promise<string[]> {
    const rows = await this.all('PRAGMA quick_check');
    const msgs = rows.map((r) => String(Object.values(r)[0]));
    return msgs.length === 1 && msgs[0] === 'ok' ? [] : msgs;
  }

  async sizeBytes(): Promise<number | undefined> {
    let total = 0;
    for (const suffix of ['', '-wal']) {
      try {
        total += statSync(this.path + suffix).size;
      } catch {
        // no WAL file
      }
    }
    return total;
  }

  async close(): Promise<void> {
    try {
      if (this.db.isOpen) this.db.close();
    } catch {
      // closing twice, or after a fatal error: nothing left to release
    }
  }
}

/**
 * Open (and, when allowed, create) an SQLite store file. The file is inspected before anything is
 * written: a file that is not SQLite, is truncated, or is someone else's database is refused with
 * a clear message and left exactly as it was.
 */
export async function openSqlite(path: string, opts: SqliteOpenOptions): Promise<SqlDriver> {
  const { DatabaseSync } = await import('node:sqlite');
  const info = inspectFile(path);
  if (!info.exists) {
    if (!opts.create) {
      throw new StoreError('not-found', `no evidence store at ${path}`, 'store runs first with `eks-soc2 scan --store` (or pass --store URL / set EKS_SOC2_STORE to the store you mean)');
    }
    try {
      makeDirectory(dirname(path));
    } catch (err) {
      throw new StoreError('permission', `cannot create the directory of SQLite store ${path}: ${(err as Error).message}`, 'choose a writable path with --store sqlite:PATH');
    }
  }
  let db: DatabaseSyncType;
  try {
    // Open read-only first when the file exists: nothing is written until we know it is ours.
    db = new DatabaseSync(path, { readOnly: info.exists, timeout: SQLITE_BUSY_TIMEOUT_MS });
  } catch (err) {
    throw sqliteError(path, err);
  }
  if (info.exists) {
    try {
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all();
    } catch (err) {
      try { db.close(); } catch { /* ignore */ }
      throw sqliteError(path, err);
    }
    if (!opts.readOnly) {
      db.close();
      try {
        db = new DatabaseSync(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
      } catch (err) {
        throw sqliteError(path, err);
      }
    }
  }
  return new SqliteDriver(db, path, opts.readOnly);
}

/** Settings of a connection that writes: applied only once the file is known to be ours (or new). */
export async function prepareSqliteForWriting(driver: SqlDriver): Promise<void> {
  if (driver.dialect !== 'sqlite' || driver.readOnly) return;
  // WAL: readers never block the writer; synchronous=FULL: a committed run survives power loss.
  await driver.all('PRAGMA journal_mode = WAL');
  await driver.all('PRAGMA synchronous = FULL');
  await driver.all('PRAGMA foreign_keys = ON');
}
