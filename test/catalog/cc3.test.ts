import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AwsFact, ControlResult, JsonObject } from '../../src/model/index.js';
import { DEFAULT_THRESHOLDS, defaultConfig } from '../../src/model/index.js';
import {
  CC3_IMG_01, CC3_IMG_02, CC3_IMG_03, CC3_IMG_04, CC3_RA_01, CC3_RA_02, CC3_RA_03, CC3_RA_04, controls,
  eksBenchmarkAtLeast, kubeBenchFindings, tagVerdict,
} from '../../src/catalog/cc3.js';
import { digestFromImageId, ecrLocation, wildcardMatch } from '../../src/catalog/lib/scanners.js';
import { collectFiles } from '../../src/collectors/files/read.js';
import { demoPolicies, demoSnapshot } from '../../src/collectors/demo/index.js';
import { evaluate } from '../helpers/evaluate-expanded.js';
import { catalog } from '../../src/catalog/index.js';
import { runCase, testControl } from '../helpers/control-tester.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const fact = (service: string, operation: string, output: unknown, params?: unknown, region = REGION, accountId = ACCOUNT): AwsFact =>
  ({ service, operation, region, accountId, ...(params ? { params: params as JsonObject } : {}), output: output as JsonObject });
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/cc3', name), 'utf8');
/** The rules must have a `warn` finding (a failed recommended rule). */
const warns = (...rules: string[]) => (r: ControlResult) => {
  for (const rule of rules) expect(r.findings.some((f) => f.rule === rule && f.status === 'warn'), `expected a warning on ${rule}: ${r.message}`).toBe(true);
};
const daysAgo = (d: number) => new Date(Date.parse('2026-11-26T12:00:00Z') - d * 86_400_000).toISOString();
const CLUSTER = { name: 'acme-prod', region: REGION, accountId: ACCOUNT };
const ECR = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const D1 = 'sha256:4b5f0c4a1c0f3d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f';
const D2 = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';

// ───────────────────────── helpers ─────────────────────────

describe('CC3 helpers', () => {
  it('parses ECR registries from image URIs, including FIPS and China endpoints', () => {
    expect(ecrLocation(`${ECR}/team/api:1.2`)).toEqual({ accountId: ACCOUNT, region: REGION, repository: 'team/api' });
    expect(ecrLocation('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/x@sha256:ab')).toMatchObject({ region: 'us-gov-west-1', repository: 'x' });
    expect(ecrLocation('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/x:1')).toMatchObject({ region: 'cn-north-1' });
    expect(ecrLocation('public.ecr.aws/nginx/nginx:1.27')).toBeUndefined();
    expect(ecrLocation('nginx')).toBeUndefined();
  });
  it('reads digests from imageID in the formats runtimes report', () => {
    expect(digestFromImageId(`docker-pullable://${ECR}/api@${D1}`)).toBe(D1);
    expect(digestFromImageId(`${ECR}/api@${D1.toUpperCase().replace('SHA256', 'sha256')}`)).toBe(D1);
    expect(digestFromImageId('sha256:abcdef')).toBeUndefined();
    // As /^sha256:[0-9a-f]{64}$/i: any case (lowercased), exactly 64 hex digits to the end, after the last @.
    const hex = D1.slice(7);
    expect(digestFromImageId(`x@SHA256:${hex.toUpperCase()}`)).toBe(D1);
    expect(digestFromImageId(`x@ShA256:${hex}`)).toBe(D1);
    expect(digestFromImageId(`x@sha256:${hex}`)).toBe(D1);
    expect(digestFromImageId(`a@b@sha256:${hex}`)).toBe(D1);
    expect(digestFromImageId(`x@sha256:${hex}@y`)).toBeUndefined();
    for (const bad of [`sha256:${hex}`, `x@sha256:${hex}0`, `x@sha256:${hex.slice(1)}`, `x@sha256:${hex.slice(1)}g`, `x@sha256:${hex.slice(1)}G`, `x@sha256 ${hex}`,
      `x@sha255:${hex}`, `x@sha256\u001a${hex}`, `x@\u0013ha256:${hex}`, `x@sha256:${hex.slice(1)}\u00e9`, `x@sha256:${hex.slice(1)}/`, `x@sha256:${hex.slice(1)}:`, `x@sha256:${hex.slice(1)}@`, `x@sha256:${hex.slice(1)}\``]) {
      expect([bad, digestFromImageId(bad)]).toEqual([bad, undefined]);
    }
    expect(digestFromImageId(undefined)).toBeUndefined();
  });
  it('matches ECR wildcard filters literally except for *', () => {
    expect(wildcardMatch('*', 'anything/at/all')).toBe(true);
    expect(wildcardMatch('prod-*', 'prod-api')).toBe(true);
    expect(wildcardMatch('prod-*', 'dev-api')).toBe(false);
    expect(wildcardMatch('a.b', 'axb')).toBe(false);
  });
  it('compares EKS benchmark ids numerically', () => {
    expect(eksBenchmarkAtLeast('eks-1.8.0', [1, 5, 0])).toBe(true);
    expect(eksBenchmarkAtLeast('eks-1.10.0', [1, 5, 0])).toBe(true);
    expect(eksBenchmarkAtLeast('eks-1.2.0', [1, 5, 0])).toBe(false);
    expect(eksBenchmarkAtLeast('cis-1.8', [1, 5, 0])).toBeUndefined();
  });
  it('image-tag-pinned: no latest, no missing tag, a digest pins', () => {
    expect(tagVerdict('nginx').ok).toBe(false);
    expect(tagVerdict('nginx:latest').ok).toBe(false);
    expect(tagVerdict('nginx:LATEST').ok).toBe(false);
    expect(tagVerdict('localhost:5000/nginx').ok).toBe(false);
    expect(tagVerdict('nginx:1.27.3').ok).toBe(true);
    expect(tagVerdict(`nginx:latest@${D1}`).ok).toBe(true);
    expect(tagVerdict(`registry:5000/team/app@${D1}`).ok).toBe(true);
  });
  it('lists every control in checklist order', () => {
    expect(controls.map((c) => c.id)).toEqual(['CC3-RA-01', 'CC3-RA-02', 'CC3-RA-03', 'CC3-RA-04', 'CC3-IMG-01', 'CC3-IMG-02', 'CC3-IMG-03', 'CC3-IMG-04']);
    for (const c of controls) {
      expect(c.references.length).toBeGreaterThan(0);
      expect(c.remediation.summary.length).toBeGreaterThan(10);
      if (c.automation === 'partial') expect(c.attestation).toBeTruthy();
    }
  });
});

// ───────────────────────── CC3-RA-01 kube-bench ─────────────────────────

