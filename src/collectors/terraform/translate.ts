/**
 * Terraform resources → the AWS facts the live collector and `--aws-evidence` produce (AWS SDK v3
 * output shapes), so the catalog's checks decide them unchanged. One fact per resource instance;
 * values not known before apply become `AwsFact.unknown` entries, never guesses. Defaults are the
 * AWS provider's documented ones (a plan already carries them).
 */
import type { AwsFact, IacResource } from '../../model/index.js';
import { Ids, UNKNOWN_ACCOUNT } from './ids.js';
import type { IdContext } from './ids.js';
import {
  Unknown, block, blocks, bool, get, isObj, isUnknown, map, num, or, settle, str, strList, strMap,
} from './values.js';
import type { Draft, TfInstance, TfObject, TfValue } from './values.js';

const AFTER_APPLY = 'known only after apply';
const runtime = (what: string) => new Unknown(`${what} is a run-time state that Terraform does not declare`);
/**
 * A run-time health field whose absence the checks read as "no problem reported" (delivery errors):
 * left out, and the control says it was not judged, instead of losing the configuration's verdict.
 */
export const NOTED = 'noted: ';
const healthNotJudged = (what: string) => new Unknown(`${NOTED}${what} is a run-time state the Terraform input does not hold; it was not judged (give --aws-evidence to judge it)`);

/** The CloudFormation type checks name each translated resource by (for mapping findings back). */
export const CFN_TYPES: Record<string, string> = {
  aws_eks_cluster: 'AWS::EKS::Cluster',
  aws_eks_addon: 'AWS::EKS::Addon',
  aws_eks_node_group: 'AWS::EKS::Nodegroup',
  aws_eks_access_entry: 'AWS::EKS::AccessEntry',
  aws_eks_access_policy_association: 'AWS::EKS::AccessEntry',
  aws_eks_pod_identity_association: 'AWS::EKS::PodIdentityAssociation',
  aws_cloudwatch_log_group: 'AWS::Logs::LogGroup',
  aws_cloudtrail: 'AWS::CloudTrail::Trail',
  aws_flow_log: 'AWS::EC2::FlowLog',
  aws_guardduty_detector: 'AWS::GuardDuty::Detector',
  aws_guardduty_detector_feature: 'AWS::GuardDuty::Detector',
  aws_securityhub_account: 'AWS::SecurityHub::Hub',
  aws_securityhub_standards_subscription: 'AWS::SecurityHub::Standard',
  aws_config_configuration_recorder: 'AWS::Config::ConfigurationRecorder',
  aws_config_configuration_recorder_status: 'AWS::Config::ConfigurationRecorder',
  aws_config_delivery_channel: 'AWS::Config::DeliveryChannel',
  aws_config_config_rule: 'AWS::Config::ConfigRule',
  aws_config_conformance_pack: 'AWS::Config::ConformancePack',
  aws_kms_key: 'AWS::KMS::Key',
  aws_kms_alias: 'AWS::KMS::Alias',
  aws_ecr_repository: 'AWS::ECR::Repository',
  aws_ecr_registry_scanning_configuration: 'AWS::ECR::RegistryScanningConfiguration',
  aws_launch_template: 'AWS::EC2::LaunchTemplate',
  aws_security_group: 'AWS::EC2::SecurityGroup',
  aws_security_group_rule: 'AWS::EC2::SecurityGroupIngress',
  aws_vpc_security_group_ingress_rule: 'AWS::EC2::SecurityGroupIngress',
  aws_vpc_security_group_egress_rule: 'AWS::EC2::SecurityGroupEgress',
  aws_lb: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
  aws_alb: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
  aws_lb_listener: 'AWS::ElasticLoadBalancingV2::Listener',
  aws_alb_listener: 'AWS::ElasticLoadBalancingV2::Listener',
  aws_wafv2_web_acl_association: 'AWS::WAFv2::WebACLAssociation',
  aws_ebs_encryption_by_default: 'AWS::EC2::EBSEncryptionByDefault',
  aws_ebs_default_kms_key: 'AWS::EC2::EBSEncryptionByDefault',
  aws_iam_openid_connect_provider: 'AWS::IAM::OIDCProvider',
};

const LINKED_CFN: Record<string, string> = {
  aws_vpc: 'AWS::EC2::VPC', aws_subnet: 'AWS::EC2::Subnet', aws_iam_role: 'AWS::IAM::Role', aws_iam_policy: 'AWS::IAM::ManagedPolicy',
  aws_s3_bucket: 'AWS::S3::Bucket', aws_wafv2_web_acl: 'AWS::WAFv2::WebACL', aws_guardduty_detector_feature: 'AWS::GuardDuty::Detector',
  aws_config_configuration_recorder_status: 'AWS::Config::ConfigurationRecorder', aws_kms_alias: 'AWS::KMS::Alias',
  aws_securityhub_standards_subscription: 'AWS::SecurityHub::Standard',
};

/** Resource types that are translated (others are read only to link these: subnets, VPCs, roles). */
export const TRANSLATED_TYPES = new Set(Object.keys(CFN_TYPES));

/** The operations a Terraform input can answer, and the ones it never can (run-time facts). */
export interface Translation {
  facts: AwsFact[];
  resources: IacResource[];
}

interface Out {
  key: string;
  /** Request parameters that identify the resource (undefined members dropped). */
  params?: Record<string, unknown> | undefined;
  output: unknown;
  region?: string | undefined;
}

export const EKS_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/** Instances indexed for linking: by type, and by every id and ARN they carry. */
class Links {
  readonly byType = new Map<string, TfInstance[]>();
  readonly byId = new Map<string, TfInstance>();
  constructor(instances: readonly TfInstance[]) {
    for (const i of instances) {
      (this.byType.get(i.type) ?? this.byType.set(i.type, []).get(i.type)!).push(i);
      for (const k of ['id', 'arn', 'key_id', 'name']) {
        const v = i.values[k];
        if (typeof v === 'string' && v && (k !== 'name' || i.type === 'aws_eks_cluster')) this.byId.set(`${k === 'name' ? `${i.type}:` : ''}${v}`, i);
      }
    }
  }
  of(type: string): TfInstance[] {
    return this.byType.get(type) ?? [];
  }
  find(id: unknown): TfInstance | undefined {
    return typeof id === 'string' ? this.byId.get(id) : undefined;
  }
}

