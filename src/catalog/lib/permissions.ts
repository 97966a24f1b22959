import type { Evidence, K8sObject } from '../../model/index.js';
import { matchesSelector } from './selectors.js';
import type { LabelSelector } from './selectors.js';

/**
 * The Kubernetes permission model of an EKS cluster, as the API server authorizes a request:
 *
 * - **RBAC** (`rbac.authorization.k8s.io/v1`): a rule allows a request when its verb, API group,
 *   resource (with subresource) and name match, exactly as the authorizer's evaluation helpers do
 *   (`k8s.io/kubernetes/pkg/apis/rbac/v1/evaluation_helpers.go`): `*` matches everything in its
 *   field, `*\/sub` matches that subresource of any resource, there is no `resource/*` form, a rule
 *   with `resourceNames` only allows requests that name one of them (so never `list`, `watch`,
 *   `create` or `deletecollection` of the whole kind), and a non-resource URL matches exactly or
 *   by a trailing `*` prefix.
 * - **ClusterRole aggregation**: an `aggregationRule` role holds the rules of every ClusterRole its
 *   label selectors match (the aggregation controller's result, which a live cluster stores in the
 *   role itself). Computed again for manifest input, where `rules` is usually empty.
 * - **Kubernetes default ClusterRoles** (`cluster-admin`, `admin`, `edit`, `view`, the discovery
 *   roles): the API server re-creates them at every start, so a binding in a manifest that names
 *   one grants its documented rules even when the input does not contain it. Only the roles a
 *   binding in user input plausibly names are known here (from the bootstrap policy of the
 *   Kubernetes API server, `plugin/pkg/auth/authorizer/rbac/bootstrappolicy`).
 * - **EKS access policies** associated with access entries, by access scope (`cluster` or a list of
 *   namespaces), with the rules AWS documents for each
 *   (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html).
 *
 * Pure functions of the snapshot; the resolved roles are memoised per run (`ev.memo`).
 */

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
export const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The rules of a Role or ClusterRole object as written. */
export function rulesOf(role: K8sObject): PolicyRule[] {
  const raw = Array.isArray(role.rules) ? role.rules : [];
  return raw.filter(isObj).map((r) => ({
    apiGroups: strs(r.apiGroups), resources: strs(r.resources), verbs: strs(r.verbs),
    resourceNames: strs(r.resourceNames), nonResourceURLs: strs(r.nonResourceURLs),
  }));
}

// ---------------------------------------------------------------------------------------------
// Rule evaluation (the RBAC authorizer's matching).

export function verbMatches(r: PolicyRule, verb: string): boolean {
  return r.verbs.includes('*') || r.verbs.includes(verb);
}

export function apiGroupMatches(r: PolicyRule, group: string): boolean {
  return r.apiGroups.includes('*') || r.apiGroups.includes(group);
}

/** `resource` is `pods` or `pods/exec`. */
export function resourceMatches(r: PolicyRule, resource: string): boolean {
  const slash = resource.indexOf('/');
  const sub = slash === -1 ? '' : resource.slice(slash + 1);
  return r.resources.some((p) => p === '*' || p === resource || (sub !== '' && p === `*/${sub}`));
}

export function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  return r.nonResourceURLs.some((p) => p === '*' || p === path || (p.endsWith('*') && path.startsWith(p.slice(0, -1))));
}

/**
 * Whether a rule allows `verb` on `group`/`resource`: for any object (`name` omitted: only a rule
 * without resourceNames), or for the named one.
 */
export function ruleAllows(r: PolicyRule, verb: string, group: string, resource: string, name?: string): boolean {
  if (r.resources.length === 0 || !verbMatches(r, verb) || !apiGroupMatches(r, group) || !resourceMatches(r, resource)) return false;
  if (r.resourceNames.length === 0) return true;
  return name !== undefined && r.resourceNames.includes(name);
}

