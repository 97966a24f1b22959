import type { Attestation, AwsFact, JsonObject, K8sObject, Waiver } from '../../model/index.js';
import { DEMO, ago, fact, obj, owned, uid } from './build.js';

/**
 * Demo fragment for CC3 (risk assessment, image security): kube-bench CronJob with its last Job,
 * the Trivy operator and its VulnerabilityReports, Kyverno with an image-signature policy and its
 * policy reports, and the AWS facts of ECR (registry scanning, repositories, images, signing),
 * Inspector, Signer, AWS Config and the Security Hub import of kube-bench results.
 *
 * The story: kube-bench ran three days ago and reported two failed node checks (one waived);
 * enhanced ECR scanning is on and payments-api is clean and signed, but the sitemap image carries a
 * CRITICAL past the SLA and was pushed before managed signing existed; Trivy covers everything but
 * the legacy debug pod, whose namespace Kyverno's signature policy also exempts; its reports are
 * renewed every day, so the age of a CRITICAL comes from when the image was deployed (the storefront
 * web ReplicaSet six days ago: within the SLA; the legacy monolith's 64 days ago: past it) — the
 * sitemap CronJob has no such date, and its CRITICAL's age is shown as not evaluated; AWS Config
 * records everything, with two EKS rules non-compliant (public endpoint, missing control-plane logs).
 */

const R = DEMO.region;
const A = DEMO.accountId;
const ECR = `${A}.dkr.ecr.${R}.amazonaws.com`;
/** Digests of the demo's ECR images (payments-api is pinned in k8s-base.ts; checkout in cc7.ts). */
export const DIGESTS = {
  paymentsApi: 'sha256:4b5f0c4a1c0f3d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f',
  sitemap: 'sha256:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d',
  checkout: 'sha256:7d1e0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d',
  recommendations: 'sha256:3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b',
} as const;
const SIGNING_PROFILE = `arn:aws:signer:${R}:${A}:/signing-profiles/acme_release`;
const KB_PRODUCT = `arn:aws:securityhub:${R}::product/aqua-security/kube-bench`;

const ns = (name: string, labels: Record<string, string> = {}) => obj('v1', 'Namespace', name, undefined, {}, { labels: { 'kubernetes.io/metadata.name': name, ...labels } });

/** The time of the last kube-bench run: three days ago at 04:00 UTC. */
function kubeBenchRun(now: Date): Date {
  const d = new Date(now.getTime() - 3 * 86_400_000);
  d.setUTCHours(4, 1, 12, 0);
  return d;
}

function kubeBench(now: Date): K8sObject[] {
  const run = kubeBenchRun(now).toISOString();
  const podSpec = {
    hostPID: true,
    serviceAccountName: 'kube-bench',
    restartPolicy: 'Never',
    containers: [{
      name: 'kube-bench',
      image: 'docker.io/aquasec/kube-bench:v0.15.6',
      command: ['kube-bench', 'run', '--targets', 'node,policies', '--benchmark', 'eks-1.8.0', '--asff'],
      volumeMounts: [
        { name: 'var-lib-kubelet', mountPath: '/var/lib/kubelet', readOnly: true },
        { name: 'etc-systemd', mountPath: '/etc/systemd', readOnly: true },
        { name: 'etc-kubernetes', mountPath: '/etc/kubernetes', readOnly: true },
        { name: 'kube-bench-eks-config', mountPath: '/opt/kube-bench/cfg/eks-1.8.0/config.yaml', subPath: 'config.yaml', readOnly: true },
      ],
    }],
    volumes: [
      { name: 'var-lib-kubelet', hostPath: { path: '/var/lib/kubelet' } },
      { name: 'etc-systemd', hostPath: { path: '/etc/systemd' } },
      { name: 'etc-kubernetes', hostPath: { path: '/etc/kubernetes' } },
      { name: 'kube-bench-eks-config', configMap: { name: 'kube-bench-eks-config' } },
    ],
  };
  const cron = obj('batch/v1', 'CronJob', 'kube-bench', 'kube-bench', {
    spec: { schedule: '0 4 * * 1', concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, jobTemplate: { spec: { backoffLimit: 0, template: { spec: podSpec } } } },
    status: { lastScheduleTime: new Date(Date.parse(run) - 72_000).toISOString(), lastSuccessfulTime: run },
  }, { labels: { 'app.kubernetes.io/name': 'kube-bench' } });
  const job = owned(obj('batch/v1', 'Job', `kube-bench-${Math.floor(Date.parse(run) / 60_000)}`, 'kube-bench', {
    spec: { backoffLimit: 0, template: { spec: podSpec } },
    status: { startTime: new Date(Date.parse(run) - 69_000).toISOString(), completionTime: run, succeeded: 1, conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: run }] },
  }, { labels: { 'app.kubernetes.io/name': 'kube-bench' } }), cron);
  return [ns('kube-bench', { 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'privileged' }), cron, job];
}

