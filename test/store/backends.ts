// Both store back ends for one test suite: SQLite in a temporary directory, and PostgreSQL in a
// fresh database per test file (EKS_SOC2_TEST_PG; CI sets it). Without the variable and outside CI
// the PostgreSQL tests are skipped with a message; in CI an unreachable server fails them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import type { EvidenceStore, StoreTarget } from '../../src/store/index.js';
import { openStore } from '../../src/store/index.js';

export const PG_BASE = process.env.EKS_SOC2_TEST_PG;
export const IN_CI = Boolean(process.env.CI);

/** True when the PostgreSQL tests should run (a URL is given, or CI demands them). */
export const PG_ENABLED = Boolean(PG_BASE) || IN_CI;
if (!PG_ENABLED) {
  console.warn('eks-soc2 store tests: EKS_SOC2_TEST_PG is not set (and CI is not), so the PostgreSQL back end is SKIPPED. '
    + 'Set EKS_SOC2_TEST_PG=postgres://USER:PASSWORD@127.0.0.1:5432/postgres to run them.');
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Create a fresh, empty store location. */
  setup(): Promise<void>;
  teardown(): Promise<void>;
  target(): StoreTarget;
  /** The URL a CLI would take. */
  url(): string;
  open(mode?: 'read' | 'write'): Promise<EvidenceStore>;
}

export function sqliteBackend(): Backend {
  let dir = '';
  return {
    name: 'sqlite',
    async setup() {
      dir = mkdtempSync(join(tmpdir(), 'eks-soc2-store-'));
    },
    async teardown() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
    target: () => ({ kind: 'sqlite', path: join(dir, 'evidence.db') }),
    url: () => `sqlite:${join(dir, 'evidence.db')}`,
    open(mode = 'write') {
      return openStore({ kind: 'sqlite', path: join(dir, 'evidence.db') }, { mode, toolVersion: 'test' });
    },
  };
}

function withDatabase(base: string, db: string): string {
  const u = new URL(base);
  u.pathname = `/${db}`;
  return u.toString();
}

/** The base URL of the test server; in CI its absence is a failure, never a skip. */
export function pgBaseUrl(): string {
  if (!PG_BASE) throw new Error('CI is set but EKS_SOC2_TEST_PG is not: the PostgreSQL store tests cannot run');
  return PG_BASE;
}

/** Admin connection to the base URL; in CI an unreachable server is a failure, never a skip. */
async function admin(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: pgBaseUrl(), connectionTimeoutMillis: 10_000 });
  try {
    await c.connect();
  } catch (err) {
    throw new Error(`PostgreSQL at EKS_SOC2_TEST_PG is unreachable: ${(err as Error).message}`, { cause: err });
  }
  return c;
}

/** A fresh database for one test file; `drop` removes it. */
export async function freshDatabase(tag: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `eks_soc2_test_${tag}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const c = await admin();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  return {
    name,
    url: withDatabase(pgBaseUrl(), name),
    async drop() {
      const a = await admin();
      try {
        // WITH (FORCE) ends the other sessions on the database — but not an autovacuum worker when
        // the test role is no superuser ("must be a member of … pg_signal_backend", 42501): a test
        // that wrote a lot can meet one. It finishes within moments: try again for a few seconds.
        for (let attempt = 1; ; attempt++) {
          try {
            await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            break;
          } catch (err) {
            if ((err as { code?: string }).code !== '42501' || attempt >= 50) throw err;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      } finally {
        await a.end();
      }
    },
  };
}

export function postgresBackend(tag: string): Backend {
  let db: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  let n = 0;
  return {
    name: 'postgres',
    async setup() {
      db = await freshDatabase(`${tag}${n++}`);
    },
    async teardown() {
      await db?.drop();
      db = undefined;
    },
    target: () => ({ kind: 'postgres', url: db!.url }),
    url: () => db!.url,
    open(mode = 'write') {
      return openStore({ kind: 'postgres', url: db!.url }, { mode, toolVersion: 'test' });
    },
  };
}

/** The back ends a suite runs over: SQLite always, PostgreSQL unless skipped (see above). */
export function backends(tag: string): { backend: Backend; skip: boolean }[] {
  return [{ backend: sqliteBackend(), skip: false }, { backend: postgresBackend(tag), skip: !PG_ENABLED }];
}

/**
 * A fresh store of `b` for each test of the enclosing describe (set up and opened before each test,
 * closed and removed after): call it inside `describe`, read the store through the returned getter.
 */
export function openedStore(b: Backend, mode: 'read' | 'write' = 'write'): () => EvidenceStore {
  let store: EvidenceStore | undefined;
  beforeEach(async () => {
    await b.setup();
    store = await b.open(mode);
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await b.teardown();
  });
  return () => {
    if (!store) throw new Error('openedStore: the store is open only while a test runs');
    return store;
  };
}
