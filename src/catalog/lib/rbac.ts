import { parse as parseYaml } from 'yaml';
import type { Cluster } from '@aws-sdk/client-eks';
import type { CheckContext, Evidence, EvidenceKey, K8sObject, ResourceRef, Severity } from '../../model/index.js';
import { countedEvidence } from '../../model/index.js';
import { aws as awsKey, k8s } from './keys.js';
import { clusterRef, out } from './aws.js';
import { canonicalPrincipalArn, iamMatch, parseArn, roleNameFromArn } from './iam.js';

/**
 * Kubernetes authorization as EKS grants it: RBAC objects (aggregation resolved), EKS access
 * entries with their access policies, and the `kube-system/aws-auth` ConfigMap. Shared by CC5-IAM-03
 * and the Part 1 identity items.
 * https://kubernetes.io/docs/concepts/security/rbac-good-practices/
 */

export const RBAC_KINDS = {
  clusterRole: 'rbac.authorization.k8s.io/ClusterRole',
  clusterRoleBinding: 'rbac.authorization.k8s.io/ClusterRoleBinding',
  role: 'rbac.authorization.k8s.io/Role',
  roleBinding: 'rbac.authorization.k8s.io/RoleBinding',
} as const;

/** The four RBAC kinds, each required on its own (a binding cannot be judged without its role). */
export const RBAC_REQUIREMENTS = [
  { anyOf: [k8s(RBAC_KINDS.clusterRoleBinding)], what: 'ClusterRoleBindings' },
  { anyOf: [k8s(RBAC_KINDS.roleBinding)], what: 'RoleBindings' },
  { anyOf: [k8s(RBAC_KINDS.clusterRole)], what: 'ClusterRoles' },
  { anyOf: [k8s(RBAC_KINDS.role)], what: 'Roles' },
];

/** Evidence keys of EKS access entries (read when present). */
export const ACCESS_ENTRY_KEYS: EvidenceKey[] = [
  awsKey('eks:ListAccessEntries'), awsKey('eks:DescribeAccessEntry'), awsKey('eks:ListAssociatedAccessPolicies'),
];
/** `kube-system/aws-auth` is read through the ConfigMap kind (the collector fetches only that one by name). */
export const AWS_AUTH_KEY: EvidenceKey = k8s('core/ConfigMap');

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

export interface Binding {
  obj: K8sObject;
  /** ClusterRoleBinding → cluster; RoleBinding → its namespace (even when it references a ClusterRole). */
  scope: 'cluster' | 'namespace';
  namespace?: string;
  roleRef: { kind: string; name: string };
  subjects: Subject[];
  /** Effective rules of the referenced role (aggregation resolved); undefined when the role is unknown. */
  rules?: PolicyRule[];
  /** The rules come from the built-in definition because the role was not in the input. */
  builtinRules?: boolean;
}

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function rulesOf(role: K8sObject): PolicyRule[] {
  const raw = Array.isArray(role.rules) ? role.rules : [];
  return raw.filter(isObj).map((r) => ({
    apiGroups: strs(r.apiGroups), resources: strs(r.resources), verbs: strs(r.verbs),
    resourceNames: strs(r.resourceNames), nonResourceURLs: strs(r.nonResourceURLs),
  }));
}

const rule = (apiGroups: string[], resources: string[], verbs: string[]): PolicyRule => ({ apiGroups, resources, verbs, resourceNames: [], nonResourceURLs: [] });
const RW = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/**
 * The default user-facing ClusterRoles, reduced to the grants the checks look at, used only when
 * the input does not contain them (manifest scans). A live cluster always lists them.
 */
export const BUILTIN_CLUSTER_ROLES: Readonly<Record<string, PolicyRule[]>> = {
  'cluster-admin': [rule(['*'], ['*'], ['*']), { apiGroups: [], resources: [], verbs: ['*'], resourceNames: [], nonResourceURLs: ['*'] }],
  admin: [
    rule([''], ['secrets'], RW), rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], ['get', 'list', 'watch', 'create']),
    rule([''], ['serviceaccounts'], ['impersonate', ...RW]), rule(['apps'], ['deployments', 'statefulsets', 'daemonsets'], RW), rule([''], ['pods'], RW),
    rule(['rbac.authorization.k8s.io'], ['roles', 'rolebindings'], RW),
  ],
  edit: [
    rule([''], ['secrets'], RW), rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], ['get', 'list', 'watch', 'create']),
    rule([''], ['serviceaccounts'], ['impersonate', ...RW]), rule(['apps'], ['deployments', 'statefulsets', 'daemonsets'], RW), rule([''], ['pods'], RW),
  ],
  view: [rule(['', 'apps', 'batch'], ['pods', 'services', 'configmaps', 'deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'], ['get', 'list', 'watch'])],
};

