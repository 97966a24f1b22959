import type {
  AppliedWaiver, Attestation, AutomationLevel, ClusterIdentity, FailInterval, OwnerRef, PeriodAttestation, PeriodCluster,
  PeriodControl, PeriodEvidenceGap, PeriodResult, PeriodSample, PeriodWaiver, PeriodWarnings, SamplingGap, SectionId, Severity, Status, StatusCounts, Verdict,
  VerdictThresholds,
} from '../model/index.js';
import { PERIOD_SCHEMA, SECTIONS, emptyCounts } from '../model/index.js';
import { endOf, startOf } from './dates.js';

/**
 * Period statistics (SOC 2 Type II): how each control operated over a window, computed from the
 * stored per-control rows and run metadata only — never from the full results. Pure: no I/O, no
 * clock (the caller passes `generatedAt`).
 */

/**
 * Defaults of the verdict rules. Strict on purpose: a control "operated effectively" only when
 * every decided sample passed (or was waived); any failure is an exception an auditor notes.
 */
export const DEFAULT_VERDICT_THRESHOLDS: VerdictThresholds = {
  effective: 1,
  exceptions: 0.9,
  minCoverage: 0.9,
  maxGapDays: 7,
};

export interface PeriodRunInput {
  runId: string;
  /** Time the evidence describes. */
  at: string;
  /** When the run was written to the store. */
  storedAt?: string;
  snapshotDigest?: string;
}

export interface PeriodRowInput {
  runId: string;
  controlId: string;
  /** Position of the control in its run (checklist order). */
  ordinal?: number;
  status: Status;
  /** Finding counts; `warn` is absent (0) for runs stored before warnings existed. */
  counts: StatusCounts & { warn?: number };
  waivers?: AppliedWaiver[];
  attestation?: Attestation;
  /** Recommended rules that warned in the run, with their finding counts. */
  warnRules?: Record<string, number>;
  /** Evidence the control did not read in the run. */
  missing?: string[];
  /** Key into `meta` of the cluster input. */
  meta: string;
}

export interface PeriodControlMeta {
  id: string;
  title: string;
  section: SectionId;
  sectionTitle: string;
  subheading: string;
  tsc: string[];
  owners: { primary: OwnerRef[]; supporting: OwnerRef[] };
  automation: AutomationLevel;
  severity: Severity;
}

export interface PeriodClusterInput {
  key: string;
  cluster: ClusterIdentity;
  runs: PeriodRunInput[];
  rows: PeriodRowInput[];
  meta: Record<string, PeriodControlMeta>;
}

