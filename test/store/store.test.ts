import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EvidenceStore, StoredRun } from '../../src/store/index.js';
import { GENESIS_HASH, SCHEMA_VERSION, StoreError, canonicalJson, openStore, sha256Digest } from '../../src/store/index.js';
import { toWire } from '../../src/model/index.js';
import { backends } from './backends.js';
import { CLUSTER_KEY, fakeRun, finding } from './fake.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1, 2);

/** Append `n` daily runs; control CC5-X-01 fails on day 1, everything else passes. */
async function seed(store: EvidenceStore, n: number, startDay = 0): Promise<StoredRun[]> {
  const out: StoredRun[] = [];
  for (let d = startDay; d < startDay + n; d++) {
    const at = new Date(T0 + d * DAY);
    const { run, snapshot } = fakeRun(at, [
      { id: 'CC5-X-01', status: d === 1 ? 'fail' : 'pass' },
      { id: 'CC6-Y-01', status: 'pass' },
      { id: 'CC7-Z-01', status: 'manual' },
    ]);
    out.push(await store.appendRun(run, snapshot, { at }));
  }
  return out;
}

const kinds = (r: { problems: { kind: string }[] }) => r.problems.map((p) => p.kind);

for (const { backend: b, skip } of backends('store')) {
  describe.skipIf(skip)(`evidence store (${b.name})`, () => {
    let store: EvidenceStore;
    beforeEach(async () => {
      await b.setup();
      store = await b.open('write');
    });
    afterEach(async () => {
      await store?.close();
      await b.teardown();
    });

    it('appends runs as a hash chain and reads them back', async () => {
      const runs = await seed(store, 3);
      expect(runs.map((r) => r.seq)).toEqual([1, 2, 3]);
      expect(runs[0]!.prevHash).toBe(GENESIS_HASH);
      expect(runs[1]!.prevHash).toBe(runs[0]!.hash);
      expect(runs[2]!.prevHash).toBe(runs[1]!.hash);
      expect(runs.every((r) => r.clusterKey === CLUSTER_KEY)).toBe(true);

      const clusters = await store.clusters();
      expect(clusters).toHaveLength(1);
      expect(clusters[0]!.head).toEqual({ seq: 3, hash: runs[2]!.hash, runId: runs[2]!.runId });
      expect(clusters[0]!.runs).toBe(3);

      const history = await store.runs({ clusterKey: CLUSTER_KEY });
      expect(history.map((r) => r.runId)).toEqual(runs.map((r) => r.runId));
      expect(history[1]!.controls).toEqual({ pass: 1, fail: 1, manual: 1, waived: 0, 'not-applicable': 0, error: 0 });
      expect(history[1]!.at).toBe(new Date(T0 + DAY).toISOString());
      expect((await store.runs({ clusterKey: CLUSTER_KEY, last: 2 })).map((r) => r.seq)).toEqual([2, 3]);

      const found = await store.findRun(runs[1]!.runId);
      expect(found?.seq).toBe(2);
      expect((await store.findRun(runs[1]!.runId.slice(0, -1)))?.runId).toBe(runs[1]!.runId);
      const shared = runs[0]!.runId.slice(0, 16);
      if (runs.every((r) => r.runId.startsWith(shared))) await expect(store.findRun(shared)).rejects.toThrow(/matches several runs/);
      expect(await store.findRun('20200101T000000Z-abcdef')).toBeUndefined();

      const result = await store.loadResult(runs[1]!.runId);
      expect(result.runId).toBe(runs[1]!.runId);
      expect(result.snapshotDigest).toBe(runs[1]!.snapshotDigest);
      expect(result.controls.find((c) => c.id === 'CC5-X-01')?.status).toBe('fail');
      // The digest is of the stored wire form (run@5: finding groups, index lists with runs); the loaded result is expanded.
      expect(sha256Digest(canonicalJson(toWire(result)))).toBe(runs[1]!.resultDigest);

      const snap = await store.loadSnapshot(runs[1]!.snapshotDigest);
      expect(sha256Digest(JSON.stringify(snap))).toBe(runs[1]!.snapshotDigest);
      expect(snap.cluster.name).toBe('acme-prod');
    });

    it('sets runId and snapshotDigest on the appended run', async () => {
      const at = new Date(T0);
      const { run, snapshot } = fakeRun(at, [{ id: 'CC5-X-01', status: 'pass' }]);
      const stored = await store.appendRun(run, snapshot, { at });
      expect(run.runId).toBe(stored.runId);
      expect(run.snapshotDigest).toBe(stored.snapshotDigest);
      expect(stored.runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{12}$/);
    });

    it('stores an unchanged snapshot once (content-addressed)', async () => {
      const a = fakeRun(new Date(T0), [{ id: 'CC5-X-01', status: 'pass' }], { payload: 'same' });
      const b = fakeRun(new Date(T0 + DAY), [{ id: 'CC5-X-01', status: 'pass' }], { payload: 'same' });
      b.snapshot.createdAt = a.snapshot.createdAt;
      const r1 = await store.appendRun(a.run, a.snapshot);
      const r2 = await store.appendRun(b.run, b.snapshot);
      expect(r1.snapshotDeduplicated).toBe(false);
      expect(r2.snapshotDeduplicated).toBe(true);
      expect(r2.snapshotDigest).toBe(r1.snapshotDigest);
      const n = await store.driver.all('SELECT COUNT(*) AS n FROM snapshots');
      expect(Number(n[0]!.n)).toBe(1);
      expect((await store.verify()).ok).toBe(true);
    });

    it('keeps separate chains per cluster', async () => {
      const at = new Date(T0);
      const other = { name: 'acme-dev', accountId: '444455556666', region: 'us-east-1' };
      const a = fakeRun(at, [{ id: 'CC5-X-01', status: 'pass' }]);
      const b = fakeRun(at, [{ id: 'CC5-X-01', status: 'fail' }], { cluster: other });
      const ra = await store.appendRun(a.run, a.snapshot);
      const rb = await store.appendRun(b.run, b.snapshot);
      expect(ra.seq).toBe(1);
      expect(rb.seq).toBe(1);
      expect(rb.clusterKey).toBe('eks:444455556666:us-east-1:acme-dev');
      expect(rb.prevHash).toBe(GENESIS_HASH);
      expect((await store.clusters()).map((c) => c.key).sort()).toEqual([CLUSTER_KEY, 'eks:444455556666:us-east-1:acme-dev']);
      expect((await store.verify()).ok).toBe(true);
    });

    it('serves period rows from the per-control table', async () => {
      const runs = await seed(store, 3);
      const data = await store.periodData(CLUSTER_KEY, new Date(T0).toISOString(), new Date(T0 + 2 * DAY).toISOString());
      expect(data.runs.map((r) => r.runId)).toEqual(runs.map((r) => r.runId));
      expect(data.runs[0]!.snapshotDigest).toBe(runs[0]!.snapshotDigest);
      expect(data.rows).toHaveLength(9);
      const failing = data.rows.find((r) => r.controlId === 'CC5-X-01' && r.runId === runs[1]!.runId)!;
      expect(failing.status).toBe('fail');
      expect(failing.counts.fail).toBe(1);
      expect(failing.ordinal).toBe(0);
      expect(data.meta[failing.meta]?.title).toBe('Title of CC5-X-01');
      const narrow = await store.periodData(CLUSTER_KEY, new Date(T0 + DAY).toISOString(), new Date(T0 + DAY).toISOString());
      expect(narrow.runs).toHaveLength(1);
      expect(narrow.rows).toHaveLength(3);
    });

    it('stores waivers and attestations in force per control', async () => {
      const at = new Date(T0);
      const waiver = { id: 'RISK-1', reason: 'accepted', approvedBy: 'ciso@example.com', expires: '2026-12-31' };
      const attestation = { control: 'CC7-Z-01', statement: 'reviewed', attestedBy: 'lead@example.com', date: '2025-12-01', validUntil: '2026-06-30' };
      const { run, snapshot } = fakeRun(at, [
        { id: 'CC5-X-01', status: 'waived', waivers: [waiver], findings: [{ ...finding('waived', 'db'), waiver }] },
        { id: 'CC7-Z-01', status: 'pass', attestation },
      ]);
      await store.appendRun(run, snapshot, { at });
      const data = await store.periodData(CLUSTER_KEY, '2025-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z');
      expect(data.rows.find((r) => r.controlId === 'CC5-X-01')?.waivers).toEqual([waiver]);
      expect(data.rows.find((r) => r.controlId === 'CC7-Z-01')?.attestation).toEqual(attestation);
      expect((await store.verify()).ok).toBe(true);
    });

    describe('verify', () => {
      it('passes on an untouched store and reports the head', async () => {
        const runs = await seed(store, 4);
        const r = await store.verify();
        expect(r.ok).toBe(true);
        expect(r.problems).toEqual([]);
        expect(r.runsChecked).toBe(4);
        expect(r.snapshotsChecked).toBe(4);
        expect(r.clusters[0]!.head).toEqual({ seq: 4, hash: runs[3]!.hash, runId: runs[3]!.runId });
        const expect2 = await store.verify({ expectHead: runs[1]!.hash.slice('sha256:'.length).toUpperCase() });
        expect(expect2.ok).toBe(true);
        expect(expect2.expectHead).toMatchObject({ found: true, seq: 2, runId: runs[1]!.runId, pruned: false });
      });

      it('detects an edited per-control result', async () => {
        const runs = await seed(store, 3);
        await store.driver.run("UPDATE control_results SET status = 'pass', n_fail = 0, n_pass = 1 WHERE run_id = ? AND control_id = 'CC5-X-01'", [runs[1]!.runId]);
        const r = await store.verify();
        expect(r.ok).toBe(false);
        expect(r.problems).toHaveLength(1);
        expect(r.problems[0]).toMatchObject({ kind: 'edited', runId: runs[1]!.runId });
        expect(r.problems[0]!.message).toContain('CC5-X-01');
      });

      it('detects an edited stored result (findings)', async () => {
        const runs = await seed(store, 3);
        const row = await store.driver.all('SELECT result FROM runs WHERE run_id = ?', [runs[1]!.runId]);
        const result = JSON.parse(gunzipSync(row[0]!.result as Buffer).toString('utf8')) as { controls: { findings: { status: string }[] }[] };
        result.controls[0]!.findings[0]!.status = 'pass';
        await store.driver.run('UPDATE runs SET result = ? WHERE run_id = ?', [gzipSync(Buffer.from(canonicalJson(result))), runs[1]!.runId]);
        const r = await store.verify();
        expect(r.ok).toBe(false);
        expect(r.problems.some((p) => p.kind === 'edited' && p.runId === runs[1]!.runId && /result/.test(p.message))).toBe(true);
      });

      it('detects an edited record even when its hash column was recomputed', async () => {
        const runs = await seed(store, 3);
        const row = await store.driver.all('SELECT record FROM runs WHERE run_id = ?', [runs[1]!.runId]);
        const rec = JSON.parse(String(row[0]!.record)) as { score: number };
        rec.score = 100;
        const text = canonicalJson(rec);
        await store.driver.run('UPDATE runs SET record = ?, record_hash = ?, score = 100 WHERE run_id = ?', [text, sha256Digest(text), runs[1]!.runId]);
        const r = await store.verify();
        expect(r.ok).toBe(false);
        expect(r.problems.some((p) => p.kind === 'edited' && p.runId === runs[1]!.runId)).toBe(true);
        // Also a plain column edit without touching the record:
        await store.driver.run('UPDATE runs SET score = 42 WHERE run_id = ?', [runs[0]!.runId]);
        const r2 = await store.verify();
        expect(r2.problems.some((p) => p.kind === 'edited' && p.runId === runs[0]!.runId && /score/.test(p.message))).toBe(true);
      });

      it('detects a deleted run in the middle of the chain', async () => {
        const runs = await seed(store, 4);
        await store.driver.run('DELETE FROM control_results WHERE run_id = ?', [runs[1]!.runId]);
        await store.driver.run('DELETE FROM runs WHERE run_id = ?', [runs[1]!.runId]);
        const r = await store.verify();
        expect(r.ok).toBe(false);
        expect(r.problems).toHaveLength(1);
        expect(r.problems[0]).toMatchObject({ kind: 'deleted', runId: runs[2]!.runId });
        expect(r.problems[0]!.message).toContain('#2');
      });

      it('detects deleted newest runs, and --expect-head catches it when the head row was rewritten too', async () => {
        const runs = await seed(store, 4);
        await store.driver.run('DELETE FROM control_results WHERE run_id = ?', [runs[3]!.runId]);
        await store.driver.run('DELETE FROM runs WHERE run_id = ?', [runs[3]!.runId]);
        const r = await store.verify();
        expect(r.ok).toBe(false);
        expect(r.problems[0]).toMatchObject({ kind: 'deleted' });
        expect(r.problems[0]!.message).toMatch(/newest 1 run/);
        // A careful forger also rewrites the head: the chain alone then looks complete…
        await store.driver.run('UPDATE clusters SET head_seq = 3, head_hash = ?, head_run_id = ? WHERE cluster_key = ?', [runs[2]!.hash, runs[2]!.runId, CLUSTER_KEY]);
        expect((await store.verify()).ok).toBe(true);
        // …but not against a head recorded elsewhere.
        const anchored = await store.verify({ expectHead: runs[3]!.hash });
        expect(anchored.ok).toBe(false);
        expect(kinds(anchored)).toEqual(['expect-head']);
        expect(anchored.expectHead?.found).toBe(false);
      });

      it('detects two swapped runs', async () => {
        const runs = await seed(store, 4);
        await store.driver.run('UPDATE runs SET seq = -1 WHERE run_id = ?', [runs[1]!.runId]);
        await store.driver.run('UPDATE runs SET seq = 2 WHERE run_id = ?', [runs[2]!.runId]);
        await store.driver.run('UPDATE runs SET seq = 3 WHERE run_id = ?', [runs[1]!.runId]);
        const r = await store.verify();
        expect(r.ok).toBe(false);
        expect(kinds(r)).toContain('reordered');
        const ids = r.problems.filter((p) => p.kind === 'reordered').map((p) => p.runId);
        expect(ids).toContain(runs[1]!.runId);
        expect(ids).toContain(runs[2]!.runId);
      });

      it('detects a changed snapshot byte', async () => {
        const runs = await seed(store, 2);
        const row = await store.driver.all('SELECT body FROM snapshots WHERE digest = ?', [runs[0]!.snapshotDigest]);
        const body = Buffer.from(row[0]!.body as Uint8Array);
        const mid = Math.floor(body.length / 2);
        body[mid] = body[mid]! ^ 0x01;
        await store.driver.run('UPDATE snapshots SET body = ? WHERE digest = ?', [body, runs[0]!.snapshotDigest]);
        const r = await store.verify();
        expect(r.ok).toBe(false);
        expect(r.problems).toHaveLength(1);
        expect(r.problems[0]).toMatchObject({ kind: 'snapshot', runId: runs[0]!.runId });
        await expect(store.loadSnapshot(runs[0]!.snapshotDigest)).rejects.toThrow(/damaged or was altered/);
      });

      it('detects a snapshot replaced by different, well-formed content', async () => {
        const runs = await seed(store, 2);
        const snap = await store.loadSnapshot(runs[0]!.snapshotDigest);
        snap.kubernetes.objects = [];
        await store.driver.run('UPDATE snapshots SET body = ? WHERE digest = ?', [gzipSync(Buffer.from(canonicalJson(snap))), runs[0]!.snapshotDigest]);
        const r = await store.verify();
        expect(r.problems).toEqual([expect.objectContaining({ kind: 'snapshot', runId: runs[0]!.runId })]);
        expect(r.problems[0]!.message).toMatch(/altered/);
      });
    });

    describe('prune', () => {
      it('removes old runs, seals them in a checkpoint, and verify still passes', async () => {
        const runs = await seed(store, 6);
        const before = new Date(T0 + 3 * DAY); // removes days 0, 1, 2
        const dry = await store.prune({ before, dryRun: true, now: new Date(T0 + 10 * DAY) });
        expect(dry.removedRuns).toBe(3);
        expect((await store.runs()).length).toBe(6);

        const report = await store.prune({ before, now: new Date(T0 + 10 * DAY) });
        expect(report.removedRuns).toBe(3);
        expect(report.removedSnapshots).toBe(3);
        expect(report.clusters[0]!.checkpoint).toMatchObject({ seq: 3, hash: runs[2]!.hash });
        expect((await store.runs()).map((r) => r.seq)).toEqual([4, 5, 6]);

        const v = await store.verify();
        expect(v.ok).toBe(true);
        expect(v.clusters[0]!.anchor).toEqual({ seq: 3, hash: runs[2]!.hash });
        // A head recorded before the prune is still recognised (sealed in the checkpoint).
        const anchored = await store.verify({ expectHead: runs[1]!.hash });
        expect(anchored.ok).toBe(true);
        expect(anchored.expectHead).toMatchObject({ found: true, pruned: true, seq: 2 });

        // New runs keep chaining; a second prune chains its checkpoint to the first.
        await seed(store, 2, 6);
        const second = await store.prune({ before: new Date(T0 + 5 * DAY), now: new Date(T0 + 11 * DAY) });
        expect(second.removedRuns).toBe(2);
        expect((await store.verify()).ok).toBe(true);
      });

      it('still detects tampering after a prune', async () => {
        const runs = await seed(store, 5);
        await store.prune({ before: new Date(T0 + 2 * DAY) });
        await store.driver.run("UPDATE control_results SET status = 'fail' WHERE run_id = ? AND control_id = 'CC6-Y-01'", [runs[3]!.runId]);
        const r = await store.verify();
        expect(r.problems).toEqual([expect.objectContaining({ kind: 'edited', runId: runs[3]!.runId })]);
      });

      it('detects a deleted or edited checkpoint', async () => {
        await seed(store, 5);
        await store.prune({ before: new Date(T0 + 2 * DAY) });
        await store.driver.run("UPDATE checkpoints SET record = REPLACE(record, '\"removed\"', '\"removedx\"')");
        expect(kinds(await store.verify())).toContain('checkpoint');
        await store.driver.run('DELETE FROM checkpoints');
        const r = await store.verify();
        expect(r.ok).toBe(false);
        expect(kinds(r)).toContain('deleted');
      });

      it('refuses to prune a chain that does not verify', async () => {
        const runs = await seed(store, 4);
        await store.driver.run("UPDATE control_results SET status = 'pass' WHERE run_id = ?", [runs[1]!.runId]);
        await expect(store.prune({ before: new Date(T0 + 3 * DAY) })).rejects.toThrow(/refusing to prune/);
        expect((await store.runs()).length).toBe(4);
      });

      it('removes only an unbroken start of the chain', async () => {
        // Run #2 describes a later time than #3 (stored with --now): the prune stops at #2.
        for (const d of [0, 5, 1]) {
          const at = new Date(T0 + d * DAY);
          const { run, snapshot } = fakeRun(at, [{ id: 'CC5-X-01', status: 'pass' }]);
          await store.appendRun(run, snapshot, { at });
        }
        const r = await store.prune({ before: new Date(T0 + 3 * DAY) });
        expect(r.removedRuns).toBe(1);
        expect((await store.runs()).map((x) => x.seq).sort()).toEqual([2, 3]);
        expect((await store.verify()).ok).toBe(true);
      });
    });

    describe('opening', () => {
      it('refuses a store written by a newer schema, writing nothing', async () => {
        await seed(store, 1);
        await store.driver.run("INSERT INTO schema_version (version, description, applied_at, tool_version) VALUES (?, 'future', '2030-01-01T00:00:00.000Z', '9.0.0')", [SCHEMA_VERSION + 1]);
        await store.close();
        const err = await b.open('write').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreError);
        expect((err as StoreError).kind).toBe('newer-schema');
        expect((err as StoreError).message).toMatch(new RegExp(`newer eks-soc2 \\(store schema version ${SCHEMA_VERSION + 1}; this build knows up to ${SCHEMA_VERSION}\\); nothing was written`));
        expect((err as StoreError).fix).toMatch(/upgrade/);
        store = await openStore(b.target(), { mode: 'read', toolVersion: 'test' }).catch(() => undefined as unknown as EvidenceStore);
        expect(store).toBeUndefined();
      });

      it('refuses a database that holds someone else\'s tables', async () => {
        await store.close();
        await b.teardown();
        await b.setup();
        // Create a foreign table through a fresh store connection's driver, then drop ours.
        const s = await b.open('write');
        for (const t of ['vuln_first_seen', 'control_results', 'checkpoints', 'control_meta', 'runs', 'snapshots', 'clusters', 'schema_version']) await s.driver.run(`DROP TABLE ${t}`);
        await s.driver.run('CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER)');
        await s.close();
        const err = (await b.open('write').catch((e: unknown) => e)) as StoreError;
        expect(err.kind).toBe('foreign');
        expect(err.message).toMatch(/not an eks-soc2 evidence store \(it holds other tables: invoices\); nothing was written/);
        store = await b.open('read').catch(() => undefined as unknown as EvidenceStore);
        expect(store).toBeUndefined();
      });

      it('refuses to read a store that does not exist yet, creating nothing', async () => {
        await store.close();
        await b.teardown();
        await b.setup();
        const err = (await b.open('read').catch((e: unknown) => e)) as StoreError;
        expect(err).toBeInstanceOf(StoreError);
        expect(err.kind).toBe('not-found');
        expect(err.fix).toMatch(/scan --store/);
        store = await b.open('write');
        expect(await store.runs()).toEqual([]);
      });

      it('opens read-only without writing', async () => {
        await seed(store, 2);
        await store.close();
        store = await b.open('read');
        expect((await store.runs()).length).toBe(2);
        expect((await store.verify()).ok).toBe(true);
        await expect(store.appendRun(fakeRun(new Date(), [{ id: 'CC5-X-01', status: 'pass' }]).run, fakeRun(new Date(), []).snapshot)).rejects.toThrow(/read-only/);
      });
    });
  });
}
