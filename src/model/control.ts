import type { AutomationLevel, JsonValue, RuleLevel, Severity } from './common.js';
import type { AwsFact, CoverageState, K8sKindKey, K8sObject, ToolReport } from './snapshot.js';
import type { ResourceRef } from './result.js';
import type { EffectiveConfig } from './config.js';
import type { FirstSeenLookup } from './first-seen.js';

/** Checklist sections (CC3 … CC9) and the Part 1 items of controls.md §7. */
export const SECTIONS = {
  CC3: 'Risk Assessment',
  CC4: 'Monitoring Activities',
  CC5: 'Control Activities',
  CC6: 'Logical and Physical Access Controls',
  CC7: 'System Operations',
  CC8: 'Change Management',
  CC9: 'Risk Mitigation',
  P1: 'Foundational Controls (Part 1, outside the checklist)',
} as const;
export type SectionId = keyof typeof SECTIONS;

/**
 * An evidence key: `k8s:<group>/<Kind>`, `aws:<service>:<Operation>` or `tool:<name>`.
 * Collectors read exactly the keys the selected controls declare.
 */
export type EvidenceKey = `k8s:${string}` | `aws:${string}` | `tool:${string}`;

/**
 * One piece of evidence, satisfied when any of the keys was collected. By default the keys are parts
 * of one inventory (e.g. the workload kinds): if any part was attempted and failed (denied, error,
 * partial), the requirement is not met, because what is missing could change the verdict either way.
 * On a control (`requires`) an unmet requirement stops the control from passing; on a rule
 * (`RuleMeta.evidence`) it stops the rule from being evaluated at all.
 */
export interface EvidenceRequirement {
  anyOf: EvidenceKey[];
  /** Plain words for messages: "workloads", "namespaces", "the EKS cluster description". */
  what: string;
  /**
   * The keys are alternative proofs of the same fact (the GuardDuty agent: coverage API, EKS add-on
   * or DaemonSet). When one alternative failed but another was read, the check runs; a `pass` (or
   * `manual`) stands, since a readable source proved it, while any other outcome becomes `error`,
   * since the unreadable source might have held the proof.
   */
  alternatives?: boolean;
}

export interface Remediation {
  /** What to do, in one or two sentences. */
  summary: string;
  /** Corrected commands (controls.md §2 forms, never the checklist's broken ones). */
  commands?: string[];
  /** A manifest to apply, YAML. */
  manifest?: string;
}

export interface Reference {
  title: string;
  url: string;
}

export interface RuleMeta {
  title: string;
  severity: Severity;
  /**
   * `required` when the checklist item or the SOC 2 criterion needs the rule (a failure fails the
   * control); `recommended` for hardening beyond it (a failure is a `warn` finding). Every rule
   * declares it; `basis` says why when the checklist text decides.
   */
  level: RuleLevel;
  /** Why the rule has its level: the checklist line or the criterion it rests on. */
  basis?: string;
  /**
   * The evidence the rule reads besides the object it judges. When any of it was not read (not in
   * the input, denied, failed), the rule is not evaluated: the engine drops whatever the check
   * reported for it and lists the rule as not evaluated with the missing evidence. `[]`: the rule
   * judges each object on its own (a Role, a workload) and needs nothing else. Omitted: every
   * requirement of the control. Keys must be among the control's `requires`/`optional`.
   */
  evidence?: (EvidenceKey | EvidenceRequirement)[];
}

export type CheckStatus = 'pass' | 'fail' | 'not-applicable' | 'manual' | 'error';

export interface FindingInput {
  rule: string;
  status: CheckStatus;
  /** The object the finding is about: a Kubernetes object as read (its ref and source are derived) or a ref. */
  resource: K8sObject | ResourceRef;
  message: string;
  /** Defaults to the rule's severity, then the control's. */
  severity?: Severity;
  details?: Record<string, JsonValue>;
  /**
   * Whether the finding is about a system-namespace object that is reported separately and kept out
   * of the status. Defaults to "the resource lives in a system namespace", which is right for
   * workload hardening; set `false` when the object is the control's own evidence wherever it lives
   * (an add-on's controller, an Argo CD Application, a RoleBinding granting a person in kube-system).
   */
  system?: boolean;
}

const COUNTED = '$countedEvidence';

/**
 * The object is the control's own evidence wherever it lives (an add-on controller, an Argo CD
 * Application, the aws-node DaemonSet, a RoleBinding in kube-system granting a person): its findings
 * count in the control's status even in a system namespace, and keep their namespace. Returns a
 * shallow copy carrying a non-enumerable mark (never serialised). Same as passing `system: false`.
 */
export function countedEvidence<T extends K8sObject>(o: T): T {
  const copy = { ...o };
  Object.defineProperty(copy, COUNTED, { value: true, enumerable: false });
  return copy;
}

export function isCountedEvidence(o: unknown): boolean {
  return o !== null && typeof o === 'object' && (o as Record<string, unknown>)[COUNTED] === true;
}

