import type { Attestation, AwsFact, JsonObject, K8sObject, Waiver } from '../../model/index.js';
import { DEMO, ago, fact } from './build.js';
import { DEMO_ADDONS } from './core.js';

/**
 * Demo fragment for CC8 (deployment pipeline and version management): two CodePipelines
 * (acme-prod-deploy is gated by tests, an Inspector scan and a manual approval; storefront-web
 * deploys to production without approval), the upgrade-readiness insights for 1.34, and the add-on
 * versions offered for 1.33 and 1.34. Kubernetes objects (Argo CD, Rollouts) are in the CC7 fragment;
 * the EKS calendar (1.33 in extended support) is in the core; AWS Config facts come from CC3.
 */
export function objects(_now: Date): K8sObject[] {
  return [];
}

type Action = [name: string, category: string, owner: string, provider: string, configuration?: Record<string, string>];

function pipeline(now: Date, name: string, stages: [string, Action[]][]): AwsFact {
  return fact('codepipeline', 'GetPipeline', {
    pipeline: {
      name, version: 14, pipelineType: 'V2', executionMode: 'QUEUED',
      roleArn: `arn:aws:iam::${DEMO.accountId}:role/codepipeline-${name}`,
      artifactStore: { type: 'S3', location: `acme-codepipeline-artifacts-${DEMO.region}` },
      stages: stages.map(([stage, actions]) => ({
        name: stage,
        actions: actions.map(([n, category, owner, provider, configuration], i) => ({
          name: n, runOrder: i + 1, actionTypeId: { category, owner, provider, version: '1' }, ...(configuration ? { configuration } : {}),
        })),
      })),
    },
    metadata: { pipelineArn: `arn:aws:codepipeline:${DEMO.region}:${DEMO.accountId}:${name}`, created: ago(now, 500), updated: ago(now, 15) },
  }, { name });
}

/** Add-on versions EKS offers for 1.34 (the installed versions in core.ts serve 1.33). */
const NEXT: Record<string, string> = {
  'vpc-cni': 'v1.20.4-eksbuild.1',
  coredns: 'v1.12.3-eksbuild.1',
  'kube-proxy': 'v1.34.1-eksbuild.2',
  'aws-ebs-csi-driver': 'v1.48.0-eksbuild.2',
  'eks-pod-identity-agent': 'v1.3.8-eksbuild.2',
  'aws-guardduty-agent': 'v1.11.0-eksbuild.1',
  'amazon-cloudwatch-observability': 'v4.4.0-eksbuild.1',
  'metrics-server': 'v0.8.0-eksbuild.1',
};
/** Add-ons whose installed version also runs on 1.34 (no update needed before the upgrade). */
const SPANS_NEXT = new Set(['vpc-cni', 'eks-pod-identity-agent']);

