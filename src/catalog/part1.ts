/**
 * P1 — Part 1 (foundational) items of controls.md §7 that the checklist itself does not list.
 * P1-IAM-06 (duplicates CC5-IAM-05), P1-IAM-10 and P1-GOV-01 (paperwork only) are not in the
 * catalog: see docs/evidence/part1.md.
 */
import type { Cluster } from '@aws-sdk/client-eks';
import type { ControlDefinition, JsonValue, K8sObject, ResourceRef } from '../model/index.js';
import { defineControl } from './define.js';
import { aws, k8s, need } from './lib/keys.js';
import { awsRef, clusterRef, describeAddon, describeCluster, out, toTime } from './lib/aws.js';
import { computeType } from './lib/addons.js';
import { workloads } from './lib/workloads.js';
import type { PodSpec } from './lib/workloads.js';
import { iamMatch, isIamUserArn, nodeRoleExtras, nodeRoleNames, privilegeSummary, rolePermissions } from './lib/iam.js';
import {
  ACCESS_ENTRY_KEYS, AWS_AUTH_KEY, CLUSTER_ADMIN_POLICY, RBAC_KINDS, accessEntries, accessEntryRef, allowlisted, awsAuth, bindings,
  iamPrincipalRef, isNodeEntry, isNodeMapping,
} from './lib/rbac.js';
import {
  RBAC_RULES, accessSummary, awsAuthInEffect, countClusterAdmins, judgeAccessEntries, judgeAnonymousBindings, judgeAwsAuthAdmins,
  judgeBindings, serverMinorOf,
} from './lib/rbac-judge.js';

const clusterOrRef = (c: Cluster | undefined, name: string | undefined): ResourceRef =>
  c ? clusterRef(c) : { provider: 'kubernetes', kind: 'Cluster', name: name ?? 'cluster' };


// ---------------------------------------------------------------------------------------------

export const P1_IAM_01 = defineControl({
  id: 'P1-IAM-01',
  title: 'Cluster access is granted through EKS access entries, and the entries are reviewed',
  section: 'P1',
  under: 'foundational',
  tsc: ['CC6.1', 'CC6.2', 'CC6.3'],
  automation: 'partial',
  severity: 'medium',
  description:
    'The cluster authenticates IAM principals through access entries (authenticationMode API, or API_AND_CONFIG_MAP while ' +
    'migrating away from aws-auth); CONFIG_MAP alone keeps access in a ConfigMap that no IAM API shows, a warning. Every access ' +
    'entry is judged and listed for the periodic, signed access review with its type, Kubernetes groups, access policies and ' +
    'what they amount to (cluster-admin, admin of some namespaces, ...); an entry whose details were not read is not evaluated, ' +
    'and an IAM user (long-lived keys) in an entry is a warning.',
  requires: [need.aws('eks:DescribeCluster', 'the EKS cluster description')],
  optional: [...ACCESS_ENTRY_KEYS],
  rules: {
    'authentication-mode': {
      title: 'Authentication mode uses access entries (API or API_AND_CONFIG_MAP)', severity: 'low', level: 'recommended',
      basis: 'controls.md §7 P1-IAM-01: CONFIG_MAP is a warning (the mode change is one-way and planned)', evidence: [aws('eks:DescribeCluster')],
    },
    'access-entry-inventory': {
      title: 'Every access entry read and listed for the access review', severity: 'info', level: 'required',
      basis: 'controls.md §7 P1-IAM-01: the access-entry inventory is the evidence of the periodic review (CC6.2)', evidence: [],
    },
    'access-entry-iam-user': {
      title: 'No IAM users (long-lived credentials) in access entries', severity: 'low', level: 'recommended',
      basis: 'controls.md CC5-IAM-05: IAM users mapped into the cluster are a warning', evidence: [],
    },
  },
  attestation: 'The access-entry inventory was reviewed and approved (quarterly), with removals for leavers and role changes.',
  remediation: {
    summary: 'Move to access entries (one-way: CONFIG_MAP → API_AND_CONFIG_MAP → API), recreate the aws-auth mappings as access entries, then review them every quarter.',
    commands: [
      'aws eks update-cluster-config --name $CLUSTER_NAME --access-config authenticationMode=API_AND_CONFIG_MAP',
      'aws eks list-access-entries --cluster-name $CLUSTER_NAME',
      'aws eks list-associated-access-policies --cluster-name $CLUSTER_NAME --principal-arn $PRINCIPAL_ARN',
    ],
  },
  references: [
    { title: 'Amazon EKS: Grant IAM users access to Kubernetes with access entries', url: 'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html' },
    { title: 'Amazon EKS: Change the authentication mode', url: 'https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html' },
    { title: 'Amazon EKS: Access policy permissions', url: 'https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html' },
  ],
  check(ev, ctx) {
    const c = describeCluster(ev, ctx.clusterName);
    if (!c) { ctx.error('no cluster in the eks:DescribeCluster evidence'); return; }
    const ref = clusterRef(c);
    const mode = c.accessConfig?.authenticationMode;
    if (mode === 'API') ctx.pass(ref, 'authentication-mode', 'authenticationMode API: access only through access entries');
    else if (mode === 'API_AND_CONFIG_MAP') ctx.pass(ref, 'authentication-mode', 'authenticationMode API_AND_CONFIG_MAP: access entries, with aws-auth still honoured during the migration (see P1-IAM-02)');
    else if (mode === 'CONFIG_MAP') ctx.fail(ref, 'authentication-mode', 'authenticationMode CONFIG_MAP: access is granted only by the aws-auth ConfigMap, invisible to IAM and CloudTrail-based reviews');
    else ctx.fail(ref, 'authentication-mode', 'the cluster reports no accessConfig.authenticationMode (clusters created before access entries use CONFIG_MAP)');
    if (mode !== 'API' && mode !== 'API_AND_CONFIG_MAP') return;
    if (!ev.has('aws:eks:ListAccessEntries')) {
      ctx.unevaluated('access-entry-inventory', `the cluster uses access entries (authenticationMode ${mode}) but eks:ListAccessEntries was not read: the inventory for the review is missing`);
      return;
    }
    const entries = accessEntries(ev);
    let nodes = 0;
    for (const e of entries) {
      const node = isNodeEntry(e);
      if (node) nodes++;
      const eref = accessEntryRef(e);
      if (!node && (!e.described || !e.policiesKnown)) {
        ctx.unevaluated('access-entry-inventory', `access entry ${e.principalArn}: ${[...(e.described ? [] : ['eks:DescribeAccessEntry']), ...(e.policiesKnown ? [] : ['eks:ListAssociatedAccessPolicies'])].join(' and ')} not read for it`, eref);
        continue;
      }
      const details: Record<string, JsonValue> = {
        principalArn: e.principalArn, type: e.type ?? null, username: e.username ?? null, kubernetesGroups: e.kubernetesGroups,
        accessPolicies: e.policies.map((p) => ({ policyArn: p.policyArn, scope: p.scope, namespaces: p.namespaces })),
        access: accessSummary(e), createdAt: e.createdAt ?? null,
      };
      ctx.pass(eref, 'access-entry-inventory', `${e.type ?? 'STANDARD'} ${node ? '(node identity) ' : ''}${e.principalArn}: ${accessSummary(e)}`, details, { system: node });
      if (!node && isIamUserArn(e.principalArn)) ctx.fail(eref, 'access-entry-iam-user', `access entry for IAM user ${e.principalArn}: long-lived credentials instead of a role from the identity provider`);
      else if (!node) ctx.pass(eref, 'access-entry-iam-user', `access entry for ${e.principalArn}: not an IAM user`);
    }
    ctx.note(`${entries.length} access entr${entries.length === 1 ? 'y' : 'ies'} (${nodes} node identit${nodes === 1 ? 'y' : 'ies'}): export the list with --format json for the review`);
  },
});

