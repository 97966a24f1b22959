import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  P1_IAM_01, P1_IAM_02, P1_IAM_03, P1_IAM_04, P1_IAM_05, P1_IAM_07, P1_IAM_08, P1_IAM_09, P1_INV_01, controls, instanceIdOf,
} from '../../src/catalog/part1.js';
import { catalog } from '../../src/catalog/index.js';
import { collectFiles } from '../../src/collectors/files/read.js';
import type { ControlResult, JsonObject } from '../../src/model/index.js';
import { defaultConfig } from '../../src/model/index.js';
import { evaluate } from '../helpers/evaluate-expanded.js';
import { demoPolicies, demoSnapshot } from '../../src/collectors/demo/index.js';
import { runCase, testControl } from '../helpers/control-tester.js';
import { expectClassified, expectUnevaluated, expectWarning } from '../helpers/rule-levels.js';
import {
  ACCOUNT, CLUSTER, CLUSTER_ADMIN_POLICY_ARN, REGION, accessEntries, attachedPolicies, describeCluster, fact, roleArn, rolePolicy, rolePolicyNames,
} from '../fixtures/cc5/aws.js';

it('Part 1 lists the in-scope items in order, under section P1, and leaves out P1-IAM-06, -10 and P1-GOV-01', () => {
  expect(controls.map((c) => c.id)).toEqual(['P1-IAM-01', 'P1-IAM-02', 'P1-IAM-03', 'P1-IAM-04', 'P1-IAM-05', 'P1-IAM-07', 'P1-IAM-08', 'P1-IAM-09', 'P1-INV-01']);
  expect(controls.every((c) => c.section === 'P1' && c.subheading === 'Identity, Access and Inventory')).toBe(true);
  expect(catalog.some((c) => ['P1-IAM-06', 'P1-IAM-10', 'P1-GOV-01'].includes(c.id))).toBe(false);
});

// ---------------------------------------------------------------------------------------------
// P1-IAM-01 authentication mode + access entries