/**
 * The rules that allow any of `verbs` on `group`/`resource`. With `named: true`, rules limited to
 * some resourceNames count too (they allow the verb on those objects only).
 */
export function allowing(rules: readonly PolicyRule[], verbs: readonly string[], group: string, resource: string, opts: { named?: boolean } = {}): PolicyRule[] {
  return rules.filter((r) => r.resources.length > 0
    && (opts.named || r.resourceNames.length === 0)
    && apiGroupMatches(r, group) && resourceMatches(r, resource) && verbs.some((v) => verbMatches(r, v)));
}

/** Whether the rules allow any of `verbs` on `group`/`resource` (resourceNames-limited rules ignored unless `named`). */
export function allows(rules: readonly PolicyRule[], verbs: readonly string[], group: string, resource: string, opts: { named?: boolean } = {}): boolean {
  return allowing(rules, verbs, group, resource, opts).length > 0;
}

export function allowsNonResource(rules: readonly PolicyRule[], verb: string, path: string): boolean {
  return rules.some((r) => r.nonResourceURLs.length > 0 && verbMatches(r, verb) && nonResourceURLMatches(r, path));
}

/** Every read and write verb: holding them on every resource of every group is holding the cluster. */
const FULL_ACCESS_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/**
 * Effective `*` on `*`: every verb (`*`, or all of get, list, watch, create, update, patch and
 * delete, over one or several rules) on every resource of every API group. Without `escalate`,
 * `bind` or `impersonate` this is still cluster-admin in effect: it creates a pod running as any
 * service account (kube-system's controllers included) and edits every object. Polaris's
 * cluster-admin check counts the same seven verbs.
 */
export function isAdminEquivalent(rules: readonly PolicyRule[]): boolean {
  const verbs = new Set<string>();
  for (const r of rules) {
    if (r.resourceNames.length === 0 && r.apiGroups.includes('*') && r.resources.includes('*')) for (const v of r.verbs) verbs.add(v);
  }
  return verbs.has('*') || FULL_ACCESS_VERBS.every((v) => verbs.has(v));
}

export function describeRule(r: PolicyRule): string {
  if (r.nonResourceURLs.length && !r.resources.length) return `${r.verbs.join(',')} on ${r.nonResourceURLs.join(',')}`;
  const g = r.apiGroups.map((x) => (x === '' ? 'core' : x)).join(',');
  return `${r.verbs.join(',')} on ${r.resources.join(',')} (${g})${r.resourceNames.length ? ` named ${r.resourceNames.join(',')}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes default ClusterRoles (bootstrap policy), for input that does not contain them.

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const rule = (apiGroups: string[], resources: string[], verbs: string[], resourceNames: string[] = []): PolicyRule => ({ apiGroups, resources, verbs, resourceNames, nonResourceURLs: [] });
const urls = (paths: string[], verbs: string[] = ['get']): PolicyRule => ({ apiGroups: [], resources: [], verbs, resourceNames: [], nonResourceURLs: paths });
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

const AGGREGATE_TO = (role: 'admin' | 'edit' | 'view') => `rbac.authorization.k8s.io/aggregate-to-${role}`;

/** The rules every `view` binding grants (Kubernetes `system:aggregate-to-view`). */
const VIEW_RULES: PolicyRule[] = [
  rule([''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status'], READ),
  rule([''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status'], READ),
  rule([''], ['namespaces'], READ),
  rule(['discovery.k8s.io'], ['endpointslices'], READ),
  rule(['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'], READ),
  rule(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], READ),
  rule(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], READ),
  rule(['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale'], READ),
  rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], READ),
  rule(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], READ),
];
/** What `edit` adds (Kubernetes `system:aggregate-to-edit`). */
const EDIT_RULES: PolicyRule[] = [
  rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], READ),
  rule([''], ['serviceaccounts'], ['impersonate']),
  rule([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], WRITE),
  rule([''], ['pods/eviction'], ['create']),
  rule([''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'], WRITE),
  rule([''], ['serviceaccounts/token'], ['create']),
  rule(['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], WRITE),
  rule(['autoscaling'], ['horizontalpodautoscalers'], WRITE),
  rule(['batch'], ['cronjobs', 'jobs'], WRITE),
  rule(['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale'], WRITE),
  rule(['policy'], ['poddisruptionbudgets'], WRITE),
  rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], WRITE),
  rule(['coordination.k8s.io'], ['leases'], [...READ, ...WRITE]),
];
/** What `admin` adds (Kubernetes `system:aggregate-to-admin`). */
const ADMIN_RULES: PolicyRule[] = [
  rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
  rule([RBAC_GROUP], ['rolebindings', 'roles'], [...READ, ...WRITE]),
];
const CLUSTER_ADMIN_RULES: PolicyRule[] = [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])];