export function facts(now: Date): AwsFact[] {
  const src: Action = ['source', 'Source', 'AWS', 'CodeStarSourceConnection', { FullRepositoryId: 'acme/platform-deploy', BranchName: 'main', ConnectionArn: `arn:aws:codeconnections:${DEMO.region}:${DEMO.accountId}:connection/0a1b2c3d` }];
  const build = (project: string): Action => ['build-image', 'Build', 'AWS', 'CodeBuild', { ProjectName: project }];
  const deploy = (n: string): Action => [n, 'Deploy', 'AWS', 'EKS', { ClusterName: DEMO.cluster, ManifestFiles: 'k8s/overlays/prod' }];
  const out: AwsFact[] = [
    fact('codepipeline', 'ListPipelines', {
      pipelines: [
        { name: 'acme-prod-deploy', version: 14, pipelineType: 'V2', executionMode: 'QUEUED', created: ago(now, 500), updated: ago(now, 15) },
        { name: 'storefront-web', version: 6, pipelineType: 'V2', executionMode: 'SUPERSEDED', created: ago(now, 300), updated: ago(now, 60) },
      ],
    }),
    pipeline(now, 'acme-prod-deploy', [
      ['Source', [src]],
      ['Build', [build('payments-api-build')]],
      ['Test', [['unit-and-integration', 'Test', 'AWS', 'CodeBuild', { ProjectName: 'payments-api-tests' }]]],
      ['Scan', [['image-scan', 'Invoke', 'AWS', 'InspectorScan', { InspectorRunMode: 'ECRImageScan', ECRRepositoryName: 'payments-api', CriticalThreshold: '0', HighThreshold: '0' }]]],
      ['Approve', [['release-approval', 'Approval', 'AWS', 'Manual', { CustomData: 'Approve the production release of payments-api' }]]],
      ['Deploy-prod', [deploy('deploy-payments')]],
    ]),
    // Tested and scanned, but nothing stops a change on its way to production.
    pipeline(now, 'storefront-web', [
      ['Source', [src]],
      ['Build', [build('storefront-web-build'), ['trivy-scan', 'Build', 'AWS', 'CodeBuild', { ProjectName: 'storefront-trivy-scan' }]]],
      ['Test', [['e2e', 'Test', 'AWS', 'CodeBuild', { ProjectName: 'storefront-e2e' }]]],
      ['Deploy-prod', [deploy('deploy-web')]],
    ]),
  ];

  const insight = (id: string, name: string, description: string): JsonObject => ({
    id, name, category: 'UPGRADE_READINESS', kubernetesVersion: '1.34', description,
    lastRefreshTime: ago(now, 0, 6), lastTransitionTime: ago(now, 20),
    insightStatus: { status: 'PASSING', reason: 'No issue detected.' },
  });
  out.push(fact('eks', 'ListInsights', {
    insights: [
      insight('a1b2c3d4-0001', 'Kubelet version skew', 'Checks the kubelet version of worker nodes against the control plane.'),
      insight('a1b2c3d4-0002', 'EKS add-on version compatibility', 'Checks that installed EKS add-ons have versions compatible with the next Kubernetes version.'),
      insight('a1b2c3d4-0003', 'Cluster health issues', 'Checks for cluster health issues that block an upgrade.'),
      insight('a1b2c3d4-0004', 'Amazon Linux 2 compatibility', 'Checks for nodes on Amazon Linux 2, which has no AMI for newer versions.'),
    ],
  }, { clusterName: DEMO.cluster, filter: { categories: ['UPGRADE_READINESS'] } }));

  for (const [name, a] of Object.entries(DEMO_ADDONS)) {
    const info = (versions: { v: string; def: boolean }[], k8s: string): JsonObject => ({
      addons: [{
        addonName: name, type: name === 'vpc-cni' || name === 'kube-proxy' || name === 'coredns' ? 'networking' : 'other', owner: 'aws', publisher: 'eks',
        addonVersions: versions.map(({ v, def }) => ({
          addonVersion: v, architecture: ['amd64', 'arm64'], computeTypes: ['ec2', 'auto', 'hybrid'],
          compatibilities: [{ clusterVersion: k8s, platformVersions: ['*'], defaultVersion: def }], requiresConfiguration: false,
        })),
      }],
    });
    out.push(fact('eks', 'DescribeAddonVersions', info([{ v: a.version, def: true }], '1.33'), { addonName: name, kubernetesVersion: '1.33' }));
    const next = [{ v: NEXT[name] ?? a.version, def: true }, ...(SPANS_NEXT.has(name) ? [{ v: a.version, def: false }] : [])];
    out.push(fact('eks', 'DescribeAddonVersions', info(next, '1.34'), { addonName: name, kubernetesVersion: '1.34' }));
  }
  return out;
}

/** AWS operations the demo answers with nothing to report (e.g. an empty list). */
export function emptyCalls(): string[] {
  return ['eks:DescribeInsight'];
}

export function policies(now: Date): { waivers: Waiver[]; attestations: Attestation[] } {
  const day = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString().slice(0, 10);
  return {
    waivers: [],
    attestations: [{
      control: 'CC8-VER-04',
      statement:
        'EKS upgrade runbook v4 (control plane, then add-ons, then node groups and Karpenter; pre-checks: upgrade insights, PodDisruptionBudgets, ' +
        'deprecated APIs; rollback: blue-green cluster) reviewed and approved by the platform lead, rehearsed on acme-staging.',
      attestedBy: 'platform-lead@acme.example',
      date: day(-45),
      evidence: 'https://wiki.acme.example/platform/runbooks/eks-upgrade-v4.pdf',
      sha256: '3b7e1f9a5c2d8e4f6a0b1c3d5e7f9a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e1f',
      validUntil: day(320),
    }],
  };
}