/** Fill the ids AWS assigns at apply with stand-ins (so references and facts agree). */
export function fillComputedIds(inst: TfInstance, ids: Ids): void {
  const v = inst.values;
  const region = inst.region ?? ids.ctx.region;
  const known = (x: TfValue | undefined): x is string => typeof x === 'string' && x !== '';
  const name = (): string | undefined => {
    for (const k of ['name', 'bucket', 'trail_name', 'cluster_name', 'repository_name']) if (known(v[k])) return v[k] as string;
    return undefined;
  };
  if (!known(v.id)) v.id = inst.type === 'aws_eks_cluster' && known(v.name) ? v.name : ids.id(inst.type, inst.address, nameIsId(inst.type) ? name() : undefined);
  if (!known(v.arn)) {
    const n = inst.type === 'aws_cloudwatch_log_group' || inst.type === 'aws_cloudtrail' || inst.type === 'aws_eks_cluster' || inst.type === 'aws_iam_role' || inst.type === 'aws_ecr_repository' ? name() : inst.type === 'aws_lb' ? name() ?? 'tf' : undefined;
    v.arn = ids.arn(inst.type, inst.address, n, region);
  }
  if (inst.type === 'aws_kms_key' && !known(v.key_id)) v.key_id = v.id;
}

const nameIsId = (type: string) => ['aws_cloudwatch_log_group', 'aws_cloudtrail', 'aws_iam_role', 'aws_ecr_repository', 'aws_config_configuration_recorder', 'aws_config_delivery_channel', 'aws_config_config_rule'].includes(type);

/** Translate the managed instances of one root module into facts. */
export function translate(instances: readonly TfInstance[], ctx: IdContext): Translation {
  const ids = new Ids(ctx);
  const managed = instances.filter((i) => i.mode === 'managed');
  for (const i of managed) fillComputedIds(i, ids);
  const links = new Links(managed);
  const facts: AwsFact[] = [];
  const resources: IacResource[] = [];
  const account = ctx.accountId;

  const emit = (inst: TfInstance, outs: Out[], extraIds: (string | undefined)[] = []) => {
    for (const o of outs) {
      const { value, unknown } = settle(o.output as Draft, 'output');
      const params = o.params ? settle(o.params as Draft, 'params').value : undefined;
      const [service, operation] = o.key.split(':') as [string, string];
      const region = o.region ?? inst.region ?? ctx.region;
      const fact: AwsFact = { service, operation, ...(region ? { region } : {}), ...(account ? { accountId: account } : {}), ...(params && Object.keys(params).length > 0 ? { params } : {}), output: value };
      // An instance that may not exist: nothing in its facts is a verdict.
      if (inst.existence) fact.unknown = { output: inst.existence.why, ...unknown };
      else if (Object.keys(unknown).length > 0) fact.unknown = unknown;
      facts.push(fact);
    }
    const idList = [inst.values.id, inst.values.arn, inst.values.name, ...extraIds].filter((x): x is string => typeof x === 'string' && x !== '');
    resources.push({ address: inst.address, type: inst.type, cfnType: CFN_TYPES[inst.type] ?? inst.type, ids: [...new Set(idList)], ...(inst.source ? { source: inst.source } : {}), root: inst.root });
  };

  for (const inst of managed) {
    const fn = TRANSLATORS[inst.type];
    if (!fn) continue;
    const r = fn(inst, { ids, links, ctx });
    if (r) emit(inst, r.outs, r.ids ?? []);
  }
  // Resources only linked to (VPCs, subnets, roles): findings naming them are reported on them too.
  const seen = new Set(resources.map((r) => r.address));
  for (const inst of managed) {
    if (seen.has(inst.address) || !LINKED_CFN[inst.type]) continue;
    const idList = [inst.values.id, inst.values.arn, inst.values.name].filter((x): x is string => typeof x === 'string' && x !== '');
    resources.push({ address: inst.address, type: inst.type, cfnType: LINKED_CFN[inst.type]!, ids: [...new Set(idList)], ...(inst.source ? { source: inst.source } : {}), root: inst.root });
  }

  // Control-plane log groups EKS creates on its own when the configuration does not declare them.
  for (const c of links.of('aws_eks_cluster')) {
    const name = c.values.name;
    if (typeof name !== 'string') continue;
    const group = `/aws/eks/${name}/cluster`;
    if (links.of('aws_cloudwatch_log_group').some((g) => g.values.name === group)) continue;
    const why = `log group ${group} is not in the configuration (EKS creates it when logging is enabled, or it exists outside Terraform), so its retention and key are not known`;
    const { value, unknown } = settle({ logGroups: [{ logGroupName: group, retentionInDays: new Unknown(why), kmsKeyId: new Unknown(why) }] }, 'output');
    const region = c.region ?? ctx.region;
    facts.push({ service: 'logs', operation: 'DescribeLogGroups', ...(region ? { region } : {}), ...(account ? { accountId: account } : {}), params: { logGroupNamePrefix: group }, output: value, unknown });
  }
  return { facts, resources };
}

interface TCtx { ids: Ids; links: Links; ctx: IdContext }
type Translator = (inst: TfInstance, t: TCtx) => { outs: Out[]; ids?: (string | undefined)[] } | undefined;

const s = (v: TfValue | undefined) => str(v);
const known = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** `tags_all` as the plan gives it, else `tags`. */
function tags(v: TfObject): Draft | Unknown | undefined {
  const all = v.tags_all;
  const t = all === undefined || all === null ? v.tags : all;
  return strMap(t) as Draft | Unknown | undefined;
}

function tagList(v: TfObject): Draft | Unknown {
  const t = tags(v);
  if (t instanceof Unknown) return t;
  return Object.entries((t ?? {}) as Record<string, string>).map(([Key, Value]) => ({ Key, Value }));
}

// ───────────────────────────── EKS ─────────────────────────────

function clusterOf(t: TCtx, clusterName: TfValue | undefined): TfInstance | undefined {
  return typeof clusterName === 'string' ? t.links.byId.get(`aws_eks_cluster:${clusterName}`) : undefined;
}

