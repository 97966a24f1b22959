// The store keeps a run@5 result in its wire form (finding groups by resource index, index lists with
// runs; the digest is of that text) and gives it back as Finding objects; a run@3 result stored by an
// earlier eks-soc2 (fixtures/run3, made at 2f68e76) and a run@4 one (fixtures/run4, made at 68d5436)
// keep their text, load, diff against the run@5 one finding by finding and verify, beside it.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlDefinition, Finding, K8sObject, RunResult, Waiver, WireRunResult } from '../../src/model/index.js';
import { defaultConfig, eachFinding, fromWire, toWire } from '../../src/model/index.js';
import type { EvidenceStore } from '../../src/store/index.js';
import { canonicalJson, diffRuns, sha256Digest } from '../../src/store/index.js';
import { evaluate } from '../../src/engine/index.js';
import { makeSnapshot } from '../helpers/snapshot.js';
import { backends } from './backends.js';
// @ts-expect-error plain JavaScript fixture shared with make.mjs
import { NOW, OBJECTS, PROBE, WAIVERS } from './fixtures/run3/probe.mjs';

const FIXTURE = JSON.parse(readFileSync(new URL('./fixtures/run3/result.json', import.meta.url), 'utf8')) as RunResult;
/** The run@4 wire form (as the JSON report and the store wrote it) of the same probe. */
const FIXTURE4 = JSON.parse(readFileSync(new URL('./fixtures/run4/result.json', import.meta.url), 'utf8')) as WireRunResult;
const key = (f: Finding) => canonicalJson([f.rule, f.status, f.severity, f.resource, f.source ?? null, f.message, f.system ?? false, f.waiver ?? null, f.details ?? null]);
const all = (run: RunResult) => run.controls.flatMap((c) => [...eachFinding(run, c)].map((f) => `${c.id} ${key(f)}`)).sort();

