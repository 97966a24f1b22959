// appendRuns (many runs of one snapshot in one transaction, for seeding a fleet) must store exactly
// what appendRun of each run in turn stores: records, hashes, results, per-control rows, first sights.
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunResult, Snapshot } from '../../src/model/index.js';
import { defaultConfig } from '../../src/model/index.js';
import { evaluate } from '../../src/engine/index.js';
import { CATALOG_VERSION, catalog } from '../../src/catalog/index.js';
import { demoPolicies, demoSnapshot } from '../../src/collectors/demo/index.js';
import type { EvidenceStore, StoredRun } from '../../src/store/index.js';
import { GENESIS_HASH, clusterKey } from '../../src/store/index.js';
import { bytes, str } from '../../src/store/sql.js';
import { rowsDigestOf, storedControlValues } from '../../src/store/records.js';
import { backends } from './backends.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T02:00:00.000Z');
const A = { name: 'fleet-a', accountId: '111122223333', region: 'eu-west-1' };
const B = { name: 'fleet-b', accountId: '111122223333', region: 'us-east-1' };


const start = new Date(T0);
const snapshot: Snapshot = demoSnapshot('test', start);
const policies = demoPolicies(start);
const base = evaluate(snapshot, catalog, { config: defaultConfig(), toolVersion: 'test', catalogVersion: CATALOG_VERSION, now: start, startedAt: start, waivers: policies.waivers, attestations: policies.attestations });

/** Day `d` of cluster `c`: the demo result, one control's status varied by day. */
function runOf(c: typeof A, d: number): { run: RunResult; at: Date; storedAt: Date } {
  const at = new Date(T0 + d * DAY);
  const run = structuredClone(base);
  run.cluster = c;
  run.startedAt = new Date(at.getTime() - 30_000).toISOString();
  run.finishedAt = at.toISOString();
  const ctl = run.controls.find((x) => x.status === 'pass')!;
  if (d % 2) ctl.status = 'error';
  return { run, at, storedAt: at };
}

const rowsOf = async (store: EvidenceStore, sql: string) => store.driver.all(sql);

/** What a run stored, with its run id (random) and the hashes that depend on it taken out. */
async function storedShape(store: EvidenceStore, runId: string) {
  const [row] = await store.driver.all('SELECT * FROM runs WHERE run_id = ?', [runId]);
  const result = gunzipSync(bytes(row!.result)).toString('utf8').replaceAll(runId, 'RUN');
  const record = JSON.parse(str(row!.record)) as Record<string, unknown>;
  const stored = await store.driver.all('SELECT * FROM control_results WHERE run_id = ? ORDER BY ordinal', [runId]);
  // The rows digest (it covers the run id) is the digest of the rows stored beside the record.
  expect(record.rowsDigest).toBe(rowsDigestOf(storedControlValues(stored)));
  for (const k of ['runId', 'prevHash', 'resultDigest', 'rowsDigest']) delete record[k];
  const controls = stored.map((r) => ({ ...r, run_id: 'RUN' }));
  return { result, record, controls, seq: Number(row!.seq) };
}


