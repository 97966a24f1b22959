import { describe, expect, it } from 'vitest';
import type { PeriodControl, PeriodResult } from '../../src/model/index.js';
import type { PeriodClusterInput, PeriodRowInput } from '../../src/engine/period.js';
import { DEFAULT_VERDICT_THRESHOLDS, computePeriod, missingDays, periodWindow } from '../../src/engine/period.js';
import { CLUSTER, CLUSTER_KEY, fakeControl } from '../store/fake.js';
import type { FakeControl } from '../store/fake.js';
import { ATTESTATION_1, ATTESTATION_2, WAIVER, YEAR, runAt, yearControls, yearDays } from '../store/year.js';

/** The period input as the store would return it, built straight from the seeded year. */
function input(days: string[], controlsOf: (d: string) => FakeControl[] = yearControls): PeriodClusterInput {
  const runs = days.map((d) => ({ runId: `run-${d}`, at: runAt(d).toISOString(), storedAt: runAt(d).toISOString(), snapshotDigest: `sha256:${d}` }));
  const rows: PeriodRowInput[] = [];
  const meta: PeriodClusterInput['meta'] = {};
  for (const d of days) {
    controlsOf(d).forEach((fc, ordinal) => {
      const c = fakeControl(fc);
      meta[`m-${c.id}`] = { id: c.id, title: c.title, section: c.section, sectionTitle: c.sectionTitle, subheading: c.subheading, tsc: c.tsc, owners: c.owners, automation: c.automation, severity: c.severity };
      rows.push({
        runId: `run-${d}`, controlId: c.id, ordinal, status: c.status, counts: c.counts, meta: `m-${c.id}`,
        ...(c.waivers.length ? { waivers: c.waivers } : {}),
        ...(fc.attestation ? { attestation: fc.attestation } : {}),
      });
    });
  }
  return { key: CLUSTER_KEY, cluster: CLUSTER, runs, rows, meta };
}

const year = (thresholds = {}): PeriodResult => computePeriod([input(yearDays())], { ...YEAR, toolVersion: 'test', thresholds });
const control = (p: PeriodResult, id: string): PeriodControl => {
  const c = p.clusters[0]!.controls.find((x) => x.id === id);
  if (!c) throw new Error(`no ${id}`);
  return c;
};