const mode = (m: string | undefined, extra: JsonObject = {}) => describeCluster({ accessConfig: m ? { authenticationMode: m, ...extra } : { ...extra } });
const entries = accessEntries([
  { principalArn: roleArn('AWSReservedSSO_Admin_0123456789abcdef'), policies: [{ arn: CLUSTER_ADMIN_POLICY_ARN }] },
  { principalArn: roleArn('ci-deployer'), groups: ['deployers'], policies: [{ arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy', scope: 'namespace', namespaces: ['shop'] }] },
  { principalArn: roleArn('node-role'), type: 'EC2_LINUX' },
]);

testControl(P1_IAM_01, {
  valid: [
    {
      name: 'API mode: entries listed for the review (manual)',
      aws: [mode('API'), ...entries],
      expect: {
        status: 'manual', passing: ['authentication-mode', 'access-entry-inventory'],
        assert: (r) => {
          const inv = r.findings.filter((f) => f.rule === 'access-entry-inventory');
          expect(inv).toHaveLength(3);
          expect(inv.find((f) => f.resource.name.endsWith('ci-deployer'))?.details).toMatchObject({ kubernetesGroups: ['deployers'], accessPolicies: [{ scope: 'namespace', namespaces: ['shop'] }] });
          expect(inv.find((f) => f.resource.name.endsWith('node-role'))?.message).toMatch(/node identity/);
        },
      },
    },
    { name: 'API_AND_CONFIG_MAP during migration', aws: [mode('API_AND_CONFIG_MAP'), ...entries], expect: { status: 'manual', passing: ['authentication-mode'] } },
    {
      name: 'review attested: pass',
      aws: [mode('API'), ...entries],
      attestations: [{ control: 'P1-IAM-01', statement: 'Q4 review of access entries', attestedBy: 'secops@acme.example', date: '2026-10-01', validUntil: '2027-01-01' }],
      expect: { status: 'pass' },
    },
  ],
  invalid: [
    {
      name: 'an access entry whose details were not read is not evaluated; the others are listed (error, not a silent gap)',
      aws: [mode('API'), ...entries, fact('eks', 'ListAccessEntries', { accessEntries: [roleArn('mystery')] }, { clusterName: CLUSTER })],
      expect: {
        status: 'error',
        assert: (r) => {
          expect(r.findings.find((f) => f.resource.name === roleArn('mystery'))).toMatchObject({ status: 'error', rule: 'access-entry-inventory', message: expect.stringMatching(/DescribeAccessEntry and eks:ListAssociatedAccessPolicies not read/) });
          expect(r.findings.filter((f) => f.rule === 'access-entry-inventory' && f.status === 'pass')).toHaveLength(3);
        },
      },
    },
  ],
  other: [
    { name: 'CONFIG_MAP only: a warning', aws: [mode('CONFIG_MAP')], expect: { status: 'manual', assert: (r) => { expect(r.counts.warn).toBe(1); expect(r.findings[0]).toMatchObject({ rule: 'authentication-mode', status: 'warn', severity: 'low' }); } } },
    { name: 'no authenticationMode reported (an old cluster): a warning', aws: [mode(undefined)], expect: { status: 'manual', assert: (r) => expect(r.findings[0]?.status).toBe('warn') } },
    { name: 'access entries not read in API mode: error (the inventory for the review is missing)', aws: [mode('API')], expect: { status: 'error', message: /eks:ListAccessEntries was not read/ } },
    {
      name: 'an IAM user in an access entry is a warning; each entry says what it amounts to',
      aws: [mode('API'), ...accessEntries([
        { principalArn: `arn:aws:iam::${ACCOUNT}:user/ci-bot`, policies: [{ arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy' }] },
        { principalArn: roleArn('dev'), policies: [{ arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy', scope: 'namespace', namespaces: ['shop'] }] },
      ])],
      expect: {
        status: 'manual',
        assert: (r) => {
          expect(r.findings.filter((f) => f.status === 'warn').map((f) => `${f.rule}:${f.resource.name}`)).toEqual([`access-entry-iam-user:arn:aws:iam::${ACCOUNT}:user/ci-bot`]);
          expect(r.findings.find((f) => f.rule === 'access-entry-inventory' && f.resource.name.endsWith('ci-bot'))?.message).toMatch(/AmazonEKSAdminPolicy \(cluster scope: cluster-admin\)/);
          expect(r.findings.find((f) => f.rule === 'access-entry-inventory' && f.resource.name.endsWith('dev'))?.message).toMatch(/AmazonEKSEditPolicy \(namespace shop\)/);
        },
      },
    },
    { name: 'DescribeCluster denied: error', awsCalls: { 'eks:DescribeCluster': 'denied' }, expect: { status: 'error' } },
  ],
});

// ---------------------------------------------------------------------------------------------
// P1-IAM-02 aws-auth

const awsAuth = (mapRoles: string, mapUsers = '', mapAccounts = '') => `
apiVersion: v1
kind: ConfigMap
metadata: { name: aws-auth, namespace: kube-system }
data:
  mapRoles: |
${mapRoles.split('\n').map((l) => `    ${l}`).join('\n')}
${mapUsers ? `  mapUsers: |\n${mapUsers.split('\n').map((l) => `    ${l}`).join('\n')}\n` : ''}${mapAccounts ? `  mapAccounts: |\n    ${mapAccounts}\n` : ''}`;
const nodeRole = `- rolearn: ${roleArn('node-role')}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups: [system:bootstrappers, system:nodes]`;
const breakglass = `- rolearn: ${roleArn('breakglass')}\n  username: breakglass\n  groups: [system:masters]`;

testControl(P1_IAM_02, {
  valid: [
    { name: 'node role and a developer role mapped to groups (manual review)', k8s: awsAuth(`${nodeRole}\n- rolearn: ${roleArn('AWSReservedSSO_Dev_0123')}\n  username: dev:{{SessionName}}\n  groups: [shop-devs]`), aws: [mode('API_AND_CONFIG_MAP')], expect: { status: 'manual', passing: ['aws-auth-masters', 'aws-auth-iam-users', 'aws-auth-wildcard'] } },
    { name: 'break-glass system:masters is allowed when allowlisted', k8s: awsAuth(`${nodeRole}\n${breakglass}`), config: { clusterAdminAllowlist: ['breakglass'] }, expect: { status: 'manual', notFailing: ['aws-auth-masters'] } },
  ],
  invalid: [
    { name: 'system:masters mapping that is not the allowlisted break-glass role', k8s: awsAuth(`${nodeRole}\n${breakglass}`), expect: { failing: ['aws-auth-masters'], assert: (r) => expect(r.findings.find((f) => f.status === 'fail')?.resource).toMatchObject({ kind: 'AWS::IAM::Role', name: 'breakglass' }) } },
    { name: 'wildcard ARN and a whole account', k8s: awsAuth(`${nodeRole}\n- rolearn: arn:aws:iam::${ACCOUNT}:role/dev-*\n  username: dev\n  groups: [viewers]`, '', '["444455556666"]'), expect: { failing: ['aws-auth-wildcard'], assert: (r) => expect(r.findings.filter((f) => f.rule === 'aws-auth-wildcard' && f.status === 'fail')).toHaveLength(2) } },
  ],
  other: [
    { name: 'API mode ignores aws-auth', k8s: awsAuth(breakglass), aws: [mode('API')], expect: { status: 'not-applicable', message: /still exists/ } },
    {
      name: 'IAM users mapped: a warning (long-lived keys)',
      k8s: awsAuth(nodeRole, `- userarn: arn:aws:iam::${ACCOUNT}:user/ci-bot\n  username: ci-bot\n  groups: [deployers]`),
      expect: { status: 'manual', assert: (r) => expect(r.findings.filter((f) => f.status === 'warn').map((f) => f.rule)).toEqual(['aws-auth-iam-users']) },
    },
    { name: 'no aws-auth ConfigMap', k8s: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: other, namespace: kube-system }\n', expect: { status: 'not-applicable' } },
    { name: 'aws-auth not readable (forbidden): error', kinds: { 'core/ConfigMap': 'denied' }, expect: { status: 'error' } },
    { name: 'malformed mapRoles: error', k8s: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: aws-auth, namespace: kube-system }\ndata: { mapRoles: "- rolearn: [unclosed" }\n', expect: { status: 'error', message: /not valid YAML/ } },
  ],
});

// ---------------------------------------------------------------------------------------------
// P1-IAM-03 cluster-admin principals

const adminBinding = (name: string, subject: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: ${name} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [${subject}]
`;
const builtinAdmin = `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: cluster-admin, labels: { kubernetes.io/bootstrapping: rbac-defaults } }
rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]
${adminBinding('cluster-admin', '{ kind: Group, name: "system:masters" }')}${adminBinding('eks:addon-cluster-admin', '{ kind: User, name: "eks:addon-manager" }')}`;

const apiMode = (list: Parameters<typeof accessEntries>[0] = []) => [mode('API'), ...accessEntries(list)];
const failingOn = (r: ControlResult) => r.findings.filter((f) => f.status === 'fail' && !f.system).map((f) => `${f.rule}:${f.resource.name}`).sort();

testControl(P1_IAM_03, {
  valid: [
    {
      name: 'built-in admins only: each built-in grant is a system finding, every source read, 0 principals',
      k8s: builtinAdmin, aws: apiMode(),
      expect: {
        passing: ['cluster-admin-count'],
        assert: (r) => {
          expect(r.findings.find((f) => f.rule === 'cluster-admin-count')?.message).toMatch(/^0 cluster-admin/);
          expect(r.findings.filter((f) => f.rule === 'cluster-admin-binding').map((f) => `${f.resource.name}:${f.status}:${f.system}`).sort()).toEqual(['cluster-admin:fail:true', 'eks:addon-cluster-admin:fail:true']);
        },
      },
    },
    {
      name: 'approved admins through a group binding and an access entry; every other binding passes',
      k8s: builtinAdmin + adminBinding('platform-admins', '{ kind: Group, name: platform-admins }') + `---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: shop-admin, namespace: shop }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [{ kind: Group, name: shop-team }]
`,
      aws: apiMode([{ principalArn: roleArn('breakglass'), policies: [{ arn: CLUSTER_ADMIN_POLICY_ARN }] }]),
      config: { clusterAdminAllowlist: ['Group:platform-admins', `arn:aws:iam::${ACCOUNT}:role/breakglass`] },
      expect: { passing: ['cluster-admin-binding'], assert: (r) => expect(r.findings.find((f) => f.resource.name === 'shop-admin')).toMatchObject({ status: 'pass', message: expect.stringMatching(/namespace shop only/) }) },
    },
    {
      name: 'a ClusterRoleBinding of cluster-admin to Gatekeeper\'s service account is reported with the system findings',
      k8s: builtinAdmin + adminBinding('gatekeeper-admin', '{ kind: ServiceAccount, name: gatekeeper-admin, namespace: gatekeeper-system }'), aws: apiMode(),
      expect: { assert: (r) => expect(r.findings.find((f) => f.resource.name === 'gatekeeper-admin')).toMatchObject({ status: 'fail', system: true }) },
    },
  ],
  invalid: [
    { name: 'a ServiceAccount holds cluster-admin', k8s: builtinAdmin + adminBinding('ci', '{ kind: ServiceAccount, name: deployer, namespace: ci }'), config: { clusterAdminAllowlist: ['x'] }, expect: { failing: ['cluster-admin-binding'], assert: (r) => expect(r.failSeverity).toBe('high') } },
    { name: 'system:authenticated bound to cluster-admin', k8s: builtinAdmin + adminBinding('oops', '{ kind: Group, name: "system:authenticated" }'), expect: { failing: ['cluster-admin-binding'], assert: (r) => expect(r.failSeverity).toBe('critical') } },
    {
      name: '"everyone is cluster-admin" through a binding named system:* fails (subjects judged by meaning, not the binding\'s name)',
      k8s: builtinAdmin + adminBinding('system:everyone', '{ kind: Group, name: "system:authenticated" }'), aws: apiMode(),
      expect: { failing: ['cluster-admin-binding'], assert: (r) => { expect(failingOn(r)).toEqual(['cluster-admin-binding:system:everyone']); expect(r.failSeverity).toBe('critical'); } },
    },
    {
      name: 'a second binding granting cluster-admin to the same principal fails too, each on its own binding',
      k8s: builtinAdmin + adminBinding('jane-admin', '{ kind: User, name: jane }') + adminBinding('jane-admin-again', '{ kind: User, name: jane }'), aws: apiMode(),
      expect: { failing: ['cluster-admin-binding'], assert: (r) => expect(failingOn(r)).toEqual(['cluster-admin-binding:jane-admin', 'cluster-admin-binding:jane-admin-again']) },
    },
    {
      name: 'a role with "*" on "*" is cluster-admin whatever its name',
      k8s: builtinAdmin + `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: ops-everything }
rules: [{ apiGroups: ["*"], resources: ["*"], verbs: [get, list] }, { apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: ops }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ops-everything }
subjects: [{ kind: Group, name: ops }]
`, aws: apiMode(),
      expect: { failing: ['cluster-admin-binding'], assert: (r) => expect(failingOn(r)).toEqual(['cluster-admin-binding:ops']) },
    },
    {
      name: 'AmazonEKSAdminPolicy at cluster scope is a cluster-admin principal; scoped to namespaces it is not',
      k8s: builtinAdmin,
      aws: apiMode([
        { principalArn: roleArn('ops'), policies: [{ arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy' }] },
        { principalArn: roleArn('shop-admin'), policies: [{ arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy', scope: 'namespace', namespaces: ['shop'] }] },
      ]),
      expect: {
        failing: ['cluster-admin-binding'],
        assert: (r) => {
          expect(failingOn(r)).toEqual([`cluster-admin-binding:${roleArn('ops')}`]);
          expect(r.findings.find((f) => f.resource.name === roleArn('shop-admin'))?.status).toBe('pass');
          expect(r.findings.find((f) => f.rule === 'cluster-admin-count')?.message).toMatch(/^1 cluster-admin principal/);
        },
      },
    },
    {
      name: 'too many admins across RBAC, access entries and aws-auth (role paths dropped when counting)',
      k8s: `${builtinAdmin}${adminBinding('platform-admins', '{ kind: Group, name: platform-admins }')}---
apiVersion: v1
kind: ConfigMap
metadata: { name: aws-auth, namespace: kube-system }
data:
  mapRoles: |
    - rolearn: arn:aws:iam::${ACCOUNT}:role/ops/breakglass
      username: breakglass
      groups: [system:masters]
`,
      aws: [mode('API_AND_CONFIG_MAP'), ...accessEntries([
        { principalArn: roleArn('breakglass'), groups: ['system:masters'] },
        { principalArn: roleArn('admin-a'), policies: [{ arn: CLUSTER_ADMIN_POLICY_ARN }] },
        { principalArn: roleArn('admin-b'), policies: [{ arn: CLUSTER_ADMIN_POLICY_ARN }] },
      ])],
      config: { clusterAdminAllowlist: ['Group:platform-admins', 'breakglass', 'admin-*'] },
      expect: {
        failing: ['cluster-admin-count'],
        assert: (r) => {
          expect(failingOn(r)).toEqual(['cluster-admin-count:test-cluster']);
          expect(r.findings.find((f) => f.rule === 'cluster-admin-count')?.message).toMatch(/^4 cluster-admin principals, more than maxClusterAdmins \(3\)/);
          // system:masters' members are named on the built-in binding
          expect(r.findings.find((f) => f.resource.name === 'cluster-admin' && f.rule === 'cluster-admin-binding')?.message).toMatch(/system:masters \(IAM: arn:aws:iam::\d+:role\/breakglass/);
        },
      },
    },
    {
      name: 'above the threshold on what was read fails even with access entries unread',
      k8s: builtinAdmin + ['a', 'b', 'c', 'd'].map((n) => adminBinding(`admin-${n}`, `{ kind: User, name: ${n} }`)).join(''),
      config: { clusterAdminAllowlist: ['a', 'b', 'c', 'd'] },
      expect: { failing: ['cluster-admin-count'], assert: (r) => expect(r.notes.join(' ')).toMatch(/could only add principals/) },
    },
  ],
  other: [
    { name: 'access entries partly described: error, not a wrong count', k8s: builtinAdmin, aws: [mode('API'), fact('eks', 'ListAccessEntries', { accessEntries: [roleArn('x')] }, { clusterName: CLUSTER })], expect: { status: 'error', message: /details of 1 access entry/ } },
    { name: 'no AWS evidence: the count is not evaluated (the admins are mostly IAM principals)', k8s: builtinAdmin, expect: { status: 'error', message: /cluster-admin-count: not read/ } },
    { name: 'CONFIG_MAP mode: the creator\'s invisible system:masters is a warning', k8s: `${builtinAdmin}---${awsAuth(nodeRole)}`, aws: [mode('CONFIG_MAP')], expect: { status: 'pass', assert: (r) => expect(r.findings.filter((f) => f.status === 'warn').map((f) => f.rule)).toEqual(['hidden-creator-admin']) } },
    {
      name: 'aws-auth system:masters with the authentication mode unread: not evaluated on that principal',
      k8s: `${builtinAdmin}---${awsAuth(breakglass)}`,
      expect: { status: 'error', assert: (r) => expect(r.findings.find((f) => f.resource.name === 'breakglass')).toMatchObject({ status: 'error', message: expect.stringMatching(/authenticationMode was not read/) }) },
    },
  ],
});

// ---------------------------------------------------------------------------------------------
// P1-IAM-04 cluster creator

/** Created three minutes after the cluster (describeCluster createdAt 2025-01-10T10:00Z): EKS made it for the creator. */
const creator = { principalArn: roleArn('terraform'), policies: [{ arn: CLUSTER_ADMIN_POLICY_ARN }], createdAt: '2025-01-10T10:03:12.000Z' };
testControl(P1_IAM_04, {
  valid: [
    { name: 'bootstrapClusterCreatorAdminPermissions false', aws: [describeCluster()] },
    { name: 'bootstrap admin given, but the creator\'s entry has been removed', aws: [mode('API', { bootstrapClusterCreatorAdminPermissions: true }), ...accessEntries([{ principalArn: roleArn('later-admin'), policies: [{ arn: CLUSTER_ADMIN_POLICY_ARN }], createdAt: '2025-06-01T00:00:00.000Z' }])] },
    { name: 'the creator is an approved admin', aws: [mode('API', { bootstrapClusterCreatorAdminPermissions: true }), ...accessEntries([creator])], config: { clusterAdminAllowlist: ['terraform'] } },
  ],
  invalid: [
    { name: 'the creator keeps AmazonEKSClusterAdminPolicy', aws: [mode('API_AND_CONFIG_MAP', { bootstrapClusterCreatorAdminPermissions: true }), ...accessEntries([creator])], expect: { failing: ['creator-admin'], assert: (r) => expect(r.findings[0]?.resource.kind).toBe('AWS::EKS::AccessEntry') } },
    { name: 'CONFIG_MAP: invisible, irremovable creator admin', aws: [mode('CONFIG_MAP')], expect: { failing: ['creator-admin'] } },
  ],
  other: [
    { name: 'creator admin on, access entries not collected: error', aws: [mode('API', { bootstrapClusterCreatorAdminPermissions: true })], expect: { status: 'error', message: /access entries were not read/ } },
  ],
});

// ---------------------------------------------------------------------------------------------
// P1-IAM-05 anonymous

const anonBinding = (kind: string, name: string, role: string, subject = 'system:unauthenticated', ns = '') => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: { name: "${name}"${ns ? `, namespace: ${ns}` : ''} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "${role}" }
subjects: [{ kind: Group, name: "${subject}", apiGroup: rbac.authorization.k8s.io }]
`;
const anonRole = (name: string, rules: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: "${name}" }
rules: ${rules}
`;
testControl(P1_IAM_05, {
  valid: [
    { name: 'the default public-info-viewer binding', k8s: anonBinding('ClusterRoleBinding', 'system:public-info-viewer', 'system:public-info-viewer'), expect: { passing: ['rbac-anonymous'] } },
    { name: 'no anonymous subject anywhere', k8s: anonBinding('ClusterRoleBinding', 'devs', 'view', 'devs'), expect: { passing: ['rbac-anonymous'], assert: (r) => expect(r.findings.filter((f) => f.rule === 'rbac-anonymous').map((f) => f.resource.kind).sort()).toEqual(['Cluster', 'ClusterRoleBinding']) } },
    {
      name: 'judged by what the role grants, not its name: a custom health-only role and service-account issuer discovery pass',
      k8s: anonRole('lb-health', '[{ nonResourceURLs: ["/healthz", "/readyz", "/livez"], verbs: [get] }]')
        + anonBinding('ClusterRoleBinding', 'lb-health', 'lb-health', 'system:anonymous')
        + anonBinding('ClusterRoleBinding', 'oidc-discovery', 'system:service-account-issuer-discovery'),
      expect: { passing: ['rbac-anonymous'], assert: (r) => expect(r.findings.filter((f) => f.status === 'pass')).toHaveLength(2) },
    },
  ],
  invalid: [
    { name: 'anonymous gets view through a binding named like a built-in', k8s: anonBinding('ClusterRoleBinding', 'system:anon-view', 'view', 'system:anonymous'), expect: { failing: ['rbac-anonymous'] } },
    { name: 'unauthenticated users in one namespace', k8s: anonBinding('RoleBinding', 'public', 'edit', 'system:unauthenticated', 'shop'), expect: { failing: ['rbac-anonymous'] } },
    {
      name: 'a default discovery role edited to grant more fails through its default binding',
      k8s: anonRole('system:public-info-viewer', '[{ nonResourceURLs: ["/healthz"], verbs: [get] }, { apiGroups: [""], resources: [configmaps], verbs: [list] }]')
        + anonBinding('ClusterRoleBinding', 'system:public-info-viewer', 'system:public-info-viewer'),
      expect: { failing: ['rbac-anonymous'], assert: (r) => expect(r.findings[0]?.message).toMatch(/list on configmaps/) },
    },
    {
      name: 'non-resource "*" (metrics, logs, debug endpoints) is more than discovery',
      k8s: anonRole('metrics-open', '[{ nonResourceURLs: ["*"], verbs: [get] }]') + anonBinding('ClusterRoleBinding', 'metrics-open', 'metrics-open', 'system:anonymous'),
      expect: { failing: ['rbac-anonymous'] },
    },
  ],
  other: [
    { name: 'RoleBindings not in the input files: error', k8s: anonBinding('ClusterRoleBinding', 'x', 'view', 'devs'), complete: false, expect: { status: 'error', message: /RoleBindings/ } },
    {
      name: 'an anonymous binding to a role that was not read is not evaluated',
      k8s: anonBinding('ClusterRoleBinding', 'mystery', 'custom', 'system:anonymous') + anonBinding('RoleBinding', 'x', 'view', 'devs', 'shop'),
      kinds: { 'rbac.authorization.k8s.io/ClusterRole': 'denied' },
      expect: { status: 'error', assert: (r) => expect(r.findings[0]).toMatchObject({ status: 'error', resource: { name: 'mystery' } }) },
    },
  ],
});

// ---------------------------------------------------------------------------------------------
// P1-IAM-07 IMDS

const node = (name: string, id: string, labels: Record<string, string> = {}) => `---
apiVersion: v1
kind: Node
metadata: { name: ${name}, labels: ${JSON.stringify(labels)} }
spec: { providerID: "aws:///${REGION}a/${id}" }
`;
const instances = (...list: { id: string; tokens?: string; hop?: number; endpoint?: string; tags?: JsonObject[] }[]) => fact('ec2', 'DescribeInstances', {
  Reservations: [{ ReservationId: 'r-1', OwnerId: ACCOUNT, Instances: list.map((i) => ({
    InstanceId: i.id, State: { Code: 16, Name: 'running' }, Tags: i.tags ?? [],
    MetadataOptions: { State: 'applied', HttpTokens: i.tokens ?? 'required', HttpPutResponseHopLimit: i.hop ?? 1, HttpEndpoint: i.endpoint ?? 'enabled', HttpProtocolIpv6: 'disabled', InstanceMetadataTags: 'disabled' },
  })) }],
}, { InstanceIds: list.map((i) => i.id) });
const nodeClass = (name: string, mo: string) => `---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: { name: ${name} }
spec: { role: karpenter-node, amiSelectorTerms: [{ alias: al2023@latest }]${mo ? `, metadataOptions: ${mo}` : ''} }
`;

testControl(P1_IAM_07, {
  valid: [
    { name: 'IMDSv2 required, hop limit 1; a Fargate node has nothing to check', k8s: node('n1', 'i-0aaa') + node('fargate-1', 'fargate-ip-10-0-4-20', { 'eks.amazonaws.com/compute-type': 'fargate' }), aws: [instances({ id: 'i-0aaa' })], expect: { passing: ['imds-v2', 'imds-hop-limit'] } },
    { name: 'metadata endpoint disabled', k8s: node('n1', 'i-0aaa'), aws: [instances({ id: 'i-0aaa', tokens: 'optional', hop: 2, endpoint: 'disabled' })] },
    { name: 'Karpenter node class with defaults (required, hop 1)', k8s: node('n1', 'i-0aaa') + nodeClass('default', ''), aws: [instances({ id: 'i-0aaa' })], expect: { passing: ['nodeclass-metadata'] } },
    { name: 'without Node objects, instances tagged with the cluster name are checked', aws: [describeCluster(), instances({ id: 'i-0aaa', tags: [{ Key: 'eks:cluster-name', Value: CLUSTER }] }, { id: 'i-0other', tokens: 'optional', tags: [{ Key: 'eks:cluster-name', Value: 'other' }] })], expect: { passing: ['imds-v2'] } },
  ],
  invalid: [
    { name: 'IMDSv1 allowed', k8s: node('n1', 'i-0aaa'), aws: [instances({ id: 'i-0aaa', tokens: 'optional' })], expect: { failing: ['imds-v2'], passing: ['imds-hop-limit'] } },
    { name: 'hop limit 2 (the old managed node group default)', k8s: node('n1', 'i-0aaa') + node('n2', 'i-0bbb'), aws: [instances({ id: 'i-0aaa' }, { id: 'i-0bbb', hop: 2 })], expect: { failing: ['imds-hop-limit'], assert: (r) => expect(r.findings.filter((f) => f.status === 'fail').map((f) => f.resource.name)).toEqual(['i-0bbb']) } },
    { name: 'a node class that re-enables IMDSv1', k8s: node('n1', 'i-0aaa') + nodeClass('legacy', '{ httpTokens: optional, httpPutResponseHopLimit: 2 }'), aws: [instances({ id: 'i-0aaa' })], expect: { failing: ['nodeclass-metadata'] } },
    {
      name: 'partial evidence: a node class that relaxes IMDS fails although DescribeInstances was denied',
      k8s: node('n1', 'i-0aaa') + nodeClass('legacy', '{ httpTokens: required, httpPutResponseHopLimit: 2 }'), awsCalls: { 'ec2:DescribeInstances': 'denied' },
      expect: { failing: ['nodeclass-metadata'], assert: (r) => expect(r.notes.join(' ')).toMatch(/failing on the evidence that was read/) },
    },
  ],
  other: [
    { name: 'Fargate-only cluster: not applicable', k8s: node('fargate-1', 'fargate-ip-10-0-4-20', { 'eks.amazonaws.com/compute-type': 'fargate' }), aws: [instances()], expect: { status: 'not-applicable' } },
    { name: 'DescribeInstances denied: error', k8s: node('n1', 'i-0aaa'), awsCalls: { 'ec2:DescribeInstances': 'denied' }, expect: { status: 'error' } },
    {
      name: 'an instance without MetadataOptions in the answer is not evaluated, never failed',
      k8s: node('n1', 'i-0aaa'), aws: [fact('ec2', 'DescribeInstances', { Reservations: [{ OwnerId: ACCOUNT, Instances: [{ InstanceId: 'i-0aaa', State: { Name: 'running' } }] }] })],
      expect: { status: 'error', assert: (r) => expectUnevaluated(r, 'imds-v2', /no MetadataOptions/) },
    },
    {
      name: 'a manifest scan of a node class alone: the node class is judged',
      k8s: nodeClass('default', ''), complete: false,
      expect: { status: 'pass', passing: ['nodeclass-metadata'] },
    },
    {
      name: 'nodes in the input but their instances not read: the node rules are not evaluated',
      k8s: node('n1', 'i-0aaa') + nodeClass('default', ''), complete: false,
      expect: { status: 'error', passing: ['nodeclass-metadata'], assert: (r) => expectUnevaluated(r, 'imds-v2', /ec2:DescribeInstances/) },
    },
  ],
});
it('instanceIdOf reads the EC2 instance id from providerID', () => {
  expect(instanceIdOf({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { providerID: 'aws:///eu-west-1a/i-0a1b2c3d4e5f00001' } })).toBe('i-0a1b2c3d4e5f00001');
  expect(instanceIdOf({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { providerID: 'aws:///eu-west-1a/fargate-ip-10-0-4-20' } })).toBeUndefined();
});

// ---------------------------------------------------------------------------------------------
// P1-IAM-08 node role

const ng = fact('eks', 'DescribeNodegroup', { nodegroup: { nodegroupName: 'general', clusterName: CLUSTER, nodeRole: roleArn('node-role') } }, { clusterName: CLUSTER, nodegroupName: 'general' });
const baseline = [{ name: 'AmazonEKSWorkerNodePolicy' }, { name: 'AmazonEC2ContainerRegistryReadOnly' }];
const awsNodeIrsa = `apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: aws-node, namespace: kube-system, annotations: { eks.amazonaws.com/role-arn: "${roleArn('cni')}" } }\n`;

testControl(P1_IAM_08, {
  valid: [
    { name: 'worker baseline only, CNI on aws-node through IRSA (manual)', k8s: awsNodeIrsa, aws: [ng, attachedPolicies('node-role', baseline), rolePolicyNames('node-role', [])], expect: { status: 'manual', passing: ['node-role-policies', 'cni-policy-on-node-role'] } },
    { name: 'Auto Mode node role with the minimal policies', aws: [describeCluster({ computeConfig: { enabled: true, nodeRoleArn: roleArn('auto-node') } }), attachedPolicies('auto-node', [{ name: 'AmazonEKSWorkerNodeMinimalPolicy' }, { name: 'AmazonEC2ContainerRegistryPullOnly' }])], expect: { status: 'manual' } },
    {
      name: 'CNI policy on the node role, aws-node without its own identity: a warning (AWS\'s own default)',
      aws: [ng, attachedPolicies('node-role', [...baseline, { name: 'AmazonEKS_CNI_Policy' }])],
      expect: { status: 'manual', passing: ['node-role-policies'], assert: (r) => expectWarning(r, 'cni-policy-on-node-role') },
    },
    {
      name: 'CNI policy left on the node role after moving it to aws-node: a warning',
      k8s: awsNodeIrsa, aws: [ng, attachedPolicies('node-role', [...baseline, { name: 'AmazonEKS_CNI_Policy' }])],
      expect: { status: 'manual', assert: (r) => { expectWarning(r, 'cni-policy-on-node-role'); expect(r.findings.find((f) => f.status === 'warn')?.message).toMatch(/although aws-node has its own role/); } },
    },
  ],
  invalid: [
    { name: 'extra managed and inline policies', aws: [ng, attachedPolicies('node-role', [...baseline, { name: 'AmazonS3FullAccess' }]), rolePolicyNames('node-role', ['artifacts']), rolePolicy('node-role', 'artifacts', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] })], expect: { failing: ['node-role-policies'], assert: (r) => expect(r.findings.find((f) => f.rule === 'node-role-policies')?.message).toMatch(/AmazonS3FullAccess.*inline policy artifacts/) } },
    { name: 'administrator access on a Karpenter node role', k8s: nodeClass('default', ''), aws: [attachedPolicies('karpenter-node', [...baseline, { name: 'AdministratorAccess' }])], expect: { failing: ['node-role-policies'], assert: (r) => expect(r.failSeverity).toBe('high') } },
  ],
  other: [
    { name: 'node role policies not collected: not evaluated on that role', aws: [ng, attachedPolicies('other-role', baseline)], expect: { status: 'error', assert: (r) => { expectUnevaluated(r, 'node-role-policies', /node-role/); expect(r.findings.find((f) => f.status === 'error')?.resource.name).toBe('node-role'); } } },
    {
      name: 'partial evidence: administrator access on one role fails although another role\'s policies were not read',
      k8s: nodeClass('default', ''), aws: [ng, attachedPolicies('karpenter-node', [...baseline, { name: 'AdministratorAccess' }])],
      expect: { status: 'fail', failing: ['node-role-policies'], assert: (r) => expectUnevaluated(r, 'node-role-policies', /node-role/) },
    },
    { name: 'no node role (Fargate only): not applicable', aws: [describeCluster(), attachedPolicies('x', [])], awsCalls: { 'eks:DescribeNodegroup': 'collected' }, expect: { status: 'not-applicable' } },
    { name: 'no node role found and node groups not described: not evaluated', aws: [describeCluster(), attachedPolicies('x', [])], expect: { status: 'error', message: /eks:DescribeNodegroup/ } },
  ],
});

// ---------------------------------------------------------------------------------------------
// P1-IAM-09 service-account token automount

const saYaml = (ns: string, name: string, automount?: boolean) => `---\napiVersion: v1\nkind: ServiceAccount\nmetadata: { name: ${name}, namespace: ${ns} }\n${automount === undefined ? '' : `automountServiceAccountToken: ${automount}\n`}`;
const podYaml = (ns: string, name: string, sa?: string, automount?: boolean) => `---\napiVersion: v1\nkind: Pod\nmetadata: { name: ${name}, namespace: ${ns} }\nspec: { ${sa ? `serviceAccountName: ${sa}, ` : ''}${automount === undefined ? '' : `automountServiceAccountToken: ${automount}, `}containers: [{ name: c, image: x:1 }] }\n`;
const rbBinding = (ns: string, sa: string) => `---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: { name: ${sa}, namespace: ${ns} }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${sa} }\nsubjects: [{ kind: ServiceAccount, name: ${sa}, namespace: ${ns} }]\n`;

testControl(P1_IAM_09, {
  valid: [
    { name: 'default SA opts out; pod inherits it', k8s: saYaml('shop', 'default', false) + podYaml('shop', 'web'), expect: { passing: ['automount-sa-token'] } },
    { name: 'a pod that uses the API mounts the token of its bound SA', k8s: saYaml('shop', 'default', false) + saYaml('shop', 'operator') + podYaml('shop', 'op', 'operator') + rbBinding('shop', 'operator'), kinds: { 'rbac.authorization.k8s.io/ClusterRoleBinding': 'collected' } },
    { name: 'the pod setting overrides its service account\'s', k8s: saYaml('shop', 'default', false) + saYaml('shop', 'api', true) + podYaml('shop', 'api', 'api', false) },
  ],
  invalid: [
    { name: 'default SA mounts tokens (not set)', k8s: saYaml('legacy', 'default') + podYaml('legacy', 'debug'), expect: { failing: ['automount-sa-token'], assert: (r) => expect(r.findings.filter((f) => f.status === 'fail').map((f) => f.resource.kind).sort()).toEqual(['Pod', 'ServiceAccount']) } },
    { name: 'pod sets true over an opted-out SA that no binding grants', k8s: saYaml('shop', 'default', false) + saYaml('shop', 'api', false) + podYaml('shop', 'api', 'api', true), kinds: { 'rbac.authorization.k8s.io/ClusterRoleBinding': 'collected', 'rbac.authorization.k8s.io/RoleBinding': 'collected' }, expect: { failing: ['automount-sa-token'], assert: (r) => expect(r.findings.find((f) => f.status === 'fail')?.message).toMatch(/no binding grants/) } },
    {
      name: 'partial evidence: the default SA fails although RBAC was not read',
      k8s: saYaml('legacy', 'default') + podYaml('shop', 'api', 'api', true) + saYaml('shop', 'default', false), complete: false,
      expect: { failing: ['automount-sa-token'], assert: (r) => expectUnevaluated(r, 'automount-sa-token', /whether RBAC grants api anything was not read/) },
    },
  ],
  other: [
    {
      name: 'RBAC unknown: a pod mounting a named service account\'s token is not evaluated, never failed',
      k8s: saYaml('shop', 'default', false) + podYaml('shop', 'api', 'api', true), complete: false,
      expect: { status: 'error', notFailing: ['automount-sa-token'], assert: (r) => expectUnevaluated(r, 'automount-sa-token', /RoleBindings and ClusterRoleBindings/) },
    },
    {
      name: 'a grant to a service account written as a User subject (system:serviceaccount:ns:name) counts',
      k8s: saYaml('shop', 'default', false) + saYaml('shop', 'op') + podYaml('shop', 'op', 'op') + '---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: op }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }\nsubjects: [{ kind: User, apiGroup: rbac.authorization.k8s.io, name: "system:serviceaccount:shop:op" }]\n',
      kinds: { 'rbac.authorization.k8s.io/RoleBinding': 'collected' },
      expect: { status: 'pass', assert: (r) => expect(r.findings.find((f) => f.resource.name === 'op' && f.resource.kind === 'Pod')?.message).toMatch(/RBAC grants permissions/) },
    },
    {
      name: 'a pod on a default SA that a binding grants something still fails (the grant is a finding, not a need)',
      k8s: saYaml('legacy', 'default', true) + podYaml('legacy', 'billing') + rbBinding('legacy', 'default'), kinds: { 'rbac.authorization.k8s.io/ClusterRoleBinding': 'collected' },
      expect: { status: 'fail', failing: ['automount-sa-token'], assert: (r) => expect(r.findings.find((f) => f.resource.kind === 'Pod')?.message).toMatch(/dedicated service account/) },
    },
    {
      name: 'ServiceAccounts not in the input: error, the pod not evaluated (its service account\'s setting decides)',
      k8s: podYaml('shop', 'web'), complete: false,
      expect: { status: 'error', message: /ServiceAccounts/, assert: (r) => expectUnevaluated(r, 'automount-sa-token', /ServiceAccount default was not read/) },
    },
    { name: 'kube-system default SA is reported as a system finding', k8s: saYaml('kube-system', 'default') + saYaml('shop', 'default', false), expect: { status: 'pass', assert: (r) => expect(r.systemCounts.fail).toBe(1) } },
  ],
});

// ---------------------------------------------------------------------------------------------
// P1-INV-01 inventory

const regions = fact('ec2', 'DescribeRegions', { Regions: [
  { RegionName: 'eu-west-1', Endpoint: 'ec2.eu-west-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
  { RegionName: 'us-east-1', Endpoint: 'ec2.us-east-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
  { RegionName: 'af-south-1', Endpoint: 'ec2.af-south-1.amazonaws.com', OptInStatus: 'not-opted-in' },
] });
const list = (region: string, clusters: string[]) => fact('eks', 'ListClusters', { clusters }, {}, region);

testControl(P1_INV_01, {
  valid: [
    { name: 'every enabled region listed; no knownClusters: everything found is inventoried', aws: [regions, list('eu-west-1', ['acme-prod', 'acme-staging']), list('us-east-1', [])], expect: { passing: ['cluster-inventory'], assert: (r) => { expect(r.findings).toHaveLength(2); expect(r.notes.join(' ')).toMatch(/none in us-east-1/); } } },
    { name: 'all clusters known (names and ARN globs)', aws: [regions, list('eu-west-1', ['acme-prod', 'acme-staging']), list('us-east-1', ['acme-dr'])], config: { knownClusters: ['acme-prod', `arn:aws:eks:*:${ACCOUNT}:cluster/acme-staging`, 'acme-dr'] }, expect: { passing: ['cluster-inventory', 'known-cluster-found'] } },
    {
      name: 'a known cluster that no longer exists is a warning (a stale inventory entry)',
      aws: [regions, list('eu-west-1', ['acme-prod']), list('us-east-1', [])], config: { knownClusters: ['acme-prod', 'acme-old'] },
      expect: { passing: ['cluster-inventory'], assert: (r) => { expectWarning(r, 'known-cluster-found'); expect(r.failSeverity).toBeUndefined(); } },
    },
  ],
  invalid: [
    { name: 'an unknown cluster in another region', aws: [regions, list('eu-west-1', ['acme-prod']), list('us-east-1', ['shadow-poc'])], config: { knownClusters: ['acme-prod'] }, expect: { failing: ['cluster-inventory'], assert: (r) => expect(r.findings.find((f) => f.status === 'fail')?.resource).toMatchObject({ name: 'shadow-poc', region: 'us-east-1', arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/shadow-poc` }) } },
    {
      name: 'partial evidence: an unknown cluster fails although another region was not listed',
      aws: [regions, list('eu-west-1', ['shadow-poc'])], config: { knownClusters: ['acme-prod'] },
      expect: { failing: ['cluster-inventory'], assert: (r) => { expectUnevaluated(r, 'cluster-inventory', /us-east-1/); expectUnevaluated(r, 'known-cluster-found', /acme-prod was not found, but clusters were not listed in us-east-1/); } },
    },
  ],
  other: [
    { name: 'a region without ListClusters evidence: error, the rest still reported', aws: [regions, list('eu-west-1', ['acme-prod'])], expect: { status: 'error', message: /us-east-1/, assert: (r) => expect(r.findings).toHaveLength(1) } },
    { name: 'no clusters anywhere: not applicable', aws: [regions, list('eu-west-1', []), list('us-east-1', [])], expect: { status: 'not-applicable' } },
    { name: 'DescribeRegions denied: error', aws: [list('eu-west-1', ['acme-prod'])], awsCalls: { 'ec2:DescribeRegions': 'denied' }, expect: { status: 'error' } },
  ],
});