export interface PeriodOptions {
  /** Window bounds: a date (YYYY-MM-DD, the whole day, UTC) or an ISO timestamp. */
  from: string;
  to: string;
  generatedAt: Date;
  toolVersion: string;
  thresholds?: Partial<VerdictThresholds>;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** A run stored more than this far from its evidence time is flagged (`scan --now`). */
const REDATED_MS = DAY;

const dayIndex = (ms: number) => Math.floor(ms / DAY);
const dayString = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
const round2 = (n: number) => Math.round(n * 100) / 100;
const pct = (r: number) => `${(Math.floor(r * 1000) / 10).toFixed(1)}%`;

export interface PeriodWindow {
  start: number;
  end: number;
  /** End of what could have been observed: the window's end, or `generatedAt` when earlier. */
  observedEnd: number;
  firstDay: number;
  lastDay: number;
  days: number;
}

/** The window in milliseconds and whole UTC days; throws RangeError on unreadable or reversed bounds. */
export function periodWindow(from: string, to: string, generatedAt: Date): PeriodWindow {
  const start = startOf(from);
  const end = endOf(to);
  if (Number.isNaN(start)) throw new RangeError(`"${from}" is not a date (YYYY-MM-DD) or an ISO timestamp`);
  if (Number.isNaN(end)) throw new RangeError(`"${to}" is not a date (YYYY-MM-DD) or an ISO timestamp`);
  if (end < start) throw new RangeError(`the window ends (${to}) before it starts (${from})`);
  const observedEnd = Math.min(end, generatedAt.getTime());
  const firstDay = dayIndex(start);
  const lastDay = dayIndex(observedEnd);
  const days = observedEnd < start ? 0 : lastDay - firstDay + 1;
  return { start, end, observedEnd, firstDay, lastDay, days };
}

/** Consecutive days of the window that are not in `covered`. */
export function missingDays(covered: ReadonlySet<number>, w: PeriodWindow): SamplingGap[] {
  const gaps: SamplingGap[] = [];
  if (w.days === 0) return gaps;
  let start: number | undefined;
  for (let d = w.firstDay; d <= w.lastDay + 1; d++) {
    const missing = d <= w.lastDay && !covered.has(d);
    if (missing && start === undefined) start = d;
    if (!missing && start !== undefined) {
      gaps.push({ from: dayString(start), to: dayString(d - 1), days: d - start });
      start = undefined;
    }
  }
  return gaps;
}

export function resolveThresholds(t: Partial<VerdictThresholds> | undefined): VerdictThresholds {
  const out = { ...DEFAULT_VERDICT_THRESHOLDS };
  for (const [k, v] of Object.entries(t ?? {}) as [keyof VerdictThresholds, number | undefined][]) if (v !== undefined) out[k] = v;
  return out;
}

/** Compute how every control of every cluster operated over the window. */
export function computePeriod(clusters: readonly PeriodClusterInput[], opts: PeriodOptions): PeriodResult {
  const w = periodWindow(opts.from, opts.to, opts.generatedAt);
  const thresholds = resolveThresholds(opts.thresholds);
  return {
    schema: PERIOD_SCHEMA,
    from: opts.from,
    to: opts.to,
    generatedAt: opts.generatedAt.toISOString(),
    tool: { name: 'eks-soc2', version: opts.toolVersion },
    thresholds,
    clusters: clusters.map((c) => periodCluster(c, w, thresholds)),
  };
}

interface Sample {
  run: PeriodRunInput;
  t: number;
  /** `t` as a normalised ISO string (computed once per run). */
  at: string;
  row: PeriodRowInput;
}

function periodCluster(input: PeriodClusterInput, w: PeriodWindow, th: VerdictThresholds): PeriodCluster {
  const runs = input.runs
    .map((r, i) => ({ r, i, t: Date.parse(r.at), at: '' }))
    .filter((x) => !Number.isNaN(x.t) && x.t >= w.start && x.t <= w.end)
    .sort((a, b) => a.t - b.t || a.i - b.i);
  for (const x of runs) x.at = new Date(x.t).toISOString();
  const runDays = new Set(runs.map((x) => dayIndex(x.t)).filter((d) => d >= w.firstDay && d <= w.lastDay));
  const redated = new Set(runs.filter((x) => x.r.storedAt && Math.abs(Date.parse(x.r.storedAt) - x.t) > REDATED_MS).map((x) => x.r.runId));

  // Rows by run (one lookup per row: rows of runs outside the window find no list), then samples by
  // control in run order (no sorting needed).
  const rowsByRun = new Map<string, PeriodRowInput[]>();
  for (const x of runs) if (!rowsByRun.has(x.r.runId)) rowsByRun.set(x.r.runId, []);
  for (const row of input.rows) rowsByRun.get(row.runId)?.push(row);
  const byControl = new Map<string, Sample[]>();
  for (const run of runs) {
    for (const row of rowsByRun.get(run.r.runId) ?? []) {
      const list = byControl.get(row.controlId);
      const s = { run: run.r, t: run.t, at: run.at, row };
      if (list) list.push(s);
      else byControl.set(row.controlId, [s]);
    }
  }
  const latestSample = new Map<string, Sample>();
  const sectionOrder = Object.keys(SECTIONS);
  const controls: PeriodControl[] = [];
  const latestMeta = new Map<string, PeriodControlMeta>();
  for (const [id, list] of byControl) {
    const latest = list[list.length - 1]!;
    latestSample.set(id, latest);
    const meta = input.meta[latest.row.meta] ?? fallbackMeta(id);
    latestMeta.set(id, meta);
    controls.push(periodControl(meta, list, w, th, redated));
  }
  const ordinal = (c: PeriodControl) => latestSample.get(c.id)?.row.ordinal ?? Number.MAX_SAFE_INTEGER;
  controls.sort((a, b) => {
    const sa = sectionOrder.indexOf(a.section);
    const sb = sectionOrder.indexOf(b.section);
    return (sa === -1 ? 99 : sa) - (sb === -1 ? 99 : sb) || ordinal(a) - ordinal(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });

  // Pass rate per section over time: one point per run, over the section's decided controls.
  const series = new Map<SectionId, { at: string; passRate: number }[]>();
  for (const { r, at } of runs) {
    const tally = new Map<SectionId, { ok: number; decided: number }>();
    for (const row of rowsByRun.get(r.runId) ?? []) {
      const section = (input.meta[row.meta] ?? latestMeta.get(row.controlId))?.section;
      if (!section) continue;
      const t = tally.get(section) ?? { ok: 0, decided: 0 };
      if (row.status === 'pass' || row.status === 'waived') { t.ok++; t.decided++; }
      else if (row.status === 'fail') t.decided++;
      tally.set(section, t);
    }
    for (const [section, t] of tally) {
      if (!t.decided) continue;
      const points = series.get(section) ?? [];
      points.push({ at, passRate: t.ok / t.decided });
      series.set(section, points);
    }
  }

  const summary: Record<Verdict, number> = { 'operated-effectively': 0, 'exceptions-noted': 0, 'not-operating': 0, 'insufficient-evidence': 0 };
  for (const c of controls) summary[c.verdict]++;
  const first = runs[0];
  const last = runs[runs.length - 1];
  return {
    cluster: input.cluster,
    key: input.key,
    runs: runs.length,
    ...(first ? { firstRun: first.r.at } : {}),
    ...(last ? { lastRun: last.r.at } : {}),
    coverage: w.days ? runDays.size / w.days : 0,
    samplingGaps: missingDays(runDays, w),
    sectionSeries: [...series].sort((a, b) => sectionOrder.indexOf(a[0]) - sectionOrder.indexOf(b[0])).map(([section, points]) => ({ section, points })),
    controls,
    summary,
    ...(redated.size ? { redatedRuns: redated.size } : {}),
  };
}

function fallbackMeta(id: string): PeriodControlMeta {
  const section = (id.split('-')[0] ?? 'CC3') as SectionId;
  return {
    id, title: id, section, sectionTitle: SECTIONS[section] ?? section, subheading: '', tsc: [],
    owners: { primary: [], supporting: [] }, automation: 'automated', severity: 'medium',
  };
}

function periodControl(meta: PeriodControlMeta, samples: Sample[], w: PeriodWindow, th: VerdictThresholds, redated: ReadonlySet<string>): PeriodControl {
  const statusCounts = emptyCounts();
  for (const s of samples) statusCounts[s.row.status]++;
  const decided = statusCounts.pass + statusCounts.waived + statusCounts.fail;
  const passRate = decided ? (statusCounts.pass + statusCounts.waived) / decided : 0;

  // Built field by field (no spread of optional parts): one sample per run and control, 22,630 a cluster-year.
  const timeline: PeriodSample[] = samples.map((s) => {
    const p: PeriodSample = { runId: s.run.runId, at: s.at, status: s.row.status };
    if (s.run.snapshotDigest) p.snapshotDigest = s.run.snapshotDigest;
    if (s.row.counts.fail > 0) p.failing = s.row.counts.fail;
    if (s.row.counts.warn) p.warnings = s.row.counts.warn;
    if (redated.size && s.run.storedAt && redated.has(s.run.runId)) p.storedAt = s.run.storedAt;
    return p;
  });

  // Fail intervals: from a failing sample to the next passing (or waived) one. Samples that decide
  // nothing (error, manual, not-applicable) neither extend what was seen nor close the interval.
  const failIntervals: FailInterval[] = [];
  let open: { first: Sample; last: Sample } | undefined;
  for (const s of samples) {
    if (s.row.status === 'fail') {
      if (open) open.last = s;
      else open = { first: s, last: s };
    } else if ((s.row.status === 'pass' || s.row.status === 'waived') && open) {
      failIntervals.push({
        firstSeen: open.first.at,
        lastSeen: open.last.at,
        fixedAt: s.at,
        durationHours: round2((s.t - open.first.t) / HOUR),
        open: false,
        firstRunId: open.first.run.runId,
        lastRunId: open.last.run.runId,
      });
      open = undefined;
    }
  }
  if (open) {
    failIntervals.push({
      firstSeen: open.first.at,
      lastSeen: open.last.at,
      durationHours: round2(Math.max(0, w.observedEnd - open.first.t) / HOUR),
      open: true,
      firstRunId: open.first.run.runId,
      lastRunId: open.last.run.runId,
    });
  }
  const closed = failIntervals.filter((i) => !i.open);
  const timeToRemediateHours = closed.length
    ? { mean: round2(closed.reduce((n, i) => n + i.durationHours, 0) / closed.length), max: Math.max(...closed.map((i) => i.durationHours)), count: closed.length }
    : undefined;

  // Waivers and attestations in force, with the samples they were seen in.
  const waivers = new Map<string, PeriodWaiver>();
  const attestations = new Map<string, PeriodAttestation>();
  for (const s of samples) {
    const at = s.at;
    for (const wv of s.row.waivers ?? []) {
      const cur = waivers.get(wv.id);
      if (cur) cur.lastSeen = at;
      else waivers.set(wv.id, { id: wv.id, reason: wv.reason, approvedBy: wv.approvedBy, expires: wv.expires, firstSeen: at, lastSeen: at });
    }
    const a = s.row.attestation;
    if (a) {
      const k = `${a.attestedBy}\u0000${a.date}\u0000${a.validUntil}\u0000${a.statement}`;
      if (!attestations.has(k)) {
        attestations.set(k, {
          attestedBy: a.attestedBy, statement: a.statement, date: a.date, validUntil: a.validUntil,
          ...(a.evidence ? { evidence: a.evidence } : {}),
          ...(a.sha256 ? { sha256: a.sha256 } : {}),
          coversWindow: startOf(a.date) <= w.start && endOf(a.validUntil) >= w.end,
        });
      }
    }
  }

  // Days of the window on which the control was actually tested (a decided sample).
  const testedDays = new Set<number>();
  for (const s of samples) {
    if (!isDecided(s.row.status)) continue;
    const d = dayIndex(s.t);
    if (d >= w.firstDay && d <= w.lastDay) testedDays.add(d);
  }
  const gaps = missingDays(testedDays, w);
  const longestGap = gaps.reduce((a, g) => (g.days > a.days ? g : a), { from: '', to: '', days: 0 });
  const coverage = w.days ? testedDays.size / w.days : 0;

  const warnings = warningsOf(samples);
  const evidenceGaps = evidenceGapsOf(samples);
  const decision = decide({ samples, statusCounts, decided, passRate, failIntervals, coverage, longestGap, w, th });
  const failingWithGaps = samples.filter((s) => s.row.status === 'fail' && s.row.missing?.length).length;
  // A failure proven on the evidence that was read is an exception whatever else was missing: say so.
  const reason = failingWithGaps
    ? `${decision.reason}; ${failingWithGaps} failing sample(s) failed on the evidence that was read while other evidence was not read (listed)`
    : decision.reason;
  const { verdict } = decision;
  return {
    id: meta.id,
    title: meta.title,
    section: meta.section,
    sectionTitle: meta.sectionTitle,
    subheading: meta.subheading,
    tsc: meta.tsc,
    owners: meta.owners,
    automation: meta.automation,
    severity: meta.severity,
    samples: samples.length,
    passRate,
    statusCounts,
    failIntervals,
    ...(timeToRemediateHours ? { timeToRemediateHours } : {}),
    waivers: [...waivers.values()],
    attestations: [...attestations.values()],
    verdict,
    verdictReason: reason,
    timeline,
    coverage,
    longestGapDays: longestGap.days,
    ...(warnings ? { warnings } : {}),
    ...(evidenceGaps.length ? { evidenceGaps } : {}),
  };
}

/** Warnings over the samples, by rule: observations only (the verdict never reads them). */
function warningsOf(samples: readonly Sample[]): PeriodWarnings | undefined {
  let withWarnings = 0;
  const rules = new Map<string, PeriodWarnings['rules'][number]>();
  for (const s of samples) {
    if (!s.row.counts.warn) continue;
    withWarnings++;
    for (const [rule, n] of Object.entries(s.row.warnRules ?? {})) {
      const r = rules.get(rule);
      if (r) {
        r.samples++;
        r.findings += n;
        r.lastSeen = s.at;
      } else {
        rules.set(rule, { rule, samples: 1, findings: n, firstSeen: s.at, lastSeen: s.at });
      }
    }
  }
  if (!withWarnings) return undefined;
  return { samples: withWarnings, rules: [...rules.values()].sort((a, b) => b.samples - a.samples || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)) };
}

/** Evidence not read, by what was missing, with the samples that still failed on what was read. */
function evidenceGapsOf(samples: readonly Sample[]): PeriodEvidenceGap[] {
  const gaps = new Map<string, PeriodEvidenceGap>();
  for (const s of samples) {
    for (const reason of s.row.missing ?? []) {
      const fail = s.row.status === 'fail' ? 1 : 0;
      const g = gaps.get(reason);
      if (g) {
        g.samples++;
        g.failing += fail;
        g.lastSeen = s.at;
        g.lastRunId = s.run.runId;
      } else {
        gaps.set(reason, { reason, samples: 1, failing: fail, firstSeen: s.at, lastSeen: s.at, firstRunId: s.run.runId, lastRunId: s.run.runId });
      }
    }
  }
  return [...gaps.values()].sort((a, b) => b.failing - a.failing || b.samples - a.samples);
}

function isDecided(s: Status): boolean {
  return s === 'pass' || s === 'waived' || s === 'fail';
}

function decide(x: {
  samples: Sample[]; statusCounts: StatusCounts; decided: number; passRate: number; failIntervals: FailInterval[];
  coverage: number; longestGap: SamplingGap; w: PeriodWindow; th: VerdictThresholds;
}): { verdict: Verdict; reason: string } {
  const { statusCounts: c, decided, passRate, th } = x;
  const n = x.samples.length;
  if (n === 0) return { verdict: 'insufficient-evidence', reason: 'no sample in the window' };
  if (decided === 0) {
    if (c['not-applicable'] === n) return { verdict: 'insufficient-evidence', reason: `not applicable in all ${n} samples: nothing in scope was tested` };
    if (c.manual >= c.error && c.manual > 0) return { verdict: 'insufficient-evidence', reason: `needs an attestation: none was in force in ${c.manual} of ${n} samples` };
    return { verdict: 'insufficient-evidence', reason: `evidence could not be collected in ${c.error} of ${n} samples (status error)` };
  }
  const open = x.failIntervals.find((i) => i.open);
  const fails = x.failIntervals.length;
  const rate = `pass rate ${pct(passRate)} (${c.pass + c.waived} of ${decided} decided samples)`;
  if (passRate < th.exceptions) {
    return { verdict: 'not-operating', reason: `${rate}, below the ${pct(th.exceptions)} needed for "exceptions noted"${open ? `; failing since ${open.firstSeen.slice(0, 10)}` : ''}` };
  }
  const undecided = n - decided;
  const note = undecided ? `; ${undecided} sample(s) decided nothing (${c.error ? `${c.error} error` : ''}${c.error && c.manual ? ', ' : ''}${c.manual ? `${c.manual} manual` : ''}${(c.error || c.manual) && c['not-applicable'] ? ', ' : ''}${c['not-applicable'] ? `${c['not-applicable']} not applicable` : ''})` : '';
  if (x.coverage < th.minCoverage) {
    return { verdict: 'insufficient-evidence', reason: `tested on ${Math.round(x.coverage * x.w.days)} of ${x.w.days} days (${pct(x.coverage)}), below the ${pct(th.minCoverage)} minimum${note}` };
  }
  if (x.longestGap.days > th.maxGapDays) {
    return { verdict: 'insufficient-evidence', reason: `not tested for ${x.longestGap.days} consecutive days (${x.longestGap.from} to ${x.longestGap.to}), more than the ${th.maxGapDays}-day maximum${note}` };
  }
  if (passRate >= th.effective && !open) {
    return { verdict: 'operated-effectively', reason: fails ? `${rate}; ${fails} failure interval(s), all remediated${note}` : `passed every decided sample (${decided})${note}` };
  }
  return {
    verdict: 'exceptions-noted',
    reason: `${rate}; ${fails} failure interval(s)${open ? `, still failing since ${open.firstSeen.slice(0, 10)}` : ', all remediated'}${note}`,
  };
}
