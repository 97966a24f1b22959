import type { AutomationLevel, JsonValue, Severity, Status } from './common.js';
import type { ClusterIdentity, EvidenceGap, SourceLocation } from './snapshot.js';
import type { SectionId, Remediation, Reference } from './control.js';
import type { AppliedWaiver, Attestation, WaiverIssue, AttestationIssue } from './policy.js';

/** The resource a finding is about, as it appears in the input. */
export interface ResourceRef {
  /** `kubernetes` objects carry apiVersion/kind/namespace/name; `aws` resources kind (CloudFormation type) and arn/id. */
  provider: 'kubernetes' | 'aws';
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
  status: Status;
  severity: Severity;
  resource: ResourceRef;
  source?: SourceLocation;
  message: string;
  /** In a system namespace: reported separately and not counted in the control's status. */
  system?: boolean;
  waiver?: AppliedWaiver;
  details?: Record<string, JsonValue>;
}

export interface StatusCounts {
  pass: number;
  fail: number;
  manual: number;
  waived: number;
  'not-applicable': number;
  error: number;
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
  severity: Severity;
  status: Status;
  /** Why the control has its status, in one line. */
  message: string;
  description: string;
  /** Evidence the control required and what was missing. */
  evidence: { required: string[]; missing: string[] };
  notes: string[];
  findings: Finding[];
  counts: StatusCounts;
  /** Counts of findings in system namespaces (not part of `counts`). */
  systemCounts: StatusCounts;
  /** Highest severity among failing findings. */
  failSeverity?: Severity;
  attestation?: Attestation;
  attestationRequired?: string;
  waivers: AppliedWaiver[];
  remediation: Remediation;
  references: Reference[];
}

export interface OwnerRef {
  role: string;
  /** Real owner (team, e-mail) from the configuration's owner map. */
  owner?: string;
}

export interface RunSummary {
  controls: StatusCounts;
  findings: StatusCounts;
  /** Percentage of decided controls that pass (pass + waived) over pass + waived + fail. */
  score: number;
  bySection: Record<string, StatusCounts>;
  byTsc: Record<string, StatusCounts>;
}

export const RUN_SCHEMA = 'eks-soc2/run@1' as const;

export interface RunResult {
  schema: typeof RUN_SCHEMA;
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
}

export function emptyCounts(): StatusCounts {
  return { pass: 0, fail: 0, manual: 0, waived: 0, 'not-applicable': 0, error: 0 };
}
