import type { CheckContext, Evidence, EvidenceKey, K8sObject, ResourceRef } from '../../model/index.js';
import { countedEvidence } from '../../model/index.js';
import { computeType, crdNames } from './addons.js';
import { k8s } from './keys.js';
import { podsByWorkload, workloadKey } from './network.js';
import { arr, workloads } from './workloads.js';
import type { Container, PodSpec, Workload } from './workloads.js';

/**
 * Service-mesh detection and pod coverage for the optional "Service Mesh Implementation" controls
 * (CC6-MESH-01..03) and the east-west part of CC9-ENC-04.
 */

/** Evidence every mesh control reads to decide whether a mesh is installed. */
export const MESH_DETECTION_KEYS: EvidenceKey[] = [
  k8s('apiextensions.k8s.io/CustomResourceDefinition'), k8s('apps/Deployment'), k8s('apps/DaemonSet'), k8s('core/Namespace'),
];

export const PROXY_CONTAINERS = new Set(['istio-proxy', 'linkerd-proxy']);

export interface MeshInfo {
  istio?: {
    /** istiod Deployments (one per revision). */
    controlPlane: K8sObject[];
    /** Root namespace for mesh-wide policy (where istiod runs; default istio-system). */
    rootNamespace: string;
    /** The ambient node proxy DaemonSet, when ambient mode is installed. */
    ztunnel?: K8sObject;
  };
  linkerd?: { controlPlane: K8sObject[]; missing: string[] };
  /** AWS App Mesh (discontinued 2026-09-30): what revealed it. */
  appMesh?: string;
  installed: boolean;
}

const LINKERD_DEPLOYMENTS = ['linkerd-destination', 'linkerd-identity', 'linkerd-proxy-injector'];

/** Which meshes are installed, from CRDs, control-plane Deployments/DaemonSets and namespaces. */
export function detectMesh(ev: Evidence): MeshInfo {
  const crds = [...crdNames(ev)];
  const deployments = ev.objects('apps/Deployment');
  const daemonsets = ev.objects('apps/DaemonSet');
  const namespaces = new Set(ev.objects('core/Namespace').map((n) => n.metadata.name));
  const info: MeshInfo = { installed: false };

  const istiod = deployments.filter((d) => /^istiod(-.+)?$/.test(d.metadata.name ?? ''));
  const istioCrds = crds.some((c) => c.endsWith('.istio.io'));
  if (istiod.length > 0 || istioCrds || namespaces.has('istio-system')) {
    const ztunnel = daemonsets.find((d) => d.metadata.name === 'ztunnel');
    info.istio = { controlPlane: istiod, rootNamespace: istiod[0]?.metadata.namespace ?? 'istio-system', ...(ztunnel ? { ztunnel } : {}) };
  }

  const linkerd = deployments.filter((d) => LINKERD_DEPLOYMENTS.includes(d.metadata.name ?? ''));
  if (linkerd.length > 0 || crds.some((c) => c.endsWith('.linkerd.io')) || namespaces.has('linkerd')) {
    const names = new Set(linkerd.map((d) => d.metadata.name));
    info.linkerd = { controlPlane: linkerd, missing: LINKERD_DEPLOYMENTS.filter((n) => !names.has(n)) };
  }

  const appMeshCrd = crds.find((c) => c.endsWith('.appmesh.k8s.aws'));
  const appMeshController = deployments.find((d) => d.metadata.name === 'appmesh-controller');
  if (appMeshCrd || appMeshController) info.appMesh = appMeshCrd ? `CRD ${appMeshCrd}` : `Deployment ${appMeshController!.metadata.namespace}/appmesh-controller`;

  info.installed = Boolean(info.istio || info.linkerd || info.appMesh);
  return info;
}

/**
 * The common opening of every mesh control: not applicable when no mesh is installed and the mesh
 * is out of scope; a failure when it is in scope but missing; App Mesh fails (discontinued).
 * Returns the mesh to evaluate, or undefined when the control is decided.
 */
