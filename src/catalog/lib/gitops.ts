import type { Evidence, K8sObject } from '../../model/index.js';
import { condition, isAvailable } from './addons.js';
import { imagesOf, podTemplate } from './workloads.js';
import { rec, str } from './delivery.js';

/**
 * GitOps evidence shared by CC7-CHG-01, CC8-PIPE-02 and CC8-PIPE-04: Argo CD Applications and
 * AppProjects, Flux Kustomizations and HelmReleases, their controllers, and the markers that tie a
 * workload to the tool that deploys it.
 */

export const ARGO_APP = 'argoproj.io/Application';
export const ARGO_PROJECT = 'argoproj.io/AppProject';
export const FLUX_KUSTOMIZATION = 'kustomize.toolkit.fluxcd.io/Kustomization';
export const FLUX_HELMRELEASE = 'helm.toolkit.fluxcd.io/HelmRelease';


/** `status.sync.status` of an Application (`Synced`, `OutOfSync`, `Unknown`). */
export function appSyncStatus(app: K8sObject): string | undefined {
  return str(rec(rec(app.status)?.sync)?.status);
}

/** `status.health.status` of an Application. */
export function appHealth(app: K8sObject): string | undefined {
  return str(rec(rec(app.status)?.health)?.status);
}

/**
 * Automated sync settings. `spec.syncPolicy.automated` present turns auto-sync on unless Argo CD 3's
 * `enabled: false` switches it off; `selfHeal` (revert changes made outside Git) defaults to false.
 */
export function appAutomation(app: K8sObject): { automated: boolean; selfHeal: boolean; prune: boolean } {
  const automated = rec(rec(rec(app.spec)?.syncPolicy)?.automated);
  if (!automated || automated.enabled === false) return { automated: false, selfHeal: false, prune: false };
  return { automated: true, selfHeal: automated.selfHeal === true, prune: automated.prune === true };
}

/**
 * Why a manually synced Application is OutOfSync, from its status: `pending` when Git has a revision
 * that was never synced (`status.sync.revision` differs from the last deployed one in
 * `status.history` / `status.operationState.syncResult`) — the change waits for the manual sync, the
 * approval gate; `drift` when the live objects differ from the revision that was synced; undefined
 * when the status does not say (no revision, or never deployed and no history in the input).
 */
export function outOfSyncCause(app: K8sObject): 'pending' | 'drift' | undefined {
  const status = rec(app.status);
  const sync = rec(status?.sync);
  const target = str(sync?.revision) ?? (Array.isArray(sync?.revisions) ? sync.revisions.map(String).join(',') : undefined);
  if (!target) return undefined;
  const history = Array.isArray(status?.history) ? status.history.map(rec).filter((h) => h !== undefined) : [];
  const last = history[history.length - 1];
  const op = rec(rec(rec(status?.operationState)?.syncResult));
  const revisionOf = (r: Record<string, unknown> | undefined) => str(r?.revision) ?? (Array.isArray(r?.revisions) ? r.revisions.map(String).join(',') : undefined);
  const deployed = revisionOf(last) ?? revisionOf(op);
  if (!deployed) return undefined;
  return deployed === target ? 'drift' : 'pending';
}

/** The AppProject an Application belongs to (`default` when unset). */
export function appProjectName(app: K8sObject): string {
  return str(rec(app.spec)?.project) || 'default';
}

/** Identity of a managed object: `group/Kind/namespace/name` (core group = ''). */
export function resourceKey(group: string, kind: string, namespace: string | undefined, name: string): string {
  return `${group}/${kind}/${namespace ?? ''}/${name}`;
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i === -1 ? '' : apiVersion.slice(0, i);
}

/**
 * Objects that Argo CD reports it manages (`Application.status.resources`), keyed by
 * `resourceKey`, with the Application's name. This holds whatever the tracking method (annotation,
 * label or both), so label-mode installations are recognised without reading `argocd-cm`.
 */
export function argoManagedResources(apps: readonly K8sObject[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const app of apps) {
    const resources = rec(app.status)?.resources;
    if (!Array.isArray(resources)) continue;
    for (const r of resources) {
      const x = rec(r);
      const kind = str(x?.kind);
      const name = str(x?.name);
      if (!kind || !name) continue;
      m.set(resourceKey(str(x?.group) ?? '', kind, str(x?.namespace), name), app.metadata.name ?? '?');
    }
  }
  return m;
}

export type GitopsOwner =
  | { tool: 'argocd' | 'flux' | 'eks-addon'; how: string }
  | undefined;

/**
 * The GitOps (or EKS add-on) ownership marker of an object, if any. `app.kubernetes.io/instance`
 * alone is deliberately not a marker: Helm sets it too (controls.md CC7-CHG-01).
 */
