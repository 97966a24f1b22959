/**
 * Claims of absence need the whole inventory (DESIGN.md, Evidence.complete). Each case runs the same
 * input twice: as loose manifest files (a Helm chart in CI: `complete: false`) or AWS facts translated
 * from Terraform, where the rule that rests on "there is no X" is not evaluated; and as the whole
 * inventory (`--complete-inventory`, a live read, a bundle), where it passes or fails as before.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFiles } from '../../src/collectors/files/read.js';
import type { ControlDefinition, ControlResult } from '../../src/model/index.js';
import { defaultConfig } from '../../src/model/index.js';
import { evaluate } from '../helpers/evaluate-expanded.js';
import { P1_IAM_02, P1_IAM_03, P1_IAM_04, P1_IAM_05 } from '../../src/catalog/part1.js';
import { CC5_IAM_03, CC5_IAM_05 } from '../../src/catalog/cc5.js';
import { CC4_MON_01, CC4_MON_02, CC4_MON_03, CC4_MON_04, CC4_MON_05, CC4_SEC_01, CC4_SEC_02 } from '../../src/catalog/cc4.js';
import { CC3_IMG_03, CC3_IMG_04, CC3_RA_01, CC3_RA_02, CC3_RA_03, CC3_RA_04 } from '../../src/catalog/cc3.js';
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

describe('RBAC: acting as a namespace\'s service accounts is escalation only if none holds cluster-wide power', () => {
  // A deployer in kube-system can run pods as any of its service accounts; whether one of them is cluster-admin
  // depends on ClusterRoleBindings that a chart of the application does not hold.
  const k8s = role('kube-system', 'deployer', '[{ apiGroups: [apps], resources: [deployments], verbs: [create, update] }]') + rb('kube-system', 'ci-deployer', 'Role', 'deployer', group('ci'));
  const esc = (r: ControlResult) => r.findings.find((f) => f.resource.name === 'ci-deployer' && f.rule === 'rbac-privilege-escalation');
  it('loose files: not evaluated on the binding, never a pass', () => {
    const r = run(CC5_IAM_03, { k8s, complete: false, aws: [describeCluster(), ...accessEntries([])] });
    expect(esc(r)?.status).toBe('error');
    expect(esc(r)?.message).toMatch(/whether one of them holds cluster-wide power is not known: the input may not hold every ClusterRoleBinding/);
  });
  it('whole inventory, no powerful service account: pass', () => {
    expect(esc(run(CC5_IAM_03, { k8s, aws: [describeCluster(), ...accessEntries([])] }))?.status).toBe('pass');
  });
  it('a ClusterRoleBinding in the input makes a kube-system account cluster-admin: fail, even from loose files', () => {
    const r = run(CC5_IAM_03, { k8s: k8s + crb('ctrl', 'cluster-admin', sa('kube-system', 'controller')), complete: false, aws: [describeCluster(), ...accessEntries([])] });
    expect(esc(r)?.status).toBe('fail');
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
  it('loose files: each binding in the input is still judged on its own (a passing finding per binding)', () => {
    const r = run(P1_IAM_05, { k8s, complete: false });
    const judged = r.findings.filter((f) => f.rule === 'rbac-anonymous' && f.status === 'pass').map((f) => `${f.resource.kind}/${f.resource.name}`).sort();
    expect(judged).toEqual(['ClusterRoleBinding/devs', 'RoleBinding/devs']);
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

// ───────────────────────────── CC3 ─────────────────────────────

const daysAgo = (d: number) => new Date(Date.parse(NOW) - d * 86_400_000).toISOString();
const awsFact = (service: string, operation: string, output: Record<string, unknown>) => ({ service, operation, region: 'eu-west-1', accountId: '111122223333', output: output as never });
const ns = (name: string) => `---\napiVersion: v1\nkind: Namespace\nmetadata: { name: ${name}, labels: { kubernetes.io/metadata.name: ${name} } }\n`;
const deployment = (namespace: string, name: string, image: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${namespace}, uid: uid-${name} }
spec: { replicas: 1, selector: { matchLabels: { app: ${name} } }, template: { metadata: { labels: { app: ${name} } }, spec: { containers: [{ name: app, image: "${image}" }] } } }
status: { replicas: 1, availableReplicas: 1 }
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: ${name}-5d8f7c9b4, namespace: ${namespace}, uid: uid-${name}-rs, creationTimestamp: "${daysAgo(3)}", ownerReferences: [{ apiVersion: apps/v1, kind: Deployment, name: ${name}, uid: uid-${name}, controller: true }] }
spec: { replicas: 1, selector: { matchLabels: { app: ${name} } }, template: { metadata: { labels: { app: ${name} } }, spec: { containers: [{ name: app, image: "${image}" }] } } }
`;
const vulnReport = (namespace: string, rs: string, opts: { created?: string; crits?: { id: string; published?: string }[] } = {}) => `---
apiVersion: aquasecurity.github.io/v1alpha1
kind: VulnerabilityReport
metadata:
  name: replicaset-${rs}-app
  namespace: ${namespace}
  creationTimestamp: "${opts.created ?? daysAgo(1)}"
  labels: { trivy-operator.resource.kind: ReplicaSet, trivy-operator.resource.name: ${rs}, trivy-operator.resource.namespace: ${namespace}, trivy-operator.container.name: app }
report:
  artifact: { repository: library/nginx, tag: "1.27" }
  registry: { server: index.docker.io }
  summary: { criticalCount: ${opts.crits?.length ?? 0}, highCount: 0, mediumCount: 0, lowCount: 0, unknownCount: 0 }
  updateTimestamp: "${opts.created ?? daysAgo(1)}"
  vulnerabilities: [${(opts.crits ?? []).map((c) => `{ vulnerabilityID: ${c.id}, severity: CRITICAL, resource: openssl, installedVersion: "3.0.14", title: t${c.published ? `, publishedDate: "${c.published}"` : ''} }`).join(', ')}]
`;

describe('CC3-RA-01: a stale kube-bench run fails only when no recent run can be elsewhere', () => {
  const staleJob = `---
apiVersion: batch/v1
kind: Job
metadata: { name: kube-bench, namespace: default }
spec: { template: { spec: { containers: [{ name: kube-bench, image: aquasec/kube-bench:v0.9.0, command: [kube-bench, run, --benchmark, eks-1.8.0] }] } } }
status: { succeeded: 1, completionTime: "${daysAgo(200)}" }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: backup, namespace: default }
spec: { schedule: "0 1 * * *", jobTemplate: { spec: { template: { spec: { containers: [{ name: b, image: busybox:1 }] } } } } }
`;
  it('loose files: recent-run and recurring-schedule not evaluated', () => {
    const r = run(CC3_RA_01, { k8s: staleJob, complete: false });
    expect(statusOf(r, 'recent-run')).toEqual(['error']);
    expect(reason(r, 'recent-run')).toMatch(/may not hold every kube-bench Job and CronJob/);
    expect(unevaluated(r, 'recurring-schedule')).toBe(true);
    expect(statusOf(r, 'recurring-schedule')).toEqual([]);
  });
  it('whole inventory: recent-run fails, recurring-schedule warns', () => {
    const r = run(CC3_RA_01, { k8s: staleJob });
    expect(statusOf(r, 'recent-run')).toEqual(['fail']);
    expect(statusOf(r, 'recurring-schedule')).toEqual(['warn']);
  });
});

describe('CC3-RA-02: "filters cover every repository" needs every repository', () => {
  const aws = [
    awsFact('ecr', 'GetRegistryScanningConfiguration', { registryId: '111122223333', scanningConfiguration: { scanType: 'BASIC', rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'team-*', filterType: 'WILDCARD' }] }] } }),
    awsFact('ecr', 'DescribeRepositories', { repositories: [{ repositoryName: 'team-api', registryId: '111122223333' }] }),
    awsFact('ecr', 'GetAccountSetting', { name: 'BASIC_SCAN_TYPE_VERSION', value: 'AWS_NATIVE' }),
  ];
  it('repositories declared by Terraform: not evaluated', () => {
    const r = run(CC3_RA_02, { aws, terraform: ['ecr:DescribeRepositories'] });
    expect(r.status).toBe('error');
    expect(reason(r, 'registry-scan-rule')).toMatch(/holds only the repositories it declares/);
  });
  it('repositories listed from the account: pass', () => {
    expect(statusOf(run(CC3_RA_02, { aws }), 'registry-scan-rule')).toEqual(['pass']);
  });
  it('an uncovered repository fails whatever the source', () => {
    const more = [...aws.slice(0, 1), awsFact('ecr', 'DescribeRepositories', { repositories: [{ repositoryName: 'payments', registryId: '111122223333' }] }), aws[2]!];
    expect(statusOf(run(CC3_RA_02, { aws: more, terraform: ['ecr:DescribeRepositories'] }), 'registry-scan-rule')).toEqual(['fail']);
  });
});

describe('CC3-RA-03: no operator, no report', () => {
  // A chart of the application with one VulnerabilityReport: the operator and the other reports may be elsewhere.
  const k8s = deployment('shop', 'api', 'nginx:1.27') + vulnReport('shop', 'api-5d8f7c9b4') + deployment('shop', 'web', 'nginx:1.27');
  it('loose files: operator-available not evaluated; the workload without a report is not known either way', () => {
    const r = run(CC3_RA_03, { k8s, complete: false });
    expect(statusOf(r, 'operator-available')).toEqual([]);
    expect(reason(r, 'operator-available')).toMatch(/may not hold every Deployment/);
    expect(r.findings.find((f) => f.rule === 'workload-scanned' && f.resource.name === 'web')?.status).toBe('error');
    expect(r.findings.find((f) => f.rule === 'workload-scanned' && f.resource.name === 'api')?.status).toBe('pass');
    expect(statusOf(r, 'report-coverage')).toEqual([]);
    expect(r.status).toBe('error');
  });
  it('whole inventory: operator-available and report-coverage fail', () => {
    const r = run(CC3_RA_03, { k8s });
    expect(statusOf(r, 'operator-available')).toEqual(['fail']);
    expect(statusOf(r, 'report-coverage')).toEqual(['fail']);
    expect(r.findings.find((f) => f.rule === 'workload-scanned' && f.resource.name === 'web')?.status).toBe('warn');
  });
});

describe('CC3-RA-04: AWS Config from a Terraform configuration', () => {
  const aws = [
    awsFact('config', 'DescribeConfigurationRecorders', { ConfigurationRecorders: [] }),
    awsFact('config', 'DescribeConfigurationRecorderStatus', { ConfigurationRecordersStatus: [] }),
    awsFact('config', 'DescribeDeliveryChannels', { DeliveryChannels: [] }),
    awsFact('config', 'DescribeConfigRules', { ConfigRules: [] }),
  ];
  const ops = ['config:DescribeConfigurationRecorders', 'config:DescribeConfigurationRecorderStatus', 'config:DescribeDeliveryChannels', 'config:DescribeConfigRules'];
  it('nothing declared: every absence rule is not evaluated', () => {
    const r = run(CC3_RA_04, { aws, terraform: ops });
    expect(r.status).toBe('error');
    for (const rule of ['recorder-recording', 'delivery-channel', 'eks-rules']) {
      expect(unevaluated(r, rule), rule).toBe(true);
      expect(statusOf(r, rule), rule).toEqual([]);
    }
  });
  it('the account says none: fail', () => {
    const r = run(CC3_RA_04, { aws });
    for (const rule of ['recorder-recording', 'delivery-channel', 'eks-rules']) expect(statusOf(r, rule), rule).toEqual(['fail']);
  });
});

describe('CC3-IMG-03: no image policy, no webhook', () => {
  const kyvernoPolicy = `---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: { name: verify-images }
spec:
  webhookConfiguration: { failurePolicy: Fail }
  rules:
    - name: verify
      match: { any: [ { resources: { kinds: [Pod] } } ] }
      verifyImages: [ { type: Notary, failureAction: Enforce, imageReferences: ["*"], verifyDigest: true, attestors: [ { entries: [ { certificates: { cert: x } } ] } ] } ]
`;
  const otherHook = `---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: { name: cert-manager-webhook }
webhooks: [ { name: webhook.cert-manager.io, failurePolicy: Fail, clientConfig: { service: { name: cert-manager-webhook, namespace: cert-manager } } } ]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: { name: cert-manager-webhook }
webhooks: [ { name: webhook.cert-manager.io, failurePolicy: Fail, clientConfig: { service: { name: cert-manager-webhook, namespace: cert-manager } } } ]
`;
  it('loose files without a policy: image-policy-enforced and namespace-covered not evaluated', () => {
    const r = run(CC3_IMG_03, { k8s: ns('shop') + otherHook + '---\napiVersion: kyverno.io/v1\nkind: Policy\nmetadata: { name: other, namespace: shop }\nspec: { rules: [] }\n', complete: false });
    expect(statusOf(r, 'image-policy-enforced')).toEqual([]);
    expect(reason(r, 'image-policy-enforced')).toMatch(/may not hold every image policy/);
    expect(r.findings.find((f) => f.rule === 'namespace-covered' && f.resource.name === 'shop')?.status).toBe('error');
  });
  it('whole inventory without a policy: fail', () => {
    const r = run(CC3_IMG_03, { k8s: ns('shop') + otherHook });
    expect(statusOf(r, 'image-policy-enforced')).toEqual(['fail']);
    expect(statusOf(r, 'namespace-covered')).toEqual(['fail']);
  });
  it('loose files with an enforcing Kyverno policy and no Kyverno webhook: whether it is served is not known', () => {
    const r = run(CC3_IMG_03, { k8s: ns('shop') + otherHook + kyvernoPolicy, complete: false });
    expect(statusOf(r, 'image-policy-enforced')).toEqual([]);
    expect(reason(r, 'image-policy-enforced')).toMatch(/webhook configurations were not read as a whole/);
    expect(statusOf(r, 'webhook-fail-closed')).toEqual([]);
  });
  it('whole inventory with the policy and no Kyverno webhook: fail (nothing serves it)', () => {
    const r = run(CC3_IMG_03, { k8s: ns('shop') + otherHook + kyvernoPolicy });
    expect(statusOf(r, 'image-policy-enforced')).toEqual(['fail']);
    expect(statusOf(r, 'webhook-fail-closed')).toEqual(['fail']);
  });
});

describe('CC3-IMG-04: "no admission policy restricts registries" needs every policy', () => {
  const k8s = deployment('shop', 'api', '111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:1.2.3') + '---\napiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: { name: other }\nspec: { rules: [] }\n';
  it('loose files: registry-policy not evaluated', () => {
    const r = run(CC3_IMG_04, { k8s, complete: false });
    expect(statusOf(r, 'registry-policy')).toEqual([]);
    expect(reason(r, 'registry-policy')).toMatch(/not read as a whole inventory/);
  });
  it('whole inventory: a warning', () => {
    expect(statusOf(run(CC3_IMG_04, { k8s }), 'registry-policy')).toEqual(['warn']);
  });
});

// ───────────────────────────── CC4 ─────────────────────────────

const nodes = `---
apiVersion: v1
kind: Node
metadata: { name: ip-10-0-1-10.eu-west-1.compute.internal, labels: { kubernetes.io/os: linux } }
`;
const daemonSet = (namespace: string, name: string, labels = '') => `---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: ${name}, namespace: ${namespace}, uid: uid-${name}${labels ? `, labels: { ${labels} }` : ''} }
spec: { selector: { matchLabels: { app: ${name} } }, template: { metadata: { labels: { app: ${name} } }, spec: { containers: [{ name: ${name}, image: "x/${name}:1" }] } } }
status: { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1, numberAvailable: 1 }
`;
const CLUSTER_ID = { name: 'acme-prod', region: 'eu-west-1', accountId: '111122223333' };

describe('CC4-MON-05: "no Falco DaemonSet" needs every DaemonSet', () => {
  const k8s = nodes + daemonSet('kube-system', 'aws-node');
  it('loose files: falco-coverage not evaluated', () => {
    const r = run(CC4_MON_05, { k8s, complete: false });
    expect(r.status).toBe('error');
    expect(reason(r, 'falco-coverage')).toMatch(/may not hold every DaemonSet/);
  });
  it('whole inventory: fail', () => {
    expect(statusOf(run(CC4_MON_05, { k8s }), 'falco-coverage')).toEqual(['fail']);
  });
  it('a Falco DaemonSet with stdout only and no collector: alert-output not evaluated from loose files, fails on the whole inventory', () => {
    const falco = nodes + daemonSet('falco', 'falco', 'app.kubernetes.io/name: falco') + `---
apiVersion: v1
kind: ConfigMap
metadata: { name: falco, namespace: falco }
data:
  falco.yaml: |
    stdout_output:
      enabled: true
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec: { selector: {}, template: { spec: { containers: [{ name: w, image: "nginx:1" }] } } }
`;
    expect(statusOf(run(CC4_MON_05, { k8s: falco, complete: false }), 'alert-output')).toEqual([]);
    expect(reason(run(CC4_MON_05, { k8s: falco, complete: false }), 'alert-output')).toMatch(/may not hold every Deployment and DaemonSet/);
    expect(statusOf(run(CC4_MON_05, { k8s: falco }), 'alert-output')).toEqual(['fail']);
  });
});

describe('CC4-MON-04: "no CloudWatch agent" needs every DaemonSet and add-on', () => {
  const aws = [awsFact('eks', 'ListAddons', { addons: ['vpc-cni'] }), awsFact('cloudwatch', 'ListMetrics', { Metrics: [] })];
  const k8s = nodes + daemonSet('kube-system', 'aws-node');
  it('loose files: not evaluated', () => {
    const r = run(CC4_MON_04, { k8s, aws, complete: false, cluster: CLUSTER_ID });
    expect(statusOf(r, 'observability-agent')).toEqual([]);
    expect(reason(r, 'observability-agent')).toMatch(/DaemonSets \(the input may not hold every one/);
  });
  it('add-ons declared by Terraform: not evaluated', () => {
    const r = run(CC4_MON_04, { k8s, aws, terraform: ['eks:ListAddons'], cluster: CLUSTER_ID });
    expect(reason(r, 'observability-agent')).toMatch(/the add-ons \(the input holds only those it declares\)/);
  });
  it('whole inventory: fail', () => {
    expect(statusOf(run(CC4_MON_04, { k8s, aws, cluster: CLUSTER_ID }), 'observability-agent')).toEqual(['fail']);
  });
});

describe('CC4-SEC-01: GuardDuty absence', () => {
  const detectorsNone = awsFact('guardduty', 'ListDetectors', { DetectorIds: [] });
  it('no detector declared by Terraform: not evaluated; none in the account: fail', () => {
    const tf = run(CC4_SEC_01, { aws: [detectorsNone], terraform: ['guardduty:ListDetectors'], cluster: CLUSTER_ID });
    expect(statusOf(tf, 'detector-enabled')).toEqual([]);
    expect(reason(tf, 'detector-enabled')).toMatch(/holds only those it declares/);
    expect(statusOf(run(CC4_SEC_01, { aws: [detectorsNone], cluster: CLUSTER_ID }), 'detector-enabled')).toEqual(['fail']);
  });
  it('no agent DaemonSet in loose files: agent-coverage not evaluated; whole inventory: fail', () => {
    const aws = [awsFact('guardduty', 'ListDetectors', { DetectorIds: ['d1'] }), awsFact('guardduty', 'GetDetector', { Status: 'ENABLED', Features: [{ Name: 'RUNTIME_MONITORING', Status: 'ENABLED' }] }),
      awsFact('guardduty', 'ListCoverage', { Resources: [] }), awsFact('eks', 'DescribeAddon', {})];
    const k8s = nodes + daemonSet('kube-system', 'aws-node');
    const loose = run(CC4_SEC_01, { aws, k8s, complete: false, cluster: CLUSTER_ID });
    expect(statusOf(loose, 'agent-coverage')).toEqual([]);
    expect(reason(loose, 'agent-coverage')).toMatch(/apps\/DaemonSet were not read as a whole/);
    expect(statusOf(run(CC4_SEC_01, { aws, k8s, cluster: CLUSTER_ID }), 'agent-coverage')).toEqual(['fail']);
  });
});

describe('CC4 AWS absences from Terraform: trail (MON-02), log group (MON-01), flow log (MON-03), Security Hub (SEC-02)', () => {
  const cluster = awsFact('eks', 'DescribeCluster', { cluster: { name: 'acme-prod', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/acme-prod', logging: { clusterLogging: [{ types: ['audit'], enabled: true }] }, resourcesVpcConfig: { vpcId: 'vpc-1', subnetIds: ['subnet-a'] } } });
  const cases: [ControlDefinition, string, ReturnType<typeof awsFact>[], string[]][] = [
    [CC4_MON_02, 'multi-region-trail', [awsFact('cloudtrail', 'DescribeTrails', { trailList: [] })], ['cloudtrail:DescribeTrails']],
    [CC4_MON_01, 'log-group-retention', [cluster, awsFact('logs', 'DescribeLogGroups', { logGroups: [] })], ['logs:DescribeLogGroups']],
    [CC4_MON_03, 'flow-logs-enabled', [cluster, awsFact('ec2', 'DescribeFlowLogs', { FlowLogs: [] }), awsFact('ec2', 'DescribeVpcs', { Vpcs: [{ VpcId: 'vpc-1', OwnerId: '111122223333' }] })], ['ec2:DescribeFlowLogs']],
    [CC4_SEC_02, 'hub-enabled', [awsFact('securityhub', 'DescribeHub', {})], ['securityhub:DescribeHub']],
  ];
  for (const [control, rule, aws, ops] of cases) {
    it(`${control.id} ${rule}: not evaluated from Terraform, fails from the account`, () => {
      const tf = run(control, { aws, terraform: ops, cluster: CLUSTER_ID });
      expect(statusOf(tf, rule)).not.toContain('fail');
      expect(unevaluated(tf, rule)).toBe(true);
      expect(statusOf(run(control, { aws, cluster: CLUSTER_ID }), rule)).toEqual(['fail']);
    });
  }
});

describe('notes and attestation prompts say "in the input" when the inventory is not whole', () => {
  it('CC3-RA-03: a missing Trivy CRD is noted only when every CRD was read', () => {
    const op = `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: trivy-operator, namespace: trivy-system, labels: { app.kubernetes.io/name: trivy-operator } }
spec: { selector: {}, template: { spec: { containers: [{ name: op, image: "aquasec/trivy-operator:0.29.0" }] } } }
status: { replicas: 1, availableReplicas: 1 }
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: configauditreports.aquasecurity.github.io }
spec: { group: aquasecurity.github.io, names: { kind: ConfigAuditReport, plural: configauditreports }, scope: Namespaced }
`;
    expect(run(CC3_RA_03, { k8s: op, complete: false }).notes.join(' ')).not.toMatch(/CRD vulnerabilityreports.* is missing/);
    expect(run(CC3_RA_03, { k8s: op }).notes.join(' ')).toMatch(/CRD vulnerabilityreports.* is missing/);
  });
  it('CC4-MON-05: without the falco ConfigMap, the attestation prompt does not claim there is no falcosidekick', () => {
    const k8s = nodes + daemonSet('falco', 'falco', 'app.kubernetes.io/name: falco') + deployment('shop', 'web', 'nginx:1') + otherCm;
    expect(run(CC4_MON_05, { k8s, complete: false }).message).toMatch(/no falcosidekick in the input/);
    expect(run(CC4_MON_05, { k8s }).message).toMatch(/no falcosidekick,/);
  });
});

describe('CC4-MON-02: every trail in the input is single-region', () => {
  const aws = [awsFact('cloudtrail', 'DescribeTrails', { trailList: [{ Name: 'app', TrailARN: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/app', HomeRegion: 'eu-west-1', IsMultiRegionTrail: false, LogFileValidationEnabled: true }] })];
  it('trails declared by Terraform: the trail\'s problems are shown, the rule is not evaluated (another trail may log everything)', () => {
    const r = run(CC4_MON_02, { aws, terraform: ['cloudtrail:DescribeTrails'], cluster: CLUSTER_ID });
    const f = r.findings.find((x) => x.rule === 'multi-region-trail');
    expect(f?.status).toBe('error');
    expect(f?.message).toMatch(/single-region.*the input holds only the trails it declares/);
  });
  it('the account\'s trails: fail', () => {
    expect(statusOf(run(CC4_MON_02, { aws, cluster: CLUSTER_ID }), 'multi-region-trail')).toEqual(['fail']);
  });
});

const CORPUS = '/work/shared/corpus';
function corpusFiles(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) corpusFiles(p, out);
    else if (/\.(ya?ml|json)$/.test(f)) out.push(p);
  }
  return out;
}

describe.skipIf(!existsSync(CORPUS))('CC5-IAM-03 on every RBAC file of the corpus: each object gets a finding, loose or whole', () => {
  it('every Role, ClusterRole and binding is judged; a binding always on cluster-admin-binding; loose files never say "grants nothing"', async () => {
    const files = corpusFiles(CORPUS).filter((f) => /\bkind:\s*"?(Cluster)?Role(Binding)?"?\s*$|"kind":\s*"(Cluster)?Role(Binding)?"/m.test(readFileSync(f, 'utf8')));
    expect(files.length).toBeGreaterThan(10);
    const missing: string[] = [];
    let objects = 0;
    for (const complete of [false, true]) {
      for (const f of files) {
        const snap = await collectFiles([f], { toolVersion: 'test', ...(complete ? { completeInventory: true } : {}) });
        const rbac = snap.kubernetes.objects.filter((o) => /^(Cluster)?Role(Binding)?$/.test(o.kind) && o.apiVersion.startsWith('rbac.authorization.k8s.io/'));
        if (!rbac.length) continue;
        const c = evaluate(snap, [CC5_IAM_03], { config: defaultConfig(), toolVersion: 'test', catalogVersion: 'test', now: new Date(NOW) }).controls[0]!;
        for (const o of rbac) {
          objects++;
          const mine = c.findings.filter((x) => x.resource.kind === o.kind && x.resource.name === o.metadata.name);
          const where = `${complete ? 'whole' : 'loose'} ${f.slice(CORPUS.length + 1)} ${o.kind} ${o.metadata.name}`;
          if (!mine.length) missing.push(`${where}: no finding`);
          else if (o.kind.endsWith('Binding') && !mine.some((x) => x.rule === 'cluster-admin-binding')) missing.push(`${where}: no cluster-admin-binding finding`);
          if (!complete && mine.some((x) => /grants nothing/.test(x.message))) missing.push(`${where}: "grants nothing" from loose files`);
        }
      }
    }
    expect(objects).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  }, 120_000);
});