for (const { backend: b, skip } of backends('wire')) {
  describe.skipIf(skip)(`stored run@5 (wire form) beside stored run@3 and run@4 results (${b.name})`, () => {
    let store: EvidenceStore;
    const ids = { run3: '', run4: '', run5: '' };
    const snapshot = makeSnapshot({ k8s: OBJECTS as K8sObject[], cluster: FIXTURE.cluster });
    const run = evaluate(snapshot, [PROBE as ControlDefinition], {
      config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: new Date(NOW as string), startedAt: new Date(NOW as string), waivers: WAIVERS as Waiver[],
    });
    const storedText = async (runId: string) => {
      const rows = await store.driver.all('SELECT result, result_digest FROM runs WHERE run_id = ?', [runId]);
      const text = gunzipSync(rows[0]!.result as Buffer).toString('utf8');
      return { text, digest: String(rows[0]!.result_digest) };
    };

    beforeAll(async () => {
      await b.setup();
      store = await b.open('write');
      ids.run3 = (await store.appendRun(structuredClone(FIXTURE), snapshot, { at: new Date(Date.parse(NOW as string) - 2 * 86_400_000) })).runId;
      // A run@4 build appended its in-memory result (groups expanded) and stored its wire form.
      ids.run4 = (await store.appendRun(fromWire(structuredClone(FIXTURE4)), snapshot, { at: new Date(Date.parse(NOW as string) - 86_400_000) })).runId;
      ids.run5 = (await store.appendRun(structuredClone(run), snapshot, { at: new Date(NOW as string) })).runId;
    }, 60_000);
    afterAll(async () => { await store?.close(); await b.teardown(); });

    it('the run@3 result is stored as the text an earlier eks-soc2 stored, and loads as it was', async () => {
      const { text, digest } = await storedText(ids.run3);
      expect(text).toBe(canonicalJson({ ...FIXTURE, runId: ids.run3, snapshotDigest: JSON.parse(text).snapshotDigest }));
      expect(sha256Digest(text)).toBe(digest);
      const loaded = await store.loadResult(ids.run3);
      expect(loaded.schema).toBe('eks-soc2/run@3');
      expect(loaded.controls).toEqual(FIXTURE.controls);
      expect(loaded.resources).toEqual(FIXTURE.resources);
    });

    it('the run@4 result is stored as the text a run@4 build stored, and loads with the same findings', async () => {
      const { text, digest } = await storedText(ids.run4);
      expect(text).toBe(canonicalJson({ ...FIXTURE4, runId: ids.run4, snapshotDigest: JSON.parse(text).snapshotDigest }));
      expect(sha256Digest(text)).toBe(digest);
      const loaded = await store.loadResult(ids.run4);
      expect(loaded.schema).toBe('eks-soc2/run@4');
      expect(all(loaded)).toEqual(all(run));
    });

    it('the run@5 result is stored as groups with index runs (the digest is of that text) and loads as the same findings', async () => {
      const { text, digest } = await storedText(ids.run5);
      const wire = JSON.parse(text) as { schema: string; resources: unknown[]; controls: { findings: { resources?: number[]; resource?: unknown }[]; passed: { resources: number[] }[] }[] };
      expect(wire.schema).toBe('eks-soc2/run@5');
      expect(wire.controls[0]!.findings.every((g) => Array.isArray(g.resources) && g.resource === undefined)).toBe(true);
      // 10 findings that are not passes in 4 groups: warn r, fail c, waived c, error r (coredns's in the system lists of the first two).
      expect(wire.controls[0]!.findings).toHaveLength(4);
      // Rule a passes on the five Deployments of shop: 0 and the four that follow.
      expect(wire.controls[0]!.passed.find((p) => p.resources[1] === -4)).toBeDefined();
      expect(sha256Digest(text)).toBe(digest);
      const loaded = await store.loadResult(ids.run5);
      expect(loaded.schema).toBe('eks-soc2/run@5');
      expect(loaded.controls[0]!.findings.every((f) => f.resource !== undefined)).toBe(true);
      expect(loaded.controls[0]!.passed!.every((p) => p.resources.every((i) => i >= 0))).toBe(true);
      expect(all(loaded)).toEqual(all(run));
      // Writing the loaded result again gives the stored text: nothing was lost or moved.
      expect(canonicalJson(toWire(loaded))).toBe(canonicalJson({ ...JSON.parse(text), runId: ids.run5 }));
    });

    it('diff run@3 → run@4 → run@5 of the same evidence finds no change; the findings are the same', async () => {
      const [a, c, e] = [await store.loadResult(ids.run3), await store.loadResult(ids.run4), await store.loadResult(ids.run5)];
      expect(all(a)).toEqual(all(c));
      expect(all(c)).toEqual(all(e));
      expect(all(a)).toHaveLength(18);
      for (const [x, y] of [[a, c], [c, e], [e, a]] as const) {
        const d = diffRuns(x, y);
        expect(d.resources).toEqual([]);
        expect(d.controls).toEqual([]);
      }
    });

    it('verifies all three; an edited index in the stored run@5 text does not verify', async () => {
      expect((await store.verify()).ok).toBe(true);
      const { text } = await storedText(ids.run5);
      const edited = text.replace(/"resources":\[(\d+)/, (_m, n: string) => `"resources":[${Number(n) + 1}`);
      expect(edited).not.toBe(text);
      const { gzipSync } = await import('node:zlib');
      await store.driver.write([], async (tx) => { await tx.run('UPDATE runs SET result = ? WHERE run_id = ?', [gzipSync(edited), ids.run5]); });
      const v = await store.verify();
      expect(v.ok).toBe(false);
      expect(v.problems.map((p) => p.runId)).toEqual([ids.run5]);
    });
  });
}

describe('fromWire leaves a run@3 result alone', () => {
  it('returns it unchanged', () => {
    const copy = structuredClone(FIXTURE);
    expect(fromWire(copy)).toEqual(FIXTURE);
  });
});
