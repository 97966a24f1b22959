/**
 * Claims of absence need the whole inventory (DESIGN.md, Evidence.complete). Each case runs the same
 * input twice: as loose manifest files (a Helm chart in CI: `complete: false`) or AWS facts translated
 * from Terraform, where the rule that rests on "there is no X" is not evaluated; and as the whole
 * inventory (`--complete-inventory`, a live read, a bundle), where it passes or fails as before.
 */
import { describe, expect, it } from 'vitest';
import type { ControlDefinition, ControlResult } from '../../src/model/index.js';
import { defaultConfig } from '../../src/model/index.js';
import { evaluate } from '../../src/engine/index.js';
import { P1_IAM_02, P1_IAM_03, P1_IAM_04, P1_IAM_05 } from '../../src/catalog/part1.js';
import { CC5_IAM_03, CC5_IAM_05 } from '../../src/catalog/cc5.js';
import { makeSnapshot } from '../helpers/snapshot.js';
import type { SnapshotSpec } from '../helpers/snapshot.js';
import { NOW } from '../helpers/control-tester.js';
import { CLUSTER_ADMIN_POLICY_ARN, accessEntries, accountSummary, credentialReport, describeCluster, roleArn } from '../fixtures/cc5/aws.js';

/** Evaluate one control; `terraform` lists AWS operations whose facts come from a Terraform configuration. */
export function run(control: ControlDefinition, spec: SnapshotSpec & { terraform?: string[]; config?: Record<string, unknown> }): ControlResult {
  const snap = makeSnapshot(spec);
  for (const op of spec.terraform ?? []) snap.aws.calls[op] = { ...(snap.aws.calls[op] ?? { state: 'collected', count: 0 }), detail: 'terraform' };
  const config = defaultConfig();
  Object.assign(config, spec.config ?? {});
  return evaluate(snap, [control], { config, toolVersion: 'test', catalogVersion: 'test', now: new Date(NOW) }).controls[0]!;
}

const statusOf = (r: ControlResult, rule: string) => [...new Set(r.findings.filter((f) => f.rule === rule && !f.system).map((f) => f.status))].sort();
const unevaluated = (r: ControlResult, rule: string) => r.unevaluated.some((u) => u.rule === rule) || r.findings.some((f) => f.rule === rule && f.status === 'error');
const reason = (r: ControlResult, rule: string) => [...r.unevaluated.filter((u) => u.rule === rule).map((u) => u.reason), ...r.findings.filter((f) => f.rule === rule && f.status === 'error').map((f) => f.message)].join(' | ');

const crb = (name: string, role: string, subjects: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: "${name}" }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "${role}" }
subjects: ${subjects}
`;
const rb = (ns: string, name: string, roleKind: string, role: string, subjects: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: "${name}", namespace: ${ns} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ${roleKind}, name: "${role}" }
subjects: ${subjects}
`;
const cr = (name: string, rules: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: "${name}" }
rules: ${rules}
`;
const role = (ns: string, name: string, rules: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: "${name}", namespace: ${ns} }
rules: ${rules}
`;
const group = (n: string) => `[{ kind: Group, name: "${n}", apiGroup: rbac.authorization.k8s.io }]`;
const sa = (ns: string, n: string) => `[{ kind: ServiceAccount, name: ${n}, namespace: ${ns} }]`;
const awsAuthCm = (mapRoles: string) => `---
apiVersion: v1
kind: ConfigMap
metadata: { name: aws-auth, namespace: kube-system }
data:
  mapRoles: |
${mapRoles.split('\n').map((l) => `    ${l}`).join('\n')}
`;
const otherCm = '---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: app-config, namespace: shop }\ndata: { a: b }\n';

