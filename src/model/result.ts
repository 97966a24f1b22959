import type { AutomationLevel, FindingStatus, JsonValue, RuleLevel, Severity, Status } from './common.js';
import type { ClusterIdentity, EvidenceGap, SourceLocation } from './snapshot.js';
import type { SectionId, Remediation, Reference } from './control.js';
import type { AppliedWaiver, Attestation, WaiverIssue, AttestationIssue } from './policy.js';
import type { WireRunResult } from './wire.js';
import { fromWire, isGroupedSchema } from './wire.js';

/** The resource a finding is about, as it appears in the input. */
export interface ResourceRef {
  /**
   * `kubernetes` objects carry apiVersion/kind/namespace/name; `aws` resources kind (CloudFormation type) and arn/id;
   * `terraform` resources kind (the resource type, `aws_eks_cluster`) and name (the address, `module.eks.aws_eks_cluster.this[0]`).
   */
  provider: 'kubernetes' | 'aws' | 'terraform';
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  arn?: string;
  region?: string;
  accountId?: string;
}

/**
 * One per-resource result. Findings of the same object share their `resource` and `source` objects
 * (a workload has dozens of findings): treat findings as immutable data.
 */
export interface Finding {
  rule: string;
  /**
   * `fail` only for required rules, `warn` for recommended ones; `error` when the rule could not be
   * evaluated on this resource (the message says which evidence or value was missing).
   */
  status: FindingStatus;
  severity: Severity;
  resource: ResourceRef;
  source?: SourceLocation;
  message: string;
  /** In a system namespace: reported separately and not counted in the control's status. */
  system?: boolean;
  waiver?: AppliedWaiver;
  details?: Record<string, JsonValue>;
}

/** Counts of controls by status. */
export interface StatusCounts {
  pass: number;
  fail: number;
  manual: number;
  waived: number;
  'not-applicable': number;
  error: number;
}

/** Counts of findings by status (a control's statuses plus `warn`). */
export interface FindingCounts extends StatusCounts {
  warn: number;
}

/** A rule of a control as the run reports it: what it checks and how much it weighs. */
export interface RuleInfo {
  id: string;
  title: string;
  level: RuleLevel;
  severity: Severity;
}

/** A rule that was not evaluated as a whole (no resource to hang it on), and why. */
export interface UnevaluatedRule {
  rule: string;
  level: RuleLevel;
  /** Which evidence was not read (or which value is unknown), in words a user can act on. */
  reason: string;
}

export interface ControlResult {
  id: string;
  title: string;
  section: SectionId;
  sectionTitle: string;
  subheading: string;
  tsc: string[];
  /** Checklist roles and, when configured, the real owners they map to. */
  owners: { primary: OwnerRef[]; supporting: OwnerRef[] };
  automation: AutomationLevel;
  /**
   * The result's severity, one meaning in every output (terminal, Markdown, JSON, dashboard,
   * /metrics): the highest severity among its failing findings (not waived, outside the system
   * namespaces), else the control's default severity. `resultSeverity()` computes it.
   */
  severity: Severity;
  /** The catalog's default severity of the control (absent from runs stored before it was recorded: `severity` was the default then). */
  defaultSeverity?: Severity;
  status: Status;
  /** Why the control has its status, in one line. */
  message: string;
  description: string;
  /** Evidence the control required and what was missing. */
  evidence: { required: string[]; missing: string[] };
  notes: string[];
  /** Every rule of the control with its level; findings refer to them by id. */
  rules: RuleInfo[];
  /**
   * Rules that were not evaluated at all because their evidence was not read. A required one makes
   * the control `error` unless a required rule failed on evidence that was read (then `fail`).
   */
  unevaluated: UnevaluatedRule[];
  /**
   * Since `run@3`: the findings that are not passes, as objects (fail, warn, error, waived, and passes
   * that carry details or their own severity). Before run@3 every finding, passes included. In memory
   * always Finding objects; the `run@4` wire form (JSON report, stored result) writes them as groups
   * by resource index (src/model/wire.ts, `toWire` / `fromWire`).
   */
  findings: Finding[];
  /**
   * `run@3`: passing and not-applicable findings as lists of indices into `RunResult.resources`, one
   * entry per (status, rule, message). Absent in run@1/run@2 results (their passes are in `findings`).
   * Read findings through src/model/findings.ts (`eachFinding`), which handles both shapes.
   */
  passed?: PassedGroup[];
  counts: FindingCounts;
  /** Counts of findings in system namespaces (not part of `counts`). */
  systemCounts: FindingCounts;
  /** Highest severity among failing findings. */
  failSeverity?: Severity;
  attestation?: Attestation;
  attestationRequired?: string;
  waivers: AppliedWaiver[];
  remediation: Remediation;
  references: Reference[];
}

