import { TxQueue } from './tx-queue.js';
import { createHash } from 'node:crypto';
import type { Client as PgClient, ClientConfig } from 'pg';
import { StoreError } from './errors.js';
import type { Row, SqlConn, SqlDriver, SqlValue } from './sql.js';

/** A PostgreSQL URL as it may be printed: the password is never shown. */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '';
    const s = u.toString();
    return s.replace(/:@/, '@');
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/** `?` placeholders → `$1, $2, …` (our SQL never has `?` inside literals). */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/** A stable signed 64-bit advisory lock id for a key. */
export function advisoryLockId(key: string): string {
  const hex = createHash('sha256').update(`eks-soc2:${key}`).digest('hex').slice(0, 16);
  return BigInt.asIntN(64, BigInt(`0x${hex}`)).toString();
}

/** One clear message for what goes wrong while connecting or talking to PostgreSQL. */
export function postgresError(label: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = e.code ?? e.errors?.[0]?.code;
  const msg = e.message || (e.errors?.length ? `${e.errors.length} connection attempts failed` : String(err));
  switch (code) {
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
    case 'EAI_AGAIN':
    case 'ENOTFOUND':
      return new StoreError('unreachable', `cannot reach ${label} (${code === 'ENOTFOUND' ? 'unknown host' : code === 'ECONNREFUSED' ? 'connection refused' : code})`,
        'check that the PostgreSQL server is running and that host and port in --store / EKS_SOC2_STORE are right');
    case '28P01':
    case '28000':
      return new StoreError('auth', `${label} refused the login: ${msg}`,
        'correct the user and password in the URL (postgres://USER:PASSWORD@HOST/DB) or set PGPASSWORD; check pg_hba.conf allows this client');
    case '3D000':
      return new StoreError('not-found', `${label}: ${msg}`, 'create the database first (`createdb NAME` or CREATE DATABASE), or correct its name in the URL');
    case '42501':
      return new StoreError('permission', `${label}: permission denied (${msg})`, 'grant the role CREATE and USAGE on the schema (the first run creates the tables) and SELECT/INSERT/UPDATE/DELETE on them');
    case '53300':
    case '57P03':
      return new StoreError('unreachable', `${label} is not accepting connections now (${msg})`, 'try again later, or raise max_connections');
    case '55P03':
      return new StoreError('busy', `${label}: a lock stayed held by another session for longer than the lock timeout (${msg})`,
        'find the session holding it (SELECT * FROM pg_locks JOIN pg_stat_activity USING (pid) WHERE NOT granted) and retry; another eks-soc2 writer releases its lock when its run is stored');
    case '57014':
      return new StoreError('busy', `${label}: a statement was cancelled after running too long (${msg})`, 'check the load on the database server and retry');
    case '25006':
      return new StoreError('permission', `${label} is read-only (${msg})`, 'point the store at the primary server, not a read replica');
    default:
      break;
  }
  if (/Query read timeout/i.test(msg)) {
    return new StoreError('unreachable', `${label} stopped answering (no reply within ${(PG_STATEMENT_TIMEOUT_MS + 30_000) / 1000} s)`, 'check the database server and the network, then run again');
  }
  if (/timeout|timed out/i.test(msg)) {
    return new StoreError('unreachable', `cannot reach ${label} (connection timed out)`, 'check the host, port, firewall and security groups between here and the database');
  }
  if (/SASL|password/i.test(msg)) {
    return new StoreError('auth', `${label} refused the login: ${msg}`, 'put the password in the URL (postgres://USER:PASSWORD@HOST/DB) or set PGPASSWORD');
  }
  if (/terminat|Connection terminated|not queryable/i.test(msg)) {
    return new StoreError('unreachable', `${label}: the connection was lost (${msg})`, 'check the server and the network, then run again');
  }
  return new StoreError('error', `${label}: ${msg}`);
}

class PgConn implements SqlConn {
  readonly dialect = 'postgres' as const;
  protected readonly client: PgClient;
  protected readonly name: string;
  constructor(client: PgClient, name: string) {
    this.client = client;
    this.name = name;
  }

  async all(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    try {
      const r = await this.client.query(numbered(sql), params ? [...params] : []);
      return r.rows as Row[];
    } catch (err) {
      throw postgresError(this.name, err);
    }
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    try {
      const r = await this.client.query(numbered(sql), params ? [...params] : []);
      return r.rowCount ?? 0;
    } catch (err) {
      throw postgresError(this.name, err);
    }
  }