describe('RBAC: a binding whose role is not in the input', () => {
  // A chart ships a RoleBinding to a Role that lives elsewhere (or a ClusterRole the cluster has).
  const k8s = role('shop', 'reader', '[{ apiGroups: [""], resources: [pods], verbs: [get] }]') + rb('shop', 'deployer', 'Role', 'deployer-role', sa('shop', 'ci'))
    + cr('viewer', '[{ apiGroups: [""], resources: [pods], verbs: [get] }]') + crb('ops', 'ops-admin', group('ops'));
  it('loose files: not evaluated (the role may exist in the cluster), never "grants nothing"', () => {
    const r = run(CC5_IAM_03, { k8s, complete: false, aws: [describeCluster(), ...accessEntries([])] });
    const deployer = r.findings.filter((f) => f.resource.name === 'deployer' && f.rule === 'cluster-admin-binding');
    expect(deployer.map((f) => f.status)).toEqual(['error']);
    expect(deployer[0]!.message).toMatch(/may not hold every Role of the cluster/);
    expect(r.findings.find((f) => f.resource.name === 'ops' && f.rule === 'cluster-admin-binding')?.status).toBe('error');
    expect(r.findings.some((f) => /grants nothing/.test(f.message))).toBe(false);
  });
  it('whole inventory: the role does not exist, the binding grants nothing (pass)', () => {
    const r = run(CC5_IAM_03, { k8s, aws: [describeCluster(), ...accessEntries([])] });
    const deployer = r.findings.find((f) => f.resource.name === 'deployer' && f.rule === 'cluster-admin-binding');
    expect(deployer).toMatchObject({ status: 'pass' });
    expect(deployer!.message).toMatch(/grants nothing/);
  });
});

describe('RBAC: a ClusterRole judged at namespace scope because no ClusterRoleBinding uses it', () => {
  // Secrets read everywhere when bound cluster-wide; only in the namespace of its RoleBinding otherwise.
  const k8s = cr('secret-reader', '[{ apiGroups: [""], resources: [secrets], verbs: [get, list] }]') + rb('shop', 'read-secrets', 'ClusterRole', 'secret-reader', group('shop-devs'));
  const rules = (r: ControlResult) => r.findings.filter((f) => f.resource.name === 'secret-reader' && f.status !== 'pass').map((f) => f.rule).sort();
  it('loose files: judged as cluster-wide (a ClusterRoleBinding outside the input may bind it)', () => {
    const r = run(CC5_IAM_03, { k8s, complete: false, aws: [describeCluster(), ...accessEntries([])] });
    expect(rules(r)).toContain('rbac-secrets-read');
  });
  it('whole inventory: judged in the namespace of its RoleBinding', () => {
    const r = run(CC5_IAM_03, { k8s, aws: [describeCluster(), ...accessEntries([])] });
    expect(rules(r)).not.toContain('rbac-secrets-read');
    expect(rules(r)).toContain('rbac-secrets-read-namespaced');
  });
});