const TRANSLATORS: Record<string, Translator> = {
  aws_eks_cluster(inst, t) {
    const v = inst.values;
    const vpc = block(v, 'vpc_config');
    const region = inst.region ?? t.ctx.region;
    const enabledTypes = strList(v.enabled_cluster_log_types);
    const logging: Draft | Unknown = map(enabledTypes ?? [], (types) => ({
      clusterLogging: [
        { types, enabled: true },
        { types: EKS_LOG_TYPES.filter((x) => !types.includes(x)), enabled: false },
      ],
    }));
    let resourcesVpcConfig: Draft | Unknown;
    if (vpc instanceof Unknown) resourcesVpcConfig = vpc;
    else {
      const subnetIds = strList(get(vpc, 'subnet_ids'));
      const pub = or(get(vpc, 'endpoint_public_access'), true);
      const cidrs = get(vpc, 'public_access_cidrs');
      resourcesVpcConfig = {
        subnetIds: subnetIds ?? [],
        securityGroupIds: strList(get(vpc, 'security_group_ids')) ?? [],
        clusterSecurityGroupId: known(get(vpc, 'cluster_security_group_id')) ? get(vpc, 'cluster_security_group_id') as string : t.ids.clusterSecurityGroup(inst.address),
        vpcId: vpcIdOf(vpc, subnetIds, t),
        endpointPublicAccess: bool(pub),
        endpointPrivateAccess: bool(or(get(vpc, 'endpoint_private_access'), false)),
        // EKS answers 0.0.0.0/0 when no CIDR list is given.
        publicAccessCidrs: cidrs === undefined || cidrs === null || (Array.isArray(cidrs) && cidrs.length === 0) ? ['0.0.0.0/0'] : strList(cidrs),
      };
    }
    const enc = blocks(v, 'encryption_config');
    const encryptionConfig: Draft | Unknown = map(enc, (list) => list.map((e) => ({ resources: strList(e.resources) ?? [], provider: { keyArn: s(get(block(e, 'provider'), 'key_arn')) } })));
    const access = block(v, 'access_config');
    const accessConfig: Draft | Unknown = access instanceof Unknown ? access : {
      // The AWS provider's defaults when the block is absent: CONFIG_MAP and the creator as administrator.
      authenticationMode: s(or(get(access, 'authentication_mode'), 'CONFIG_MAP')),
      bootstrapClusterCreatorAdminPermissions: bool(or(get(access, 'bootstrap_cluster_creator_admin_permissions'), true)),
    };
    const compute = block(v, 'compute_config');
    const computeConfig: Draft | Unknown | undefined = compute instanceof Unknown ? compute : compute ? {
      enabled: bool(get(compute, 'enabled')), nodePools: strList(get(compute, 'node_pools')), nodeRoleArn: s(get(compute, 'node_role_arn')),
    } : undefined;
    const storage = block(v, 'storage_config');
    const upgrade = block(v, 'upgrade_policy');
    const knc = block(v, 'kubernetes_network_config');
    const name = s(v.name);
    const cluster: Draft = {
      name,
      arn: s(v.arn),
      version: v.version === null || v.version === undefined ? new Unknown('no version is set: EKS picks its default version at creation') : s(v.version),
      roleArn: s(v.role_arn),
      logging,
      resourcesVpcConfig,
      ...(v.encryption_config !== undefined && v.encryption_config !== null ? { encryptionConfig } : {}),
      accessConfig,
      identity: { oidc: { issuer: known(get(v, 'identity', 0, 'oidc', 0, 'issuer')) ? get(v, 'identity', 0, 'oidc', 0, 'issuer') as string : t.ids.oidcIssuer(inst.address, region) } },
      ...(computeConfig !== undefined ? { computeConfig } : {}),
      ...(storage instanceof Unknown ? { storageConfig: storage } : storage ? { storageConfig: { blockStorage: { enabled: bool(get(storage, 'block_storage', 0, 'enabled')) } } } : {}),
      upgradePolicy: upgrade instanceof Unknown ? upgrade : { supportType: s(or(get(upgrade, 'support_type'), 'EXTENDED')) },
      ...(knc instanceof Unknown ? { kubernetesNetworkConfig: knc } : knc ? { kubernetesNetworkConfig: { ipFamily: s(or(get(knc, 'ip_family'), 'ipv4')), serviceIpv4Cidr: s(get(knc, 'service_ipv4_cidr')) } } : {}),
      platformVersion: new Unknown(`the platform version is ${AFTER_APPLY}`),
      status: runtime('the cluster status'),
      tags: tags(v),
    };
    return { outs: [{ key: 'eks:DescribeCluster', params: known(name) ? { name } : undefined, output: { cluster }, region }] };
  },

  aws_eks_addon(inst, t) {
    const v = inst.values;
    const clusterName = s(v.cluster_name);
    const addonName = s(v.addon_name);
    if (!known(clusterName) || !known(addonName)) return undefined;
    const assoc = blocks(v, 'pod_identity_association');
    const addon: Draft = {
      addonName, clusterName,
      addonArn: s(v.arn),
      addonVersion: v.addon_version === null || v.addon_version === undefined ? new Unknown(`no addon_version is set: EKS installs its default version for the cluster, ${AFTER_APPLY}`) : s(v.addon_version),
      serviceAccountRoleArn: s(v.service_account_role_arn),
      configurationValues: s(v.configuration_values),
      podIdentityAssociations: map(assoc, (list) => list.map((a) => s(a.role_arn)).filter(known)),
      status: runtime('the add-on status (ACTIVE, DEGRADED)'),
      health: runtime('the add-on health'),
      tags: tags(v),
    };
    void t;
    return {
      outs: [
        { key: 'eks:ListAddons', params: { clusterName }, output: { addons: [addonName] } },
        { key: 'eks:DescribeAddon', params: { clusterName, addonName }, output: { addon } },
      ],
    };
  },

  aws_eks_node_group(inst, t) {
    const v = inst.values;
    const clusterName = s(v.cluster_name);
    const name = s(v.node_group_name) ?? s(v.id);
    const lt = block(v, 'launch_template');
    const ra = block(v, 'remote_access');
    const sc = block(v, 'scaling_config');
    const ltInst = lt instanceof Unknown || !lt ? undefined : t.links.find(get(lt, 'id')) ?? t.links.of('aws_launch_template').find((x) => x.values.name === get(lt, 'name'));
    const nodegroup: Draft = {
      nodegroupName: name,
      nodegroupArn: s(v.arn),
      clusterName,
      nodeRole: s(v.node_role_arn),
      subnets: strList(v.subnet_ids) ?? [],
      amiType: s(v.ami_type) ?? (lt ? undefined : new Unknown(`no ami_type is set: EKS picks the AMI type at creation, ${AFTER_APPLY}`)),
      version: s(v.version) ?? new Unknown(`the node group version follows the cluster's, ${AFTER_APPLY}`),
      releaseVersion: s(v.release_version) ?? new Unknown(`the AMI release version is ${AFTER_APPLY}`),
      capacityType: s(or(v.capacity_type, 'ON_DEMAND')),
      instanceTypes: strList(v.instance_types),
      diskSize: num(v.disk_size),
      labels: strMap(v.labels) as Draft | Unknown | undefined,
      ...(lt instanceof Unknown ? { launchTemplate: lt } : lt ? { launchTemplate: { id: s(get(lt, 'id')) ?? (ltInst ? s(ltInst.values.id) : undefined), name: s(get(lt, 'name')), version: s(get(lt, 'version')) } } : {}),
      ...(ra instanceof Unknown ? { remoteAccess: ra } : ra ? { remoteAccess: { ec2SshKey: s(get(ra, 'ec2_ssh_key')), sourceSecurityGroups: strList(get(ra, 'source_security_group_ids')) ?? [] } } : {}),
      scalingConfig: sc instanceof Unknown ? sc : { minSize: num(get(sc, 'min_size')), maxSize: num(get(sc, 'max_size')), desiredSize: num(get(sc, 'desired_size')) },
      status: runtime('the node group status'),
      health: runtime('the node group health'),
      tags: tags(v),
    };
    const outs: Out[] = [{ key: 'eks:DescribeNodegroup', params: known(clusterName) && known(name) ? { clusterName, nodegroupName: name } : undefined, output: { nodegroup } }];
    if (known(clusterName) && known(name)) outs.push({ key: 'eks:ListNodegroups', params: { clusterName }, output: { nodegroups: [name] } });
    // The instances the node group launches carry its launch template's metadata options.
    const metadata = ltInst ? launchTemplateMetadata(ltInst) : lt ? new Unknown('the node group\'s launch template is not in the configuration, so the metadata options of its instances are not known') : new Unknown(`the node group uses the launch template EKS makes for it, whose metadata options are ${AFTER_APPLY}`);
    const instanceId = t.ids.value(inst.address, 'instances', (h) => `i-${h(17)}`);
    outs.push({
      key: 'ec2:DescribeInstances', params: { Filters: [{ Name: 'tag:eks:nodegroup-name', Values: [known(name) ? name : inst.address] }] },
      output: { Reservations: [{ Instances: [{ InstanceId: instanceId, MetadataOptions: metadata, Tags: [{ Key: 'eks:cluster-name', Value: clusterName }, { Key: 'eks:nodegroup-name', Value: name }], State: { Name: 'pending' } }] }] },
    });
    return { outs, ids: [instanceId] };
  },

  aws_eks_access_entry(inst, t) {
    const v = inst.values;
    const clusterName = s(v.cluster_name);
    const principalArn = s(v.principal_arn);
    if (!known(clusterName) || !known(principalArn)) return undefined;
    void t;
    const policies = t.links.of('aws_eks_access_policy_association').filter((p) => p.values.cluster_name === clusterName && p.values.principal_arn === principalArn);
    return {
      outs: [
        { key: 'eks:ListAccessEntries', params: { clusterName }, output: { accessEntries: [principalArn] } },
        {
          key: 'eks:DescribeAccessEntry', params: { clusterName, principalArn },
          output: { accessEntry: { clusterName, principalArn, accessEntryArn: s(v.access_entry_arn) ?? s(v.arn), kubernetesGroups: strList(v.kubernetes_groups) ?? [], type: s(or(v.type, 'STANDARD')), username: s(v.user_name) ?? new Unknown(`the user name EKS derives from the principal is ${AFTER_APPLY}`), tags: tags(v) } },
        },
        {
          key: 'eks:ListAssociatedAccessPolicies', params: { clusterName, principalArn },
          output: {
            clusterName, principalArn,
            associatedAccessPolicies: policies.map((p) => {
              const scope = block(p.values, 'access_scope');
              return { policyArn: s(p.values.policy_arn), accessScope: scope instanceof Unknown ? scope : { type: s(get(scope, 'type')), namespaces: strList(get(scope, 'namespaces')) ?? [] } };
            }),
          },
        },
      ],
      ids: [principalArn, s(v.access_entry_arn) as string | undefined],
    };
  },

  aws_eks_access_policy_association(inst, t) {
    // Reported with its access entry; an association without a declared entry is reported on its own.
    const v = inst.values;
    const entry = t.links.of('aws_eks_access_entry').some((e) => e.values.cluster_name === v.cluster_name && e.values.principal_arn === v.principal_arn);
    if (entry) return { outs: [] };
    const clusterName = s(v.cluster_name);
    const principalArn = s(v.principal_arn);
    if (!known(clusterName) || !known(principalArn)) return undefined;
    const scope = block(v, 'access_scope');
    return {
      outs: [{
        key: 'eks:ListAssociatedAccessPolicies', params: { clusterName, principalArn },
        output: { clusterName, principalArn, associatedAccessPolicies: [{ policyArn: s(v.policy_arn), accessScope: scope instanceof Unknown ? scope : { type: s(get(scope, 'type')), namespaces: strList(get(scope, 'namespaces')) ?? [] } }] },
      }],
      ids: [principalArn],
    };
  },

  aws_eks_pod_identity_association(inst) {
    const v = inst.values;
    const clusterName = s(v.cluster_name);
    if (!known(clusterName)) return undefined;
    const a = { clusterName, namespace: s(v.namespace), serviceAccount: s(v.service_account), associationArn: s(v.association_arn) ?? s(v.arn), associationId: s(v.association_id) ?? s(v.id) };
    return {
      outs: [
        { key: 'eks:ListPodIdentityAssociations', params: { clusterName }, output: { associations: [a] } },
        { key: 'eks:DescribePodIdentityAssociation', params: { clusterName, associationId: known(a.associationId) ? a.associationId : inst.address }, output: { association: { ...a, roleArn: s(v.role_arn), targetRoleArn: s(v.target_role_arn), disableSessionTags: bool(or(v.disable_session_tags, false)), tags: tags(v) } } },
      ],
    };
  },

  // ───────────────────────────── Logs and trails ─────────────────────────────

  aws_cloudwatch_log_group(inst) {
    const v = inst.values;
    const name = s(v.name) ?? (known(v.name_prefix) ? new Unknown(`the name is generated from name_prefix "${v.name_prefix}", ${AFTER_APPLY}`) : undefined);
    const days = num(v.retention_in_days);
    return {
      outs: [{
        key: 'logs:DescribeLogGroups', params: known(name) ? { logGroupNamePrefix: name } : undefined,
        // retention_in_days 0 (or unset) keeps events forever: DescribeLogGroups then has no retentionInDays.
        output: { logGroups: [{ logGroupName: name, arn: s(v.arn), logGroupArn: s(v.arn), retentionInDays: days === 0 ? undefined : days, kmsKeyId: s(v.kms_key_id), logGroupClass: s(or(v.log_group_class, 'STANDARD')) }] },
      }],
    };
  },

  aws_cloudtrail(inst) {
    const v = inst.values;
    const arn = s(v.arn);
    const name = s(v.name);
    const selectors = blocks(v, 'event_selector');
    const advanced = blocks(v, 'advanced_event_selector');
    const trail = {
      Name: name, TrailARN: arn, HomeRegion: inst.region,
      IsMultiRegionTrail: bool(or(v.is_multi_region_trail, false)),
      IsOrganizationTrail: bool(or(v.is_organization_trail, false)),
      LogFileValidationEnabled: bool(or(v.enable_log_file_validation, false)),
      IncludeGlobalServiceEvents: bool(or(v.include_global_service_events, true)),
      KmsKeyId: s(v.kms_key_id),
      CloudWatchLogsLogGroupArn: s(v.cloud_watch_logs_group_arn),
      S3BucketName: s(v.s3_bucket_name),
    };
    const eventSelectors: Draft | Unknown = map(selectors, (list) => (list.length === 0 && !(Array.isArray(advanced) && advanced.length > 0)
      // No selector at all: CloudTrail logs all read and write management events.
      ? [{ ReadWriteType: 'All', IncludeManagementEvents: true }]
      : list.map((e) => ({ ReadWriteType: s(or(e.read_write_type, 'All')), IncludeManagementEvents: bool(or(e.include_management_events, true)), ExcludeManagementEventSources: strList(e.exclude_management_event_sources) ?? [] }))));
    const adv: Draft | Unknown = map(advanced, (list) => list.map((a) => ({
      Name: s(a.name),
      FieldSelectors: map(blocks(a, 'field_selector'), (fs) => fs.map((f) => ({ Field: s(f.field), Equals: strList(f.equals), NotEquals: strList(f.not_equals), StartsWith: strList(f.starts_with), EndsWith: strList(f.ends_with) }))),
    })));
    const selectorsOut: Draft = Array.isArray(advanced) && advanced.length > 0 ? { TrailARN: arn, AdvancedEventSelectors: adv } : { TrailARN: arn, EventSelectors: eventSelectors };
    return {
      outs: [
        { key: 'cloudtrail:DescribeTrails', output: { trailList: [trail] } },
        { key: 'cloudtrail:GetTrailStatus', params: { Name: arn as string }, output: { IsLogging: bool(or(v.enable_logging, true)), LatestDeliveryError: healthNotJudged('trail log delivery') } },
        { key: 'cloudtrail:GetEventSelectors', params: { TrailName: arn as string }, output: selectorsOut },
      ],
    };
  },

  aws_flow_log(inst) {
    const v = inst.values;
    const resourceId = s(v.vpc_id) ?? s(v.subnet_id) ?? s(v.eni_id) ?? s(v.transit_gateway_id) ?? s(v.transit_gateway_attachment_id);
    const type = s(or(v.log_destination_type, 'cloud-watch-logs'));
    return {
      outs: [{
        key: 'ec2:DescribeFlowLogs',
        output: {
          FlowLogs: [{
            FlowLogId: s(v.id), ResourceId: resourceId, TrafficType: s(v.traffic_type), LogDestinationType: type,
            LogDestination: s(v.log_destination), LogGroupName: s(v.log_group_name),
            FlowLogStatus: 'ACTIVE', DeliverLogsStatus: healthNotJudged('flow log delivery'), Tags: tagList(v),
          }],
        },
      }],
    };
  },

  // ───────────────────────────── GuardDuty, Security Hub, Config ─────────────────────────────

  aws_guardduty_detector(inst, t) {
    const v = inst.values;
    const id = s(v.id) as string;
    const features = t.links.of('aws_guardduty_detector_feature').filter((f) => f.values.detector_id === id);
    const ds = block(v, 'datasources');
    const k8sAudit = ds instanceof Unknown ? ds : bool(get(ds, 'kubernetes', 0, 'audit_logs', 0, 'enable'));
    const Features: Draft = features.map((f) => ({
      Name: s(f.values.name),
      Status: s(f.values.status),
      AdditionalConfiguration: map(blocks(f.values, 'additional_configuration'), (list) => list.map((c) => ({ Name: s(c.name), Status: s(c.status) }))),
    }));
    const DataSources: Draft = k8sAudit === undefined ? {} : { Kubernetes: { AuditLogs: { Status: map(k8sAudit, (b) => (b ? 'ENABLED' : 'DISABLED')) } } };
    // Features not declared: a new detector's defaults depend on the account and the console/API; not guessed.
    const declared = new Set(features.map((f) => f.values.name));
    const undeclared = ['EKS_AUDIT_LOGS', 'RUNTIME_MONITORING', 'EKS_RUNTIME_MONITORING'].filter((n) => !declared.has(n) && !(n === 'EKS_AUDIT_LOGS' && k8sAudit !== undefined));
    const output: Draft = {
      Status: map(bool(or(v.enable, true)), (b) => (b ? 'ENABLED' : 'DISABLED')),
      Features: undeclared.length > 0 ? new Unknown(`the detector features ${undeclared.join(', ')} are not declared (aws_guardduty_detector_feature), so their status is ${AFTER_APPLY}`) : Features,
      DataSources,
      FindingPublishingFrequency: s(v.finding_publishing_frequency),
      Tags: tags(v),
    };
    return {
      outs: [
        { key: 'guardduty:ListDetectors', output: { DetectorIds: [id] } },
        { key: 'guardduty:GetDetector', params: { DetectorId: id }, output },
      ],
    };
  },

  aws_securityhub_account(inst, t) {
    const v = inst.values;
    const subs = t.links.of('aws_securityhub_standards_subscription').filter((x) => (x.region ?? t.ctx.region) === (inst.region ?? t.ctx.region));
    const enableDefault = bool(or(v.enable_default_standards, true));
    const StandardsSubscriptions: Draft = subs.map((x) => ({ StandardsSubscriptionArn: s(x.values.id), StandardsArn: s(x.values.standards_arn), StandardsStatus: runtime('the standard\'s status (READY)') }));
    return {
      outs: [
        { key: 'securityhub:DescribeHub', output: { HubArn: s(v.arn), AutoEnableControls: bool(or(v.auto_enable_controls, true)), ControlFindingGenerator: s(v.control_finding_generator) } },
        {
          key: 'securityhub:GetEnabledStandards',
          output: {
            StandardsSubscriptions: enableDefault === true
              ? new Unknown('enable_default_standards is on: the standards Security Hub enables by default are chosen by AWS; declare aws_securityhub_standards_subscription resources (and set enable_default_standards = false) to decide this')
              : StandardsSubscriptions,
          },
        },
      ],
    };
  },

  aws_config_configuration_recorder(inst, t) {
    const v = inst.values;
    const name = s(or(v.name, 'default'));
    const g = block(v, 'recording_group');
    const mode = block(v, 'recording_mode');
    const recordingGroup: Draft | Unknown = g instanceof Unknown ? g : g ? {
      allSupported: bool(or(get(g, 'all_supported'), true)),
      includeGlobalResourceTypes: bool(or(get(g, 'include_global_resource_types'), false)),
      resourceTypes: strList(get(g, 'resource_types')) ?? [],
      exclusionByResourceTypes: { resourceTypes: strList(get(g, 'exclusion_by_resource_types', 0, 'resource_types')) ?? [] },
      recordingStrategy: { useOnly: s(get(g, 'recording_strategy', 0, 'use_only')) },
    } : { allSupported: true, includeGlobalResourceTypes: false, resourceTypes: [] };
    const recordingMode: Draft | Unknown | undefined = mode instanceof Unknown ? mode : mode ? {
      recordingFrequency: s(or(get(mode, 'recording_frequency'), 'CONTINUOUS')),
      recordingModeOverrides: map(blocks(mode, 'recording_mode_override'), (list) => list.map((o) => ({ recordingFrequency: s(o.recording_frequency), resourceTypes: strList(o.resource_types) ?? [], description: s(o.description) }))),
    } : { recordingFrequency: 'CONTINUOUS' };
    const status = t.links.of('aws_config_configuration_recorder_status').find((x) => x.values.name === name);
    const outs: Out[] = [{ key: 'config:DescribeConfigurationRecorders', output: { ConfigurationRecorders: [{ name, roleARN: s(v.role_arn), recordingGroup, recordingMode }] } }];
    outs.push({
      key: 'config:DescribeConfigurationRecorderStatus',
      output: {
        ConfigurationRecordersStatus: [status
          ? { name, recording: bool(status.values.is_enabled), lastStatus: runtime('the recorder\'s last delivery status') }
          // A recorder Terraform creates is stopped until aws_config_configuration_recorder_status starts it.
          : { name, recording: false }],
      },
    });
    return { outs, ids: status ? [status.address] : [] };
  },

  aws_config_delivery_channel(inst) {
    const v = inst.values;
    return { outs: [{ key: 'config:DescribeDeliveryChannels', output: { DeliveryChannels: [{ name: s(or(v.name, 'default')), s3BucketName: s(v.s3_bucket_name), s3KeyPrefix: s(v.s3_key_prefix), snsTopicARN: s(v.sns_topic_arn) }] } }] };
  },

  aws_config_config_rule(inst) {
    const v = inst.values;
    const src = block(v, 'source');
    return {
      outs: [{
        key: 'config:DescribeConfigRules',
        output: { ConfigRules: [{ ConfigRuleName: s(v.name), ConfigRuleArn: s(v.arn), ConfigRuleId: s(v.rule_id), Source: src instanceof Unknown ? src : { Owner: s(get(src, 'owner')), SourceIdentifier: s(get(src, 'source_identifier')) }, ConfigRuleState: 'ACTIVE' }] },
      }],
    };
  },

  aws_config_conformance_pack(inst) {
    const v = inst.values;
    return { outs: [{ key: 'config:DescribeConformancePacks', output: { ConformancePackDetails: [{ ConformancePackName: s(v.name), ConformancePackArn: s(v.arn) }] } }] };
  },

  // ───────────────────────────── KMS, ECR, EBS ─────────────────────────────

  aws_kms_key(inst, t) {
    const v = inst.values;
    const arn = s(v.arn) as string;
    const keyId = s(v.key_id) ?? s(v.id);
    const enabled = bool(or(v.is_enabled, true));
    const spec = s(or(v.customer_master_key_spec, 'SYMMETRIC_DEFAULT'));
    const outs: Out[] = [{
      key: 'kms:DescribeKey', params: { KeyId: arn },
      output: { KeyMetadata: { KeyId: keyId, Arn: arn, Enabled: enabled, KeyState: map(enabled, (b) => (b ? 'Enabled' : 'Disabled')), KeyManager: 'CUSTOMER', KeySpec: spec, KeyUsage: s(or(v.key_usage, 'ENCRYPT_DECRYPT')), Origin: 'AWS_KMS', MultiRegion: bool(or(v.multi_region, false)), Description: s(v.description) } },
    }];
    outs.push({ key: 'kms:GetKeyRotationStatus', params: { KeyId: arn }, output: { KeyId: arn, KeyRotationEnabled: bool(or(v.enable_key_rotation, false)), RotationPeriodInDays: num(v.rotation_period_in_days) } });
    const aliases = t.links.of('aws_kms_alias').filter((a) => a.values.target_key_id === keyId || a.values.target_key_id === arn);
    if (aliases.length > 0) outs.push({ key: 'kms:ListAliases', output: { Aliases: aliases.map((a) => ({ AliasName: s(a.values.name), AliasArn: s(a.values.arn), TargetKeyId: keyId })) } });
    return { outs, ids: [keyId as string | undefined] };
  },

  aws_ecr_repository(inst) {
    const v = inst.values;
    const name = s(v.name);
    const scan = block(v, 'image_scanning_configuration');
    const scanOnPush = scan instanceof Unknown ? scan : bool(or(get(scan, 'scan_on_push'), false));
    const enc = block(v, 'encryption_configuration');
    return {
      outs: [
        {
          key: 'ecr:DescribeRepositories',
          output: { repositories: [{ repositoryName: name, repositoryArn: s(v.arn), registryId: known(v.registry_id) ? v.registry_id : undefined, imageScanningConfiguration: { scanOnPush }, imageTagMutability: s(or(v.image_tag_mutability, 'MUTABLE')), encryptionConfiguration: enc instanceof Unknown ? enc : { encryptionType: s(or(get(enc, 'encryption_type'), 'AES256')), kmsKey: s(get(enc, 'kms_key')) } }] },
        },
        {
          // The repository's effective scanning depends on the registry configuration too: only the repository flag is declared here.
          key: 'ecr:BatchGetRepositoryScanningConfiguration',
          output: { scanningConfigurations: [{ repositoryName: name, repositoryArn: s(v.arn), scanOnPush, scanFrequency: new Unknown('the effective scan frequency depends on the registry scanning configuration, which is account-wide'), appliedScanFilters: [] }], failures: [] },
        },
      ],
    };
  },

  aws_ecr_registry_scanning_configuration(inst, t) {
    const v = inst.values;
    const rules = blocks(v, 'rule');
    return {
      outs: [{
        key: 'ecr:GetRegistryScanningConfiguration',
        output: {
          // The registry is the account: named when known, else left out (an id, not a judged value).
          registryId: known(v.registry_id) ? v.registry_id : t.ctx.accountId,
          scanningConfiguration: {
            scanType: s(v.scan_type),
            rules: map(rules, (list) => list.map((r) => ({ scanFrequency: s(r.scan_frequency), repositoryFilters: map(blocks(r, 'repository_filter'), (fs) => fs.map((f) => ({ filter: s(f.filter), filterType: s(f.filter_type) }))) }))),
          },
        },
      }],
    };
  },

  aws_ebs_encryption_by_default(inst) {
    return { outs: [{ key: 'ec2:GetEbsEncryptionByDefault', output: { EbsEncryptionByDefault: bool(or(inst.values.enabled, true)) } }] };
  },

  aws_ebs_default_kms_key(inst) {
    return { outs: [{ key: 'ec2:GetEbsDefaultKmsKeyId', output: { KmsKeyId: s(inst.values.key_arn) } }] };
  },

  aws_launch_template(inst) {
    const v = inst.values;
    const data: Draft = launchTemplateData(v);
    return {
      outs: [{
        key: 'ec2:DescribeLaunchTemplateVersions', params: { LaunchTemplateId: s(v.id) as string },
        output: { LaunchTemplateVersions: [{ LaunchTemplateId: s(v.id), LaunchTemplateName: s(v.name), VersionNumber: num(v.latest_version) ?? new Unknown(`the version number is ${AFTER_APPLY}`), DefaultVersion: true, LaunchTemplateData: data }] },
      }],
    };
  },

  // ───────────────────────────── Security groups ─────────────────────────────

  aws_security_group(inst, t) {
    const v = inst.values;
    const groupId = s(v.id) as string;
    const rules: Draft[] = [];
    const perms = (list: TfObject[] | Unknown, egress: boolean): Draft | Unknown => map(list, (l) => l.map((r) => {
      const cidrs = strList(r.cidr_blocks);
      const cidrs6 = strList(r.ipv6_cidr_blocks);
      const groups = strList(r.security_groups);
      for (const rr of inlineRules(groupId, r, egress, t, inst.address)) rules.push(rr);
      return {
        IpProtocol: protocol(r.protocol), FromPort: num(r.from_port), ToPort: num(r.to_port),
        IpRanges: map(cidrs ?? [], (c) => c.map((CidrIp) => ({ CidrIp, Description: s(r.description) }))),
        Ipv6Ranges: map(cidrs6 ?? [], (c) => c.map((CidrIpv6) => ({ CidrIpv6 }))),
        UserIdGroupPairs: map(groups ?? [], (g) => [...g, ...(r.self === true ? [groupId] : [])].map((GroupId) => ({ GroupId }))),
        PrefixListIds: map(strList(r.prefix_list_ids) ?? [], (p) => p.map((PrefixListId) => ({ PrefixListId }))),
      };
    }));
    const ingress = blocks(v, 'ingress');
    const egress = blocks(v, 'egress');
    // Standalone rule resources attached to this group.
    const standalone = [
      ...t.links.of('aws_security_group_rule').filter((r) => r.values.security_group_id === groupId),
      ...t.links.of('aws_vpc_security_group_ingress_rule').filter((r) => r.values.security_group_id === groupId),
      ...t.links.of('aws_vpc_security_group_egress_rule').filter((r) => r.values.security_group_id === groupId),
    ];
    let standaloneRules: Draft | Unknown = [];
    const srs: Draft[] = [];
    for (const r of standalone) {
      const x = standaloneRule(r, groupId, t);
      if (x instanceof Unknown) { standaloneRules = x; break; }
      srs.push(...x);
    }
    if (!(standaloneRules instanceof Unknown)) standaloneRules = srs;
    const group: Draft = {
      GroupId: groupId, GroupName: s(v.name) ?? (known(v.name_prefix) ? new Unknown(`the name is generated from name_prefix, ${AFTER_APPLY}`) : undefined), Description: s(v.description), VpcId: s(v.vpc_id),
      IpPermissions: perms(ingress, false), IpPermissionsEgress: perms(egress, true), Tags: tagList(v),
    };
    const outs: Out[] = [{ key: 'ec2:DescribeSecurityGroups', output: { SecurityGroups: [group] } }];
    const inlineUnknown = ingress instanceof Unknown ? ingress : egress instanceof Unknown ? egress : undefined;
    const all: Draft | Unknown = inlineUnknown ?? (standaloneRules instanceof Unknown ? standaloneRules : [...rules, ...(standaloneRules as Draft[])]);
    outs.push({ key: 'ec2:DescribeSecurityGroupRules', output: { SecurityGroupRules: all } });
    return { outs, ids: standalone.map((r) => r.address) };
  },

  aws_lb(inst, t) {
    const v = inst.values;
    const arn = s(v.arn) as string;
    const type = s(or(v.load_balancer_type, 'application'));
    const assoc = t.links.of('aws_wafv2_web_acl_association').filter((a) => a.values.resource_arn === arn);
    const outs: Out[] = [
      { key: 'elasticloadbalancing:DescribeLoadBalancers', output: { LoadBalancers: [{ LoadBalancerArn: arn, LoadBalancerName: s(v.name), Type: type, Scheme: map(bool(or(v.internal, false)), (b) => (b ? 'internal' : 'internet-facing')), VpcId: s(v.vpc_id) ?? new Unknown(`the VPC comes from the subnets, ${AFTER_APPLY}`), SecurityGroups: strList(v.security_groups) ?? [], DNSName: s(v.dns_name) }] } },
      { key: 'elasticloadbalancing:DescribeTags', output: { TagDescriptions: [{ ResourceArn: arn, Tags: tagList(v) }] } },
    ];
    if (type === 'application') {
      const acl = assoc[0];
      outs.push({ key: 'wafv2:GetWebACLForResource', params: { ResourceArn: arn }, output: acl ? { WebACL: { ARN: s(acl.values.web_acl_arn), Name: webAclName(acl.values.web_acl_arn, t), Id: s(acl.values.web_acl_arn) } } : {} });
    }
    const listeners = [...t.links.of('aws_lb_listener'), ...t.links.of('aws_alb_listener')].filter((l) => l.values.load_balancer_arn === arn);
    if (listeners.length > 0) {
      outs.push({
        key: 'elasticloadbalancing:DescribeListeners', params: { LoadBalancerArn: arn },
        output: { Listeners: listeners.map((l) => ({ ListenerArn: s(l.values.arn), LoadBalancerArn: arn, Port: num(l.values.port), Protocol: s(l.values.protocol) ?? (type === 'application' ? 'HTTP' : 'TCP'), SslPolicy: s(l.values.ssl_policy), Certificates: known(l.values.certificate_arn) ? [{ CertificateArn: l.values.certificate_arn }] : [] })) },
      });
    }
    return { outs, ids: [...assoc.map((a) => a.address), ...listeners.map((l) => s(l.values.arn) as string | undefined)] };
  },

  aws_iam_openid_connect_provider(inst) {
    const v = inst.values;
    const arn = s(v.arn) as string;
    const url = s(v.url);
    return {
      outs: [
        { key: 'iam:ListOpenIDConnectProviders', output: { OpenIDConnectProviderList: [{ Arn: arn }] } },
        { key: 'iam:GetOpenIDConnectProvider', params: { OpenIDConnectProviderArn: arn }, output: { Url: map(url ?? '', (u) => u.replace(/^https:\/\//, '')), ClientIDList: strList(v.client_id_list) ?? [], ThumbprintList: strList(v.thumbprint_list) ?? [], Tags: tagList(v) } },
      ],
    };
  },
};

function webAclName(arn: TfValue | undefined, t: TCtx): string | Unknown | undefined {
  const acl = t.links.find(arn);
  if (acl) return s(acl.values.name);
  return typeof arn === 'string' ? /webacl\/([^/]+)\//.exec(arn)?.[1] : s(arn);
}

/** The cluster's VPC: `vpc_config.vpc_id` when the plan knows it, else the VPC of its subnets. */
function vpcIdOf(vpc: TfObject | undefined, subnetIds: string[] | Unknown | undefined, t: TCtx): string | Unknown {
  const given = get(vpc, 'vpc_id');
  if (known(given)) return given;
  if (subnetIds instanceof Unknown) return new Unknown(`the VPC comes from the subnets, which are ${AFTER_APPLY}`);
  const vpcs = new Set<string>();
  for (const id of subnetIds ?? []) {
    const sub = t.links.find(id);
    const v = sub?.values.vpc_id;
    if (known(v)) vpcs.add(v);
  }
  if (vpcs.size === 1) return [...vpcs][0]!;
  return new Unknown('the VPC comes from the subnets, which are not declared in this configuration (or declare no VPC)');
}

function protocol(p: TfValue | undefined): string | Unknown | undefined {
  const x = s(p);
  if (x instanceof Unknown || x === undefined) return x;
  const n = x.toLowerCase();
  return n === 'all' || n === '-1' ? '-1' : n;
}

/** The rules of one inline ingress/egress block, as DescribeSecurityGroupRules lists them (one per source). */
function inlineRules(groupId: string, r: TfObject, egress: boolean, t: TCtx, address: string): Draft[] {
  const base = { GroupId: groupId, IsEgress: egress, IpProtocol: protocol(r.protocol), FromPort: num(r.from_port), ToPort: num(r.to_port), Description: s(r.description) };
  const out: Draft[] = [];
  const add = (extra: Draft) => out.push({ SecurityGroupRuleId: t.ids.value(address, `${egress ? 'egress' : 'ingress'}.${out.length}.${JSON.stringify(extra)}`, (h) => `sgr-${h(17)}`), ...base, ...(extra as object) });
  const list = (k: string) => strList(r[k]);
  const cidrs = list('cidr_blocks');
  const cidrs6 = list('ipv6_cidr_blocks');
  const groups = list('security_groups');
  const pls = list('prefix_list_ids');
  for (const x of [cidrs, cidrs6, groups, pls]) if (x instanceof Unknown) return [{ ...base, CidrIpv4: x }];
  for (const c of (cidrs as string[] | undefined) ?? []) add({ CidrIpv4: c });
  for (const c of (cidrs6 as string[] | undefined) ?? []) add({ CidrIpv6: c });
  for (const g of (groups as string[] | undefined) ?? []) add({ ReferencedGroupInfo: { GroupId: g } });
  if (r.self === true) add({ ReferencedGroupInfo: { GroupId: groupId } });
  for (const p of (pls as string[] | undefined) ?? []) add({ PrefixListId: p });
  return out;
}

function standaloneRule(r: TfInstance, groupId: string, t: TCtx): Draft[] | Unknown {
  const v = r.values;
  const id = s(v.security_group_rule_id) ?? s(v.id);
  if (r.type === 'aws_security_group_rule') {
    const egress = v.type === 'egress';
    if (isUnknown(v.type)) return v.type;
    return inlineRules(groupId, { ...v, security_groups: known(v.source_security_group_id) || isUnknown(v.source_security_group_id) ? [v.source_security_group_id] : [] }, egress, t, r.address);
  }
  const egress = r.type === 'aws_vpc_security_group_egress_rule';
  return [{
    SecurityGroupRuleId: id, GroupId: groupId, IsEgress: egress, IpProtocol: protocol(v.ip_protocol), FromPort: num(v.from_port), ToPort: num(v.to_port),
    CidrIpv4: s(v.cidr_ipv4), CidrIpv6: s(v.cidr_ipv6), PrefixListId: s(v.prefix_list_id),
    ...(v.referenced_security_group_id !== undefined && v.referenced_security_group_id !== null ? { ReferencedGroupInfo: { GroupId: s(v.referenced_security_group_id) } } : {}),
    Description: s(v.description),
  }];
}

function metadataOptions(mo: TfObject | Unknown | undefined): Draft | Unknown {
  if (mo instanceof Unknown) return mo;
  if (!mo) return new Unknown('the launch template sets no metadata_options: the instances get the AMI\'s and account\'s defaults, which Terraform does not declare');
  const tokens = get(mo, 'http_tokens');
  return {
    HttpEndpoint: s(or(get(mo, 'http_endpoint'), 'enabled')),
    HttpTokens: tokens === undefined || tokens === null ? new Unknown('metadata_options.http_tokens is not set: the AMI\'s and account\'s defaults apply, which Terraform does not declare') : s(tokens),
    HttpPutResponseHopLimit: num(get(mo, 'http_put_response_hop_limit')) ?? new Unknown('metadata_options.http_put_response_hop_limit is not set: the AMI\'s default applies'),
  };
}

function launchTemplateData(v: TfObject): Draft {
  const bdm = blocks(v, 'block_device_mappings');
  return {
    ImageId: s(v.image_id),
    MetadataOptions: metadataOptions(block(v, 'metadata_options')),
    SecurityGroupIds: strList(v.vpc_security_group_ids) ?? [],
    BlockDeviceMappings: map(bdm, (list) => list.map((b) => {
      const ebs = block(b, 'ebs');
      return {
        DeviceName: s(b.device_name),
        Ebs: ebs instanceof Unknown ? ebs : ebs ? { Encrypted: map(bool(get(ebs, 'encrypted')) ?? false, (x) => x), KmsKeyId: s(get(ebs, 'kms_key_id')), VolumeSize: num(get(ebs, 'volume_size')), VolumeType: s(get(ebs, 'volume_type')) } : undefined,
      };
    })),
    NetworkInterfaces: map(blocks(v, 'network_interfaces'), (list) => list.map((n) => ({ Groups: strList(n.security_groups) ?? [], AssociatePublicIpAddress: bool(n.associate_public_ip_address) }))),
  };
}

function launchTemplateMetadata(lt: TfInstance): Draft | Unknown {
  return metadataOptions(block(lt.values, 'metadata_options'));
}

export { clusterOf, isObj, UNKNOWN_ACCOUNT };