function trivy(now: Date): K8sObject[] {
  const group = 'aquasecurity.github.io';
  const crd = (plural: string, kind: string, scope = 'Namespaced') => obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', `${plural}.${group}`, undefined, {
    spec: { group, names: { kind, plural, singular: kind.toLowerCase() }, scope, versions: [{ name: 'v1alpha1', served: true, storage: true }] },
  });
  const operator = obj('apps/v1', 'Deployment', 'trivy-operator', 'trivy-system', {
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'trivy-operator', 'app.kubernetes.io/instance': 'trivy-operator' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'trivy-operator', 'app.kubernetes.io/instance': 'trivy-operator' } },
        spec: {
          serviceAccountName: 'trivy-operator',
          automountServiceAccountToken: true,
          securityContext: { runAsNonRoot: true, runAsUser: 10000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'trivy-operator', image: 'mirror.gcr.io/aquasec/trivy-operator:0.29.0',
            env: [{ name: 'OPERATOR_NAMESPACE', value: 'trivy-system' }, { name: 'OPERATOR_VULNERABILITY_SCANNER_ENABLED', value: 'true' }, { name: 'OPERATOR_SCAN_JOB_TTL', value: '10m' }],
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
          }],
        },
      },
    },
    status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 },
  }, { labels: { 'app.kubernetes.io/name': 'trivy-operator', 'app.kubernetes.io/instance': 'trivy-operator', 'app.kubernetes.io/managed-by': 'Helm' } });

  const report = (namespace: string, kind: string, name: string, container: string, image: { registry: string; repository: string; tag?: string; digest?: string },
    o: { critical?: number; high?: number; medium?: number; low?: number; createdDays: number; updatedDays: number; os: { family: string; name: string; eosl?: boolean }; vulns?: unknown[] }) =>
    obj(`${group}/v1alpha1`, 'VulnerabilityReport', `${kind.toLowerCase()}-${name}-${container}`, namespace, {
      report: {
        updateTimestamp: ago(now, o.updatedDays, 2),
        scanner: { name: 'Trivy', vendor: 'Aqua Security', version: '0.64.1' },
        registry: { server: image.registry },
        artifact: { repository: image.repository, ...(image.tag ? { tag: image.tag } : {}), ...(image.digest ? { digest: image.digest } : {}) },
        os: o.os,
        summary: { criticalCount: o.critical ?? 0, highCount: o.high ?? 0, mediumCount: o.medium ?? 0, lowCount: o.low ?? 0, unknownCount: 0, noneCount: 0 },
        vulnerabilities: o.vulns ?? [],
      },
    }, {
      creationTimestamp: ago(now, o.createdDays),
      labels: {
        'trivy-operator.resource.kind': kind, 'trivy-operator.resource.name': name, 'trivy-operator.resource.namespace': namespace,
        'trivy-operator.container.name': container, 'app.kubernetes.io/managed-by': 'trivy-operator',
      },
    });
  const cve = (id: string, sev: string, pkg: string, installed: string, fixed: string, title: string, published: string) => ({
    vulnerabilityID: id, severity: sev, resource: pkg, installedVersion: installed, fixedVersion: fixed, title, primaryLink: `https://avd.aquasec.com/nvd/${id.toLowerCase()}`, score: sev === 'CRITICAL' ? 9.8 : 7.5, target: '',
    publishedDate: published, lastModifiedDate: published,
  });
  // The ReplicaSets the reports target (the base declares the Deployments): their creation is when the image was deployed.
  const replicaSet = (namespace: string, deployment: string, name: string, createdDays: number) => obj('apps/v1', 'ReplicaSet', name, namespace, {
    spec: { replicas: 1, selector: {} },
    status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 },
  }, {
    creationTimestamp: ago(now, createdDays),
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment, uid: uid('Deployment', namespace, deployment), controller: true }],
  });
  return [
    ns('trivy-system', { 'pod-security.kubernetes.io/enforce': 'baseline' }),
    crd('vulnerabilityreports', 'VulnerabilityReport'), crd('configauditreports', 'ConfigAuditReport'), crd('exposedsecretreports', 'ExposedSecretReport'),
    crd('rbacassessmentreports', 'RbacAssessmentReport'), crd('clustercompliancereports', 'ClusterComplianceReport', 'Cluster'),
    operator,
    report('payments', 'ReplicaSet', 'payments-api-7c9d8f6b5', 'api', { registry: `${ECR}`, repository: 'payments-api', digest: DIGESTS.paymentsApi },
      { high: 0, medium: 2, low: 6, createdDays: 40, updatedDays: 1, os: { family: 'alpine', name: '3.20.3' } }),
    replicaSet('storefront', 'web', 'web-6f8d9c7b5d', 6),
    report('storefront', 'ReplicaSet', 'web-6f8d9c7b5d', 'nginx', { registry: 'public.ecr.aws', repository: 'nginx/nginx', tag: '1.27.3' },
      { critical: 1, high: 4, medium: 11, low: 30, createdDays: 0, updatedDays: 0, os: { family: 'debian', name: '12.8' },
        vulns: [cve('CVE-2026-21788', 'CRITICAL', 'libxml2', '2.9.14+dfsg-1.3~deb12u1', '2.9.14+dfsg-1.3~deb12u2', 'libxml2: heap buffer overflow in xmlSnprintfElementContent', ago(now, 40))] }),
    report('storefront', 'CronJob', 'sitemap', 'sitemap', { registry: `${ECR}`, repository: 'sitemap', tag: '2.4.1' },
      { critical: 1, high: 2, medium: 3, createdDays: 1, updatedDays: 1, os: { family: 'debian', name: '12.7' },
        vulns: [cve('CVE-2026-10042', 'CRITICAL', 'openssl', '3.0.14-1~deb12u2', '3.0.15-1~deb12u1', 'openssl: remote code execution in certificate parsing', ago(now, 25))] }),
    replicaSet('legacy', 'billing-monolith', 'billing-monolith-5b7c9d8f6', 64),
    report('legacy', 'ReplicaSet', 'billing-monolith-5b7c9d8f6', 'billing', { registry: 'index.docker.io', repository: 'acme/billing', tag: 'latest' },
      { critical: 4, high: 19, medium: 41, low: 60, createdDays: 1, updatedDays: 1, os: { family: 'debian', name: '9.13', eosl: true },
        vulns: [cve('CVE-2023-4911', 'CRITICAL', 'libc6', '2.24-11+deb9u4', '', 'glibc: buffer overflow in ld.so leading to privilege escalation', '2023-10-03T18:15:00Z')] }),
    report('data', 'StatefulSet', 'postgres', 'postgres', { registry: 'public.ecr.aws', repository: 'docker/library/postgres', digest: 'sha256:9d2c1a0f3e4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d' },
      { high: 1, medium: 5, low: 12, createdDays: 30, updatedDays: 1, os: { family: 'debian', name: '12.8' } }),
    report('kube-bench', 'CronJob', 'kube-bench', 'kube-bench', { registry: 'index.docker.io', repository: 'aquasec/kube-bench', tag: 'v0.15.6' },
      { high: 1, medium: 3, low: 4, createdDays: 50, updatedDays: 1, os: { family: 'alpine', name: '3.22.2' } }),
    report('kube-system', 'DaemonSet', 'kube-proxy', 'kube-proxy', { registry: `602401143452.dkr.ecr.${R}.amazonaws.com`, repository: 'eks/kube-proxy', tag: 'v1.33.5-minimal-eksbuild.2' },
      { high: 1, medium: 2, createdDays: 12, updatedDays: 1, os: { family: 'amazon', name: '2023' } }),
  ];
}

