import type { Evidence, K8sObject } from '../../model/index.js';
import { WORKLOAD_KINDS } from './keys.js';

/** The subset of a PodSpec the checks read. Fields are optional because inputs are untrusted. */
export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: Volume[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: PodSecurityContext;
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  nodeSelector?: Record<string, string>;
  os?: { name?: string };
  [k: string]: unknown;
}

export interface SecurityContextCommon {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  seccompProfile?: { type?: string; localhostProfile?: string };
  seLinuxOptions?: Record<string, string>;
  windowsOptions?: { hostProcess?: boolean };
}
export type PodSecurityContext = SecurityContextCommon & { [k: string]: unknown };
export interface ContainerSecurityContext extends SecurityContextCommon {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  procMount?: string;
}

export interface Container {
  name?: string;
  image?: string;
  securityContext?: ContainerSecurityContext;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  env?: { name?: string; value?: string; valueFrom?: unknown }[];
  ports?: { containerPort?: number; hostPort?: number }[];
  restartPolicy?: string;
  args?: string[];
  command?: string[];
  [k: string]: unknown;
}

export interface Volume {
  name?: string;
  hostPath?: { path?: string; type?: string };
  csi?: { driver?: string; volumeAttributes?: Record<string, string> };
  [k: string]: unknown;
}

export type ContainerKind = 'container' | 'initContainer' | 'ephemeralContainer';

export interface Workload {
  /** The object as it appears in the input (Deployment, CronJob, bare Pod, ...). */
  obj: K8sObject;
  /** The pod spec it runs (the template's for controllers). */
  spec: PodSpec;
  /** Pod template metadata (labels/annotations of the pods it creates). */
  podMeta: { labels?: Record<string, string>; annotations?: Record<string, string> };
  namespace: string;
}

const WORKLOAD_SET = new Set<string>(WORKLOAD_KINDS.map((k) => k.split('/')[1]!));

function asObj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The pod template (metadata + spec) of a workload object, or undefined when it has none. */
export function podTemplate(obj: K8sObject): { metadata?: Record<string, unknown>; spec: PodSpec } | undefined {
  const spec = asObj(obj.spec);
  if (!spec) return undefined;
  if (obj.kind === 'Pod') return { metadata: obj.metadata as Record<string, unknown>, spec: spec as PodSpec };
  if (obj.kind === 'CronJob') {
    const tpl = asObj(asObj(asObj(spec.jobTemplate)?.spec)?.template);
    const s = asObj(tpl?.spec);
    return s ? { metadata: asObj(tpl?.metadata) ?? {}, spec: s as PodSpec } : undefined;
  }
  const tpl = asObj(spec.template);
  const s = asObj(tpl?.spec);
  return s ? { metadata: asObj(tpl?.metadata) ?? {}, spec: s as PodSpec } : undefined;
}

/**
 * Workloads as they appear in the input, one per controller: a Pod, ReplicaSet or Job whose
 * controlling owner is another workload in the snapshot is covered by that owner and skipped,
 * so replicas are not counted many times (controls.md CC5-HARD-03).
 */
export function workloads(ev: Evidence): Workload[] {
  // The guarded reads first (the control must declare the workload kinds), then the list itself,
  // computed once per run: every workload control walks the same list.
  const kinds = WORKLOAD_KINDS.filter((kind) => ev.has(`k8s:${kind}`) || ev.state(`k8s:${kind}`) === 'partial');
  const lists = kinds.map((kind) => ev.objects(kind));
  return ev.memo(`workloads:${kinds.join(',')}`, () => computeWorkloads(ev, lists));
}

function computeWorkloads(ev: Evidence, lists: readonly (readonly K8sObject[])[]): Workload[] {
  const out: Workload[] = [];
  for (const list of lists) {
    for (const obj of list) {
      const owner = ev.owner(obj);
      if (owner && WORKLOAD_SET.has(owner.kind)) continue;
      const tpl = podTemplate(obj);
      if (!tpl) continue;
      const meta = tpl.metadata ?? {};
      out.push({
        obj,
        spec: tpl.spec,
        podMeta: {
          ...(asObj(meta.labels) ? { labels: meta.labels as Record<string, string> } : {}),
          ...(asObj(meta.annotations) ? { annotations: meta.annotations as Record<string, string> } : {}),
        },
        namespace: obj.metadata.namespace ?? 'default',
      });
    }
  }
  return out;
}

/** The container lists of a pod spec, in the order every check reads them, with the kind of their containers. */
export const CONTAINER_LISTS = [['initContainers', 'initContainer'], ['containers', 'container'], ['ephemeralContainers', 'ephemeralContainer']] as const;

/**
 * Every container of a pod spec with its kind: init containers, containers, ephemeral containers.
 * A new array each call (checks call it per rule and workload: an array is cheaper than a generator).
 */
export function containersOf(spec: PodSpec): { c: Container; kind: ContainerKind }[] {
  const out: { c: Container; kind: ContainerKind }[] = [];
  for (const [field, kind] of CONTAINER_LISTS) {
    const list = spec[field];
    if (Array.isArray(list)) for (const c of list as Container[]) out.push({ c, kind });
  }
  return out;
}

/**
 * The containers of a pod spec in the order of containersOf, without their kinds (may be the spec's
 * own list: read only); without the ephemeral ones when `ephemeral` is false.
 */
export function allContainers(spec: PodSpec, ephemeral = true): readonly Container[] {
  const { initContainers: init, containers: main } = spec;
  const eph = ephemeral ? spec.ephemeralContainers : undefined;
  if (!Array.isArray(init) && !Array.isArray(eph)) return Array.isArray(main) ? (main as Container[]) : [];
  const out: Container[] = [];
  if (Array.isArray(init)) for (const c of init as Container[]) out.push(c);
  if (Array.isArray(main)) for (const c of main as Container[]) out.push(c);
  if (Array.isArray(eph)) for (const c of eph as Container[]) out.push(c);
  return out;
}

export function arr<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

/** Image references of a pod spec (init, regular and ephemeral containers). */
export function imagesOf(spec: PodSpec): string[] {
  const out: string[] = [];
  for (const c of allContainers(spec)) if (typeof c.image === 'string') out.push(c.image);
  return out;
}