// ---------------------------------------------------------------------------------------------
// Corpus: service-account token automount cases of kubescape/regolibrary and polaris.

const CORPUS = '/work/shared/corpus';
describe.skipIf(!existsSync(CORPUS))('P1-IAM-09 against the corpus', () => {
  const verdicts = async (path: string) => {
    const snap = await collectFiles([path], { toolVersion: 'test', completeInventory: false });
    const r = runCase(P1_IAM_09, { name: path, k8s: snap.kubernetes.objects, complete: false });
    return Object.fromEntries(r.findings.map((f) => [`${f.resource.kind}/${f.resource.name}`, f.status]));
  };
  it('kubescape automount cases: the pod setting wins over the service account\'s', async () => {
    const dir = `${CORPUS}/kubescape-regolibrary/automount-service-account`;
    const got: Record<string, Record<string, string>> = {};
    for (const c of readdirSync(dir).sort()) got[c] = await verdicts(join(dir, c));
    expect(got).toEqual({
      'case-01': { 'Deployment/test-deploy': 'pass' }, // pod false, SA false
      'case-02': { 'ServiceAccount/default': 'fail', 'Pod/test-pd': 'fail' }, // both true
      'case-03': { 'Deployment/test-deploy': 'pass' }, // pod false overrides SA true
      'case-04': { 'ServiceAccount/default': 'pass', 'Pod/test-pd': 'fail' }, // pod true overrides SA false
      'case-05': { 'ServiceAccount/default': 'fail', 'Pod/test-pd': 'fail' }, // neither set: mounted
      // A pod asking for the token of a named service account needs it unless RBAC grants that account nothing; the
      // manifests carry no RBAC, so those are not evaluated (an error naming the bindings), where kubescape flags every mount.
      'case-06': { 'Deployment/test-deploy': 'error' }, // pod true overrides SA false
      'case-07': { 'Deployment/test-deploy': 'error' },
      'case-08': { 'ServiceAccount/default': 'fail', 'Pod/test-pd': 'pass' },
      'case-09': { 'CronJob/test-cron': 'error' },
    });
  });
  it('polaris automount cases (ServiceAccount without namespace = default)', async () => {
    const dir = `${CORPUS}/polaris/automountServiceAccountToken`;
    const got: Record<string, string | undefined> = {};
    for (const c of readdirSync(dir).sort()) got[c] = (await verdicts(join(dir, c)))['Pod/test-pod'];
    expect(got).toEqual({
      // 03-05: a named service account's token with no RBAC in the input: not evaluated (polaris flags every mount).
      'case-01.yaml': 'pass', 'case-02.yaml': 'pass', 'case-03.yaml': 'error', 'case-04.yaml': 'error',
      'case-05.yaml': 'error', 'case-06.yaml': 'pass', 'case-08.yaml': 'pass',
      'case-07.yaml': 'pass', // a Pod alone that opts out: judged on its own (the control is still an error: no ServiceAccounts)
    });
  });
});

