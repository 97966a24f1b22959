import type { Evidence, K8sObject } from '../../model/index.js';
import { toTime } from './aws.js';
import { digestFromImageId, topController } from './scanners.js';
import { arr } from './workloads.js';

/**
 * How long a CRITICAL vulnerability of a Trivy VulnerabilityReport has been open, from the earliest
 * date a pure check can trust. The report's own creationTimestamp is not such a date: the Trivy
 * operator deletes and re-creates reports when they expire (every 24 h by default), so an age taken from
 * it never passes the SLA. The vulnerability was present and known at any time that is both after the
 * running image was deployed (its ReplicaSet's creation, or the oldest pod running it) and after the
 * CVE was published; the report's creation is a second, weaker such time. The earliest of these
 * bounds the age from below: beyond the SLA, the failure is proven. Within it, the age is accepted
 * when it comes from the deployment (bounded by the publication), or when the CVE was published less
 * than the SLA ago; an age from the report's creation alone proves nothing and is not evaluated.
 */

export type DateSource = 'deployed' | 'published' | 'report-created' | 'store';

export interface OpenSince {
  /** Epoch ms since when the vulnerability is known to be open in the running image. */
  time: number;
  source: DateSource;
  /** The date and where it comes from, for messages. */
  why: string;
  /** The age is a trustworthy verdict when within the SLA (deployment or publication date), not only a lower bound. */
  decisive: boolean;
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

const TARGET_KINDS: Record<string, string> = {
  ReplicaSet: 'apps/ReplicaSet', Pod: 'core/Pod', StatefulSet: 'apps/StatefulSet', DaemonSet: 'apps/DaemonSet', Deployment: 'apps/Deployment',
  ReplicationController: 'core/ReplicationController',
};

interface Artifact { repository?: string; tag?: string; digest?: string }

/** Whether a pod's container runs the scanned artifact (digest when both sides know it, else tag; lenient when neither does). */
function runsArtifact(pod: K8sObject, container: string, a: Artifact): boolean {
  const spec = (pod.spec ?? {}) as { containers?: { name?: string; image?: string }[]; initContainers?: { name?: string; image?: string }[] };
  const c = [...arr<{ name?: string; image?: string }>(spec.containers), ...arr<{ name?: string; image?: string }>(spec.initContainers)].find((x) => x.name === container);
  if (!c) return false;
  const st = (pod.status ?? {}) as Record<string, unknown>;
  const status = [...arr<{ name?: string; imageID?: string }>(st.containerStatuses), ...arr<{ name?: string; imageID?: string }>(st.initContainerStatuses)].find((x) => x.name === container);
  const running = digestFromImageId(status?.imageID) ?? (c.image?.includes('@') ? c.image.slice(c.image.lastIndexOf('@') + 1).toLowerCase() : undefined);
  if (a.digest && running) return a.digest.toLowerCase() === running;
  if (a.tag && c.image && !c.image.includes('@')) return c.image.endsWith(`:${a.tag}`);
  return true;
}

/**
 * When the image a report describes was deployed: the creation of the ReplicaSet (or bare Pod) the
 * report targets, else the oldest pod of the targeted long-running controller (StatefulSet, DaemonSet,
 * ReplicationController) that runs the scanned artifact (pods are re-created, so this is a lower
 * bound: the image ran at least since then). Jobs and CronJobs start new pods on every run: their pods
 * say nothing about how long the image has been in use, and no date is taken from them.
 */
export function deployedAt(ev: Evidence, report: K8sObject, target: { kind: string; name: string; namespace: string; container: string }): { time: number; why: string } | undefined {
  const kindKey = TARGET_KINDS[target.kind];
  if (!kindKey || !ev.has(`k8s:${kindKey}`)) return undefined;
  const obj = ev.get(kindKey, target.namespace, target.name);
  if (!obj) return undefined;
  if (target.kind === 'ReplicaSet' || target.kind === 'Pod') {
    const t = toTime(obj.metadata.creationTimestamp);
    return t === undefined ? undefined : { time: t, why: `${target.kind} ${target.namespace}/${target.name} created ${day(t)}` };
  }
  if (!ev.has('k8s:core/Pod')) return undefined;
  const artifact = ((report.report as { artifact?: Artifact } | undefined)?.artifact ?? {});
  let oldest: { time: number; name: string } | undefined;
  for (const pod of ev.inNamespace('core/Pod', target.namespace)) {
    if (topController(ev, pod) !== obj || !runsArtifact(pod, target.container, artifact)) continue;
    const t = toTime(pod.metadata.creationTimestamp);
    if (t !== undefined && (!oldest || t < oldest.time)) oldest = { time: t, name: pod.metadata.name ?? '?' };
  }
  return oldest ? { time: oldest.time, why: `its oldest running pod ${target.namespace}/${oldest.name} created ${day(oldest.time)}` } : undefined;
}

/** Since when a vulnerability has been open, given when its image was deployed, its publication and the report's creation. */
export function openSince(deployed: { time: number; why: string } | undefined, published: number | undefined, reportCreated: number | undefined, now: number, slaDays: number): OpenSince | undefined {
  const candidates: OpenSince[] = [];
  if (deployed && published !== undefined) {
    candidates.push(published > deployed.time
      ? { time: published, source: 'published', why: `the CVE was published on ${day(published)}, after the image was deployed (${deployed.why})`, decisive: true }
      : { time: deployed.time, source: 'deployed', why: `the image was deployed (${deployed.why})`, decisive: true });
  }
  if (reportCreated !== undefined) {
    candidates.push({ time: reportCreated, source: 'report-created', why: `the report was created on ${day(reportCreated)} (the Trivy operator re-creates reports, so the vulnerability may be older)`, decisive: false });
  }
  if (candidates.length === 0) return undefined;
  const earliest = candidates.reduce((a, b) => (b.time < a.time ? b : a));
  // Within the SLA the age is accepted when a deployment date bounds it, or when the CVE was published
  // less than the SLA ago (it cannot be past the SLA, whatever date the age came from).
  const decisive = candidates.some((c) => c.decisive) || (published !== undefined && (now - published) / 86_400_000 <= slaDays);
  return { ...earliest, decisive };
}

/**
 * The age with the evidence store's first sight of the vulnerability (`scan --store`): the vulnerability
 * was open at least since then, so the earliest of that and the report's dates bounds the age from below
 * (a renewed report no longer resets it). The store's date is decisive within the SLA when the store had
 * seen the same workload's image before without the vulnerability: it watched the vulnerability appear
 * (to the interval between stored scans). When the store first saw it with the image, it may be older.
 */
export function withFirstSight(base: OpenSince | undefined, seen: number | undefined, imageSeen: number | undefined, published: number | undefined, now: number, slaDays: number): OpenSince | undefined {
  if (seen === undefined) return base;
  const watched = imageSeen !== undefined && imageSeen < seen;
  if (base && base.time <= seen) return watched && !base.decisive ? { ...base, decisive: true } : base;
  const recent = published !== undefined && (now - published) / 86_400_000 <= slaDays;
  return {
    time: seen, source: 'store', decisive: watched || recent,
    why: watched
      ? `the evidence store first saw it on ${day(seen)}, in a run after it had seen the image without it (${day(imageSeen)})`
      : `the evidence store first saw it on ${day(seen)}, with the image (the vulnerability may be older)`,
  };
}
