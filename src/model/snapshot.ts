import type { JsonObject, JsonValue } from './common.js';

/** Where an object came from when it was read from a file: 1-based line of the document start. */
export interface SourceLocation {
  file: string;
  line: number;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  creationTimestamp?: string;
  resourceVersion?: string;
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid?: string;
  controller?: boolean;
}

/**
 * A Kubernetes object as read from the API or a file, minus `managedFields` and the
 * last-applied-configuration annotation. `$source` is set for objects read from files.
 */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  $source?: SourceLocation;
  [key: string]: unknown;
}

/**
 * Evidence keys. Kubernetes kinds are keyed by API group and kind, without version
 * (`apps/Deployment`, `core/Pod`, `kyverno.io/ClusterPolicy`); AWS evidence by IAM-style
 * service prefix and operation (`eks:DescribeCluster`).
 */
export type K8sKindKey = string;
export type AwsOperationKey = string;

/**
 * What happened when a kind or an operation was collected.
 * - `collected`: read completely (possibly zero objects).
 * - `absent`: the API is not served by the cluster (e.g. a CRD that is not installed) or the AWS
 *   service is not enabled in a way that is itself the answer (e.g. Security Hub not subscribed).
 *   This is evidence: "there is none".
 * - `partial`: some pages or some resources were read, then collection failed.
 * - `denied` / `error`: nothing usable was read; see `gaps`.
 */
export type CoverageState = 'collected' | 'absent' | 'partial' | 'denied' | 'error';

export interface Coverage {
  state: CoverageState;
  count: number;
  /** The API version that was read (Kubernetes) or the region (AWS). */
  detail?: string;
}

export interface ClusterIdentity {
  name?: string;
  arn?: string;
  accountId?: string;
  region?: string;
  context?: string;
  server?: string;
  /**
   * The uid of the cluster's `kube-system` namespace: a stable id of a Kubernetes cluster that
   * survives renamed contexts and tells apart clusters read from inside (every one of which has the
   * context `in-cluster` and the API server `https://10.100.0.1:443` or similar).
   */
  uid?: string;
}

export type SourceKind = 'live' | 'files' | 'bundle' | 'demo' | 'terraform' | 'none';

export interface KubernetesEvidence {
  source: SourceKind;
  /**
   * True when the snapshot holds the complete inventory of every kind listed in `kinds`
   * (live collection, a `collect` bundle, `--complete-inventory`). For a loose set of manifest
   * files it is false: a kind that does not appear was not collected, not proven absent.
   */
  complete: boolean;
  /** Kubernetes server version (`gitVersion`) when known. */
  serverVersion?: string;
  kinds: Record<K8sKindKey, Coverage>;
  objects: K8sObject[];
}

/** One AWS API response, shaped like the AWS SDK for JavaScript v3 output (dates as ISO strings). */
export interface AwsFact {
  /** IAM service prefix: eks, ec2, iam, ecr, guardduty, securityhub, ... */
  service: string;
  /** API operation name, e.g. DescribeCluster. */
  operation: string;
  region?: string;
  accountId?: string;
  /** The request parameters that identify the resource (never credentials). */
  params?: JsonObject;
  /** The (merged, for paginated operations) output. */
  output: JsonObject;
  /**
   * Values that are not known before `terraform apply` (facts translated from Terraform only): the
   * path of each (`output.cluster.logging`, `region`; array indices as numbers) and why it is unknown.
   * Those values are left out of the fact; a check that reads one cannot reach a verdict from it
   * (the engine turns what it reports afterwards into "not evaluated"). Absent on facts read from AWS.
   */
  unknown?: Record<string, string>;
}

export interface AwsEvidence {
  /** `terraform` when the facts were translated from Terraform configuration or a plan (only). */
  source: SourceKind;
  accountId?: string;
  region?: string;
  calls: Record<AwsOperationKey, Coverage>;
  facts: AwsFact[];
}

export type GapReason =
  | 'forbidden' // Kubernetes 403
  | 'access-denied' // AWS AccessDenied
  | 'unauthenticated'
  | 'throttled'
  | 'network'
  | 'timeout'
  | 'not-enabled'
  | 'not-found'
  | 'parse-error'
  | 'unsupported'
  | 'invalid'
  /** Read on purpose: a source that is not evidence as it stands (a Helm chart's templates, a kustomize directory). */
  | 'skipped'
  | 'error';