/** ClusterRoles that only expose discovery and health endpoints; binding them to anonymous users is the default. */
export const DISCOVERY_ROLES: ReadonlySet<string> = new Set(['system:discovery', 'system:basic-user', 'system:public-info-viewer']);
export const ANONYMOUS_SUBJECTS: ReadonlySet<string> = new Set(['system:anonymous', 'system:unauthenticated']);

function matchLabelSelector(sel: unknown, labels: Record<string, string>): boolean {
  if (!isObj(sel)) return false;
  const ml = isObj(sel.matchLabels) ? sel.matchLabels : {};
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  for (const e of Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []) {
    if (!isObj(e) || typeof e.key !== 'string') return false;
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const vals = strs(e.values);
    switch (e.operator) {
      case 'In': if (!has || !vals.includes(labels[e.key]!)) return false; break;
      case 'NotIn': if (has && vals.includes(labels[e.key]!)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/**
 * Effective rules of a ClusterRole: its own rules plus, for an aggregated role (`aggregationRule`),
 * the rules of every ClusterRole its selectors match. The API server stores the aggregated rules in
 * the object itself; computing them again covers manifest input, where `rules` is usually empty.
 */
export function effectiveClusterRoleRules(role: K8sObject, all: readonly K8sObject[], seen = new Set<string>()): PolicyRule[] {
  const name = role.metadata.name ?? '';
  if (seen.has(name)) return [];
  seen.add(name);
  const rules = rulesOf(role);
  const agg = isObj(role.aggregationRule) ? role.aggregationRule : undefined;
  const selectors = agg && Array.isArray(agg.clusterRoleSelectors) ? agg.clusterRoleSelectors : [];
  if (selectors.length) {
    for (const other of all) {
      if (other === role) continue;
      const labels = other.metadata.labels ?? {};
      if (selectors.some((s) => matchLabelSelector(s, labels))) rules.push(...effectiveClusterRoleRules(other, all, seen));
    }
  }
  return rules;
}

function subjectsOf(o: K8sObject): Subject[] {
  const raw = Array.isArray(o.subjects) ? o.subjects : [];
  return raw.filter(isObj).filter((s) => typeof s.kind === 'string' && typeof s.name === 'string').map((s) => ({
    kind: s.kind as string,
    name: s.name as string,
    ...(typeof s.namespace === 'string' ? { namespace: s.namespace } : s.kind === 'ServiceAccount' && o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  }));
}

/** Every binding with its subjects and the effective rules of the role it references. */
export function bindings(ev: Evidence): Binding[] {
  const clusterRoles = ev.objects(RBAC_KINDS.clusterRole);
  const byName = new Map(clusterRoles.map((r) => [r.metadata.name ?? '', r]));
  const cache = new Map<string, PolicyRule[]>();
  const clusterRoleRules = (name: string): { rules?: PolicyRule[]; builtin?: boolean } => {
    const role = byName.get(name);
    if (role) {
      let r = cache.get(name);
      if (!r) cache.set(name, (r = effectiveClusterRoleRules(role, clusterRoles)));
      return { rules: r };
    }
    const b = BUILTIN_CLUSTER_ROLES[name];
    return b ? { rules: b, builtin: true } : {};
  };
  const list: Binding[] = [];
  for (const kind of [RBAC_KINDS.clusterRoleBinding, RBAC_KINDS.roleBinding]) {
    for (const o of ev.objects(kind)) {
      const ref = isObj(o.roleRef) ? o.roleRef : {};
      const roleRef = { kind: typeof ref.kind === 'string' ? ref.kind : 'ClusterRole', name: typeof ref.name === 'string' ? ref.name : '' };
      const cluster = o.kind === 'ClusterRoleBinding';
      let resolved: { rules?: PolicyRule[]; builtin?: boolean } = {};
      if (roleRef.kind === 'ClusterRole') resolved = clusterRoleRules(roleRef.name);
      else if (roleRef.kind === 'Role' && !cluster) {
        // A manifest without a namespace lands in `default` when applied.
        const ns = o.metadata.namespace ?? 'default';
        const role = ev.get(RBAC_KINDS.role, ns, roleRef.name) ?? (ns === 'default' ? ev.get(RBAC_KINDS.role, '', roleRef.name) : undefined);
        if (role) resolved = { rules: rulesOf(role) };
      }
      list.push({
        obj: o,
        scope: cluster ? 'cluster' : 'namespace',
        ...(cluster ? {} : { namespace: o.metadata.namespace ?? 'default' }),
        roleRef,
        subjects: subjectsOf(o),
        ...(resolved.rules ? { rules: resolved.rules } : {}),
        ...(resolved.builtin ? { builtinRules: true } : {}),
      });
    }
  }
  return list;
}

export function subjectLabel(s: Subject): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace ?? '?'}/${s.name}` : `${s.kind} ${s.name}`;
}

/** Stable id of a subject for counting and allowlists: `User:jane`, `ServiceAccount:ns/name`. */
export function subjectId(s: Subject): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount:${s.namespace ?? ''}/${s.name}` : `${s.kind}:${s.name}`;
}

/** Kubernetes and EKS identities: `system:*`/`eks:*` users and groups, service accounts of system namespaces. */
export function isSystemSubject(s: Subject, isSystemNamespace: (ns: string | undefined) => boolean): boolean {
  if (s.kind === 'ServiceAccount') return isSystemNamespace(s.namespace);
  return s.name.startsWith('system:') || s.name.startsWith('eks:');
}

/**
 * Built-in bindings created by Kubernetes or EKS: named `system:*` / `eks:*` (or labelled
 * `kubernetes.io/bootstrapping: rbac-defaults`) **and** binding only Kubernetes/EKS identities. A
 * binding named `system:something` that grants a person or an application is not built in.
 */
export function isBuiltinBinding(b: Binding, isSystemNamespace: (ns: string | undefined) => boolean): boolean {
  const name = b.obj.metadata.name ?? '';
  const labelled = b.obj.metadata.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults'
    || (name === 'cluster-admin' && b.subjects.every((s) => s.kind === 'Group' && s.name === 'system:masters'));
  if (!(labelled || name.startsWith('system:') || name.startsWith('eks:'))) return false;
  return b.subjects.length > 0 && b.subjects.every((s) => isSystemSubject(s, isSystemNamespace));
}

function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*' || pattern === resource) return true;
  const [res, sub] = resource.split('/');
  if (sub === undefined) return false;
  return pattern === `${res}/*` || pattern === `*/${sub}`;
}

/** Whether the rules grant any of `verbs` on `group`/`resource` (resourceNames-limited rules optionally ignored). */
export function grants(rules: readonly PolicyRule[], verbs: readonly string[], group: string, resource: string, opts: { ignoreNamed?: boolean } = {}): boolean {
  return rules.some((r) => r.resources.length > 0
    && (!opts.ignoreNamed || r.resourceNames.length === 0)
    && (r.apiGroups.includes('*') || r.apiGroups.includes(group))
    && r.resources.some((p) => resourceMatches(p, resource))
    && (r.verbs.includes('*') || verbs.some((v) => r.verbs.includes(v))));
}

/** `*` on every verb, resource and API group: the same as cluster-admin. */
export function isAdminEquivalent(rules: readonly PolicyRule[]): boolean {
  return rules.some((r) => r.apiGroups.includes('*') && r.resources.includes('*') && r.verbs.includes('*'));
}

const READ_VERBS = new Set(['get', 'list', 'watch']);

/**
 * Rules with `*` in verbs, resources or apiGroups. Read-only access to every resource of named,
 * non-core API groups (get/list/watch on `*` in `karpenter.sh`, say) is not counted: it writes
 * nothing and cannot reach Secrets — the read-only role controls.md §4.3 recommends for this tool
 * is written that way.
 */
export function wildcardRules(rules: readonly PolicyRule[]): PolicyRule[] {
  return rules.filter((r) => r.resources.length > 0 && (r.verbs.includes('*') || r.resources.includes('*') || r.apiGroups.includes('*'))
    && !(r.verbs.length > 0 && r.verbs.every((v) => READ_VERBS.has(v)) && !r.verbs.includes('*')
      && r.apiGroups.length > 0 && r.apiGroups.every((g) => g !== '' && g !== '*')));
}

export function describeRule(r: PolicyRule): string {
  const g = r.apiGroups.map((x) => (x === '' ? 'core' : x)).join(',');
  return `${r.verbs.join(',')} on ${r.resources.join(',')} (${g})${r.resourceNames.length ? ` named ${r.resourceNames.join(',')}` : ''}`;
}

export interface RbacIssue {
  rule: RbacRule;
  severity: Severity;
  message: string;
}

export const RBAC_RULES = {
  'cluster-admin-binding': { title: 'Cluster-admin principals are few, approved and not workloads or anonymous users', severity: 'high' },
  'rbac-wildcard': { title: 'No "*" in verbs, resources or apiGroups outside Kubernetes/EKS built-ins', severity: 'high' },
  'rbac-secrets-read': { title: 'No get/list/watch on Secrets (cluster-wide fails, namespaced warns)', severity: 'high' },
  'rbac-privilege-escalation': { title: 'No escalate, bind or impersonate grants', severity: 'high' },
  'rbac-nodes-proxy': { title: 'No access to nodes/proxy (kubelet API: exec in every pod of the node)', severity: 'critical' },
  'rbac-token-create': { title: 'No create on serviceaccounts/token', severity: 'high' },
  'rbac-csr-approval': { title: 'No create + approve of CertificateSigningRequests', severity: 'high' },
  'rbac-webhook-write': { title: 'No write access to admission webhook or policy configurations', severity: 'high' },
  'rbac-pv-create': { title: 'No create on PersistentVolumes (hostPath volumes)', severity: 'high' },
  'rbac-namespace-write': { title: 'No patch/update on Namespaces (relaxes Pod Security labels)', severity: 'medium' },
  'rbac-pod-exec': { title: 'No pods/exec, attach or portforward outside break-glass roles', severity: 'medium' },
  'rbac-anonymous': { title: 'Anonymous and unauthenticated users are bound to discovery roles only', severity: 'critical' },
  'rbac-default-sa': { title: 'No bindings to a namespace\'s default ServiceAccount', severity: 'medium' },
} as const satisfies Record<string, { title: string; severity: Severity }>;
export type RbacRule = keyof typeof RBAC_RULES;

const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const WORKLOADS: [string, string][] = [['', 'pods'], ['apps', 'deployments'], ['apps', 'statefulsets'], ['apps', 'daemonsets'], ['batch', 'jobs'], ['batch', 'cronjobs']];

/**
 * The least-privilege findings of one binding (controls.md CC5-IAM-03 (b), (c), (e)). Cluster-scoped
 * resources (nodes, PersistentVolumes, Namespaces, CSRs, webhook configurations) are only checked
 * for ClusterRoleBindings, since a RoleBinding cannot grant them. A binding equivalent to
 * cluster-admin reports no narrower finding (every one is implied): in a namespace it is an
 * `rbac-wildcard`, cluster-wide a cluster-admin principal.
 * `serverMinor` decides whether `get pods/exec` still opens a WebSocket exec (before 1.35).
 */
export function analyzeBinding(b: Binding, serverMinor: number | undefined): { issues: RbacIssue[]; checked: RbacRule[]; createsWorkloads: boolean } {
  const issues: RbacIssue[] = [];
  const checked: RbacRule[] = [];
  const rules = b.rules ?? [];
  const cluster = b.scope === 'cluster';
  const where = cluster ? 'cluster-wide' : `in namespace ${b.namespace}`;
  const add = (r: RbacRule, message: string, severity: Severity = cluster ? RBAC_RULES[r].severity : 'medium') => issues.push({ rule: r, severity, message });
  const check = (r: RbacRule) => { checked.push(r); };

  const admin = isAdminEquivalent(rules);
  // A cluster-wide binding equivalent to cluster-admin is judged as a cluster-admin principal
  // (`cluster-admin-binding`: allowlist and count), not once more as a wildcard.
  if (!(admin && cluster)) {
    check('rbac-wildcard');
    const wild = wildcardRules(rules);
    if (wild.length) add('rbac-wildcard', `wildcard grant ${where}: ${wild.map(describeRule).join('; ')}`);
  }

  if (!admin) {
    check('rbac-secrets-read');
    if (grants(rules, ['get', 'list', 'watch'], '', 'secrets', { ignoreNamed: true })) {
      add('rbac-secrets-read', `can read Secrets ${where} (list and watch reveal their contents too)`, cluster ? 'high' : 'low');
    }
    check('rbac-privilege-escalation');
    const esc: string[] = [];
    for (const res of ['roles', 'clusterroles']) {
      if (!cluster && res === 'clusterroles') continue;
      if (grants(rules, ['escalate'], 'rbac.authorization.k8s.io', res, { ignoreNamed: true })) esc.push(`escalate ${res}`);
      if (grants(rules, ['bind'], 'rbac.authorization.k8s.io', res, { ignoreNamed: true })) esc.push(`bind ${res}`);
    }
    for (const res of cluster ? ['users', 'groups', 'serviceaccounts', 'uids'] : ['serviceaccounts']) {
      if (grants(rules, ['impersonate'], '', res)) esc.push(`impersonate ${res}`);
    }
    if (esc.length) add('rbac-privilege-escalation', `privilege-escalation grants ${where}: ${esc.join(', ')}`);
    check('rbac-token-create');
    if (grants(rules, ['create'], '', 'serviceaccounts/token')) add('rbac-token-create', `can mint tokens for service accounts ${where} (create serviceaccounts/token)`);
    check('rbac-pod-exec');
    const execVerbs = serverMinor !== undefined && serverMinor >= 35 ? ['create'] : ['create', 'get'];
    const exec = ['pods/exec', 'pods/attach', 'pods/portforward'].filter((r) => grants(rules, execVerbs, '', r));
    if (exec.length) add('rbac-pod-exec', `can run commands in pods ${where}: ${exec.join(', ')} with ${execVerbs.join(' or ')}${serverMinor === undefined ? ' (cluster version unknown: get counts, as before 1.35)' : ''}`);
    if (cluster) {
      check('rbac-nodes-proxy');
      if (grants(rules, ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'proxy'], '', 'nodes/proxy')) add('rbac-nodes-proxy', 'access to nodes/proxy: the kubelet API runs commands in every pod of a node, bypassing audit and admission (even with get)');
      check('rbac-csr-approval');
      if (grants(rules, ['create'], 'certificates.k8s.io', 'certificatesigningrequests') && grants(rules, ['update', 'patch'], 'certificates.k8s.io', 'certificatesigningrequests/approval')) {
        add('rbac-csr-approval', 'can create and approve CertificateSigningRequests (mint client certificates)');
      }
      check('rbac-webhook-write');
      const hooks = ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings']
        .filter((r) => grants(rules, WRITE, 'admissionregistration.k8s.io', r));
      if (hooks.length) add('rbac-webhook-write', `can change admission control: write on ${hooks.join(', ')}`);
      check('rbac-pv-create');
      if (grants(rules, ['create'], '', 'persistentvolumes')) add('rbac-pv-create', 'can create PersistentVolumes (a hostPath volume exposes the node filesystem)');
      check('rbac-namespace-write');
      if (grants(rules, ['patch', 'update'], '', 'namespaces')) add('rbac-namespace-write', 'can patch/update Namespaces (relax Pod Security labels, change labels NetworkPolicies select on)');
    }
  }
  check('rbac-default-sa');
  const defaults = b.subjects.filter((s) => s.kind === 'ServiceAccount' && s.name === 'default');
  if (defaults.length && rules.length) add('rbac-default-sa', `grants permissions to ${defaults.map(subjectLabel).join(', ')}: every pod of the namespace that does not name a service account gets them`, 'medium');
  const createsWorkloads = !admin && WORKLOADS.some(([g, r]) => grants(rules, ['create'], g, r));
  return { issues, checked, createsWorkloads };
}

// ---------------------------------------------------------------------------------------------
// EKS access entries.

export const CLUSTER_ADMIN_POLICY = 'AmazonEKSClusterAdminPolicy';
export const NODE_ENTRY_TYPES: ReadonlySet<string> = new Set(['EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'EC2', 'HYBRID_LINUX']);

export interface AccessEntryInfo {
  principalArn: string;
  accessEntryArn?: string;
  type?: string;
  username?: string;
  kubernetesGroups: string[];
  createdAt?: string;
  policies: { policyArn: string; scope: string; namespaces: string[] }[];
  /** DescribeAccessEntry was seen for it. */
  described: boolean;
  /** ListAssociatedAccessPolicies was seen for it. */
  policiesKnown: boolean;
}

/** Access entries of the cluster from ListAccessEntries / DescribeAccessEntry / ListAssociatedAccessPolicies. */
export function accessEntries(ev: Evidence): AccessEntryInfo[] {
  const byArn = new Map<string, AccessEntryInfo>();
  const entry = (arn: string): AccessEntryInfo => {
    let e = byArn.get(arn);
    if (!e) byArn.set(arn, (e = { principalArn: arn, kubernetesGroups: [], policies: [], described: false, policiesKnown: false }));
    return e;
  };
  for (const f of ev.aws('eks:ListAccessEntries')) for (const arn of out<{ accessEntries?: string[] }>(f)?.accessEntries ?? []) entry(arn);
  for (const f of ev.aws('eks:DescribeAccessEntry')) {
    const a = out<{ accessEntry?: { principalArn?: string; accessEntryArn?: string; type?: string; username?: string; kubernetesGroups?: string[]; createdAt?: string } }>(f)?.accessEntry;
    const arn = a?.principalArn ?? (typeof f.params?.principalArn === 'string' ? f.params.principalArn : undefined);
    if (!a || !arn) continue;
    const e = entry(arn);
    e.described = true;
    if (a.accessEntryArn) e.accessEntryArn = a.accessEntryArn;
    if (a.type) e.type = a.type;
    if (a.username) e.username = a.username;
    if (a.createdAt) e.createdAt = String(a.createdAt);
    e.kubernetesGroups = Array.isArray(a.kubernetesGroups) ? a.kubernetesGroups : [];
  }
  for (const f of ev.aws('eks:ListAssociatedAccessPolicies')) {
    const o = out<{ principalArn?: string; associatedAccessPolicies?: { policyArn?: string; accessScope?: { type?: string; namespaces?: string[] } }[] }>(f);
    const arn = o?.principalArn ?? (typeof f.params?.principalArn === 'string' ? f.params.principalArn : undefined);
    if (!arn) continue;
    const e = entry(arn);
    e.policiesKnown = true;
    for (const p of o?.associatedAccessPolicies ?? []) {
      if (p.policyArn) e.policies.push({ policyArn: p.policyArn, scope: p.accessScope?.type ?? 'cluster', namespaces: p.accessScope?.namespaces ?? [] });
    }
  }
  return [...byArn.values()];
}

export function accessEntryRef(e: AccessEntryInfo): ResourceRef {
  const p = parseArn(e.principalArn);
  const arn = e.accessEntryArn;
  const m = arn ? /^arn:aws[\w-]*:eks:([\w-]+):(\d{12}):/.exec(arn) : null;
  return {
    provider: 'aws', kind: 'AWS::EKS::AccessEntry', name: e.principalArn,
    ...(arn ? { arn } : {}),
    ...(m?.[1] ? { region: m[1] } : {}),
    ...((m?.[2] ?? p?.accountId) ? { accountId: (m?.[2] ?? p?.accountId)! } : {}),
  };
}

export function isClusterAdminEntry(e: AccessEntryInfo): string | undefined {
  if (e.type && NODE_ENTRY_TYPES.has(e.type)) return undefined;
  if (e.kubernetesGroups.includes('system:masters')) return 'access entry with Kubernetes group system:masters';
  const pol = e.policies.find((p) => p.policyArn.endsWith(`/${CLUSTER_ADMIN_POLICY}`) && p.scope === 'cluster');
  return pol ? `access policy ${CLUSTER_ADMIN_POLICY} (cluster scope)` : undefined;
}

// ---------------------------------------------------------------------------------------------
// aws-auth ConfigMap.

export interface AwsAuthMapping {
  section: 'mapRoles' | 'mapUsers';
  arn: string;
  username?: string;
  groups: string[];
}

export interface AwsAuth {
  obj: K8sObject;
  mappings: AwsAuthMapping[];
  /** `mapAccounts`: every IAM principal of these accounts is mapped (as its own ARN). */
  accounts: string[];
  errors: string[];
}

/** Parse `kube-system/aws-auth` (mapRoles / mapUsers / mapAccounts are YAML strings). */
export function awsAuth(ev: Evidence): AwsAuth | undefined {
  const obj = ev.get('core/ConfigMap', 'kube-system', 'aws-auth');
  if (!obj) return undefined;
  const data = isObj(obj.data) ? obj.data : {};
  const mappings: AwsAuthMapping[] = [];
  const errors: string[] = [];
  for (const section of ['mapRoles', 'mapUsers'] as const) {
    const text = data[section];
    if (text === undefined || text === null || text === '') continue;
    let list: unknown;
    try {
      list = typeof text === 'string' ? parseYaml(text) : text;
    } catch (err) {
      errors.push(`${section} is not valid YAML (${(err as Error).message.split('\n')[0]})`);
      continue;
    }
    if (list === null || list === undefined) continue;
    if (!Array.isArray(list)) { errors.push(`${section} is not a list`); continue; }
    for (const m of list) {
      if (!isObj(m)) { errors.push(`${section} has an entry that is not a mapping`); continue; }
      const arn = section === 'mapRoles' ? m.rolearn : m.userarn;
      if (typeof arn !== 'string') { errors.push(`${section} has an entry without ${section === 'mapRoles' ? 'rolearn' : 'userarn'}`); continue; }
      mappings.push({ section, arn, ...(typeof m.username === 'string' ? { username: m.username } : {}), groups: strs(m.groups) });
    }
  }
  let accounts: string[] = [];
  const accText = data.mapAccounts;
  if (typeof accText === 'string' && accText.trim()) {
    try {
      const a: unknown = parseYaml(accText);
      accounts = Array.isArray(a) ? a.map(String) : [];
    } catch {
      errors.push('mapAccounts is not valid YAML');
    }
  }
  return { obj, mappings, accounts, errors };
}

/** Node role mappings (`system:nodes`) are node identities, not people. */
export function isNodeMapping(m: AwsAuthMapping): boolean {
  return m.groups.includes('system:nodes') || m.groups.includes('system:bootstrappers') || m.username === 'system:node:{{EC2PrivateDNSName}}';
}

export function iamPrincipalRef(arn: string): ResourceRef {
  const p = parseArn(arn);
  const type = p?.resource.split('/')[0];
  const kind = type === 'user' ? 'AWS::IAM::User' : type === 'role' ? 'AWS::IAM::Role' : 'AWS::IAM::Principal';
  return { provider: 'aws', kind, name: type === 'role' || type === 'user' ? roleNameFromArn(arn) : arn, arn, ...(p?.accountId ? { accountId: p.accountId } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Cluster-admin principals (CC5-IAM-03 (a), P1-IAM-03).

export interface AdminPrincipal {
  /** `User:jane`, `Group:ops`, `ServiceAccount:ns/sa`, or a canonical IAM ARN. */
  id: string;
  kind: 'User' | 'Group' | 'ServiceAccount' | 'IAM';
  name: string;
  /** How it gets cluster-admin, one line per path. */
  via: string[];
  /** What findings are reported against. */
  resource: K8sObject | ResourceRef;
}

export function allowlisted(p: Pick<AdminPrincipal, 'id' | 'kind' | 'name'>, allowlist: readonly string[]): boolean {
  const candidates = new Set<string>([p.id, p.name]);
  if (p.kind === 'IAM') {
    candidates.add(roleNameFromArn(p.id));
    const type = parseArn(p.id)?.resource.split('/')[0];
    if (type) candidates.add(`${type}:${roleNameFromArn(p.id)}`);
  } else if (p.kind === 'ServiceAccount') {
    candidates.add(p.id.slice('ServiceAccount:'.length));
  }
  return allowlist.some((entry) => [...candidates].some((c) => iamMatch(entry, c, false) || (p.kind === 'IAM' && iamMatch(canonicalPrincipalArn(entry), c, false))));
}

/**
 * Principals holding cluster-admin: subjects of ClusterRoleBindings to cluster-admin (or an
 * equivalent `*`/`*`/`*` ClusterRole) that are not built in, access entries with
 * AmazonEKSClusterAdminPolicy at cluster scope or group `system:masters`, and aws-auth mappings to
 * `system:masters`. Built-in bindings (`cluster-admin` → `system:masters`, `eks:*`) are not counted:
 * the members of `system:masters` are, through the AWS-side mappings.
 */
export function clusterAdminPrincipals(
  ev: Evidence,
  isSystemNamespace: (ns: string | undefined) => boolean,
  opts: { accessEntries: boolean; awsAuth: boolean },
): AdminPrincipal[] {
  const byId = new Map<string, AdminPrincipal>();
  const add = (p: Omit<AdminPrincipal, 'via'>, via: string) => {
    const cur = byId.get(p.id);
    if (cur) { if (!cur.via.includes(via)) cur.via.push(via); } else byId.set(p.id, { ...p, via: [via] });
  };
  for (const b of bindings(ev)) {
    if (b.scope !== 'cluster' || !b.rules || !isAdminEquivalent(b.rules)) continue;
    if (isBuiltinBinding(b, isSystemNamespace)) continue;
    for (const s of b.subjects) {
      const kind = s.kind === 'ServiceAccount' || s.kind === 'Group' ? s.kind : 'User';
      add({ id: subjectId(s), kind, name: s.name, resource: b.obj }, `ClusterRoleBinding ${b.obj.metadata.name} → ${b.roleRef.name}`);
    }
  }
  if (opts.accessEntries) {
    for (const e of accessEntries(ev)) {
      const why = isClusterAdminEntry(e);
      if (why) add({ id: canonicalPrincipalArn(e.principalArn), kind: 'IAM', name: e.principalArn, resource: accessEntryRef(e) }, why);
    }
  }
  if (opts.awsAuth) {
    const a = awsAuth(ev);
    for (const m of a?.mappings ?? []) {
      if (!m.groups.includes('system:masters')) continue;
      add({ id: canonicalPrincipalArn(m.arn), kind: 'IAM', name: m.arn, resource: iamPrincipalRef(m.arn) }, `aws-auth ${m.section} → system:masters`);
    }
  }
  return [...byId.values()];
}

/** Subjects that stand for everyone: anonymous, unauthenticated or every authenticated user. */
export const EVERYONE_SUBJECTS: ReadonlySet<string> = new Set(['system:anonymous', 'system:unauthenticated', 'system:authenticated']);

/**
 * Where a binding's findings are reported. A RoleBinding in a system namespace is normally a system
 * finding (kept out of the status); when it grants a person, a group or an application service
 * account, it is not a system object, so it counts (`countedEvidence`), namespace and source kept.
 */
export function bindingResource(b: Binding, isSystemNamespace: (ns: string | undefined) => boolean): K8sObject | ResourceRef {
  if (b.scope !== 'namespace' || !isSystemNamespace(b.namespace)) return b.obj;
  if (b.subjects.every((s) => isSystemSubject(s, isSystemNamespace))) return b.obj;
  return countedEvidence(b.obj);
}

export function bindingLabel(b: Binding): string {
  const name = `${b.obj.kind} ${b.scope === 'namespace' ? `${b.namespace}/` : ''}${b.obj.metadata.name ?? '?'}`;
  return `${name} (${b.roleRef.kind} ${b.roleRef.name} → ${b.subjects.map(subjectLabel).join(', ') || 'no subjects'})`;
}

/**
 * Report anonymous/unauthenticated bindings (CC5-IAM-03 (d), P1-IAM-05) over every binding,
 * built-ins included (a binding named `system:*` can still open the cluster to anyone). Returns
 * how many bindings name such a subject.
 */
export function reportAnonymousBindings(all: readonly Binding[], ctx: CheckContext, rule: string): number {
  let n = 0;
  for (const b of all) {
    const anon = b.subjects.filter((s) => (s.kind === 'User' || s.kind === 'Group') && ANONYMOUS_SUBJECTS.has(s.name));
    if (!anon.length) continue;
    n++;
    const who = anon.map((s) => s.name).join(', ');
    if (b.roleRef.kind === 'ClusterRole' && DISCOVERY_ROLES.has(b.roleRef.name)) {
      ctx.pass(b.obj, rule, `${who} bound to the discovery role ${b.roleRef.name} only (Kubernetes default)`);
    } else {
      ctx.fail(b.obj, rule, `${who} bound to ${b.roleRef.kind} ${b.roleRef.name}: anyone who can reach the API server gets it`, { severity: 'critical' });
    }
  }
  return n;
}

/**
 * Count and judge cluster-admin principals (CC5-IAM-03 (a), P1-IAM-03): each principal passes only
 * when it is in `clusterAdminAllowlist` ("everyone" groups always fail; a workload service account
 * outside the list fails high), then the count is compared with `maxClusterAdmins`.
 * When the cluster uses access entries and they were not (fully) collected, the count would be
 * wrong: the control is put in error instead.
 */
export function reportClusterAdmins(
  ev: Evidence,
  ctx: CheckContext,
  opts: { cluster: Cluster | undefined; accessEntriesDeclared: boolean; awsAuthDeclared: boolean; rule: string },
): void {
  const mode = opts.cluster?.accessConfig?.authenticationMode;
  const entriesRead = opts.accessEntriesDeclared && ev.has('aws:eks:ListAccessEntries');
  if (opts.accessEntriesDeclared && (mode === 'API' || mode === 'API_AND_CONFIG_MAP')) {
    if (!entriesRead) {
      ctx.error(`the cluster uses access entries (authenticationMode ${mode}) but eks:ListAccessEntries was not collected: cluster-admin principals cannot be counted`);
      return;
    }
    const missing = accessEntries(ev).filter((e) => !(e.type && NODE_ENTRY_TYPES.has(e.type)) && (!e.described || !e.policiesKnown));
    if (missing.length) {
      ctx.error(`details of ${missing.length} access entr${missing.length === 1 ? 'y' : 'ies'} not collected (eks:DescribeAccessEntry / eks:ListAssociatedAccessPolicies): ${missing.slice(0, 3).map((e) => e.principalArn).join(', ')}${missing.length > 3 ? ', …' : ''}`);
      return;
    }
  }
  const awsAuthRead = opts.awsAuthDeclared && ev.has('k8s:core/ConfigMap') && mode !== 'API';
  const admins = clusterAdminPrincipals(ev, ctx.isSystemNamespace, { accessEntries: entriesRead, awsAuth: awsAuthRead });
  const allow = ctx.config.clusterAdminAllowlist;
  for (const p of admins) {
    const via = p.via.join('; ');
    const listed = allowlisted(p, allow);
    if ((p.kind === 'Group' || p.kind === 'User') && EVERYONE_SUBJECTS.has(p.name)) {
      ctx.fail(p.resource, opts.rule, `${p.name} (everyone) holds cluster-admin via ${via}`, { severity: 'critical' });
    } else if (listed) {
      ctx.pass(p.resource, opts.rule, `cluster-admin principal ${p.name} via ${via} is in clusterAdminAllowlist`);
    } else if (p.kind === 'ServiceAccount') {
      ctx.fail(p.resource, opts.rule, `workload identity ${p.id.slice('ServiceAccount:'.length)} holds cluster-admin via ${via}: any compromise of its pods takes the cluster`, { severity: 'high' });
    } else {
      ctx.fail(p.resource, opts.rule, `cluster-admin principal ${p.name} via ${via} is not in clusterAdminAllowlist${allow.length ? '' : ' (none configured: list the approved break-glass admins in the configuration)'}`, { severity: 'medium' });
    }
  }
  const max = ctx.config.thresholds.maxClusterAdmins;
  const ref = clusterRefOf(opts.cluster, ctx.clusterName);
  const names = admins.map((p) => p.name);
  if (admins.length > max) {
    ctx.fail(ref, opts.rule, `${admins.length} cluster-admin principals, more than maxClusterAdmins (${max}): ${names.join(', ')}`, { severity: 'medium' });
  } else {
    ctx.pass(ref, opts.rule, `${admins.length} cluster-admin principal(s), within maxClusterAdmins (${max})${names.length ? `: ${names.join(', ')}` : ''}`);
  }
  if (mode === 'CONFIG_MAP') {
    ctx.fail(ref, opts.rule, 'authenticationMode CONFIG_MAP: the IAM principal that created the cluster holds system:masters without appearing in aws-auth or any API — confirm who it is in the access review, or move to access entries', { severity: 'low' });
  }
  if (allow.length === 0 && admins.length) ctx.note('clusterAdminAllowlist is empty: no cluster-admin principal counts as approved');
  if (!entriesRead && mode !== 'CONFIG_MAP') ctx.note(`access entries were not read: cluster-admin principals come from RBAC${awsAuthRead ? ' and aws-auth' : ''} only`);
}

function clusterRefOf(c: Cluster | undefined, name: string | undefined): ResourceRef {
  if (c) return clusterRef(c);
  return { provider: 'kubernetes', kind: 'Cluster', name: name ?? 'cluster' };
}
