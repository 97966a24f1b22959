// The seeded year stored through each back end: the period report computed from the store's
// per-control rows matches the hand-computed figures, each sample links to a stored run and its
// snapshot, and the renderers draw it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeriodResult } from '../../src/model/index.js';
import { computePeriod } from '../../src/engine/period.js';
import type { EvidenceStore } from '../../src/store/index.js';
import { sha256Digest } from '../../src/store/index.js';
import { renderPeriodTerminal } from '../../src/report/period-terminal.js';
import { PERIOD_FORMATS, parsePeriodFormats, renderPeriodJson } from '../../src/cli/period-output.js';
import { backends } from './backends.js';
import { CLUSTER_KEY, fakeRun } from './fake.js';
import { YEAR, runAt, yearControls, yearDays } from './year.js';

for (const { backend: b, skip } of backends('period')) {
  describe.skipIf(skip)(`period report from a stored year (${b.name})`, () => {
    let store: EvidenceStore;
    let period: PeriodResult;
    const ids = new Map<string, string>();

    beforeAll(async () => {
      await b.setup();
      store = await b.open('write');
      for (const d of yearDays()) {
        const at = runAt(d);
        const { run, snapshot } = fakeRun(at, yearControls(d));
        const r = await store.appendRun(run, snapshot, { at, storedAt: at });
        ids.set(d, r.runId);
      }
      const cluster = (await store.clusters())[0]!;
      const data = await store.periodData(CLUSTER_KEY, '2025-01-01T00:00:00.000Z', '2025-12-31T23:59:59.999Z');
      period = computePeriod([{ key: cluster.key, cluster: cluster.cluster, ...data }], { ...YEAR, toolVersion: 'test' });
    }, 600_000);
    afterAll(async () => {
      await store?.close();
      await b.teardown();
    });

    it('matches the hand-computed figures', () => {
      const cl = period.clusters[0]!;
      expect(cl.runs).toBe(361);
      expect(cl.coverage).toBeCloseTo(361 / 365, 12);
      expect(cl.samplingGaps).toEqual([{ from: '2025-03-10', to: '2025-03-12', days: 3 }, { from: '2025-08-01', to: '2025-08-01', days: 1 }]);
      expect(cl.summary).toEqual({ 'operated-effectively': 3, 'exceptions-noted': 3, 'not-operating': 1, 'insufficient-evidence': 4 });
      expect(cl.controls.map((c) => `${c.id}:${c.verdict}`)).toEqual([
        'CC5-A-01:operated-effectively', 'CC5-B-01:exceptions-noted', 'CC6-C-01:exceptions-noted', 'CC6-D-01:not-operating',
        'CC7-E-01:insufficient-evidence', 'CC7-F-01:insufficient-evidence', 'CC8-G-01:operated-effectively', 'CC8-H-01:operated-effectively',
        'CC9-I-01:insufficient-evidence', 'CC9-J-01:insufficient-evidence', 'P1-K-01:exceptions-noted',
      ]);
      const bCtl = cl.controls.find((c) => c.id === 'CC5-B-01')!;
      expect(bCtl.passRate).toBeCloseTo(353 / 361, 12);
      expect(bCtl.failIntervals.map((i) => [i.firstSeen.slice(0, 10), i.lastSeen.slice(0, 10), i.fixedAt?.slice(0, 10), i.durationHours])).toEqual([
        ['2025-02-10', '2025-02-12', '2025-02-13', 72], ['2025-06-01', '2025-06-05', '2025-06-06', 120],
      ]);
      expect(bCtl.failIntervals[0]!.firstRunId).toBe(ids.get('2025-02-10'));
      expect(bCtl.timeToRemediateHours).toEqual({ mean: 96, max: 120, count: 2 });
      const c = cl.controls.find((x) => x.id === 'CC6-C-01')!;
      expect(c.failIntervals).toEqual([expect.objectContaining({ open: true, durationHours: 286 })]);
      expect(cl.controls.find((x) => x.id === 'CC8-G-01')!.waivers).toEqual([expect.objectContaining({ id: 'W-1', firstSeen: '2025-09-01T02:00:00.000Z', lastSeen: '2025-09-30T02:00:00.000Z' })]);
      expect(cl.controls.find((x) => x.id === 'CC8-H-01')!.attestations.map((a) => a.coversWindow)).toEqual([true, false]);
    });

    it('links every sample to a stored run and its snapshot, so the test can be re-performed', async () => {
      const sample = period.clusters[0]!.controls.find((x) => x.id === 'CC6-D-01')!.timeline.find((s) => s.at.startsWith('2025-04-15'))!;
      expect(sample.status).toBe('fail');
      expect(sample.runId).toBe(ids.get('2025-04-15'));
      const info = await store.findRun(sample.runId);
      expect(info?.snapshotDigest).toBe(sample.snapshotDigest);
      const snap = await store.loadSnapshot(sample.snapshotDigest!);
      expect(sha256Digest(JSON.stringify(snap))).toBe(sample.snapshotDigest);
      const result = await store.loadResult(sample.runId);
      expect(result.controls.find((x) => x.id === 'CC6-D-01')?.status).toBe('fail');
    });

    it('the store verifies after a year of runs', async () => {
      const v = await store.verify();
      expect(v.ok).toBe(true);
      expect(v.runsChecked).toBe(361);
    });

    it('renders for a terminal and as JSON', async () => {
      const lines: string[] = [];
      renderPeriodTerminal(period, { color: false }, (l) => lines.push(l));
      const text = lines.join('\n');
      expect(text).toContain('period report 2025-01-01 → 2025-12-31');
      expect(text).toContain('pass rate ≥ 100.0%');
      expect(text).toContain('3 operated effectively, 3 exceptions noted, 1 not operating, 4 insufficient evidence');
      expect(text).toMatch(/EXCEPTIONS\s+CC5-B-01/);
      expect(text).toContain('failed 2025-02-10 02:00 → 2025-02-12 02:00, fixed 2025-02-13 02:00 (3 d)');
      expect(text).toContain('still failing (11.9 d so far)');
      expect(text).toContain('waiver W-1: vendor image, fix due in October (approved by ciso@example.com, expires 2025-10-15; in force 2025-09-01 → 2025-09-30)');
      expect(text).toContain('days without a run: 4 in 2 gap(s); longest: 2025-03-10 → 2025-03-12 (3 days), 2025-08-01');
      const quiet: string[] = [];
      renderPeriodTerminal(period, { color: false, quiet: true }, (l) => quiet.push(l));
      expect(quiet.join('\n')).not.toContain('CC5-A-01');

      let json = '';
      renderPeriodJson(period, (s) => { json += s; });
      expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(period)));
      expect(parsePeriodFormats('terminal,json')).toEqual(['terminal', 'json']);
      expect(() => parsePeriodFormats('pdfx')).toThrow(/unknown period report format "pdfx"/);
      const f = await PERIOD_FORMATS.json!();
      expect(f.ext).toBe('json');
    });
  });
}

describe('period terminal rendering', () => {
  it('escapes cluster-supplied text', () => {
    const p: PeriodResult = {
      schema: 'eks-soc2/period@1', from: '2025-01-01', to: '2025-01-02', generatedAt: '2025-01-03T00:00:00.000Z',
      tool: { name: 'eks-soc2', version: 'test' }, thresholds: { effective: 1, exceptions: 0.9, minCoverage: 0.9, maxGapDays: 7 },
      clusters: [{
        cluster: { name: 'evil\u001b[31mred\u202e' }, key: 'k', runs: 0, coverage: 0, samplingGaps: [], sectionSeries: [], controls: [],
        summary: { 'operated-effectively': 0, 'exceptions-noted': 0, 'not-operating': 0, 'insufficient-evidence': 0 },
      }],
    };
    const lines: string[] = [];
    renderPeriodTerminal(p, { color: false }, (l) => lines.push(l));
    const text = lines.join('\n');
    expect(text).not.toContain('\u001b[31m');
    expect(text).not.toContain('\u202e');
    expect(text).toContain('evil\\u001b[31mred\\u202e');
    expect(text).toContain('no run in this window');
  });
});