// ---------------------------------------------------------------------------------------------

export const P1_IAM_02 = defineControl({
  id: 'P1-IAM-02',
  title: 'The aws-auth ConfigMap maps no admins, IAM users or wildcards beyond break-glass',
  section: 'P1',
  under: 'foundational',
  tsc: ['CC6.2', 'CC6.3'],
  automation: 'partial',
  severity: 'high',
  description:
    'Where the cluster still honours kube-system/aws-auth (authenticationMode CONFIG_MAP or API_AND_CONFIG_MAP), its mapRoles and ' +
    'mapUsers entries are read: system:masters only for a break-glass principal listed in clusterAdminAllowlist (system:masters ' +
    'cannot be limited by RBAC), no wildcard ARNs and no mapAccounts; IAM users (long-lived keys) are a warning. Node-role ' +
    'mappings are recognised as node identities. Whether each mapping is still needed is part of the attested review.',
  requires: [{ anyOf: [AWS_AUTH_KEY], what: 'the kube-system/aws-auth ConfigMap' }],
  optional: [aws('eks:DescribeCluster')],
  rules: {
    'aws-auth-masters': {
      title: 'system:masters only for the allowlisted break-glass principal', severity: 'high', level: 'required',
      basis: 'controls.md §7 P1-IAM-02: no system:masters except break-glass (CC6.3)', evidence: [],
    },
    'aws-auth-iam-users': {
      title: 'No IAM users in aws-auth', severity: 'medium', level: 'recommended',
      basis: 'controls.md CC5-IAM-05: IAM users mapped into the cluster (long-lived keys) are a warning', evidence: [],
    },
    'aws-auth-wildcard': {
      title: 'No wildcard ARNs or whole-account mappings', severity: 'high', level: 'required',
      basis: 'controls.md §7 P1-IAM-02: no wildcard ARNs (every matching principal is let in)', evidence: [],
    },
  },
  attestation: 'Each aws-auth mapping was reviewed against current role owners, and the break-glass mapping is approved and monitored.',
  remediation: {
    summary: 'Move mappings to access entries with scoped access policies, keep system:masters for one monitored break-glass role (listed in clusterAdminAllowlist), and map roles from the identity provider instead of IAM users.',
    commands: [
      'kubectl -n kube-system get configmap aws-auth -o yaml',
      'aws eks create-access-entry --cluster-name $CLUSTER_NAME --principal-arn $ROLE_ARN --kubernetes-groups $GROUP',
      'eksctl delete iamidentitymapping --cluster $CLUSTER_NAME --arn $ARN',
    ],
  },
  references: [
    { title: 'Amazon EKS: Grant IAM users access with the aws-auth ConfigMap', url: 'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html' },
    { title: 'Amazon EKS: Migrate aws-auth entries to access entries', url: 'https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html' },
  ],
  check(ev, ctx) {
    const cluster = ev.has('aws:eks:DescribeCluster') ? describeCluster(ev, ctx.clusterName) : undefined;
    const mode = cluster?.accessConfig?.authenticationMode;
    const a = awsAuth(ev);
    if (mode === 'API') {
      ctx.notApplicable(`authenticationMode API: aws-auth is ignored${a ? ' (the ConfigMap still exists; delete it to avoid confusion)' : ''}`);
      return;
    }
    if (!a && !ev.complete('k8s:core/ConfigMap')) {
      // A loose set of manifests may leave aws-auth out: "nothing is mapped" needs every ConfigMap of kube-system.
      for (const r of ['aws-auth-masters', 'aws-auth-iam-users', 'aws-auth-wildcard']) ctx.unevaluated(r, 'kube-system/aws-auth is not in the input, which may not hold every ConfigMap of the cluster; scan the live cluster or pass --complete-inventory');
      return;
    }
    if (!a) { ctx.notApplicable('no kube-system/aws-auth ConfigMap in the cluster: nothing is mapped through it'); return; }
    if (a.errors.length) {
      const why = `kube-system/aws-auth could not be fully read: ${a.errors.join('; ')} (the unreadable part may hold more mappings)`;
      for (const r of ['aws-auth-masters', 'aws-auth-iam-users', 'aws-auth-wildcard']) ctx.unevaluated(r, why);
    }
    if (!cluster) ctx.note('authenticationMode not read (eks:DescribeCluster): the mappings are judged as written; a cluster in API mode ignores them');
    const allow = ctx.config.clusterAdminAllowlist;
    for (const m of a.mappings) {
      const ref = iamPrincipalRef(m.arn);
      const who = `${m.section} ${m.arn}${m.username ? ` (username ${m.username})` : ''}`;
      if (m.arn.includes('*')) ctx.fail(ref, 'aws-auth-wildcard', `${who}: wildcard ARN maps every matching principal`);
      else ctx.pass(ref, 'aws-auth-wildcard', `${who}: exact ARN`);
      if (m.groups.includes('system:masters')) {
        const listed = allowlisted({ id: m.arn, kind: 'IAM', name: m.arn }, allow);
        if (listed) ctx.pass(ref, 'aws-auth-masters', `${who} → system:masters, the allowlisted break-glass principal`);
        else ctx.fail(ref, 'aws-auth-masters', `${who} → system:masters: unrestricted admin no RBAC rule can limit (if this is the break-glass role, list it in clusterAdminAllowlist)`);
      } else {
        ctx.pass(ref, 'aws-auth-masters', `${who} → ${isNodeMapping(m) ? 'node identity' : m.groups.join(', ') || 'no groups'}`);
      }
      if (m.section === 'mapUsers' || ref.kind === 'AWS::IAM::User') ctx.fail(ref, 'aws-auth-iam-users', `${who}: an IAM user (long-lived credentials) instead of a role`);
      else ctx.pass(ref, 'aws-auth-iam-users', `${who}: a role`);
    }
    for (const acct of a.accounts) {
      ctx.fail(awsRef('AWS::::Account', acct, { accountId: acct }), 'aws-auth-wildcard', `mapAccounts ${acct}: every IAM principal of the account is mapped into the cluster`);
    }
    if (a.mappings.length === 0 && a.accounts.length === 0 && !a.errors.length) ctx.notApplicable('aws-auth maps nothing');
  },
});

