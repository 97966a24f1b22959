import type { AutomationLevel, Severity, Status, StatusCounts } from './index.js';
import type { ClusterIdentity } from './snapshot.js';
import type { OwnerRef } from './result.js';
import type { SectionId } from './control.js';

/**
 * How each control operated over an audit window (SOC 2 Type II), computed from the stored runs of
 * one or more clusters. Renderers draw it; they never recompute it.
 */
export const PERIOD_SCHEMA = 'eks-soc2/period@1' as const;

export type Verdict = 'operated-effectively' | 'exceptions-noted' | 'not-operating' | 'insufficient-evidence';

export interface VerdictThresholds {
  /** Pass rate (0–1) at or above which a control with no open failure "operated effectively". */
  effective: number;
  /** Pass rate at or above which failures are "exceptions noted" rather than "not operating". */
  exceptions: number;
  /** Minimum share (0–1) of days in the window that must have a sample. */
  minCoverage: number;
  /** Longest run of days without a sample that is tolerated. */
  maxGapDays: number;
}

/** One sample of a control: the run it came from, so an auditor can re-perform the test. */
export interface PeriodSample {
  runId: string;
  at: string;
  status: Status;
  snapshotDigest?: string;
  failing?: number;
  /** Warning findings (failed recommended rules) in the sample, when any: observations, not exceptions. */
  warnings?: number;
  /** When the run was written to the store, given only when it is more than a day away from `at` (a run stored with `scan --now`). */
  storedAt?: string;
}

/** A stretch of consecutive samples in which the control failed. */
export interface FailInterval {
  firstSeen: string;
  lastSeen: string;
  /** First passing sample after the interval, when it was fixed within the window. */
  fixedAt?: string;
  /** Hours from first failing sample to the fix (or to the end of the window when still open). */
  durationHours: number;
  open: boolean;
  firstRunId: string;
  lastRunId: string;
}

export interface PeriodWaiver {
  id: string;
  reason: string;
  approvedBy: string;
  expires: string;
  firstSeen: string;
  lastSeen: string;
}

export interface PeriodAttestation {
  attestedBy: string;
  statement: string;
  date: string;
  validUntil: string;
  evidence?: string;
  sha256?: string;
  /** True when its validity covers the whole window. */
  coversWindow: boolean;
}

/** Warnings of a control over the window: observations for the auditor, never part of the verdict. */
export interface PeriodWarnings {
  /** Samples with at least one warning (outside system namespaces). */
  samples: number;
  /** The recommended rules that warned: in how many samples, how many findings in all, first and last seen. */
  rules: { rule: string; samples: number; findings: number; firstSeen: string; lastSeen: string }[];
}

/**
 * Evidence a control did not read in some samples of the window. A sample that failed on the
 * evidence it did read is still an exception (`failing`): the gap is listed, never a reason to
 * call the sample undecided.
 */
export interface PeriodEvidenceGap {
  /** What was not read, as the run said it. */
  reason: string;
  samples: number;
  /** Of those samples, how many failed on the evidence that was read. */
  failing: number;
  firstSeen: string;
  lastSeen: string;
  firstRunId: string;
  lastRunId: string;
}

export interface PeriodControl {
  id: string;
  title: string;
  section: SectionId;
  sectionTitle: string;
  subheading: string;
  tsc: string[];
  owners: { primary: OwnerRef[]; supporting: OwnerRef[] };
  automation: AutomationLevel;
  severity: Severity;
  samples: number;
  /** Share (0–1) of decided samples (pass, waived, fail) that passed or were waived. */
  passRate: number;
  statusCounts: StatusCounts;
  failIntervals: FailInterval[];
  /** Mean and longest time to remediate closed fail intervals, in hours. */
  timeToRemediateHours?: { mean: number; max: number; count: number };
  waivers: PeriodWaiver[];
  attestations: PeriodAttestation[];
  verdict: Verdict;
  verdictReason: string;
  timeline: PeriodSample[];
  /** Share (0–1) of the window's days with a decided (pass, waived or fail) sample of this control. */
  coverage?: number;
  /** Longest run of days in the window without a decided sample of this control. */
  longestGapDays?: number;
  /** Warnings seen in the window (absent when none): listed as observations, the verdict ignores them. */
  warnings?: PeriodWarnings;
  /** Evidence not read in samples of the window (absent when every sample read all of it). */
  evidenceGaps?: PeriodEvidenceGap[];
}

export interface SamplingGap {
  from: string;
  to: string;
  days: number;
}

export interface PeriodCluster {
  cluster: ClusterIdentity;
  /** Store key of the cluster (account/region/name or context). */
  key: string;
  runs: number;
  firstRun?: string;
  lastRun?: string;
  /** Days in the window that had at least one run, over the days of the window. */
  coverage: number;
  samplingGaps: SamplingGap[];
  /** Pass rate over time per checklist section (one point per run). */
  sectionSeries: { section: SectionId; points: { at: string; passRate: number }[] }[];
  controls: PeriodControl[];
  summary: Record<Verdict, number>;
  /** Runs whose evidence time is more than a day away from when they were stored (`scan --now`): worth an auditor's question. */
  redatedRuns?: number;
}

/**
 * The evidence store's check of the runs a period report uses (`Store.verify` of each cluster):
 * whether every record, result and snapshot still matches its hash and the chain is unbroken, and
 * the chain head it ends at. A report without it was not checked (a renderer test, an old file).
 */
export interface PeriodVerification {
  ok: boolean;
  /** The store, as it names itself (`SQLite store /path/x.db`). */
  store: string;
  checkedAt: string;
  /**
   * What was checked: `rows` (the default for period reports) — hash chains, records and the
   * per-control rows the report is computed from; `full` — every stored result and snapshot too.
   * Absent in reports made before the distinction (they were `full`).
   */
  depth?: 'full' | 'rows';
  runsChecked: number;
  clusters: { key: string; ok: boolean; runs: number; head?: { seq: number; hash: string; runId: string }; anchor?: { seq: number; hash: string } }[];
  /** The first problems found (at most 20); `problemCount` says how many there were. */
  problems: { kind: string; clusterKey?: string; runId?: string; message: string }[];
  problemCount: number;
}

export interface PeriodResult {
  schema: typeof PERIOD_SCHEMA;
  from: string;
  to: string;
  generatedAt: string;
  tool: { name: 'eks-soc2'; version: string };
  thresholds: VerdictThresholds;
  /** Set by `report` and the dashboard: the store's chain check of the clusters in the report. */
  verification?: PeriodVerification;
  clusters: PeriodCluster[];
  /** `report --skip-control` / `--skip-rule` (or the configuration): what the report leaves out of what it shows. */
  filters?: { skipControls?: string[]; skipRules?: string[] };
}