describe('period over a seeded year of daily runs', () => {
  const p = year();
  const cl = p.clusters[0]!;

  it('describes the window, thresholds and sampling', () => {
    expect(p.schema).toBe('eks-soc2/period@1');
    expect(p.thresholds).toEqual(DEFAULT_VERDICT_THRESHOLDS);
    expect(p.generatedAt).toBe('2026-01-05T00:00:00.000Z');
    expect(cl.runs).toBe(361);
    expect(cl.firstRun).toBe('2025-01-01T02:00:00.000Z');
    expect(cl.lastRun).toBe('2025-12-31T02:00:00.000Z');
    expect(cl.coverage).toBeCloseTo(361 / 365, 12);
    expect(cl.samplingGaps).toEqual([
      { from: '2025-03-10', to: '2025-03-12', days: 3 },
      { from: '2025-08-01', to: '2025-08-01', days: 1 },
    ]);
    expect(cl.redatedRuns).toBeUndefined();
    expect(cl.summary).toEqual({ 'operated-effectively': 3, 'exceptions-noted': 3, 'not-operating': 1, 'insufficient-evidence': 4 });
    expect(cl.controls.map((c) => c.id)).toEqual(['CC5-A-01', 'CC5-B-01', 'CC6-C-01', 'CC6-D-01', 'CC7-E-01', 'CC7-F-01', 'CC8-G-01', 'CC8-H-01', 'CC9-I-01', 'CC9-J-01', 'P1-K-01']);
  });

  it('a control that always passed operated effectively', () => {
    const a = control(p, 'CC5-A-01');
    expect(a.samples).toBe(361);
    expect(a.passRate).toBe(1);
    expect(a.failIntervals).toEqual([]);
    expect(a.timeToRemediateHours).toBeUndefined();
    expect(a.coverage).toBeCloseTo(361 / 365, 12);
    expect(a.longestGapDays).toBe(3);
    expect(a.verdict).toBe('operated-effectively');
    expect(a.verdictReason).toBe('passed every decided sample (361)');
    expect(a.timeline).toHaveLength(361);
    expect(a.timeline[0]).toEqual({ runId: 'run-2025-01-01', at: '2025-01-01T02:00:00.000Z', status: 'pass', snapshotDigest: 'sha256:2025-01-01' });
  });

  it('two remediated failures: intervals, durations, time to remediate, exceptions noted', () => {
    const b = control(p, 'CC5-B-01');
    expect(b.statusCounts).toMatchObject({ pass: 353, fail: 8 });
    expect(b.passRate).toBeCloseTo(353 / 361, 12);
    expect(b.failIntervals).toEqual([
      { firstSeen: '2025-02-10T02:00:00.000Z', lastSeen: '2025-02-12T02:00:00.000Z', fixedAt: '2025-02-13T02:00:00.000Z', durationHours: 72, open: false, firstRunId: 'run-2025-02-10', lastRunId: 'run-2025-02-12' },
      { firstSeen: '2025-06-01T02:00:00.000Z', lastSeen: '2025-06-05T02:00:00.000Z', fixedAt: '2025-06-06T02:00:00.000Z', durationHours: 120, open: false, firstRunId: 'run-2025-06-01', lastRunId: 'run-2025-06-05' },
    ]);
    expect(b.timeToRemediateHours).toEqual({ mean: 96, max: 120, count: 2 });
    expect(b.verdict).toBe('exceptions-noted');
    expect(b.verdictReason).toBe('pass rate 97.7% (353 of 361 decided samples); 2 failure interval(s), all remediated');
    expect(b.timeline.find((s) => s.runId === 'run-2025-02-11')).toMatchObject({ status: 'fail', failing: 1 });
  });

  it('a failure still open at the end of the window lasts until the window ends', () => {
    const c = control(p, 'CC6-C-01');
    expect(c.statusCounts.fail).toBe(12);
    expect(c.passRate).toBeCloseTo(349 / 361, 12);
    // 2025-12-20T02:00 → 2025-12-31T23:59:59.999: 11 days, 21 h 59 min 59.999 s.
    expect(c.failIntervals).toEqual([
      { firstSeen: '2025-12-20T02:00:00.000Z', lastSeen: '2025-12-31T02:00:00.000Z', durationHours: 286, open: true, firstRunId: 'run-2025-12-20', lastRunId: 'run-2025-12-31' },
    ]);
    expect(c.timeToRemediateHours).toBeUndefined();
    expect(c.verdict).toBe('exceptions-noted');
    expect(c.verdictReason).toContain('still failing since 2025-12-20');
  });

  it('sixty failing days: not operating', () => {
    const d = control(p, 'CC6-D-01');
    expect(d.statusCounts.fail).toBe(60);
    expect(d.passRate).toBeCloseTo(301 / 361, 12);
    expect(d.failIntervals).toHaveLength(1);
    expect(d.failIntervals[0]).toMatchObject({ firstSeen: '2025-04-01T02:00:00.000Z', lastSeen: '2025-05-30T02:00:00.000Z', fixedAt: '2025-05-31T02:00:00.000Z', durationHours: 1440 });
    expect(d.verdict).toBe('not-operating');
    expect(d.verdictReason).toBe('pass rate 83.3% (301 of 361 decided samples), below the 90.0% needed for "exceptions noted"');
  });

  it('twenty days of collection errors are a gap in testing: insufficient evidence', () => {
    const e = control(p, 'CC7-E-01');
    expect(e.statusCounts).toMatchObject({ pass: 341, error: 20 });
    expect(e.passRate).toBe(1);
    expect(e.coverage).toBeCloseTo(341 / 365, 12);
    expect(e.longestGapDays).toBe(20);
    expect(e.verdict).toBe('insufficient-evidence');
    expect(e.verdictReason).toBe('not tested for 20 consecutive days (2025-07-01 to 2025-07-20), more than the 7-day maximum; 20 sample(s) decided nothing (20 error)');
  });

  it('manual without attestation, not applicable, and late-added controls lack evidence', () => {
    const f = control(p, 'CC7-F-01');
    expect(f.verdict).toBe('insufficient-evidence');
    expect(f.verdictReason).toBe('needs an attestation: none was in force in 361 of 361 samples');
    expect(f.passRate).toBe(0);
    const j = control(p, 'CC9-J-01');
    expect(j.verdict).toBe('insufficient-evidence');
    expect(j.verdictReason).toBe('not applicable in all 361 samples: nothing in scope was tested');
    const i = control(p, 'CC9-I-01');
    expect(i.samples).toBe(61);
    expect(i.coverage).toBeCloseTo(61 / 365, 12);
    expect(i.longestGapDays).toBe(304);
    expect(i.verdict).toBe('insufficient-evidence');
    expect(i.verdictReason).toBe('tested on 61 of 365 days (16.7%), below the 90.0% minimum');
  });

  it('waivers and attestations in force, with when they were seen', () => {
    const g = control(p, 'CC8-G-01');
    expect(g.statusCounts).toMatchObject({ pass: 331, waived: 30 });
    expect(g.passRate).toBe(1);
    expect(g.verdict).toBe('operated-effectively');
    expect(g.waivers).toEqual([{ ...WAIVER, firstSeen: '2025-09-01T02:00:00.000Z', lastSeen: '2025-09-30T02:00:00.000Z' }]);
    const h = control(p, 'CC8-H-01');
    expect(h.attestations).toEqual([
      { attestedBy: ATTESTATION_1.attestedBy, statement: ATTESTATION_1.statement, date: '2024-12-15', validUntil: '2026-01-31', evidence: ATTESTATION_1.evidence, coversWindow: true },
      { attestedBy: ATTESTATION_2.attestedBy, statement: ATTESTATION_2.statement, date: '2025-07-01', validUntil: '2026-06-30', coversWindow: false },
    ]);
  });

  it('an error sample inside a failure does not split the interval', () => {
    const k = control(p, 'P1-K-01');
    expect(k.statusCounts).toMatchObject({ pass: 358, fail: 2, error: 1 });
    expect(k.passRate).toBeCloseTo(358 / 360, 12);
    expect(k.failIntervals).toEqual([
      { firstSeen: '2025-10-01T02:00:00.000Z', lastSeen: '2025-10-03T02:00:00.000Z', fixedAt: '2025-10-04T02:00:00.000Z', durationHours: 72, open: false, firstRunId: 'run-2025-10-01', lastRunId: 'run-2025-10-03' },
    ]);
    expect(k.verdict).toBe('exceptions-noted');
  });

  it('section series: one point per run over the section\'s decided controls', () => {
    const cc5 = cl.sectionSeries.find((s) => s.section === 'CC5')!;
    expect(cc5.points).toHaveLength(361);
    expect(cc5.points.find((x) => x.at === '2025-02-10T02:00:00.000Z')?.passRate).toBe(0.5);
    expect(cc5.points[0]).toEqual({ at: '2025-01-01T02:00:00.000Z', passRate: 1 });
    const cc9 = cl.sectionSeries.find((s) => s.section === 'CC9')!;
    expect(cc9.points).toHaveLength(61); // CC9-J-01 is never decided; CC9-I-01 exists from November
    expect(cl.sectionSeries.map((s) => s.section)).toEqual(['CC5', 'CC6', 'CC7', 'CC8', 'CC9', 'P1']);
  });

  it('thresholds change the verdicts', () => {
    const lenient = year({ effective: 0.95, maxGapDays: 30 });
    expect(lenient.thresholds).toEqual({ effective: 0.95, exceptions: 0.9, minCoverage: 0.9, maxGapDays: 30 });
    expect(control(lenient, 'CC5-B-01').verdict).toBe('operated-effectively');
    expect(control(lenient, 'CC5-B-01').verdictReason).toBe('pass rate 97.7% (353 of 361 decided samples); 2 failure interval(s), all remediated');
    expect(control(lenient, 'CC6-C-01').verdict).toBe('exceptions-noted'); // open at the end
    expect(control(lenient, 'P1-K-01').verdict).toBe('operated-effectively');
    expect(control(lenient, 'CC7-E-01').verdict).toBe('operated-effectively');
    expect(control(lenient, 'CC6-D-01').verdict).toBe('not-operating');
    const strictRate = year({ exceptions: 0.98 });
    expect(control(strictRate, 'CC5-B-01').verdict).toBe('not-operating');
    const sparse = year({ minCoverage: 0.1, maxGapDays: 400 });
    expect(control(sparse, 'CC9-I-01').verdict).toBe('operated-effectively');
  });
});

