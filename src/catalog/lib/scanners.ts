import type { AwsFact, CheckContext, Evidence, K8sObject, ResourceRef } from '../../model/index.js';
import { wildcardMatch as anyRunMatch } from '../../model/index.js';
import type { DescribeImagesResponse } from '@aws-sdk/client-ecr';
import type { Cluster } from '@aws-sdk/client-eks';
import { describeCluster, out, toTime } from './aws.js';
import { parseImage } from './pod-security.js';
import { CONTAINER_LISTS, workloads } from './workloads.js';
import type { Container, ContainerKind, Workload } from './workloads.js';

/**
 * Shared helpers of the CC3 (vulnerability scanning, image security) and CC4 (monitoring)
 * controls: the image inventory of running workloads, ECR registry coordinates parsed from image
 * URIs, region scoping of AWS facts, ECR wildcard filters and coverage roll-ups.
 */

const DAY = 86_400_000;

/** `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]` — a private ECR registry host. */
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** Where an image lives in ECR: registry (account + region) and repository. */
export interface EcrLocation {
  accountId: string;
  region: string;
  repository: string;
}

/** The ECR registry and repository of an image reference, or undefined for any other registry. */
export function ecrLocation(image: string): EcrLocation | undefined {
  const p = parseImage(image);
  const m = ECR_HOST.exec(p.registry);
  if (!m) return undefined;
  return { accountId: m[1]!, region: m[2]!, repository: p.repository };
}

/** `account/region` key of a registry. */
export const registryKey = (accountId: string | undefined, region: string | undefined): string => `${accountId ?? '?'}/${region ?? '?'}`;

/** One container image of a workload, with the digests its running pods resolved the reference to. */
export interface RunningImage {
  workload: Workload;
  container: string;
  kind: ContainerKind;
  /** The reference as written in the pod spec. */
  image: string;
  tag?: string;
  /** Digests known for this container: from the reference itself and from pods' `status.containerStatuses[].imageID`. */
  digests: string[];
  ecr?: EcrLocation;
}

const SHA256_ID = /^sha256:[0-9a-f]{64}$/i;

const SHA256_PREFIX = 'sha256:';

/**
 * Whether `s` from `at` to its end is `sha256:` and 64 hex digits in any case (SHA256_ID, read
 * without a copy or a regular expression: every pod status has one): 0 if not, 1 if so in lowercase,
 * 2 if so with an uppercase letter.
 */
function sha256From(s: string, at: number): 0 | 1 | 2 {
  if (s.length - at !== 71) return 0;
  let upper = false;
  for (let k = 0; k < 7; k++) {
    const c = s.charCodeAt(at + k);
    const want = SHA256_PREFIX.charCodeAt(k);
    if (c === want) continue;
    // Letters in uppercase (s, h, a); the digits and the colon as they are.
    if (want >= 0x61 && c === want - 0x20) upper = true;
    else return 0;
  }
  for (let k = at + 7; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) continue;
    if (c >= 0x41 && c <= 0x46) upper = true;
    else return 0;
  }
  return upper ? 2 : 1;
}

/** `sha256:…` from an imageID (`docker-pullable://repo@sha256:…`, `repo@sha256:…`); undefined for a bare config id. */
export function digestFromImageId(imageId: unknown): string | undefined {
  if (typeof imageId !== 'string') return undefined;
  const at = imageId.lastIndexOf('@');
  if (at === -1) return undefined;
  const found = sha256From(imageId, at + 1);
  if (found === 0) return undefined;
  const d = imageId.slice(at + 1);
  return found === 2 ? d.toLowerCase() : d;
}

const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController']);

/** The top workload controller of an object (Pod → ReplicaSet → Deployment), as `workloads()` reports it. */
export function topController(ev: Evidence, obj: K8sObject): K8sObject {
  let cur = obj;
  for (let i = 0; i < 4; i++) {
    const o = ev.owner(cur);
    if (!o || !WORKLOAD_KINDS.has(o.kind)) break;
    cur = o;
  }
  return cur;
}

/**
 * A value computed once per snapshot and shared while the evaluation that made it runs, but not
 * held after it (at 150,000 pods these are tens of MB): a WeakRef's target lives at least until
 * the synchronous job that made it ends, and the whole evaluation is one. Computed again if
 * asked for after it was collected (the same value).
 */
interface Held<T extends object> { ref?: WeakRef<T> }
function held<T extends object>(holder: Held<T>, compute: () => T): T {
  const known = holder.ref?.deref();
  if (known) return known;
  const made = compute();
  holder.ref = new WeakRef(made);
  return made;
}

/**
 * Pods grouped by the workload (top controller) that runs them. Pods that are their own workload
 * map to themselves. Computed once per snapshot (shared: read only). The caller declares `k8s:core/Pod`.
 */
