/**
 * The registry of AWS operations the collector can read: for each one, the SDK command, how its
 * call targets are chosen (from the cluster, the Kubernetes objects, or facts of other operations:
 * `deps`), and how "not enabled" answers are recorded. Every action here is in
 * deploy/aws/iam-policy.json, and nothing else is (test/collectors/aws/iam-policy.test.ts).
 */
import * as asg from '@aws-sdk/client-auto-scaling';
import * as cfn from '@aws-sdk/client-cloudformation';
import * as ct from '@aws-sdk/client-cloudtrail';
import * as cw from '@aws-sdk/client-cloudwatch';
import * as logs from '@aws-sdk/client-cloudwatch-logs';
import * as cp from '@aws-sdk/client-codepipeline';
import * as cfg from '@aws-sdk/client-config-service';
import * as ec2 from '@aws-sdk/client-ec2';
import * as ecr from '@aws-sdk/client-ecr';
import * as eks from '@aws-sdk/client-eks';
import * as elb from '@aws-sdk/client-elastic-load-balancing-v2';
import * as grafana from '@aws-sdk/client-grafana';
import * as gd from '@aws-sdk/client-guardduty';
import * as iam from '@aws-sdk/client-iam';
import * as insp from '@aws-sdk/client-inspector2';
import * as kms from '@aws-sdk/client-kms';
import * as sm from '@aws-sdk/client-secrets-manager';
import * as sh from '@aws-sdk/client-securityhub';
import * as signer from '@aws-sdk/client-signer';
import * as sts from '@aws-sdk/client-sts';
import * as waf from '@aws-sdk/client-wafv2';
import type { JsonObject } from '../../model/index.js';
import { ebsVolumeIds, irsaRoleArns, nodeInstanceIds, podSecurityGroupIds, storageClassKmsKeys } from './k8s-targets.js';
import type { EcrImage } from './k8s-targets.js';
import { plan } from './plan.js';
import type { OperationPlan, PlanContext, Target } from './plan.js';

// ---------------------------------------------------------------------------------------------
// Helpers for choosing targets

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asStr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const uniq = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];
const strs = (xs: Iterable<unknown>): string[] => uniq([...xs].filter((x): x is string => typeof x === 'string' && x !== ''));

export function chunk<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

interface ClusterShape {
  name?: string; arn?: string; roleArn?: string; tags?: Record<string, string>;
  resourcesVpcConfig?: { vpcId?: string; subnetIds?: string[]; securityGroupIds?: string[]; clusterSecurityGroupId?: string };
  encryptionConfig?: { resources?: string[]; provider?: { keyArn?: string } }[];
  identity?: { oidc?: { issuer?: string } };
  computeConfig?: { nodeRoleArn?: string };
}
interface NodegroupShape {
  nodegroupName?: string; nodeRole?: string; subnets?: string[]; tags?: Record<string, string>;
  launchTemplate?: { id?: string; name?: string; version?: string };
  remoteAccess?: { sourceSecurityGroups?: string[] };
}

function cluster(ctx: PlanContext): ClusterShape | undefined {
  return ctx.outputs<{ cluster?: ClusterShape }>('eks:DescribeCluster').map((o) => o.cluster).find((c) => c !== undefined);
}
function nodegroups(ctx: PlanContext): NodegroupShape[] {
  return ctx.outputs<{ nodegroup?: NodegroupShape }>('eks:DescribeNodegroup').flatMap((o) => (o.nodegroup ? [o.nodegroup] : []));
}
function vpcId(ctx: PlanContext): string | undefined {
  return cluster(ctx)?.resourcesVpcConfig?.vpcId;
}
const vpcFilter = (ctx: PlanContext) => {
  const v = vpcId(ctx);
  return v ? [{ Name: 'vpc-id', Values: [v] }] : undefined;
};
function clusterArn(ctx: PlanContext): string {
  return cluster(ctx)?.arn ?? `arn:${ctx.partition}:eks:${ctx.region}:${ctx.accountId ?? '000000000000'}:cluster/${ctx.cluster}`;
}
const LB_CLUSTER_TAGS = ['elbv2.k8s.aws/cluster', 'eks:eks-cluster-name', 'ingress.k8s.aws/cluster', 'kubernetes.io/cluster-name'];
/** Load balancers of the cluster: tagged for it (when the tags were read), or in its VPC (all of them when neither is known). */
function clusterLoadBalancers(ctx: PlanContext): { LoadBalancerArn?: string; Type?: string; SecurityGroups?: string[]; VpcId?: string }[] {
  const vpc = vpcId(ctx);
  const tagged = new Set<string>();
  for (const o of ctx.outputs<{ TagDescriptions?: { ResourceArn?: string; Tags?: { Key?: string; Value?: string }[] }[] }>('elasticloadbalancing:DescribeTags')) {
    for (const d of o.TagDescriptions ?? []) {
      if (d.ResourceArn && (d.Tags ?? []).some((t) => (LB_CLUSTER_TAGS.includes(t.Key ?? '') && t.Value === ctx.cluster) || t.Key === `kubernetes.io/cluster/${ctx.cluster}`)) tagged.add(d.ResourceArn);
    }
  }
  return ctx.outputs<{ LoadBalancers?: { LoadBalancerArn?: string; Type?: string; SecurityGroups?: string[]; VpcId?: string }[] }>('elasticloadbalancing:DescribeLoadBalancers')
    .flatMap((o) => o.LoadBalancers ?? []).filter((lb) => lb.LoadBalancerArn && (tagged.has(lb.LoadBalancerArn) || !vpc || lb.VpcId === vpc));
}
/** Role name of a role ARN when the role is in the caller's account (GetRole reads only that account). */
function roleName(arn: string, account: string | undefined): string | undefined {
  const m = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!m) return undefined;
  if (account && m[1] !== account) return undefined;
  return m[2];
}
/** IAM roles the cluster uses: IRSA annotations, Pod Identity associations, add-on IRSA roles, node roles (node groups, Auto Mode, Karpenter and Auto Mode node classes), Fargate and cluster roles. */
function clusterRoles(ctx: PlanContext): string[] {
  const c = cluster(ctx);
  const arns = [
    ...irsaRoleArns(ctx.objects),
    ...ctx.outputs<{ association?: { roleArn?: string; targetRoleArn?: string } }>('eks:DescribePodIdentityAssociation').flatMap((o) => [o.association?.roleArn, o.association?.targetRoleArn]),
    ...ctx.outputs<{ addon?: { serviceAccountRoleArn?: string } }>('eks:DescribeAddon').map((o) => o.addon?.serviceAccountRoleArn),
    ...nodegroups(ctx).map((n) => n.nodeRole),
    ...ctx.outputs<{ fargateProfile?: { podExecutionRoleArn?: string } }>('eks:DescribeFargateProfile').map((o) => o.fargateProfile?.podExecutionRoleArn),
    c?.roleArn, c?.computeConfig?.nodeRoleArn,
  ];
  const names = strs(arns).map((a) => roleName(a, ctx.accountId)).filter((n): n is string => Boolean(n));
  // Karpenter EC2NodeClass / Auto Mode NodeClass `spec.role`: a role name (or an ARN).
  for (const o of ctx.objects) {
    if (o.kind !== 'EC2NodeClass' && o.kind !== 'NodeClass') continue;
    const role = asStr(asObj(o.spec)?.role);
    if (!role) continue;
    const n = role.startsWith('arn:') ? roleName(role, ctx.accountId) : role.split('/').pop();
    if (n) names.push(n);
  }
  return uniq(names).sort();
}
const ROLE_SOURCES = ['eks:DescribeCluster', 'eks:DescribeNodegroup', 'eks:DescribeFargateProfile', 'eks:DescribeAddon'];
const roleTargets = (ctx: PlanContext): Target<{ RoleName: string }>[] => clusterRoles(ctx).map((RoleName) => ({ params: { RoleName } }));

