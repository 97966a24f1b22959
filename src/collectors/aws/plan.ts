import type { AwsFact, CoverageState, JsonObject, K8sObject } from '../../model/index.js';
import type { AwsErrorInfo } from './errors.js';
import type { EcrImage } from './k8s-targets.js';
import type { ServiceId } from './services.js';

/** One call target of an operation: the request input (pagination members are added by the paginator). */
export interface Target<I = Record<string, unknown>> {
  params: I;
  /** Region to call in; defaults to the cluster's region. */
  region?: string;
  /** Short name of the resource for messages (`vpc-cni`, a trail name); defaults to the target member's value. */
  label?: string;
  /** Page bound of this target (overrides the plan's `maxPages`). */
  maxPages?: number;
}

/** What a plan may read to choose its targets: the cluster, the Kubernetes objects and the facts collected so far. */
export interface PlanContext {
  readonly cluster: string;
  readonly region: string;
  /** The caller's account (sts:GetCallerIdentity), when known. */
  readonly accountId: string | undefined;
  readonly partition: string;
  readonly now: Date;
  readonly objects: readonly K8sObject[];
  /** ECR images the workloads run (parsed once). */
  readonly images: readonly EcrImage[];
  readonly options: PlanOptions;
  facts(key: string): readonly AwsFact[];
  /** Outputs of one operation's facts, typed loosely (dates are strings). */
  outputs<T = JsonObject>(key: string): T[];
  /** Coverage of an operation collected earlier in this run. */
  state(key: string): CoverageState | undefined;
}

export interface PlanOptions {
  /** Call ecr:ListImageReferrers (needs ecr:BatchGetImage; off by default, controls.md §4.2). */
  imageReferrers: boolean;
  /** How far back cloudtrail:LookupEvents reads (CloudTrail keeps 90 days of event history). */
  lookupDays: number;
}

/** What a plan makes of an error: a negative answer that is itself the evidence. */
export type ErrorOutcome =
  | { kind: 'absent' } // the service is not enabled: coverage `absent`, no fact
  | { kind: 'negative'; output: JsonObject } // record this output as the answer
  | undefined;

type PaginatorFn<I> = (config: never, input: I) => AsyncIterable<unknown>;

export interface PlanDef<I extends object> {
  /** `service:Operation` — also the IAM action and the evidence key without `aws:`. */
  key: string;
  command: new (input: I) => unknown;
  /** The SDK paginator, for paginated operations. */
  paginate?: PaginatorFn<I>;
  /** Token members for the few paginated operations without an SDK paginator. */
  tokens?: { input: string; output: string };
  /** Operations whose facts choose this one's targets: collected first, added to the run when not requested. */
  deps?: string[];
  /** Operations whose facts add targets when they are in the run anyway (not added). */
  uses?: string[];
  targets(ctx: PlanContext): Target<I>[];
  /** The input member that names the resource (offline file `<service>-<op>.<target>.json` → `params[targetParam]`). */
  targetParam?: string;
  /** Bounded read: at most this many pages; the last NextToken stays in the output when more existed. */
  maxPages?: number;
  /** Calls of this operation in flight at once (below the per-service cap), for operations with tight quotas. */
  concurrency?: number;
  onError?(err: AwsErrorInfo, target: Target<I>, ctx: PlanContext): ErrorOutcome;
  /** Coverage when no target exists (e.g. GuardDuty with no detector: `absent`). Default `collected`. */
  noTargets?: 'collected' | 'absent';
  /** Skip the whole operation with coverage `absent` when this returns a reason (e.g. Security Hub not enabled). */
  skip?(ctx: PlanContext): string | undefined;
  /** Only when this option is on (documented opt-in). */
  optIn?: keyof PlanOptions;
  /** A target that names a missing resource (deleted role, unscanned image) is evidence, not a failure: gap `not-found`, coverage stays `collected`. Default: true for operations with `deps`. */
  missingOk?: boolean;
  /** A failed target is a gap for that target only: the operation stays `collected` when another target was read. */
  targetGapsOnly?: boolean;
  /** When a batched call fails with not-found, retry its items one target at a time (ecr:DescribeImages). */
  split?(target: Target<I>): Target<I>[];
  /** The IAM action the call needs when it is not `key` (ecr:ListImageReferrers needs ecr:BatchGetImage). */
  permission?: string;
  /** Calls sent for one target until the answer is final (iam:GenerateCredentialReport polls). */
  poll?: { until: (output: JsonObject) => boolean; attempts: number };
}

/** A plan with its input type erased, as the runner sees it. */
export interface OperationPlan extends Omit<PlanDef<Record<string, unknown>>, 'command' | 'paginate' | 'targets' | 'onError' | 'split'> {
  service: ServiceId;
  operation: string;
  command: new (input: Record<string, unknown>) => unknown;
  paginate?: PaginatorFn<Record<string, unknown>>;
  targets(ctx: PlanContext): Target[];
  onError?(err: AwsErrorInfo, target: Target, ctx: PlanContext): ErrorOutcome;
  split?(target: Target): Target[];
}

/** Declare a plan; the SDK command type checks the target inputs. */
export function plan<I extends object>(def: PlanDef<I>): OperationPlan {
  const colon = def.key.indexOf(':');
  return { ...(def as unknown as OperationPlan), service: def.key.slice(0, colon) as ServiceId, operation: def.key.slice(colon + 1) };
}
