/**
 * A small Kubernetes API server for tests and benchmarks: HTTPS on 127.0.0.1 with the self-signed
 * certificate in test/fixtures/tls/, speaking enough of the API for a read-only collector —
 * `/version`, discovery (`/api`, `/api/v1`, `/apis`, `/apis/<group>/<version>`), LIST with
 * `limit`/`continue` pagination (opaque tokens), GET by name, metadata-only lists
 * (PartialObjectMetadataList), SelfSubjectReview — plus the failures a real one produces: 401 for a
 * wrong bearer token, 403 per resource, 410 for an expired continue token, 429 with Retry-After,
 * slow responses and connections dropped mid-page. It counts every request so tests can assert the
 * calls a collector made.
 *
 * Objects come from arrays or from lazy generators (`{ count, item(i) }`), so a 150,000-pod cluster
 * never has to exist in memory. No vitest imports and no relative imports: benchmarks load this file
 * directly with Node's type stripping.
 */
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TLS_DIR = new URL('../fixtures/tls/', import.meta.url);

/** The test server's certificate (self-signed, also its own CA) and key. Test-only material. */
export function testTls(): { cert: string; key: string; otherCa: string } {
  return {
    cert: readFileSync(new URL('server.crt', TLS_DIR), 'utf8'),
    key: readFileSync(new URL('server.key', TLS_DIR), 'utf8'),
    otherCa: readFileSync(new URL('other-ca.crt', TLS_DIR), 'utf8'),
  };
}

/** One served API resource, as discovery describes it. */
export interface ResourceDef {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Plural resource name (`pods`). */
  plural: string;
  namespaced: boolean;
  /** Default get, list, watch. */
  verbs?: string[];
  /** Subresources listed in discovery (`status`, `log`, ...): a collector must skip them. */
  subresources?: string[];
  /** Custom resources carry apiVersion/kind in list items; built-in lists do not. */
  custom?: boolean;
  /** Other versions the group also serves this kind in (listed in discovery, preferred first). */
  alsoIn?: string[];
}

/** A lazily generated collection: item(i) for i in [0, count). */
export interface LazyObjects {
  count: number;
  item(i: number): Record<string, unknown>;
}

export interface RequestInfo {
  method: string;
  path: string;
  query: URLSearchParams;
  accept: string;
  authorization: string | undefined;
  /** Kubernetes verb for resource requests: get, list, create. */
  verb?: 'get' | 'list' | 'create';
  group?: string;
  version?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  /** The page number of a LIST (0 for the first page). */
  page?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  accept: string;
  status: number;
  verb?: string;
  group?: string;
  resource?: string;
  namespace?: string;
  name?: string;
}

/** What a test hook can do to one request. */
export type Interception =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { drop: 'before-response' | 'mid-body' }
  | { delayMs: number };

export interface InterceptContext {
  /** Make every continue token issued so far expire (410 on next use). */
  expireContinueTokens(): void;
}

export interface KubeApiServerOptions {
  /** Served resources. Default: the kinds of the given objects, from STANDARD_RESOURCES (or invented). */
  resources?: ResourceDef[];
  /** Also serve these standard kinds even without objects (keys `group/Kind`). */
  serve?: string[];
  /** Objects as an array (any kinds), and/or lazy collections keyed by `group/Kind`. */
  objects?: Record<string, unknown>[];
  lazy?: Record<string, LazyObjects>;
  /** Required bearer token (string), or a validator. Default: no authentication. */
  token?: string | ((token: string) => boolean);
  /** `/version` answer. */
  version?: { major: string; minor: string; gitVersion: string; platform?: string };
  /** Username SelfSubjectReview reports; `false` to not serve SelfSubjectReview (404). */
  username?: string | false;
  /** Resources (`group/plural`, core group as `core/pods`) that answer 403. */
  forbidden?: string[] | ((req: RequestInfo) => boolean);
  /** Per-request hook: return an Interception to alter the response. */
  intercept?: (req: RequestInfo, ctx: InterceptContext) => Interception | undefined | void;
  /** Metadata-only (PartialObjectMetadataList) support: honour (default), refuse with 406, or ignore it and send full objects. */
  metadataOnly?: 'honour' | 'not-acceptable' | 'ignore';
  /** Delay every response by this many milliseconds (slow server). */
  delayMs?: number;
  /** Largest page the server returns whatever `limit` asks (default 500, as many servers cap). */
  maxPage?: number;
  /** Listen port (default: any free port). */
  port?: number;
}