const kbFinding = (check: string, created: string, opts: { manual?: boolean; bench?: string; cluster?: string; workflow?: string } = {}) => {
  const product = `arn:aws:securityhub:${REGION}::product/aqua-security/kube-bench`;
  return {
    SchemaVersion: '2018-10-08',
    Id: `${product}${ACCOUNT}EKSnodeID+${check}${created}`,
    ProductArn: product,
    GeneratorId: `${product}/cis-kubernetes-benchmark/${opts.bench ?? 'eks-1.8.0'}/${check}`,
    AwsAccountId: ACCOUNT,
    Types: ['Software and Configuration Checks/Industry and Regulatory Standards/CIS Kubernetes Benchmark'],
    CreatedAt: created, UpdatedAt: created,
    Severity: { Label: 'HIGH' },
    Title: `${check} Ensure that the kubelet configuration is hardened`,
    Description: 'Ensure that the kubelet configuration is hardened',
    ProductFields: { Reason: opts.manual ? 'Test marked as a manual test' : '', 'Actual result': 'permissions=777', 'Expected result': "'permissions' is present" },
    Resources: [{ Id: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${opts.cluster ?? 'acme-prod'}`, Type: 'Software and Configuration Checks/Industry and Regulatory Standards/CIS Kubernetes Benchmark' }],
    RecordState: 'ACTIVE',
    Workflow: { Status: opts.workflow ?? 'NEW' },
  };
};
const shFindings = (findings: unknown[]) => fact('securityhub', 'GetFindings', { Findings: findings }, { Filters: { ProductArn: [{ Value: `arn:aws:securityhub:${REGION}::product/aqua-security/kube-bench`, Comparison: 'EQUALS' }] } });
const run = daysAgo(3);

testControl(CC3_RA_01, {
  valid: [
    {
      name: 'weekly CronJob with eks-1.8.0 that succeeded 3 days ago, clean Security Hub import (manual until attested)',
      k8s: fixture('kube-bench-cronjob.yaml'), aws: [shFindings([kbFinding('4.1.1', run, { manual: true })])], cluster: CLUSTER,
      expect: { status: 'manual', passing: ['recent-run', 'recurring-schedule', 'eks-benchmark', 'no-failed-checks'], message: /automated signals pass/ },
    },
    {
      name: 'attested: the partial control passes',
      k8s: fixture('kube-bench-cronjob.yaml'), aws: [shFindings([])], cluster: CLUSTER,
      attestations: [{ control: 'CC3-RA-01', statement: 'Reviewed report 2026-11-23', attestedBy: 'sec@acme.example', date: '2026-11-24', validUntil: '2027-02-24' }],
      expect: { status: 'pass', message: /attested by sec@acme.example/ },
    },
    {
      name: 'an old leftover Job does not fail the control when the CronJob ran recently',
      k8s: `${fixture('kube-bench-cronjob.yaml')}
---
apiVersion: batch/v1
kind: Job
metadata: { name: kube-bench-once, namespace: default }
spec: { template: { spec: { containers: [{ name: kube-bench, image: aquasec/kube-bench:v0.9.0, command: [kube-bench, run, --benchmark, eks-1.8.0] }] } } }
status: { succeeded: 1, completionTime: "2026-01-02T00:00:00Z" }
`,
      expect: { status: 'manual', notFailing: ['recent-run'] },
    },
  ],
  invalid: [
    {
      name: 'latest Security Hub import has 2 failed checks (manual checks and older runs ignored)',
      k8s: fixture('kube-bench-cronjob.yaml'), cluster: CLUSTER,
      aws: [shFindings([
        kbFinding('3.2.1', run), kbFinding('3.2.9', run), kbFinding('3.1.1', run, { manual: true }),
        kbFinding('3.2.5', daysAgo(10)), kbFinding('3.2.6', run, { workflow: 'SUPPRESSED' }), kbFinding('3.2.7', run, { cluster: 'other-cluster' }),
      ])],
      expect: {
        failing: ['no-failed-checks'],
        assert: (r) => {
          const failed = r.findings.filter((f) => f.rule === 'no-failed-checks' && f.status === 'fail').map((f) => f.resource.name).sort();
          expect(failed).toEqual(['kube-bench 3.2.1', 'kube-bench 3.2.9']);
          expect(r.notes.join(' ')).toMatch(/1 manual CIS checks/);
        },
      },
    },
    {
      name: 'the last success is older than the window',
      k8s: fixture('kube-bench-cronjob.yaml'), now: '2027-01-15T00:00:00Z',
      expect: { failing: ['recent-run'], message: /recent-run/ },
    },
    {
      name: 'a CronJob that never succeeded in a namespace enforcing restricted PSS names the cause',
      k8s: `
apiVersion: v1
kind: Namespace
metadata: { name: security, labels: { pod-security.kubernetes.io/enforce: restricted } }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: kube-bench, namespace: security }
spec:
  schedule: "0 4 * * *"
  jobTemplate: { spec: { template: { spec: { hostPID: true, containers: [{ name: kube-bench, image: aquasec/kube-bench:v0.15.6, args: ["--benchmark=eks-1.5.0"] }] } } } }
`,
      expect: { failing: ['recent-run'], assert: (r) => expect(r.findings.find((f) => f.rule === 'recent-run')?.message).toMatch(/enforce=privileged/) },
    },
    {
      name: 'a generic CIS benchmark, a one-off Job and an old EKS benchmark',
      k8s: `
apiVersion: batch/v1
kind: Job
metadata: { name: kube-bench, namespace: default }
spec: { template: { spec: { containers: [{ name: kube-bench, image: aquasec/kube-bench:latest, command: [kube-bench, run, --benchmark, cis-1.8] }] } } }
status: { succeeded: 1, completionTime: "2026-11-25T00:00:00Z" }
---
apiVersion: batch/v1
kind: Job
metadata: { name: kube-bench-eks, namespace: default }
spec: { template: { spec: { containers: [{ name: kube-bench, image: aquasec/kube-bench:latest, command: [kube-bench, run, --benchmark, eks-1.2.0] }] } } }
status: { succeeded: 1, completionTime: "2026-11-25T00:00:00Z" }
`,
      expect: { failing: ['eks-benchmark'], passing: ['recent-run'], assert: warns('recurring-schedule', 'benchmark-current') },
    },
    {
      name: 'a stale CronJob with the Security Hub import unread but the Jobs and CronJobs read: the generic benchmark still fails',
      k8s: `
apiVersion: batch/v1
kind: CronJob
metadata: { name: kube-bench, namespace: default }
spec: { schedule: "0 4 * * 1", jobTemplate: { spec: { template: { spec: { containers: [{ name: kube-bench, image: aquasec/kube-bench:v0.15.6, args: ["--benchmark=cis-1.8"] }] } } } } }
status: { lastSuccessfulTime: "2026-09-01T04:00:00Z" }
`,
      awsCalls: { 'securityhub:GetFindings': 'denied' },
      expect: { failing: ['eks-benchmark'], notFailing: ['recent-run'], assert: (r) => expect(r.findings.find((f) => f.rule === 'recent-run')?.status).toBe('error') },
    },
  ],
  other: [
    {
      name: 'a suspended CronJob is a warning; the recent run keeps the control operating (manual until attested)',
      k8s: fixture('kube-bench-cronjob.yaml').replace('concurrencyPolicy: Forbid', 'concurrencyPolicy: Forbid\n  suspend: true'),
      expect: { status: 'manual', passing: ['recent-run'], assert: warns('recurring-schedule') },
    },
    {
      name: 'no --benchmark argument: an EKS benchmark is auto-detected, pinning it is a warning',
      k8s: fixture('kube-bench-cronjob.yaml').replaceAll('"--benchmark", "eks-1.8.0", ', ''),
      expect: { status: 'manual', passing: ['eks-benchmark'], assert: warns('benchmark-current') },
    },
    {
      name: 'stale CronJob while the Security Hub import was denied: error, the import might hold a recent run',
      k8s: fixture('kube-bench-cronjob.yaml'), now: '2027-01-15T00:00:00Z', awsCalls: { 'securityhub:GetFindings': 'denied' },
      expect: { status: 'error', notFailing: ['recent-run'], assert: (r) => expect(r.findings.find((f) => f.rule === 'recent-run')?.message).toMatch(/^not evaluated: .*Security Hub/) },
    },
    {
      name: 'no kube-bench in the cluster and Security Hub denied: manual, and the findings are said "not read"',
      k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }\n', awsCalls: { 'securityhub:GetFindings': 'denied' },
      expect: { status: 'manual', message: /no kube-bench Job or CronJob in the cluster \(not read: securityhub:GetFindings \(denied\)\)/, assert: (r) => expect(r.message).not.toMatch(/no kube-bench results in Security Hub/) },
    },
    { name: 'no kube-bench anywhere: manual (upload a report)', k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }\n', expect: { status: 'manual', message: /no kube-bench Job or CronJob/ } },
    { name: 'Jobs and CronJobs not collected: error', k8s: [], complete: false, expect: { status: 'error', message: /evidence not collected: kube-bench runs \(Jobs and CronJobs\) or a kube-bench JSON report/ } },
    {
      name: 'Security Hub findings alone prove a recent run',
      k8s: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }\n', cluster: CLUSTER, aws: [shFindings([kbFinding('3.2.1', run)])],
      expect: { status: 'fail', passing: ['recent-run', 'eks-benchmark'], failing: ['no-failed-checks'], assert: warns('recurring-schedule') },
    },
    {
      name: 'a waiver covers one failed check; the other still fails',
      k8s: fixture('kube-bench-cronjob.yaml'), cluster: CLUSTER, aws: [shFindings([kbFinding('3.2.1', run), kbFinding('3.2.9', run)])],
      waivers: [{ id: 'RISK-1', control: 'CC3-RA-01', rule: 'no-failed-checks', resources: { name: 'kube-bench 3.2.9' }, reason: 'eventRecordQPS accepted', approvedBy: 'ciso', expires: '2027-06-01' }],
      expect: { status: 'fail', assert: (r) => expect(r.counts.waived).toBe(1) },
    },
  ],
});

it('kubeBenchFindings keeps the latest run only and skips other products', () => {
  const r = kubeBenchFindings([shFindings([kbFinding('1', daysAgo(5)), kbFinding('2', daysAgo(1)), { ...kbFinding('3', daysAgo(1)), ProductArn: 'arn:aws:securityhub:eu-west-1::product/aws/guardduty' }])], 'acme-prod');
  expect(r.findings.map((f) => f.checkId)).toEqual(['2']);
  expect(r.findings[0]!.benchmark).toBe('eks-1.8.0');
});

// ───────────────────────── CC3-RA-02 ECR registry scanning ─────────────────────────

const registry = (scanType: 'BASIC' | 'ENHANCED', rules: { scanFrequency: string; filters: string[] }[], region = REGION, account = ACCOUNT) =>
  fact('ecr', 'GetRegistryScanningConfiguration', {
    registryId: account,
    scanningConfiguration: { scanType, rules: rules.map((r) => ({ scanFrequency: r.scanFrequency, repositoryFilters: r.filters.map((f) => ({ filter: f, filterType: 'WILDCARD' })) })) },
  }, undefined, region, account);
const inspector = (ecr: string) => fact('inspector2', 'BatchGetAccountStatus', {
  accounts: [{ accountId: ACCOUNT, state: { status: 'ENABLED' }, resourceState: { ec2: { status: 'DISABLED' }, ecr: { status: ecr }, lambda: { status: 'DISABLED' } } }], failedAccounts: [],
}, { accountIds: [ACCOUNT] });
const repos = (...names: string[]) => fact('ecr', 'DescribeRepositories', {
  repositories: names.map((n) => ({
    repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${n}`, registryId: ACCOUNT, repositoryName: n, repositoryUri: `${ECR}/${n}`,
    createdAt: '2025-01-10T10:00:00Z', imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: false }, encryptionConfiguration: { encryptionType: 'AES256' },
  })),
});
const podYaml = (ns: string, name: string, image: string, imageID?: string) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${ns} }
spec: { containers: [{ name: app, image: "${image}" }] }
${imageID ? `status: { containerStatuses: [{ name: app, image: "${image}", imageID: "${imageID}", ready: true }] }` : ''}
`;

testControl(CC3_RA_02, {
  valid: [
    {
      name: 'ENHANCED continuous scanning of * with Inspector ECR enabled',
      aws: [registry('ENHANCED', [{ scanFrequency: 'CONTINUOUS_SCAN', filters: ['*'] }]), inspector('ENABLED'), fact('inspector2', 'GetConfiguration', { ecrConfiguration: { rescanDurationState: { rescanDuration: 'DAYS_30', status: 'SUCCESS' } } })],
      expect: { passing: ['registry-scan-rule', 'inspector-ecr-enabled'], assert: (r) => expect(r.notes.join(' ')).toMatch(/30 days/) },
    },
    {
      name: 'BASIC scan-on-push with AWS_NATIVE, filters proven to cover every listed repository',
      aws: [registry('BASIC', [{ scanFrequency: 'SCAN_ON_PUSH', filters: ['team-*', 'sitemap'] }]), repos('team-api', 'team-web', 'sitemap'), fact('ecr', 'GetAccountSetting', { name: 'BASIC_SCAN_TYPE_VERSION', value: 'AWS_NATIVE' }, { name: 'BASIC_SCAN_TYPE_VERSION' })],
      expect: { passing: ['registry-scan-rule', 'basic-scan-engine'] },
    },
  ],
  invalid: [
    { name: 'only MANUAL rules', aws: [registry('BASIC', [{ scanFrequency: 'MANUAL', filters: ['*'] }])], expect: { failing: ['registry-scan-rule'] } },
    {
      name: 'filters leave a repository unscanned',
      aws: [registry('ENHANCED', [{ scanFrequency: 'CONTINUOUS_SCAN', filters: ['prod-*'] }]), inspector('ENABLED'), repos('prod-api', 'payments-api')],
      expect: { failing: ['registry-scan-rule'], assert: (r) => expect(r.findings.find((f) => f.rule === 'registry-scan-rule')?.message).toMatch(/payments-api/) },
    },
    {
      name: 'ENHANCED configured but Inspector ECR scanning disabled: nothing is scanned',
      aws: [registry('ENHANCED', [{ scanFrequency: 'CONTINUOUS_SCAN', filters: ['*'] }]), inspector('DISABLED')],
      expect: { failing: ['inspector-ecr-enabled'], passing: ['registry-scan-rule'] },
    },
    {
      name: 'only MANUAL rules while the Inspector and engine settings were denied: the proven failure stands',
      aws: [registry('BASIC', [{ scanFrequency: 'MANUAL', filters: ['*'] }])], awsCalls: { 'inspector2:BatchGetAccountStatus': 'denied', 'ecr:GetAccountSetting': 'denied' },
      expect: { failing: ['registry-scan-rule'] },
    },
  ],
  other: [
    {
      name: 'legacy Clair engine is a warning',
      aws: [registry('BASIC', [{ scanFrequency: 'SCAN_ON_PUSH', filters: ['*'] }]), fact('ecr', 'GetAccountSetting', { name: 'BASIC_SCAN_TYPE_VERSION', value: 'CLAIR' }, { name: 'BASIC_SCAN_TYPE_VERSION' })],
      expect: { status: 'pass', passing: ['registry-scan-rule'], assert: warns('basic-scan-engine') },
    },
    {
      name: 'a narrow filter without the repository list cannot prove coverage: not evaluated, never a failure',
      aws: [registry('BASIC', [{ scanFrequency: 'SCAN_ON_PUSH', filters: ['prod-*'] }])],
      expect: { status: 'error', notFailing: ['registry-scan-rule'], assert: (r) => expect(r.findings.find((f) => f.rule === 'registry-scan-rule')?.message).toMatch(/repositories were not read/) },
    },
    { name: 'registry configuration denied: error, never fail', awsCalls: { 'ecr:GetRegistryScanningConfiguration': 'denied' }, expect: { status: 'error', message: /evidence incomplete/ } },
    { name: 'no AWS source: error', k8s: podYaml('shop', 'p', 'nginx:1'), expect: { status: 'error', message: /evidence not collected/ } },
    {
      name: 'ENHANCED without Inspector status collected is an error, not a pass',
      aws: [registry('ENHANCED', [{ scanFrequency: 'CONTINUOUS_SCAN', filters: ['*'] }])],
      expect: { status: 'error', message: /inspector2:BatchGetAccountStatus/ },
    },
    {
      name: 'running images from an unread registry and from Docker Hub are named in notes',
      aws: [registry('ENHANCED', [{ scanFrequency: 'CONTINUOUS_SCAN', filters: ['*'] }]), inspector('ENABLED')],
      k8s: podYaml('shop', 'a', `444455556666.dkr.ecr.us-east-1.amazonaws.com/shared/base:1`) + '---' + podYaml('shop', 'b', 'nginx:1.27') + '---' + podYaml('shop', 'c', `${ECR}/api:1`),
      expect: { status: 'pass', assert: (r) => { expect(r.notes.join(' ')).toMatch(/444455556666\/us-east-1 hosts 1 running image/); expect(r.notes.join(' ')).toMatch(/2 of 3 workload images come from private ECR/); } },
    },
  ],
});

// ───────────────────────── CC3-RA-03 Trivy operator ─────────────────────────

const trivyOperator = (available = 1) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: trivy-operator, namespace: trivy-system, labels: { app.kubernetes.io/name: trivy-operator } }
spec: { replicas: 1, selector: { matchLabels: { app.kubernetes.io/name: trivy-operator } }, template: { metadata: { labels: { app.kubernetes.io/name: trivy-operator } }, spec: { containers: [{ name: trivy-operator, image: "mirror.gcr.io/aquasec/trivy-operator:0.29.0" }] } } }
status: { replicas: 1, availableReplicas: ${available}, readyReplicas: ${available} }
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: vulnerabilityreports.aquasecurity.github.io }
spec: { group: aquasecurity.github.io, names: { kind: VulnerabilityReport, plural: vulnerabilityreports }, scope: Namespaced }
`;
const deployWithRs = (ns: string, name: string, image: string, rsCreated?: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${ns}, uid: uid-${name} }
spec: { replicas: 2, selector: { matchLabels: { app: ${name} } }, template: { metadata: { labels: { app: ${name} } }, spec: { containers: [{ name: app, image: "${image}" }] } } }
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: ${name}-5d8f7c9b4, namespace: ${ns}, uid: uid-${name}-rs, ${rsCreated ? `creationTimestamp: "${rsCreated}", ` : ''}ownerReferences: [{ apiVersion: apps/v1, kind: Deployment, name: ${name}, uid: uid-${name}, controller: true }] }
spec: { replicas: 2, selector: { matchLabels: { app: ${name} } }, template: { metadata: { labels: { app: ${name} } }, spec: { containers: [{ name: app, image: "${image}" }] } } }
`;
/** A CRITICAL vulnerability of a report, with the CVE's publication date (omitted by old Trivy operators). */
type Crit = { id: string; published?: string };
const vulnReport = (ns: string, kind: string, name: string, container: string, opts: { updated?: string; created?: string; critical?: number; eosl?: boolean; crits?: Crit[]; digest?: string } = {}) => `
apiVersion: aquasecurity.github.io/v1alpha1
kind: VulnerabilityReport
metadata:
  name: ${kind.toLowerCase()}-${name}-${container}
  namespace: ${ns}
  creationTimestamp: "${opts.created ?? opts.updated ?? daysAgo(1)}"
  labels:
    trivy-operator.resource.kind: ${kind}
    trivy-operator.resource.name: ${name}
    trivy-operator.resource.namespace: ${ns}
    trivy-operator.container.name: ${container}
