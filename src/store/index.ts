import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { StoreError } from './errors.js';
import { openPostgres, redactPostgresUrl } from './postgres.js';
import { MIGRATIONS, OWN_TABLES, SCHEMA_VERSION } from './schema.js';
import type { SqlDriver } from './sql.js';
import { num } from './sql.js';
import { openSqlite, prepareSqliteForWriting } from './sqlite.js';
import { EvidenceStore } from './store.js';

export { EvidenceStore } from './store.js';
export type { AppendOptions, RunFilter } from './store.js';
export { StoreError } from './errors.js';
export type { StoreErrorKind } from './errors.js';
export { SCHEMA_VERSION } from './schema.js';
export { canonicalJson, sha256Digest, normaliseDigest } from './canonical.js';
export { clusterKey, clusterLabel } from './records.js';
export { redactPostgresUrl } from './postgres.js';
export { diffRuns } from './diff.js';
export * from './types.js';

export type StoreTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/**
 * Where the default SQLite store lives: `$XDG_DATA_HOME/eks-soc2/evidence.db` when XDG_DATA_HOME
 * is set, else `~/Library/Application Support/eks-soc2/evidence.db` on macOS,
 * `%LOCALAPPDATA%\eks-soc2\evidence.db` on Windows, `~/.local/share/eks-soc2/evidence.db` elsewhere.
 */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME)) return join(env.XDG_DATA_HOME, 'eks-soc2', 'evidence.db');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'eks-soc2', 'evidence.db');
  if (platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'eks-soc2', 'evidence.db');
  return join(home, '.local', 'share', 'eks-soc2', 'evidence.db');
}

/**
 * Parse a store URL: `sqlite:PATH` (relative to `cwd`), `sqlite:///abs/path`, `postgres://…` /
 * `postgresql://…`, or a bare file path (SQLite).
 */
export function parseStoreUrl(value: string, cwd: string = process.cwd()): StoreTarget {
  const v = value.trim();
  if (!v) throw new StoreError('invalid-url', 'the store URL is empty', 'use --store sqlite:PATH or --store postgres://USER:PASSWORD@HOST:5432/DB');
  if (/^postgres(ql)?:\/\//i.test(v)) {
    try {
      const u = new URL(v);
      if (!u.hostname && !u.searchParams.get('host')) throw new Error('no host');
    } catch {
      throw new StoreError('invalid-url', `the PostgreSQL store URL ${redactPostgresUrl(v)} cannot be parsed`, 'write it as postgres://USER:PASSWORD@HOST:5432/DATABASE (percent-encode special characters in the password)');
    }
    return { kind: 'postgres', url: v };
  }
  const m = /^sqlite:(.*)$/i.exec(v);
  if (m) {
    let p = m[1]!;
    if (p.startsWith('//')) p = p.slice(2); // sqlite:///abs/path → /abs/path; sqlite://rel → rel
    if (!p) throw new StoreError('invalid-url', `the SQLite store URL "${v}" names no file`, 'use --store sqlite:PATH, e.g. sqlite:./evidence.db');
    if (p === ':memory:') throw new StoreError('invalid-url', 'an in-memory SQLite store would be lost when eks-soc2 exits', 'name a file: --store sqlite:./evidence.db');
    return { kind: 'sqlite', path: resolve(cwd, p) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    throw new StoreError('invalid-url', `unsupported store URL scheme in "${v.replace(/\/\/[^@/]*@/, '//…@')}"`, 'use sqlite:PATH or postgres://USER:PASSWORD@HOST:5432/DB');
  }
  return { kind: 'sqlite', path: resolve(cwd, v) };
}

/** A target as it may be printed (no password). */
export function describeTarget(t: StoreTarget): string {
  return t.kind === 'sqlite' ? `SQLite store ${t.path}` : `PostgreSQL store ${redactPostgresUrl(t.url)}`;
}

export interface OpenStoreOptions {
  /** `write` creates the store (file, schema) when missing; `read` never writes anything. */
  mode: 'read' | 'write';
  toolVersion: string;
  /** PostgreSQL connection timeout. */
  connectTimeoutMs?: number;
}

/**
 * Open an evidence store. Before anything is written, the store is recognised: a foreign database,
 * a store written by a newer eks-soc2 or a damaged file is refused with a clear message.
 */
export async function openStore(target: StoreTarget, opts: OpenStoreOptions): Promise<EvidenceStore> {
  const readOnly = opts.mode === 'read';
  const driver = target.kind === 'sqlite'
    ? await openSqlite(target.path, { create: !readOnly, readOnly })
    : await openPostgres(target.url, { readOnly, ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}) });
  let version: number;
  try {
    version = await ensureSchema(driver, opts);
  } catch (err) {
    await driver.close();
    throw err;
  }
  return new EvidenceStore(driver, version);
}

