import type { AwsFact, K8sObject } from '../../model/index.js';
import { DEMO, ago, fact, obj } from './build.js';

/**
 * The shared core of the demo environment that many sections read: nodes, and the EKS facts
 * (DescribeCluster, add-ons, node groups, Fargate profiles, cluster versions).
 */
export function coreObjects(now: Date): K8sObject[] {
  const node = (name: string, instance: string, az: string, kubelet: string, labels: Record<string, string>) =>
    obj('v1', 'Node', name, undefined, {
      spec: { providerID: instance.startsWith('fargate') ? `aws:///${az}/${instance}` : `aws:///${az}/${instance}` },
      status: {
        nodeInfo: { kubeletVersion: kubelet, osImage: 'Amazon Linux 2023.6.20241010', containerRuntimeVersion: 'containerd://1.7.22', operatingSystem: 'linux', architecture: 'amd64' },
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: ago(now, 0, 1) }],
      },
    }, { labels: { 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': az, ...labels } });
  return [
    node('ip-10-0-1-10.eu-west-1.compute.internal', 'i-0a1b2c3d4e5f00001', 'eu-west-1a', 'v1.33.5-eks-3025e55', { 'eks.amazonaws.com/nodegroup': 'general', 'node.kubernetes.io/instance-type': 'm6i.xlarge' }),
    node('ip-10-0-2-11.eu-west-1.compute.internal', 'i-0a1b2c3d4e5f00002', 'eu-west-1b', 'v1.32.9-eks-113cf36', { 'eks.amazonaws.com/nodegroup': 'general', 'node.kubernetes.io/instance-type': 'm6i.xlarge' }),
    node('ip-10-0-3-12.eu-west-1.compute.internal', 'i-0a1b2c3d4e5f00003', 'eu-west-1c', 'v1.33.5-eks-3025e55', { 'karpenter.sh/nodepool': 'default', 'node.kubernetes.io/instance-type': 'c7g.2xlarge' }),
    node('fargate-ip-10-0-4-20.eu-west-1.compute.internal', 'fargate-ip-10-0-4-20', 'eu-west-1a', 'v1.33.5-eks-3025e55', { 'eks.amazonaws.com/compute-type': 'fargate', 'eks.amazonaws.com/fargate-profile': 'batch' }),
  ];
}

export const DEMO_ADDONS: Record<string, { version: string; configurationValues?: string }> = {
  'vpc-cni': { version: 'v1.19.2-eksbuild.1', configurationValues: '{"enableNetworkPolicy":"true"}' },
  coredns: { version: 'v1.11.4-eksbuild.2' },
  'kube-proxy': { version: 'v1.33.5-eksbuild.2' },
  'aws-ebs-csi-driver': { version: 'v1.38.1-eksbuild.2' },
  'eks-pod-identity-agent': { version: 'v1.3.4-eksbuild.1' },
  'aws-guardduty-agent': { version: 'v1.8.1-eksbuild.2' },
  'amazon-cloudwatch-observability': { version: 'v2.6.0-eksbuild.1', configurationValues: '{"containerLogs":{"enabled":true}}' },
  'metrics-server': { version: 'v0.7.2-eksbuild.1' },
};

export function coreFacts(now: Date): AwsFact[] {
  const clusterName = DEMO.cluster;
  const facts: AwsFact[] = [];
  facts.push(fact('eks', 'DescribeCluster', {
    cluster: {
      name: clusterName,
      arn: DEMO.arn,
      createdAt: ago(now, 700),
      version: DEMO.version,
      platformVersion: 'eks.14',
      endpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
      roleArn: `arn:aws:iam::${DEMO.accountId}:role/acme-prod-cluster-role`,
      resourcesVpcConfig: {
        subnetIds: ['subnet-0private1a000001', 'subnet-0private1b000002', 'subnet-0private1c000003'],
        securityGroupIds: ['sg-0controlplane00001'],
        clusterSecurityGroupId: 'sg-0eksclustersg00001',
        vpcId: DEMO.vpcId,
        endpointPublicAccess: true,
        endpointPrivateAccess: true,
        publicAccessCidrs: ['203.0.113.0/24'],
      },
      kubernetesNetworkConfig: { serviceIpv4Cidr: '172.20.0.0/16', ipFamily: 'ipv4' },
      logging: {
        clusterLogging: [
          { types: ['api', 'audit', 'authenticator'], enabled: true },
          { types: ['controllerManager', 'scheduler'], enabled: false },
        ],
      },
      identity: { oidc: { issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF' } },
      status: 'ACTIVE',
      certificateAuthority: { data: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=' },
      encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: `arn:aws:kms:${DEMO.region}:${DEMO.accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab` } }],
      tags: {
        'aws:cloudformation:stack-name': 'eksctl-acme-prod-cluster',
        'alpha.eksctl.io/cluster-name': clusterName,
        'eksctl.cluster.k8s.io/v1alpha1/cluster-name': clusterName,
        'alpha.eksctl.io/eksctl-version': '0.199.0',
        team: 'platform',
      },
      health: { issues: [] },
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP', bootstrapClusterCreatorAdminPermissions: true },
      upgradePolicy: { supportType: 'EXTENDED' },
    },
  }, { name: clusterName }));
  facts.push(fact('eks', 'ListAddons', { addons: Object.keys(DEMO_ADDONS) }, { clusterName }));
  for (const [name, a] of Object.entries(DEMO_ADDONS)) {
    facts.push(fact('eks', 'DescribeAddon', {
      addon: {
        addonName: name, clusterName, status: 'ACTIVE', addonVersion: a.version,
        health: { issues: [] },
        addonArn: `arn:aws:eks:${DEMO.region}:${DEMO.accountId}:addon/${clusterName}/${name}/00c9d1a2-0000-0000-0000-000000000000`,
        createdAt: ago(now, 300), modifiedAt: ago(now, 40),
        ...(a.configurationValues ? { configurationValues: a.configurationValues } : {}),
      },
    }, { clusterName, addonName: name }));
  }
  facts.push(fact('eks', 'ListNodegroups', { nodegroups: ['general'] }, { clusterName }));
  facts.push(fact('eks', 'DescribeNodegroup', {
    nodegroup: {
      nodegroupName: 'general', clusterName, version: '1.33', releaseVersion: '1.33.5-20251016', status: 'ACTIVE', capacityType: 'ON_DEMAND',
      nodegroupArn: `arn:aws:eks:${DEMO.region}:${DEMO.accountId}:nodegroup/${clusterName}/general/4ec9d1a2-0000-0000-0000-000000000000`,
      scalingConfig: { minSize: 2, maxSize: 6, desiredSize: 2 }, instanceTypes: ['m6i.xlarge'],
      subnets: ['subnet-0private1a000001', 'subnet-0private1b000002'],
      remoteAccess: { ec2SshKey: 'ops-legacy', sourceSecurityGroups: [] },
      amiType: 'AL2023_x86_64_STANDARD', nodeRole: `arn:aws:iam::${DEMO.accountId}:role/acme-prod-node-role`,
      tags: { 'alpha.eksctl.io/nodegroup-name': 'general', 'aws:cloudformation:stack-name': 'eksctl-acme-prod-nodegroup-general' },
      health: { issues: [] },
    },
  }, { clusterName, nodegroupName: 'general' }));
  facts.push(fact('eks', 'ListFargateProfiles', { fargateProfileNames: ['batch'] }, { clusterName }));
  facts.push(fact('eks', 'DescribeFargateProfile', {
    fargateProfile: {
      fargateProfileName: 'batch', clusterName, status: 'ACTIVE',
      podExecutionRoleArn: `arn:aws:iam::${DEMO.accountId}:role/acme-prod-fargate`,
      subnets: ['subnet-0private1a000001'], selectors: [{ namespace: 'batch' }],
    },
  }, { clusterName, fargateProfileName: 'batch' }));
  // The EKS release calendar as published on 2026-11-26 (controls.md §5.2).
  const v = (clusterVersion: string, versionStatus: string, release: string, endStd: string, endExt: string, def = false) => ({
    clusterVersion, clusterType: 'eks', versionStatus, status: versionStatus, defaultVersion: def,
    releaseDate: `${release}T00:00:00.000Z`, endOfStandardSupportDate: `${endStd}T00:00:00.000Z`, endOfExtendedSupportDate: `${endExt}T00:00:00.000Z`,
  });
  facts.push(fact('eks', 'DescribeClusterVersions', {
    clusterVersions: [
      v('1.36', 'STANDARD_SUPPORT', '2026-06-02', '2027-08-02', '2028-08-02'),
      v('1.35', 'STANDARD_SUPPORT', '2026-01-27', '2027-03-27', '2028-03-27', true),
      v('1.34', 'STANDARD_SUPPORT', '2025-10-02', '2026-12-02', '2027-12-02'),
      v('1.33', 'EXTENDED_SUPPORT', '2025-05-29', '2026-07-29', '2027-07-29'),
      v('1.32', 'EXTENDED_SUPPORT', '2025-01-23', '2026-03-23', '2027-03-23'),
      v('1.31', 'UNSUPPORTED', '2024-09-26', '2025-11-26', '2026-11-26'),
    ],
  }, { clusterType: 'eks', includeAll: true }));
  return facts;
}
