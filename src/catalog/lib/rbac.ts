import { parse as parseYaml } from 'yaml';
import type { Evidence, EvidenceKey, K8sObject, ResourceRef } from '../../model/index.js';
import { aws as awsKey, k8s } from './keys.js';
import { out } from './aws.js';
import { canonicalPrincipalArn, iamMatch, parseArn, roleNameFromArn } from './iam.js';
import { classifySubject, isObj, roleIndex, subjectLabel } from './permissions.js';
import type { PolicyRule, Subject, SubjectClass } from './permissions.js';

/**
 * Who is granted what in an EKS cluster: RBAC bindings (resolved against the permission model of
 * `permissions.ts`), EKS access entries with their access policies, and the `kube-system/aws-auth`
 * ConfigMap. Parsing and lookups only; the judgement is in `rbac-judge.ts`.
 * https://kubernetes.io/docs/concepts/security/rbac-good-practices/
 */

export type { PolicyRule, Subject } from './permissions.js';
export {
  ANONYMOUS_SUBJECTS, CLUSTER_ADMIN_POLICY, EVERYONE_SUBJECTS, describeRule, isAdminEquivalent, rulesOf, subjectId, subjectLabel,
} from './permissions.js';

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

// ---------------------------------------------------------------------------------------------
// Bindings.

export interface Binding {
  obj: K8sObject;
  /** ClusterRoleBinding → cluster; RoleBinding → its namespace (even when it references a ClusterRole). */
  scope: 'cluster' | 'namespace';
  namespace?: string;
  roleRef: { kind: string; name: string };
  subjects: Subject[];
  /** Effective rules of the referenced role (aggregation resolved); undefined when the role is unknown. */
  rules?: PolicyRule[];
  /** The rules come from the Kubernetes default role because the input does not contain it. */
  builtinRules?: boolean;
  /**
   * How the role was found: in the input, assumed (a Kubernetes default), absent (its kind was
   * read as the whole inventory and it is not there: the binding grants nothing), unread (its kind
   * was not read, or only some objects of it were, e.g. loose manifests), or
   * invalid (a ClusterRoleBinding naming a Role, rejected by the API server).
   */
  role: 'found' | 'assumed' | 'absent' | 'unread' | 'invalid';
}

function subjectsOf(o: K8sObject): Subject[] {
  const raw = Array.isArray(o.subjects) ? o.subjects : [];
  return raw.filter(isObj).filter((s) => typeof s.kind === 'string' && typeof s.name === 'string').map((s) => ({
    kind: s.kind as string,
    name: s.name as string,
    ...(typeof s.namespace === 'string' ? { namespace: s.namespace } : s.kind === 'ServiceAccount' && o.kind === 'RoleBinding' ? { namespace: o.metadata.namespace ?? 'default' } : {}),
  }));
}

/**
 * Every ClusterRoleBinding and RoleBinding with its subjects and the effective rules of the role it
 * references. Callers must declare the four RBAC kinds. Memoised per run.
 */
export function bindings(ev: Evidence): Binding[] {
  return ev.memo('permissions:bindings', () => {
    const idx = roleIndex(ev);
    // "Not there, so the binding grants nothing" needs every role of the cluster: a loose set of manifests may hold the binding and not its role.
    const crRead = ev.complete(`k8s:${RBAC_KINDS.clusterRole}`);
    const roleRead = ev.complete(`k8s:${RBAC_KINDS.role}`);
    const list: Binding[] = [];
    for (const kind of [RBAC_KINDS.clusterRoleBinding, RBAC_KINDS.roleBinding]) {
      for (const o of ev.objects(kind)) {
        const ref = isObj(o.roleRef) ? o.roleRef : {};
        const roleRef = { kind: typeof ref.kind === 'string' ? ref.kind : 'ClusterRole', name: typeof ref.name === 'string' ? ref.name : '' };
        const cluster = o.kind === 'ClusterRoleBinding';
        // A manifest without a namespace lands in `default` when applied.
        const ns = o.metadata.namespace ?? 'default';
        let rules: PolicyRule[] | undefined;
        let role: Binding['role'];
        if (roleRef.kind === 'ClusterRole') {
          const r = idx.clusterRoles.get(roleRef.name);
          if (r) { rules = r.rules; role = r.assumed ? 'assumed' : 'found'; } else role = crRead ? 'absent' : 'unread';
        } else if (roleRef.kind === 'Role' && !cluster) {
          const r = idx.roles.get(`${ns}/${roleRef.name}`);
          if (r) { rules = r.rules; role = 'found'; } else role = roleRead ? 'absent' : 'unread';
        } else {
          role = 'invalid';
        }
        list.push({
          obj: o,
          scope: cluster ? 'cluster' : 'namespace',
          ...(cluster ? {} : { namespace: ns }),
          roleRef,
          subjects: subjectsOf(o),
          ...(rules ? { rules } : {}),
          ...(role === 'assumed' ? { builtinRules: true } : {}),
          role,
        });
      }
    }
    return list;
  });
}