describe('Part 1 in the built-in demo', () => {
  it('access review attested, break-glass waived, too many admins, creator still admin, inventory complete', () => {
    const now = new Date('2026-11-26T12:00:00Z');
    const { waivers, attestations } = demoPolicies(now);
    const run = evaluate(demoSnapshot('test', now), catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now, sections: ['P1'], waivers, attestations });
    const by = Object.fromEntries(run.controls.map((c) => [c.id, c]));
    expect(by['P1-IAM-01']!.status).toBe('pass');
    expect(by['P1-IAM-02']!.status).toBe('manual');
    expect(by['P1-IAM-02']!.counts.waived).toBe(1);
    expect(by['P1-IAM-03']!.status).toBe('fail');
    expect(by['P1-IAM-03']!.findings.find((f) => f.resource.kind === 'AWS::EKS::Cluster')?.message).toMatch(/^5 cluster-admin principals/);
    expect(by['P1-IAM-04']!.findings.map((f) => `${f.status}:${f.resource.name}`)).toEqual([`fail:arn:aws:iam::${ACCOUNT}:role/acme-platform-terraform`]);
    expect(by['P1-IAM-05']!.status).toBe('pass');
    expect(by['P1-IAM-08']!.findings.filter((f) => f.status === 'warn').map((f) => f.rule)).toEqual(['cni-policy-on-node-role', 'cni-policy-on-node-role']);
    expect(by['P1-IAM-07']!.status).toBe('fail');
    expect(by['P1-IAM-09']!.findings.filter((f) => f.status === 'fail' && !f.system).map((f) => `${f.resource.namespace}/${f.resource.name}`)).toEqual(expect.arrayContaining(['legacy/default', 'legacy/billing-monolith', 'legacy/debug-shell']));
    expect(by['P1-INV-01']!.status).toBe('pass');
    expect(by['P1-INV-01']!.findings.map((f) => f.resource.name).sort()).toEqual(['acme-dr', 'acme-prod', 'acme-staging']);
    for (const c of run.controls) expect(c.status, `${c.id}: ${c.message}`).not.toBe('error');
  });
});

