import type { Cluster } from '@aws-sdk/client-eks';
import type { CheckContext, Evidence, EvidenceKey, JsonValue, K8sObject, ResourceRef, RuleMeta, Severity } from '../../model/index.js';
import { severityRank } from '../../model/index.js';
import { aws as awsKey } from './keys.js';
import { clusterRef } from './aws.js';
import { canonicalPrincipalArn } from './iam.js';
import {
  accessPolicy, allowing, allows, beyondDiscovery, classifySubject, describeRule, isAdminAccessPolicy, isAdminEquivalent, roleIndex,
  subjectLabel,
} from './permissions.js';
import type { PolicyRule, Subject, SubjectClass } from './permissions.js';
import {
  RBAC_KINDS, accessEntries, accessEntryRef, allowlisted, awsAuth, bindingIsSystem, bindingLabel, bindings, iamIdentities, iamPrincipalRef,
  isNodeEntry, principalKeyOf,
} from './rbac.js';
import type { AccessEntryInfo, Binding, PrincipalKey } from './rbac.js';

/**
 * Least-privilege judgement of every RBAC object and access grant, each on its own
 * (controls.md CC5-IAM-03 (a)–(e), the Kubernetes "RBAC good practices" escalation risks, the
 * Part 1 identity items). The rule levels follow the checklist line "Implement least-privilege
 * RBAC policies" and SOC 2 CC6.3 (access restricted to what a role needs): a grant that reaches
 * the whole cluster or escalates beyond itself is required; the same kind of grant confined to one
 * namespace, and hygiene whose risk other rules already judge, is recommended (a warning).
 */

const BASIS = {
  leastPrivilege: 'checklist CC5 "Implement least-privilege RBAC policies"; SOC 2 CC6.3 (access restricted to what the role needs)',
  escalation: 'Kubernetes "RBAC good practices": privilege-escalation risks; a grant that lets its holder exceed it defeats least privilege (CC6.3)',
  namespaced: 'the same grant confined to one namespace, where it is the usual way to run that namespace: hardening beyond the checklist item',
};

export const RBAC_RULES = {
  'cluster-admin-binding': {
    title: 'Each grant of cluster-admin goes to an approved principal (never a workload or everyone)', severity: 'high', level: 'required',
    basis: `controls.md CC5-IAM-03 (a): cluster-admin only for approved break-glass principals; ${BASIS.leastPrivilege}`, evidence: [],
  },
  'cluster-admin-count': {
    title: 'No more cluster-admin principals than maxClusterAdmins', severity: 'medium', level: 'required',
    basis: 'controls.md CC5-IAM-03 / P1-IAM-03: the number of cluster-admin principals stays within the approved threshold', evidence: [],
  },
  'hidden-creator-admin': {
    title: 'No cluster creator holding invisible system:masters (authenticationMode CONFIG_MAP)', severity: 'low', level: 'recommended',
    basis: 'controls.md CC5-IAM-03 edge case: the creator\'s admin in CONFIG_MAP mode is shown by no API; flagged as a warning and confirmed in the attested access review',
    evidence: [awsKey('eks:DescribeCluster')],
  },
  'rbac-wildcard': {
    title: 'No "*" in resources or apiGroups (read-only access to named API groups excepted)', severity: 'high', level: 'required',
    basis: `controls.md CC5-IAM-03 (b): "*" grants every current and future resource; ${BASIS.leastPrivilege}`, evidence: [],
  },
  'rbac-wildcard-verbs': {
    title: 'No "*" verbs on named resources, no "*" non-resource URLs', severity: 'low', level: 'recommended',
    basis: 'the dangerous verbs a "*" includes (escalate, bind, impersonate, reading Secrets, exec) are judged by their own rules; listing the verbs a role needs is hardening (CIS Kubernetes 5.1.3)',
    evidence: [],
  },
  'rbac-secrets-read': {
    title: 'No get/list/watch on Secrets cluster-wide', severity: 'high', level: 'required',
    basis: 'controls.md CC5-IAM-03 (c): reading Secrets cluster-wide fails ("list and watch also reveal the contents")', evidence: [],
  },
  'rbac-secrets-read-namespaced': {
    title: 'No get/list/watch on Secrets within a namespace', severity: 'low', level: 'recommended',
    basis: `controls.md CC5-IAM-03 (c): reading Secrets in one namespace warns; ${BASIS.namespaced}`, evidence: [],
  },
  'rbac-privilege-escalation': {
    title: 'No escalate, bind or impersonate grants', severity: 'high', level: 'required', basis: BASIS.escalation, evidence: [],
  },
  'rbac-token-create': {
    title: 'No create on serviceaccounts/token cluster-wide', severity: 'high', level: 'required',
    basis: `${BASIS.escalation} (minting a token of any service account, kube-system's included)`, evidence: [],
  },
  'rbac-act-as-sa-namespaced': {
    title: 'No acting as a namespace\'s service accounts (impersonate serviceaccounts, create serviceaccounts/token)', severity: 'medium', level: 'recommended',
    basis: `equivalent to running a pod with those service accounts, which the built-in edit role allows; ${BASIS.namespaced}`, evidence: [],
  },
  'rbac-nodes-proxy': {
    title: 'No access to nodes/proxy (kubelet API: exec in every pod of a node)', severity: 'critical', level: 'required', basis: BASIS.escalation, evidence: [],
  },
  'rbac-csr-approval': { title: 'No create + approve of CertificateSigningRequests', severity: 'high', level: 'required', basis: BASIS.escalation, evidence: [] },
  'rbac-webhook-write': {
    title: 'No write access to admission webhook or policy configurations', severity: 'high', level: 'required', basis: BASIS.escalation, evidence: [],
  },
  'rbac-pv-create': { title: 'No create on PersistentVolumes (hostPath volumes)', severity: 'high', level: 'required', basis: BASIS.escalation, evidence: [] },
  'rbac-namespace-write': {
    title: 'No patch/update on Namespaces (relaxes Pod Security labels)', severity: 'medium', level: 'required', basis: BASIS.escalation, evidence: [],
  },
  'rbac-pod-exec': {
    title: 'No pods/exec, attach, portforward or ephemeral containers cluster-wide', severity: 'high', level: 'required',
    basis: `${BASIS.escalation} (commands in every pod, kube-system's included, with their service accounts and Secrets)`, evidence: [],
  },
  'rbac-pod-exec-namespaced': {
    title: 'No pods/exec, attach, portforward or ephemeral containers within a namespace', severity: 'medium', level: 'recommended',
    basis: `controls.md CC5-IAM-03 (c) lists exec for break-glass roles; ${BASIS.namespaced}`, evidence: [],
  },
  'rbac-rbac-write': {
    title: 'No write access to Roles and bindings', severity: 'medium', level: 'recommended',
    basis: 'Kubernetes refuses to let a holder grant more than it has (the escalate and bind checks, judged by rbac-privilege-escalation): what remains is delegation of its own rights, hardening',
    evidence: [],
  },
  'rbac-default-sa': {
    title: 'No bindings to a namespace\'s default ServiceAccount', severity: 'medium', level: 'recommended',
    basis: 'controls.md CC5-IAM-03 (e); what the grant allows is judged by the other rules, giving it to every pod of the namespace is hygiene',
    evidence: [],
  },
  'rbac-anonymous': {
    title: 'Anonymous and unauthenticated users get discovery and health endpoints only', severity: 'critical', level: 'required',
    basis: 'controls.md CC5-IAM-03 (d) and P1-IAM-05: anyone who can reach the API server gets what these subjects are granted (CC6.1)', evidence: [],
  },
} as const satisfies Record<string, RuleMeta>;
export type RbacRule = keyof typeof RBAC_RULES;