/** `ClusterRoleBinding name (ClusterRole x → subjects)`. */
export function bindingLabel(b: Binding): string {
  const name = `${b.obj.kind} ${b.scope === 'namespace' ? `${b.namespace}/` : ''}${b.obj.metadata.name ?? '?'}`;
  return `${name} (${b.roleRef.kind} ${b.roleRef.name} → ${b.subjects.map(subjectLabel).join(', ') || 'no subjects'})`;
}

/**
 * A binding is a system object when every subject is a Kubernetes/EKS identity or a service
 * account of a system namespace — by what the subjects are, never by the binding's name. A binding
 * without subjects keeps the default (system when it lives in a system namespace).
 */
export function bindingIsSystem(b: Binding, isSystemNamespace: (ns: string | undefined) => boolean): boolean {
  if (b.subjects.length === 0) return b.scope === 'namespace' && isSystemNamespace(b.namespace);
  return b.subjects.every((s) => classifySubject(s, isSystemNamespace) === 'system');
}

export function subjectClasses(b: Binding, isSystemNamespace: (ns: string | undefined) => boolean): SubjectClass[] {
  return b.subjects.map((s) => classifySubject(s, isSystemNamespace));
}

// ---------------------------------------------------------------------------------------------
// EKS access entries.

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

/**
 * Access entries of the cluster from ListAccessEntries / DescribeAccessEntry /
 * ListAssociatedAccessPolicies. Callers must declare the three operations. Memoised per run.
 */
export function accessEntries(ev: Evidence): AccessEntryInfo[] {
  return ev.memo('permissions:access-entries', () => {
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
  });
}

export function isNodeEntry(e: AccessEntryInfo): boolean {
  return Boolean(e.type && NODE_ENTRY_TYPES.has(e.type));
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

/** Parse `kube-system/aws-auth` (mapRoles / mapUsers / mapAccounts are YAML strings). Callers declare `core/ConfigMap`. */
export function awsAuth(ev: Evidence): AwsAuth | undefined {
  return ev.memo('permissions:aws-auth', () => parseAwsAuth(ev.get('core/ConfigMap', 'kube-system', 'aws-auth')));
}

function parseAwsAuth(obj: K8sObject | undefined): AwsAuth | undefined {
  if (!obj) return undefined;
  const data = isObj(obj.data) ? obj.data : {};
  const mappings: AwsAuthMapping[] = [];
  const errors: string[] = [];
  const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
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
// IAM principals and the Kubernetes identities EKS gives them.

export interface IamIdentity {
  /** Canonical ARN (role paths dropped). */
  id: string;
  arn: string;
  /** Kubernetes username when it is fixed (no `{{SessionName}}` template). */
  username?: string;
  groups: string[];
  via: string[];
}

/**
 * The IAM principals mapped into the cluster (access entries that are not node identities, and
 * aws-auth mappings when `awsAuthInEffect`), with the Kubernetes groups EKS puts them in.
 */
export function iamIdentities(ev: Evidence, opts: { entries: boolean; awsAuth: boolean }): IamIdentity[] {
  const byId = new Map<string, IamIdentity>();
  const add = (arn: string, username: string | undefined, groups: string[], via: string) => {
    const id = canonicalPrincipalArn(arn);
    let i = byId.get(id);
    if (!i) byId.set(id, (i = { id, arn, groups: [], via: [] }));
    if (username && !username.includes('{{')) i.username = username;
    for (const g of groups) if (!i.groups.includes(g)) i.groups.push(g);
    i.via.push(via);
  };
  if (opts.entries) for (const e of accessEntries(ev)) if (!isNodeEntry(e)) add(e.principalArn, e.username, e.kubernetesGroups, 'access entry');
  if (opts.awsAuth) for (const m of awsAuth(ev)?.mappings ?? []) if (!isNodeMapping(m)) add(m.arn, m.username, m.groups, `aws-auth ${m.section}`);
  return [...byId.values()];
}

// ---------------------------------------------------------------------------------------------
// Allowlists.

export interface PrincipalKey {
  /** `User:jane`, `Group:ops`, `ServiceAccount:ns/sa`, or a canonical IAM ARN. */
  id: string;
  kind: 'User' | 'Group' | 'ServiceAccount' | 'IAM';
  name: string;
}

/** Whether `clusterAdminAllowlist` approves the principal (a name, `Kind:name`, `ServiceAccount:ns/name`, a role name or ARN; globs). */
export function allowlisted(p: PrincipalKey, allowlist: readonly string[]): boolean {
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

export function principalKeyOf(s: Subject): PrincipalKey {
  const kind = s.kind === 'ServiceAccount' || s.kind === 'Group' ? s.kind : 'User';
  return { id: s.kind === 'ServiceAccount' ? `ServiceAccount:${s.namespace ?? ''}/${s.name}` : `${s.kind}:${s.name}`, kind, name: s.name };
}