/** Built-in resources of a Kubernetes 1.33 API server (the ones a compliance scanner reads), plus well-known CRDs. */
export const STANDARD_RESOURCES: ResourceDef[] = [
  // core/v1
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, subresources: ['status', 'finalize'] },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, subresources: ['status', 'proxy'] },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, subresources: ['status', 'log', 'exec', 'eviction', 'ephemeralcontainers', 'binding', 'portforward', 'proxy', 'attach', 'resize'] },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, subresources: ['status', 'proxy'] },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, subresources: ['token'] },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true, subresources: ['status'] },
  { group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', namespaced: true },
  { group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false, subresources: ['status'] },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, subresources: ['status'] },
  { group: '', version: 'v1', kind: 'ReplicationController', plural: 'replicationcontrollers', namespaced: true, subresources: ['status', 'scale'] },
  { group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  // apps, batch, autoscaling, policy
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, subresources: ['status', 'scale'] },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, subresources: ['status', 'scale'] },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, subresources: ['status'] },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, subresources: ['status', 'scale'] },
  { group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true, subresources: ['status'] },
  { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true, subresources: ['status'] },
  { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true, subresources: ['status'], alsoIn: ['v1'] },
  { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true, subresources: ['status'] },
  // networking, rbac, storage
  { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', namespaced: true, subresources: ['status'] },
  { group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', namespaced: false },
  { group: 'storage.k8s.io', version: 'v1', kind: 'CSIDriver', plural: 'csidrivers', namespaced: false },
  { group: 'storage.k8s.io', version: 'v1', kind: 'CSINode', plural: 'csinodes', namespaced: false },
  { group: 'storage.k8s.io', version: 'v1', kind: 'VolumeAttachment', plural: 'volumeattachments', namespaced: false, subresources: ['status'] },
  // admission, extensions, aggregation, misc
  { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', namespaced: false },
  { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations', namespaced: false },
  { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicy', plural: 'validatingadmissionpolicies', namespaced: false, subresources: ['status'] },
  { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicyBinding', plural: 'validatingadmissionpolicybindings', namespaced: false },
  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false, subresources: ['status'] },
  { group: 'apiregistration.k8s.io', version: 'v1', kind: 'APIService', plural: 'apiservices', namespaced: false, subresources: ['status'] },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true },
  { group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false },
  { group: 'node.k8s.io', version: 'v1', kind: 'RuntimeClass', plural: 'runtimeclasses', namespaced: false },
  { group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests', namespaced: false, subresources: ['status', 'approval'] },
  { group: 'flowcontrol.apiserver.k8s.io', version: 'v1', kind: 'FlowSchema', plural: 'flowschemas', namespaced: false, subresources: ['status'] },
  { group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: ['create'] },
  { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', plural: 'tokenreviews', namespaced: false, verbs: ['create'] },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create'] },
  // well-known custom resources (controls.md §4.3 CRD groups)
  ...crds('aquasecurity.github.io', 'v1alpha1', [['VulnerabilityReport', true], ['ConfigAuditReport', true], ['ExposedSecretReport', true], ['RbacAssessmentReport', true], ['ClusterComplianceReport', false], ['ClusterVulnerabilityReport', false]]),
  ...crds('templates.gatekeeper.sh', 'v1', [['ConstraintTemplate', false]]),
  ...crds('constraints.gatekeeper.sh', 'v1beta1', [['K8sPSPPrivilegedContainer', false], ['K8sRequiredLabels', false]]),
  ...crds('config.gatekeeper.sh', 'v1alpha1', [['Config', true]]),
  ...crds('externaldata.gatekeeper.sh', 'v1beta1', [['Provider', false]]),
  ...crds('kyverno.io', 'v1', [['ClusterPolicy', false], ['Policy', true], ['PolicyException', true]]),
  ...crds('policies.kyverno.io', 'v1alpha1', [['ValidatingPolicy', false], ['ImageValidatingPolicy', false]]),
  ...crds('wgpolicyk8s.io', 'v1alpha2', [['PolicyReport', true], ['ClusterPolicyReport', false]]),
  ...crds('config.ratify.deislabs.io', 'v1beta1', [['Verifier', false], ['Store', false], ['KeyManagementProvider', false]]),
  ...crds('security.istio.io', 'v1', [['PeerAuthentication', true], ['AuthorizationPolicy', true], ['RequestAuthentication', true]]),
  ...crds('networking.istio.io', 'v1', [['DestinationRule', true], ['VirtualService', true], ['Gateway', true], ['Sidecar', true]]),
  ...crds('policy.linkerd.io', 'v1beta3', [['Server', true], ['AuthorizationPolicy', true], ['MeshTLSAuthentication', true]]),
  ...crds('crd.projectcalico.org', 'v1', [['NetworkPolicy', true], ['GlobalNetworkPolicy', false]]),
  ...crds('cilium.io', 'v2', [['CiliumNetworkPolicy', true], ['CiliumClusterwideNetworkPolicy', false]]),
  ...crds('source.toolkit.fluxcd.io', 'v1', [['GitRepository', true], ['HelmRepository', true], ['OCIRepository', true]]),
  ...crds('kustomize.toolkit.fluxcd.io', 'v1', [['Kustomization', true]]),
  ...crds('helm.toolkit.fluxcd.io', 'v2', [['HelmRelease', true]]),
  ...crds('argoproj.io', 'v1alpha1', [['Application', true], ['ApplicationSet', true], ['AppProject', true], ['Rollout', true], ['AnalysisTemplate', true]]),
  ...crds('flagger.app', 'v1beta1', [['Canary', true], ['MetricTemplate', true]]),
  ...crds('karpenter.sh', 'v1', [['NodePool', false], ['NodeClaim', false]]),
  ...crds('karpenter.k8s.aws', 'v1', [['EC2NodeClass', false]]),
  ...crds('eks.amazonaws.com', 'v1', [['NodeClass', false]]),
  ...crds('autoscaling.k8s.io', 'v1', [['VerticalPodAutoscaler', true], ['VerticalPodAutoscalerCheckpoint', true]]),
  ...crds('secrets-store.csi.x-k8s.io', 'v1', [['SecretProviderClass', true], ['SecretProviderClassPodStatus', true]]),
  ...crds('external-secrets.io', 'v1', [['ExternalSecret', true], ['SecretStore', true], ['ClusterSecretStore', false], ['ClusterExternalSecret', false]]),
  ...crds('vpcresources.k8s.aws', 'v1beta1', [['SecurityGroupPolicy', true]]),
  ...crds('networking.k8s.aws', 'v1alpha1', [['PolicyEndpoint', true], ['ClusterPolicyEndpoint', false]]),
  ...crds('elbv2.k8s.aws', 'v1beta1', [['TargetGroupBinding', true], ['IngressClassParams', false]]),
  ...crds('cloudwatch.aws.amazon.com', 'v1alpha1', [['AmazonCloudWatchAgent', true], ['Instrumentation', true]]),
];

function crds(group: string, version: string, kinds: [string, boolean][]): ResourceDef[] {
  return kinds.map(([kind, namespaced]) => ({ group, version, kind, plural: pluralOf(kind), namespaced, custom: true, subresources: ['status'] }));
}

/** The conventional plural of a kind (`NetworkPolicy` → `networkpolicies`). */
export function pluralOf(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

/** The served resource for a `group/Kind` key: from STANDARD_RESOURCES, else an invented custom resource. */
export function resourceForKey(key: string): ResourceDef {
  const slash = key.lastIndexOf('/');
  const g = key.slice(0, slash);
  const kind = key.slice(slash + 1);
  const group = g === 'core' ? '' : g;
  const known = STANDARD_RESOURCES.find((r) => r.group === group && r.kind === kind);
  if (known) return known;
  const sibling = STANDARD_RESOURCES.find((r) => r.group === group);
  return { group, version: sibling?.version ?? 'v1', kind, plural: pluralOf(kind), namespaced: true, custom: group.includes('.') && !group.endsWith('.k8s.io') };
}

/** Every standard resource of the API groups named by `group/*` keys. */
export function resourcesOfGroup(group: string): ResourceDef[] {
  return STANDARD_RESOURCES.filter((r) => r.group === group);
}

interface Collection {
  def: ResourceDef;
  count: number;
  item(i: number): Record<string, unknown>;
  /** For array-backed collections: the items (sorted by namespace/name). */
  array?: Record<string, unknown>[];
}

export interface KubeApiServer {
  /** `https://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Base64 PEM of the CA that signed the server certificate (for certificate-authority-data). */
  caData: string;
  /** Every request received, in order. */
  requests: RequestRecord[];
  /** Number of requests whose method and path match (`GET /api/v1/pods`), or that satisfy a predicate. */
  count(match: string | ((r: RequestRecord) => boolean)): number;
  /** Make every continue token issued so far expire. */
  expireContinueTokens(): void;
  /** Replace the forbidden resource list at run time. */
  setForbidden(list: string[]): void;
  /** Write a kubeconfig for this server into a new temp dir; returns its path. */
  writeKubeconfig(opts?: KubeconfigOptions): string;
  close(): Promise<void>;
}

export interface KubeconfigOptions {
  token?: string;
  context?: string;
  /** Cluster name (defaults to the context name). */
  cluster?: string;
  /** The user entry, replacing the token user (e.g. an exec plugin). */
  user?: Record<string, unknown>;
  userName?: string;
  /** CA to trust (base64 PEM); defaults to the server's. */
  caData?: string;
  /** Server URL override (e.g. an unreachable port). */
  server?: string;
  dir?: string;
  fileName?: string;
  /** Leave current-context unset. */
  noCurrentContext?: boolean;
}

const STATUS = (code: number, reason: string, message: string, extra: Record<string, unknown> = {}) => ({
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...extra,
});

function keyOf(def: ResourceDef): string {
  return `${def.group || 'core'}/${def.plural}`;
}

function groupVersionOf(def: ResourceDef, version = def.version): string {
  return def.group ? `${def.group}/${version}` : version;
}

interface TokenState {
  k: string;
  o: number;
  e: number;
  n?: string;
  l: number;
}

/** Start the server. */
export async function startKubeApiServer(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const tls = testTls();
  const collections = new Map<string, Collection>();
  const defs: ResourceDef[] = [];
  const addDef = (def: ResourceDef): void => {
    if (!defs.some((d) => d.group === def.group && d.plural === def.plural)) defs.push(def);
  };
  for (const d of opts.resources ?? []) addDef(d);
  const byKindKey = (groupKind: string, version?: string): ResourceDef => {
    const slash = groupKind.lastIndexOf('/');
    const group = groupKind.slice(0, slash) === 'core' ? '' : groupKind.slice(0, slash);
    const kind = groupKind.slice(slash + 1);
    const existing = defs.find((d) => d.group === group && d.kind === kind);
    if (existing) return existing;
    const def = resourceForKey(groupKind);
    // A kind the table does not know is served in the version its objects use.
    if (version && !STANDARD_RESOURCES.includes(def)) def.version = version;
    addDef(def);
    return def;
  };
  for (const k of opts.serve ?? []) {
    if (k.endsWith('/*')) for (const d of resourcesOfGroup(k.slice(0, -2) === 'core' ? '' : k.slice(0, -2))) addDef(d);
    else byKindKey(k);
  }
  // Group array objects by kind.
  const grouped = new Map<string, Record<string, unknown>[]>();
  for (const o of opts.objects ?? []) {
    const apiVersion = String(o.apiVersion ?? '');
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : 'core';
    const key = `${group}/${String(o.kind)}`;
    let list = grouped.get(key);
    if (!list) grouped.set(key, (list = []));
    list.push(o);
  }
  for (const [key, list] of grouped) {
    const av = String(list[0]!.apiVersion);
    const def = byKindKey(key, av.includes('/') ? av.slice(av.indexOf('/') + 1) : av);
    // Byte order of namespace/name, as etcd keys (/registry/<resource>/<namespace>/<name>) sort.
    const sorted = [...list].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
    collections.set(keyOf(def), { def, count: sorted.length, item: (i) => sorted[i]!, array: sorted });
  }
  for (const [key, lazy] of Object.entries(opts.lazy ?? {})) {
    const def = byKindKey(key);
    collections.set(keyOf(def), { def, count: lazy.count, item: (i) => lazy.item(i) });
  }

  let epoch = 1;
  let resourceVersion = 100000;
  let forbidden: string[] | ((req: RequestInfo) => boolean) = opts.forbidden ?? [];
  const requests: RequestRecord[] = [];
  const maxPage = opts.maxPage ?? 500;
  const ctx: InterceptContext = { expireContinueTokens: () => { epoch++; } };
  const sockets = new Set<Socket>();

  const send = (res: ServerResponse, rec: RequestRecord, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    rec.status = status;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const accept = String(req.headers.accept ?? '');
    const rec: RequestRecord = { method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), accept, status: 0 };
    requests.push(rec);
    const info: RequestInfo = { method: rec.method, path: url.pathname, query: url.searchParams, accept, authorization: req.headers.authorization };
    parseResourcePath(info);
    if (info.verb) {
      rec.verb = info.verb;
      rec.group = info.group ?? '';
      rec.resource = info.resource ?? '';
      if (info.namespace) rec.namespace = info.namespace;
      if (info.name) rec.name = info.name;
    }
    if (info.verb === 'list') {
      const token = url.searchParams.get('continue');
      info.page = token ? (decodeToken(token)?.o ?? 0) / Math.max(1, Math.min(maxPage, Number(url.searchParams.get('limit')) || maxPage)) : 0;
    }

    // Authentication first, as a real server does: a bad token is 401 even for /version.
    if (opts.token !== undefined) {
      const auth = req.headers.authorization ?? '';
      const tok = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      const ok = typeof opts.token === 'string' ? tok === opts.token : tok !== '' && opts.token(tok);
      if (!ok) return send(res, rec, 401, STATUS(401, 'Unauthorized', 'Unauthorized'));
    }

    const hook = opts.intercept?.(info, ctx);
    const delay = (hook && 'delayMs' in hook ? hook.delayMs : 0) + (opts.delayMs ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (hook && 'status' in hook) return send(res, rec, hook.status, hook.body ?? STATUS(hook.status, 'Injected', `injected ${hook.status}`), hook.headers);
    if (hook && 'drop' in hook && hook.drop === 'before-response') {
      rec.status = -1;
      req.socket.destroy();
      return;
    }
    const dropMidBody = Boolean(hook && 'drop' in hook && hook.drop === 'mid-body');

    const isForbidden = (r: RequestInfo): boolean => {
      if (typeof forbidden === 'function') return forbidden(r);
      return r.resource !== undefined && forbidden.includes(`${r.group || 'core'}/${r.resource}`);
    };

    const p = url.pathname.replace(/\/+$/, '') || '/';
    if (rec.method === 'GET' && p === '/version') {
      return send(res, rec, 200, { major: '1', minor: '33', gitVersion: 'v1.33.5-eks-3025e55', platform: 'linux/amd64', ...(opts.version ?? {}) });
    }
    if (rec.method === 'GET' && p === '/api') {
      return send(res, rec, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:443' }] });
    }
    if (rec.method === 'GET' && p === '/apis') {
      return send(res, rec, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups(defs) });
    }
    const disc = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(p);
    if (rec.method === 'GET' && disc) {
      const group = disc[1] ? '' : disc[2]!;
      const version = disc[1] ?? disc[3]!;
      const served = defs.filter((d) => d.group === group && (d.version === version || d.alsoIn?.includes(version)));
      if (served.length === 0) return send(res, rec, 404, STATUS(404, 'NotFound', 'the server could not find the requested resource'));
      return send(res, rec, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: apiResources(served) });
    }
    if (!info.verb || !info.resource) return send(res, rec, 404, STATUS(404, 'NotFound', 'the server could not find the requested resource'));

    if (info.verb === 'create') {
      if (info.group === 'authentication.k8s.io' && info.resource === 'selfsubjectreviews' && opts.username !== false) {
        return send(res, rec, 201, { kind: 'SelfSubjectReview', apiVersion: `authentication.k8s.io/${info.version}`, metadata: { creationTimestamp: null }, status: { userInfo: { username: opts.username ?? 'test-user', groups: ['soc2-auditor', 'system:authenticated'] } } });
      }
      return send(res, rec, 405, STATUS(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
    }
    const def = defs.find((d) => d.group === info.group && d.plural === info.resource && (d.version === info.version || d.alsoIn?.includes(info.version ?? '')));
    if (!def) return send(res, rec, 404, STATUS(404, 'NotFound', 'the server could not find the requested resource'));
    if (isForbidden(info)) {
      const who = opts.username || 'test-user';
      const scope = info.namespace ? ` in the namespace "${info.namespace}"` : ' at the cluster scope';
      return send(res, rec, 403, STATUS(403, 'Forbidden', `${info.resource}${info.name ? ` "${info.name}"` : ''} is forbidden: User "${who}" cannot ${info.verb} resource "${info.resource}" in API group "${info.group}"${scope}`, { details: { kind: info.resource, ...(info.group ? { group: info.group } : {}) } }));
    }
    const coll: Collection = collections.get(keyOf(def)) ?? { def, count: 0, item: () => ({}) };
    const gv = groupVersionOf(def, info.version);
    const withTypeMeta = (o: Record<string, unknown>): Record<string, unknown> => ({ ...o, apiVersion: gv, kind: def.kind });
    const withoutTypeMeta = (o: Record<string, unknown>): Record<string, unknown> => {
      if (def.custom) return withTypeMeta(o);
      const { apiVersion: _a, kind: _k, ...rest } = o;
      return rest;
    };
    const metaOnly = accept.includes('as=PartialObjectMetadata');
    if (metaOnly && (opts.metadataOnly ?? 'honour') === 'not-acceptable') {
      return send(res, rec, 406, STATUS(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf'));
    }
    const honourMeta = metaOnly && (opts.metadataOnly ?? 'honour') === 'honour';

    if (info.verb === 'get') {
      let found: Record<string, unknown> | undefined;
      for (let i = 0; i < coll.count; i++) {
        const o = coll.item(i);
        const m = (o.metadata ?? {}) as { name?: string; namespace?: string };
        if (m.name === info.name && (m.namespace ?? '') === (info.namespace ?? '')) { found = o; break; }
      }
      if (!found) return send(res, rec, 404, STATUS(404, 'NotFound', `${info.resource} "${info.name}" not found`, { details: { name: info.name, kind: info.resource } }));
      return send(res, rec, 200, honourMeta ? { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: found.metadata } : withTypeMeta(found));
    }

    // LIST with pagination.
    const limitParam = Number(url.searchParams.get('limit') ?? '0');
    const rvParam = url.searchParams.get('resourceVersion');
    // resourceVersion=0 is served from the watch cache, which ignores limit (kubernetes#96182).
    const pageSize = rvParam === '0' || !limitParam ? Number.MAX_SAFE_INTEGER : Math.min(limitParam, maxPage);
    let offset = 0;
    const cont = url.searchParams.get('continue');
    if (cont) {
      const t = decodeToken(cont);
      if (!t || t.k !== keyOf(def) || (t.n ?? '') !== (info.namespace ?? '')) {
        return send(res, rec, 400, STATUS(400, 'BadRequest', 'continue key is not valid'));
      }
      if (t.e !== epoch) {
        const fresh = encodeToken({ ...t, e: epoch });
        return send(res, rec, 410, STATUS(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.', { metadata: { continue: fresh } }));
      }
      offset = t.o;
    }
    const nsFilter = info.namespace;
    const items: Record<string, unknown>[] = [];
    let i = offset;
    for (; i < coll.count && items.length < pageSize; i++) {
      const o = coll.item(i);
      if (nsFilter && ((o.metadata ?? {}) as { namespace?: string }).namespace !== nsFilter) continue;
      items.push(honourMeta ? { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: o.metadata } : withoutTypeMeta(o));
    }
    const more = i < coll.count;
    const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion++) };
    if (more) {
      metadata.continue = encodeToken({ k: keyOf(def), o: i, e: epoch, ...(nsFilter ? { n: nsFilter } : {}), l: pageSize });
      if (!nsFilter) metadata.remainingItemCount = coll.count - i;
    }
    const body = honourMeta
      ? { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items }
      : { kind: `${def.kind}List`, apiVersion: gv, metadata, items };
    if (dropMidBody) {
      const text = JSON.stringify(body);
      rec.status = -2;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
      res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
      setTimeout(() => req.socket.destroy(), 5);
      return;
    }
    return send(res, rec, 200, body);
  };

  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(STATUS(500, 'InternalError', String(err))));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => { /* a client that rejects our certificate: expected in TLS tests */ });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `https://127.0.0.1:${port}`;
  const caData = Buffer.from(tls.cert).toString('base64');

  return {
    url,
    port,
    caData,
    requests,
    count(match) {
      if (typeof match === 'function') return requests.filter(match).length;
      const [method, path] = match.includes(' ') ? match.split(' ', 2) as [string, string] : ['GET', match];
      return requests.filter((r) => r.method === method && r.path === path).length;
    },
    expireContinueTokens: () => { epoch++; },
    setForbidden: (list) => { forbidden = list; },
    writeKubeconfig: (k = {}) => writeKubeconfigFile({ server: k.server ?? url, caData: k.caData ?? caData, ...k }),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Write a kubeconfig (JSON is valid YAML) into a temp dir and return the file path. */
export function writeKubeconfigFile(k: KubeconfigOptions & { server: string; caData: string }): string {
  const context = k.context ?? 'test';
  const cluster = k.cluster ?? context;
  const userName = k.userName ?? `${context}-user`;
  const user = k.user ?? (k.token !== undefined ? { token: k.token } : {});
  const cfg = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: k.server, 'certificate-authority-data': k.caData } }],
    users: [{ name: userName, user }],
    contexts: [{ name: context, context: { cluster, user: userName } }],
    ...(k.noCurrentContext ? {} : { 'current-context': context }),
  };
  const dir = k.dir ?? mkdtempSync(join(tmpdir(), 'eks-soc2-kubeconfig-'));
  const file = join(dir, k.fileName ?? 'config');
  writeFileSync(file, JSON.stringify(cfg, null, 2), { mode: 0o600 });
  return file;
}

function sortKey(o: Record<string, unknown>): string {
  const m = (o.metadata ?? {}) as { name?: string; namespace?: string };
  return `${m.namespace ?? ''}/${m.name ?? ''}`;
}

function encodeToken(t: TokenState): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(s: string): TokenState | undefined {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as TokenState;
    return typeof v.k === 'string' && typeof v.o === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Fill verb/group/version/resource/namespace/name of a resource request path. */
function parseResourcePath(info: RequestInfo): void {
  const parts = info.path.split('/').filter(Boolean);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = rest[0];
  if (!resource) return;
  // (`/api/v1/namespaces/<name>` has fewer than 3 parts after the version: a GET of a Namespace.)
  info.verb = info.method === 'POST' ? 'create' : rest.length >= 2 ? 'get' : 'list';
  info.group = group;
  info.version = version;
  info.resource = rest.length >= 3 ? `${resource}/${rest[2]}` : resource;
  if (namespace !== undefined) info.namespace = namespace;
  if (rest.length >= 2) info.name = rest[1];
}

function apiGroups(defs: ResourceDef[]): unknown[] {
  const groups = new Map<string, Set<string>>();
  const preferred = new Map<string, string>();
  for (const d of defs) {
    if (!d.group) continue;
    let set = groups.get(d.group);
    if (!set) groups.set(d.group, (set = new Set()));
    set.add(d.version);
    for (const v of d.alsoIn ?? []) set.add(v);
    if (!preferred.has(d.group)) preferred.set(d.group, d.version);
  }
  return [...groups].map(([name, versions]) => ({
    name,
    versions: [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${name}/${preferred.get(name)!}`, version: preferred.get(name)! },
  }));
}

function apiResources(defs: ResourceDef[]): unknown[] {
  const out: unknown[] = [];
  for (const d of defs) {
    const verbs = d.verbs ?? ['get', 'list', 'watch'];
    out.push({ name: d.plural, singularName: d.kind.toLowerCase(), namespaced: d.namespaced, kind: d.kind, verbs, storageVersionHash: 'dGVzdA==' });
    for (const s of d.subresources ?? []) out.push({ name: `${d.plural}/${s}`, singularName: '', namespaced: d.namespaced, kind: s === 'scale' ? 'Scale' : d.kind, verbs: ['get'] });
  }
  return out;
}