  async insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[], onConflictDoNothing?: string): Promise<void> {
    if (!rows.length) return;
    // PostgreSQL takes at most 65535 parameters per statement.
    const per = Math.max(1, Math.floor(30000 / columns.length));
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      const values = chunk.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
      const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}${onConflictDoNothing ? ` ON CONFLICT (${onConflictDoNothing}) DO NOTHING` : ''}`;
      try {
        await this.client.query(sql, chunk.flat());
      } catch (err) {
        throw postgresError(this.name, err);
      }
    }
  }
}

class PgDriver extends PgConn implements SqlDriver {
  readonly label: string;
  readonly readOnly: boolean;
  /** Transactions on this one connection, one after another (see TxQueue). */
  private readonly queue = new TxQueue();
  private broken: Error | undefined;
  constructor(client: PgClient, label: string, readOnly: boolean) {
    super(client, label);
    this.label = label;
    this.readOnly = readOnly;
    client.on('error', (err) => {
      // A dropped connection surfaces on the next query; keep the process alive until then.
      this.broken = err;
    });
  }

  private tx<T>(begin: string, lockKeys: readonly string[], fn: (tx: SqlConn) => Promise<T>): Promise<T> {
    return this.queue.run(() => this.txNow(begin, lockKeys, fn));
  }

  // A statement outside a transaction waits for the transaction running on the connection, so it
  // never lands inside another request's transaction.
  override all(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return this.queue.statement(() => super.all(sql, params));
  }

  override run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.queue.statement(() => super.run(sql, params));
  }

  override insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[], onConflictDoNothing?: string): Promise<void> {
    return this.queue.statement(() => super.insertMany(table, columns, rows, onConflictDoNothing));
  }

  private async txNow<T>(begin: string, lockKeys: readonly string[], fn: (tx: SqlConn) => Promise<T>): Promise<T> {
    if (this.broken) throw postgresError(this.label, this.broken);
    await this.run(begin);
    try {
      // Transaction-scoped advisory locks, in a fixed order so two writers never deadlock.
      for (const key of [...new Set(lockKeys)].sort()) await this.all('SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))', [advisoryLockId(key)]);
      const result = await fn(this);
      await this.run('COMMIT');
      return result;
    } catch (err) {
      try {
        await this.client.query('ROLLBACK');
      } catch {
        // connection gone: the server rolls the transaction back by itself
      }
      throw err;
    }
  }

  write<T>(lockKeys: readonly string[], fn: (tx: SqlConn) => Promise<T>): Promise<T> {
    if (this.readOnly) throw new Error(`${this.label} was opened read-only`);
    return this.tx('BEGIN', lockKeys, fn);
  }

  read<T>(fn: (tx: SqlConn) => Promise<T>): Promise<T> {
    return this.tx('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', [], fn);
  }

  async tables(): Promise<string[]> {
    const rows = await this.all(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`);
    return rows.map((r) => String(r.name));
  }

  async integrityCheck(): Promise<string[]> {
    return [];
  }

  async sizeBytes(): Promise<number | undefined> {
    const rows = await this.all(`SELECT COALESCE(SUM(pg_total_relation_size(quote_ident(table_schema) || '.' || quote_ident(table_name))), 0) AS n
      FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`);
    return Number(rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    try {
      await this.client.end();
    } catch {
      // already closed
    }
  }
}

/** How long a statement waits for a lock (a table lock, another writer's advisory lock), as SQLite's busy timeout. */
export const PG_LOCK_TIMEOUT_MS = 30_000;
/** Longest statement (the largest insert of a 150,000-pod run takes a few seconds). */
export const PG_STATEMENT_TIMEOUT_MS = 600_000;

/**
 * The connection string and the session settings that bound every wait: lock_timeout,
 * statement_timeout and idle_in_transaction_session_timeout. Settings given in the URL
 * (`?options=-c lock_timeout=5s`) come after ours, so they win.
 */
export function withSessionTimeouts(url: string): { connectionString: string; options: string } {
  const ours = `-c lock_timeout=${PG_LOCK_TIMEOUT_MS} -c statement_timeout=${PG_STATEMENT_TIMEOUT_MS} -c idle_in_transaction_session_timeout=${PG_STATEMENT_TIMEOUT_MS}`;
  let theirs: string | null = null;
  let connectionString = url;
  try {
    const u = new URL(url);
    theirs = u.searchParams.get('options');
    if (theirs !== null) {
      u.searchParams.delete('options');
      connectionString = u.toString();
    }
  } catch {
    // pg reports an unparseable URL when it connects
  }
  return { connectionString, options: theirs ? `${ours} ${theirs}` : ours };
}

export interface PostgresOpenOptions {
  readOnly: boolean;
  connectTimeoutMs?: number;
}

/** Connect to a PostgreSQL store. Errors (server down, password refused...) become StoreErrors. */
export async function openPostgres(url: string, opts: PostgresOpenOptions): Promise<SqlDriver> {
  const label = `PostgreSQL store ${redactPostgresUrl(url)}`;
  const pg = await import('pg');
  const { Client, types } = pg.default;
  const { connectionString, options } = withSessionTimeouts(url);
  const config: ClientConfig = {
    connectionString,
    options,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    // A server that stops answering (frozen, a dropped route) ends the query on this side too.
    query_timeout: PG_STATEMENT_TIMEOUT_MS + 30_000,
    keepAlive: true,
    application_name: 'eks-soc2',
    // BIGINT (oid 20) as a JavaScript number: sequence numbers and byte counts stay far below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => Number(v) : types.getTypeParser(oid, format as 'text'))) as typeof types.getTypeParser,
    },
  };
  const client = new Client(config);
  client.on('error', () => {
    // handled by the driver once connected; before that, connect() rejects
  });
  try {
    await client.connect();
  } catch (err) {
    try { await client.end(); } catch { /* ignore */ }
    throw postgresError(label, err);
  }
  return new PgDriver(client, label, opts.readOnly);
}
