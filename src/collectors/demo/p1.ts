import type { Attestation, AwsFact, K8sObject, Waiver } from '../../model/index.js';
import { DEMO, ago, fact, obj } from './build.js';

/**
 * Demo fragment for Part 1: EKS access entries with their access policies (the cluster runs
 * API_AND_CONFIG_MAP, see core.ts), the `kube-system/aws-auth` ConfigMap still in use during the
 * migration, and the cluster inventory (eks:ListClusters per enabled region, ec2:DescribeRegions).
 * Node IMDS settings come from the EC2 instances of the CC6 fragment and the Karpenter
 * EC2NodeClass of the CC7 fragment; RBAC and IAM roles from the CC5 fragment.
 */

const A = DEMO.accountId;
const role = (name: string) => `arn:aws:iam::${A}:role/${name}`;
const CLUSTER_ADMIN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';
const EDIT = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy';
const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';

export function objects(_now: Date): K8sObject[] {
  // Mappings not yet moved to access entries: the node group role and a break-glass role.
  const mapRoles = [
    `- rolearn: ${role('acme-prod-node-role')}`,
    '  username: system:node:{{EC2PrivateDNSName}}',
    '  groups:',
    '    - system:bootstrappers',
    '    - system:nodes',
    `- rolearn: ${role('acme-prod-breakglass')}`,
    '  username: breakglass:{{SessionName}}',
    '  groups:',
    '    - system:masters',
    `- rolearn: ${role('AWSReservedSSO_Developer_2b7c1d9e4f3a5b6c')}`,
    '  username: developer:{{SessionName}}',
    '  groups:',
    '    - storefront-devs',
    '',
  ].join('\n');
  return [obj('v1', 'ConfigMap', 'aws-auth', 'kube-system', { data: { mapRoles } })];
}

interface Entry {
  arn: string;
  type?: string;
  groups?: string[];
  username?: string;
  policies?: { arn: string; namespaces?: string[] }[];
  /** Days before now; the creator's entry is made with the cluster. */
  created: number | 'with-cluster';
}

const ENTRIES: Entry[] = [
  // EKS made this entry for the principal that created the cluster (bootstrapClusterCreatorAdminPermissions).
  { arn: role('acme-platform-terraform'), policies: [{ arn: CLUSTER_ADMIN }], created: 'with-cluster' },
  { arn: role('AWSReservedSSO_PlatformAdmin_4f5e6d7c8b9a0b1c'), policies: [{ arn: CLUSTER_ADMIN }], created: 240 },
  { arn: role('AWSReservedSSO_Developer_2b7c1d9e4f3a5b6c'), policies: [{ arn: EDIT, namespaces: ['storefront'] }, { arn: VIEW, namespaces: ['payments', 'data'] }], created: 240 },
  { arn: role('acme-ci-deployer'), groups: ['deployers'], username: 'ci-deployer', created: 180 },
  { arn: role('acme-prod-eks-soc2-auditor'), groups: ['soc2-auditor'], username: 'eks-soc2', created: 30 },
  { arn: role('acme-prod-node-role'), type: 'EC2_LINUX', groups: ['system:nodes'], username: 'system:node:{{EC2PrivateDNSName}}', created: 700 },
  { arn: role(`${DEMO.cluster}-karpenter-node`), type: 'EC2_LINUX', groups: ['system:nodes'], username: 'system:node:{{EC2PrivateDNSName}}', created: 120 },
  { arn: role('acme-prod-fargate'), type: 'FARGATE_LINUX', groups: ['system:node-proxier', 'system:nodes'], username: 'system:node:{{SessionName}}', created: 500 },
];

export function facts(now: Date): AwsFact[] {
  const clusterName = DEMO.cluster;
  const clusterCreated = Date.parse(ago(now, 700));
  const out: AwsFact[] = [];
  out.push(fact('eks', 'ListAccessEntries', { accessEntries: ENTRIES.map((e) => e.arn) }, { clusterName }));
  for (const e of ENTRIES) {
    const created = e.created === 'with-cluster' ? new Date(clusterCreated + 2 * 60_000).toISOString() : ago(now, e.created);
    out.push(fact('eks', 'DescribeAccessEntry', {
      accessEntry: {
        clusterName, principalArn: e.arn, kubernetesGroups: e.groups ?? [], type: e.type ?? 'STANDARD', username: e.username ?? e.arn.replace(':role/', ':assumed-role/') + '/{{SessionName}}',
        accessEntryArn: `arn:aws:eks:${DEMO.region}:${A}:access-entry/${clusterName}/role/${A}/${e.arn.split('/').pop()}/${(e.arn.length * 2654435761 % 0xffffffff).toString(16)}`,
        createdAt: created, modifiedAt: created, tags: {},
      },
    }, { clusterName, principalArn: e.arn }));
    out.push(fact('eks', 'ListAssociatedAccessPolicies', {
      clusterName, principalArn: e.arn,
      associatedAccessPolicies: (e.policies ?? []).map((p) => ({
        policyArn: p.arn, accessScope: p.namespaces ? { type: 'namespace', namespaces: p.namespaces } : { type: 'cluster', namespaces: [] }, associatedAt: created, modifiedAt: created,
      })),
    }, { clusterName, principalArn: e.arn }));
  }

  // Inventory: the regions enabled for the account, and the clusters in each.
  const regions = ['eu-west-1', 'eu-west-2', 'eu-central-1', 'us-east-1', 'us-east-2', 'us-west-2'];
  out.push(fact('ec2', 'DescribeRegions', {
    Regions: [
      ...regions.map((r) => ({ RegionName: r, Endpoint: `ec2.${r}.amazonaws.com`, OptInStatus: 'opt-in-not-required' })),
      { RegionName: 'af-south-1', Endpoint: 'ec2.af-south-1.amazonaws.com', OptInStatus: 'not-opted-in' },
    ],
  }, { AllRegions: true }));
  const clusters: Record<string, string[]> = { 'eu-west-1': [clusterName, 'acme-staging'], 'eu-central-1': ['acme-dr'] };
  for (const r of regions) out.push({ ...fact('eks', 'ListClusters', { clusters: clusters[r] ?? [] }, {}), region: r });
  return out;
}

/** AWS operations the demo answers with nothing to report (e.g. an empty list). */
export function emptyCalls(): string[] {
  return [];
}

export function policies(now: Date): { waivers: Waiver[]; attestations: Attestation[] } {
  const day = (n: number) => new Date(now.getTime() + n * 86400_000).toISOString().slice(0, 10);
  return {
    waivers: [{
      id: 'RISK-2026-017', control: 'P1-IAM-02', rule: 'aws-auth-masters',
      resources: { kind: 'AWS::IAM::Role', name: 'acme-prod-breakglass' },
      reason: 'Break-glass role kept in aws-auth until the move to authenticationMode API (planned next quarter); its use pages the on-call security engineer',
      approvedBy: 'ciso@acme.example', expires: day(75), source: { file: '<demo>' },
    }],
    attestations: [{
      control: 'P1-IAM-01',
      statement: 'Quarterly access review: every access entry and its access policies checked against the HR roster and team ownership; two leavers removed.',
      attestedBy: 'platform-lead@acme.example',
      date: day(-40),
      evidence: 'https://tickets.acme.example/SEC-1184',
      validUntil: day(50),
      source: { file: '<demo>' },
    }],
  };
}
