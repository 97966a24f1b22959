// A store written by eks-soc2 before warnings existed (store schema 1, runs of report schema run@1;
// fixtures/legacy-v1) on each back end: read-only it opens without being migrated, and its runs load
// in the run@2 shape, diff, render in every format and verify; opened for writing it is migrated to
// the current schema, verifies unchanged, and takes new run@2 runs beside the old ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/model/index.js';
import { defaultConfig } from '../../src/model/index.js';
import type { EvidenceStore } from '../../src/store/index.js';
import { SCHEMA_VERSION, diffRuns, sha256Digest } from '../../src/store/index.js';
import { computePeriod } from '../../src/engine/period.js';
import { evaluate } from '../../src/engine/index.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { renderJson } from '../../src/report/json.js';
import { renderCsv } from '../../src/report/csv.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderHtml } from '../../src/report/html.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderOscal } from '../../src/report/oscal.js';
import { capture } from '../report/fixtures.js';
import { backends } from './backends.js';
import { LEGACY_V1, loadLegacyV1 } from './fixtures/legacy-v1/load.js';

const KEY = String(LEGACY_V1.clusters![0]!.cluster_key);

async function renderAll(run: RunResult): Promise<Record<string, string>> {
  const terminal: string[] = [];
  renderTerminal(run, { color: false }, (l) => terminal.push(l));
  return {
    terminal: terminal.join('\n'),
    json: await capture((w) => renderJson(run, w)),
    csv: await capture((w) => renderCsv(run, w)),
    markdown: await capture((w) => renderMarkdown(run, w)),
    html: await capture((w) => renderHtml(run, w)),
    sarif: await capture((w) => renderSarif(run, w)),
    junit: await capture((w) => renderJunit(run, w, { perFinding: true })),
    oscal: await capture((w) => renderOscal(run, w)),
  };
}