describe('period windows', () => {
  it('a sub-window counts only its own samples', () => {
    const p = computePeriod([input(yearDays())], { from: '2025-02-01', to: '2025-02-28', generatedAt: YEAR.generatedAt, toolVersion: 'test' });
    const b = control(p, 'CC5-B-01');
    expect(p.clusters[0]!.runs).toBe(28);
    expect(b.samples).toBe(28);
    expect(b.passRate).toBeCloseTo(25 / 28, 12);
    expect(b.failIntervals).toHaveLength(1);
    expect(b.verdict).toBe('not-operating'); // 89.2 % < 90 %
    expect(p.clusters[0]!.samplingGaps).toEqual([]);
  });

  it('a window that has not ended yet is measured up to generatedAt', () => {
    const days = yearDays().filter((d) => d <= '2025-12-25');
    const p = computePeriod([input(days)], { from: '2025-12-01', to: '2026-06-30', generatedAt: new Date('2025-12-25T12:00:00Z'), toolVersion: 'test' });
    const cl = p.clusters[0]!;
    expect(cl.coverage).toBe(1);
    expect(cl.samplingGaps).toEqual([]);
    const c = control(p, 'CC6-C-01');
    expect(c.failIntervals).toEqual([expect.objectContaining({ open: true, durationHours: 130 })]);
  });

  it('a cluster with no run in the window has full-window gaps and no controls', () => {
    const p = computePeriod([{ key: 'k', cluster: {}, runs: [], rows: [], meta: {} }], { from: '2025-01-01', to: '2025-01-10', generatedAt: YEAR.generatedAt, toolVersion: 'test' });
    expect(p.clusters[0]).toMatchObject({ runs: 0, coverage: 0, samplingGaps: [{ from: '2025-01-01', to: '2025-01-10', days: 10 }], controls: [] });
  });

  it('flags runs stored far from the time their evidence describes', () => {
    const inp = input(['2025-01-01', '2025-01-02']);
    inp.runs[1]!.storedAt = '2025-03-01T00:00:00.000Z';
    const p = computePeriod([inp], { from: '2025-01-01', to: '2025-01-02', generatedAt: YEAR.generatedAt, toolVersion: 'test' });
    expect(p.clusters[0]!.redatedRuns).toBe(1);
    expect(control(p, 'CC5-A-01').timeline[1]!.storedAt).toBe('2025-03-01T00:00:00.000Z');
    expect(control(p, 'CC5-A-01').timeline[0]!.storedAt).toBeUndefined();
  });

  it('rejects unreadable or reversed bounds', () => {
    expect(() => periodWindow('2025-13-01', '2025-12-31', new Date())).toThrow(RangeError);
    expect(() => periodWindow('2025-02-01', '2025-01-01', new Date())).toThrow(/ends .* before it starts/);
  });

  it('missingDays groups consecutive uncovered days', () => {
    const w = periodWindow('2025-01-01', '2025-01-07', new Date('2026-01-01T00:00:00Z'));
    const day = (s: string) => Math.floor(Date.parse(`${s}T00:00:00Z`) / 86_400_000);
    expect(missingDays(new Set([day('2025-01-02'), day('2025-01-05')]), w)).toEqual([
      { from: '2025-01-01', to: '2025-01-01', days: 1 },
      { from: '2025-01-03', to: '2025-01-04', days: 2 },
      { from: '2025-01-06', to: '2025-01-07', days: 2 },
    ]);
  });
});