export function meshGate(ev: Evidence, ctx: CheckContext, cluster: ResourceRef): MeshInfo | undefined {
  const mesh = detectMesh(ev);
  if (!mesh.installed) {
    if (!ctx.config.scope.serviceMesh) {
      ctx.notApplicable('no service mesh is installed and the optional mesh section is out of scope (configuration scope.serviceMesh: false)');
    } else if (!MESH_DETECTION_KEYS.every((k) => ev.complete(k))) {
      ctx.unevaluated('mesh-installed', 'no service mesh in the input, and the CRDs, Deployments, DaemonSets and Namespaces were not read as a whole inventory');
    } else {
      ctx.fail(cluster, 'mesh-installed', 'the service mesh is in scope (scope.serviceMesh: true) but no Istio or Linkerd control plane, CRDs or namespace was found');
    }
    return undefined;
  }
  if (mesh.appMesh) {
    ctx.fail(cluster, 'app-mesh-discontinued', `AWS App Mesh is in use (${mesh.appMesh}); AWS ended App Mesh support on 2026-09-30 — migrate to Istio, Linkerd or Amazon VPC Lattice`);
  } else {
    ctx.pass(cluster, 'app-mesh-discontinued', 'AWS App Mesh is not in use');
  }
  if (!mesh.istio && !mesh.linkerd) return undefined;
  ctx.pass(cluster, 'mesh-installed', `${[mesh.istio ? 'Istio' : '', mesh.linkerd ? 'Linkerd' : ''].filter(Boolean).join(' and ')} installed`);
  return mesh;
}

/** Pod spec carries a mesh proxy: a regular container, or a native sidecar (init container with restartPolicy Always). */
export function hasProxy(spec: PodSpec): string | undefined {
  for (const c of arr<Container>(spec.containers)) if (PROXY_CONTAINERS.has(c.name ?? '')) return c.name;
  for (const c of arr<Container>(spec.initContainers)) if (PROXY_CONTAINERS.has(c.name ?? '') && c.restartPolicy === 'Always') return `${c.name} (native sidecar)`;
  return undefined;
}

export interface MeshedWorkload {
  w: Workload;
  meshed: boolean;
  /** How it is (or is not) in the mesh, in words. */
  how: string;
  /** Reason the workload is left out of the coverage figure. */
  excluded?: string;
  /** True when the namespace (or the workload) asks for injection / ambient. */
  enrolled: boolean;
  ambient: boolean;
}

const BATCH_KINDS = new Set(['Job', 'CronJob']);

/**
 * Mesh membership of every workload outside the system namespaces. Running pods are the proof
 * (sidecars are injected at admission, so templates never show them); without pods, the injection
 * labels say what new pods will get. The caller must declare the workload kinds, `core/Node` and
 * `core/Namespace` (all optional).
 */