/** ECR registries to read: the caller's own in the cluster region, plus every registry an image comes from. */
function ecrRegistries(ctx: PlanContext): { registryId?: string; region: string }[] {
  const out = new Map<string, { registryId?: string; region: string }>();
  out.set(`${ctx.accountId ?? ''}@${ctx.region}`, { region: ctx.region });
  for (const i of ctx.images) {
    const own = i.registryId === ctx.accountId;
    const k = `${i.registryId}@${i.region}`;
    if (!out.has(k)) out.set(k, own && i.region === ctx.region ? { region: ctx.region } : { registryId: i.registryId, region: i.region });
  }
  return [...out.values()];
}
/** Regions of the caller's own ECR registries (registry-level settings can only be read there). */
function ownEcrRegions(ctx: PlanContext): string[] {
  return uniq([ctx.region, ...ctx.images.filter((i) => i.registryId === ctx.accountId).map((i) => i.region)]);
}
const imageId = (i: EcrImage) => (i.imageDigest ? { imageDigest: i.imageDigest } : { imageTag: i.imageTag ?? 'latest' });
const imageLabel = (i: EcrImage) => `${i.repositoryName}${i.imageDigest ? `@${i.imageDigest.slice(0, 19)}` : `:${i.imageTag}`}`;
const registryParam = (ctx: PlanContext, i: EcrImage) => (i.registryId === ctx.accountId ? {} : { registryId: i.registryId });

/** KMS keys the cluster's evidence names (secrets encryption, EBS default, StorageClasses, volumes, logs, trails). */
function kmsKeys(ctx: PlanContext): string[] {
  const c = cluster(ctx);
  const keys = [
    ...(c?.encryptionConfig ?? []).map((e) => e.provider?.keyArn),
    ...ctx.outputs<{ KmsKeyId?: string }>('ec2:GetEbsDefaultKmsKeyId').map((o) => o.KmsKeyId),
    ...storageClassKmsKeys(ctx.objects),
    ...ctx.outputs<{ Volumes?: { KmsKeyId?: string }[] }>('ec2:DescribeVolumes').flatMap((o) => (o.Volumes ?? []).map((v) => v.KmsKeyId)),
    ...ctx.outputs<{ logGroups?: { kmsKeyId?: string }[] }>('logs:DescribeLogGroups').flatMap((o) => (o.logGroups ?? []).map((g) => g.kmsKeyId)),
    ...ctx.outputs<{ trailList?: { KmsKeyId?: string }[] }>('cloudtrail:DescribeTrails').flatMap((o) => (o.trailList ?? []).map((t) => t.KmsKeyId)),
    // Keys behind customer aliases (AWS managed aliases `alias/aws/*` are skipped).
    ...ctx.outputs<{ Aliases?: { AliasName?: string; TargetKeyId?: string }[] }>('kms:ListAliases').flatMap((o) => (o.Aliases ?? []).filter((a) => !a.AliasName?.startsWith('alias/aws/')).map((a) => a.TargetKeyId)),
  ];
  // The same key named by ARN and by id is described once (by ARN).
  const ids = new Set(keys.filter((k): k is string => typeof k === 'string' && k.includes(':key/')).map((k) => k.slice(k.lastIndexOf('/') + 1)));
  return strs(keys).filter((k) => k.includes(':') || !ids.has(k)).sort();
}
/** The region a KMS key ARN lives in (keys named by id or alias are in the cluster region). */
const arnRegion = (arn: string, fallback: string) => /^arn:aws[\w-]*:[\w-]+:([a-z0-9-]+):/.exec(arn)?.[1] || fallback;

const securityHubOff = (ctx: PlanContext) => (ctx.state('securityhub:DescribeHub') === 'absent' ? 'Security Hub is not enabled in this account and region' : undefined);
const securityHubNotSubscribed = (err: { code: string; detail: string }) =>
  err.code === 'InvalidAccessException' || /not subscribed/i.test(err.detail) ? ({ kind: 'absent' } as const) : undefined;

const SECURITY_HUB_EKS_CONTROLS = ['EKS.1', 'EKS.2', 'EKS.3', 'EKS.8'];

/** EKS API calls that change a cluster, looked up in the CloudTrail event history by name. */
export const EKS_WRITE_EVENTS = [
  'UpdateClusterVersion', 'UpdateClusterConfig', 'AssociateEncryptionConfig', 'CreateNodegroup', 'UpdateNodegroupConfig', 'UpdateNodegroupVersion',
  'DeleteNodegroup', 'CreateAddon', 'UpdateAddon', 'DeleteAddon', 'CreateAccessEntry', 'AssociateAccessPolicy',
];

// ---------------------------------------------------------------------------------------------
// The plans, in the order facts are stored.

