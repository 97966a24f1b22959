// Opening stores that are not what they should be: one clear message naming the store and the
// fix, and nothing overwritten.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreError } from '../../src/store/index.js';
import { SCHEMA_VERSION, clusterKey, defaultStorePath, describeTarget, openStore, parseStoreUrl } from '../../src/store/index.js';
import { PG_LOCK_TIMEOUT_MS, PG_STATEMENT_TIMEOUT_MS, withSessionTimeouts } from '../../src/store/postgres.js';
import { PG_ENABLED, freshDatabase, pgBaseUrl } from './backends.js';
import { fakeRun } from './fake.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const open = (path: string, mode: 'read' | 'write' = 'write') => openStore({ kind: 'sqlite', path }, { mode, toolVersion: 'test' });
const failure = async (p: Promise<unknown>): Promise<StoreError> => {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!e) throw new Error('expected the store to be refused');
  return e as StoreError;
};

describe('store URLs and the default path', () => {
  it('parses sqlite:, postgres:// and bare paths', () => {
    expect(parseStoreUrl('sqlite:x.db', '/work')).toEqual({ kind: 'sqlite', path: '/work/x.db' });
    expect(parseStoreUrl('sqlite:///var/lib/e.db', '/work')).toEqual({ kind: 'sqlite', path: '/var/lib/e.db' });
    expect(parseStoreUrl('SQLITE:/abs/e.db', '/work')).toEqual({ kind: 'sqlite', path: '/abs/e.db' });
    expect(parseStoreUrl('./rel/e.db', '/work')).toEqual({ kind: 'sqlite', path: '/work/rel/e.db' });
    expect(parseStoreUrl('postgres://u:p@db.example:5432/ev')).toEqual({ kind: 'postgres', url: 'postgres://u:p@db.example:5432/ev' });
    expect(parseStoreUrl('postgresql://u@h/ev').kind).toBe('postgres');
  });

  it('refuses URLs it cannot use, without echoing a password', () => {
    expect(() => parseStoreUrl('mysql://root:hunter2@db/x')).toThrow(/unsupported store URL scheme/);
    expect(() => parseStoreUrl('mysql://root:hunter2@db/x')).not.toThrow(/hunter2/);
    expect(() => parseStoreUrl('sqlite:')).toThrow(/names no file/);
    expect(() => parseStoreUrl('sqlite::memory:')).toThrow(/lost when eks-soc2 exits/);
    expect(() => parseStoreUrl('')).toThrow(/empty/);
    expect(describeTarget({ kind: 'postgres', url: 'postgres://u:hunter2@h:5432/db' })).toBe('PostgreSQL store postgres://u@h:5432/db');
  });

  it('puts the default store in the user data directory', () => {
    expect(defaultStorePath({ XDG_DATA_HOME: '/x/data' }, 'linux', '/home/u')).toBe('/x/data/eks-soc2/evidence.db');
    expect(defaultStorePath({}, 'linux', '/home/u')).toBe('/home/u/.local/share/eks-soc2/evidence.db');
    expect(defaultStorePath({ XDG_DATA_HOME: 'relative' }, 'linux', '/home/u')).toBe('/home/u/.local/share/eks-soc2/evidence.db');
    expect(defaultStorePath({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/eks-soc2/evidence.db');
    expect(defaultStorePath({ XDG_DATA_HOME: '/x/data' }, 'darwin', '/Users/u')).toBe('/x/data/eks-soc2/evidence.db');
  });

  it('derives a stable cluster key', () => {
    expect(clusterKey({ name: 'prod', accountId: '111122223333', region: 'eu-west-1' })).toBe('eks:111122223333:eu-west-1:prod');
    expect(clusterKey({ arn: 'arn:aws:eks:us-east-1:444455556666:cluster/dev' })).toBe('eks:444455556666:us-east-1:dev');
    expect(clusterKey({ context: 'kind-local', server: 'https://127.0.0.1:6443' })).toBe('context:kind-local');
    expect(clusterKey({ server: 'https://10.0.0.1' })).toBe('server:https://10.0.0.1');
    expect(clusterKey({ name: 'x' })).toBe('name:x');
    expect(clusterKey({})).toBe('unnamed');
    // Read from inside, every cluster has the context "in-cluster" and often the same service IP:
    // the kube-system uid keeps two such clusters on two chains.
    const inside = { context: 'in-cluster', server: 'https://10.100.0.1:443' };
    expect(clusterKey({ ...inside, uid: 'aaa' })).toBe('uid:aaa');
    expect(clusterKey({ ...inside, uid: 'bbb' })).not.toBe(clusterKey({ ...inside, uid: 'aaa' }));
    expect(clusterKey(inside)).toBe('context:in-cluster');
    // A named kubeconfig context keeps its key (existing chains continue) even when the uid is known.
    expect(clusterKey({ context: 'kind-local', uid: 'aaa' })).toBe('context:kind-local');
    // AWS identity wins over everything.
    expect(clusterKey({ ...inside, uid: 'aaa', name: 'prod', accountId: '111122223333', region: 'eu-west-1' })).toBe('eks:111122223333:eu-west-1:prod');
  });
});

describe('opening an SQLite store', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'eks-soc2-open-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the file and its directory, in WAL mode', async () => {
    const path = join(dir, 'deep', 'er', 'evidence.db');
    const s = await open(path);
    expect((await s.driver.all('PRAGMA journal_mode'))[0]).toMatchObject({ journal_mode: 'wal' });
    expect((await s.driver.all('SELECT MAX(version) AS v FROM schema_version'))[0]).toMatchObject({ v: SCHEMA_VERSION });
    await s.close();
    expect(existsSync(path)).toBe(true);
  });

  it('a file that is not SQLite at all: refused, untouched', async () => {
    const path = join(dir, 'notes.db');
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(100));
    const before = sha(path);
    const err = await failure(open(path));
    expect(err.kind).toBe('foreign');
    expect(err.message).toBe(`${path} is not an SQLite database (so not an eks-soc2 evidence store); it was left untouched`);
    expect(err.fix).toMatch(/--store/);
    expect(sha(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('someone else\'s SQLite database: refused, untouched', async () => {
    const path = join(dir, 'app.db');
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES (\'ann\')');
    db.close();
    const before = sha(path);
    const err = await failure(open(path));
    expect(err.kind).toBe('foreign');
    expect(err.message).toMatch(/SQLite store .*app\.db is not an eks-soc2 evidence store \(it holds other tables: users\); nothing was written/);
    expect(sha(path)).toBe(before);
    const check = new DatabaseSync(path, { readOnly: true });
    expect((check.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('delete');
    check.close();
  });

  it('a truncated store: refused, untouched', async () => {
    const path = join(dir, 'evidence.db');
    const s = await open(path);
    for (let i = 0; i < 20; i++) {
      const at = new Date(Date.UTC(2026, 0, 1 + i));
      const { run, snapshot } = fakeRun(at, Array.from({ length: 30 }, (_, k) => ({ id: `CC5-T${k}-01`, status: 'pass' as const })));
      await s.appendRun(run, snapshot, { at });
    }
    await s.close(); // checkpoints the WAL into the file
    const cut = join(dir, 'cut.db');
    copyFileSync(path, cut);
    truncateSync(cut, Math.floor(readFileSync(cut).length / 2));
    const before = sha(cut);
    const err = await failure(open(cut));
    expect(err.kind).toBe('corrupt');
    expect(err.message).toMatch(/cut\.db is truncated \(\d+ bytes, its header says \d+\); it was left untouched/);
    expect(err.fix).toMatch(/backup/);
    expect(sha(cut)).toBe(before);
    const tiny = join(dir, 'tiny.db');
    writeFileSync(tiny, readFileSync(path).subarray(0, 40));
    expect((await failure(open(tiny))).kind).toBe('corrupt');
  });

  it('a damaged page inside a store is reported as damage, not as a crash', async () => {
    const path = join(dir, 'evidence.db');
    const s = await open(path);
    const at = new Date(Date.UTC(2026, 0, 1));
    const { run, snapshot } = fakeRun(at, [{ id: 'CC5-X-01', status: 'pass' }]);
    await s.appendRun(run, snapshot, { at });
    await s.close();
    const bytes = readFileSync(path);
    bytes.fill(0xff, 4096, 8192); // page 2
    writeFileSync(path, bytes);
    const before = sha(path);
    const err = await failure((async () => {
      const r = await open(path, 'read');
      try {
        await r.verify();
      } finally {
        await r.close();
      }
    })());
    expect(err.kind).toBe('corrupt');
    expect(err.message).toBe(`SQLite store ${path} is damaged (database disk image is malformed); it was left untouched`);
    expect(err.fix).toMatch(/backup/);
    expect(sha(path)).toBe(before);
  });

  it('a directory, or a missing file for a reading command', async () => {
    mkdirSync(join(dir, 'adir'));
    expect((await failure(open(join(dir, 'adir')))).message).toMatch(/is a directory/);
    const missing = join(dir, 'nope.db');
    const err = await failure(open(missing, 'read'));
    expect(err.kind).toBe('not-found');
    expect(err.message).toBe(`no evidence store at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });

  it('an empty (zero-byte) file becomes a store', async () => {
    const path = join(dir, 'empty.db');
    writeFileSync(path, '');
    const s = await open(path);
    expect(await s.runs()).toEqual([]);
    await s.close();
  });
});

describe('PostgreSQL session timeouts', () => {
  it('every connection bounds lock waits, statements and idle transactions; options in the URL come last and win', () => {
    const plain = withSessionTimeouts('postgres://u:p@db.example:5432/ev');
    expect(plain.connectionString).toBe('postgres://u:p@db.example:5432/ev');
    expect(plain.options).toBe(`-c lock_timeout=${PG_LOCK_TIMEOUT_MS} -c statement_timeout=${PG_STATEMENT_TIMEOUT_MS} -c idle_in_transaction_session_timeout=${PG_STATEMENT_TIMEOUT_MS}`);
    const mine = withSessionTimeouts(`postgres://u@h/ev?sslmode=require&options=${encodeURIComponent('-c lock_timeout=5s')}`);
    expect(mine.connectionString).toBe('postgres://u@h/ev?sslmode=require');
    expect(mine.options).toMatch(/^-c lock_timeout=30000 .* -c lock_timeout=5s$/);
  });
});

describe.skipIf(!PG_ENABLED)('opening a PostgreSQL store', () => {
  it('a server that is down: one clear message, no password', async () => {
    const err = await failure(openStore({ kind: 'postgres', url: 'postgres://eks_soc2:s3cret-pw@127.0.0.1:1/evidence' }, { mode: 'write', toolVersion: 'test', connectTimeoutMs: 5000 }));
    expect(err.kind).toBe('unreachable');
    expect(err.message).toBe('cannot reach PostgreSQL store postgres://eks_soc2@127.0.0.1:1/evidence (connection refused)');
    expect(err.fix).toMatch(/running/);
    expect(`${err.message} ${err.fix}`).not.toContain('s3cret-pw');
  });

  it('a refused password: one clear message, no password', async () => {
    const u = new URL(pgBaseUrl());
    u.password = 'wrong-password-xyz';
    const err = await failure(openStore({ kind: 'postgres', url: u.toString() }, { mode: 'write', toolVersion: 'test' }));
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/^PostgreSQL store postgres:\/\/[^:@]+@127\.0\.0\.1:5432\/postgres refused the login: password authentication failed/);
    expect(err.fix).toMatch(/password/);
    expect(`${err.message} ${err.fix}`).not.toContain('wrong-password-xyz');
  });

  it('a database that does not exist', async () => {
    const u = new URL(pgBaseUrl());
    u.pathname = '/eks_soc2_no_such_database';
    const err = await failure(openStore({ kind: 'postgres', url: u.toString() }, { mode: 'write', toolVersion: 'test' }));
    expect(err.kind).toBe('not-found');
    expect(err.fix).toMatch(/createdb/);
  });

  it('someone else\'s tables: refused, nothing written', async () => {
    const db = await freshDatabase('foreign');
    try {
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query('CREATE TABLE invoices (id INTEGER PRIMARY KEY)');
      const err = await failure(openStore({ kind: 'postgres', url: db.url }, { mode: 'write', toolVersion: 'test' }));
      expect(err.kind).toBe('foreign');
      const tables = await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
      expect(tables.rows.map((r: { table_name: string }) => r.table_name)).toEqual(['invoices']);
      await c.end();
    } finally {
      await db.drop();
    }
  });
});
