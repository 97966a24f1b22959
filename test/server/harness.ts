// A seeded evidence store and a dashboard over it, wired the way `eks-soc2 serve` wires it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { computePeriod } from '../../src/engine/period.js';
import { score } from '../../src/engine/index.js';
import { periodExports } from '../../src/cli/commands/serve.js';
import type { EvidenceStore } from '../../src/store/index.js';
import { openStore } from '../../src/store/index.js';
import { buildDashboard } from '../../src/server/index.js';
import type { DashboardOptions } from '../../src/server/index.js';
import type { SeedSpec, SeededCluster } from './seed.js';
import { seedStore } from './seed.js';

export interface Seeded {
  dir: string;
  path: string;
  store: EvidenceStore;
  clusters: SeededCluster[];
  close(): Promise<void>;
}

/** A fresh SQLite store in a temporary directory, seeded, then reopened read-only (as `serve` opens it). */
export async function seededStore(spec: SeedSpec): Promise<Seeded> {
  const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-dashboard-'));
  const path = join(dir, 'evidence.db');
  const writer = await openStore({ kind: 'sqlite', path }, { mode: 'write', toolVersion: 'test' });
  // Seeding only: durability does not matter here, speed does.
  await writer.driver.all('PRAGMA synchronous = OFF');
  const clusters = await seedStore(writer, spec);
  await writer.close();
  const store = await openStore({ kind: 'sqlite', path }, { mode: 'read', toolVersion: 'test' });
  return {
    dir, path, store, clusters,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The fixed "now" of the dashboard tests. */
export const NOW = new Date('2026-01-05T12:00:00Z');

export async function dashboard(store: EvidenceStore, extra: Partial<DashboardOptions> = {}): Promise<FastifyInstance> {
  return buildDashboard({
    store, computePeriod, score, periodFormats: await periodExports(undefined), toolVersion: 'test', now: () => NOW, ...extra,
  });
}