export function meshCoverage(ev: Evidence, mesh: MeshInfo, ctx: CheckContext): MeshedWorkload[] {
  const nsLabels = new Map<string, { labels: Record<string, string>; annotations: Record<string, string> }>();
  for (const n of ev.objects('core/Namespace')) nsLabels.set(n.metadata.name ?? '', { labels: n.metadata.labels ?? {}, annotations: n.metadata.annotations ?? {} });
  const nodes = new Map(ev.objects('core/Node').map((n) => [n.metadata.name ?? '', n] as const));
  const pods = podsByWorkload(ev);
  const res: MeshedWorkload[] = [];
  for (const w of workloads(ev)) {
    if (ctx.isSystemNamespace(w.namespace)) continue;
    const ns = nsLabels.get(w.namespace) ?? { labels: {}, annotations: {} };
    const tplLabels = w.podMeta.labels ?? {};
    const tplAnn = w.podMeta.annotations ?? {};
    const istioInject = Boolean(mesh.istio) && tplLabels['sidecar.istio.io/inject'] !== 'false' && tplAnn['sidecar.istio.io/inject'] !== 'false'
      && (ns.labels['istio-injection'] === 'enabled' || (ns.labels['istio.io/rev'] !== undefined && ns.labels['istio-injection'] !== 'disabled') || (tplLabels['sidecar.istio.io/inject'] === 'true' && ns.labels['istio-injection'] !== 'disabled'));
    const linkerdAnn = tplAnn['linkerd.io/inject'] ?? ns.annotations['linkerd.io/inject'];
    const linkerdInject = Boolean(mesh.linkerd) && (linkerdAnn === 'enabled' || linkerdAnn === 'ingress');
    const ambientNs = Boolean(mesh.istio?.ztunnel) && (ns.labels['istio.io/dataplane-mode'] === 'ambient' || tplLabels['istio.io/dataplane-mode'] === 'ambient') && tplLabels['istio.io/dataplane-mode'] !== 'none';
    const enrolled = istioInject || linkerdInject || ambientNs;
    const base = { w, enrolled, ambient: false };
    if (w.spec.hostNetwork === true) { res.push({ ...base, meshed: false, how: 'uses the host network (no sidecar interception)', excluded: 'hostNetwork' }); continue; }
    if (BATCH_KINDS.has(w.obj.kind)) { res.push({ ...base, meshed: Boolean(hasProxy(w.spec)), how: 'batch workload', excluded: 'batch job' }); continue; }
    const own = w.obj.kind === 'Pod' ? [w.obj] : (pods.get(workloadKey(w.obj)) ?? []);
    const onFargate = own.some((p) => { const n = nodes.get(((p.spec ?? {}) as { nodeName?: string }).nodeName ?? ''); return n !== undefined && computeType(n) === 'fargate'; });
    if (own.length > 0) {
      const withProxy = own.filter((p) => hasProxy((p.spec ?? {}) as PodSpec));
      if (withProxy.length === own.length) { res.push({ ...base, meshed: true, how: `${hasProxy((own[0]!.spec ?? {}) as PodSpec)} in ${own.length === 1 ? 'its pod' : `all ${own.length} pods`}` }); continue; }
      if (ambientNs && !onFargate) { res.push({ ...base, ambient: true, meshed: true, how: 'ambient mode (ztunnel)' }); continue; }
      const why = withProxy.length > 0 ? `${own.length - withProxy.length} of ${own.length} pods run without a proxy`
        : enrolled ? `injection is enabled but its ${own.length === 1 ? 'pod runs' : `${own.length} pods run`} without a proxy (started before injection was enabled? restart the rollout)`
          : ambientNs && onFargate ? 'ambient mode cannot reach Fargate pods (no ztunnel DaemonSet there)'
            : 'not enrolled in the mesh (no injection label or annotation)';
      res.push({ ...base, meshed: false, how: why });
      continue;
    }
    const inTemplate = hasProxy(w.spec);
    if (inTemplate) res.push({ ...base, meshed: true, how: `${inTemplate} in the pod template` });
    else if (ambientNs) res.push({ ...base, ambient: true, meshed: true, how: 'ambient mode (ztunnel); no running pod to confirm' });
    else if (enrolled) res.push({ ...base, meshed: true, how: 'sidecar injection enabled; no running pod to confirm' });
    else res.push({ ...base, meshed: false, how: 'not enrolled in the mesh (no injection label or annotation)' });
  }
  return res;
}

/** Namespaces (outside the system ones) with at least one workload in, or enrolled in, the mesh. */
export function meshNamespaces(coverage: readonly MeshedWorkload[]): string[] {
  return [...new Set(coverage.filter((c) => c.meshed || c.enrolled).map((c) => c.w.namespace))].sort();
}

/** A Kubernetes-style ref for a namespace that may have no Namespace object in the input. */
export function namespaceRef(ev: Evidence, ns: string): K8sObject | ResourceRef {
  return ev.get('core/Namespace', '', ns) ?? { provider: 'kubernetes', apiVersion: 'v1', kind: 'Namespace', name: ns };
}

/**
 * A cluster-wide setting held by an object in a system namespace (the aws-node DaemonSet, istiod, the
 * mesh-wide PeerAuthentication): it is the control's own evidence, so its findings count in the
 * status (see `countedEvidence`) and keep their namespace.
 */
export function clusterScoped(o: K8sObject): K8sObject {
  return countedEvidence(o);
}

/** True when a workload selector (Istio `selector.matchLabels`) is present and non-empty. */
export function hasWorkloadSelector(spec: Record<string, unknown> | undefined): boolean {
  const sel = spec?.selector as { matchLabels?: Record<string, string> } | undefined;
  const target = spec?.targetRef ?? spec?.targetRefs;
  return Boolean(sel && Object.keys(sel.matchLabels ?? {}).length > 0) || Boolean(target);
}