/** The rules that judge one grant (a role definition, a binding, an access policy association). */
export const GRANT_RULES: readonly RbacRule[] = [
  'rbac-wildcard', 'rbac-wildcard-verbs', 'rbac-secrets-read', 'rbac-secrets-read-namespaced', 'rbac-privilege-escalation', 'rbac-token-create',
  'rbac-act-as-sa-namespaced', 'rbac-nodes-proxy', 'rbac-csr-approval', 'rbac-webhook-write', 'rbac-pv-create', 'rbac-namespace-write',
  'rbac-pod-exec', 'rbac-pod-exec-namespaced', 'rbac-rbac-write',
];

const PASS_TEXT: Record<RbacRule, string> = {
  'cluster-admin-binding': 'does not grant cluster-admin',
  'cluster-admin-count': '',
  'hidden-creator-admin': '',
  'rbac-wildcard': 'no "*" in resources or apiGroups',
  'rbac-wildcard-verbs': 'no "*" verbs',
  'rbac-secrets-read': 'no Secrets read',
  'rbac-secrets-read-namespaced': 'no Secrets read',
  'rbac-privilege-escalation': 'no escalate, bind or impersonate',
  'rbac-token-create': 'no service-account token minting',
  'rbac-act-as-sa-namespaced': 'does not act as other service accounts',
  'rbac-nodes-proxy': 'no nodes/proxy',
  'rbac-csr-approval': 'cannot create and approve CSRs',
  'rbac-webhook-write': 'no write on admission configuration',
  'rbac-pv-create': 'cannot create PersistentVolumes',
  'rbac-namespace-write': 'cannot patch Namespaces',
  'rbac-pod-exec': 'no exec, attach, port-forward or ephemeral containers',
  'rbac-pod-exec-namespaced': 'no exec, attach, port-forward or ephemeral containers',
  'rbac-rbac-write': 'no write on Roles or bindings',
  'rbac-default-sa': 'not granted to a default ServiceAccount',
  'rbac-anonymous': 'no anonymous subject',
};

const READ_VERBS = ['get', 'list', 'watch'];
const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const ANY_VERB = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'proxy', 'connect'];
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const WORKLOADS: [string, string][] = [['', 'pods'], ['apps', 'deployments'], ['apps', 'statefulsets'], ['apps', 'daemonsets'], ['apps', 'replicasets'], ['batch', 'jobs'], ['batch', 'cronjobs'], ['', 'replicationcontrollers']];

/**
 * Rules with `*` in resources or apiGroups. Read-only access to every resource of named, non-core
 * API groups (get/list/watch on `*` in `karpenter.sh`, say) is not counted: it writes nothing and
 * cannot reach Secrets — the read-only role controls.md §4.3 recommends for this tool is written
 * that way.
 */
export function wildcardRules(rules: readonly PolicyRule[]): PolicyRule[] {
  return rules.filter((r) => r.resources.length > 0 && (r.resources.includes('*') || r.apiGroups.includes('*'))
    && !(r.verbs.length > 0 && r.verbs.every((v) => READ_VERBS.includes(v))
      && r.apiGroups.length > 0 && r.apiGroups.every((g) => g !== '' && g !== '*')));
}

/** Rules with `*` verbs on named resources of named groups, and `*` non-resource URLs. */
export function wildcardVerbRules(rules: readonly PolicyRule[]): PolicyRule[] {
  return rules.filter((r) => (r.resources.length > 0 && r.verbs.includes('*') && !r.resources.includes('*') && !r.apiGroups.includes('*'))
    || (r.nonResourceURLs.includes('*')));
}

export interface RbacIssue {
  rule: RbacRule;
  severity?: Severity;
  message: string;
}

export interface GrantAnalysis {
  issues: RbacIssue[];
  /** Rules judged (each gets a pass or its issues). */
  checked: RbacRule[];
  /** Every verb on every resource (cluster-admin within the scope). */
  admin: boolean;
  createsWorkloads: boolean;
  /** Rules that found nothing, but only in what was read (not evaluated): e.g. acting as a namespace's service accounts when the ClusterRoleBindings that could make them powerful were not read whole. */
  undecided?: RbacIssue[];
}

/**
 * Judge one set of rules granted at one scope. Cluster-scoped resources (nodes/proxy, CSRs,
 * webhook configurations, PersistentVolumes, Namespaces, impersonating users and groups) are
 * only judged for cluster-wide grants: a RoleBinding cannot grant them. A grant equivalent to
 * cluster-admin is judged for wildcards only (everything narrower is implied), and not at all
 * with `adminJudgedElsewhere` (a ClusterRoleBinding, judged as a cluster-admin grant).
 * `serverMinor` decides whether `get pods/exec` still opens a WebSocket exec (before 1.35).
 */