/** What a check may read: only the evidence its control declares (enforced by the engine). */
export interface Evidence {
  /** Coverage of a key in this snapshot; `not-collected` when it was not read at all. */
  state(key: EvidenceKey): CoverageState | 'not-collected';
  /** True when the key was read (`collected` or `absent`): the objects in the input can be judged. */
  has(key: EvidenceKey): boolean;
  /**
   * True when the key was read as the whole inventory, so that "none of them" and "no such object"
   * are facts: a live list, an AWS call, a `collect` bundle, `--complete-inventory`. False for a loose
   * set of manifests (a Helm chart holds some DaemonSets, not the cluster's) and for infrastructure
   * code (a Terraform configuration declares some trails, not the account's). A rule that fails on
   * absence ("no Falco DaemonSet", "no trail logs everything") needs it; without it, say the input
   * may not hold everything (`ctx.unevaluated`), and judge the objects that are there.
   */
  complete(key: EvidenceKey): boolean;
  /** All objects of a kind (`core/Pod`, `apps/Deployment`, `kyverno.io/ClusterPolicy`). */
  objects(kind: K8sKindKey): readonly K8sObject[];
  /** Objects of a kind in one namespace. */
  inNamespace(kind: K8sKindKey, namespace: string): readonly K8sObject[];
  /** One object by kind, namespace ('' for cluster-scoped) and name. */
  get(kind: K8sKindKey, namespace: string, name: string): K8sObject | undefined;
  /** The controlling owner of an object when that owner is in the snapshot. */
  owner(obj: K8sObject): K8sObject | undefined;
  /** Every namespace known to the snapshot: Namespace objects plus namespaces objects live in. */
  namespaces(): readonly string[];
  /** Kubernetes server minor version (e.g. 33) when known. */
  serverMinor(): number | undefined;
  /** AWS facts of one operation (`eks:DescribeCluster`), optionally filtered. */
  aws(operation: string, filter?: (fact: AwsFact) => boolean): readonly AwsFact[];
  /** Ingested reports of one security tool (`kube-bench`, `falco`, `gatekeeper-audit`). */
  tools(name: string): readonly ToolReport[];
  /**
   * A value derived from the snapshot, computed once per run and shared by every control (e.g. the
   * workload list). `compute` must depend on the snapshot only, and callers must not mutate it.
   */
  memo<T>(key: string, compute: () => T): T;
}

export interface CheckContext {
  readonly config: EffectiveConfig;
  readonly now: Date;
  /** The cluster name when known (from the snapshot's identity or DescribeCluster). */
  readonly clusterName: string | undefined;
  /**
   * When the evidence store first saw a vulnerability of a workload's image (`scan --store`, read
   * before evaluation); undefined without a store. Keys: `sightingKey` (model/first-seen.ts).
   */
  readonly firstSeen?: FirstSeenLookup;
  isSystemNamespace(namespace: string | undefined): boolean;
  report(finding: FindingInput): void;
  pass(resource: K8sObject | ResourceRef, rule: string, message: string, details?: Record<string, JsonValue>, options?: { system?: boolean }): void;
  fail(resource: K8sObject | ResourceRef, rule: string, message: string, options?: { severity?: Severity; details?: Record<string, JsonValue>; system?: boolean }): void;
  /** The whole control does not apply (e.g. no service mesh and the mesh is out of scope). */
  notApplicable(reason: string): void;
  /** The control cannot be decided from the evidence; a human attestation is needed. */
  manual(reason: string): void;
  /**
   * The whole control could not be evaluated for a reason found while checking. Prefer
   * `unevaluated(rule, …)`: an error scoped to the rule that needed the evidence leaves the other
   * rules' verdicts standing (a proven failure still fails the control).
   */
  error(reason: string): void;
  /**
   * A rule could not be evaluated (a call it needed failed, a value is unknown before apply): on one
   * resource (an `error` finding) or as a whole. Say what was not read; never state a fact about it.
   */
  unevaluated(rule: string, reason: string, resource?: K8sObject | ResourceRef): void;
  /**
   * Whether the rule's declared evidence was read, i.e. whether anything it reports will count.
   * Lets a check skip work (and avoid conclusions) for rules the engine would drop anyway.
   */
  canEvaluate(rule: string): boolean;
  /** Supporting information shown with the control result. */
  note(text: string): void;
}

export interface ControlDefinition {
  id: string;
  title: string;
  section: SectionId;
  /** The checklist's sub-heading, e.g. "Kubernetes Security Hardening". */
  subheading: string;
  /** Trust Services Criteria the evidence supports (controls.md §1 "TSC"). */
  tsc: string[];
  /** Checklist roles; mapped to real owners by the configuration. */
  owners: { primary: string[]; supporting: string[] };
  automation: AutomationLevel;
  severity: Severity;
  /** What the control checks and why, in this project's words. */
  description: string;
  /**
   * The evidence a verdict on the control needs (the inventory). When any of it is missing the
   * control cannot pass: it is `error`, or `fail` when a required rule failed on evidence that was
   * read. Each rule's own needs are `RuleMeta.evidence`.
   */
  requires: EvidenceRequirement[];
  /** Evidence read when present; its absence does not make the control `error`. */
  optional?: EvidenceKey[];
  /** Per-resource rules this control reports (stable ids). */
  rules?: Record<string, RuleMeta>;
  /** For partial and manual controls: what a human attestation must cover. */
  attestation?: string;
  remediation: Remediation;
  references: Reference[];
  /** Optional checklist section; `not-applicable` unless in scope (config `scope`). */
  optionalScope?: 'service-mesh';
  check?: (evidence: Evidence, ctx: CheckContext) => void;
}

/** Case for a control's test table (ESLint RuleTester style). */
export interface ControlTestCase {
  name: string;
  /** Kubernetes objects (YAML text or objects). */
  k8s?: string | K8sObject[];
  aws?: AwsFact[];
  config?: Partial<EffectiveConfig>;
  expect: {
    status: 'pass' | 'fail' | 'manual' | 'not-applicable' | 'error' | 'waived';
    /** Rules that must have at least one failing finding. */
    failing?: string[];
    /** Rules that must have at least one passing finding. */
    passing?: string[];
  };
}