export function podsByWorkload(ev: Evidence): ReadonlyMap<K8sObject, readonly K8sObject[]> {
  const pods = ev.objects('core/Pod');
  return held(ev.memo('scanners:podsByWorkload', (): Held<Map<K8sObject, K8sObject[]>> => ({})), () => {
    const out = new Map<K8sObject, K8sObject[]>();
    for (const pod of pods) {
      const top = topController(ev, pod);
      const list = out.get(top);
      if (list) list.push(pod);
      else out.set(top, [pod]);
    }
    return out;
  });
}

interface ContainerStatus { name?: string; image?: string; imageID?: string }

const NO_PODS: ReadonlyMap<K8sObject, readonly K8sObject[]> = new Map();
const STATUS_KEYS = ['initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses'] as const;

/** runningImages by workload list (one per snapshot and set of workload kinds) and whether pods were read. */
const runningImagesOf = new WeakMap<readonly Workload[], { withPods: Held<readonly RunningImage[]>; withoutPods: Held<readonly RunningImage[]> }>();

/**
 * Every container image of every workload (one entry per controller and container), with tags
 * resolved to digests through the pods' container statuses. Requires the workload keys to be
 * declared by the calling control. Computed once per snapshot and set of workload kinds, and
 * shared by the controls that read it: read only.
 */
export function runningImages(ev: Evidence): readonly RunningImage[] {
  const withPods = ev.has('k8s:core/Pod') || ev.state('k8s:core/Pod') === 'partial';
  const pods = withPods ? podsByWorkload(ev) : NO_PODS;
  const list = workloads(ev);
  let known = runningImagesOf.get(list);
  if (!known) runningImagesOf.set(list, (known = { withPods: {}, withoutPods: {} }));
  return held(withPods ? known.withPods : known.withoutPods, () => computeRunningImages(list, pods));
}

/** Parsed once per distinct image reference in `computeRunningImages`. */
interface ParsedRef { tag: string | undefined; own: string | undefined; ecr: EcrLocation | undefined }

const NO_LIST: readonly K8sObject[] = [];

function computeRunningImages(list: readonly Workload[], pods: ReadonlyMap<K8sObject, readonly K8sObject[]>): RunningImage[] {
  // Image references repeat across workloads: each is parsed once (a bounded number remembered).
  const parsed = new Map<string, ParsedRef>();
  const out: RunningImage[] = [];
  // Per workload and container (in the order of containersOf): the digests of the reference and of
  // the statuses of the same name in the workload's pods (status lists in STATUS_KEYS order), each once,
  // in order of first sight. At 150,000 pods this is one pass without a list, set or pair per pod.
  for (const w of list) {
    const wpods = pods.get(w.obj) ?? NO_LIST;
    const spec = w.spec as Record<string, unknown>;
    for (const [field, kind] of CONTAINER_LISTS) {
      const cs = spec[field];
      if (!Array.isArray(cs)) continue;
      for (const c of cs as Container[]) {
        const image = c.image;
        if (typeof image !== 'string' || !image) continue;
        let p = parsed.get(image);
        if (!p) {
          const parts = parseImage(image);
          p = { tag: parts.tag, own: parts.digest && SHA256_ID.test(parts.digest) ? parts.digest.toLowerCase() : undefined, ecr: ecrLocation(image) };
          if (parsed.size >= 16_384) parsed.clear();
          parsed.set(image, p);
        }
        const digests: string[] = p.own ? [p.own] : [];
        // A set only once there are many (a container's pods mostly run one or two digests).
        let seen: Set<string> | undefined;
        for (const pod of wpods) {
          const st = (pod.status ?? {}) as Record<string, unknown>;
          for (const key of STATUS_KEYS) {
            const l = st[key];
            if (!Array.isArray(l)) continue;
            for (const s of l as (ContainerStatus | null | undefined)[]) {
              if (s && s.name === c.name) {
                const d = digestFromImageId(s.imageID);
                if (d && (seen ? !seen.has(d) : !digests.includes(d))) {
                  digests.push(d);
                  if (seen) seen.add(d);
                  else if (digests.length > 8) seen = new Set(digests);
                }
              }
            }
          }
        }
        const img: RunningImage = { workload: w, container: c.name ?? '(unnamed)', kind, image, digests };
        if (p.tag !== undefined) img.tag = p.tag;
        if (p.ecr) img.ecr = p.ecr;
        out.push(img);
      }
    }
  }
  return out;
}

/**
 * Digests of a tag-only ECR image from `ecr:DescribeImages` facts (the tag as pushed): signatures
 * and scans are per digest, and controllers' templates (CronJobs without a run) name tags only.
 */