// ---------------------------------------------------------------------------------------------

export const P1_IAM_03 = defineControl({
  id: 'P1-IAM-03',
  title: 'Cluster-admin is held by few, approved principals',
  section: 'P1',
  under: 'foundational',
  tsc: ['CC6.3'],
  automation: 'automated',
  severity: 'high',
  description:
    'Each grant of cluster-admin is judged on its own: every ClusterRoleBinding to cluster-admin or to a role with "*" on "*" ' +
    '(after aggregation), every EKS access entry with AmazonEKSClusterAdminPolicy or AmazonEKSAdminPolicy at cluster scope or ' +
    'group system:masters, and every aws-auth system:masters mapping fails unless its principals are in clusterAdminAllowlist ' +
    '("everyone" groups and workload service accounts always fail); every other binding passes. Subjects are classified by ' +
    'meaning, not by the binding\'s name: grants to Kubernetes/EKS identities and system-namespace service accounts are reported ' +
    'with the system findings. The principals are counted against maxClusterAdmins once every source the cluster\'s ' +
    'authentication mode uses was read (above the threshold the count fails on what was read).',
  requires: [
    { anyOf: [k8s(RBAC_KINDS.clusterRoleBinding)], what: 'ClusterRoleBindings' },
    { anyOf: [k8s(RBAC_KINDS.clusterRole)], what: 'ClusterRoles' },
  ],
  optional: [k8s(RBAC_KINDS.roleBinding), k8s(RBAC_KINDS.role), aws('eks:DescribeCluster'), ...ACCESS_ENTRY_KEYS, AWS_AUTH_KEY],
  rules: {
    'cluster-admin-binding': RBAC_RULES['cluster-admin-binding'],
    'cluster-admin-count': RBAC_RULES['cluster-admin-count'],
    'hidden-creator-admin': RBAC_RULES['hidden-creator-admin'],
  },
  remediation: {
    summary: 'Remove cluster-admin from workloads and individuals; keep a short, approved break-glass list (clusterAdminAllowlist) and give everyone else namespace-scoped roles.',
    commands: [
      'kubectl get clusterrolebindings -o json | jq -r \'.items[] | select(.roleRef.name=="cluster-admin") | .metadata.name\'',
      'aws eks disassociate-access-policy --cluster-name $CLUSTER_NAME --principal-arn $PRINCIPAL_ARN --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
    ],
  },
  references: [
    { title: 'Kubernetes: RBAC good practices (least privilege)', url: 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/' },
    { title: 'Amazon EKS: Access policy permissions', url: 'https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html' },
  ],
  check(ev, ctx) {
    const cluster = ev.has('aws:eks:DescribeCluster') ? describeCluster(ev, ctx.clusterName) : undefined;
    const inEffect = awsAuthInEffect(cluster);
    const members = { entries: ev.has('aws:eks:ListAccessEntries'), awsAuth: ev.has('k8s:core/ConfigMap') && inEffect !== false };
    judgeBindings(ev, ctx, serverMinorOf(ev, cluster), { leastPrivilege: false, members });
    judgeAccessEntries(ev, ctx, undefined, { leastPrivilege: false });
    judgeAwsAuthAdmins(ev, ctx, cluster);
    countClusterAdmins(ev, ctx, cluster);
  },
});

// ---------------------------------------------------------------------------------------------

/** Minutes between cluster creation and an access entry that still count as "made by the creation". */
const CREATOR_WINDOW_MS = 15 * 60_000;

export const P1_IAM_04 = defineControl({
  id: 'P1-IAM-04',
  title: 'The cluster creator does not keep implicit administrator access',
  section: 'P1',
  under: 'foundational',
  tsc: ['CC6.2'],
  automation: 'automated',
  severity: 'medium',
  description:
    'Clusters are created with bootstrapClusterCreatorAdminPermissions false, or the access entry EKS made for the creator (with ' +
    'AmazonEKSClusterAdminPolicy, created with the cluster) has been removed or is an approved principal in clusterAdminAllowlist. ' +
    'In CONFIG_MAP mode the creator holds system:masters invisibly and cannot be removed, which fails.',
  requires: [need.aws('eks:DescribeCluster', 'the EKS cluster description')],
  optional: [...ACCESS_ENTRY_KEYS],
  rules: {
    'creator-admin': {
      title: 'No implicit cluster-admin for the cluster creator', severity: 'medium', level: 'required',
      basis: 'controls.md §7 P1-IAM-04: bootstrapClusterCreatorAdminPermissions false, or the creator\'s entry removed or approved (CC6.2: access removed when not needed)',
      evidence: [],
    },
  },
  remediation: {
    summary: 'Create clusters with bootstrapClusterCreatorAdminPermissions=false and explicit admin access entries; on existing clusters delete the creator\'s entry once another admin path exists.',
    commands: [
      'aws eks create-cluster ... --access-config authenticationMode=API,bootstrapClusterCreatorAdminPermissions=false',
      'aws eks delete-access-entry --cluster-name $CLUSTER_NAME --principal-arn $CREATOR_ARN',
    ],
  },
  references: [
    { title: 'Amazon EKS: Access entries (cluster creator)', url: 'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html' },
    { title: 'Amazon EKS API: CreateAccessConfigRequest', url: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessConfigRequest.html' },
  ],
  check(ev, ctx) {
    const c = describeCluster(ev, ctx.clusterName);
    if (!c) { ctx.error('no cluster in the eks:DescribeCluster evidence'); return; }
    const ref = clusterRef(c);
    const mode = c.accessConfig?.authenticationMode;
    const bootstrap = c.accessConfig?.bootstrapClusterCreatorAdminPermissions;
    if (mode === 'CONFIG_MAP' || mode === undefined) {
      ctx.fail(ref, 'creator-admin', 'authenticationMode CONFIG_MAP: the creating principal holds system:masters, appears nowhere and cannot be removed (move to access entries, then the creator\'s access becomes an entry you can delete)');
      return;
    }
    if (bootstrap === false) { ctx.pass(ref, 'creator-admin', 'bootstrapClusterCreatorAdminPermissions is false: the creator got no admin entry'); return; }
    if (!ev.has('aws:eks:ListAccessEntries')) { ctx.unevaluated('creator-admin', 'bootstrapClusterCreatorAdminPermissions is true and access entries were not read (eks:ListAccessEntries): whether the creator\'s entry remains is unknown'); return; }
    const created = toTime(c.createdAt);
    const entries = accessEntries(ev).filter((e) => !isNodeEntry(e));
    const unknown = entries.filter((e) => !e.described || !e.policiesKnown);
    const candidates = entries.filter((e) => {
      const t = toTime(e.createdAt);
      return created !== undefined && t !== undefined && Math.abs(t - created) <= CREATOR_WINDOW_MS
        && e.policies.some((p) => p.policyArn.endsWith(`/${CLUSTER_ADMIN_POLICY}`) && p.scope === 'cluster');
    });
    if (!candidates.length && unknown.length) { ctx.unevaluated('creator-admin', `details of ${unknown.length} access entr${unknown.length === 1 ? 'y' : 'ies'} not read (eks:DescribeAccessEntry / eks:ListAssociatedAccessPolicies): which one is the creator's is unknown`); return; }
    if (!candidates.length && !ev.complete('aws:eks:ListAccessEntries')) { ctx.unevaluated('creator-admin', 'no cluster-admin access entry from the cluster\'s creation in the input, which holds only the access entries it declares (not the cluster\'s)'); return; }
    if (!candidates.length) { ctx.pass(ref, 'creator-admin', 'bootstrapClusterCreatorAdminPermissions is true, but no cluster-admin access entry from the cluster\'s creation remains'); return; }
    for (const e of candidates) {
      const eref = accessEntryRef(e);
      if (allowlisted({ id: e.principalArn, kind: 'IAM', name: e.principalArn }, ctx.config.clusterAdminAllowlist)) {
        ctx.pass(eref, 'creator-admin', `creator entry ${e.principalArn} keeps ${CLUSTER_ADMIN_POLICY}, and it is in clusterAdminAllowlist`);
      } else {
        ctx.fail(eref, 'creator-admin', `creator entry ${e.principalArn} (created with the cluster) still holds ${CLUSTER_ADMIN_POLICY}: delete it or approve it in clusterAdminAllowlist`);
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------

export const P1_IAM_05 = defineControl({
  id: 'P1-IAM-05',
  title: 'Anonymous and unauthenticated users get discovery endpoints only',
  section: 'P1',
  under: 'foundational',
  tsc: ['CC6.1'],
  automation: 'automated',
  severity: 'critical',
  description:
    'Every RoleBinding and ClusterRoleBinding that names system:anonymous or system:unauthenticated — whatever its name — is ' +
    'judged by what its role grants after aggregation: get on the discovery and health endpoints and the self-reviews every user ' +
    'has pass, anything else fails (a default discovery role edited to grant more fails too). EKS does not expose the API ' +
    'server\'s anonymous-auth settings, so RBAC is what can be checked.',
  requires: [
    { anyOf: [k8s(RBAC_KINDS.clusterRoleBinding)], what: 'ClusterRoleBindings' },
    { anyOf: [k8s(RBAC_KINDS.roleBinding)], what: 'RoleBindings' },
  ],
  optional: [k8s(RBAC_KINDS.clusterRole), k8s(RBAC_KINDS.role), aws('eks:DescribeCluster')],
  rules: { 'rbac-anonymous': RBAC_RULES['rbac-anonymous'] },
  remediation: {
    summary: 'Delete bindings that grant system:anonymous or system:unauthenticated more than the default discovery roles, and restore edited discovery roles.',
    commands: ['kubectl get clusterrolebindings,rolebindings -A -o json | jq -r \'.items[] | select(.subjects[]?.name | test("system:(anonymous|unauthenticated)")) | "\\(.kind) \\(.metadata.namespace // "") \\(.metadata.name)"\''],
  },
  references: [
    { title: 'Kubernetes: Anonymous requests', url: 'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests' },
    { title: 'KEP-4633: anonymous auth for configured endpoints', url: 'https://www.kubernetes.dev/resources/keps/4633/' },
  ],
  check(ev, ctx) {
    const n = judgeAnonymousBindings(ev, ctx);
    const unseen = [RBAC_KINDS.clusterRoleBinding, RBAC_KINDS.roleBinding].filter((k) => ev.has(`k8s:${k}`) && !ev.complete(`k8s:${k}`));
    if (n === 0 && unseen.length) {
      ctx.unevaluated('rbac-anonymous', `no binding in the input names system:anonymous or system:unauthenticated, but the input may not hold every ${unseen.map((k) => k.split('/')[1]).join(' and ')} of the cluster; scan the live cluster or pass --complete-inventory`);
    } else if (n === 0 && ev.has(`k8s:${RBAC_KINDS.clusterRoleBinding}`) && ev.has(`k8s:${RBAC_KINDS.roleBinding}`)) {
      const cluster = ev.has('aws:eks:DescribeCluster') ? describeCluster(ev, ctx.clusterName) : undefined;
      ctx.pass(clusterOrRef(cluster, ctx.clusterName), 'rbac-anonymous', 'no binding names system:anonymous or system:unauthenticated');
    }
  },
});

// ---------------------------------------------------------------------------------------------

interface MetadataOptions { HttpTokens?: string; HttpPutResponseHopLimit?: number; HttpEndpoint?: string; State?: string }
interface Ec2Instance { InstanceId?: string; MetadataOptions?: MetadataOptions; Tags?: { Key?: string; Value?: string }[]; State?: { Name?: string } }

/** `aws:///eu-west-1a/i-0123` → `i-0123`. */
export function instanceIdOf(node: K8sObject): string | undefined {
  const p = (node.spec as { providerID?: unknown } | undefined)?.providerID;
  const m = typeof p === 'string' ? /^aws:\/\/\/[^/]+\/(i-[0-9a-f]+)$/.exec(p) : null;
  return m?.[1];
}

export const P1_IAM_07 = defineControl({
  id: 'P1-IAM-07',
  title: 'Node instance metadata requires IMDSv2 with a hop limit of 1',
  section: 'P1',
  under: 'foundational',
  tsc: ['CC6.1'],
  automation: 'automated',
  severity: 'high',
  description:
    'Every EC2 worker node requires IMDSv2 tokens (HttpTokens required) and answers token requests only on the node itself ' +
    '(HttpPutResponseHopLimit 1), or has the metadata endpoint disabled: otherwise any pod can read the node role\'s credentials, ' +
    'bypassing Pod Identity and IRSA. Karpenter EC2NodeClasses (and node classes that set metadata options) must not relax these ' +
    'defaults; they are judged on their own, also in a manifest scan. Fargate and hybrid nodes have no EC2 instance metadata to ' +
    'check. A node that DescribeInstances did not return is not evaluated (an error naming it), never skipped.',
  requires: [{
    anyOf: [aws('ec2:DescribeInstances'), k8s('karpenter.k8s.aws/EC2NodeClass'), k8s('eks.amazonaws.com/NodeClass')],
    what: 'EC2 instance descriptions of the worker nodes (or their node classes)',
  }],
  optional: [k8s('core/Node'), aws('eks:DescribeCluster')],
  rules: {
    'imds-v2': {
      title: 'IMDSv2 required (HttpTokens required)', severity: 'high', level: 'required',
      basis: 'Part 1 item (controls.md §7): HttpTokens = required', evidence: [aws('ec2:DescribeInstances')],
    },
    'imds-hop-limit': {
      title: 'IMDS hop limit 1 (pods cannot reach it)', severity: 'medium', level: 'required',
      basis: 'Part 1 item: hop limit 1 is what keeps pods from using the node role', evidence: [aws('ec2:DescribeInstances')],
    },
    'nodeclass-metadata': {
      title: 'Node classes keep httpTokens required and hop limit 1', severity: 'high', level: 'required',
      basis: 'the nodes a node class launches inherit its metadata options (the same Part 1 item, before launch)', evidence: [],
    },
  },
  remediation: {
    summary: 'Set the launch template (or Karpenter EC2NodeClass metadataOptions) to httpTokens required and httpPutResponseHopLimit 1, then roll the nodes; give workloads their own identity first.',
    commands: [
      'aws ec2 modify-instance-metadata-options --instance-id $INSTANCE_ID --http-tokens required --http-put-response-hop-limit 1 --http-endpoint enabled',
      'aws ec2 describe-instances --filters Name=tag:eks:cluster-name,Values=$CLUSTER_NAME --query "Reservations[].Instances[].[InstanceId,MetadataOptions.HttpTokens,MetadataOptions.HttpPutResponseHopLimit]"',
    ],
    manifest: `apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: { name: default }
spec:
  metadataOptions:
    httpEndpoint: enabled
    httpTokens: required
    httpPutResponseHopLimit: 1`,
  },
  references: [
    { title: 'EKS Best Practices: Restrict access to the instance profile', url: 'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html' },
    { title: 'Amazon EC2: Configure the Instance Metadata Service options', url: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html' },
    { title: 'Karpenter: EC2NodeClass metadataOptions', url: 'https://karpenter.sh/docs/concepts/nodeclasses/' },
  ],
  check(ev, ctx) {
    const cluster = ev.has('aws:eks:DescribeCluster') ? describeCluster(ev, ctx.clusterName) : undefined;
    const clusterName = cluster?.name ?? ctx.clusterName;
    const instances = new Map<string, { i: Ec2Instance; region?: string; accountId?: string }>();
    for (const f of ev.aws('ec2:DescribeInstances')) {
      for (const r of out<{ Reservations?: { OwnerId?: string; Instances?: Ec2Instance[] }[] }>(f)?.Reservations ?? []) {
        for (const i of r.Instances ?? []) if (i.InstanceId) instances.set(i.InstanceId, { i, ...(f.region ? { region: f.region } : {}), ...((r.OwnerId ?? f.accountId) ? { accountId: r.OwnerId ?? f.accountId } : {}) });
      }
    }
    let ids: string[];
    let ec2Nodes: number;
    const instancesRead = ev.has('aws:ec2:DescribeInstances');
    if (ev.has('k8s:core/Node')) {
      const nodes = ev.objects('core/Node').filter((n) => computeType(n) !== 'fargate' && computeType(n) !== 'hybrid');
      ec2Nodes = nodes.length;
      ids = [];
      for (const n of nodes) {
        const id = instanceIdOf(n);
        if (id && instances.has(id)) ids.push(id);
        else if (instancesRead) {
          // Unmatched evidence: the node exists, its instance metadata options were not read.
          const why = id ? `instance ${id} of node ${n.metadata.name ?? '?'} is not in the DescribeInstances evidence (another account or region, or terminated)` : `node ${n.metadata.name ?? '?'} has no EC2 instance id in spec.providerID`;
          ctx.unevaluated('imds-v2', why, n);
          ctx.unevaluated('imds-hop-limit', why, n);
        }
      }
      if (!instancesRead && ec2Nodes > 0) {
        const why = `${ec2Nodes} EC2 node(s) in the input, but their instances were not read (ec2:DescribeInstances ${ev.state('aws:ec2:DescribeInstances')})`;
        ctx.unevaluated('imds-v2', why);
        ctx.unevaluated('imds-hop-limit', why);
      }
    } else {
      const tagged = (i: Ec2Instance) => (i.Tags ?? []).some((t) => (t.Key === 'eks:cluster-name' || t.Key === 'aws:eks:cluster-name') ? t.Value === clusterName : t.Key === `kubernetes.io/cluster/${clusterName}`);
      ids = [...instances.values()].filter(({ i }) => !clusterName || tagged(i)).map(({ i }) => i.InstanceId!);
      ec2Nodes = ids.length;
    }
    for (const id of ids) {
      const { i, region, accountId } = instances.get(id)!;
      if (i.State?.Name === 'terminated') continue;
      const ref = awsRef('AWS::EC2::Instance', id, { region, accountId });
      const m = i.MetadataOptions;
      if (!m) {
        ctx.unevaluated('imds-v2', 'DescribeInstances returned no MetadataOptions for this instance', ref);
        ctx.unevaluated('imds-hop-limit', 'DescribeInstances returned no MetadataOptions for this instance', ref);
        continue;
      }
      if (m.HttpEndpoint === 'disabled') {
        ctx.pass(ref, 'imds-v2', 'instance metadata endpoint disabled');
        ctx.pass(ref, 'imds-hop-limit', 'instance metadata endpoint disabled');
        continue;
      }
      if (m.HttpTokens === 'required') ctx.pass(ref, 'imds-v2', 'IMDSv2 required');
      else ctx.fail(ref, 'imds-v2', `HttpTokens ${m.HttpTokens ?? 'not reported'}: IMDSv1 answers any pod (or SSRF) with the node role's credentials`);
      const hop = m.HttpPutResponseHopLimit;
      if (typeof hop === 'number' && hop <= 1) ctx.pass(ref, 'imds-hop-limit', 'hop limit 1: containers cannot obtain IMDSv2 tokens');
      else ctx.fail(ref, 'imds-hop-limit', `hop limit ${hop ?? 'not reported'}: pods reach IMDSv2 through the extra network hop and can use the node role`);
    }
    let classes = 0;
    for (const kind of ['karpenter.k8s.aws/EC2NodeClass', 'eks.amazonaws.com/NodeClass']) {
      for (const nc of ev.objects(kind)) {
        const mo = ((nc.spec ?? {}) as { metadataOptions?: { httpEndpoint?: string; httpTokens?: string; httpPutResponseHopLimit?: number } }).metadataOptions;
        if (kind === 'eks.amazonaws.com/NodeClass' && !mo) continue; // Auto Mode manages the metadata options itself
        classes++;
        // Karpenter v1 defaults: httpTokens required, hop limit 1, endpoint enabled.
        const tokens = mo?.httpTokens ?? 'required';
        const hop = mo?.httpPutResponseHopLimit ?? 1;
        if (mo?.httpEndpoint === 'disabled') ctx.pass(nc, 'nodeclass-metadata', 'metadata endpoint disabled');
        else if (tokens !== 'required') ctx.fail(nc, 'nodeclass-metadata', `metadataOptions.httpTokens ${tokens}: new nodes accept IMDSv1`);
        else if (hop > 1) ctx.fail(nc, 'nodeclass-metadata', `metadataOptions.httpPutResponseHopLimit ${hop}: pods on new nodes reach IMDS`, { severity: 'medium' });
        else ctx.pass(nc, 'nodeclass-metadata', `IMDSv2 required, hop limit ${hop}${mo ? '' : ' (defaults)'}`);
      }
    }
    if (ec2Nodes === 0 && classes === 0 && instancesRead && (ev.has('k8s:core/Node') ? ev.complete('k8s:core/Node') : ev.complete('aws:ec2:DescribeInstances'))) ctx.notApplicable('no EC2 worker nodes (Fargate only, or no nodes)');
  },
});

// ---------------------------------------------------------------------------------------------

export const P1_IAM_08 = defineControl({
  id: 'P1-IAM-08',
  title: 'Node IAM roles carry only what nodes need',
  section: 'P1',
  under: 'foundational',
  tsc: ['CC6.3'],
  automation: 'partial',
  severity: 'medium',
  description:
    'Required: each worker-node role (managed node groups, Auto Mode, Karpenter node classes) has only the worker-node baseline ' +
    '(AmazonEKSWorkerNodePolicy or the Auto Mode minimal policy, ECR read/pull, SSM core, and the VPC CNI policy) and no ' +
    'administrator or extra policies. Recommended (a warning): the VPC CNI\'s permissions live on the aws-node service account ' +
    '(IRSA or Pod Identity) rather than on the node role every pod can fall back to — AWS\'s own default puts them on the node role. ' +
    'A role whose policies were not read is not evaluated. Whether the remaining permissions are needed is attested.',
  requires: [
    { anyOf: [aws('eks:DescribeNodegroup'), aws('eks:DescribeCluster'), k8s('karpenter.k8s.aws/EC2NodeClass')], what: 'the node roles (node groups, Auto Mode, Karpenter node classes)' },
    need.aws('iam:ListAttachedRolePolicies', 'policies attached to the node roles'),
  ],
  optional: [
    aws('iam:ListRolePolicies'), aws('iam:GetRolePolicy'), aws('iam:GetPolicy'), aws('iam:GetPolicyVersion'),
    aws('eks:DescribeAddon'), aws('eks:ListPodIdentityAssociations'), k8s('core/ServiceAccount'), k8s('eks.amazonaws.com/NodeClass'),
  ],
  rules: {
    'node-role-policies': {
      title: 'Node role has only the worker-node baseline', severity: 'medium', level: 'required',
      basis: 'Part 1 item (controls.md §7): node role policies limited to the EKS worker, ECR-pull and CNI set',
    },
    'cni-policy-on-node-role': {
      title: 'CNI permissions on the aws-node service account, not the node role', severity: 'low', level: 'recommended',
      basis: 'the item allows the CNI policy on the node role ("rather than" is a preference); EKS best practice moves it',
    },
  },
  attestation: 'The node role permissions beyond the baseline (if any) are needed by the node itself, reviewed and approved.',
  remediation: {
    summary: 'Detach extra policies from node roles (give the workloads that needed them Pod Identity), and move AmazonEKS_CNI_Policy to an IRSA/Pod Identity role for kube-system/aws-node.',
    commands: [
      'aws iam list-attached-role-policies --role-name $NODE_ROLE',
      'aws eks update-addon --cluster-name $CLUSTER_NAME --addon-name vpc-cni --service-account-role-arn $CNI_ROLE_ARN',
      'aws iam detach-role-policy --role-name $NODE_ROLE --policy-arn arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
    ],
  },
  references: [
    { title: 'Amazon EKS: Node IAM role', url: 'https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html' },
    { title: 'Amazon EKS: Configure the VPC CNI to use IRSA', url: 'https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html' },
  ],
  check(ev, ctx) {
    const cluster = ev.has('aws:eks:DescribeCluster') ? describeCluster(ev, ctx.clusterName) : undefined;
    const roles = nodeRoleNames(ev, cluster, { nodegroups: ev.has('aws:eks:DescribeNodegroup'), nodeClasses: true });
    if (!roles.length) {
      if (!ev.has('aws:eks:DescribeNodegroup')) ctx.unevaluated('node-role-policies', `no node role among what was read; managed node groups were not described (eks:DescribeNodegroup ${ev.state('aws:eks:DescribeNodegroup')})`);
      else if (!ev.complete('aws:eks:DescribeNodegroup')) ctx.unevaluated('node-role-policies', 'no node role in the input, which holds only the node groups it declares');
      else ctx.notApplicable('no node role found (no managed node group, Auto Mode node role or node class role)');
      return;
    }
    const acct = ev.aws('iam:ListAttachedRolePolicies')[0]?.accountId ?? clusterRef(cluster).accountId;
    // The aws-node service account's own identity.
    const sa = ev.has('k8s:core/ServiceAccount') ? ev.get('core/ServiceAccount', 'kube-system', 'aws-node') : undefined;
    const cniAddon = ev.has('aws:eks:DescribeAddon') ? describeAddon(ev, 'vpc-cni') : undefined;
    const cniIdentity = Boolean(sa?.metadata.annotations?.['eks.amazonaws.com/role-arn'])
      || Boolean(cniAddon?.serviceAccountRoleArn)
      || (cniAddon?.podIdentityAssociations?.length ?? 0) > 0
      || ev.aws('eks:ListPodIdentityAssociations').some((f) => (out<{ associations?: { namespace?: string; serviceAccount?: string }[] }>(f)?.associations ?? []).some((a) => a.namespace === 'kube-system' && a.serviceAccount === 'aws-node'));
    let judged = 0;
    for (const name of roles) {
      const perms = rolePermissions(ev, name, {
        listAttached: true, listInline: ev.has('aws:iam:ListRolePolicies'), getRolePolicy: ev.has('aws:iam:GetRolePolicy'),
        getPolicy: ev.has('aws:iam:GetPolicy'), getPolicyVersion: ev.has('aws:iam:GetPolicyVersion'),
      });
      const ref = awsRef('AWS::IAM::Role', name, { accountId: acct, ...(acct ? { arn: `arn:aws:iam::${acct}:role/${name}` } : {}) });
      if (!perms.attachedKnown) {
        ctx.unevaluated('node-role-policies', `the attached policies of node role ${name} were not read (iam:ListAttachedRolePolicies)`, ref);
        continue;
      }
      judged++;
      const s = privilegeSummary(perms);
      const extras = nodeRoleExtras(perms).filter((e) => e !== 'managed policy AmazonEKS_CNI_Policy');
      if (s.admin.length) ctx.fail(ref, 'node-role-policies', `node role ${name} grants administrator access: ${s.admin.join('; ')} — every pod that reaches IMDS has it`, { severity: 'high' });
      else if (extras.length) ctx.fail(ref, 'node-role-policies', `node role ${name} carries more than the worker baseline: ${extras.join(', ')}${s.broad.length ? ` (${s.broad.join('; ')})` : ''}`);
      else ctx.pass(ref, 'node-role-policies', `node role ${name}: worker-node baseline only (${perms.attached.map((p) => p.name).join(', ') || 'no managed policies'})`);
      const hasCni = perms.attached.some((p) => p.name === 'AmazonEKS_CNI_Policy');
      if (hasCni && cniIdentity) ctx.fail(ref, 'cni-policy-on-node-role', `node role ${name} still has AmazonEKS_CNI_Policy although aws-node has its own role: detach it`);
      else if (hasCni) ctx.fail(ref, 'cni-policy-on-node-role', `node role ${name} has AmazonEKS_CNI_Policy: every pod that reaches IMDS can change the VPC's network interfaces (give aws-node its own IRSA/Pod Identity role)`);
      else ctx.pass(ref, 'cni-policy-on-node-role', `node role ${name} has no CNI policy${cniIdentity ? ' (aws-node has its own role)' : ''}`);
    }
    if (judged < roles.length) ctx.note(`${roles.length - judged} of ${roles.length} node role(s) without collected policies (see the error findings)`);
  },
});

// ---------------------------------------------------------------------------------------------

export const P1_IAM_09 = defineControl({
  id: 'P1-IAM-09',
  title: 'Pods mount a Kubernetes API token only when they use the API',
  section: 'P1',
  under: 'foundational',
  tsc: ['CC6.1'],
  automation: 'automated',
  severity: 'medium',
  description:
    'Every namespace\'s default ServiceAccount sets automountServiceAccountToken: false, no workload mounts the default ' +
    'ServiceAccount\'s token, and workloads whose service account no RoleBinding or ClusterRoleBinding grants anything do not ' +
    'mount a token (all required: the Part 1 item). The pod\'s own automountServiceAccountToken overrides its service account\'s. ' +
    'Whether a service account is granted anything needs the bindings: without them a workload mounting a named service account\'s ' +
    'token is not evaluated. IRSA and Pod Identity use their own projected tokens, so they are unaffected.',
  requires: [need.kind('core/ServiceAccount', 'ServiceAccounts'), need.workloads()],
  optional: [k8s(RBAC_KINDS.clusterRoleBinding), k8s(RBAC_KINDS.roleBinding), k8s(RBAC_KINDS.clusterRole), k8s(RBAC_KINDS.role)],
  rules: {
    'automount-sa-token': {
      title: 'No service-account token mounted without need', severity: 'medium', level: 'required',
      basis: 'Part 1 item (controls.md §7): default ServiceAccounts do not automount; pods not needing the API do not mount tokens', evidence: [],
    },
  },
  remediation: {
    summary: 'Set automountServiceAccountToken: false on every default ServiceAccount and in pod templates that do not call the Kubernetes API.',
    commands: ['kubectl patch serviceaccount default -n $NAMESPACE -p \'{"automountServiceAccountToken": false}\''],
    manifest: `apiVersion: v1
kind: ServiceAccount
metadata: { name: default, namespace: $NAMESPACE }
automountServiceAccountToken: false`,
  },
  references: [
    { title: 'Kubernetes: Configure service accounts for pods (opt out of API credential automounting)', url: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting' },
    { title: 'EKS Best Practices: Disable auto-mounting of service account tokens', url: 'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html' },
  ],
  check(ev, ctx) {
    // Grants found in the input count whatever else is missing; "no binding grants it" needs every binding.
    const rbacKnown = ev.complete(`k8s:${RBAC_KINDS.clusterRoleBinding}`) && ev.complete(`k8s:${RBAC_KINDS.roleBinding}`);
    const bound = new Set<string>();
    const boundGroups = new Set<string>();
    for (const b of bindings(ev)) {
      for (const s of b.subjects) {
        if (s.kind === 'ServiceAccount') bound.add(`${s.namespace ?? b.namespace ?? 'default'}/${s.name}`);
        else if (s.kind === 'Group' && s.name.startsWith('system:serviceaccounts')) boundGroups.add(s.name);
        else if (s.kind === 'User' && s.name.startsWith('system:serviceaccount:')) bound.add(s.name.slice('system:serviceaccount:'.length).replace(':', '/'));
      }
    }
    const hasGrant = (ns: string, name: string) => bound.has(`${ns}/${name}`) || boundGroups.has('system:serviceaccounts') || boundGroups.has(`system:serviceaccounts:${ns}`);
    for (const sa of ev.objects('core/ServiceAccount')) {
      if (sa.metadata.name !== 'default') continue;
      if (sa.automountServiceAccountToken === false) ctx.pass(sa, 'automount-sa-token', 'default ServiceAccount does not automount its token');
      else ctx.fail(sa, 'automount-sa-token', 'default ServiceAccount automounts a token into every pod that names no service account (set automountServiceAccountToken: false)');
    }
    for (const w of workloads(ev)) {
      const spec: PodSpec = w.spec;
      const name = spec.serviceAccountName ?? spec.serviceAccount ?? 'default';
      // A manifest without a namespace lands in `default` when applied.
      const sa = ev.get('core/ServiceAccount', w.namespace, name) ?? (w.namespace === 'default' ? ev.get('core/ServiceAccount', '', name) : undefined);
      const podSetting = spec.automountServiceAccountToken;
      const saSetting = sa?.automountServiceAccountToken;
      if (typeof podSetting !== 'boolean' && !sa && !ev.complete('k8s:core/ServiceAccount')) {
        // The service account's own setting decides, and it was not read.
        ctx.unevaluated('automount-sa-token', `the pod does not set automountServiceAccountToken and ServiceAccount ${name} was not read (${ev.has('k8s:core/ServiceAccount') ? 'not in the input files' : ev.state('k8s:core/ServiceAccount')})`, w.obj);
        continue;
      }
      const mounts = typeof podSetting === 'boolean' ? podSetting : typeof saSetting === 'boolean' ? saSetting : true;
      const source = typeof podSetting === 'boolean' ? 'set in the pod spec' : typeof saSetting === 'boolean' ? `set on ServiceAccount ${name}` : 'not set, defaults to true';
      if (!mounts) { ctx.pass(w.obj, 'automount-sa-token', `no API token mounted (${source})`); continue; }
      if (name === 'default') {
        // Grants to a default ServiceAccount are a finding of their own (CC5-IAM-03 rbac-default-sa): never a reason to mount.
        ctx.fail(w.obj, 'automount-sa-token', `mounts the namespace's default ServiceAccount token (${source}): give the pod a dedicated service account if it calls the Kubernetes API`);
        continue;
      }
      if (hasGrant(w.namespace, name)) { ctx.pass(w.obj, 'automount-sa-token', `mounts the token of ${name}, which RBAC grants permissions (it uses the API)`); continue; }
      if (rbacKnown) ctx.fail(w.obj, 'automount-sa-token', `mounts an API token for ${name} (${source}) although no binding grants that service account anything`);
      else ctx.unevaluated('automount-sa-token', `mounts an API token for ${name} (${source}); whether RBAC grants ${name} anything was not read (RoleBindings and ClusterRoleBindings are needed)`, w.obj);
    }
  },
});

// ---------------------------------------------------------------------------------------------

export const P1_INV_01 = defineControl({
  id: 'P1-INV-01',
  title: 'Every EKS cluster in every enabled region is inventoried',
  section: 'P1',
  under: 'foundational',
  tsc: ['CC6.1'],
  automation: 'automated',
  severity: 'medium',
  description:
    'EKS clusters are listed in every region enabled for the account (ec2:DescribeRegions), so no cluster escapes the compliance ' +
    'scope. When knownClusters is configured, clusters found but not listed there (unmanaged or forgotten) fail (required); listed ' +
    'clusters of this account that no longer exist are a warning (a stale inventory entry, recommended). A region whose clusters were ' +
    'not listed leaves the inventory not evaluated there. Other accounts of the organisation need their own run.',
  requires: [
    need.aws('ec2:DescribeRegions', 'the enabled regions'),
    need.aws('eks:ListClusters', 'EKS clusters per region'),
  ],
  rules: {
    'cluster-inventory': {
      title: 'Clusters found are in the known inventory', severity: 'medium', level: 'required',
      basis: 'CC6.1 point of focus: identifies and manages the inventory of information assets (an unknown cluster is outside the controls)',
    },
    'known-cluster-found': {
      title: 'Clusters listed in knownClusters still exist', severity: 'low', level: 'recommended',
      basis: 'a stale entry exposes no asset; keeping the inventory current is hygiene',
    },
  },
  remediation: {
    summary: 'List clusters in every enabled region and account, bring unknown clusters under management (or delete them), and keep knownClusters current.',
    commands: ['for r in $(aws ec2 describe-regions --query "Regions[].RegionName" --output text); do echo "$r: $(aws eks list-clusters --region $r --query clusters --output text)"; done'],
  },
  references: [
    { title: 'Amazon EKS API: ListClusters', url: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_ListClusters.html' },
    { title: 'Amazon EC2 API: DescribeRegions', url: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html' },
  ],
  check(ev, ctx) {
    const regions = ev.aws('ec2:DescribeRegions').flatMap((f) => out<{ Regions?: { RegionName?: string; OptInStatus?: string }[] }>(f)?.Regions ?? [])
      .filter((r) => r.RegionName && r.OptInStatus !== 'not-opted-in').map((r) => r.RegionName!);
    const lists = ev.aws('eks:ListClusters');
    const byRegion = new Map<string, string[]>();
    for (const f of lists) {
      const region = f.region ?? (typeof f.params?.region === 'string' ? f.params.region : undefined);
      if (!region) continue;
      byRegion.set(region, [...(byRegion.get(region) ?? []), ...(out<{ clusters?: string[] }>(f)?.clusters ?? [])]);
    }
    const accountId = lists[0]?.accountId ?? ev.aws('ec2:DescribeRegions')[0]?.accountId;
    const known = ctx.config.knownClusters;
    const missing = regions.filter((r) => !byRegion.has(r));
    const seen: { name: string; region: string; arn?: string }[] = [];
    for (const region of [...new Set([...regions, ...byRegion.keys()])].sort()) {
      for (const name of byRegion.get(region) ?? []) {
        const arn = accountId ? `arn:aws:eks:${region}:${accountId}:cluster/${name}` : undefined;
        seen.push({ name, region, ...(arn ? { arn } : {}) });
        const ref = awsRef('AWS::EKS::Cluster', name, { arn, region, accountId });
        const listed = known.some((k) => iamMatch(k, name, false) || (arn !== undefined && iamMatch(k, arn, false)));
        if (!known.length) ctx.pass(ref, 'cluster-inventory', `cluster ${name} in ${region} (no knownClusters configured: every cluster found is inventoried)`);
        else if (listed) ctx.pass(ref, 'cluster-inventory', `cluster ${name} in ${region} is a known cluster`);
        else ctx.fail(ref, 'cluster-inventory', `cluster ${name} in ${region} is not in knownClusters: unmanaged or forgotten (bring it into scope or delete it)`);
      }
    }
    for (const k of known) {
      if (k.includes('*') || seen.some((s) => iamMatch(k, s.name, false) || (s.arn !== undefined && iamMatch(k, s.arn, false)))) continue;
      const p = /^arn:aws[\w-]*:eks:([\w-]+):(\d{12}):cluster\/(.+)$/.exec(k);
      if (p && accountId && p[2] !== accountId) continue; // another account: its own run covers it
      const ref = awsRef('AWS::EKS::Cluster', p?.[3] ?? k, { arn: p ? k : undefined, region: p?.[1], accountId });
      if (missing.length) ctx.unevaluated('known-cluster-found', `known cluster ${k} was not found, but clusters were not listed in ${missing.join(', ')}`, ref);
      else if (!ev.complete('aws:eks:ListClusters')) ctx.unevaluated('known-cluster-found', `known cluster ${k} is not in the input, which holds only the clusters it declares`, ref);
      else ctx.fail(ref, 'known-cluster-found', `known cluster ${k} was not found in any enabled region (deleted? update knownClusters)`);
    }
    for (const k of known.filter((x) => !x.includes('*') && seen.some((s) => iamMatch(x, s.name, false) || (s.arn !== undefined && iamMatch(x, s.arn, false))))) {
      const hit = seen.find((s) => iamMatch(k, s.name, false) || (s.arn !== undefined && iamMatch(k, s.arn, false)))!;
      ctx.pass(awsRef('AWS::EKS::Cluster', hit.name, { arn: hit.arn, region: hit.region, accountId }), 'known-cluster-found', `known cluster ${k} exists in ${hit.region}`);
    }
    const empty = [...byRegion.entries()].filter(([, c]) => c.length === 0).map(([r]) => r);
    if (missing.length) ctx.unevaluated('cluster-inventory', `eks:ListClusters was not read in ${missing.length} enabled region(s): ${missing.join(', ')}`);
    ctx.note(`${seen.length} cluster(s) in ${byRegion.size} region(s) checked${empty.length ? `; none in ${empty.join(', ')}` : ''}${accountId ? ` (account ${accountId} only: run once per account)` : ''}`);
    if (!seen.length && !missing.length) ctx.notApplicable('no EKS clusters in any enabled region');
  },
});

export const controls: ControlDefinition[] = [P1_IAM_01, P1_IAM_02, P1_IAM_03, P1_IAM_04, P1_IAM_05, P1_IAM_07, P1_IAM_08, P1_IAM_09, P1_INV_01];