async function storedVersion(driver: SqlDriver): Promise<number | undefined> {
  const tables = await driver.tables();
  if (tables.length === 0) return undefined;
  if (!tables.includes('schema_version')) {
    const shown = tables.slice(0, 6).join(', ') + (tables.length > 6 ? ', …' : '');
    throw new StoreError('foreign', `${driver.label} is not an eks-soc2 evidence store (it holds other tables: ${shown}); nothing was written`,
      driver.dialect === 'sqlite' ? 'point --store at an eks-soc2 store or at a new file' : 'use a database (or a schema, via the search_path) of its own for eks-soc2');
  }
  const rows = await driver.all('SELECT MAX(version) AS v FROM schema_version');
  const v = num(rows[0]?.v ?? 0);
  if (v > SCHEMA_VERSION) {
    throw new StoreError('newer-schema', `${driver.label} was written by a newer eks-soc2 (store schema version ${v}; this build knows up to ${SCHEMA_VERSION}); nothing was written`,
      'upgrade eks-soc2 to the version that wrote this store (or newer)');
  }
  if (v >= 1) {
    const missing = OWN_TABLES.filter((t) => !tables.includes(t));
    if (missing.length) {
      throw new StoreError('corrupt', `${driver.label} is missing tables of its schema (${missing.join(', ')}); nothing was written`,
        'restore the store from a backup; `eks-soc2 verify` cannot check a store with missing tables');
    }
  }
  return v;
}

/** Bring the schema up to date (write mode) and return the version the store is read at. */
async function ensureSchema(driver: SqlDriver, opts: OpenStoreOptions): Promise<number> {
  const v = await storedVersion(driver);
  if (v === SCHEMA_VERSION) {
    if (!driver.readOnly) await prepareSqliteForWriting(driver);
    return v;
  }
  if (driver.readOnly) {
    if (v === undefined || v === 0) {
      throw new StoreError('not-found', `${driver.label} is empty: no runs have been stored in it`, 'store runs first with `eks-soc2 scan --store URL`');
    }
    // An older store is read as it is (reading never writes): the columns later versions added read
    // as their defaults. The next run stored with this version upgrades it, keeping every run.
    return v;
  }
  await prepareSqliteForWriting(driver);
  await driver.write(['schema'], async (tx) => {
    // Another process may have created or upgraded the schema while we waited for the lock.
    const now = await storedVersionIn(driver);
    for (const m of MIGRATIONS) {
      if (m.version <= now) continue;
      for (const sql of m.statements) await tx.run(sql);
      await tx.run('INSERT INTO schema_version (version, description, applied_at, tool_version) VALUES (?, ?, ?, ?)',
        [m.version, m.description, new Date().toISOString(), opts.toolVersion]);
    }
  });
  return SCHEMA_VERSION;
}

async function storedVersionIn(driver: SqlDriver): Promise<number> {
  const v = await storedVersion(driver);
  return v ?? 0;
}