export function resolveTagDigests(facts: readonly AwsFact[], img: RunningImage): string[] {
  if (!img.ecr || img.digests.length > 0 || img.tag === undefined) return img.digests;
  const found = new Set<string>();
  for (const f of facts) {
    if (f.region && f.region !== img.ecr.region) continue;
    for (const d of out<DescribeImagesResponse>(f)?.imageDetails ?? []) {
      if (d.repositoryName === img.ecr.repository && (!d.registryId || d.registryId === img.ecr.accountId) && (d.imageTags ?? []).includes(img.tag) && d.imageDigest) found.add(d.imageDigest.toLowerCase());
    }
  }
  return [...found];
}

/**
 * A cluster-level Kubernetes resource reference for findings about the cluster as a whole (an
 * add-on installed or not, a coverage ratio). Add-ons live in system namespaces, whose findings
 * the engine keeps out of the status; the cluster has no namespace, so these findings count.
 */
export function clusterScope(ctx: CheckContext): ResourceRef {
  return { provider: 'kubernetes', kind: 'Cluster', name: ctx.clusterName ?? 'cluster' };
}

/** The cluster region from DescribeCluster (the caller declares `aws:eks:DescribeCluster`). */
export function clusterRegion(ev: Evidence, clusterName: string | undefined): { region?: string; accountId?: string; cluster?: Cluster } {
  if (!ev.has('aws:eks:DescribeCluster')) return {};
  const c = describeCluster(ev, clusterName);
  const m = c?.arn ? /^arn:aws[\w-]*:eks:([\w-]+):(\d{12}):/.exec(c.arn) : null;
  return { ...(m ? { region: m[1]!, accountId: m[2]! } : {}), ...(c ? { cluster: c } : {}) };
}

/** True when the fact is from `region` (or either side does not say). */
export function inRegion(f: AwsFact, region: string | undefined): boolean {
  return !region || !f.region || f.region === region;
}

/** ECR `WILDCARD` filter: `*` matches any run of characters, everything else literally. */
export function wildcardMatch(pattern: string, value: string): boolean {
  return anyRunMatch(pattern, value, { question: false });
}

/** Age in whole days of a timestamp (ISO string, Date, epoch) at `now`; undefined when unreadable. */
export function ageDays(v: unknown, now: Date): number | undefined {
  const t = toTime(v);
  return t === undefined ? undefined : Math.floor((now.getTime() - t) / DAY);
}

export const pct = (n: number, total: number): number => (total === 0 ? 100 : Math.round((n / total) * 1000) / 10);

/** Images as they are listed in messages: at most `max` names, then "+N more". */
export function listSome(items: readonly string[], max = 5): string {
  const uniq = [...new Set(items)];
  return uniq.length <= max ? uniq.join(', ') : `${uniq.slice(0, max).join(', ')} +${uniq.length - max} more`;
}

/**
 * A coverage ratio against a threshold, reported once on the cluster (rule `rule`); when it is
 * below the threshold, each uncovered item also fails `itemRule` so that owners see their
 * resources. Covered items pass `itemRule`.
 */
export function reportCoverage(
  ctx: CheckContext,
  opts: {
    rule: string;
    itemRule: string;
    what: string;
    threshold: number;
    covered: { resource: K8sObject | ResourceRef; message: string }[];
    missing: { resource: K8sObject | ResourceRef; message: string; label: string }[];
    severity?: 'critical' | 'high' | 'medium' | 'low';
  },
): void {
  const total = opts.covered.length + opts.missing.length;
  const share = pct(opts.covered.length, total);
  for (const c of opts.covered) ctx.pass(c.resource, opts.itemRule, c.message);
  const below = share < opts.threshold;
  if (below) for (const m of opts.missing) ctx.fail(m.resource, opts.itemRule, m.message, opts.severity ? { severity: opts.severity } : undefined);
  const summary = `${opts.covered.length} of ${total} ${opts.what} (${share} %, threshold ${opts.threshold} %)`;
  const details = { covered: opts.covered.length, total, percent: share, threshold: opts.threshold, missing: opts.missing.map((m) => m.label).slice(0, 50) };
  if (below) ctx.fail(clusterScope(ctx), opts.rule, `${summary}; missing: ${listSome(opts.missing.map((m) => m.label))}`, { details, ...(opts.severity ? { severity: opts.severity } : {}) });
  else {
    ctx.pass(clusterScope(ctx), opts.rule, summary, details);
    if (opts.missing.length > 0) ctx.note(`within the threshold, but not covered: ${listSome(opts.missing.map((m) => m.label), 10)}`);
  }
}

/** Label of a workload for messages: `namespace/Kind/name`. */
export function workloadLabel(w: Workload): string {
  return `${w.namespace}/${w.obj.kind}/${w.obj.metadata.name ?? '?'}`;
}