interface BuiltinRole { rules: PolicyRule[]; labels?: Record<string, string>; aggregates?: 'admin' | 'edit' | 'view' }

const BUILTIN_ROLES: Readonly<Record<string, BuiltinRole>> = {
  'cluster-admin': { rules: CLUSTER_ADMIN_RULES },
  admin: { rules: [], aggregates: 'admin' },
  edit: { rules: [], aggregates: 'edit', labels: { [AGGREGATE_TO('admin')]: 'true' } },
  view: { rules: [], aggregates: 'view', labels: { [AGGREGATE_TO('edit')]: 'true' } },
  'system:aggregate-to-admin': { rules: ADMIN_RULES, labels: { [AGGREGATE_TO('admin')]: 'true' } },
  'system:aggregate-to-edit': { rules: EDIT_RULES, labels: { [AGGREGATE_TO('edit')]: 'true' } },
  'system:aggregate-to-view': { rules: VIEW_RULES, labels: { [AGGREGATE_TO('view')]: 'true' } },
  'system:discovery': { rules: [urls(['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])] },
  'system:basic-user': { rules: [rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']), rule(['authentication.k8s.io'], ['selfsubjectreviews'], ['create'])] },
  'system:public-info-viewer': { rules: [urls(['/healthz', '/livez', '/readyz', '/version', '/version/'])] },
  'system:service-account-issuer-discovery': { rules: [urls(['/.well-known/openid-configuration', '/openid/v1/jwks'])] },
  'system:monitoring': { rules: [urls(['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])] },
  'system:auth-delegator': { rules: [rule(['authentication.k8s.io'], ['tokenreviews'], ['create']), rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create'])] },
};

const SYNTHETIC = new WeakSet<K8sObject>();

/** A default ClusterRole as the API server creates it (only for names not in the input). */
function builtinObject(name: string, b: BuiltinRole): K8sObject {
  const o: K8sObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...b.labels } },
    rules: b.rules.map((r) => ({ ...r })) as unknown as K8sObject['rules'],
    ...(b.aggregates ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [AGGREGATE_TO(b.aggregates)]: 'true' } }] } } : {}),
  };
  SYNTHETIC.add(o);
  return o;
}

/** Whether a ClusterRole object is one of the defaults assumed because the input lacks it. */
export function isAssumedBuiltin(o: K8sObject): boolean {
  return SYNTHETIC.has(o);
}

export function isDefaultRole(o: K8sObject): boolean {
  return o.metadata.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults';
}

// ---------------------------------------------------------------------------------------------
// ClusterRole aggregation.

export interface ResolvedClusterRole {
  name: string;
  obj: K8sObject;
  /** Effective rules: its own plus, when aggregated, those of every ClusterRole it selects. */
  rules: PolicyRule[];
  /** Assumed Kubernetes default (not in the input). */
  assumed: boolean;
  /** Aggregated roles whose selectors match this one (its rules reach their bindings too). */
  aggregatedInto: string[];
}

export interface RoleIndex {
  clusterRoles: ReadonlyMap<string, ResolvedClusterRole>;
  /** Namespaced Roles by `namespace/name` (a manifest without a namespace lands in `default`). */
  roles: ReadonlyMap<string, { obj: K8sObject; rules: PolicyRule[] }>;
}

const CLUSTER_ROLE = 'rbac.authorization.k8s.io/ClusterRole';
const ROLE = 'rbac.authorization.k8s.io/Role';

/**
 * Every ClusterRole (input plus the assumed defaults) with its effective rules, and every Role.
 * Callers must declare both role kinds. Memoised per run.
 */
export function roleIndex(ev: Evidence): RoleIndex {
  return ev.memo('permissions:roles', () => {
    const input = ev.objects(CLUSTER_ROLE);
    const names = new Set(input.map((r) => r.metadata.name ?? ''));
    const all: K8sObject[] = [...input];
    for (const [name, b] of Object.entries(BUILTIN_ROLES)) if (!names.has(name)) all.push(builtinObject(name, b));
    const selectorsOf = (o: K8sObject): unknown[] => {
      const agg = isObj(o.aggregationRule) ? o.aggregationRule : undefined;
      return agg && Array.isArray(agg.clusterRoleSelectors) ? agg.clusterRoleSelectors : [];
    };
    const byName = new Map(all.map((o) => [o.metadata.name ?? '', o]));
    const selected = new Map<string, string[]>();
    const into = new Map<string, string[]>();
    for (const o of all) {
      const sels = selectorsOf(o);
      if (!sels.length) continue;
      const self = o.metadata.name ?? '';
      const picked = all.filter((x) => x !== o && sels.some((sel) => isObj(sel) && matchesSelector(sel as LabelSelector, x.metadata.labels ?? {}))).map((x) => x.metadata.name ?? '');
      selected.set(self, picked);
      for (const p of picked) (into.get(p) ?? into.set(p, []).get(p)!).push(self);
    }
    const effective = new Map<string, PolicyRule[]>();
    const resolve = (name: string, seen: Set<string>): PolicyRule[] => {
      const done = effective.get(name);
      if (done) return done;
      const o = byName.get(name);
      if (!o || seen.has(name)) return [];
      seen.add(name);
      const rules = rulesOf(o);
      for (const p of selected.get(name) ?? []) rules.push(...resolve(p, seen));
      seen.delete(name);
      effective.set(name, rules);
      return rules;
    };
    // Transitive closure of "aggregated into" (a role aggregated into `edit` also reaches `admin`).
    const closure = (name: string): string[] => {
      const out = new Set<string>();
      const stack = [...(into.get(name) ?? [])];
      while (stack.length) {
        const n = stack.pop()!;
        if (out.has(n) || n === name) continue;
        out.add(n);
        stack.push(...(into.get(n) ?? []));
      }
      return [...out];
    };
    const clusterRoles = new Map<string, ResolvedClusterRole>();
    for (const o of all) {
      const name = o.metadata.name ?? '';
      clusterRoles.set(name, { name, obj: o, rules: resolve(name, new Set()), assumed: SYNTHETIC.has(o), aggregatedInto: closure(name) });
    }
    const roles = new Map<string, { obj: K8sObject; rules: PolicyRule[] }>();
    for (const o of ev.objects(ROLE)) roles.set(`${o.metadata.namespace ?? 'default'}/${o.metadata.name ?? ''}`, { obj: o, rules: rulesOf(o) });
    return { clusterRoles, roles };
  });
}

// ---------------------------------------------------------------------------------------------
// EKS access policies.

export interface AccessPolicyInfo {
  name: string;
  /** The documented rules; undefined when this version does not know the policy's permissions. */
  rules?: PolicyRule[];
  /** Made for EKS's own components (Auto Mode, hybrid nodes, Cluster Insights): reported with the system findings. */
  service?: boolean;
}

/** AWS's tables for the admin and edit policies: Kubernetes edit/admin without token minting, evictions and leases. */
const EKS_EDIT_ONLY = EDIT_RULES.filter((r) => !r.resources.some((x) => x === 'serviceaccounts/token' || x === 'pods/eviction' || x === 'leases'));
const EKS_EDIT_RULES: PolicyRule[] = [...VIEW_RULES, ...EKS_EDIT_ONLY];
const EKS_ADMIN_RULES: PolicyRule[] = [...EKS_EDIT_RULES, ...ADMIN_RULES];

const ACCESS_POLICIES: Readonly<Record<string, Omit<AccessPolicyInfo, 'name'>>> = {
  AmazonEKSClusterAdminPolicy: { rules: CLUSTER_ADMIN_RULES },
  AmazonEKSAdminPolicy: { rules: EKS_ADMIN_RULES },
  AmazonEKSEditPolicy: { rules: EKS_EDIT_RULES },
  AmazonEKSViewPolicy: { rules: VIEW_RULES },
  AmazonEKSAdminViewPolicy: { rules: [rule(['*'], ['*'], READ)] },
  AmazonEKSSecretReaderPolicy: { rules: [rule([''], ['secrets'], READ)] },
  AmazonEKSHybridPolicy: { rules: [rule(['*'], ['nodes'], ['list'])], service: true },
  AmazonEKSAutoNodePolicy: { service: true },
  AmazonEKSBlockStoragePolicy: { service: true },
  AmazonEKSLoadBalancingPolicy: { service: true },
  AmazonEKSNetworkingPolicy: { service: true },
  AmazonEKSComputePolicy: { service: true },
  AmazonEKSBlockStorageClusterPolicy: { service: true },
  AmazonEKSComputeClusterPolicy: { service: true },
  AmazonEKSLoadBalancingClusterPolicy: { service: true },
  AmazonEKSNetworkingClusterPolicy: { service: true },
  AmazonEKSClusterInsightsPolicy: { service: true },
};

export const CLUSTER_ADMIN_POLICY = 'AmazonEKSClusterAdminPolicy';
export const ADMIN_POLICY = 'AmazonEKSAdminPolicy';

export function accessPolicy(policyArn: string): AccessPolicyInfo {
  const name = policyArn.split('/').pop() ?? policyArn;
  const p = ACCESS_POLICIES[name];
  return { name, ...(p ?? {}) };
}

/**
 * An access policy that makes its principal an administrator of the whole cluster: the cluster
 * admin policy at cluster scope, and the admin policy at cluster scope (admin of every namespace,
 * including kube-system, with RBAC write and service-account impersonation there: any namespaced
 * power in the cluster).
 */
export function isAdminAccessPolicy(policyArn: string, scope: string): boolean {
  const name = accessPolicy(policyArn).name;
  return scope === 'cluster' && (name === CLUSTER_ADMIN_POLICY || name === ADMIN_POLICY);
}

// ---------------------------------------------------------------------------------------------
// Subjects by meaning.

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

/**
 * What a subject stands for:
 * - `anonymous`: `system:anonymous`, `system:unauthenticated` (anyone who reaches the endpoint);
 * - `everyone`: `system:authenticated` (every identity the cluster accepts: people, nodes, every
 *   service account), `system:serviceaccounts` (every service account);
 * - `system`: Kubernetes and EKS identities (`system:*`/`eks:*` users and groups such as
 *   `system:masters`, `system:nodes`, `system:kube-controller-manager`, `eks:addon-manager`), and
 *   the service accounts of system namespaces (one, or all of them through
 *   `system:serviceaccounts:<namespace>`);
 * - `workload`: a service account (or all service accounts) of any other namespace;
 * - `user` / `group`: people and groups.
 */
export type SubjectClass = 'anonymous' | 'everyone' | 'system' | 'workload' | 'user' | 'group';

export const ANONYMOUS_SUBJECTS: ReadonlySet<string> = new Set(['system:anonymous', 'system:unauthenticated']);
export const EVERYONE_SUBJECTS: ReadonlySet<string> = new Set(['system:anonymous', 'system:unauthenticated', 'system:authenticated', 'system:serviceaccounts']);

export function classifySubject(s: Subject, isSystemNamespace: (ns: string | undefined) => boolean): SubjectClass {
  if (s.kind === 'ServiceAccount') return isSystemNamespace(s.namespace) ? 'system' : 'workload';
  if (s.kind !== 'User' && s.kind !== 'Group') return 'user';
  if (ANONYMOUS_SUBJECTS.has(s.name)) return 'anonymous';
  if (s.name === 'system:authenticated' || (s.kind === 'Group' && s.name === 'system:serviceaccounts')) return 'everyone';
  const saGroup = s.kind === 'Group' ? /^system:serviceaccounts:(.+)$/.exec(s.name) : null;
  if (saGroup) return isSystemNamespace(saGroup[1]) ? 'system' : 'workload';
  const saUser = s.kind === 'User' ? /^system:serviceaccount:([^:]+):(.+)$/.exec(s.name) : null;
  if (saUser) return isSystemNamespace(saUser[1]) ? 'system' : 'workload';
  if (s.name.startsWith('system:') || s.name.startsWith('eks:')) return 'system';
  return s.kind === 'Group' ? 'group' : 'user';
}

export function subjectLabel(s: Subject): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace ?? '?'}/${s.name}` : `${s.kind} ${s.name}`;
}

/** Stable id of a subject for counting and allowlists: `User:jane`, `ServiceAccount:ns/name`. */
export function subjectId(s: Subject): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount:${s.namespace ?? ''}/${s.name}` : `${s.kind}:${s.name}`;
}

// ---------------------------------------------------------------------------------------------
// Discovery-only grants (what the API server gives every caller by default).

const DISCOVERY_PATHS = [
  '/api', '/apis', '/healthz', '/livez', '/readyz', '/version', '/version/', '/openapi',
  '/.well-known/openid-configuration', '/openid/v1/jwks',
];
/** Everything under these is discovery or health (a non-resource rule never reaches resources). */
const DISCOVERY_PREFIXES = ['/api/', '/apis/', '/openapi/', '/healthz/', '/livez/', '/readyz/'];

function isDiscoveryURL(p: string): boolean {
  if (DISCOVERY_PATHS.includes(p)) return true;
  const prefix = p.endsWith('*') ? p.slice(0, -1) : p;
  return DISCOVERY_PREFIXES.some((x) => prefix.startsWith(x));
}

/** Resource grants every authenticated user has by default (`system:basic-user`): asking what one may do. */
const SELF_REVIEWS: [string, string][] = [
  ['authorization.k8s.io', 'selfsubjectaccessreviews'], ['authorization.k8s.io', 'selfsubjectrulesreviews'], ['authentication.k8s.io', 'selfsubjectreviews'],
];

/**
 * The rules beyond discovery: anything other than `get` on the discovery and health paths
 * (`system:discovery`, `system:public-info-viewer`, service-account issuer discovery) and the
 * self-reviews of `system:basic-user`. Empty = the grant is discovery only.
 */
export function beyondDiscovery(rules: readonly PolicyRule[]): PolicyRule[] {
  return rules.filter((r) => {
    if (r.resources.length === 0 && r.nonResourceURLs.length > 0) {
      return !(r.verbs.length > 0 && r.verbs.every((v) => v === 'get' || v === 'head') && r.nonResourceURLs.every(isDiscoveryURL));
    }
    if (r.resources.length === 0) return false;
    const only = r.verbs.length > 0 && r.verbs.every((v) => v === 'create')
      && r.apiGroups.length > 0 && r.resources.every((res) => r.apiGroups.every((g) => SELF_REVIEWS.some(([sg, sr]) => sg === g && sr === res)));
    return !only;
  });
}