/**
 * A resource of the run's resource table (since `run@3`): its reference and where it was read from.
 * In the run@4 wire form the table also holds the resources that only non-pass findings name.
 */
export interface RunResource extends ResourceRef {
  source?: SourceLocation;
}

/**
 * Passing (or not-applicable) findings of one rule with one message, by resource index. Their
 * severity is the rule's (`ControlResult.rules`), else the control's.
 */
export interface PassedGroup {
  rule: string;
  status: 'pass' | 'not-applicable';
  message: string;
  /** Indices into `RunResult.resources`, outside system namespaces (counted). */
  resources: number[];
  /** Indices of resources in system namespaces (reported separately, not counted). */
  system?: number[];
}

export interface OwnerRef {
  role: string;
  /** Real owner (team, e-mail) from the configuration's owner map. */
  owner?: string;
}

/**
 * A control result's severity (README "Severity"): the highest severity among its failing findings
 * (`failSeverity`: not waived, outside the system namespaces), else the control's default. Also
 * right for runs stored before `severity` had this meaning (their `severity` was the default).
 */
export function resultSeverity(c: Pick<ControlResult, 'severity' | 'failSeverity'>): Severity {
  return c.failSeverity ?? c.severity;
}

/** The catalog's default severity of a control result (older stored runs: their `severity`). */
export function defaultSeverityOf(c: Pick<ControlResult, 'severity' | 'defaultSeverity'>): Severity {
  return c.defaultSeverity ?? c.severity;
}

/**
 * What the score is, in the words every output uses (terminal, Markdown, HTML, README): it must
 * match `score()` in the engine — a control in error or manual counts against it, as a failure does.
 */
export const SCORE_WORDING = 'passing and waived controls over applicable ones: failing, error and manual controls count against it, not applicable ones are left out';

export interface RunSummary {
  controls: StatusCounts;
  findings: FindingCounts;
  /** Controls (of any status) with at least one warning outside the system namespaces. */
  controlsWithWarnings: number;
  /**
   * Percent, one decimal: (pass + waived) / (pass + waived + fail + error + manual) — every
   * applicable control, not-applicable ones left out; 100 when none applies (SCORE_WORDING).
   */
  score: number;
  bySection: Record<string, StatusCounts>;
  byTsc: Record<string, StatusCounts>;
}

/**
 * The JSON report contract. `run@5` describes each resource once (`resources`), lists passing and
 * not-applicable findings as resource indices per rule and message (`ControlResult.passed`, as run@3
 * did), writes the other findings as groups of identical findings by resource index (the wire form,
 * src/model/wire.ts; in memory they are Finding objects) and writes every index list with runs of
 * consecutive indices (`[4, -3]` is 4, 5, 6, 7; in memory the lists are plain). `run@4` (the same,
 * index lists one index each) and `run@3` (the other findings one object each) are superseded; stored
 * run@3/run@4 results keep their shape. `run@2` (one object per finding) is
 * superseded and still written by `--format json --expand-passing`. `run@2` added the `warn` finding
 * status, rule levels (`rules`) and `unevaluated`; `run@1` (no warnings: recommended rules failed
 * their control) is superseded, and stored runs of that shape still load, diff and verify.
 */