export function gitopsOwner(o: K8sObject, argoManaged: ReadonlyMap<string, string>): GitopsOwner {
  const labels = o.metadata.labels ?? {};
  const annotations = o.metadata.annotations ?? {};
  const tracking = annotations['argocd.argoproj.io/tracking-id'];
  if (tracking) return { tool: 'argocd', how: `Argo CD tracking-id ${tracking.split(':')[0] ?? ''}`.trim() };
  const app = argoManaged.get(resourceKey(groupOf(o.apiVersion), o.kind, o.metadata.namespace, o.metadata.name ?? ''));
  if (app) return { tool: 'argocd', how: `listed in Argo CD Application ${app}` };
  const ks = labels['kustomize.toolkit.fluxcd.io/name'];
  if (ks) return { tool: 'flux', how: `Flux Kustomization ${labels['kustomize.toolkit.fluxcd.io/namespace'] ?? '?'}/${ks}` };
  const hr = labels['helm.toolkit.fluxcd.io/name'];
  if (hr) return { tool: 'flux', how: `Flux HelmRelease ${labels['helm.toolkit.fluxcd.io/namespace'] ?? '?'}/${hr}` };
  if (labels['app.kubernetes.io/managed-by'] === 'EKS' || labels['eks.amazonaws.com/component']) return { tool: 'eks-addon', how: 'managed by an EKS add-on' };
  return undefined;
}

/** True when only the Helm/Argo-ambiguous instance label is present (for a clearer message). */
export function hasInstanceLabelOnly(o: K8sObject): boolean {
  return Boolean(o.metadata.labels?.['app.kubernetes.io/instance']);
}

/** A Flux object's readiness: `Ready` condition, suspended flag. */
export function fluxState(o: K8sObject): { ready: string | undefined; suspended: boolean } {
  return { ready: condition(o, 'Ready'), suspended: rec(o.spec)?.suspend === true };
}

/** HelmRelease in-cluster drift detection mode (`enabled`, `warn`, `disabled` = default). */
export function helmDriftMode(o: K8sObject): string {
  return str(rec(rec(o.spec)?.driftDetection)?.mode) ?? 'disabled';
}

export interface ControllerInstall {
  tool: 'argocd' | 'flux';
  namespace: string;
  /** Components found, by component name. */
  components: Map<string, K8sObject>;
  /** Components the installation needs to reconcile (present ones). */
  required: string[];
  /** Required components that are missing. */
  missing: string[];
  /** Required components found but not available. */
  unavailable: K8sObject[];
}

const ARGO_COMPONENTS = ['argocd-application-controller', 'argocd-repo-server', 'argocd-server', 'argocd-applicationset-controller'];
const ARGO_REQUIRED = ['argocd-application-controller', 'argocd-repo-server'];
const FLUX_COMPONENTS = ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'];

function componentName(o: K8sObject, known: readonly string[]): string | undefined {
  const labels = o.metadata.labels ?? {};
  for (const c of [o.metadata.name, labels['app.kubernetes.io/name'], labels['app.kubernetes.io/component'], labels.app]) {
    if (c && known.includes(c)) return c;
  }
  return undefined;
}

/**
 * Argo CD and Flux installations found in the cluster, grouped by namespace. Argo CD needs its
 * application controller (Deployment or StatefulSet) and repo server; Flux its source controller
 * and a kustomize or helm controller.
 */
export function gitopsControllers(ev: Evidence): ControllerInstall[] {
  const candidates = [...ev.objects('apps/Deployment'), ...ev.objects('apps/StatefulSet')];
  const installs = new Map<string, ControllerInstall>();
  const add = (tool: 'argocd' | 'flux', o: K8sObject, name: string) => {
    const ns = o.metadata.namespace ?? '';
    const key = `${tool}|${ns}`;
    let inst = installs.get(key);
    if (!inst) installs.set(key, (inst = { tool, namespace: ns, components: new Map(), required: [], missing: [], unavailable: [] }));
    inst.components.set(name, o);
  };
  for (const o of candidates) {
    const argo = componentName(o, ARGO_COMPONENTS);
    if (argo) { add('argocd', o, argo); continue; }
    const labels = o.metadata.labels ?? {};
    const flux = componentName(o, FLUX_COMPONENTS);
    if (flux && (labels['app.kubernetes.io/part-of'] === 'flux' || isFluxImage(o))) add('flux', o, flux);
  }
  for (const inst of installs.values()) {
    if (inst.tool === 'argocd') {
      inst.missing = ARGO_REQUIRED.filter((c) => !inst.components.has(c));
      inst.required = ARGO_REQUIRED.filter((c) => inst.components.has(c));
    } else {
      const appliers = ['kustomize-controller', 'helm-controller'].filter((c) => inst.components.has(c));
      inst.missing = [...(inst.components.has('source-controller') ? [] : ['source-controller']), ...(appliers.length ? [] : ['kustomize-controller or helm-controller'])];
      inst.required = [...(inst.components.has('source-controller') ? ['source-controller'] : []), ...appliers];
    }
    inst.unavailable = inst.required.map((c) => inst.components.get(c)!).filter((o) => !isAvailable(o));
  }
  return [...installs.values()].sort((a, b) => a.tool.localeCompare(b.tool) || a.namespace.localeCompare(b.namespace));
}

function isFluxImage(o: K8sObject): boolean {
  const spec = podTemplate(o)?.spec;
  return spec ? imagesOf(spec).some((i) => i.includes('fluxcd/')) : false;
}