/** Something that could not be collected, and why: the reason a control says `error`. */
export interface EvidenceGap {
  source: 'kubernetes' | 'aws' | 'files' | 'tools';
  /** The evidence key affected (`apps/Deployment`, `eks:DescribeCluster`), when one is. */
  key?: string;
  /** What was being read: a file path, `GET /apis/apps/v1/deployments`, `eks:DescribeCluster prod`. */
  target: string;
  reason: GapReason;
  message: string;
  /** How to fix it (flag to pass, permission to grant). */
  fix?: string;
  /** The missing permission: RBAC rule (`list apps/deployments`) or IAM action (`eks:DescribeCluster`). */
  permission?: string;
  /** 1-based line for file inputs. */
  line?: number;
}

/** Output of a security tool ingested as evidence (kube-bench JSON, Trivy, Falco...). */
export interface ToolReport {
  tool: string;
  file?: string;
  collectedAt?: string;
  data: JsonValue;
}

export const SNAPSHOT_SCHEMA = 'eks-soc2/snapshot@1' as const;

/**
 * A resource declared in Terraform (configuration or plan) that AWS facts were translated from.
 * Findings about it are reported on its address and the line of its block.
 */
export interface IacResource {
  /** Resource address: `aws_eks_cluster.main`, `module.eks.aws_eks_cluster.this[0]`. */
  address: string;
  /** Resource type: `aws_eks_cluster`. */
  type: string;
  /** The CloudFormation type a check names the same resource by (`AWS::EKS::Cluster`). */
  cfnType: string;
  /** Names, ids and ARNs the facts give the resource (real or derived from the address). */
  ids: string[];
  /** The resource block (or the module call for module inputs), when known. */
  source?: SourceLocation;
  /** The root module (directory or plan file) it belongs to: one evaluation unit per root and cluster. */
  root: string;
}

/** Infrastructure-as-code evidence: what the AWS facts were translated from. */
export interface IacEvidence {
  tool: 'terraform';
  resources: IacResource[];
  /**
   * Derived ids (of values known only after apply) that stand for a resource in the facts, and the
   * address they stand for: messages naming one are rewritten to name the address.
   */
  placeholders: Record<string, string>;
}

/** Everything observed in one run: the unit that is stored, hashed, exported and re-evaluated. */
export interface Snapshot {
  schema: typeof SNAPSHOT_SCHEMA;
  createdAt: string;
  cluster: ClusterIdentity;
  collector: {
    tool: 'eks-soc2';
    version: string;
    /** Who collected: IAM principal ARN, Kubernetes user, or "files". */
    identity?: string;
    /** Inputs read (file paths, contexts). */
    inputs?: string[];
  };
  kubernetes: KubernetesEvidence;
  aws: AwsEvidence;
  tools: ToolReport[];
  gaps: EvidenceGap[];
  /** Present when AWS facts were translated from Terraform. */
  iac?: IacEvidence;
}

/**
 * Kinds manifests still declare under a group that no longer (or never) served them, mapped to
 * the group that does, so old or mistaken manifests are evaluated rather than skipped (the file
 * collector reports them as input problems).
 */
export const MOVED_KINDS: Readonly<Record<string, string>> = {
  'extensions/Deployment': 'apps/Deployment', 'extensions/DaemonSet': 'apps/DaemonSet', 'extensions/ReplicaSet': 'apps/ReplicaSet',
  'extensions/Ingress': 'networking.k8s.io/Ingress', 'extensions/NetworkPolicy': 'networking.k8s.io/NetworkPolicy',
  'core/Deployment': 'apps/Deployment', 'core/DaemonSet': 'apps/DaemonSet', 'core/StatefulSet': 'apps/StatefulSet',
  'core/ReplicaSet': 'apps/ReplicaSet', 'core/Job': 'batch/Job', 'core/CronJob': 'batch/CronJob', 'core/Ingress': 'networking.k8s.io/Ingress',
};

/** Kubernetes evidence key of an apiVersion + kind: `apps/v1` + `Deployment` → `apps/Deployment`. */
export function kindKey(apiVersion: string, kind: string): K8sKindKey {
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? 'core' : apiVersion.slice(0, slash);
  const key = `${group}/${kind}`;
  return MOVED_KINDS[key] ?? key;
}

export function emptySnapshot(version: string, now = new Date()): Snapshot {
  return {
    schema: SNAPSHOT_SCHEMA,
    createdAt: now.toISOString(),
    cluster: {},
    collector: { tool: 'eks-soc2', version },
    kubernetes: { source: 'none', complete: false, kinds: {}, objects: [] },
    aws: { source: 'none', calls: {}, facts: [] },
    tools: [],
    gaps: [],
  };
}