for (const { backend: b, skip } of backends('legacy')) {
  describe.skipIf(skip)(`a store written before warnings existed (${b.name})`, () => {
    beforeAll(async () => {
      await b.setup();
      await loadLegacyV1(b.target());
    }, 60_000);
    afterAll(async () => { await b.teardown(); });

    describe('read-only, not migrated', () => {
      let store: EvidenceStore;
      beforeAll(async () => { store = await b.open('read'); });
      afterAll(async () => { await store?.close(); });

      it('opens at schema 1 without writing anything', async () => {
        expect(store.schemaVersion).toBe(1);
        expect((await store.driver.all('SELECT MAX(version) AS v FROM schema_version')).map((r) => Number(r.v))).toEqual([1]);
      });

      it('lists the runs (no warnings) and loads each in the run@2 shape, its stored digest untouched', async () => {
        const runs = await store.runs();
        expect(runs).toHaveLength(2);
        expect(runs.every((r) => r.findings.warn === 0)).toBe(true);
        for (const info of runs) {
          const run = await store.loadResult(info.runId);
          expect(run.schema).toBe('eks-soc2/run@1');
          expect(run.summary.controlsWithWarnings).toBe(0);
          expect(run.summary.findings.warn).toBe(0);
          for (const c of run.controls) {
            expect(c.counts.warn).toBe(0);
            expect(c.systemCounts.warn).toBe(0);
            expect(c.rules).toEqual([]);
            expect(c.unevaluated).toEqual([]);
          }
          const row = LEGACY_V1.runs!.find((r) => r.run_id === info.runId)!;
          expect(String(row.result_digest)).toMatch(/^sha256:/);
        }
      });

      it('verifies: the chain, the records and the per-control rows recomputed from the run@1 results', async () => {
        const v = await store.verify();
        expect(v.problems).toEqual([]);
        expect(v.ok).toBe(true);
        expect(v.runsChecked).toBe(2);
      });

      it('diffs its two runs and renders each in every format', async () => {
        const [a, c] = await store.runs();
        const [ra, rc] = [await store.loadResult(a!.runId), await store.loadResult(c!.runId)];
        const d = diffRuns(ra, rc);
        expect(d.summary.resources.fixed).toBeGreaterThan(0);
        expect(d.resources.some((x) => x.change === 'fixed' && x.resource.name === 'checkout')).toBe(true);
        const out = await renderAll(rc);
        expect(JSON.parse(out.json!).schema).toBe('eks-soc2/run@1');
        expect(out.terminal).toMatch(/findings: \d+ pass, \d+ fail, 0 warn/);
        for (const [format, text] of Object.entries(out)) expect(text.length, format).toBeGreaterThan(100);
      });

      it('computes a period from its rows (no warnings, no evidence gaps recorded)', async () => {
        const data = await store.periodData(KEY, '2026-03-01T00:00:00.000Z', '2026-03-02T23:59:59.999Z');
        expect(data.rows.every((r) => r.counts.warn === 0 && !r.warnRules && !r.missing)).toBe(true);
        const p = computePeriod([{ key: KEY, cluster: (await store.clusters())[0]!.cluster, ...data }], {
          from: '2026-03-01', to: '2026-03-02', generatedAt: new Date('2026-03-03T00:00:00Z'), toolVersion: 'test',
        });
        expect(p.clusters[0]!.controls.length).toBeGreaterThan(10);
        expect(p.clusters[0]!.controls.every((c) => c.warnings === undefined)).toBe(true);
      });
    });

    describe('opened for writing: migrated, then a run@2 beside the run@1 runs', () => {
      let store: EvidenceStore;
      beforeAll(async () => { store = await b.open('write'); });
      afterAll(async () => { await store?.close(); });

      it('is migrated to the current schema and still verifies, its stored records and results unchanged', async () => {
        expect(store.schemaVersion).toBe(SCHEMA_VERSION);
        const versions = (await store.driver.all('SELECT version FROM schema_version ORDER BY version')).map((r) => Number(r.version));
        expect(versions).toEqual(Array.from({ length: SCHEMA_VERSION }, (_v, i) => i + 1));
        const rows = await store.driver.all('SELECT run_id, record, record_hash, findings_warn FROM runs ORDER BY seq');
        for (const r of rows) {
          const old = LEGACY_V1.runs!.find((x) => x.run_id === r.run_id)!;
          expect(r.record).toBe(old.record);
          expect(sha256Digest(String(r.record))).toBe(r.record_hash);
          expect(r.findings_warn).toBeNull();
        }
        const n = await store.driver.all('SELECT COUNT(*) AS n FROM control_results WHERE n_warn <> 0 OR warn_rules IS NOT NULL OR missing IS NOT NULL');
        expect(Number(n[0]!.n)).toBe(0);
        expect((await store.verify()).problems).toEqual([]);
        // The new columns are covered too: a warning count written into an old row is an edit.
        const runId = String(LEGACY_V1.runs![0]!.run_id);
        await store.driver.run("UPDATE control_results SET n_warn = 5 WHERE run_id = ? AND control_id = 'CC5-HARD-03'", [runId]);
        expect((await store.verify()).problems.map((p) => p.message)).toEqual([expect.stringMatching(/per-control rows were edited: CC5-HARD-03 \(n_warn\)/)]);
        await store.driver.run("UPDATE control_results SET n_warn = 0 WHERE run_id = ? AND control_id = 'CC5-HARD-03'", [runId]);
      });

      it('appends a run@2 to the same chain; verify, history and a diff across the two schemas hold', async () => {
        const [, last] = await store.runs();
        const old = await store.loadResult(last!.runId);
        const snap = await store.loadSnapshot(last!.snapshotDigest);
        const at = new Date('2026-03-03T06:00:00.000Z');
        const { catalog } = await import('../../src/catalog/index.js');
        const run = evaluate(snap, catalog, { config: defaultConfig(), toolVersion: 'test', catalogVersion: 'test', now: at, sections: ['CC5', 'P1'] });
        const stored = await store.appendRun(run, snap, { at, storedAt: at });
        expect(stored.seq).toBe(3);
        expect(stored.prevHash).toBe(last!.hash);
        const v = await store.verify();
        expect(v.problems).toEqual([]);
        const runs = await store.runs();
        expect(runs.map((r) => r.findings.warn)).toEqual([0, 0, run.summary.findings.warn]);
        const record = JSON.parse(String((await store.driver.all('SELECT record FROM runs WHERE run_id = ?', [stored.runId]))[0]!.record)) as { schema: string; findings: { warn?: number } };
        expect(record.schema).toBe('eks-soc2/run-record@3');
        expect(record.findings.warn).toBe(run.summary.findings.warn);
        const d = diffRuns(old, await store.loadResult(stored.runId));
        expect(d.from.catalogVersion).not.toBe(d.to.catalogVersion);
      });
    });
  });
}