export function analyzeGrant(
  rules: readonly PolicyRule[], scope: 'cluster' | 'namespace', serverMinor: number | undefined,
  opts: { where: string; adminJudgedElsewhere?: boolean; takeover?: Takeover },
): GrantAnalysis {
  const issues: RbacIssue[] = [];
  const checked: RbacRule[] = [];
  const cluster = scope === 'cluster';
  const where = opts.where;
  const check = (r: RbacRule) => { checked.push(r); };
  const add = (r: RbacRule, message: string, severity?: Severity) => issues.push({ rule: r, message, ...(severity ? { severity } : {}) });
  const admin = isAdminEquivalent(rules);
  const createsWorkloads = !admin && WORKLOADS.some(([g, r]) => allows(rules, ['create'], g, r));
  if (admin && opts.adminJudgedElsewhere) return { issues, checked, admin, createsWorkloads };

  check('rbac-wildcard');
  const wild = wildcardRules(rules);
  if (wild.length) add('rbac-wildcard', `"*" ${where}: ${wild.map(describeRule).join('; ')}`, cluster ? undefined : 'medium');
  const taken = !cluster && opts.takeover ? takeover(rules, opts.takeover, serverMinor) : undefined;
  // Acting as the namespace's service accounts is escalation when one of them holds cluster-wide power: "none does" needs every ClusterRoleBinding.
  const partial = opts.takeover?.powerful.partial;
  const undecided: RbacIssue[] = !cluster && !taken && partial && actsAsServiceAccounts(rules, serverMinor)
    ? [{ rule: 'rbac-privilege-escalation', message: `can act as the service accounts of ${opts.takeover!.namespaces.join(', ') || 'its namespace'}; whether one of them holds cluster-wide power is not known: ${partial}` }]
    : [];
  if (admin) {
    // Full control of a namespace: everything narrower is implied, except reaching beyond it.
    if (taken) { check('rbac-privilege-escalation'); add('rbac-privilege-escalation', taken); } else if (undecided.length) check('rbac-privilege-escalation');
    return { issues, checked, admin, createsWorkloads, ...(undecided.length ? { undecided } : {}) };
  }

  check('rbac-wildcard-verbs');
  const wildVerbs = wildcardVerbRules(rules);
  if (wildVerbs.length) add('rbac-wildcard-verbs', `"*" verbs ${where}: ${wildVerbs.map(describeRule).join('; ')}`);

  const secrets = allowing(rules, READ_VERBS, '', 'secrets');
  const secretsRule: RbacRule = cluster ? 'rbac-secrets-read' : 'rbac-secrets-read-namespaced';
  check(secretsRule);
  if (secrets.length) add(secretsRule, `can read Secrets ${where} (list and watch reveal their contents too): ${secrets.map(describeRule).join('; ')}`);

  check('rbac-privilege-escalation');
  const esc: string[] = [];
  for (const res of cluster ? ['roles', 'clusterroles'] : ['roles']) if (allows(rules, ['escalate'], RBAC_GROUP, res)) esc.push(`escalate ${res}`);
  // A RoleBinding naming a ClusterRole is checked as `bind` on that ClusterRole in the namespace.
  for (const res of ['roles', 'clusterroles']) if (allows(rules, ['bind'], RBAC_GROUP, res)) esc.push(`bind ${res}`);
  if (cluster) {
    for (const res of ['users', 'groups', 'serviceaccounts']) if (allows(rules, ['impersonate'], '', res, { named: true })) esc.push(`impersonate ${res}`);
    const authn = rules.filter((r) => r.verbs.some((v) => v === 'impersonate' || v === '*') && (r.apiGroups.includes('*') || r.apiGroups.includes('authentication.k8s.io'))
      && r.resources.some((x) => x === '*' || x === 'uids' || x.startsWith('userextras')));
    if (authn.length) esc.push('impersonate uids/userextras');
  }
  if (esc.length) add('rbac-privilege-escalation', `can act beyond its own permissions ${where}: ${esc.join(', ')}`);
  if (taken) add('rbac-privilege-escalation', taken);

  if (cluster) {
    check('rbac-token-create');
    if (allows(rules, ['create'], '', 'serviceaccounts/token', { named: true })) add('rbac-token-create', 'can mint tokens for service accounts in every namespace (create serviceaccounts/token)');
  } else {
    check('rbac-act-as-sa-namespaced');
    const actAs = [
      ...(allows(rules, ['impersonate'], '', 'serviceaccounts', { named: true }) ? ['impersonate serviceaccounts'] : []),
      ...(allows(rules, ['create'], '', 'serviceaccounts/token', { named: true }) ? ['create serviceaccounts/token'] : []),
    ];
    if (actAs.length) add('rbac-act-as-sa-namespaced', `can act as the service accounts ${where}: ${actAs.join(', ')}`);
  }

  const execVerbs = serverMinor !== undefined && serverMinor >= 35 ? ['create'] : ['create', 'get'];
  const exec = [
    ...['pods/exec', 'pods/attach', 'pods/portforward'].filter((r) => allows(rules, execVerbs, '', r)).map((r) => `${r} (${execVerbs.join(' or ')})`),
    ...(allows(rules, ['update', 'patch'], '', 'pods/ephemeralcontainers') ? ['pods/ephemeralcontainers (update or patch: a debug container of any image)'] : []),
  ];
  const execRule: RbacRule = cluster ? 'rbac-pod-exec' : 'rbac-pod-exec-namespaced';
  check(execRule);
  if (exec.length) add(execRule, `can run commands in pods ${where}: ${exec.join(', ')}${serverMinor === undefined ? ' (cluster version unknown: get counts, as before Kubernetes 1.35)' : ''}`);

  check('rbac-rbac-write');
  const rbacWrite = (cluster ? ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'] : ['roles', 'rolebindings'])
    .filter((r) => allows(rules, ['create', 'update', 'patch'], RBAC_GROUP, r, { named: true }));
  if (rbacWrite.length) add('rbac-rbac-write', `can write ${rbacWrite.join(', ')} ${where} (passes on its own permissions)`);

  if (cluster) {
    check('rbac-nodes-proxy');
    if (allows(rules, ANY_VERB, '', 'nodes/proxy', { named: true })) add('rbac-nodes-proxy', 'access to nodes/proxy: the kubelet API runs commands in every pod of a node, bypassing audit and admission (even with get)');
    check('rbac-csr-approval');
    if (allows(rules, ['create'], 'certificates.k8s.io', 'certificatesigningrequests') && allows(rules, ['update', 'patch'], 'certificates.k8s.io', 'certificatesigningrequests/approval')) {
      add('rbac-csr-approval', 'can create and approve CertificateSigningRequests (mint client certificates)');
    }
    check('rbac-webhook-write');
    const hooks = ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings']
      .filter((r) => allows(rules, WRITE_VERBS, 'admissionregistration.k8s.io', r));
    if (hooks.length) add('rbac-webhook-write', `can change admission control: write on ${hooks.join(', ')}`);
    check('rbac-pv-create');
    if (allows(rules, ['create'], '', 'persistentvolumes')) add('rbac-pv-create', 'can create PersistentVolumes (a hostPath volume exposes the node filesystem)');
    check('rbac-namespace-write');
    if (allows(rules, ['patch', 'update'], '', 'namespaces')) add('rbac-namespace-write', 'can patch/update Namespaces (relax Pod Security labels, change labels NetworkPolicies select on)');
  }
  return { issues, checked, admin, createsWorkloads, ...(undecided.length ? { undecided } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Taking over a namespace's service accounts.

/** Service accounts that ClusterRoleBindings give cluster-wide power, by namespace (`*` = every account of it). */
export type PowerfulAccounts = ReadonlyMap<string, readonly { account: string; holds: string; via: string }[]> & {
  /** Why the list may be incomplete (ClusterRoleBindings or their roles not read as a whole); undefined when it is the cluster's. */
  readonly partial?: string;
};

/** Where a namespaced grant applies, the powerful accounts there, and the grantee's own accounts (`ns/name`, no escalation to itself). */
export interface Takeover { namespaces: readonly string[]; powerful: PowerfulAccounts; self?: ReadonlySet<string> }

/**
 * The service accounts holding cluster-wide power: subjects (one account, or every account of a
 * namespace through `system:serviceaccounts:<ns>`) of ClusterRoleBindings that grant cluster-admin
 * or anything a required rule fails on.
 */
export function powerfulServiceAccounts(ev: Evidence, serverMinor: number | undefined): PowerfulAccounts {
  const out: Map<string, { account: string; holds: string; via: string }[]> & { partial?: string } = new Map();
  const gaps: string[] = [];
  if (!ev.complete(`k8s:${RBAC_KINDS.clusterRoleBinding}`)) gaps.push('the input may not hold every ClusterRoleBinding of the cluster (scan the live cluster or pass --complete-inventory)');
  const unread = bindings(ev).filter((b) => b.scope === 'cluster' && b.role === 'unread').map((b) => b.roleRef.name);
  if (unread.length) gaps.push(`what ClusterRole${unread.length === 1 ? '' : 's'} ${unread.slice(0, 3).join(', ')}${unread.length > 3 ? ', …' : ''} grant is not known`);
  if (gaps.length) out.partial = gaps.join('; ');
  for (const b of bindings(ev)) {
    if (b.scope !== 'cluster' || !b.rules) continue;
    const a = analyzeGrant(b.rules, 'cluster', serverMinor, { where: 'cluster-wide' });
    const holds = a.admin ? ['cluster-admin'] : [...new Set(a.issues.filter((i) => RBAC_RULES[i.rule].level === 'required').map((i) => i.rule.replace(/^rbac-/, '')))];
    if (!holds.length) continue;
    for (const s of b.subjects) {
      const group = s.kind === 'Group' ? /^system:serviceaccounts:(.+)$/.exec(s.name) : null;
      const [ns, account] = s.kind === 'ServiceAccount' ? [s.namespace ?? '', s.name] : group ? [group[1]!, '*'] : [undefined, undefined];
      if (ns === undefined || account === undefined) continue;
      (out.get(ns) ?? out.set(ns, []).get(ns)!).push({ account, holds: holds.join(', '), via: `ClusterRoleBinding ${b.obj.metadata.name}` });
    }
  }
  return out;
}

/**
 * Whether a namespaced grant lets its holder act as a service account of the namespace that holds
 * cluster-wide power: impersonating it, minting its token, running a pod (or a workload) with it,
 * or exec into a pod that runs as it. Returns the finding's message, or undefined.
 */
/** Whether a grant lets its holder act as some service account of its namespace (impersonate, mint a token, run a workload or exec). */
function actsAsServiceAccounts(rules: readonly PolicyRule[], serverMinor: number | undefined): boolean {
  if (allowing(rules, ['impersonate'], '', 'serviceaccounts', { named: true }).length || allowing(rules, ['create'], '', 'serviceaccounts/token', { named: true }).length) return true;
  if (WORKLOADS.some(([g, r]) => allows(rules, ['create'], g, r))) return true;
  return allows(rules, serverMinor !== undefined && serverMinor >= 35 ? ['create'] : ['create', 'get'], '', 'pods/exec');
}

function takeover(rules: readonly PolicyRule[], t: Takeover, serverMinor: number | undefined): string | undefined {
  const any: string[] = [];
  const named = new Map<string, string[]>();
  const note = (names: string[], how: string) => { for (const n of names) (named.get(n) ?? named.set(n, []).get(n)!).push(how); };
  for (const [verb, res, how] of [['impersonate', 'serviceaccounts', 'impersonate'], ['create', 'serviceaccounts/token', 'mint its token']] as const) {
    for (const r of allowing(rules, [verb], '', res, { named: true })) {
      if (r.resourceNames.length) note(r.resourceNames, how); else any.push(how);
    }
  }
  if (WORKLOADS.some(([g, r]) => allows(rules, ['create'], g, r))) any.push('run a workload with it');
  const execVerbs = serverMinor !== undefined && serverMinor >= 35 ? ['create'] : ['create', 'get'];
  if (allows(rules, execVerbs, '', 'pods/exec')) any.push('exec into its pods');
  const found: string[] = [];
  for (const ns of t.namespaces) {
    for (const p of t.powerful.get(ns) ?? []) {
      if (t.self?.has(`${ns}/${p.account}`)) continue;
      const how = p.account === '*' ? any : [...any, ...(named.get(p.account) ?? [])];
      if (!how.length) continue;
      found.push(`${p.account === '*' ? `every service account of ${ns}` : `ServiceAccount ${ns}/${p.account}`} (${[...new Set(how)].join(', ')}), which holds ${p.holds} through ${p.via}`);
    }
  }
  return found.length ? `can act as ${found.slice(0, 3).join('; ')}${found.length > 3 ? '; …' : ''}: cluster-wide power from a namespaced grant` : undefined;
}

// ---------------------------------------------------------------------------------------------
// Reporting helpers.

type Resource = K8sObject | ResourceRef;

function reportAnalysis(ctx: CheckContext, res: Resource, label: string, a: GrantAnalysis, opts: { system: boolean; severity?: (r: RbacRule) => Severity | undefined }): void {
  for (const r of a.checked) {
    const found = a.issues.filter((i) => i.rule === r);
    const open = a.undecided?.find((i) => i.rule === r);
    if (!found.length && open) { errorFinding(ctx, res, r, `${label}: ${open.message}`, opts.system); continue; }
    if (!found.length) { ctx.pass(res, r, `${label}: ${PASS_TEXT[r]}`, undefined, { system: opts.system }); continue; }
    for (const i of found) {
      const severity = i.severity ?? opts.severity?.(r);
      ctx.fail(res, r, `${label}: ${i.message}`, { ...(severity ? { severity } : {}), system: opts.system });
    }
  }
}

function errorFinding(ctx: CheckContext, res: Resource, rule: RbacRule, message: string, system: boolean): void {
  ctx.report({ rule, status: 'error', resource: res, message: `not evaluated: ${message}`, system });
}

export function serverMinorOf(ev: Evidence, cluster: Cluster | undefined): number | undefined {
  const v = ev.serverMinor();
  if (v !== undefined) return v;
  const m = cluster?.version ? /^\d+\.(\d+)/.exec(cluster.version) : null;
  return m ? Number(m[1]) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Role definitions.

/**
 * Every Role and ClusterRole in the input, bound or not (a chart's roles are judged even when its
 * bindings are elsewhere): what the role would grant, at the scope it can be granted. A
 * ClusterRole can be bound cluster-wide, so it is judged as cluster-wide unless the
 * ClusterRoleBindings were read and none uses it (or a role it is aggregated into) while
 * RoleBindings do. Kubernetes defaults (`rbac-defaults`) and roles used only by system identities
 * are reported with the system findings; so is an unused role named `system:*`/`eks:*`.
 */
export function judgeRoleDefinitions(ev: Evidence, ctx: CheckContext, serverMinor: number | undefined, powerful?: PowerfulAccounts): { judged: number } {
  const idx = roleIndex(ev);
  const all = bindings(ev);
  // "No ClusterRoleBinding uses it" (judged at namespace scope) needs every ClusterRoleBinding of the cluster.
  const crbRead = ev.complete(`k8s:${RBAC_KINDS.clusterRoleBinding}`);
  const usesOfCluster = new Map<string, Binding[]>();
  const usesOfRole = new Map<string, Binding[]>();
  for (const b of all) {
    if (b.roleRef.kind === 'ClusterRole') (usesOfCluster.get(b.roleRef.name) ?? usesOfCluster.set(b.roleRef.name, []).get(b.roleRef.name)!).push(b);
    else if (b.roleRef.kind === 'Role' && b.scope === 'namespace') {
      const key = `${b.namespace}/${b.roleRef.name}`;
      (usesOfRole.get(key) ?? usesOfRole.set(key, []).get(key)!).push(b);
    }
  }
  const systemBy = (uses: readonly Binding[], fallback: boolean): boolean => {
    const granting = uses.filter((b) => b.subjects.length > 0);
    if (!granting.length) return fallback;
    return granting.every((b) => bindingIsSystem(b, ctx.isSystemNamespace));
  };
  /** The service accounts a role is granted to, when it is granted to service accounts only (acting as themselves is no escalation). */
  const grantees = (uses: readonly Binding[]): Set<string> => {
    const subjects = uses.flatMap((b) => b.subjects);
    return subjects.length && subjects.every((x) => x.kind === 'ServiceAccount') ? new Set(subjects.map((x) => `${x.namespace}/${x.name}`)) : new Set();
  };
  let judged = 0;
  for (const r of idx.clusterRoles.values()) {
    if (r.assumed) continue;
    judged++;
    const uses = [r.name, ...r.aggregatedInto].flatMap((n) => usesOfCluster.get(n) ?? []);
    const cluster = !crbRead || uses.length === 0 || uses.some((b) => b.scope === 'cluster');
    const named = r.name.startsWith('system:') || r.name.startsWith('eks:');
    const system = r.obj.metadata.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults' || systemBy(uses, named);
    const agg = r.aggregatedInto.length ? ` (aggregated into ${r.aggregatedInto.join(', ')})` : '';
    const label = `ClusterRole ${r.name}${agg}`;
    const where = cluster ? (uses.length ? 'cluster-wide' : 'cluster-wide once bound') : 'in the namespaces its RoleBindings name';
    const namespaces = [...new Set(uses.filter((b) => b.scope === 'namespace').map((b) => b.namespace!))];
    const a = analyzeGrant(r.rules, cluster ? 'cluster' : 'namespace', serverMinor, { where, ...(powerful ? { takeover: { namespaces, powerful, self: grantees(uses) } } : {}) });
    // A definition grants nothing until bound: at most medium (its bindings carry the full severity).
    reportAnalysis(ctx, r.obj, label, a, { system, severity: (rule) => (severityRank(RBAC_RULES[rule].severity) > severityRank('medium') ? 'medium' : undefined) });
  }
  for (const [key, r] of idx.roles) {
    judged++;
    const ns = key.slice(0, key.indexOf('/'));
    const system = systemBy(usesOfRole.get(key) ?? [], ctx.isSystemNamespace(ns));
    const a = analyzeGrant(r.rules, 'namespace', serverMinor, { where: `in namespace ${ns}`, ...(powerful ? { takeover: { namespaces: [ns], powerful, self: grantees(usesOfRole.get(key) ?? []) } } : {}) });
    reportAnalysis(ctx, r.obj, `Role ${key}`, a, { system });
  }
  return { judged };
}

// ---------------------------------------------------------------------------------------------
// Bindings.

interface AdminVerdict { status: 'pass' | 'fail'; severity?: Severity; message: string; system: boolean }

/** Known IAM principals behind a Kubernetes group or username (access entries, aws-auth). */
type Members = (s: Subject) => string[];

function membersOf(ev: Evidence, opts: { entries: boolean; awsAuth: boolean }): Members {
  const ids = iamIdentities(ev, opts);
  return (s) => ids.filter((i) => (s.kind === 'Group' && i.groups.includes(s.name)) || (s.kind === 'User' && i.username === s.name)).map((i) => i.arn);
}

/**
 * Cluster-admin granted to `subjects` (by a ClusterRoleBinding, an access entry, an aws-auth
 * mapping): "everyone" fails critical, a workload's service account high, any other principal not
 * in `clusterAdminAllowlist` medium; Kubernetes/EKS identities and system-namespace service
 * accounts are system findings.
 */
function adminVerdict(ctx: CheckContext, subjects: readonly { key: PrincipalKey; label: string; cls: SubjectClass }[], via: string): AdminVerdict {
  const allow = ctx.config.clusterAdminAllowlist;
  if (subjects.length === 0) return { status: 'pass', message: `${via}: no subjects, grants nothing`, system: false };
  const everyone = subjects.filter((s) => s.cls === 'everyone' || s.cls === 'anonymous');
  if (everyone.length) return { status: 'fail', severity: 'critical', message: `${via}: everyone (${everyone.map((s) => s.key.name).join(', ')}) holds cluster-admin`, system: false };
  const counted = subjects.filter((s) => s.cls !== 'system');
  if (counted.length === 0) {
    return { status: 'fail', message: `${via}: cluster-admin for Kubernetes/EKS or system-namespace identities (${subjects.map((s) => s.label).join(', ')})`, system: true };
  }
  const unapproved = counted.filter((s) => !allowlisted(s.key, allow));
  if (!unapproved.length) return { status: 'pass', message: `${via}: cluster-admin for ${counted.map((s) => s.label).join(', ')}, in clusterAdminAllowlist`, system: false };
  const workloads = unapproved.filter((s) => s.cls === 'workload');
  if (workloads.length) {
    return { status: 'fail', severity: 'high', message: `${via}: workload identity ${workloads.map((s) => s.label).join(', ')} holds cluster-admin: any compromise of its pods takes the cluster`, system: false };
  }
  return {
    status: 'fail', severity: 'medium', system: false,
    message: `${via}: cluster-admin for ${unapproved.map((s) => s.label).join(', ')}, not in clusterAdminAllowlist${allow.length ? '' : ' (none configured: list the approved break-glass admins in the configuration)'}`,
  };
}

function reportVerdict(ctx: CheckContext, res: Resource, v: AdminVerdict, details?: Record<string, JsonValue>): void {
  if (v.status === 'pass') ctx.pass(res, 'cluster-admin-binding', v.message, details, { system: v.system });
  else ctx.fail(res, 'cluster-admin-binding', v.message, { ...(v.severity ? { severity: v.severity } : {}), ...(details ? { details } : {}), system: v.system });
}

export interface BindingSummary {
  judged: number;
  dangling: string[];
  creators: string[];
}

/**
 * Every ClusterRoleBinding and RoleBinding, each on its own. `cluster-admin-binding`: fails on
 * each ClusterRoleBinding granting cluster-admin (or `*` on `*`), passes on every other binding.
 * With `leastPrivilege`, also the grant rules and `rbac-default-sa`. A binding is a system finding
 * when every subject is a Kubernetes/EKS identity or a system-namespace service account, whatever
 * its name; one granting a person, a group or an application counts, wherever it lives.
 */
export function judgeBindings(
  ev: Evidence, ctx: CheckContext, serverMinor: number | undefined,
  opts: { leastPrivilege: boolean; members: { entries: boolean; awsAuth: boolean }; powerful?: PowerfulAccounts },
): BindingSummary {
  const members = membersOf(ev, opts.members);
  const summary: BindingSummary = { judged: 0, dangling: [], creators: [] };
  for (const b of bindings(ev)) {
    summary.judged++;
    const system = bindingIsSystem(b, ctx.isSystemNamespace);
    const label = bindingLabel(b);
    if (!b.rules) {
      if (b.role === 'unread') {
        errorFinding(ctx, b.obj, 'cluster-admin-binding', `${label}: the ${b.roleRef.kind} is not in the input, which may not hold every ${b.roleRef.kind} of the cluster (scan the live cluster or pass --complete-inventory), so what it grants is unknown`, system);
      } else {
        summary.dangling.push(label);
        const why = b.role === 'invalid' ? 'a ClusterRoleBinding cannot reference a Role' : `${b.roleRef.kind} ${b.roleRef.name} is not in the evidence`;
        ctx.pass(b.obj, 'cluster-admin-binding', `${label}: grants nothing (${why}; it takes effect if the role is created)`, undefined, { system });
      }
      continue;
    }
    const self = new Set(b.subjects.filter((s) => s.kind === 'ServiceAccount').map((s) => `${s.namespace}/${s.name}`));
    const a = analyzeGrant(b.rules, b.scope, serverMinor, {
      where: b.scope === 'cluster' ? 'cluster-wide' : `in namespace ${b.namespace}`, adminJudgedElsewhere: b.scope === 'cluster',
      ...(opts.powerful && b.scope === 'namespace' ? { takeover: { namespaces: [b.namespace!], powerful: opts.powerful, self } } : {}),
    });
    if (b.scope === 'cluster' && a.admin) {
      const subjects = b.subjects.map((s) => {
        const m = members(s);
        return { key: principalKeyOf(s), cls: classifySubject(s, ctx.isSystemNamespace), label: `${subjectLabel(s)}${m.length ? ` (IAM: ${m.join(', ')})` : ''}` };
      });
      reportVerdict(ctx, b.obj, adminVerdict(ctx, subjects, label));
    } else {
      const text = a.admin ? `every verb on every resource of namespace ${b.namespace} only, not cluster-admin (judged by rbac-wildcard)` : PASS_TEXT['cluster-admin-binding'];
      ctx.pass(b.obj, 'cluster-admin-binding', `${label}: ${text}`, undefined, { system });
    }
    if (!opts.leastPrivilege) continue;
    reportAnalysis(ctx, b.obj, label, a, { system });
    const defaults = b.subjects.filter((s) => (s.kind === 'ServiceAccount' && s.name === 'default') || (s.kind === 'User' && /^system:serviceaccount:[^:]+:default$/.test(s.name)));
    if (defaults.length && b.rules.length) {
      ctx.fail(b.obj, 'rbac-default-sa', `${label}: grants permissions to ${defaults.map(subjectLabel).join(', ')}: every pod of the namespace that names no service account gets them`, { system });
    } else {
      ctx.pass(b.obj, 'rbac-default-sa', `${label}: ${PASS_TEXT['rbac-default-sa']}`, undefined, { system });
    }
    if (a.createsWorkloads && !system) summary.creators.push(label);
  }
  return summary;
}

/**
 * Bindings that name `system:anonymous` or `system:unauthenticated`, judged by what their role
 * grants (not by its name): discovery and health endpoints and the self-reviews pass, anything
 * else fails. A binding named like a built-in gets no exemption. Returns how many bindings name
 * such a subject.
 */
export function judgeAnonymousBindings(ev: Evidence, ctx: CheckContext): number {
  let n = 0;
  for (const b of bindings(ev)) {
    const anon = b.subjects.filter((s) => classifySubject(s, ctx.isSystemNamespace) === 'anonymous');
    if (!anon.length) {
      // Judged on its own like every binding (auditors sample passing objects too); whether some
      // other binding of the cluster names them is the caller's question, not this object's.
      ctx.pass(b.obj, 'rbac-anonymous', 'names neither system:anonymous nor system:unauthenticated');
      continue;
    }
    n++;
    const who = anon.map((s) => s.name).join(', ');
    const label = bindingLabel(b);
    if (!b.rules) {
      if (b.role === 'unread') errorFinding(ctx, b.obj, 'rbac-anonymous', `${label}: the ${b.roleRef.kind} is not in the input, which may not hold every ${b.roleRef.kind} of the cluster (scan the live cluster or pass --complete-inventory), so what ${who} get is unknown`, false);
      else ctx.pass(b.obj, 'rbac-anonymous', `${label}: grants ${who} nothing (${b.roleRef.kind} ${b.roleRef.name} is not in the evidence)`, undefined, { system: false });
      continue;
    }
    const extra = beyondDiscovery(b.rules);
    if (!extra.length) {
      ctx.pass(b.obj, 'rbac-anonymous', `${label}: ${who} get discovery and health endpoints only`, undefined, { system: false });
    } else {
      ctx.fail(b.obj, 'rbac-anonymous', `${label}: anyone who can reach the API server gets ${extra.slice(0, 4).map(describeRule).join('; ')}${extra.length > 4 ? '; …' : ''}`, { severity: 'critical', system: false });
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Access entries and aws-auth.

/** What an access entry amounts to, in words: its policies by scope and its Kubernetes groups. */
export function accessSummary(e: AccessEntryInfo): string {
  const parts = e.policies.map((p) => {
    const info = accessPolicy(p.policyArn);
    const scope = p.scope === 'cluster' ? 'cluster scope' : `namespace${p.namespaces.length === 1 ? '' : 's'} ${p.namespaces.join(', ')}`;
    const meaning = isAdminAccessPolicy(p.policyArn, p.scope) ? ': cluster-admin' : info.service ? ': EKS component' : info.rules ? '' : ': permissions not known to eks-soc2';
    return `${info.name} (${scope}${meaning})`;
  });
  const groups = e.kubernetesGroups.length ? [`Kubernetes groups ${e.kubernetesGroups.join(', ')}${e.kubernetesGroups.includes('system:masters') ? ' (system:masters: cluster-admin)' : ''}`] : [];
  const all = [...parts, ...groups];
  return all.length ? all.join('; ') : 'no access policies or groups (authenticates, granted nothing by EKS)';
}

/**
 * Each access entry (when access entries were read): `cluster-admin-binding` fails for an entry
 * with AmazonEKSClusterAdminPolicy or AmazonEKSAdminPolicy at cluster scope, or group
 * system:masters, unless allowlisted; with `leastPrivilege`, every associated policy is judged by
 * the grant rules at its access scope. Node identities and EKS's own service policies are system
 * findings; a policy whose permissions this version does not know is not evaluated.
 */
export function judgeAccessEntries(ev: Evidence, ctx: CheckContext, serverMinor: number | undefined, opts: { leastPrivilege: boolean; powerful?: PowerfulAccounts }): void {
  if (!ev.has('aws:eks:ListAccessEntries')) return;
  for (const e of accessEntries(ev)) {
    const ref = accessEntryRef(e);
    if (isNodeEntry(e)) {
      ctx.pass(ref, 'cluster-admin-binding', `${e.type} ${e.principalArn}: node identity, ${PASS_TEXT['cluster-admin-binding']}`, undefined, { system: true });
      continue;
    }
    if (!e.described || !e.policiesKnown) {
      const missing = [...(e.described ? [] : ['eks:DescribeAccessEntry']), ...(e.policiesKnown ? [] : ['eks:ListAssociatedAccessPolicies'])];
      errorFinding(ctx, ref, 'cluster-admin-binding', `access entry ${e.principalArn}: ${missing.join(' and ')} not read for it`, false);
      continue;
    }
    const known = e.policies.map((p) => ({ p, info: accessPolicy(p.policyArn) }));
    const service = known.length > 0 && known.every((k) => k.info.service);
    const adminVia = [
      ...known.filter((k) => isAdminAccessPolicy(k.p.policyArn, k.p.scope)).map((k) => `access policy ${k.info.name} (cluster scope)`),
      ...(e.kubernetesGroups.includes('system:masters') ? ['Kubernetes group system:masters'] : []),
    ];
    const details: Record<string, JsonValue> = { principalArn: e.principalArn, kubernetesGroups: e.kubernetesGroups, accessPolicies: e.policies.map((p) => ({ policyArn: p.policyArn, scope: p.scope, namespaces: p.namespaces })) };
    const unknown = known.filter((k) => !k.info.rules && !k.info.service);
    if (adminVia.length) {
      const v = adminVerdict(ctx, [{ key: { id: canonicalPrincipalArn(e.principalArn), kind: 'IAM', name: e.principalArn }, label: e.principalArn, cls: 'user' }], `access entry ${e.principalArn} via ${adminVia.join(' and ')}`);
      reportVerdict(ctx, ref, v, details);
    } else if (unknown.length) {
      errorFinding(ctx, ref, 'cluster-admin-binding', `access entry ${e.principalArn}: the permissions of access polic${unknown.length === 1 ? 'y' : 'ies'} ${unknown.map((k) => k.info.name).join(', ')} are not known to this version of eks-soc2 (review them with aws eks describe-access-policy…)`, service);
    } else {
      ctx.pass(ref, 'cluster-admin-binding', `access entry ${e.principalArn}: ${accessSummary(e)}; ${PASS_TEXT['cluster-admin-binding']}`, details, { system: service });
    }
    if (!opts.leastPrivilege) continue;
    // A cluster-admin principal is judged as such; what its admin policy implies is not repeated.
    for (const { p, info } of known) {
      if (!info.rules || isAdminAccessPolicy(p.policyArn, p.scope)) continue;
      const scope = p.scope === 'namespace' ? 'namespace' : 'cluster';
      const where = scope === 'cluster' ? 'cluster-wide' : `in namespace${p.namespaces.length === 1 ? '' : 's'} ${p.namespaces.join(', ')}`;
      const a = analyzeGrant(info.rules, scope, serverMinor, {
        where, adminJudgedElsewhere: scope === 'cluster', ...(opts.powerful && scope === 'namespace' ? { takeover: { namespaces: p.namespaces, powerful: opts.powerful } } : {}),
      });
      reportAnalysis(ctx, ref, `access entry ${e.principalArn}, ${info.name}`, a, { system: Boolean(info.service) });
    }
  }
}

/** Whether EKS honours aws-auth: undefined when the authentication mode was not read. */
export function awsAuthInEffect(cluster: Cluster | undefined): boolean | undefined {
  const mode = cluster?.accessConfig?.authenticationMode;
  if (!cluster) return undefined;
  return mode !== 'API';
}

/**
 * aws-auth mappings to system:masters, one `cluster-admin-binding` finding per mapped principal
 * (when the ConfigMap was read and EKS honours it; not evaluated when the authentication mode is
 * unknown).
 */
export function judgeAwsAuthAdmins(ev: Evidence, ctx: CheckContext, cluster: Cluster | undefined): void {
  if (!ev.has('k8s:core/ConfigMap')) return;
  const a = awsAuth(ev);
  const effect = awsAuthInEffect(cluster);
  if (!a || effect === false) return;
  for (const m of a.mappings) {
    if (!m.groups.includes('system:masters')) continue;
    const ref = iamPrincipalRef(m.arn);
    const via = `aws-auth ${m.section} ${m.arn} → system:masters`;
    if (effect === undefined) { errorFinding(ctx, ref, 'cluster-admin-binding', `${via}: the cluster's authenticationMode was not read (eks:DescribeCluster), so whether EKS honours aws-auth is unknown`, false); continue; }
    reportVerdict(ctx, ref, adminVerdict(ctx, [{ key: { id: canonicalPrincipalArn(m.arn), kind: 'IAM', name: m.arn }, label: m.arn, cls: 'user' }], via));
  }
}

// ---------------------------------------------------------------------------------------------
// Counting cluster-admin principals.

function clusterRefOf(c: Cluster | undefined, name: string | undefined): ResourceRef {
  if (c) return clusterRef(c);
  return { provider: 'kubernetes', kind: 'Cluster', name: name ?? 'cluster' };
}

/**
 * Count the principals holding cluster-admin (controls.md CC5-IAM-03 (a), P1-IAM-03) against
 * `maxClusterAdmins`: non-system subjects of ClusterRoleBindings granting cluster-admin (a user
 * that is the fixed username of a mapped IAM principal counts once, as that principal), access
 * entries with an admin policy at cluster scope or group system:masters, and aws-auth
 * system:masters mappings where EKS honours aws-auth. The count can only grow with evidence that
 * was not read: above the threshold it fails on what was read; otherwise it is not evaluated
 * until every source the cluster's authentication mode uses was read. In CONFIG_MAP mode the
 * creator's invisible system:masters is a warning (`hidden-creator-admin`).
 */
export function countClusterAdmins(ev: Evidence, ctx: CheckContext, cluster: Cluster | undefined): void {
  // Clusters created before access entries report no mode: they authenticate through aws-auth only.
  const mode = cluster ? cluster.accessConfig?.authenticationMode ?? 'CONFIG_MAP' : undefined;
  const usesEntries = mode === 'API' || mode === 'API_AND_CONFIG_MAP';
  const usesAwsAuth = mode === 'CONFIG_MAP' || mode === 'API_AND_CONFIG_MAP';
  const entriesRead = ev.has('aws:eks:ListAccessEntries');
  const awsAuthRead = ev.has('k8s:core/ConfigMap');
  // The count is "no other admin", an absence: every source must be the whole inventory (a live read, a bundle,
  // --complete-inventory; not loose manifests, nor access entries declared by Terraform). The aws-auth ConfigMap
  // is one named object: when it is in the input, it is all there is of it.
  const whole = (key: EvidenceKey, what: string) => (ev.complete(key) ? '' : `${what}${ev.has(key) ? ' (only those in the input: it may not hold every one of the cluster)' : ''}`);
  const unread: string[] = [];
  for (const [key, what] of [[`k8s:${RBAC_KINDS.clusterRoleBinding}`, 'ClusterRoleBindings'], [`k8s:${RBAC_KINDS.clusterRole}`, 'ClusterRoles']] as const) {
    const w = whole(key, what);
    if (w) unread.push(w);
  }
  if (!cluster) unread.push('the cluster\'s authentication mode (eks:DescribeCluster), which says whether access entries and aws-auth grant access');
  if (usesEntries && !ev.complete('aws:eks:ListAccessEntries')) unread.push(whole('aws:eks:ListAccessEntries', `access entries (authenticationMode ${mode}; eks:ListAccessEntries)`));
  const undescribed = usesEntries && entriesRead ? accessEntries(ev).filter((e) => !isNodeEntry(e) && (!e.described || !e.policiesKnown)) : [];
  if (undescribed.length) unread.push(`details of ${undescribed.length} access entr${undescribed.length === 1 ? 'y' : 'ies'} (eks:DescribeAccessEntry / eks:ListAssociatedAccessPolicies): ${undescribed.slice(0, 3).map((e) => e.principalArn).join(', ')}${undescribed.length > 3 ? ', …' : ''}`);
  if (usesAwsAuth && !(awsAuthRead && (awsAuth(ev) || ev.complete('k8s:core/ConfigMap')))) unread.push(`the kube-system/aws-auth ConfigMap (authenticationMode ${mode})${awsAuthRead ? ': not in the input, which may not hold every ConfigMap' : ''}`);

  const entriesOn = usesEntries && entriesRead;
  const awsAuthOn = usesAwsAuth && awsAuthRead;
  const identities = iamIdentities(ev, { entries: entriesOn, awsAuth: awsAuthOn });
  const byUsername = new Map(identities.filter((i) => i.username).map((i) => [i.username!, i]));
  const principals = new Map<string, { name: string; via: string[] }>();
  const add = (id: string, name: string, via: string) => {
    const p = principals.get(id);
    if (p) { if (!p.via.includes(via)) p.via.push(via); } else principals.set(id, { name, via: [via] });
  };
  for (const b of bindings(ev)) {
    if (b.scope !== 'cluster' || !b.rules || !isAdminEquivalent(b.rules)) continue;
    for (const s of b.subjects) {
      if (classifySubject(s, ctx.isSystemNamespace) === 'system') continue;
      const iam = s.kind === 'User' ? byUsername.get(s.name) : undefined;
      if (iam) add(iam.id, iam.arn, `ClusterRoleBinding ${b.obj.metadata.name}`);
      else add(principalKeyOf(s).id, subjectLabel(s), `ClusterRoleBinding ${b.obj.metadata.name}`);
    }
  }
  if (entriesOn) {
    for (const e of accessEntries(ev)) {
      if (isNodeEntry(e)) continue;
      if (e.kubernetesGroups.includes('system:masters') || e.policies.some((p) => isAdminAccessPolicy(p.policyArn, p.scope))) add(canonicalPrincipalArn(e.principalArn), e.principalArn, 'access entry');
    }
  }
  if (awsAuthOn) for (const m of awsAuth(ev)?.mappings ?? []) if (m.groups.includes('system:masters')) add(canonicalPrincipalArn(m.arn), m.arn, `aws-auth ${m.section}`);

  const max = ctx.config.thresholds.maxClusterAdmins;
  const ref = clusterRefOf(cluster, ctx.clusterName);
  const list = [...principals.values()];
  const names = list.map((p) => `${p.name} (${p.via.join('; ')})`);
  const details: Record<string, JsonValue> = { principals: list.map((p) => ({ name: p.name, via: p.via })), maxClusterAdmins: max };
  if (list.length > max) {
    ctx.fail(ref, 'cluster-admin-count', `${list.length} cluster-admin principals, more than maxClusterAdmins (${max}): ${names.join(', ')}`, { details });
    if (unread.length) ctx.note(`cluster-admin principals counted from the evidence that was read; not read (could only add principals): ${unread.join('; ')}`);
  } else if (unread.length) {
    ctx.unevaluated('cluster-admin-count', `not read: ${unread.join('; ')} (${list.length} cluster-admin principal(s) in what was read)`);
  } else {
    ctx.pass(ref, 'cluster-admin-count', `${list.length} cluster-admin principal(s), within maxClusterAdmins (${max})${names.length ? `: ${names.join(', ')}` : ''}`, details);
  }
  if (mode === 'CONFIG_MAP') {
    ctx.fail(ref, 'hidden-creator-admin', 'authenticationMode CONFIG_MAP: the IAM principal that created the cluster holds system:masters without appearing in aws-auth or any API — confirm who it is in the access review, or move to access entries');
  } else if (cluster) {
    ctx.pass(ref, 'hidden-creator-admin', `authenticationMode ${mode}: the creator's access, if any, is an access entry (see P1-IAM-04)`);
  }
  if (ctx.config.clusterAdminAllowlist.length === 0 && list.length) ctx.note('clusterAdminAllowlist is empty: no cluster-admin principal counts as approved');
}