export const PLANS: readonly OperationPlan[] = [
  // STS -------------------------------------------------------------------------------------
  plan({ key: 'sts:GetCallerIdentity', command: sts.GetCallerIdentityCommand, targets: () => [{ params: {} }] }),

  // EKS -------------------------------------------------------------------------------------
  plan({ key: 'eks:DescribeCluster', command: eks.DescribeClusterCommand, targetParam: 'name', targets: (ctx) => [{ params: { name: ctx.cluster } }] }),
  plan({
    key: 'eks:ListClusters', command: eks.ListClustersCommand, paginate: eks.paginateListClusters, deps: ['ec2:DescribeRegions'],
    // Every enabled region (P1-INV-01); only the cluster's region when the region list could not be read.
    targets: (ctx) => {
      const regions = strs(ctx.outputs<{ Regions?: { RegionName?: string }[] }>('ec2:DescribeRegions').flatMap((o) => (o.Regions ?? []).map((r) => r.RegionName)));
      return (regions.length ? regions.sort() : [ctx.region]).map((region) => ({ params: {}, region, label: region }));
    },
  }),
  plan({ key: 'eks:ListAddons', command: eks.ListAddonsCommand, paginate: eks.paginateListAddons, targets: (ctx) => [{ params: { clusterName: ctx.cluster } }] }),
  plan({
    key: 'eks:DescribeAddon', command: eks.DescribeAddonCommand, deps: ['eks:ListAddons'], targetParam: 'addonName',
    targets: (ctx) => strs(ctx.outputs<{ addons?: string[] }>('eks:ListAddons').flatMap((o) => o.addons ?? [])).map((addonName) => ({ params: { clusterName: ctx.cluster, addonName } })),
  }),
  plan({
    // All versions of each installed add-on with their compatibilities (current and next cluster minor alike).
    key: 'eks:DescribeAddonVersions', command: eks.DescribeAddonVersionsCommand, paginate: eks.paginateDescribeAddonVersions, deps: ['eks:ListAddons'], targetParam: 'addonName',
    targets: (ctx) => strs(ctx.outputs<{ addons?: string[] }>('eks:ListAddons').flatMap((o) => o.addons ?? [])).map((addonName) => ({ params: { addonName } })),
  }),
  plan({ key: 'eks:ListNodegroups', command: eks.ListNodegroupsCommand, paginate: eks.paginateListNodegroups, targets: (ctx) => [{ params: { clusterName: ctx.cluster } }] }),
  plan({
    key: 'eks:DescribeNodegroup', command: eks.DescribeNodegroupCommand, deps: ['eks:ListNodegroups'], targetParam: 'nodegroupName',
    targets: (ctx) => strs(ctx.outputs<{ nodegroups?: string[] }>('eks:ListNodegroups').flatMap((o) => o.nodegroups ?? [])).map((nodegroupName) => ({ params: { clusterName: ctx.cluster, nodegroupName } })),
  }),
  plan({ key: 'eks:ListFargateProfiles', command: eks.ListFargateProfilesCommand, paginate: eks.paginateListFargateProfiles, targets: (ctx) => [{ params: { clusterName: ctx.cluster } }] }),
  plan({
    key: 'eks:DescribeFargateProfile', command: eks.DescribeFargateProfileCommand, deps: ['eks:ListFargateProfiles'], targetParam: 'fargateProfileName',
    targets: (ctx) => strs(ctx.outputs<{ fargateProfileNames?: string[] }>('eks:ListFargateProfiles').flatMap((o) => o.fargateProfileNames ?? [])).map((fargateProfileName) => ({ params: { clusterName: ctx.cluster, fargateProfileName } })),
  }),
  plan({ key: 'eks:ListAccessEntries', command: eks.ListAccessEntriesCommand, paginate: eks.paginateListAccessEntries, targets: (ctx) => [{ params: { clusterName: ctx.cluster } }] }),
  plan({
    key: 'eks:DescribeAccessEntry', command: eks.DescribeAccessEntryCommand, deps: ['eks:ListAccessEntries'], targetParam: 'principalArn',
    targets: (ctx) => strs(ctx.outputs<{ accessEntries?: string[] }>('eks:ListAccessEntries').flatMap((o) => o.accessEntries ?? [])).map((principalArn) => ({ params: { clusterName: ctx.cluster, principalArn } })),
  }),
  plan({
    key: 'eks:ListAssociatedAccessPolicies', command: eks.ListAssociatedAccessPoliciesCommand, paginate: eks.paginateListAssociatedAccessPolicies, deps: ['eks:ListAccessEntries'], targetParam: 'principalArn',
    targets: (ctx) => strs(ctx.outputs<{ accessEntries?: string[] }>('eks:ListAccessEntries').flatMap((o) => o.accessEntries ?? [])).map((principalArn) => ({ params: { clusterName: ctx.cluster, principalArn } })),
  }),
  plan({ key: 'eks:ListPodIdentityAssociations', command: eks.ListPodIdentityAssociationsCommand, paginate: eks.paginateListPodIdentityAssociations, targets: (ctx) => [{ params: { clusterName: ctx.cluster } }] }),
  plan({
    key: 'eks:DescribePodIdentityAssociation', command: eks.DescribePodIdentityAssociationCommand, deps: ['eks:ListPodIdentityAssociations'], targetParam: 'associationId',
    targets: (ctx) => strs(ctx.outputs<{ associations?: { associationId?: string }[] }>('eks:ListPodIdentityAssociations').flatMap((o) => (o.associations ?? []).map((a) => a.associationId)))
      .map((associationId) => ({ params: { clusterName: ctx.cluster, associationId } })),
  }),
  plan({ key: 'eks:ListInsights', command: eks.ListInsightsCommand, paginate: eks.paginateListInsights, targets: (ctx) => [{ params: { clusterName: ctx.cluster } }] }),
  plan({
    key: 'eks:DescribeInsight', command: eks.DescribeInsightCommand, deps: ['eks:ListInsights'], targetParam: 'id',
    targets: (ctx) => strs(ctx.outputs<{ insights?: { id?: string }[] }>('eks:ListInsights').flatMap((o) => (o.insights ?? []).map((i) => i.id))).map((id) => ({ params: { clusterName: ctx.cluster, id } })),
  }),
  plan({ key: 'eks:DescribeClusterVersions', command: eks.DescribeClusterVersionsCommand, paginate: eks.paginateDescribeClusterVersions, targets: () => [{ params: { clusterType: 'eks', includeAll: true } }] }),
  plan({ key: 'eks:ListCapabilities', command: eks.ListCapabilitiesCommand, paginate: eks.paginateListCapabilities, targets: (ctx) => [{ params: { clusterName: ctx.cluster } }] }),
  plan({
    key: 'eks:DescribeCapability', command: eks.DescribeCapabilityCommand, deps: ['eks:ListCapabilities'], targetParam: 'capabilityName',
    targets: (ctx) => strs(ctx.outputs<{ capabilities?: { capabilityName?: string }[] }>('eks:ListCapabilities').flatMap((o) => (o.capabilities ?? []).map((c) => c.capabilityName)))
      .map((capabilityName) => ({ params: { clusterName: ctx.cluster, capabilityName } })),
  }),

  // ECR -------------------------------------------------------------------------------------
  plan({
    key: 'ecr:DescribeRepositories', command: ecr.DescribeRepositoriesCommand, paginate: ecr.paginateDescribeRepositories, targetParam: 'registryId',
    targets: (ctx) => ecrRegistries(ctx).map((r) => ({ params: r.registryId ? { registryId: r.registryId } : {}, region: r.region, label: `${r.registryId ?? ctx.accountId ?? 'own registry'} in ${r.region}` })),
  }),
  plan({
    key: 'ecr:BatchGetRepositoryScanningConfiguration', command: ecr.BatchGetRepositoryScanningConfigurationCommand, deps: ['ecr:DescribeRepositories'],
    // Reads the caller's own registry only (no registryId member): its repositories, 25 per call.
    targets: (ctx) => ctx.facts('ecr:DescribeRepositories').filter((f) => !asStr(f.params?.registryId) || f.params?.registryId === ctx.accountId).flatMap((f) => {
      const names = strs(asArr(asObj(f.output)?.repositories).map((r) => asObj(r)?.repositoryName));
      return chunk(names.sort(), 25).map((repositoryNames) => ({ params: { repositoryNames }, region: f.region ?? ctx.region, label: `${repositoryNames.length} repositories in ${f.region ?? ctx.region}` }));
    }),
  }),
  plan({ key: 'ecr:GetRegistryScanningConfiguration', command: ecr.GetRegistryScanningConfigurationCommand, targets: (ctx) => ownEcrRegions(ctx).map((region) => ({ params: {}, region, label: region })) }),
  plan({
    key: 'ecr:GetAccountSetting', command: ecr.GetAccountSettingCommand, targetParam: 'name',
    targets: (ctx) => ownEcrRegions(ctx).map((region) => ({ params: { name: 'BASIC_SCAN_TYPE_VERSION' }, region, label: `BASIC_SCAN_TYPE_VERSION in ${region}` })),
  }),
  plan({
    key: 'ecr:GetSigningConfiguration', command: ecr.GetSigningConfigurationCommand,
    targets: (ctx) => ownEcrRegions(ctx).map((region) => ({ params: {}, region, label: region })),
    // No managed signing configured: recorded as an output without `signingConfiguration`.
    onError: (err, _t, ctx) => {
      if (err.code !== 'SigningConfigurationNotFoundException') return undefined;
      const output: JsonObject = ctx.accountId ? { registryId: ctx.accountId } : {};
      return { kind: 'negative', output };
    },
  }),
  plan({
    key: 'ecr:DescribeImages', command: ecr.DescribeImagesCommand, paginate: ecr.paginateDescribeImages, targetParam: 'repositoryName', missingOk: true,
    // An image deleted since the pod started fails the whole batch (ImageNotFoundException): retry one by one.
    split: (t) => (t.params.imageIds ?? []).length > 1 ? (t.params.imageIds ?? []).map((id) => ({ ...t, params: { ...t.params, imageIds: [id] }, label: `${t.params.repositoryName}${id.imageDigest ? `@${id.imageDigest.slice(0, 19)}` : `:${id.imageTag}`}` })) : [],
    // One call per repository with the images the cluster runs (up to 100 ids); see the runner for not-found splitting.
    targets: (ctx) => {
      const byRepo = new Map<string, EcrImage[]>();
      for (const i of ctx.images) {
        const k = `${i.region}|${i.registryId}|${i.repositoryName}`;
        byRepo.set(k, [...(byRepo.get(k) ?? []), i]);
      }
      return [...byRepo.values()].flatMap((imgs) => chunk(imgs, 100).map((part) => ({
        params: { ...registryParam(ctx, part[0]!), repositoryName: part[0]!.repositoryName, imageIds: part.map(imageId) },
        region: part[0]!.region, label: `${part[0]!.repositoryName} (${part.length} image${part.length === 1 ? '' : 's'})`,
      })));
    },
  }),
  plan({
    key: 'ecr:DescribeImageScanFindings', command: ecr.DescribeImageScanFindingsCommand, paginate: ecr.paginateDescribeImageScanFindings, targetParam: 'repositoryName', missingOk: true,
    targets: (ctx) => ctx.images.map((i) => ({ params: { ...registryParam(ctx, i), repositoryName: i.repositoryName, imageId: imageId(i) }, region: i.region, label: imageLabel(i) })),
  }),
  plan({
    key: 'ecr:DescribeImageSigningStatus', command: ecr.DescribeImageSigningStatusCommand, targetParam: 'repositoryName', missingOk: true,
    targets: (ctx) => ctx.images.filter((i) => i.imageDigest).map((i) => ({ params: { ...registryParam(ctx, i), repositoryName: i.repositoryName, imageId: { imageDigest: i.imageDigest! } }, region: i.region, label: imageLabel(i) })),
  }),
  plan({
    // Opt-in (--ecr-referrers): needs ecr:BatchGetImage, which the default policy does not grant.
    key: 'ecr:ListImageReferrers', command: ecr.ListImageReferrersCommand, tokens: { input: 'nextToken', output: 'nextToken' }, optIn: 'imageReferrers', targetParam: 'repositoryName', missingOk: true, permission: 'ecr:BatchGetImage',
    targets: (ctx) => ctx.images.filter((i) => i.imageDigest).map((i) => ({
      params: { ...registryParam(ctx, i), repositoryName: i.repositoryName, subjectId: { imageDigest: i.imageDigest! }, filter: { artifactTypes: ['application/vnd.cncf.notary.signature'], artifactStatus: 'ACTIVE' } },
      region: i.region, label: imageLabel(i),
    })),
  }),

  // Inspector -------------------------------------------------------------------------------
  plan({ key: 'inspector2:BatchGetAccountStatus', command: insp.BatchGetAccountStatusCommand, targets: (ctx) => ownEcrRegions(ctx).map((region) => ({ params: {}, region, label: region })) }),
  plan({ key: 'inspector2:GetConfiguration', command: insp.GetConfigurationCommand, targets: (ctx) => ownEcrRegions(ctx).map((region) => ({ params: {}, region, label: region })) }),
  plan({
    key: 'inspector2:ListCoverage', command: insp.ListCoverageCommand, paginate: insp.paginateListCoverage,
    targets: (ctx) => ownEcrRegions(ctx).map((region) => ({
      params: { filterCriteria: { resourceType: [{ comparison: 'EQUALS', value: 'AWS_ECR_REPOSITORY' }, { comparison: 'EQUALS', value: 'AWS_ECR_CONTAINER_IMAGE' }] } },
      region, label: `ECR coverage in ${region}`,
    })),
  }),

  // Signer ----------------------------------------------------------------------------------
  // Cancelled and revoked profiles too: they invalidate the signatures they made.
  plan({ key: 'signer:ListSigningProfiles', command: signer.ListSigningProfilesCommand, paginate: signer.paginateListSigningProfiles, targets: (ctx) => ownEcrRegions(ctx).map((region) => ({ params: { includeCanceled: true }, region, label: region })) }),
  plan({
    key: 'signer:GetSigningProfile', command: signer.GetSigningProfileCommand, deps: ['signer:ListSigningProfiles'], targetParam: 'profileName',
    targets: (ctx) => ctx.facts('signer:ListSigningProfiles').flatMap((f) => strs(asArr(asObj(f.output)?.profiles).map((p) => asObj(p)?.profileName))
      .map((profileName) => ({ params: { profileName }, region: f.region ?? ctx.region }))),
  }),

  // AWS Config ------------------------------------------------------------------------------
  plan({ key: 'config:DescribeConfigurationRecorders', command: cfg.DescribeConfigurationRecordersCommand, targets: () => [{ params: {} }] }),
  plan({ key: 'config:DescribeConfigurationRecorderStatus', command: cfg.DescribeConfigurationRecorderStatusCommand, targets: () => [{ params: {} }] }),
  plan({ key: 'config:DescribeDeliveryChannels', command: cfg.DescribeDeliveryChannelsCommand, targets: () => [{ params: {} }] }),
  plan({ key: 'config:DescribeConfigRules', command: cfg.DescribeConfigRulesCommand, paginate: cfg.paginateDescribeConfigRules, targets: () => [{ params: {} }] }),
  plan({ key: 'config:DescribeComplianceByConfigRule', command: cfg.DescribeComplianceByConfigRuleCommand, paginate: cfg.paginateDescribeComplianceByConfigRule, targets: () => [{ params: {} }] }),
  plan({ key: 'config:DescribeConformancePacks', command: cfg.DescribeConformancePacksCommand, paginate: cfg.paginateDescribeConformancePacks, targets: () => [{ params: {} }] }),
  plan({
    key: 'config:DescribeConformancePackCompliance', command: cfg.DescribeConformancePackComplianceCommand, paginate: cfg.paginateDescribeConformancePackCompliance, deps: ['config:DescribeConformancePacks'], targetParam: 'ConformancePackName',
    targets: (ctx) => strs(ctx.outputs<{ ConformancePackDetails?: { ConformancePackName?: string }[] }>('config:DescribeConformancePacks').flatMap((o) => (o.ConformancePackDetails ?? []).map((p) => p.ConformancePackName)))
      .map((ConformancePackName) => ({ params: { ConformancePackName } })),
  }),
  plan({ key: 'config:DescribeConfigurationAggregators', command: cfg.DescribeConfigurationAggregatorsCommand, paginate: cfg.paginateDescribeConfigurationAggregators, targets: () => [{ params: {} }] }),

  // CloudTrail ------------------------------------------------------------------------------
  plan({ key: 'cloudtrail:DescribeTrails', command: ct.DescribeTrailsCommand, targets: () => [{ params: { includeShadowTrails: true } }] }),
  plan({
    // Called in each trail's home region, with the trail ARN (works for shadow and organization trails). A trail
    // that cannot be read (an organization trail seen from a member account) is a gap for that trail only.
    key: 'cloudtrail:GetTrailStatus', command: ct.GetTrailStatusCommand, deps: ['cloudtrail:DescribeTrails'], targetParam: 'Name', targetGapsOnly: true,
    targets: (ctx) => ctx.outputs<{ trailList?: { TrailARN?: string; Name?: string; HomeRegion?: string }[] }>('cloudtrail:DescribeTrails').flatMap((o) => o.trailList ?? [])
      .filter((t) => t.TrailARN).map((t) => ({ params: { Name: t.TrailARN! }, region: t.HomeRegion ?? ctx.region, label: t.Name ?? t.TrailARN! })),
  }),
  plan({
    key: 'cloudtrail:GetEventSelectors', command: ct.GetEventSelectorsCommand, deps: ['cloudtrail:DescribeTrails'], targetParam: 'TrailName', targetGapsOnly: true,
    targets: (ctx) => ctx.outputs<{ trailList?: { TrailARN?: string; Name?: string; HomeRegion?: string }[] }>('cloudtrail:DescribeTrails').flatMap((o) => o.trailList ?? [])
      .filter((t) => t.TrailARN).map((t) => ({ params: { TrailName: t.TrailARN! }, region: t.HomeRegion ?? ctx.region, label: t.Name ?? t.TrailARN! })),
  }),
  plan({
    // Write events over the event history window, by event name (EKS changes for CC7-CHG-02 and CC8-VER-02;
    // KMS GenerateDataKey for CC9-ENC-03), and events naming the cluster's security groups. Names rather
    // than `EventSource = eks.amazonaws.com`: read events (every DescribeCluster, this tool's included)
    // would bury the writes. LookupEvents allows 2 requests/s per account and region: one call at a time.
    key: 'cloudtrail:LookupEvents', command: ct.LookupEventsCommand, paginate: ct.paginateLookupEvents, maxPages: 20, concurrency: 1,
    uses: ['eks:DescribeCluster'],
    targets: (ctx) => {
      const StartTime = new Date(ctx.now.getTime() - ctx.options.lookupDays * 86400_000);
      const EndTime = ctx.now;
      const c = cluster(ctx)?.resourcesVpcConfig;
      const groups = strs([c?.clusterSecurityGroupId, ...(c?.securityGroupIds ?? [])]).sort();
      const by = (AttributeKey: 'EventName' | 'ResourceName', AttributeValue: string, maxPages?: number) => ({
        params: { LookupAttributes: [{ AttributeKey, AttributeValue }], StartTime, EndTime }, label: `${AttributeKey}=${AttributeValue}`, ...(maxPages ? { maxPages } : {}),
      });
      return [
        ...EKS_WRITE_EVENTS.map((e) => by('EventName', e)),
        ...groups.map((g) => by('ResourceName', g, 10)),
        by('EventName', 'GenerateDataKey', 10),
      ];
    },
  }),

  // EC2 -------------------------------------------------------------------------------------
  plan({ key: 'ec2:DescribeRegions', command: ec2.DescribeRegionsCommand, targets: () => [{ params: {} }] }),
  plan({
    key: 'ec2:DescribeFlowLogs', command: ec2.DescribeFlowLogsCommand, paginate: ec2.paginateDescribeFlowLogs, deps: ['eks:DescribeCluster'], uses: ['eks:DescribeNodegroup'],
    targets: (ctx) => {
      const c = cluster(ctx);
      const ids = strs([c?.resourcesVpcConfig?.vpcId, ...(c?.resourcesVpcConfig?.subnetIds ?? []), ...nodegroups(ctx).flatMap((n) => n.subnets ?? [])]);
      return chunk(ids, 200).map((Values) => ({ params: { Filter: [{ Name: 'resource-id', Values }] }, label: `VPC and ${Values.length - 1} subnets` }));
    },
  }),
  plan({ key: 'ec2:DescribeVpcs', command: ec2.DescribeVpcsCommand, paginate: ec2.paginateDescribeVpcs, deps: ['eks:DescribeCluster'], targets: (ctx) => (vpcFilter(ctx) ? [{ params: { Filters: vpcFilter(ctx) }, label: vpcId(ctx) }] : []) }),
  plan({ key: 'ec2:DescribeSubnets', command: ec2.DescribeSubnetsCommand, paginate: ec2.paginateDescribeSubnets, deps: ['eks:DescribeCluster'], targets: (ctx) => (vpcFilter(ctx) ? [{ params: { Filters: vpcFilter(ctx) }, label: vpcId(ctx) }] : []) }),
  plan({ key: 'ec2:DescribeRouteTables', command: ec2.DescribeRouteTablesCommand, paginate: ec2.paginateDescribeRouteTables, deps: ['eks:DescribeCluster'], targets: (ctx) => (vpcFilter(ctx) ? [{ params: { Filters: vpcFilter(ctx) }, label: vpcId(ctx) }] : []) }),
  plan({ key: 'ec2:DescribeNatGateways', command: ec2.DescribeNatGatewaysCommand, paginate: ec2.paginateDescribeNatGateways, deps: ['eks:DescribeCluster'], targets: (ctx) => (vpcFilter(ctx) ? [{ params: { Filter: vpcFilter(ctx) }, label: vpcId(ctx) }] : []) }),
  plan({
    // The nodes' instances (spec.providerID); when no Node was read, the instances tagged for the cluster.
    key: 'ec2:DescribeInstances', command: ec2.DescribeInstancesCommand, paginate: ec2.paginateDescribeInstances,
    targets: (ctx) => {
      const ids = nodeInstanceIds(ctx.objects);
      if (ids.length === 0 && !ctx.objects.some((o) => o.kind === 'Node')) {
        return [
          { params: { Filters: [{ Name: 'tag-key', Values: [`kubernetes.io/cluster/${ctx.cluster}`] }] }, label: `instances tagged kubernetes.io/cluster/${ctx.cluster}` },
          { params: { Filters: [{ Name: 'tag:eks:cluster-name', Values: [ctx.cluster] }] }, label: `instances tagged eks:cluster-name=${ctx.cluster}` },
        ];
      }
      return chunk(ids, 200).map((Values) => ({ params: { Filters: [{ Name: 'instance-id', Values }] }, label: `${Values.length} node instances` }));
    },
  }),
  plan({
    key: 'ec2:DescribeSecurityGroups', command: ec2.DescribeSecurityGroupsCommand, paginate: ec2.paginateDescribeSecurityGroups,
    deps: ['eks:DescribeCluster'], uses: ['ec2:DescribeInstances', 'ec2:DescribeLaunchTemplateVersions', 'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTags', 'eks:DescribeNodegroup'],
    targets: (ctx) => chunk(securityGroupIds(ctx), 200).map((Values) => ({ params: { Filters: [{ Name: 'group-id', Values }] }, label: `${Values.length} security groups` })),
  }),
  plan({
    key: 'ec2:DescribeSecurityGroupRules', command: ec2.DescribeSecurityGroupRulesCommand, paginate: ec2.paginateDescribeSecurityGroupRules,
    deps: ['eks:DescribeCluster'], uses: ['ec2:DescribeInstances', 'ec2:DescribeLaunchTemplateVersions', 'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTags', 'eks:DescribeNodegroup'],
    targets: (ctx) => chunk(securityGroupIds(ctx), 200).map((Values) => ({ params: { Filters: [{ Name: 'group-id', Values }] }, label: `${Values.length} security groups` })),
  }),
  plan({ key: 'ec2:DescribeNetworkInterfaces', command: ec2.DescribeNetworkInterfacesCommand, paginate: ec2.paginateDescribeNetworkInterfaces, deps: ['eks:DescribeCluster'], targets: (ctx) => (vpcFilter(ctx) ? [{ params: { Filters: vpcFilter(ctx) }, label: vpcId(ctx) }] : []) }),
  plan({
    key: 'ec2:DescribeLaunchTemplateVersions', command: ec2.DescribeLaunchTemplateVersionsCommand, paginate: ec2.paginateDescribeLaunchTemplateVersions,
    deps: ['eks:DescribeNodegroup'], uses: ['ec2:DescribeInstances'], targetParam: 'LaunchTemplateId',
    targets: (ctx) => {
      const lts = new Map<string, Set<string>>();
      const add = (id: string | undefined, v: string | undefined) => { if (id) lts.set(id, (lts.get(id) ?? new Set()).add(v ?? '$Default')); };
      for (const n of nodegroups(ctx)) add(n.launchTemplate?.id, n.launchTemplate?.version);
      for (const o of ctx.outputs<{ Reservations?: { Instances?: { Tags?: { Key?: string; Value?: string }[] }[] }[] }>('ec2:DescribeInstances')) {
        for (const i of (o.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
          const tag = (k: string) => i.Tags?.find((t) => t.Key === k)?.Value;
          add(tag('aws:ec2launchtemplate:id'), tag('aws:ec2launchtemplate:version'));
        }
      }
      return [...lts].sort(([a], [b]) => a.localeCompare(b)).map(([LaunchTemplateId, vs]) => ({ params: { LaunchTemplateId, Versions: [...vs].sort() } }));
    },
  }),
  plan({
    key: 'ec2:GetManagedPrefixListEntries', missingOk: true, command: ec2.GetManagedPrefixListEntriesCommand, paginate: ec2.paginateGetManagedPrefixListEntries, deps: ['ec2:DescribeSecurityGroupRules'], targetParam: 'PrefixListId',
    targets: (ctx) => strs(ctx.outputs<{ SecurityGroupRules?: { PrefixListId?: string }[] }>('ec2:DescribeSecurityGroupRules').flatMap((o) => (o.SecurityGroupRules ?? []).map((r) => r.PrefixListId)))
      .sort().map((PrefixListId) => ({ params: { PrefixListId } })),
  }),
  plan({ key: 'ec2:GetEbsEncryptionByDefault', command: ec2.GetEbsEncryptionByDefaultCommand, targets: () => [{ params: {} }] }),
  plan({ key: 'ec2:GetEbsDefaultKmsKeyId', command: ec2.GetEbsDefaultKmsKeyIdCommand, targets: () => [{ params: {} }] }),
  plan({
    key: 'ec2:DescribeVolumes', command: ec2.DescribeVolumesCommand, paginate: ec2.paginateDescribeVolumes,
    targets: (ctx) => chunk(ebsVolumeIds(ctx.objects), 200).map((Values) => ({ params: { Filters: [{ Name: 'volume-id', Values }] }, label: `${Values.length} persistent volumes` })),
  }),

  // CloudWatch Logs -------------------------------------------------------------------------
  plan({
    // The output names the log groups: offline files need no target (any suffix tells the two calls apart).
    key: 'logs:DescribeLogGroups', command: logs.DescribeLogGroupsCommand, paginate: logs.paginateDescribeLogGroups,
    targets: (ctx) => [`/aws/eks/${ctx.cluster}/cluster`, `/aws/containerinsights/${ctx.cluster}/`].map((logGroupNamePrefix) => ({ params: { logGroupNamePrefix }, label: logGroupNamePrefix })),
  }),
  plan({
    // The control-plane log group, and the log groups CloudTrail trails deliver to (in their own region).
    key: 'logs:DescribeMetricFilters', command: logs.DescribeMetricFiltersCommand, paginate: logs.paginateDescribeMetricFilters, deps: ['cloudtrail:DescribeTrails'], targetParam: 'logGroupName',
    targets: (ctx) => {
      const groups = new Map<string, string>([[`/aws/eks/${ctx.cluster}/cluster`, ctx.region]]);
      for (const t of ctx.outputs<{ trailList?: { CloudWatchLogsLogGroupArn?: string }[] }>('cloudtrail:DescribeTrails').flatMap((o) => o.trailList ?? [])) {
        const m = t.CloudWatchLogsLogGroupArn ? /^arn:aws[\w-]*:logs:([a-z0-9-]+):\d{12}:log-group:(.+?)(?::\*)?$/.exec(t.CloudWatchLogsLogGroupArn) : null;
        if (m && !groups.has(m[2]!)) groups.set(m[2]!, m[1]!);
      }
      return [...groups].map(([logGroupName, region]) => ({ params: { logGroupName }, region }));
    },
  }),

  // CloudWatch ------------------------------------------------------------------------------
  plan({ key: 'cloudwatch:DescribeAlarms', command: cw.DescribeAlarmsCommand, paginate: cw.paginateDescribeAlarms, targets: () => [{ params: { AlarmTypes: ['MetricAlarm' as const] } }] }),
  plan({ key: 'cloudwatch:ListDashboards', command: cw.ListDashboardsCommand, paginate: cw.paginateListDashboards, targets: () => [{ params: {} }] }),
  plan({
    key: 'cloudwatch:GetDashboard', command: cw.GetDashboardCommand, deps: ['cloudwatch:ListDashboards'], targetParam: 'DashboardName',
    targets: (ctx) => strs(ctx.outputs<{ DashboardEntries?: { DashboardName?: string }[] }>('cloudwatch:ListDashboards').flatMap((o) => (o.DashboardEntries ?? []).map((d) => d.DashboardName)))
      .map((DashboardName) => ({ params: { DashboardName } })),
  }),
  plan({
    // Presence of Container Insights metrics for the cluster (bounded: proof of data, not an inventory).
    key: 'cloudwatch:ListMetrics', command: cw.ListMetricsCommand, paginate: cw.paginateListMetrics, maxPages: 2,
    targets: (ctx) => [{ params: { Namespace: 'ContainerInsights', Dimensions: [{ Name: 'ClusterName', Value: ctx.cluster }] }, label: `ContainerInsights metrics of ${ctx.cluster}` }],
  }),

  // Managed Grafana -------------------------------------------------------------------------
  plan({ key: 'grafana:ListWorkspaces', command: grafana.ListWorkspacesCommand, paginate: grafana.paginateListWorkspaces, targets: () => [{ params: {} }] }),

  // GuardDuty -------------------------------------------------------------------------------
  plan({ key: 'guardduty:ListDetectors', command: gd.ListDetectorsCommand, paginate: gd.paginateListDetectors, targets: () => [{ params: {} }] }),
  plan({
    key: 'guardduty:GetDetector', command: gd.GetDetectorCommand, deps: ['guardduty:ListDetectors'], targetParam: 'DetectorId', noTargets: 'absent',
    targets: (ctx) => strs(ctx.outputs<{ DetectorIds?: string[] }>('guardduty:ListDetectors').flatMap((o) => o.DetectorIds ?? [])).map((DetectorId) => ({ params: { DetectorId } })),
  }),
  plan({
    key: 'guardduty:ListCoverage', command: gd.ListCoverageCommand, paginate: gd.paginateListCoverage, deps: ['guardduty:ListDetectors'], targetParam: 'DetectorId', noTargets: 'absent',
    targets: (ctx) => strs(ctx.outputs<{ DetectorIds?: string[] }>('guardduty:ListDetectors').flatMap((o) => o.DetectorIds ?? [])).map((DetectorId) => ({
      params: { DetectorId, FilterCriteria: { FilterCriterion: [{ CriterionKey: 'EKS_CLUSTER_NAME', FilterCondition: { Equals: [ctx.cluster] } }] } },
      label: `${DetectorId} coverage of ${ctx.cluster}`,
    })),
  }),

  // Security Hub ----------------------------------------------------------------------------
  plan({ key: 'securityhub:DescribeHub', command: sh.DescribeHubCommand, targets: () => [{ params: {} }], onError: securityHubNotSubscribed }),
  plan({ key: 'securityhub:GetEnabledStandards', command: sh.GetEnabledStandardsCommand, paginate: sh.paginateGetEnabledStandards, uses: ['securityhub:DescribeHub'], skip: securityHubOff, onError: securityHubNotSubscribed, targets: () => [{ params: {} }] }),
  plan({
    key: 'securityhub:DescribeStandardsControls', command: sh.DescribeStandardsControlsCommand, paginate: sh.paginateDescribeStandardsControls, deps: ['securityhub:GetEnabledStandards'], uses: ['securityhub:DescribeHub'],
    skip: securityHubOff, onError: securityHubNotSubscribed, targetParam: 'StandardsSubscriptionArn',
    targets: (ctx) => strs(ctx.outputs<{ StandardsSubscriptions?: { StandardsSubscriptionArn?: string; StandardsStatus?: string }[] }>('securityhub:GetEnabledStandards')
      .flatMap((o) => (o.StandardsSubscriptions ?? []).filter((s) => s.StandardsStatus === 'READY').map((s) => s.StandardsSubscriptionArn)))
      .map((StandardsSubscriptionArn) => ({ params: { StandardsSubscriptionArn } })),
  }),
  plan({
    key: 'securityhub:ListStandardsControlAssociations', command: sh.ListStandardsControlAssociationsCommand, paginate: sh.paginateListStandardsControlAssociations, uses: ['securityhub:DescribeHub'],
    skip: securityHubOff, onError: securityHubNotSubscribed, targetParam: 'SecurityControlId',
    targets: () => SECURITY_HUB_EKS_CONTROLS.map((SecurityControlId) => ({ params: { SecurityControlId } })),
  }),
  plan({
    // Two bounded reads: kube-bench results imported with `--asff` (CC3-RA-01), and GuardDuty findings on the cluster (CC4-SEC-02).
    key: 'securityhub:GetFindings', command: sh.GetFindingsCommand, paginate: sh.paginateGetFindings, uses: ['securityhub:DescribeHub', 'eks:DescribeCluster'], maxPages: 10,
    skip: securityHubOff, onError: securityHubNotSubscribed,
    targets: (ctx) => [
      {
        params: { Filters: { ProductArn: [{ Value: `arn:${ctx.partition}:securityhub:${ctx.region}::product/aqua-security/kube-bench`, Comparison: 'EQUALS' as const }], RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' as const }] } },
        label: 'kube-bench findings',
      },
      {
        params: { Filters: { ProductName: [{ Value: 'GuardDuty', Comparison: 'EQUALS' as const }], ResourceId: [{ Value: clusterArn(ctx), Comparison: 'EQUALS' as const }], RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' as const }] } },
        label: `GuardDuty findings on ${ctx.cluster}`,
      },
    ],
  }),

  // IAM (global) ----------------------------------------------------------------------------
  plan({ key: 'iam:GetAccountSummary', command: iam.GetAccountSummaryCommand, targets: () => [{ params: {} }] }),
  plan({
    // Starts (or reuses) the credential report; polled until COMPLETE (no resource change).
    key: 'iam:GenerateCredentialReport', command: iam.GenerateCredentialReportCommand, targets: () => [{ params: {} }],
    poll: { until: (o) => o.State === 'COMPLETE', attempts: 10 },
  }),
  plan({ key: 'iam:GetCredentialReport', command: iam.GetCredentialReportCommand, deps: ['iam:GenerateCredentialReport'], targets: () => [{ params: {} }] }),
  plan({ key: 'iam:ListOpenIDConnectProviders', command: iam.ListOpenIDConnectProvidersCommand, targets: () => [{ params: {} }] }),
  plan({
    // The provider of the cluster's OIDC issuer (every provider when the issuer is unknown).
    key: 'iam:GetOpenIDConnectProvider', command: iam.GetOpenIDConnectProviderCommand, deps: ['iam:ListOpenIDConnectProviders'], uses: ['eks:DescribeCluster'], targetParam: 'OpenIDConnectProviderArn',
    targets: (ctx) => {
      const arns = strs(ctx.outputs<{ OpenIDConnectProviderList?: { Arn?: string }[] }>('iam:ListOpenIDConnectProviders').flatMap((o) => (o.OpenIDConnectProviderList ?? []).map((p) => p.Arn)));
      const issuer = cluster(ctx)?.identity?.oidc?.issuer?.replace(/^https:\/\//, '');
      const mine = issuer ? arns.filter((a) => a.endsWith(`:oidc-provider/${issuer}`)) : arns;
      return (issuer && mine.length === 0 ? [] : mine).map((OpenIDConnectProviderArn) => ({ params: { OpenIDConnectProviderArn } }));
    },
  }),
  plan({ key: 'iam:GetRole', command: iam.GetRoleCommand, deps: ['eks:DescribePodIdentityAssociation'], uses: ROLE_SOURCES, targetParam: 'RoleName', targets: roleTargets }),
  plan({
    key: 'iam:ListAttachedRolePolicies', command: iam.ListAttachedRolePoliciesCommand, paginate: iam.paginateListAttachedRolePolicies,
    deps: ['eks:DescribePodIdentityAssociation'], uses: ROLE_SOURCES, targetParam: 'RoleName', targets: roleTargets,
  }),
  plan({
    key: 'iam:ListRolePolicies', command: iam.ListRolePoliciesCommand, paginate: iam.paginateListRolePolicies,
    deps: ['eks:DescribePodIdentityAssociation'], uses: ROLE_SOURCES, targetParam: 'RoleName', targets: roleTargets,
  }),
  plan({
    key: 'iam:GetRolePolicy', command: iam.GetRolePolicyCommand, deps: ['iam:ListRolePolicies'], targetParam: 'PolicyName',
    targets: (ctx) => ctx.facts('iam:ListRolePolicies').flatMap((f) => {
      const RoleName = asStr(f.params?.RoleName);
      return RoleName ? strs(asArr(asObj(f.output)?.PolicyNames)).map((PolicyName) => ({ params: { RoleName, PolicyName }, label: `${RoleName}/${PolicyName}` })) : [];
    }),
  }),
  plan({
    // Customer managed policies only: AWS managed ones are judged by name, their documents are public.
    key: 'iam:GetPolicy', command: iam.GetPolicyCommand, deps: ['iam:ListAttachedRolePolicies'], targetParam: 'PolicyArn',
    targets: (ctx) => strs(ctx.outputs<{ AttachedPolicies?: { PolicyArn?: string }[] }>('iam:ListAttachedRolePolicies').flatMap((o) => (o.AttachedPolicies ?? []).map((p) => p.PolicyArn)))
      .filter((a) => /^arn:aws[\w-]*:iam::\d{12}:policy\//.test(a)).sort().map((PolicyArn) => ({ params: { PolicyArn } })),
  }),
  plan({
    key: 'iam:GetPolicyVersion', command: iam.GetPolicyVersionCommand, deps: ['iam:GetPolicy'], targetParam: 'PolicyArn',
    targets: (ctx) => ctx.outputs<{ Policy?: { Arn?: string; DefaultVersionId?: string } }>('iam:GetPolicy')
      .filter((o) => o.Policy?.Arn && o.Policy.DefaultVersionId).map((o) => ({ params: { PolicyArn: o.Policy!.Arn!, VersionId: o.Policy!.DefaultVersionId! } })),
  }),

  // Elastic Load Balancing / WAF ------------------------------------------------------------
  plan({ key: 'elasticloadbalancing:DescribeLoadBalancers', command: elb.DescribeLoadBalancersCommand, paginate: elb.paginateDescribeLoadBalancers, targets: () => [{ params: {} }] }),
  plan({
    key: 'elasticloadbalancing:DescribeListeners', command: elb.DescribeListenersCommand, paginate: elb.paginateDescribeListeners, deps: ['elasticloadbalancing:DescribeLoadBalancers'], uses: ['eks:DescribeCluster', 'elasticloadbalancing:DescribeTags'], targetParam: 'LoadBalancerArn',
    targets: (ctx) => clusterLoadBalancers(ctx).map((lb) => ({ params: { LoadBalancerArn: lb.LoadBalancerArn! } })),
  }),
  plan({
    // Every load balancer (ownership tags decide which are the cluster's), 20 per call.
    key: 'elasticloadbalancing:DescribeTags', command: elb.DescribeTagsCommand, deps: ['elasticloadbalancing:DescribeLoadBalancers'],
    targets: (ctx) => chunk(strs(ctx.outputs<{ LoadBalancers?: { LoadBalancerArn?: string }[] }>('elasticloadbalancing:DescribeLoadBalancers').flatMap((o) => (o.LoadBalancers ?? []).map((lb) => lb.LoadBalancerArn))), 20).map((ResourceArns) => ({ params: { ResourceArns }, label: `${ResourceArns.length} load balancers` })),
  }),
  plan({
    key: 'wafv2:GetWebACLForResource', command: waf.GetWebACLForResourceCommand, deps: ['elasticloadbalancing:DescribeLoadBalancers'], uses: ['eks:DescribeCluster', 'elasticloadbalancing:DescribeTags'], targetParam: 'ResourceArn',
    targets: (ctx) => clusterLoadBalancers(ctx).filter((lb) => lb.Type === 'application').map((lb) => ({ params: { ResourceArn: lb.LoadBalancerArn! } })),
  }),

  // KMS -------------------------------------------------------------------------------------
  plan({
    key: 'kms:DescribeKey', command: kms.DescribeKeyCommand, deps: ['eks:DescribeCluster'],
    uses: ['ec2:GetEbsDefaultKmsKeyId', 'ec2:DescribeVolumes', 'logs:DescribeLogGroups', 'cloudtrail:DescribeTrails', 'kms:ListAliases'], targetParam: 'KeyId',
    targets: (ctx) => kmsKeys(ctx).map((KeyId) => ({ params: { KeyId }, region: arnRegion(KeyId, ctx.region) })),
  }),
  plan({
    // Rotation applies to symmetric customer managed keys (AWS managed keys rotate on their own).
    key: 'kms:GetKeyRotationStatus', command: kms.GetKeyRotationStatusCommand, deps: ['kms:DescribeKey'], targetParam: 'KeyId',
    targets: (ctx) => ctx.outputs<{ KeyMetadata?: { Arn?: string; KeyManager?: string; KeySpec?: string; KeyState?: string; Origin?: string } }>('kms:DescribeKey')
      .map((o) => o.KeyMetadata).filter((k) => k?.Arn && k.KeyManager === 'CUSTOMER' && (k.KeySpec ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT' && k.KeyState !== 'PendingDeletion' && (k.Origin ?? 'AWS_KMS') === 'AWS_KMS')
      .map((k) => ({ params: { KeyId: k!.Arn! }, region: arnRegion(k!.Arn!, ctx.region) })),
  }),
  plan({ key: 'kms:ListAliases', command: kms.ListAliasesCommand, paginate: kms.paginateListAliases, targets: () => [{ params: {} }] }),

  // Secrets Manager (metadata only: never GetSecretValue) ------------------------------------
  plan({ key: 'secretsmanager:ListSecrets', command: sm.ListSecretsCommand, paginate: sm.paginateListSecrets, targets: () => [{ params: {} }] }),

  // CloudFormation --------------------------------------------------------------------------
  plan({
    // The stacks named by the cluster's and node groups' `aws:cloudformation:stack-name` tags; every stack (bounded) when none is tagged.
    key: 'cloudformation:DescribeStacks', command: cfn.DescribeStacksCommand, paginate: cfn.paginateDescribeStacks, deps: ['eks:DescribeCluster'], uses: ['eks:DescribeNodegroup'], targetParam: 'StackName', maxPages: 10,
    targets: (ctx) => {
      const names = strs([cluster(ctx)?.tags?.['aws:cloudformation:stack-name'], ...nodegroups(ctx).map((n) => n.tags?.['aws:cloudformation:stack-name'])]).sort();
      return names.length ? names.map((StackName) => ({ params: { StackName } })) : [{ params: {}, label: 'all stacks' }];
    },
    onError: (err) => (err.code === 'ValidationError' && /does not exist/i.test(err.detail) ? { kind: 'negative', output: { Stacks: [] } } : undefined),
  }),

  // CodePipeline ----------------------------------------------------------------------------
  plan({ key: 'codepipeline:ListPipelines', command: cp.ListPipelinesCommand, paginate: cp.paginateListPipelines, targets: () => [{ params: {} }] }),
  plan({
    key: 'codepipeline:GetPipeline', command: cp.GetPipelineCommand, deps: ['codepipeline:ListPipelines'], targetParam: 'name',
    targets: (ctx) => strs(ctx.outputs<{ pipelines?: { name?: string }[] }>('codepipeline:ListPipelines').flatMap((o) => (o.pipelines ?? []).map((p) => p.name))).map((name) => ({ params: { name } })),
  }),

  // Auto Scaling ----------------------------------------------------------------------------
  plan({
    key: 'autoscaling:DescribeAutoScalingGroups', command: asg.DescribeAutoScalingGroupsCommand, paginate: asg.paginateDescribeAutoScalingGroups,
    targets: (ctx) => [{ params: { Filters: [{ Name: 'tag-key', Values: [`kubernetes.io/cluster/${ctx.cluster}`, `k8s.io/cluster-autoscaler/${ctx.cluster}`] }] }, label: `groups tagged for ${ctx.cluster}` }],
  }),
];

/** Security groups of the cluster: control plane, nodes, launch templates, load balancers, remote access, pods. */
function securityGroupIds(ctx: PlanContext): string[] {
  const c = cluster(ctx);
  const ids: unknown[] = [c?.resourcesVpcConfig?.clusterSecurityGroupId, ...(c?.resourcesVpcConfig?.securityGroupIds ?? [])];
  for (const o of ctx.outputs<{ Reservations?: { Instances?: { SecurityGroups?: { GroupId?: string }[] }[] }[] }>('ec2:DescribeInstances')) {
    for (const i of (o.Reservations ?? []).flatMap((r) => r.Instances ?? [])) for (const g of i.SecurityGroups ?? []) ids.push(g.GroupId);
  }
  for (const o of ctx.outputs<{ LaunchTemplateVersions?: { LaunchTemplateData?: { SecurityGroupIds?: string[]; NetworkInterfaces?: { Groups?: string[] }[] } }[] }>('ec2:DescribeLaunchTemplateVersions')) {
    for (const v of o.LaunchTemplateVersions ?? []) {
      ids.push(...(v.LaunchTemplateData?.SecurityGroupIds ?? []));
      for (const ni of v.LaunchTemplateData?.NetworkInterfaces ?? []) ids.push(...(ni.Groups ?? []));
    }
  }
  for (const lb of clusterLoadBalancers(ctx)) ids.push(...(lb.SecurityGroups ?? []));
  for (const n of nodegroups(ctx)) ids.push(...(n.remoteAccess?.sourceSecurityGroups ?? []));
  ids.push(...podSecurityGroupIds(ctx.objects));
  return strs(ids).filter((s) => s.startsWith('sg-')).sort();
}

const BY_KEY = new Map(PLANS.map((p) => [p.key, p]));

export function findPlan(key: string): OperationPlan | undefined {
  return BY_KEY.get(key);
}

/** Find a plan by service and an operation name in any case or kebab-case (`describe-addon`, `get-web-acl-for-resource`). */
export function findPlanLoose(service: string, operation: string): OperationPlan | undefined {
  const norm = operation.replace(/[-_]/g, '').toLowerCase();
  return PLANS.find((p) => p.service === service && p.operation.toLowerCase() === norm);
}

/** Every IAM action the collector can call with default options (the content of deploy/aws/iam-policy.json). */
export function defaultActions(): string[] {
  return PLANS.filter((p) => !p.optIn).map((p) => p.key).sort();
}

/** Operations needed for `keys` (with their dependencies), in registry order. Unknown keys are returned apart. */
export function resolvePlans(keys: Iterable<string>, options: { imageReferrers?: boolean } = {}): { plans: OperationPlan[]; unknown: string[]; requested: Set<string> } {
  const requested = new Set<string>();
  const unknown: string[] = [];
  for (const k of keys) {
    if (!k.startsWith('aws:')) continue;
    const op = k.slice(4);
    if (BY_KEY.has(op)) requested.add(op);
    else unknown.push(op);
  }
  const wanted = new Set<string>();
  const visit = (key: string): void => {
    if (wanted.has(key)) return;
    const p = BY_KEY.get(key);
    if (!p) return;
    if (p.optIn && !options[p.optIn as 'imageReferrers']) return;
    wanted.add(key);
    for (const d of p.deps ?? []) visit(d);
  };
  for (const k of requested) visit(k);
  return { plans: PLANS.filter((p) => wanted.has(p.key)), unknown: uniq(unknown).sort(), requested };
}

export type { JsonObject };