export const RUN_SCHEMA = 'eks-soc2/run@5' as const;
export const RUN_SCHEMAS_READ = ['eks-soc2/run@1', 'eks-soc2/run@2', 'eks-soc2/run@3', 'eks-soc2/run@4', 'eks-soc2/run@5'] as const;

export interface RunResult {
  /** `run@5` for runs made now; stored `run@1` … `run@4` runs keep theirs. */
  schema: (typeof RUN_SCHEMAS_READ)[number];
  /**
   * Since `run@3`: every resource a passing finding names, once; `PassedGroup` indices point here. The
   * run@4/run@5 wire form adds the resources its finding groups name.
   */
  resources?: RunResource[];
  /** Set by the evidence store. */
  runId?: string;
  tool: { name: 'eks-soc2'; version: string };
  catalogVersion: string;
  startedAt: string;
  finishedAt: string;
  cluster: ClusterIdentity;
  /** How the evidence was collected: live, files, bundle, demo. */
  sources: { kubernetes: string; aws: string };
  collectorIdentity?: string;
  snapshotDigest?: string;
  summary: RunSummary;
  controls: ControlResult[];
  gaps: EvidenceGap[];
  waivers: { applied: number; issues: WaiverIssue[] };
  attestations: { inForce: Attestation[]; issues: AttestationIssue[] };
  /** Controls the run was limited to (`--control`, `--section`), when any. */
  selection?: { controls?: string[]; sections?: string[] };
  /** Filters the run was made with (`--namespace`, `--exclude-namespace`, `--skip-control`, `--skip-rule`, or the configuration), when any. */
  filters?: RunFilters;
}

/**
 * Run filters (README "Filters"): namespace globs restrict namespaced findings (cluster-scoped and
 * AWS findings are kept); skipped controls are absent from the run; skipped rules are not evaluated.
 */
export interface RunFilters {
  namespaces?: string[];
  excludeNamespaces?: string[];
  /** Control ids skipped: not evaluated, absent from `controls` (never a pass). */
  skipControls?: string[];
  /** `RULE` (in every control) or `CONTROL/RULE`: not evaluated, no finding made. */
  skipRules?: string[];
}

export function emptyCounts(): StatusCounts {
  return { pass: 0, fail: 0, manual: 0, waived: 0, 'not-applicable': 0, error: 0 };
}

export function emptyFindingCounts(): FindingCounts {
  return { pass: 0, fail: 0, warn: 0, manual: 0, waived: 0, 'not-applicable': 0, error: 0 };
}

/**
 * A run read from JSON (the store) in the shape renderers and the dashboard rely on, in place (the
 * object was just parsed). A `run@4` result's finding groups (the wire form) become Finding objects
 * (`fromWire`). A stored `run@1` result gets the `run@2` shape: `counts.warn` = `systemCounts.warn` =
 * 0, `rules` = [], `unevaluated` = [], `summary.findings.warn` = 0, `summary.controlsWithWarnings` = 0;
 * `schema` keeps `run@1`, which says how its verdicts were made (a failed recommended rule failed its
 * control). `run@2` and `run@3` results are returned unchanged. Never re-hash a normalised result:
 * the store's digests are of the stored text.
 */
export function normaliseRunResult(run: RunResult | WireRunResult): RunResult {
  if (isGroupedSchema(run.schema)) return fromWire(run);
  if (run.schema !== 'eks-soc2/run@1') return run as RunResult;
  for (const c of run.controls) {
    c.counts.warn ??= 0;
    c.systemCounts.warn ??= 0;
    c.rules ??= [];
    c.unevaluated ??= [];
  }
  run.summary.findings.warn ??= 0;
  run.summary.controlsWithWarnings ??= 0;
  return run as RunResult;
}