report:
  artifact: { repository: app, tag: "1"${opts.digest ? `, digest: "${opts.digest}"` : ''} }
  os: { family: debian, name: "12.7"${opts.eosl ? ', eosl: true' : ''} }
  scanner: { name: Trivy, vendor: Aqua Security, version: 0.57.0 }
  summary: { criticalCount: ${opts.critical ?? opts.crits?.length ?? 0}, highCount: 2, mediumCount: 5, lowCount: 9, unknownCount: 0 }
  updateTimestamp: "${opts.updated ?? daysAgo(1)}"
  vulnerabilities: [${(opts.crits ?? []).map((c) => `{ vulnerabilityID: ${c.id}, severity: CRITICAL, resource: openssl, installedVersion: "3.0.14", fixedVersion: "3.0.15", title: t${c.published ? `, publishedDate: "${c.published}"` : ''} }`).join(', ')}]
`;
/** A StatefulSet `db` with one pod per entry: its creation and the digest it runs. */
const statefulSet = (pods: { name: string; created: string; digest: string }[]) => [`
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: shop, uid: uid-db }
spec: { serviceName: db, selector: {}, template: { spec: { containers: [{ name: pg, image: "${ECR}/pg:16" }] } } }
`, ...pods.map((p) => `
apiVersion: v1
kind: Pod
metadata: { name: ${p.name}, namespace: shop, creationTimestamp: "${p.created}", ownerReferences: [{ apiVersion: apps/v1, kind: StatefulSet, name: db, uid: uid-db, controller: true }] }
spec: { containers: [{ name: pg, image: "${ECR}/pg:16" }] }
status: { containerStatuses: [{ name: pg, imageID: "${ECR}/pg@${p.digest}" }] }
`)].join('---\n');

testControl(CC3_RA_03, {
  valid: [
    {
      name: 'operator available, Deployment covered through its ReplicaSet, StatefulSet covered, no criticals',
      k8s: [trivyOperator(), deployWithRs('shop', 'api', `${ECR}/api:1`), vulnReport('shop', 'ReplicaSet', 'api-5d8f7c9b4', 'app'),
        'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: { name: db, namespace: shop }\nspec: { serviceName: db, selector: {}, template: { spec: { containers: [{ name: pg, image: "postgres:16" }] } } }\n',
        vulnReport('shop', 'StatefulSet', 'db', 'pg')].join('---\n'),
      expect: { passing: ['operator-available', 'report-coverage', 'workload-scanned', 'no-critical-past-sla'] },
    },
    {
      name: 'criticals of an image deployed 3 days ago (CVEs older) are within the SLA, dated from the ReplicaSet',
      k8s: [trivyOperator(), deployWithRs('shop', 'api', 'nginx:1.27', daysAgo(3)), vulnReport('shop', 'ReplicaSet', 'api-5d8f7c9b4', 'app', { crits: [{ id: 'CVE-2025-0001', published: daysAgo(300) }, { id: 'CVE-2026-0002', published: daysAgo(40) }] })].join('---\n'),
      expect: { passing: ['no-critical-past-sla'], assert: (r) => expect(r.findings.find((f) => f.rule === 'no-critical-past-sla')?.message).toMatch(/open for 3 day\(s\), within the 15-day SLA, since the image was deployed \(ReplicaSet shop\/api-5d8f7c9b4 created/) },
    },
    {
      name: 'a CVE published 5 days ago in an image deployed 60 days ago: open since its publication, within the SLA',
      k8s: [trivyOperator(), deployWithRs('shop', 'api', 'nginx:1.27', daysAgo(60)), vulnReport('shop', 'ReplicaSet', 'api-5d8f7c9b4', 'app', { crits: [{ id: 'CVE-2026-7777', published: daysAgo(5) }] })].join('---\n'),
      expect: { passing: ['no-critical-past-sla'], assert: (r) => expect(r.findings.find((f) => f.rule === 'no-critical-past-sla')?.message).toMatch(/open for 5 day\(s\).*since the CVE was published/) },
    },
    {
      name: 'a Deployment without its ReplicaSet in the input is covered by a report of a ReplicaSet named after it, in its own namespace',
      k8s: [trivyOperator(),
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api, namespace: shop }\nspec: { selector: {}, template: { spec: { containers: [{ name: app, image: "nginx:1.27" }] } } }\n',
        vulnReport('shop', 'ReplicaSet', 'api-5d8f7c9b4', 'app')].join('---\n'),
      expect: { passing: ['report-coverage', 'workload-scanned'] },
    },
    {
      name: 'a lower coverage threshold lets one unscanned workload through; it is a warning on that workload',
      k8s: [trivyOperator(), deployWithRs('shop', 'web', 'nginx:1.27'), vulnReport('shop', 'ReplicaSet', 'web-5d8f7c9b4', 'app'), deployWithRs('shop', 'api', 'nginx:1.27')].join('---\n'),
      config: { thresholds: { ...DEFAULT_THRESHOLDS, trivyCoveragePercent: 50 } },
      expect: { passing: ['report-coverage'], assert: (r) => { warns('workload-scanned')(r); expect(r.findings.filter((f) => f.status === 'warn' && !f.system).map((f) => f.resource.name)).toEqual(['api']); } },
    },
  ],
  invalid: [
    {
      name: 'operator not installed and no reports',
      k8s: deployWithRs('shop', 'api', 'nginx:1.27'),
      expect: { failing: ['operator-available', 'report-coverage'], assert: warns('workload-scanned') },
    },
    {
      name: 'a report of a ReplicaSet named like the Deployment but in another namespace does not cover it',
      k8s: [trivyOperator(),
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api, namespace: shop }\nspec: { selector: {}, template: { spec: { containers: [{ name: app, image: "nginx:1.27" }] } } }\n',
        vulnReport('other', 'ReplicaSet', 'api-5d8f7c9b4', 'app')].join('---\n'),
      expect: { failing: ['report-coverage'] },
    },
    {
      name: 'operator scaled to zero, stale report',
      k8s: [trivyOperator(0), deployWithRs('shop', 'api', 'nginx:1.27'), vulnReport('shop', 'ReplicaSet', 'api-5d8f7c9b4', 'app', { updated: daysAgo(20) })].join('---\n'),
      expect: { failing: ['operator-available', 'report-coverage'], assert: (r) => expect(r.findings.find((f) => f.rule === 'workload-scanned' && f.status === 'warn' && !f.system)?.message).toMatch(/20 days old/) },
    },
    {
      name: 'a long-lived report (no TTL) shows a CRITICAL for 40 days: open at least since its creation',
      k8s: [trivyOperator(), deployWithRs('shop', 'api', 'nginx:1.27'), vulnReport('shop', 'ReplicaSet', 'api-5d8f7c9b4', 'app', { critical: 1, created: daysAgo(40), updated: daysAgo(1) })].join('---\n'),
      expect: { failing: ['no-critical-past-sla'], assert: (r) => expect(r.findings.find((f) => f.rule === 'no-critical-past-sla')?.message).toMatch(/at least 40 days .*since the report was created/) },
    },
    {
      // Issue 13: the Trivy operator renews reports every 24 h; the age came from the report's creation, so nothing aged.
      name: 'a report renewed yesterday for an image deployed 40 days ago with a CVE published 200 days ago: past the SLA, dated from the deployment',
      k8s: [trivyOperator(), deployWithRs('shop', 'api', 'nginx:1.27', daysAgo(40)), vulnReport('shop', 'ReplicaSet', 'api-5d8f7c9b4', 'app', { created: daysAgo(1), crits: [{ id: 'CVE-2025-1234', published: daysAgo(200) }] })].join('---\n'),
      expect: {
        failing: ['no-critical-past-sla'],
        assert: (r) => {
          const f = r.findings.find((x) => x.rule === 'no-critical-past-sla')!;
          expect(f.message).toMatch(/CVE-2025-1234 open for at least 40 days \(SLA 15 days\), since the image was deployed \(ReplicaSet shop\/api-5d8f7c9b4 created/);
          expect(f.details).toMatchObject({ oldest: 'CVE-2025-1234', dateSource: 'deployed' });
        },
      },
    },
    {
      name: 'a StatefulSet: the oldest pod running the scanned digest dates the image; a pod on another digest does not',
      k8s: [trivyOperator(), statefulSet([{ name: 'db-0', created: daysAgo(30), digest: D1 }, { name: 'db-1', created: daysAgo(90), digest: D2 }]),
        vulnReport('shop', 'StatefulSet', 'db', 'pg', { digest: D1, crits: [{ id: 'CVE-2025-4242', published: daysAgo(100) }] })].join('---\n'),
      expect: { failing: ['no-critical-past-sla'], assert: (r) => expect(r.findings.find((f) => f.rule === 'no-critical-past-sla')?.message).toMatch(/open for at least 30 days .*oldest running pod shop\/db-0/) },
    },
    {
      name: 'below 95 %: private ECR images have no reports while public ones do (missing is not clean)',
      k8s: [trivyOperator(), deployWithRs('shop', 'web', 'nginx:1.27'), vulnReport('shop', 'ReplicaSet', 'web-5d8f7c9b4', 'app'), deployWithRs('shop', 'api', `${ECR}/api:1`)].join('---\n'),
      expect: { failing: ['report-coverage'], assert: (r) => { warns('workload-scanned')(r); expect(r.notes.join(' ')).toMatch(/ECR pull permissions/); } },
    },
    {
      name: 'reports denied while the operator is scaled to zero: the proven failure stands',
      k8s: [trivyOperator(0), deployWithRs('shop', 'api', 'nginx:1')].join('---\n'), kinds: { 'aquasecurity.github.io/VulnerabilityReport': 'denied' },
      expect: { failing: ['operator-available'], assert: (r) => expect(r.unevaluated.map((u) => u.rule).sort()).toEqual(['no-critical-past-sla', 'report-coverage', 'workload-scanned']) },
    },
  ],
  other: [
    {
      name: 'system-namespace workloads are not part of coverage but judged; their criticals are reported separately',
      k8s: [trivyOperator(), 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: kube-proxy, namespace: kube-system }\nspec: { selector: {}, template: { spec: { containers: [{ name: kube-proxy, image: "x:1" }] } } }\n',
        vulnReport('kube-system', 'DaemonSet', 'kube-proxy', 'kube-proxy', { critical: 3, created: daysAgo(90) }),
        'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: aws-node, namespace: kube-system }\nspec: { selector: {}, template: { spec: { containers: [{ name: aws-node, image: "x:1" }] } } }\n'].join('---\n'),
      expect: {
        status: 'pass',
        assert: (r) => {
          expect(r.systemCounts.fail).toBe(1);
          expect(r.findings.filter((f) => f.rule === 'workload-scanned').map((f) => [f.resource.name, f.status, f.system])).toEqual(expect.arrayContaining([['kube-proxy', 'pass', true], ['trivy-operator', 'warn', true], ['aws-node', 'warn', true]]));
          expect(r.findings.filter((f) => f.rule === 'workload-scanned')).toHaveLength(3);
        },
      },
    },
    {
      name: 'criticals whose only date is the renewed report (no ReplicaSet, no publication date): not evaluated, naming what is needed',
      k8s: [trivyOperator(), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api, namespace: shop }\nspec: { selector: {}, template: { spec: { containers: [{ name: app, image: "nginx:1" }] } } }\n',
        vulnReport('shop', 'ReplicaSet', 'api-5d8f7c9b4', 'app', { created: daysAgo(1), crits: [{ id: 'CVE-2025-9999' }] })].join('---\n'),
      expect: { status: 'error', notFailing: ['no-critical-past-sla'], assert: (r) => expect(r.findings.find((f) => f.rule === 'no-critical-past-sla')?.message).toMatch(/age is unknown .*report was created .*deployment date .*publishedDate/) },
    },
    { name: 'VulnerabilityReports not readable: error naming them', k8s: [trivyOperator(), deployWithRs('shop', 'api', 'nginx:1')].join('---\n'), kinds: { 'aquasecurity.github.io/VulnerabilityReport': 'denied' }, expect: { status: 'error', message: /Trivy VulnerabilityReports/, passing: ['operator-available'] } },
    { name: 'loose manifests without reports: error (not a fail)', k8s: deployWithRs('shop', 'api', 'nginx:1'), complete: false, expect: { status: 'error', message: /Trivy VulnerabilityReports/ } },
  ],
});

describe.skipIf(!existsSync('/work/shared/corpus/trivy-operator'))('CC3-RA-03 against trivy-operator corpus reports', () => {
  it('maps the coredns VulnerabilityReport to its ReplicaSet in kube-system (system, so not counted)', async () => {
    const snap = await collectFiles(['/work/shared/corpus/trivy-operator/reports/vulnerabilityreport-coredns.yaml'], { toolVersion: 'test', completeInventory: true });
    const r = runCase(CC3_RA_03, { name: 'corpus', k8s: snap.kubernetes.objects });
    // No operator Deployment in the corpus file: the operator rule fails; the report itself (0 critical) passes, in a system namespace.
    expect(r.findings.find((f) => f.rule === 'operator-available')?.status).toBe('fail');
    const crit = r.findings.find((f) => f.rule === 'no-critical-past-sla');
    expect(crit?.status).toBe('pass');
    expect(crit?.system).toBe(true);
  });
});

// ───────────────────────── CC3-RA-04 AWS Config ─────────────────────────

const recorder = (group: unknown, extra: Record<string, unknown> = {}) => fact('config', 'DescribeConfigurationRecorders', {
  ConfigurationRecorders: [{ arn: `arn:aws:config:${REGION}:${ACCOUNT}:configuration-recorder/default/abcd`, name: 'default', roleARN: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`, recordingGroup: group, recordingMode: { recordingFrequency: 'CONTINUOUS' }, recordingScope: 'PAID', ...extra }],
});
const recStatus = (recording: boolean, lastStatus: string) => fact('config', 'DescribeConfigurationRecorderStatus', { ConfigurationRecordersStatus: [{ name: 'default', recording, lastStatus, lastStartTime: daysAgo(200), lastStatusChangeTime: daysAgo(0) }] });
const channel = fact('config', 'DescribeDeliveryChannels', { DeliveryChannels: [{ name: 'default', s3BucketName: 'acme-config-111122223333', configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' } }] });
const configRules = (rules: { name: string; id: string; state?: string; owner?: string }[]) => fact('config', 'DescribeConfigRules', {
  ConfigRules: rules.map((r) => ({ ConfigRuleName: r.name, ConfigRuleArn: `arn:aws:config:${REGION}:${ACCOUNT}:config-rule/config-rule-${r.name}`, ConfigRuleId: `config-rule-${r.name}`, Source: { Owner: r.owner ?? 'AWS', SourceIdentifier: r.id }, ConfigRuleState: r.state ?? 'ACTIVE', Scope: { ComplianceResourceTypes: ['AWS::EKS::Cluster'] } })),
});
const allSupported = { allSupported: true, includeGlobalResourceTypes: true, resourceTypes: [], exclusionByResourceTypes: { resourceTypes: [] }, recordingStrategy: { useOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' } };

testControl(CC3_RA_04, {
  valid: [
    {
      name: 'all supported types recorded, delivery channel, EKS rules active (compliance shown)',
      aws: [recorder(allSupported), recStatus(true, 'Success'), channel,
        configRules([{ name: 'eks-cluster-logging-enabled', id: 'EKS_CLUSTER_LOG_ENABLED' }, { name: 's3-bucket-versioning', id: 'S3_BUCKET_VERSIONING_ENABLED' }]),
        fact('config', 'DescribeComplianceByConfigRule', { ComplianceByConfigRules: [{ ConfigRuleName: 'eks-cluster-logging-enabled', Compliance: { ComplianceType: 'NON_COMPLIANT' } }] })],
      expect: { passing: ['recorder-recording', 'recorder-scope', 'delivery-channel', 'eks-rules'], assert: (r) => expect(r.notes.join(' ')).toMatch(/NON_COMPLIANT.*eks-cluster-logging-enabled/) },
    },
    {
      name: 'inclusion list with the EKS and VPC types; Security Hub service-linked EKS rule counts',
      aws: [recorder({ allSupported: false, resourceTypes: ['AWS::EKS::Cluster', 'AWS::EKS::Addon', 'AWS::EKS::FargateProfile', 'AWS::EKS::IdentityProviderConfig', 'AWS::EC2::SecurityGroup', 'AWS::EC2::Subnet', 'AWS::EC2::VPC', 'AWS::EC2::RouteTable'], recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' } }),
        recStatus(true, 'Success'), channel, configRules([{ name: 'securityhub-eks-endpoint-no-public-access-a1b2c3', id: 'EKS_ENDPOINT_NO_PUBLIC_ACCESS' }])],
      expect: { passing: ['recorder-scope', 'eks-rules'] },
    },
  ],
  invalid: [
    {
      name: 'only the service-linked recorder exists',
      aws: [recorder(allSupported, { name: 'AWSConfigurationRecorderForSecurityHub', servicePrincipal: 'securityhub.amazonaws.com' }), recStatus(true, 'Success'), channel, configRules([])],
      expect: { failing: ['recorder-recording', 'eks-rules'] },
    },
    {
      name: 'recorder stopped, exclusion of EKS clusters, no delivery channel',
      aws: [recorder({ allSupported: false, exclusionByResourceTypes: { resourceTypes: ['AWS::EKS::Cluster'] }, recordingStrategy: { useOnly: 'EXCLUSION_BY_RESOURCE_TYPES' } }), recStatus(false, 'Success'),
        fact('config', 'DescribeDeliveryChannels', { DeliveryChannels: [] }), configRules([{ name: 'eks-secrets-encrypted', id: 'EKS_SECRETS_ENCRYPTED' }])],
      expect: { failing: ['recorder-recording', 'recorder-scope', 'delivery-channel'], passing: ['eks-rules'] },
    },
    {
      name: 'last delivery failed; EKS rule exists but is being deleted',
      aws: [recorder(allSupported), fact('config', 'DescribeConfigurationRecorderStatus', { ConfigurationRecordersStatus: [{ name: 'default', recording: true, lastStatus: 'Failure', lastErrorCode: 'AccessDenied', lastErrorMessage: 'cannot write to bucket' }] }),
        channel, configRules([{ name: 'eks-endpoint', id: 'EKS_ENDPOINT_NO_PUBLIC_ACCESS', state: 'DELETING' }])],
      expect: { failing: ['recorder-recording', 'eks-rules'] },
    },
    {
      name: 'a recorder that was never started',
      aws: [recorder(allSupported), fact('config', 'DescribeConfigurationRecorderStatus', { ConfigurationRecordersStatus: [] }), channel, configRules([{ name: 'r', id: 'EKS_CLUSTER_SUPPORTED_VERSION' }])],
      expect: { failing: ['recorder-recording'], assert: (r) => expect(r.findings.find((f) => f.rule === 'recorder-recording')?.message).toBe('no status for this recorder: it has never been started') },
    },
  ],
  other: [
    {
      name: 'daily recording of EKS types and no add-on types: warnings',
      aws: [recorder({ allSupported: false, resourceTypes: ['AWS::EKS::Cluster', 'AWS::EC2::SecurityGroup', 'AWS::EC2::Subnet', 'AWS::EC2::VPC', 'AWS::EC2::RouteTable'], recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' } }, { recordingMode: { recordingFrequency: 'DAILY' } }), recStatus(true, 'Success'), channel, configRules([{ name: 'r', id: 'EKS_CLUSTER_SUPPORTED_VERSION' }])],
      expect: { status: 'pass', passing: ['recorder-scope'], assert: warns('recording-continuous', 'recorder-extra-types') },
    },
    {
      name: 'recorders denied while no EKS rule exists: the proven failure stands',
      aws: [channel], awsCalls: { 'config:DescribeConfigurationRecorders': 'denied', 'config:DescribeConfigurationRecorderStatus': 'collected', 'config:DescribeConfigRules': 'collected' },
      expect: { status: 'fail', failing: ['eks-rules'], assert: (r) => expect(r.findings.some((f) => f.rule === 'recorder-recording')).toBe(false) },
    },
    {
      name: 'recorders denied, rules and channel in order: error',
      aws: [channel, recStatus(true, 'Success'), configRules([{ name: 'r', id: 'EKS_CLUSTER_SUPPORTED_VERSION' }])], awsCalls: { 'config:DescribeConfigurationRecorders': 'denied' },
      expect: { status: 'error', message: /AWS Config recorders/ },
    },
    {
      name: 'rules denied, no EKS conformance pack: error, never "no EKS rule"',
      aws: [recorder(allSupported), recStatus(true, 'Success'), channel, fact('config', 'DescribeConformancePacks', { ConformancePackDetails: [] })], awsCalls: { 'config:DescribeConfigRules': 'denied' },
      expect: { status: 'error', notFailing: ['eks-rules'], assert: (r) => expect(JSON.stringify(r.findings)).not.toMatch(/no AWS managed EKS rule/) },
    },
    {
      name: 'facts from another region are ignored when the cluster region is known',
      aws: [fact('eks', 'DescribeCluster', { cluster: { name: 'acme-prod', arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/acme-prod` } }, { name: 'acme-prod' }),
        { ...recorder(allSupported), region: 'us-east-1' }, recStatus(true, 'Success'), channel, configRules([{ name: 'r', id: 'EKS_CLUSTER_SUPPORTED_VERSION' }])],
      cluster: CLUSTER,
      expect: { status: 'fail', failing: ['recorder-recording'], assert: (r) => expect(r.findings.find((f) => f.rule === 'recorder-recording')?.message).toMatch(/no AWS Config recorder in eu-west-1/) },
    },
  ],
});

// ───────────────────────── CC3-IMG-01 ECR scanning of running images ─────────────────────────

const scanCfg = (entries: { repo: string; freq: string; filters?: string[] }[]) => fact('ecr', 'BatchGetRepositoryScanningConfiguration', {
  scanningConfigurations: entries.map((e) => ({ repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${e.repo}`, repositoryName: e.repo, scanOnPush: e.freq === 'SCAN_ON_PUSH', scanFrequency: e.freq, appliedScanFilters: (e.filters ?? (e.freq === 'MANUAL' ? [] : ['*'])).map((f) => ({ filter: f, filterType: 'WILDCARD' })) })),
  failures: [],
}, { repositoryNames: entries.map((e) => e.repo) });
const images = (details: { repo: string; digest: string; tags?: string[]; status: string; completed?: string; critical?: number; description?: string }[]) => fact('ecr', 'DescribeImages', {
  imageDetails: details.map((d) => ({
    registryId: ACCOUNT, repositoryName: d.repo, imageDigest: d.digest, imageTags: d.tags ?? [], imageSizeInBytes: 52_000_000, imagePushedAt: daysAgo(60),
    imageScanStatus: { status: d.status, ...(d.description ? { description: d.description } : {}) },
    ...(d.completed ? { imageScanFindingsSummary: { imageScanCompletedAt: d.completed, vulnerabilitySourceUpdatedAt: d.completed, findingSeverityCounts: { ...(d.critical ? { CRITICAL: d.critical } : {}), HIGH: 3, MEDIUM: 7 } } } : {}),
    imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
  })),
}, { repositoryName: details[0]?.repo ?? 'x' });

testControl(CC3_IMG_01, {
  valid: [
    {
      name: 'repositories scanned continuously; running image resolved from a tag to its digest through the pod status',
      aws: [repos('api', 'sitemap'), scanCfg([{ repo: 'api', freq: 'CONTINUOUS_SCAN' }, { repo: 'sitemap', freq: 'SCAN_ON_PUSH' }]), images([{ repo: 'api', digest: D1, tags: [], status: 'ACTIVE', completed: daysAgo(2) }])],
      k8s: podYaml('shop', 'api-1', `${ECR}/api:2.0.0`, `${ECR}/api@${D1}`),
      expect: { passing: ['repository-scan-frequency', 'running-image-scanned', 'no-critical-past-sla'] },
    },
    {
      name: 'criticals within the SLA by first-observed date',
      aws: [repos('api'), scanCfg([{ repo: 'api', freq: 'CONTINUOUS_SCAN' }]), images([{ repo: 'api', digest: D1, tags: ['2.0.0'], status: 'ACTIVE', completed: daysAgo(1), critical: 1 }]),
        fact('ecr', 'DescribeImageScanFindings', { registryId: ACCOUNT, repositoryName: 'api', imageId: { imageDigest: D1 }, imageScanStatus: { status: 'ACTIVE' }, imageScanFindings: { enhancedFindings: [{ severity: 'CRITICAL', firstObservedAt: daysAgo(4), title: 'CVE-2026-0001' }] } })],
      k8s: podYaml('shop', 'api-1', `${ECR}/api@${D1}`),
      expect: { passing: ['no-critical-past-sla'] },
    },
  ],
  invalid: [
    {
      name: 'a MANUAL repository even though its legacy scanOnPush flag is set',
      aws: [fact('ecr', 'DescribeRepositories', { repositories: [{ repositoryName: 'legacy', registryId: ACCOUNT, repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/legacy`, imageScanningConfiguration: { scanOnPush: true } }] }), scanCfg([{ repo: 'legacy', freq: 'MANUAL' }]), images([])],
      k8s: podYaml('shop', 'x', 'nginx:1'),
      expect: { failing: ['repository-scan-frequency'], assert: (r) => expect(r.findings[0]?.message).toMatch(/legacy repository-level scanOnPush/) },
    },
    {
      name: 'UNSUPPORTED_IMAGE and SCAN_ELIGIBILITY_EXPIRED are not passes; an old enhanced scan fails',
      aws: [repos('distroless', 'old', 'api'), scanCfg([{ repo: 'distroless', freq: 'CONTINUOUS_SCAN' }, { repo: 'old', freq: 'CONTINUOUS_SCAN' }, { repo: 'api', freq: 'CONTINUOUS_SCAN' }]),
        images([
          { repo: 'distroless', digest: D1, status: 'UNSUPPORTED_IMAGE', description: 'The operating system and/or package manager are not supported.' },
          { repo: 'old', digest: D2, status: 'SCAN_ELIGIBILITY_EXPIRED' },
          { repo: 'api', digest: 'sha256:2222222222222222222222222222222222222222222222222222222222222222', tags: ['3'], status: 'ACTIVE', completed: daysAgo(45) },
        ])],
      k8s: podYaml('shop', 'a', `${ECR}/distroless@${D1}`) + '---' + podYaml('shop', 'b', `${ECR}/old@${D2}`) + '---' + podYaml('shop', 'c', `${ECR}/api:3`),
      expect: { failing: ['running-image-scanned'], assert: (r) => { const m = r.findings.filter((f) => f.status === 'fail').map((f) => f.message).join(' | '); expect(m).toMatch(/UNSUPPORTED_IMAGE/); expect(m).toMatch(/SCAN_ELIGIBILITY_EXPIRED/); expect(m).toMatch(/45 days ago/); } },
    },
    {
      name: 'CRITICAL findings of a basic scan-on-push scan 200 days ago: known since that scan',
      aws: [repos('api'), scanCfg([{ repo: 'api', freq: 'SCAN_ON_PUSH' }]), images([{ repo: 'api', digest: D1, tags: ['1'], status: 'COMPLETE', completed: daysAgo(200), critical: 2 }])],
      k8s: podYaml('shop', 'a', `${ECR}/api:1`),
      expect: { failing: ['no-critical-past-sla'], passing: ['running-image-scanned'], assert: (r) => expect(r.findings.find((f) => f.rule === 'no-critical-past-sla')?.message).toMatch(/known since the basic scan 200 days ago/) },
    },
    {
      name: 'a repository not scanned while DescribeImages was denied: the proven failure stands',
      aws: [repos('api'), scanCfg([{ repo: 'api', freq: 'MANUAL' }])], awsCalls: { 'ecr:DescribeImages': 'denied' },
      k8s: podYaml('shop', 'a', `${ECR}/api:1`),
      expect: { failing: ['repository-scan-frequency'], assert: (r) => expect(r.unevaluated.map((u) => u.rule).sort()).toEqual(['no-critical-past-sla', 'running-image-scanned']) },
    },
  ],
  other: [
    {
      name: 'an image missing from DescribeImages is not evaluated, never failed; EKS-owned images are not applicable',
      aws: [repos('api'), scanCfg([{ repo: 'api', freq: 'CONTINUOUS_SCAN' }]), images([])],
      k8s: podYaml('shop', 'a', `${ECR}/gone:1`) + '---' + podYaml('kube-system', 'kp', '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.33.5'),
      expect: {
        status: 'error',
        assert: (r) => {
          expect(r.findings.find((f) => f.resource.name === 'a')).toMatchObject({ status: 'error', message: expect.stringMatching(/no scan status in the evidence/) });
          expect(r.findings.find((f) => f.resource.name === 'kp')).toMatchObject({ status: 'not-applicable', system: true });
        },
      },
    },
    {
      name: 'CRITICAL findings under continuous scanning without their first-observed dates: not evaluated',
      aws: [repos('api'), scanCfg([{ repo: 'api', freq: 'CONTINUOUS_SCAN' }]), images([{ repo: 'api', digest: D1, tags: ['1'], status: 'ACTIVE', completed: daysAgo(1), critical: 1 }])],
      k8s: podYaml('shop', 'a', `${ECR}/api@${D1}`),
      expect: { status: 'error', passing: ['running-image-scanned'], assert: (r) => expect(r.findings.find((f) => f.rule === 'no-critical-past-sla')?.message).toMatch(/unknown age/) },
    },
    {
      name: 'a scan in progress is not known yet: not evaluated',
      aws: [repos('api'), scanCfg([{ repo: 'api', freq: 'SCAN_ON_PUSH' }]), images([{ repo: 'api', digest: D1, status: 'IN_PROGRESS' }])],
      k8s: podYaml('shop', 'a', `${ECR}/api@${D1}`),
      expect: { status: 'error', notFailing: ['running-image-scanned'] },
    },
    {
      name: 'Inspector coverage is used when DescribeImages has no detail',
      aws: [repos('api'), scanCfg([{ repo: 'api', freq: 'CONTINUOUS_SCAN' }]), images([]),
        fact('inspector2', 'ListCoverage', { coveredResources: [{ resourceType: 'AWS_ECR_CONTAINER_IMAGE', resourceId: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/api/${D1}`, accountId: ACCOUNT, scanType: 'PACKAGE', scanStatus: { statusCode: 'INACTIVE', reason: 'SCAN_ELIGIBILITY_EXPIRED' } }] })],
      k8s: podYaml('shop', 'a', `${ECR}/api@${D1}`),
      expect: { status: 'fail', failing: ['running-image-scanned'] },
    },
    { name: 'DescribeImages not collected: error', aws: [repos('api'), scanCfg([{ repo: 'api', freq: 'CONTINUOUS_SCAN' }])], k8s: podYaml('shop', 'a', 'nginx:1'), expect: { status: 'error', message: /scan status of running ECR images/ } },
  ],
});

// ───────────────────────── CC3-IMG-02 image signing ─────────────────────────

const profileArn = `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/acme_images`;
const profiles = (status = 'Active', platformId = 'Notation-OCI-SHA384-ECDSA') => fact('signer', 'ListSigningProfiles', {
  profiles: [{ profileName: 'acme_images', profileVersion: 'a1b2c3d4e5', profileVersionArn: `${profileArn}/a1b2c3d4e5`, arn: profileArn, platformId, platformDisplayName: 'Notation for container registries', signatureValidityPeriod: { value: 135, type: 'MONTHS' }, status }],
});
const signing = (repo: string, digest: string, statuses: unknown[]) => fact('ecr', 'DescribeImageSigningStatus', { repositoryName: repo, imageId: { imageDigest: digest }, registryId: ACCOUNT, signingStatuses: statuses }, { repositoryName: repo, imageId: { imageDigest: digest } });
const referrers = (repo: string, digest: string, artifactTypes: string[]) => fact('ecr', 'ListImageReferrers', {
  referrers: artifactTypes.map((t, i) => ({ digest: `sha256:${String(i).repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: t, size: 1200, artifactStatus: 'ACTIVE' })),
}, { repositoryName: repo, subjectId: { imageDigest: digest }, filter: { artifactStatus: 'ACTIVE' } });

testControl(CC3_IMG_02, {
  valid: [
    {
      name: 'managed signing COMPLETE for one image, client-side Notation referrer for the other (manual until attested)',
      aws: [profiles(), fact('ecr', 'GetSigningConfiguration', { registryId: ACCOUNT, signingConfiguration: { rules: [{ signingProfileArn: profileArn }] } }),
        signing('api', D1, [{ signingProfileArn: profileArn, status: 'COMPLETE' }]), referrers('web', D2, ['application/vnd.cncf.notary.signature'])],
      k8s: podYaml('shop', 'a', `${ECR}/api:1`, `${ECR}/api@${D1}`) + '---' + podYaml('shop', 'b', `${ECR}/web@${D2}`),
      expect: { status: 'manual', passing: ['signing-profile', 'managed-signing', 'signed-coverage', 'running-image-signed'] },
    },
  ],
  invalid: [
    {
      name: 'revoked profile: its COMPLETE signatures no longer count; FAILED signing reported with its reason',
      aws: [profiles('Revoked'), signing('api', D1, [{ signingProfileArn: profileArn, status: 'COMPLETE' }]), signing('web', D2, [{ signingProfileArn: profileArn, status: 'FAILED', failureCode: 'SigningProfileRevoked', failureReason: 'The signing profile has been revoked' }])],
      k8s: podYaml('shop', 'a', `${ECR}/api@${D1}`) + '---' + podYaml('shop', 'b', `${ECR}/web@${D2}`),
      expect: { failing: ['signed-coverage'], assert: (r) => { warns('signing-profile', 'running-image-signed')(r); expect(r.findings.filter((f) => f.status === 'warn').map((f) => f.message).join(' ')).toMatch(/SigningProfileRevoked/); } },
    },
    {
      name: 'a referrer list without a Notation signature proves the image unsigned; signed on another digest does not count',
      aws: [profiles(), referrers('api', D1, ['application/vnd.dev.cosign.artifact.sbom.v1+json']), signing('api', D2, [{ signingProfileArn: profileArn, status: 'COMPLETE' }])],
      k8s: podYaml('shop', 'a', `${ECR}/api@${D1}`),
      expect: { failing: ['signed-coverage'], assert: warns('running-image-signed') },
    },
    {
      name: 'a tag-only CronJob image is resolved to its digest through DescribeImages; an empty referrer list proves it unsigned',
      aws: [profiles(), images([{ repo: 'sitemap', digest: D2, tags: ['2.4.1'], status: 'ACTIVE' }]), referrers('sitemap', D2, []), signing('sitemap', D2, [])],
      k8s: `
apiVersion: batch/v1
kind: CronJob
metadata: { name: sitemap, namespace: storefront }
spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: { spec: { containers: [{ name: sitemap, image: "${ECR}/sitemap:2.4.1" }] } } } } }
`,
      expect: { failing: ['signed-coverage'], assert: (r) => expect(r.findings.find((f) => f.rule === 'running-image-signed')).toMatchObject({ status: 'warn', message: expect.stringMatching(/no Notation signature among the image's referrers/) }) },
    },
    {
      name: 'an image proven unsigned while the Signer profiles were denied: the failure stands',
      aws: [referrers('api', D1, [])], awsCalls: { 'signer:ListSigningProfiles': 'denied' },
      k8s: podYaml('shop', 'a', `${ECR}/api@${D1}`),
      expect: { failing: ['signed-coverage'], assert: (r) => expect(r.notes.join(' ')).toMatch(/not evaluated .*AWS Signer signing profiles/) },
    },
    {
      name: 'unsigned images below the threshold even if every unknown one were signed: a proven failure',
      aws: [profiles(), referrers('api', D1, []), signing('web', D2, [])],
      k8s: podYaml('shop', 'a', `${ECR}/api@${D1}`) + '---' + podYaml('shop', 'b', `${ECR}/web@${D2}`),
      expect: { failing: ['signed-coverage'], assert: (r) => expect(r.findings.find((f) => f.rule === 'signed-coverage')?.message).toMatch(/0 of 2 .*1 more not known either way/) },
    },
  ],
  other: [
    {
      name: 'no Notation signing profile and an empty managed-signing status: the signature is unknown (client-side signatures not read), never "unsigned"',
      aws: [fact('signer', 'ListSigningProfiles', { profiles: [{ profileName: 'lambda', platformId: 'AWSLambda-SHA384-ECDSA', status: 'Active', arn: 'arn:aws:signer:eu-west-1:111122223333:/signing-profiles/lambda' }] }), signing('api', D1, [])],
      k8s: podYaml('shop', 'a', `${ECR}/api@${D1}`),
      expect: { status: 'error', notFailing: ['signed-coverage'], assert: (r) => { warns('signing-profile')(r); expect(r.findings.find((f) => f.rule === 'running-image-signed')).toMatchObject({ status: 'error', message: expect.stringMatching(/ListImageReferrers/) }); } },
    },
    {
      name: 'non-ECR images are outside the ratio (noted)',
      aws: [profiles(), signing('api', D1, [{ signingProfileArn: profileArn, status: 'COMPLETE' }])],
      k8s: podYaml('shop', 'a', `${ECR}/api@${D1}`) + '---' + podYaml('shop', 'b', 'nginx:1.27'),
      expect: { status: 'manual', assert: (r) => { expect(r.notes.join(' ')).toMatch(/1 container image\(s\) come from outside private ECR/); expect(r.findings.find((f) => f.resource.name === 'b')?.status).toBe('not-applicable'); } },
    },
    { name: 'no signing status nor referrers collected: error', aws: [profiles()], k8s: podYaml('shop', 'a', `${ECR}/api@${D1}`), expect: { status: 'error', message: /signing status or signature referrers/ } },
  ],
});

// ───────────────────────── CC3-IMG-03 admission control ─────────────────────────

const namespaces = `
apiVersion: v1
kind: Namespace
metadata: { name: payments, labels: { kubernetes.io/metadata.name: payments } }
---
apiVersion: v1
kind: Namespace
metadata: { name: kube-system, labels: { kubernetes.io/metadata.name: kube-system } }
---
apiVersion: v1
kind: Namespace
metadata: { name: kyverno, labels: { kubernetes.io/metadata.name: kyverno } }
`;
const gatekeeperWebhook = (failurePolicy: string) => `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: { name: gatekeeper-validating-webhook-configuration }
webhooks:
  - name: validation.gatekeeper.sh
    failurePolicy: ${failurePolicy}
    clientConfig: { service: { name: gatekeeper-webhook-service, namespace: gatekeeper-system } }
    namespaceSelector: { matchExpressions: [ { key: admission.gatekeeper.sh/ignore, operator: DoesNotExist } ] }
`;
const ratify = (action = 'deny') => `
apiVersion: externaldata.gatekeeper.sh/v1beta1
kind: Provider
metadata: { name: ratify-gatekeeper-provider }
spec: { url: "https://ratify.gatekeeper-system:6001/ratify/gatekeeper/v1/verify", timeout: 7 }
---
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: { name: ratifyverification }
spec:
  crd: { spec: { names: { kind: RatifyVerification } } }
  targets: [ { target: admission.k8s.gatekeeper.sh, rego: "package ratifyverification\\nviolation[{\\"msg\\": msg}] { resp := external_data({\\"provider\\": \\"ratify-gatekeeper-provider\\", \\"keys\\": images}) }" } ]
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: RatifyVerification
metadata: { name: ratify-constraint }
spec:
  enforcementAction: ${action}
  match: { kinds: [ { apiGroups: [""], kinds: ["Pod"] } ], excludedNamespaces: ["kube-system", "gatekeeper-system"] }
`;

testControl(CC3_IMG_03, {
  valid: [
    {
      name: 'Kyverno Notary verifyImages, Enforce, fail-closed webhooks, every workload namespace covered (manual until attested)',
      k8s: namespaces + '---\n' + fixture('kyverno-verify-images.yaml'),
      expect: { status: 'manual', passing: ['image-policy-enforced', 'webhook-fail-closed', 'namespace-covered', 'verify-digest'] },
    },
    {
      name: 'Gatekeeper + Ratify with deny and a fail-closed webhook',
      k8s: namespaces + '---\n' + ratify() + '---\n' + gatekeeperWebhook('Fail'),
      expect: { status: 'manual', passing: ['image-policy-enforced', 'webhook-fail-closed', 'namespace-covered'] },
    },
    {
      name: 'ImageValidatingPolicy defaults to Deny and Fail',
      k8s: namespaces + `---
apiVersion: policies.kyverno.io/v1alpha1
kind: ImageValidatingPolicy
metadata: { name: check-images }
spec:
  matchConstraints: { resourceRules: [ { apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods] } ] }
  matchImageReferences: [ { glob: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/*" } ]
  attestors: [ { name: notary, notary: { certs: { value: "-----BEGIN CERTIFICATE-----" } } } ]
  validations: [ { expression: "images.containers.map(image, verifyImageSignatures(image, [attestors.notary])).all(e, e > 0)" } ]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: { name: kyverno-resource-validating-webhook-cfg }
webhooks: [ { name: ivpol.validate.kyverno.svc-fail, failurePolicy: Fail, clientConfig: { service: { name: kyverno-svc, namespace: kyverno } } } ]
`,
      expect: { status: 'manual', passing: ['image-policy-enforced', 'namespace-covered'] },
    },
    {
      name: 'kyverno-notation-aws extension call counts as signature verification',
      k8s: namespaces + `---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: { name: check-images }
spec:
  validationFailureAction: Enforce
  failurePolicy: Fail
  rules:
    - name: call-aws-signer-extension
      match: { any: [ { resources: { kinds: [Pod], operations: [CREATE, UPDATE] } } ] }
      context:
        - name: response
          apiCall: { method: POST, service: { url: "https://svc.kyverno-notation-aws/checkimages" } }
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: { name: kyverno-resource-mutating-webhook-cfg }
webhooks: [ { name: mutate.kyverno.svc-fail, failurePolicy: Fail, clientConfig: { service: { name: kyverno-svc, namespace: kyverno } } } ]
`,
      expect: { status: 'manual', passing: ['image-policy-enforced', 'namespace-covered'] },
    },
  ],
  invalid: [
    {
      name: 'Audit mode only and verifyDigest off: nothing blocks (the mode and the digest are warnings on the policy)',
      k8s: namespaces + '---\n' + fixture('kyverno-verify-images.yaml').replace('failureAction: Enforce', 'failureAction: Audit').replace('verifyDigest: true', 'verifyDigest: false'),
      expect: { failing: ['image-policy-enforced', 'namespace-covered'], assert: (r) => { warns('policy-mode', 'verify-digest')(r); expect(r.findings.find((f) => f.rule === 'image-policy-enforced')?.message).toMatch(/every image policy is in audit mode/); } },
    },
    {
      name: 'audit-only policies while the policy reports were denied: nothing blocks, the failure stands',
      k8s: namespaces + '---\n' + fixture('kyverno-verify-images.yaml').replace('failureAction: Enforce', 'failureAction: Audit'), kinds: { 'wgpolicyk8s.io/PolicyReport': 'denied' },
      expect: { failing: ['image-policy-enforced'], assert: (r) => expect(r.unevaluated.map((u) => u.rule)).toContain('running-images-compliant') },
    },
    {
      // Issue 13: a Kyverno ClusterPolicy with no Kyverno admission webhook passed the automated signals.
      name: 'an enforcing Kyverno policy with no Kyverno admission webhook at all: nothing is enforced',
      k8s: namespaces + '---\n' + fixture('kyverno-verify-images.yaml').split('\n---\n')[0]!,
      expect: {
        failing: ['image-policy-enforced', 'webhook-fail-closed', 'namespace-covered'],
        assert: (r) => {
          expect(r.findings.find((f) => f.rule === 'image-policy-enforced')?.message).toMatch(/no Kyverno admission webhook is registered/);
          expect(r.findings.filter((f) => f.rule === 'namespace-covered' && !f.system).every((f) => f.status === 'fail')).toBe(true);
        },
      },
    },
    {
      name: 'Gatekeeper fails open by default, and a namespace carries the ignore label',
      k8s: namespaces + `---
apiVersion: v1
kind: Namespace
metadata: { name: legacy, labels: { admission.gatekeeper.sh/ignore: "no-self-managing" } }
---
` + ratify() + '---\n' + gatekeeperWebhook('Ignore'),
      expect: { failing: ['webhook-fail-closed', 'namespace-covered'], assert: (r) => expect(r.findings.filter((f) => f.rule === 'namespace-covered' && f.status === 'fail' && !f.system).map((f) => f.resource.name)).toEqual(['legacy']) },
    },
    {
      name: 'the Kyverno policy excludes a workload namespace and sets failurePolicy Ignore',
      k8s: namespaces + '---\n' + fixture('kyverno-verify-images.yaml').replace('namespaces: [kube-system]', 'namespaces: [kube-system, payments]').replace('failurePolicy: Fail\n  background', 'failurePolicy: Ignore\n  background'),
      expect: { failing: ['namespace-covered', 'webhook-fail-closed'] },
    },
    {
      name: 'no image policy: scanners alone do not block',
      k8s: namespaces + `---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: { name: require-labels }
spec: { validationFailureAction: Enforce, rules: [ { name: labels, match: { any: [ { resources: { kinds: [Pod] } } ] }, validate: { pattern: { metadata: { labels: { app: "?*" } } } } } ] }
`,
      expect: { failing: ['image-policy-enforced', 'namespace-covered'] },
    },
    {
      name: 'a policy report shows running workloads failing the image policy',
      k8s: namespaces + '---\n' + fixture('kyverno-verify-images.yaml') + `---
apiVersion: wgpolicyk8s.io/v1alpha2
kind: PolicyReport
metadata: { name: 7d1c5f2e-0000-4000-8000-000000000001, namespace: payments }
scope: { apiVersion: apps/v1, kind: Deployment, name: payments-api, namespace: payments }
results:
  - { policy: verify-image-signatures, rule: verify-notation-signature, result: fail, message: "failed to verify image: no signature found", source: kyverno, resources: [ { apiVersion: apps/v1, kind: Deployment, name: payments-api, namespace: payments } ] }
summary: { pass: 0, fail: 1, warn: 0, error: 0, skip: 0 }
`,
      expect: { failing: ['running-images-compliant'] },
    },
  ],
  other: [
    {
      name: 'an enforcing Kyverno policy, no Kyverno validating webhook, mutating webhooks not read: error, never a guessed failure',
      k8s: namespaces + '---\n' + fixture('kyverno-verify-images.yaml').split('\n---\n')[0]! + '\n---\n' + gatekeeperWebhook('Fail'),
      kinds: { 'admissionregistration.k8s.io/MutatingWebhookConfiguration': 'denied' },
      expect: { status: 'error', notFailing: ['image-policy-enforced', 'namespace-covered'] },
    },
    {
      name: 'system namespaces are judged and reported separately, never skipped',
      k8s: namespaces + '---\n' + fixture('kyverno-verify-images.yaml'),
      expect: {
        status: 'manual',
        assert: (r) => {
          const sys = r.findings.filter((f) => f.rule === 'namespace-covered' && f.system).map((f) => [f.resource.name, f.status]);
          expect(sys).toEqual([['kube-system', 'fail'], ['kyverno', 'fail']]);
          expect(r.systemCounts.fail).toBe(2);
        },
      },
    },
    {
      name: 'policy reports denied: the running-image cross-check is not evaluated',
      k8s: namespaces + '---\n' + fixture('kyverno-verify-images.yaml'), kinds: { 'wgpolicyk8s.io/PolicyReport': 'denied' },
      expect: { status: 'error', assert: (r) => expect(r.unevaluated.find((u) => u.rule === 'running-images-compliant')?.reason).toMatch(/policy reports not read/) },
    },
    { name: 'no policy kinds collected: error', k8s: namespaces, complete: false, expect: { status: 'error', message: /image admission policies/ } },
    {
      name: 'attested: the rule set was reviewed',
      k8s: namespaces + '---\n' + fixture('kyverno-verify-images.yaml'),
      attestations: [{ control: 'CC3-IMG-03', statement: 'policy reviewed', attestedBy: 'sec@acme.example', date: '2026-10-01', validUntil: '2027-04-01' }],
      expect: { status: 'pass' },
    },
  ],
});

// ───────────────────────── CC3-IMG-04 base image standards ─────────────────────────

const pinned = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec: { selector: {}, template: { spec: { containers: [{ name: api, image: "${ECR}/api@${D1}" }], initContainers: [{ name: init, image: "${ECR}/init:1.4.2" }] } } }
`;
const allowedRepos = `
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata: { name: approved-registries }
spec: { enforcementAction: deny, parameters: { repos: ["${ECR}/"] } }
`;

testControl(CC3_IMG_04, {
  valid: [
    {
      name: 'digest and version tag, approved registry, supported base OS, registry policy present: manual (standard needs attesting)',
      k8s: [pinned, allowedRepos, vulnReport('shop', 'ReplicaSet', 'api-1', 'api')].join('---\n'),
      config: { approvedRegistries: [`${ECR}/`] },
      expect: { status: 'manual', passing: ['image-tag-pinned', 'approved-registry', 'base-os-supported', 'registry-policy'] },
    },
    {
      name: 'a Kyverno registry restriction in Enforce counts',
      k8s: pinned + `---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: { name: restrict-image-registries }
spec:
  validationFailureAction: Enforce
  rules: [ { name: validate-registries, match: { any: [ { resources: { kinds: [Pod] } } ] }, validate: { pattern: { spec: { containers: [ { image: "${ECR}/*" } ] } } } } ]
`,
      expect: { status: 'manual', passing: ['registry-policy'] },
    },
  ],
  invalid: [
    {
      name: 'latest and missing tags fail image-tag-pinned',
      k8s: `${allowedRepos}---
apiVersion: v1
kind: Pod
metadata: { name: debug, namespace: legacy }
spec: { containers: [{ name: a, image: busybox }, { name: b, image: "nginx:latest" }] }
`,
      expect: { status: 'manual', assert: (r) => { warns('image-tag-pinned')(r); expect(r.findings.find((f) => f.rule === 'image-tag-pinned')?.message).toMatch(/busybox \(no tag.*nginx:latest \(uses :latest\)/); } },
    },
    {
      name: 'end-of-life base OS from Trivy, unapproved registry; no registry policy is a warning',
      k8s: [pinned, vulnReport('shop', 'ReplicaSet', 'api-1', 'api', { eosl: true })].join('---\n'),
      config: { approvedRegistries: ['registry.acme.example/'] },
      expect: { failing: ['base-os-supported', 'approved-registry'], assert: warns('registry-policy') },
    },
    {
      name: 'an end-of-life base OS while the Kyverno policies were denied: the proven failure stands',
      k8s: [pinned, allowedRepos.replace('enforcementAction: deny', 'enforcementAction: dryrun'), vulnReport('shop', 'ReplicaSet', 'api-1', 'api', { eosl: true })].join('---\n'),
      kinds: { 'kyverno.io/ClusterPolicy': 'denied' },
      expect: { failing: ['base-os-supported'] },
    },
  ],
  other: [
    {
      name: 'attested with all signals passing: pass',
      k8s: [pinned, allowedRepos].join('---\n'),
      attestations: [{ control: 'CC3-IMG-04', statement: 'Base image standard v3 approved', attestedBy: 'ciso@acme.example', date: '2026-09-01', validUntil: '2027-09-01', evidence: 'https://wiki.acme.example/base-images' }],
      expect: { status: 'pass' },
    },
    {
      name: 'a registry allowlist in dry run reports but does not block: a warning',
      k8s: [pinned, allowedRepos.replace('enforcementAction: deny', 'enforcementAction: dryrun')].join('---\n'),
      expect: { status: 'manual', assert: (r) => { warns('registry-policy')(r); expect(r.findings.find((f) => f.rule === 'registry-policy')?.message).toMatch(/K8sAllowedRepos approved-registries .*dryrun/); } },
    },
    {
      name: 'attested but a required signal fails: still fail',
      k8s: [allowedRepos, podYaml('shop', 'p', `${ECR}/api:1`), vulnReport('shop', 'Pod', 'p', 'app', { eosl: true })].join('---\n'),
      attestations: [{ control: 'CC3-IMG-04', statement: 'approved', attestedBy: 'ciso@acme.example', date: '2026-09-01', validUntil: '2027-09-01' }],
      expect: { status: 'fail', failing: ['base-os-supported'] },
    },
    {
      name: 'attested with only warnings: pass with the warnings',
      k8s: [allowedRepos, podYaml('shop', 'p', 'nginx')].join('---\n'),
      attestations: [{ control: 'CC3-IMG-04', statement: 'approved', attestedBy: 'ciso@acme.example', date: '2026-09-01', validUntil: '2027-09-01' }],
      expect: { status: 'pass', assert: warns('image-tag-pinned') },
    },
    {
      name: 'policy kinds denied and no registry policy found: not evaluated (a note, it is recommended)',
      k8s: pinned, kinds: { 'kyverno.io/Policy': 'denied' },
      expect: { status: 'manual', assert: (r) => expect(r.notes.join(' ')).toMatch(/recommended rule registry-policy not evaluated/) },
    },
    { name: 'no workloads: error', k8s: [], complete: false, expect: { status: 'error' } },
  ],
});

/** Corpus: image tag rules from kyverno/policies and checkov fixtures, judged by image-tag-pinned. */
describe.skipIf(!existsSync('/work/shared/corpus'))('CC3-IMG-04 image-tag-pinned against the corpus', () => {
  const verdicts = async (dir: string) => {
    const snap = await collectFiles([dir], { toolVersion: 'test', completeInventory: true });
    const r = runCase(CC3_IMG_04, { name: dir, k8s: snap.kubernetes.objects });
    return Object.fromEntries(r.findings.filter((f) => f.rule === 'image-tag-pinned').map((f) => [f.resource.name, f.status]));
  };
  it('kyverno disallow-latest-tag resources', async () => {
    const v = await verdicts('/work/shared/corpus/kyverno-policies/best-practices/disallow-latest-tag');
    expect(v).toEqual({
      'deployment-545591': 'pass', // busybox:1.28
      'pod-742595': 'warn', // nginx without a tag
      'pod-850326': 'warn', // nginx:latest
      'pod-247136': 'warn',
      'pod-710774': 'warn',
      'deployment-100523': 'warn', // busybox (no tag)
      'deployment-570523': 'warn', // busybox:latest
      'myapp-pod': 'pass', // nginx:1.12
    });
  });
  it('checkov ImageTagFixed examples, one file at a time', async () => {
    const dir = '/work/shared/corpus/checkov/example_ImageTagFixed';
    const got: Record<string, string[]> = {};
    for (const f of readdirSync(dir).sort()) got[f] = Object.values(await verdicts(join(dir, f)));
    expect(got).toEqual({
      'file-01.yaml': ['warn'], // centos:latest
      'file-02.json': ['warn'], // mattf/zookeeper, no tag
      'file-03.yaml': ['pass'], // @sha256 digest
      'file-04.yaml': ['pass'], // tag and digest
      'file-05.yaml': ['pass'], // version tag
      'file-06.yaml': ['pass'], // registry with a port and a version tag
    });
  });
});

describe('CC3 in the built-in demo', () => {
  it('shows the intended mix, with no evidence errors', () => {
    const now = new Date('2026-11-26T12:00:00Z');
    const { waivers, attestations } = demoPolicies(now);
    const run = evaluate(demoSnapshot('test', now), catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now, sections: ['CC3'], waivers, attestations });
    const by = Object.fromEntries(run.controls.map((c) => [c.id, c]));
    expect(Object.fromEntries(run.controls.map((c) => [c.id, c.status]))).toEqual({
      'CC3-RA-01': 'fail', 'CC3-RA-02': 'pass', 'CC3-RA-03': 'fail', 'CC3-RA-04': 'pass',
      'CC3-IMG-01': 'fail', 'CC3-IMG-02': 'fail', 'CC3-IMG-03': 'fail', 'CC3-IMG-04': 'fail',
    });
    // kube-bench ran three days ago with two failed checks, one of them waived.
    expect(by['CC3-RA-01']!.counts).toMatchObject({ fail: 1, waived: 1 });
    expect(by['CC3-IMG-01']!.findings.filter((f) => f.status === 'fail').map((f) => f.resource.name)).toEqual(['sitemap']);
    expect(by['CC3-IMG-03']!.findings.filter((f) => f.rule === 'namespace-covered' && f.status === 'fail' && !f.system).map((f) => f.resource.name)).toEqual(['legacy']);
    // Issue 13: the Trivy reports are renewed daily; CRITICAL ages come from when the image was deployed.
    const crit = Object.fromEntries(by['CC3-RA-03']!.findings.filter((f) => f.rule === 'no-critical-past-sla' && f.status !== 'pass' || /CRITICAL/.test(f.message)).map((f) => [f.resource.name, f]));
    expect(crit['replicaset-web-6f8d9c7b5d-nginx']).toMatchObject({ status: 'pass', message: expect.stringMatching(/open for 6 day\(s\), within the 15-day SLA, since the image was deployed \(ReplicaSet storefront\/web-6f8d9c7b5d/) });
    expect(crit['replicaset-billing-monolith-5b7c9d8f6-billing']).toMatchObject({ status: 'fail', message: expect.stringMatching(/open for at least 64 days/) });
    expect(crit['cronjob-sitemap-sitemap']?.status).toBe('error');
    // Warnings are shown, never failing: pinning and the registry policy in CC3-IMG-04.
    expect(by['CC3-IMG-04']!.counts.warn).toBeGreaterThan(0);
  });
});