function kyverno(now: Date): K8sObject[] {
  const hook = (name: string, path: string) => ({
    name, failurePolicy: 'Fail', sideEffects: 'NoneOnDryRun', admissionReviewVersions: ['v1'], timeoutSeconds: 30, matchPolicy: 'Equivalent',
    clientConfig: { service: { name: 'kyverno-svc', namespace: 'kyverno', path, port: 443 } },
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kyverno'] }] },
    rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'], scope: '*' }],
  });
  const policy = obj('kyverno.io/v1', 'ClusterPolicy', 'verify-image-signatures', undefined, {
    spec: {
      webhookTimeoutSeconds: 30,
      failurePolicy: 'Fail',
      background: true,
      rules: [{
        name: 'verify-notation-signature',
        match: { any: [{ resources: { kinds: ['Pod'] } }] },
        // The legacy monolith is still built outside the signing pipeline: exempted until its migration.
        exclude: { any: [{ resources: { namespaces: ['kube-system', 'legacy'] } }] },
        verifyImages: [{
          type: 'Notary',
          failureAction: 'Enforce',
          imageReferences: [`${ECR}/*`],
          mutateDigest: true,
          verifyDigest: true,
          required: true,
          attestors: [{ count: 1, entries: [{ certificates: { cert: '-----BEGIN CERTIFICATE-----\nMIIC... AWS Signer root (commercial partition) ...\n-----END CERTIFICATE-----' } }] }],
        }],
      }],
    },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded' }] },
  }, { annotations: { 'policies.kyverno.io/title': 'Verify image signatures (AWS Signer / Notation)', 'policies.kyverno.io/category': 'Software Supply Chain Security' } });
  const registries = obj('kyverno.io/v1', 'ClusterPolicy', 'restrict-image-registries', undefined, {
    spec: {
      validationFailureAction: 'Audit',
      background: true,
      rules: [{
        name: 'validate-registries',
        match: { any: [{ resources: { kinds: ['Pod'] } }] },
        validate: { message: 'Images must come from the company ECR registry or public.ecr.aws.', pattern: { spec: { containers: [{ image: `${ECR}/* | public.ecr.aws/*` }] } } },
      }],
    },
  });
  const report = (namespace: string, kind: string, name: string, result: 'pass' | 'fail', message: string) => obj('wgpolicyk8s.io/v1alpha2', 'PolicyReport', `${kind.toLowerCase()}-${name}`, namespace, {
    scope: { apiVersion: kind === 'CronJob' ? 'batch/v1' : 'apps/v1', kind, name, namespace },
    results: [{ policy: 'verify-image-signatures', rule: 'autogen-verify-notation-signature', result, message, source: 'kyverno', scored: true, timestamp: { seconds: Math.floor(now.getTime() / 1000) - 3600, nanos: 0 } }],
    summary: { pass: result === 'pass' ? 1 : 0, fail: result === 'fail' ? 1 : 0, warn: 0, error: 0, skip: 0 },
  }, { labels: { 'app.kubernetes.io/managed-by': 'kyverno' } });
  return [
    ns('kyverno'),
    obj('apps/v1', 'Deployment', 'kyverno-admission-controller', 'kyverno', {
      spec: { replicas: 3, selector: { matchLabels: { 'app.kubernetes.io/component': 'admission-controller' } }, template: { metadata: { labels: { 'app.kubernetes.io/component': 'admission-controller', 'app.kubernetes.io/part-of': 'kyverno' } }, spec: { containers: [{ name: 'kyverno', image: 'reg.kyverno.io/kyverno/kyverno:v1.15.2' }] } } },
      status: { replicas: 3, readyReplicas: 3, availableReplicas: 3 },
    }, { labels: { 'app.kubernetes.io/component': 'admission-controller', 'app.kubernetes.io/part-of': 'kyverno' } }),
    policy, registries,
    obj('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'kyverno-resource-validating-webhook-cfg', undefined, { webhooks: [hook('validate.kyverno.svc-fail', '/validate/fail')] }, { labels: { 'webhook.kyverno.io/managed-by': 'kyverno' } }),
    obj('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'kyverno-resource-mutating-webhook-cfg', undefined, { webhooks: [hook('mutate.kyverno.svc-fail', '/mutate/fail')] }, { labels: { 'webhook.kyverno.io/managed-by': 'kyverno' } }),
    report('payments', 'Deployment', 'payments-api', 'pass', `verified image signatures for api:${ECR}/payments-api@${DIGESTS.paymentsApi}`),
    // Admitted before the policy was enforced; the background scan now flags it.
    report('storefront', 'CronJob', 'sitemap', 'fail', `failed to verify image ${ECR}/sitemap:2.4.1: .attestors[0].entries[0]: no signature is associated with "${ECR}/sitemap@${DIGESTS.sitemap}"`),
  ];
}

export function objects(now: Date): K8sObject[] {
  return [...kubeBench(now), ...trivy(now), ...kyverno(now)];
}

// ───────────────────────── AWS facts ─────────────────────────

function ecrFacts(now: Date): AwsFact[] {
  const repos = [
    { name: 'payments-api', created: 620 }, { name: 'sitemap', created: 540 }, { name: 'checkout', created: 300 },
    { name: 'recommendations', created: 280 }, { name: 'billing-legacy', created: 900 },
  ];
  const out: AwsFact[] = [];
  out.push(fact('ecr', 'GetRegistryScanningConfiguration', {
    registryId: A,
    scanningConfiguration: { scanType: 'ENHANCED', rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }] },
  }));
  out.push(fact('inspector2', 'BatchGetAccountStatus', {
    accounts: [{ accountId: A, state: { status: 'ENABLED' }, resourceState: { ec2: { status: 'DISABLED' }, ecr: { status: 'ENABLED' }, lambda: { status: 'DISABLED' }, lambdaCode: { status: 'DISABLED' } } }],
    failedAccounts: [],
  }, { accountIds: [A] }));
  out.push(fact('inspector2', 'GetConfiguration', { ecrConfiguration: { rescanDurationState: { rescanDuration: 'DAYS_90', status: 'SUCCESS', updatedAt: ago(now, 200), pullDateRescanDuration: 'DAYS_30', pullDateRescanMode: 'LAST_PULL_DATE' } } }));
  out.push(fact('ecr', 'DescribeRepositories', {
    repositories: repos.map((r) => ({
      repositoryArn: `arn:aws:ecr:${R}:${A}:repository/${r.name}`, registryId: A, repositoryName: r.name, repositoryUri: `${ECR}/${r.name}`,
      createdAt: ago(now, r.created), imageTagMutability: r.name === 'billing-legacy' ? 'MUTABLE' : 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: false }, encryptionConfiguration: { encryptionType: 'KMS', kmsKey: `arn:aws:kms:${R}:${A}:key/5f2d7a1e-ecr0-4c1b-9a8e-0d1c2b3a4f5e` },
    })),
  }));
  out.push(fact('ecr', 'BatchGetRepositoryScanningConfiguration', {
    scanningConfigurations: repos.map((r) => ({ repositoryArn: `arn:aws:ecr:${R}:${A}:repository/${r.name}`, repositoryName: r.name, scanOnPush: true, scanFrequency: 'CONTINUOUS_SCAN', appliedScanFilters: [{ filter: '*', filterType: 'WILDCARD' }] })),
    failures: [],
  }, { repositoryNames: repos.map((r) => r.name) }));
  const image = (repo: string, digest: string, tags: string[], pushedDays: number, scannedDays: number, counts: Record<string, number>) => fact('ecr', 'DescribeImages', {
    imageDetails: [{
      registryId: A, repositoryName: repo, imageDigest: digest, imageTags: tags, imageSizeInBytes: 48_211_337, imagePushedAt: ago(now, pushedDays),
      imageScanStatus: { status: 'ACTIVE', description: 'Continuous scan is selected for image.' },
      imageScanFindingsSummary: { imageScanCompletedAt: ago(now, scannedDays, 3), vulnerabilitySourceUpdatedAt: ago(now, scannedDays, 3), findingSeverityCounts: counts },
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json', artifactMediaType: 'application/vnd.oci.image.config.v1+json',
      lastRecordedPullTime: ago(now, 0, 5), imageStatus: 'ACTIVE',
    }],
  }, { repositoryName: repo, imageIds: [{ imageDigest: digest }] });
  out.push(image('payments-api', DIGESTS.paymentsApi, ['3.8.2'], 41, 1, { MEDIUM: 2, LOW: 6 }));
  out.push(image('sitemap', DIGESTS.sitemap, ['2.4.1'], 230, 2, { CRITICAL: 1, HIGH: 2, MEDIUM: 3 }));
  out.push(image('checkout', DIGESTS.checkout, ['7.1.0'], 9, 0, { HIGH: 1, MEDIUM: 4 }));
  out.push(image('recommendations', DIGESTS.recommendations, ['4.2.0'], 60, 1, { MEDIUM: 1 }));
  out.push(fact('ecr', 'DescribeImageScanFindings', {
    registryId: A, repositoryName: 'sitemap', imageId: { imageDigest: DIGESTS.sitemap, imageTag: '2.4.1' }, imageScanStatus: { status: 'ACTIVE', description: 'Continuous scan is selected for image.' },
    imageScanFindings: {
      imageScanCompletedAt: ago(now, 2, 3), vulnerabilitySourceUpdatedAt: ago(now, 2, 3), findingSeverityCounts: { CRITICAL: 1, HIGH: 2, MEDIUM: 3 },
      enhancedFindings: [{
        awsAccountId: A, findingArn: `arn:aws:inspector2:${R}:${A}:finding/6f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c`, severity: 'CRITICAL', status: 'ACTIVE', type: 'PACKAGE_VULNERABILITY',
        title: 'CVE-2026-10042 - openssl', description: 'Remote code execution in certificate parsing.', score: 9.8, fixAvailable: 'YES', exploitAvailable: 'NO',
        firstObservedAt: ago(now, 21), lastObservedAt: ago(now, 2), updatedAt: ago(now, 2),
        packageVulnerabilityDetails: { vulnerabilityId: 'CVE-2026-10042', source: 'DEBIAN_CVE', vulnerablePackages: [{ name: 'openssl', version: '3.0.14-1~deb12u2', fixedInVersion: '3.0.15-1~deb12u1' }] },
      }],
    },
  }, { repositoryName: 'sitemap', imageId: { imageDigest: DIGESTS.sitemap } }));

  // Signing: Notation profile, managed signing since 120 days; sitemap was pushed before that.
  out.push(fact('signer', 'ListSigningProfiles', {
    profiles: [{
      profileName: 'acme_release', profileVersion: 'Q3bXnW9pLk', profileVersionArn: `${SIGNING_PROFILE}/Q3bXnW9pLk`, arn: SIGNING_PROFILE,
      platformId: 'Notation-OCI-SHA384-ECDSA', platformDisplayName: 'Notation for container registries', signatureValidityPeriod: { value: 135, type: 'MONTHS' }, status: 'Active', tags: { team: 'platform' },
    }],
  }));
  out.push(fact('ecr', 'GetSigningConfiguration', { registryId: A, signingConfiguration: { rules: [{ signingProfileArn: SIGNING_PROFILE }] } }));
  const signing = (repo: string, digest: string, statuses: JsonObject[]) => fact('ecr', 'DescribeImageSigningStatus', { repositoryName: repo, imageId: { imageDigest: digest }, registryId: A, signingStatuses: statuses }, { repositoryName: repo, imageId: { imageDigest: digest } });
  out.push(signing('payments-api', DIGESTS.paymentsApi, [{ signingProfileArn: SIGNING_PROFILE, status: 'COMPLETE' }]));
  out.push(signing('sitemap', DIGESTS.sitemap, []));
  out.push(signing('checkout', DIGESTS.checkout, [{ signingProfileArn: SIGNING_PROFILE, status: 'COMPLETE' }]));
  out.push(signing('recommendations', DIGESTS.recommendations, [{ signingProfileArn: SIGNING_PROFILE, status: 'COMPLETE' }]));
  out.push(fact('ecr', 'ListImageReferrers', {
    referrers: [{ digest: 'sha256:b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0', mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.cncf.notary.signature', size: 1472, artifactStatus: 'ACTIVE', annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '["8d5f…"]' } }],
  }, { repositoryName: 'payments-api', subjectId: { imageDigest: DIGESTS.paymentsApi }, filter: { artifactTypes: ['application/vnd.cncf.notary.signature'], artifactStatus: 'ACTIVE' } }));
  out.push(fact('ecr', 'ListImageReferrers', { referrers: [] }, { repositoryName: 'sitemap', subjectId: { imageDigest: DIGESTS.sitemap }, filter: { artifactTypes: ['application/vnd.cncf.notary.signature'], artifactStatus: 'ACTIVE' } }));
  return out;
}

/** AWS Config in eu-west-1: recorder, delivery channel, the EKS conformance pack and Security Hub rules. Also read by CC8-PIPE-04. */
function configFacts(now: Date): AwsFact[] {
  const pack = 'Security-Best-Practices-for-EKS';
  const suffix = 'conformance-pack-k7ztmbq3a';
  let n = 0;
  /** A managed rule; `createdBy` is set for service-linked rules only (conformance packs, Security Hub). */
  const rule = (name: string, id: string, createdBy?: string, input?: Record<string, string>) => {
    const ruleId = `config-rule-${(0x5a1c0e + 7919 * ++n).toString(36)}`;
    return {
      ConfigRuleName: name,
      ConfigRuleArn: `arn:aws:config:${R}:${A}:config-rule/${createdBy ? `aws-service-rule/${createdBy}/` : ''}${ruleId}`,
      ConfigRuleId: ruleId,
      Source: { Owner: 'AWS', SourceIdentifier: id }, Scope: { ComplianceResourceTypes: ['AWS::EKS::Cluster'] }, ConfigRuleState: 'ACTIVE',
      ...(input ? { InputParameters: JSON.stringify(input) } : {}), ...(createdBy ? { CreatedBy: createdBy } : {}),
      EvaluationModes: [{ Mode: 'DETECTIVE' }],
    };
  };
  const viaPack = 'config-conforms.amazonaws.com';
  const rules = [
    rule(`eks-endpoint-no-public-access-${suffix}`, 'EKS_ENDPOINT_NO_PUBLIC_ACCESS', viaPack),
    rule(`eks-secrets-encrypted-${suffix}`, 'EKS_SECRETS_ENCRYPTED', viaPack),
    rule(`eks-cluster-logging-enabled-${suffix}`, 'EKS_CLUSTER_LOG_ENABLED', viaPack, { logTypes: 'api,audit,authenticator,controllerManager,scheduler' }),
    rule(`eks-cluster-oldest-supported-version-${suffix}`, 'EKS_CLUSTER_OLDEST_SUPPORTED_VERSION', viaPack, { oldestVersionSupported: '1.32' }),
    rule('securityhub-eks-cluster-supported-version-2b1c9a', 'EKS_CLUSTER_SUPPORTED_VERSION', 'securityhub.amazonaws.com', { oldestVersionSupported: '1.31' }),
    rule('guardduty-eks-protection-runtime-enabled', 'GUARDDUTY_EKS_PROTECTION_RUNTIME_ENABLED'),
    { ...rule('s3-bucket-versioning-enabled', 'S3_BUCKET_VERSIONING_ENABLED'), Scope: { ComplianceResourceTypes: ['AWS::S3::Bucket'] } },
  ];
  const compliance: Record<string, string> = {
    [`eks-endpoint-no-public-access-${suffix}`]: 'NON_COMPLIANT',
    [`eks-secrets-encrypted-${suffix}`]: 'COMPLIANT',
    [`eks-cluster-logging-enabled-${suffix}`]: 'NON_COMPLIANT',
    [`eks-cluster-oldest-supported-version-${suffix}`]: 'COMPLIANT',
    'securityhub-eks-cluster-supported-version-2b1c9a': 'COMPLIANT',
    'guardduty-eks-protection-runtime-enabled': 'COMPLIANT',
    's3-bucket-versioning-enabled': 'COMPLIANT',
  };
  return [
    fact('config', 'DescribeConfigurationRecorders', {
      ConfigurationRecorders: [{
        arn: `arn:aws:config:${R}:${A}:configuration-recorder/default/ab12cd34ef56gh78`, name: 'default',
        roleARN: `arn:aws:iam::${A}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
        recordingGroup: { allSupported: true, includeGlobalResourceTypes: true, resourceTypes: [], exclusionByResourceTypes: { resourceTypes: [] }, recordingStrategy: { useOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' } },
        recordingMode: { recordingFrequency: 'CONTINUOUS', recordingModeOverrides: [] },
        recordingScope: 'PAID',
      }],
    }),
    fact('config', 'DescribeConfigurationRecorderStatus', {
      ConfigurationRecordersStatus: [{ arn: `arn:aws:config:${R}:${A}:configuration-recorder/default/ab12cd34ef56gh78`, name: 'default', lastStartTime: ago(now, 690), recording: true, lastStatus: 'Success', lastStatusChangeTime: ago(now, 0, 1) }],
    }),
    fact('config', 'DescribeDeliveryChannels', {
      DeliveryChannels: [{ name: 'default', s3BucketName: `acme-aws-config-${A}`, s3KeyPrefix: 'config', configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' } }],
    }),
    fact('config', 'DescribeConfigRules', { ConfigRules: rules }),
    fact('config', 'DescribeComplianceByConfigRule', {
      ComplianceByConfigRules: Object.entries(compliance).map(([name, type]) => ({ ConfigRuleName: name, Compliance: { ComplianceType: type, ...(type === 'NON_COMPLIANT' ? { ComplianceContributorCount: { CappedCount: 1, CapExceeded: false } } : {}) } })),
    }),
    fact('config', 'DescribeConformancePacks', {
      ConformancePackDetails: [{
        ConformancePackName: pack, ConformancePackArn: `arn:aws:config:${R}:${A}:conformance-pack/${pack}/${suffix}`, ConformancePackId: suffix,
        DeliveryS3Bucket: `awsconfigconforms-acme-${A}`, LastUpdateRequestedTime: ago(now, 150), CreatedBy: 'admin@acme.example', ConformancePackInputParameters: [],
      }],
    }),
  ];
}

/** kube-bench's Security Hub import (ASFF) of the latest run: two failed checks and two manual ones. */
function kubeBenchFindings(now: Date): AwsFact {
  const run = kubeBenchRun(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const f = (id: string, text: string, reason: string, actual: string, expected: string) => ({
    SchemaVersion: '2018-10-08',
    Id: `${KB_PRODUCT}${A}EKSnodeID+${id}${run}`,
    ProductArn: KB_PRODUCT,
    ProductName: 'Kube-bench', CompanyName: 'Aqua Security',
    GeneratorId: `${KB_PRODUCT}/cis-kubernetes-benchmark/eks-1.8.0/${id}`,
    AwsAccountId: A,
    Types: ['Software and Configuration Checks/Industry and Regulatory Standards/CIS Kubernetes Benchmark'],
    CreatedAt: run, UpdatedAt: run,
    Severity: { Label: 'HIGH', Normalized: 70, Original: 'HIGH' },
    Confidence: 100,
    Title: `${id} ${text}`,
    Description: text,
    Remediation: { Recommendation: { Text: 'See the CIS Amazon EKS Benchmark remediation for this check.' } },
    ProductFields: { Reason: reason, 'Actual result': actual, 'Expected result': expected, Section: id.startsWith('3') ? '3 Worker Nodes' : '4 Policies', Subsection: id.split('.').slice(0, 2).join('.') },
    Resources: [{ Id: DEMO.arn, Type: 'Software and Configuration Checks/Industry and Regulatory Standards/CIS Kubernetes Benchmark', Partition: 'aws', Region: R }],
    RecordState: 'ACTIVE',
    Workflow: { Status: 'NEW' }, WorkflowState: 'NEW',
  });
  return fact('securityhub', 'GetFindings', {
    Findings: [
      f('3.2.7', 'Ensure that the --eventRecordQPS argument is set to 0 or a level which ensures appropriate event capture (Automated)', '', 'eventRecordQPS: 5', "'eventRecordQPS' is equal to '0'"),
      f('3.2.9', 'Ensure that the RotateKubeletServerCertificate argument is set to true (Automated)', '', 'RotateKubeletServerCertificate: false', "'RotateKubeletServerCertificate' is equal to 'true'"),
      f('4.1.7', 'Cluster Access Manager API to streamline and enhance the management of access controls within EKS clusters (Manual)', 'Test marked as a manual test', '', ''),
      f('4.1.8', 'Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster (Manual)', 'Test marked as a manual test', '', ''),
    ],
  }, { Filters: { ProductArn: [{ Value: KB_PRODUCT, Comparison: 'EQUALS' }], RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }] } });
}

export function facts(now: Date): AwsFact[] {
  return [...ecrFacts(now), ...configFacts(now), kubeBenchFindings(now)];
}

/** AWS operations the demo answers with nothing to report (e.g. an empty list). */
export function emptyCalls(): string[] {
  // No organization aggregator; Inspector coverage is not needed since DescribeImages answers.
  return ['config:DescribeConfigurationAggregators', 'inspector2:ListCoverage'];
}

export function policies(now: Date): { waivers: Waiver[]; attestations: Attestation[] } {
  const day = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString().slice(0, 10);
  return {
    waivers: [{
      id: 'RISK-2026-022', control: 'CC3-RA-01', rule: 'no-failed-checks', resources: { name: 'kube-bench 3.2.7' },
      reason: 'eventRecordQPS=5 is the EKS-optimized AMI default; event volume is covered by the audit log. Accepted until the AL2023 node image sets 0',
      approvedBy: 'ciso@acme.example', expires: day(90), source: { file: '<demo>' },
    }],
    attestations: [],
  };
}

