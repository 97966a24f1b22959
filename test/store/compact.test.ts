// Stored runs of both shapes side by side: a run@5 result (passes as resource indices, the other
// findings as groups) and the same run in the superseded run@2 shape (one object per finding). Both
// load, diff (the shapes compare equal finding by finding) and verify; the run@5 one is the smaller
// stored text. (Stored run@3 and run@4 results: wire.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, RunResult } from '../../src/model/index.js';
import { defaultConfig, eachFinding, expandRun } from '../../src/model/index.js';
import type { EvidenceStore } from '../../src/store/index.js';
import { diffRuns } from '../../src/store/index.js';
import { evaluate } from '../../src/engine/index.js';
import { catalog } from '../../src/catalog/index.js';
import { demoSnapshot } from '../../src/collectors/demo/index.js';
import { backends } from './backends.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const key = (f: Finding) => JSON.stringify([f.rule, f.status, f.severity, f.resource, f.source ?? null, f.message, f.system ?? false, f.waiver ?? null]);
const all = (run: RunResult) => run.controls.flatMap((c) => [...eachFinding(run, c)].map((f) => `${c.id} ${key(f)}`)).sort();

for (const { backend: b, skip } of backends('compact')) {
  describe.skipIf(skip)(`stored run@5 and run@2 results (${b.name})`, () => {
    let store: EvidenceStore;
    let ids: { compact: string; expanded: string };
    const snapshot = demoSnapshot('test', NOW);
    const run = evaluate(snapshot, catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: NOW });

    beforeAll(async () => {
      await b.setup();
      store = await b.open('write');
      const old = await store.appendRun(expandRun(structuredClone(run)), snapshot, { at: new Date(NOW.getTime() - 86_400_000) });
      const now = await store.appendRun(structuredClone(run), snapshot, { at: NOW });
      ids = { expanded: old.runId, compact: now.runId };
    }, 60_000);
    afterAll(async () => { await store?.close(); await b.teardown(); });

    it('both load in their own shape with the same findings', async () => {
      const a = await store.loadResult(ids.expanded);
      const c = await store.loadResult(ids.compact);
      expect(a.schema).toBe('eks-soc2/run@2');
      expect(a.resources).toBeUndefined();
      expect(c.schema).toBe('eks-soc2/run@5');
      expect(c.resources!.length).toBeGreaterThan(0);
      expect(all(c)).toEqual(all(a));
      expect(all(c).length).toBeGreaterThan(100);
    });

    it('diff across the shapes finds no change of any resource or control', async () => {
      const d = diffRuns(await store.loadResult(ids.expanded), await store.loadResult(ids.compact));
      expect(d.resources).toEqual([]);
      expect(d.controls).toEqual([]);
    });

    it('verifies, and the run@5 result is the smaller stored text', async () => {
      expect((await store.verify()).ok).toBe(true);
      const rows = await store.driver.all('SELECT run_id, result FROM runs');
      const size = (id: string) => (rows.find((r) => r.run_id === id)!.result as Buffer).length;
      expect(size(ids.compact)).toBeLessThan(size(ids.expanded));
    });
  });
}
