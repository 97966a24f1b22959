// A run record commits to its per-control rows (run-record@3 `rowsDigest`), so a period report can
// check the rows it is computed from against the chain without re-reading every stored result
// (`verify({ depth: 'rows' })`). What each depth catches, on both back ends, and how records written
// before the digest (legacy fixture) are still checked through their results.
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/model/index.js';
import { evaluate } from '../../src/engine/index.js';
import { catalog } from '../../src/catalog/index.js';
import { demoSnapshot } from '../../src/collectors/demo/index.js';
import type { EvidenceStore, StoredRun } from '../../src/store/index.js';
import { rowsDigestOf, storedControlValues } from '../../src/store/records.js';
import { bytes, str } from '../../src/store/sql.js';
import { backends } from './backends.js';
import { loadLegacyV1 } from './fixtures/legacy-v1/load.js';

const T0 = Date.parse('2026-03-01T02:00:00Z');
const DAY = 86_400_000;

for (const { backend: b, skip } of backends('verify_depth')) {
  describe.skipIf(skip)(`verify depth (${b.name})`, () => {
    let store: EvidenceStore;
    let runs: StoredRun[];
    const edit = (sql: string, params: (string | number | Buffer)[]) => store.driver.write([], async (tx) => tx.run(sql, params));

    beforeEach(async () => {
      await b.setup();
      store = await b.open('write');
      runs = [];
      for (let d = 0; d < 3; d++) {
        const at = new Date(T0 + d * DAY);
        const snap = demoSnapshot('test', at);
        const run = evaluate(snap, catalog, { config: defaultConfig(), toolVersion: 'test', catalogVersion: 'test', now: at });
        runs.push(await store.appendRun(run, snap, { at, storedAt: at }));
      }
    }, 60_000);
    afterEach(async () => {
      await store?.close();
      await b.teardown();
    });

    it('each record commits to the digest of the rows stored beside it; both depths verify an intact store', async () => {
      for (const r of runs) {
        const [row] = await store.driver.all('SELECT record FROM runs WHERE run_id = ?', [r.runId]);
        const record = JSON.parse(str(row!.record)) as { schema: string; rowsDigest: string };
        expect(record.schema).toBe('eks-soc2/run-record@3');
        const rows = await store.driver.all('SELECT * FROM control_results WHERE run_id = ?', [r.runId]);
        expect(rows.length).toBeGreaterThan(50);
        expect(record.rowsDigest).toBe(rowsDigestOf(storedControlValues(rows)));
      }
      const rowsDepth = await store.verify({ depth: 'rows' });
      expect(rowsDepth).toMatchObject({ ok: true, depth: 'rows', runsChecked: 3, snapshotsChecked: 0, problems: [] });
      const full = await store.verify();
      expect(full).toMatchObject({ ok: true, depth: 'full', runsChecked: 3, snapshotsChecked: 3, problems: [] }); // a snapshot a day
    });

    it('an edited and a deleted per-control row are caught at both depths, naming the run', async () => {
      const [a, c] = [runs[0]!, runs[2]!];
      expect(await edit("UPDATE control_results SET status = 'pass', n_fail = 0 WHERE run_id = ? AND status = 'fail'", [a.runId])).toBeGreaterThan(0);
      expect(await edit("DELETE FROM control_results WHERE run_id = ? AND control_id = 'CC5-HARD-03'", [c.runId])).toBe(1);
      for (const depth of ['rows', 'full'] as const) {
        const v = await store.verify({ depth });
        expect(v.ok).toBe(false);
        expect(v.problems.map((p) => p.runId).sort()).toEqual([a.runId, c.runId].sort());
        expect(v.problems.every((p) => p.kind === 'edited' && /per-control rows were edited/.test(p.message))).toBe(true);
      }
    });

    it('a row added to a run is caught by the rows digest', async () => {
      const r = runs[1]!;
      const [row] = await store.driver.all("SELECT * FROM control_results WHERE run_id = ? AND control_id = 'CC5-HARD-03'", [r.runId]);
      await edit("DELETE FROM control_results WHERE run_id = ? AND control_id = 'CC5-HARD-03'", [r.runId]);
      const cols = Object.keys(row!);
      await edit(`INSERT INTO control_results (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
        cols.map((k) => (k === 'control_id' ? 'CC5-HARD-99' : row![k] as string | number)));
      await edit(`INSERT INTO control_results (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, cols.map((k) => row![k] as string | number));
      const v = await store.verify({ depth: 'rows' });
      expect(v.ok).toBe(false);
      expect(v.problems).toEqual([expect.objectContaining({ kind: 'edited', runId: r.runId, message: expect.stringMatching(/rows were edited, added or deleted/) })]);
    });

    it('an edited stored result (rows untouched) is outside the rows depth and caught by the full one', async () => {
      const r = runs[1]!;
      const [row] = await store.driver.all('SELECT result FROM runs WHERE run_id = ?', [r.runId]);
      const text = gunzipSync(bytes(row!.result)).toString('utf8');
      const edited = text.replace('"status":"fail"', '"status":"pass"');
      expect(edited).not.toBe(text);
      await edit('UPDATE runs SET result = ? WHERE run_id = ?', [gzipSync(edited), r.runId]);
      expect((await store.verify({ depth: 'rows' })).ok).toBe(true);
      const full = await store.verify({ depth: 'full' });
      expect(full.ok).toBe(false);
      expect(full.problems).toEqual([expect.objectContaining({ kind: 'edited', runId: r.runId, message: expect.stringMatching(/result .* was edited/) })]);
    });

    it('an edited rows digest breaks the record hash at both depths', async () => {
      const r = runs[0]!;
      const [row] = await store.driver.all('SELECT record FROM runs WHERE run_id = ?', [r.runId]);
      const record = JSON.parse(str(row!.record)) as { rowsDigest: string };
      await edit('UPDATE runs SET record = ? WHERE run_id = ?', [str(row!.record).replace(record.rowsDigest, `sha256:${'0'.repeat(64)}`), r.runId]);
      for (const depth of ['rows', 'full'] as const) {
        const v = await store.verify({ depth });
        expect(v.ok).toBe(false);
        expect(v.problems.some((p) => p.runId === r.runId && /record no longer matches its hash/.test(p.message))).toBe(true);
      }
    });
  });

  describe.skipIf(skip)(`records without a rows digest (legacy store, ${b.name})`, () => {
    let store: EvidenceStore;
    beforeEach(async () => {
      await b.setup();
      await loadLegacyV1(b.target());
      store = await b.open('write');
    }, 60_000);
    afterEach(async () => {
      await store?.close();
      await b.teardown();
    });

    it('are checked through their stored results at the rows depth too', async () => {
      const ok = await store.verify({ depth: 'rows' });
      expect(ok.ok).toBe(true);
      expect(ok.runsChecked).toBeGreaterThan(0);
      const [row] = await store.driver.all('SELECT run_id, result FROM runs ORDER BY seq LIMIT 1');
      const text = gunzipSync(bytes(row!.result)).toString('utf8');
      const edited = text.replace('"status":"fail"', '"status":"pass"');
      expect(edited).not.toBe(text);
      await store.driver.write([], async (tx) => tx.run('UPDATE runs SET result = ? WHERE run_id = ?', [gzipSync(edited), str(row!.run_id)]));
      const v = await store.verify({ depth: 'rows' });
      expect(v.ok).toBe(false);
      expect(v.problems.map((p) => p.runId)).toEqual([str(row!.run_id)]);
    });
  });
}

describe('rowsDigestOf', () => {
  it('is the sha256 of the canonical JSON of the rows, whatever the values (strings with escapes, numbers, nulls)', async () => {
    const { canonicalJson, sha256Digest } = await import('../../src/store/index.js');
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const value = () => {
      const r = rnd();
      if (r < 0.2) return null;
      if (r < 0.5) return Math.floor(rnd() * 1e6) * (rnd() < 0.1 ? -1 : 1) + (rnd() < 0.1 ? 0.5 : 0);
      return Array.from({ length: Math.floor(rnd() * 12) }, () => String.fromCharCode(Math.floor(rnd() * 0x2100))).join('') + '"\\\n\u2028';
    };
    for (let t = 0; t < 200; t++) {
      const rows = Array.from({ length: Math.floor(rnd() * 5) }, () => Array.from({ length: 19 }, value));
      expect(rowsDigestOf(rows)).toBe(sha256Digest(canonicalJson(rows)));
    }
    expect(() => rowsDigestOf([[Number.NaN]])).toThrow(/canonical JSON/);
  });
});