describe('cluster-admin-count: "no other admin" needs every source', () => {
  const k8s = cr('cluster-admin', '[{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]') + crb('ops-admin', 'cluster-admin', group('ops')) + rb('shop', 'x', 'ClusterRole', 'view', group('devs'))
    + role('shop', 'r', '[]');
  for (const control of [P1_IAM_03, CC5_IAM_03]) {
    it(`${control.id}: loose files: not evaluated, with what was not read as a whole`, () => {
      const r = run(control, { k8s, complete: false, aws: [describeCluster(), ...accessEntries([])] });
      expect(unevaluated(r, 'cluster-admin-count')).toBe(true);
      expect(reason(r, 'cluster-admin-count')).toMatch(/ClusterRoleBindings \(only those in the input/);
      expect(statusOf(r, 'cluster-admin-count')).not.toContain('pass');
    });
    it(`${control.id}: whole inventory: 1 principal, within the threshold (pass)`, () => {
      const r = run(control, { k8s, aws: [describeCluster(), ...accessEntries([])] });
      expect(statusOf(r, 'cluster-admin-count')).toEqual(['pass']);
    });
    it(`${control.id}: access entries from Terraform: not evaluated; from the API: pass`, () => {
      const r = run(control, { k8s, aws: [describeCluster(), ...accessEntries([])], terraform: ['eks:ListAccessEntries'] });
      expect(unevaluated(r, 'cluster-admin-count')).toBe(true);
      expect(reason(r, 'cluster-admin-count')).toMatch(/access entries/);
    });
  }
  it('above the threshold it fails on what was read, even from loose files', () => {
    const many = k8s + crb('a2', 'cluster-admin', group('a2')) + crb('a3', 'cluster-admin', group('a3')) + crb('a4', 'cluster-admin', group('a4'));
    const r = run(P1_IAM_03, { k8s: many, complete: false, aws: [describeCluster(), ...accessEntries([])] });
    expect(statusOf(r, 'cluster-admin-count')).toEqual(['fail']);
  });
  it('CONFIG_MAP mode: an aws-auth ConfigMap in the loose files is all there is of it', () => {
    const aws = [describeCluster({ accessConfig: { authenticationMode: 'CONFIG_MAP' } })];
    const cm = awsAuthCm(`- rolearn: ${roleArn('breakglass')}\n  username: breakglass\n  groups: [system:masters]`);
    const without = run(P1_IAM_03, { k8s: k8s + otherCm, complete: false, aws });
    expect(reason(without, 'cluster-admin-count')).toMatch(/aws-auth ConfigMap .*not in the input/);
    const withIt = run(P1_IAM_03, { k8s: k8s + cm, complete: false, aws });
    expect(reason(withIt, 'cluster-admin-count')).not.toMatch(/aws-auth/);
  });
});

describe('P1-IAM-02: "no aws-auth ConfigMap" needs every ConfigMap', () => {
  it('loose files without aws-auth: not evaluated (error), not "nothing is mapped"', () => {
    const r = run(P1_IAM_02, { k8s: otherCm, complete: false });
    expect(r.status).toBe('error');
    expect(reason(r, 'aws-auth-masters')).toMatch(/may not hold every ConfigMap/);
  });
  it('whole inventory without aws-auth: not applicable', () => {
    expect(run(P1_IAM_02, { k8s: otherCm }).status).toBe('not-applicable');
  });
});

describe('P1-IAM-04: "the creator\'s entry is gone" needs every access entry', () => {
  const aws = [describeCluster({ accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true } }), ...accessEntries([{ principalArn: roleArn('later'), policies: [{ arn: CLUSTER_ADMIN_POLICY_ARN }], createdAt: '2025-06-01T00:00:00.000Z' }])];
  it('entries declared by Terraform: not evaluated', () => {
    const r = run(P1_IAM_04, { aws, terraform: ['eks:ListAccessEntries'] });
    expect(r.status).toBe('error');
    expect(reason(r, 'creator-admin')).toMatch(/holds only the access entries it declares/);
  });
  it('entries listed from the API: pass', () => {
    expect(run(P1_IAM_04, { aws }).status).toBe('pass');
  });
});

describe('P1-IAM-05: "no binding names system:anonymous" needs every binding', () => {
  const k8s = crb('devs', 'view', group('devs')) + rb('shop', 'devs', 'ClusterRole', 'view', group('devs'));
  it('loose files: not evaluated', () => {
    const r = run(P1_IAM_05, { k8s, complete: false });
    expect(r.status).toBe('error');
    expect(reason(r, 'rbac-anonymous')).toMatch(/may not hold every ClusterRoleBinding and RoleBinding/);
  });
  it('whole inventory: pass', () => {
    expect(run(P1_IAM_05, { k8s }).status).toBe('pass');
  });
  it('loose files with an anonymous binding: still judged (fail)', () => {
    const r = run(P1_IAM_05, { k8s: k8s + crb('anon', 'edit', group('system:anonymous')), complete: false });
    expect(r.status).toBe('fail');
  });
});

describe('CC5-IAM-05: "no IAM user is mapped" needs every access entry', () => {
  const aws = [describeCluster(), accountSummary(1), credentialReport([{ user: '<root_account>', mfa: true }]), ...accessEntries([{ principalArn: roleArn('dev') }])];
  const k8s = awsAuthCm(`- rolearn: ${roleArn('node')}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups: [system:nodes]`);
  it('access entries from Terraform: iam-user-in-cluster not evaluated', () => {
    const r = run(CC5_IAM_05, { k8s, aws, terraform: ['eks:ListAccessEntries'] });
    expect(unevaluated(r, 'iam-user-in-cluster')).toBe(true);
    expect(reason(r, 'iam-user-in-cluster')).toMatch(/every access entry/);
  });
  it('access entries from the API: pass', () => {
    const r = run(CC5_IAM_05, { k8s, aws });
    expect(statusOf(r, 'iam-user-in-cluster')).toEqual(['pass']);
  });
});