// ---------------------------------------------------------------------------------------------
// issue 13 defects

describe('issue 13: Part 1 verdicts follow the evidence that was read', () => {
  it('P1-IAM-09 in a loose set of manifests: a grant in the input counts, "no binding grants it" needs every binding', () => {
    const k8s = saYaml('shop', 'default', false) + saYaml('shop', 'api') + saYaml('shop', 'op') + podYaml('shop', 'api', 'api') + podYaml('shop', 'op', 'op') + rbBinding('shop', 'op');
    const r = runCase(P1_IAM_09, { name: 'chart', k8s, complete: false });
    expect(r.findings.find((f) => f.resource.kind === 'Pod' && f.resource.name === 'op')?.status).toBe('pass');
    expect(r.findings.find((f) => f.resource.kind === 'Pod' && f.resource.name === 'api')?.status).toBe('error');
    expect(r.status).toBe('error');
  });

  it('classifies every rule of P1-IAM-07, -08, -09 and P1-INV-01', () => {
    for (const c of [P1_IAM_07, P1_IAM_08, P1_IAM_09, P1_INV_01]) expectClassified(c);
  });

  it('P1-IAM-07: a node that DescribeInstances does not return is not evaluated (error), never not-applicable', () => {
    const r = runCase(P1_IAM_07, { name: 'unmatched', k8s: node('n1', 'i-0aaa'), aws: [instances({ id: 'i-0bbb' })] });
    expect(r.status).toBe('error');
    expectUnevaluated(r, 'imds-v2', /i-0aaa.*DescribeInstances/);
    expect(r.findings.find((f) => f.status === 'error')?.resource.name).toBe('n1');
  });
});