for (const { backend: b, skip } of backends('bulk')) {
  describe.skipIf(skip)(`appendRuns (${b.name})`, () => {
    let store: EvidenceStore;
    beforeEach(async () => {
      await b.setup();
      store = await b.open('write');
    });
    afterEach(async () => {
      await store?.close();
      await b.teardown();
    });

    it('chains runs of several clusters in the order given, and the store verifies', async () => {
      const items = [runOf(A, 0), runOf(B, 0), runOf(A, 1), runOf(B, 1), runOf(A, 2)];
      const out = await store.appendRuns(snapshot, items);
      expect(out.map((r) => [r.clusterKey, r.seq])).toEqual([[clusterKey(A), 1], [clusterKey(B), 1], [clusterKey(A), 2], [clusterKey(B), 2], [clusterKey(A), 3]]);
      expect(out[0]!.prevHash).toBe(GENESIS_HASH);
      expect(out[2]!.prevHash).toBe(out[0]!.hash);
      expect(out[4]!.prevHash).toBe(out[2]!.hash);
      expect(out[3]!.prevHash).toBe(out[1]!.hash);
      expect(out.map((r) => r.snapshotDeduplicated)).toEqual([false, true, true, true, true]);
      expect(items[0]!.run.runId).toBe(out[0]!.runId);

      // appendRun continues the chain appendRuns left.
      const next = runOf(A, 3);
      const after = await store.appendRun(next.run, snapshot, { at: next.at, storedAt: next.storedAt });
      expect(after.seq).toBe(4);
      expect(after.prevHash).toBe(out[4]!.hash);
      expect(after.snapshotDeduplicated).toBe(true);

      const clusters = await store.clusters();
      expect(clusters.map((c) => [c.key, c.runs, c.head.seq, c.head.runId])).toEqual([
        [clusterKey(A), 4, 4, after.runId], [clusterKey(B), 2, 2, out[3]!.runId],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
      const v = await store.verify();
      expect(v.problems).toEqual([]);
      expect(v.ok).toBe(true);
      expect(v.runsChecked).toBe(6);
      expect(v.snapshotsChecked).toBe(1);

      const loaded = await store.loadResult(out[2]!.runId);
      expect(loaded.controls.map((c) => c.status)).toEqual(items[2]!.run.controls.map((c) => c.status));
      expect(loaded.runId).toBe(out[2]!.runId);
      const period = await store.periodData(clusterKey(A), new Date(T0).toISOString(), new Date(T0 + 3 * DAY).toISOString());
      expect(period.runs.map((r) => r.runId)).toEqual([out[0]!.runId, out[2]!.runId, out[4]!.runId, after.runId]);
      expect(period.rows).toHaveLength(4 * base.controls.length);
    });

    it('stores what appendRun of each run in turn stores (results, records, per-control rows, first sights)', async () => {
      const bulk = await store.appendRuns(snapshot, [runOf(A, 0), runOf(A, 1), runOf(A, 2)]);
      const bulkShapes = [];
      for (const r of bulk) bulkShapes.push(await storedShape(store, r.runId));
      const bulkFirstSeen = (await rowsOf(store, 'SELECT workload, image, vulnerability, first_seen_at FROM vuln_first_seen ORDER BY workload, image, vulnerability'));
      const bulkMeta = await rowsOf(store, 'SELECT digest, control_id, meta FROM control_meta ORDER BY digest');
      // The same runs through appendRun, one at a time, into a fresh store of the same back end.
      await store.close();
      await b.teardown();
      await b.setup();
      store = await b.open('write');
      const one: StoredRun[] = [];
      for (const d of [0, 1, 2]) {
        const x = runOf(A, d);
        one.push(await store.appendRun(x.run, snapshot, { at: x.at, storedAt: x.storedAt }));
      }
      const oneShapes = [];
      for (const r of one) oneShapes.push(await storedShape(store, r.runId));
      expect(bulkShapes).toEqual(oneShapes);
      expect(bulkShapes[1]!.result).toContain('"status":"error"');
      expect(await rowsOf(store, 'SELECT workload, image, vulnerability, first_seen_at FROM vuln_first_seen ORDER BY workload, image, vulnerability')).toEqual(bulkFirstSeen);
      expect(bulkFirstSeen.length).toBeGreaterThan(0);
      expect(bulkFirstSeen.every((r) => str(r.first_seen_at) === new Date(T0).toISOString())).toBe(true);
      expect(await rowsOf(store, 'SELECT digest, control_id, meta FROM control_meta ORDER BY digest')).toEqual(bulkMeta);
    });

    it('verify reads results and per-control rows in chunks of runs, and still finds every edit', async () => {
      // 60 runs: more than one chunk (50); edits in the first chunk, in the second, and a row moved between them.
      const out = await store.appendRuns(snapshot, Array.from({ length: 60 }, (_, d) => runOf(A, d)));
      expect((await store.verify()).ok).toBe(true);
      const failing = base.controls.find((c) => c.status === 'fail')!.id;
      await store.driver.run("UPDATE control_results SET status = 'pass' WHERE run_id = ? AND control_id = ?", [out[56]!.runId, failing]);
      await store.driver.run('DELETE FROM control_results WHERE run_id = ? AND control_id = ?', [out[3]!.runId, failing]);
      await store.driver.run("UPDATE control_results SET run_id = ?, control_id = 'CC9-MOVED-01' WHERE run_id = ? AND control_id = ?", [out[52]!.runId, out[49]!.runId, base.controls[0]!.id]);
      await store.driver.run('UPDATE runs SET result = ? WHERE run_id = ?', [Buffer.from('not gzip'), out[58]!.runId]);
      const v = await store.verify();
      expect(v.ok).toBe(false);
      expect(v.runsChecked).toBe(60);
      const edited = v.problems.map((p) => p.runId);
      expect(edited).toEqual([out[3]!.runId, out[49]!.runId, out[52]!.runId, out[56]!.runId, out[58]!.runId]);
      expect(v.problems[1]!.message).toMatch(/row deleted/);
      expect(v.problems[2]!.message).toMatch(/CC9-MOVED-01 \(row added\)/);
      expect(v.problems[3]!.message).toMatch(new RegExp(`${failing} \\(status\\)`));
      expect(v.problems[4]!.message).toMatch(/no longer decompresses/);
    });

    it('stores nothing of a batch when one of its runs cannot be stored', async () => {
      const first = await store.appendRuns(snapshot, [runOf(A, 0)]);
      // A batch whose second run has a result JSON cannot represent: nothing of the batch is stored.
      const bad = runOf(A, 2);
      (bad.run as unknown as { score: number }).score = Number.NaN;
      await expect(store.appendRuns(snapshot, [runOf(A, 1), bad])).rejects.toThrow(/canonical JSON/);
      const clusters = await store.clusters();
      expect(clusters[0]!.runs).toBe(1);
      expect(clusters[0]!.head.runId).toBe(first[0]!.runId);
      expect((await store.verify()).ok).toBe(true);
    });
  });
}
