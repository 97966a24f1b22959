// A run id is the time to the second and random hex digits: two writers storing at the same second
// (a fleet's clusters scanned by one cron) can draw the same id. The store must never lose a run to
// that: the writer that finds its id taken draws another and writes its batch again. Found by the
// fleet simulation (200 clusters × 365 runs, two writer processes, every cluster stored at the same
// second of each day): "duplicate key value violates unique constraint runs_pkey", the batch lost.
import type * as Crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

// The first draws of randomBytes are all the same bytes: the second run's first id collides.
const draws = vi.hoisted(() => ({ fixed: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof Crypto>();
  return {
    ...real,
    randomBytes: (n: number) => (draws.fixed-- > 0 ? Buffer.alloc(n, 0xab) : real.randomBytes(n)),
  };
});

const { defaultConfig } = await import('../../src/model/index.js');
const { evaluate } = await import('../../src/engine/index.js');
const { catalog } = await import('../../src/catalog/index.js');
const { demoSnapshot } = await import('../../src/collectors/demo/index.js');
const { RUN_ID_PATTERN, newRunId } = await import('../../src/store/records.js');
const { backends, openedStore } = await import('./backends.js');

const AT = new Date('2026-03-01T02:00:00Z');

describe('run ids', () => {
  it('are the second and 12 random hex digits; ids of the earlier 6-digit form are still recognised', () => {
    const id = newRunId(AT);
    expect(id).toMatch(/^20260301T020000Z-[0-9a-f]{12}$/);
    expect(RUN_ID_PATTERN.test(id)).toBe(true);
    expect(RUN_ID_PATTERN.test('20260301T020004Z-3fa91c')).toBe(true);
    expect(RUN_ID_PATTERN.test('20260301T020004Z-3fa91c0')).toBe(false);
  });
});

for (const { backend: b, skip } of backends('run_id')) {
  describe.skipIf(skip)(`a run id already stored (${b.name})`, () => {
    const opened = openedStore(b);

    it('is drawn again: both runs are stored, in their own chains, and the store verifies', async () => {
      const store = opened();
      const snapA = demoSnapshot('test', AT);
      const snapB = { ...demoSnapshot('test', AT), cluster: { ...snapA.cluster, name: 'other-cluster' } };
      const runOf = (snap: typeof snapA) => evaluate(snap, catalog, { config: defaultConfig(), toolVersion: 'test', catalogVersion: 'test', now: AT });
      draws.fixed = 1;
      const a = await store.appendRun(runOf(snapA), snapA, { at: AT, storedAt: AT });
      expect(a.runId).toBe(`20260301T020000Z-${'ab'.repeat(6)}`);
      // Another cluster's run, stored at the same second, draws the same id first.
      draws.fixed = 1;
      const c = await store.appendRun(runOf(snapB), snapB, { at: AT, storedAt: AT });
      expect(c.runId).not.toBe(a.runId);
      expect(c.runId).toMatch(RUN_ID_PATTERN);
      expect(c.seq).toBe(1);
      expect((await store.runs()).map((r) => r.runId).sort()).toEqual([a.runId, c.runId].sort());
      expect((await store.loadResult(c.runId)).runId).toBe(c.runId);
      const v = await store.verify();
      expect(v.problems).toEqual([]);
      expect(v.runsChecked).toBe(2);
    });

    it('a batch with one taken id keeps the others and stores every run once', async () => {
      const store = opened();
      const snapA = demoSnapshot('test', AT);
      const snapB = { ...snapA, cluster: { ...snapA.cluster, name: 'other-cluster' } };
      const runOf = (snap: typeof snapA, d: number) => {
        const at = new Date(AT.getTime() + d * 86_400_000);
        return { run: evaluate(snap, catalog, { config: defaultConfig(), toolVersion: 'test', catalogVersion: 'test', now: at }), at, storedAt: AT };
      };
      draws.fixed = 1;
      const first = await store.appendRuns(snapA, [runOf(snapA, 0)]);
      draws.fixed = 1;
      const batch = await store.appendRuns(snapB, [runOf(snapB, 0), runOf(snapB, 1), runOf(snapB, 2)]);
      expect(new Set([first[0]!.runId, ...batch.map((r) => r.runId)]).size).toBe(4);
      expect(batch.map((r) => r.seq)).toEqual([1, 2, 3]);
      expect((await store.verify()).ok).toBe(true);
    });
  });
}
