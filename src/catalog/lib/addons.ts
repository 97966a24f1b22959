import type { Evidence, K8sObject } from '../../model/index.js';
import { imagesOf, podTemplate } from './workloads.js';

/**
 * Generic detection of add-ons installed in the cluster (by Helm, manifests or EKS add-ons), shared
 * by every control that asks "is X deployed and healthy?".
 */

export interface Match {
  /** Namespaces to look in (any when omitted). */
  namespaces?: string[];
  /** Object names (exact). */
  names?: string[];
  /** Labels that must all match (exact values). */
  labels?: Record<string, string>;
  /** Any container image whose repository path contains one of these strings (e.g. `aquasec/kube-bench`). */
  images?: string[];
}

function labelsOf(o: K8sObject): Record<string, string> {
  return o.metadata.labels ?? {};
}

/** True when an object matches any of the given criteria sets (each set: all its fields). */
export function matches(o: K8sObject, m: Match): boolean {
  if (m.namespaces && !m.namespaces.includes(o.metadata.namespace ?? '')) return false;
  const checks: boolean[] = [];
  if (m.names) checks.push(m.names.includes(o.metadata.name ?? ''));
  if (m.labels) {
    const l = labelsOf(o);
    const tl = (podTemplate(o)?.metadata?.labels ?? {}) as Record<string, string>;
    checks.push(Object.entries(m.labels).every(([k, v]) => l[k] === v || tl[k] === v));
  }
  if (m.images) {
    const spec = podTemplate(o)?.spec;
    const imgs = spec ? imagesOf(spec) : [];
    checks.push(imgs.some((i) => m.images!.some((needle) => i.includes(needle))));
  }
  // Without name/label/image criteria, the namespace alone decides.
  return checks.length === 0 ? true : checks.some(Boolean);
}

/** Objects of `kind` (e.g. `apps/Deployment`) matching `m`. */
export function find(ev: Evidence, kind: string, m: Match): K8sObject[] {
  return ev.objects(kind).filter((o) => matches(o, m));
}

type Status = Record<string, unknown>;
const num = (v: unknown) => (typeof v === 'number' ? v : 0);

/** A Deployment or StatefulSet is available: every desired replica ready (and at least one). */
export function isAvailable(o: K8sObject): boolean {
  const status = (o.status ?? {}) as Status;
  const spec = (o.spec ?? {}) as Status;
  const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
  if (desired === 0) return false;
  if (o.kind === 'Deployment') return num(status.availableReplicas) >= 1 && num(status.availableReplicas) >= Math.min(desired, num(status.replicas) || desired);
  return num(status.readyReplicas) >= 1;
}

/** A DaemonSet is ready on every node it is scheduled on (and scheduled somewhere). */
export function daemonSetReady(o: K8sObject): { ready: number; desired: number; ok: boolean } {
  const status = (o.status ?? {}) as Status;
  const desired = num(status.desiredNumberScheduled);
  const ready = num(status.numberReady);
  return { ready, desired, ok: desired > 0 && ready >= desired };
}

/** CRD names (`vulnerabilityreports.aquasecurity.github.io`) present in the cluster. */
export function crdNames(ev: Evidence): Set<string> {
  return new Set(ev.objects('apiextensions.k8s.io/CustomResourceDefinition').map((o) => o.metadata.name ?? ''));
}

/** Node compute type from the `eks.amazonaws.com/compute-type` label: ec2 (unlabelled), auto, fargate, hybrid. */
export function computeType(node: K8sObject): 'ec2' | 'auto' | 'fargate' | 'hybrid' {
  const v = node.metadata.labels?.['eks.amazonaws.com/compute-type'];
  return v === 'auto' || v === 'fargate' || v === 'hybrid' ? v : 'ec2';
}

/** Nodes a DaemonSet-based agent can run on: Linux EC2 and Auto Mode nodes (never Fargate; hybrid optional). */
export function agentEligibleNodes(ev: Evidence, opts: { includeHybrid?: boolean; os?: 'linux' | 'windows' } = {}): K8sObject[] {
  const os = opts.os ?? 'linux';
  return ev.objects('core/Node').filter((n) => {
    const t = computeType(n);
    if (t === 'fargate') return false;
    if (t === 'hybrid' && !opts.includeHybrid) return false;
    const nodeOs = n.metadata.labels?.['kubernetes.io/os'] ?? ((n.status as Status | undefined)?.nodeInfo as Status | undefined)?.operatingSystem ?? 'linux';
    return nodeOs === os;
  });
}

/** The value of `status.conditions[type=…].status`. */
export function condition(o: K8sObject, type: string): string | undefined {
  const conds = ((o.status ?? {}) as Status).conditions;
  if (!Array.isArray(conds)) return undefined;
  const c = conds.find((x) => x && typeof x === 'object' && (x as Status).type === type) as Status | undefined;
  return typeof c?.status === 'string' ? c.status : undefined;
}
