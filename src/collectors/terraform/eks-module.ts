/**
 * terraform-aws-modules/eks/aws (and its eks-managed-node-group submodule), understood from the
 * module call's inputs with the module's documented defaults for the pinned major version, when the
 * module's own source is not on disk. The defaults below were read from the module's variables.tf
 * and main.tf at v19.21.0, v20.37.2 and v21.19.0; the resources are the ones the module declares, at
 * the addresses it gives them, reported on the line of the module call.
 */
import type { EvidenceGap, SourceLocation } from '../../model/index.js';
import type { Ids } from './ids.js';
import { fillComputedIds } from './translate.js';
import { Unknown, isObj } from './values.js';
import type { TfInstance, TfObject, TfValue } from './values.js';

const EKS_SOURCE = /^(?:registry\.terraform\.io\/|app\.terraform\.io\/)?terraform-aws-modules\/eks\/aws(?:\/\/modules\/([\w-]+))?$/;

export function isEksModule(source: string): boolean {
  return EKS_SOURCE.test(source);
}

export interface EksModuleCall {
  source: string;
  version: string | undefined;
  inputs: TfObject;
  address: string;
  source_loc: SourceLocation;
  root: string;
  region: string | undefined;
  ids: Ids;
}

/** Input names and defaults per major version (variables.tf). */
interface Defaults {
  name: string;
  version: string;
  logTypes: [string, string[]];
  authMode: string | undefined;
  creatorAdmin: boolean | 'access-entry';
  endpointPublic: [string, boolean];
  endpointPrivate: [string, boolean];
  publicCidrs: [string, string[]];
  encryption: [string, TfObject | null];
  addons: string;
  nodeGroups: string;
}

const V20: Defaults = {
  name: 'cluster_name', version: 'cluster_version', logTypes: ['cluster_enabled_log_types', ['audit', 'api', 'authenticator']],
  authMode: 'API_AND_CONFIG_MAP', creatorAdmin: 'access-entry',
  endpointPublic: ['cluster_endpoint_public_access', false], endpointPrivate: ['cluster_endpoint_private_access', true],
  publicCidrs: ['cluster_endpoint_public_access_cidrs', ['0.0.0.0/0']], encryption: ['cluster_encryption_config', { resources: ['secrets'] }],
  addons: 'cluster_addons', nodeGroups: 'eks_managed_node_groups',
};

const DEFAULTS: Record<number, Defaults> = {
  // v19 sets no access_config: the AWS provider's defaults apply (aws-auth ConfigMap, creator admin).
  19: { ...V20, authMode: undefined, creatorAdmin: true },
  20: V20,
  // v21 dropped the cluster_ prefixes; encryption is on unless encryption_config = null.
  21: {
    ...V20, name: 'name', version: 'kubernetes_version', logTypes: ['enabled_log_types', ['audit', 'api', 'authenticator']],
    endpointPublic: ['endpoint_public_access', false], endpointPrivate: ['endpoint_private_access', true],
    publicCidrs: ['endpoint_public_access_cidrs', ['0.0.0.0/0']], encryption: ['encryption_config', {}], addons: 'addons',
  },
};

/** The major version a `version` constraint pins (`~> 20.0`, `20.8.4`, `>= 21`), when one. */
export function pinnedMajor(version: string | undefined): number | undefined {
  if (!version) return undefined;
  const majors = new Set([...version.matchAll(/(?:^|[\s,=~><!])v?(\d+)(?:\.\d+)*/g)].map((m) => Number(m[1])));
  return majors.size === 1 ? [...majors][0] : undefined;
}

const given = (inputs: TfObject, k: string): TfValue | undefined => (k in inputs && inputs[k] !== null ? inputs[k] : undefined);

export async function eksModuleInstances(call: EksModuleCall): Promise<{ instances: TfInstance[]; outputs: TfObject; problems: EvidenceGap[] }> {
  const major = pinnedMajor(call.version);
  const sub = EKS_SOURCE.exec(call.source)?.[1];
  const problems: EvidenceGap[] = [];
  const where = `${call.source_loc.file}:${call.source_loc.line}`;
  if (major === undefined || !DEFAULTS[major]) {
    problems.push({
      source: 'files', target: where, reason: 'skipped', line: call.source_loc.line,
      message: `${where}: module ${call.address} (${call.source}${call.version ? ` ${call.version}` : ', no version'}) not expanded: eks-soc2 knows the defaults of major versions ${Object.keys(DEFAULTS).join(', ')} only; pin one, or scan the plan`,
      fix: 'terraform plan -out tfplan && terraform show -json tfplan > plan.json && eks-soc2 scan -f plan.json',
    });
    return { instances: [], outputs: {}, problems };
  }
  const d = DEFAULTS[major]!;
  const instances: TfInstance[] = [];
  const make = (address: string, type: string, values: TfObject): TfInstance => {
    const i: TfInstance = { address, module: address.replace(/\.[^.]+\.[^.]+$/, ''), mode: 'managed', type, name: address.split('.').slice(-1)[0]!.replace(/\[.*$/, ''), values, source: call.source_loc, root: call.root, ...(call.region ? { region: call.region } : {}) };
    fillComputedIds(i, call.ids);
    instances.push(i);
    return i;
  };
  const inp = call.inputs;
  if (sub) {
    if (sub !== 'eks-managed-node-group') {
      problems.push({ source: 'files', target: where, reason: 'skipped', line: call.source_loc.line, message: `${where}: module ${call.address} (${call.source}) not expanded: of the submodules only eks-managed-node-group is understood; scan the plan` });
      return { instances: [], outputs: {}, problems };
    }
    nodeGroup(call.address, inp, given(inp, 'cluster_name'), make);
    return { instances, outputs: {}, problems };
  }
  if (given(inp, 'create') === false) return { instances: [], outputs: {}, problems };

  const a = call.address;
  const name = given(inp, d.name) ?? new Unknown(`${d.name} is not set on ${a}`);
  const encInput = given(inp, d.encryption[0]) ?? d.encryption[1];
  const encryptionOn = encInput instanceof Unknown ? encInput : major === 21 ? encInput !== null : isObj(encInput) && Object.keys(encInput).length > 0;
  const createKey = given(inp, 'create_kms_key') ?? true;
  let keyArn: TfValue | undefined;
  if (encryptionOn === true && createKey === true) {
    const key = make(`${a}.module.kms.aws_kms_key.this[0]`, 'aws_kms_key', { enable_key_rotation: given(inp, 'enable_kms_key_rotation') ?? true, is_enabled: true, description: given(inp, 'kms_key_description') ?? null });
    keyArn = key.values.arn;
  } else if (isObj(encInput)) keyArn = encInput.provider_key_arn ?? null;
  const encResources = isObj(encInput) ? (encInput.resources ?? ['secrets']) : ['secrets'];
  const cluster = make(`${a}.aws_eks_cluster.this[0]`, 'aws_eks_cluster', {
    name,
    version: given(inp, d.version) ?? null,
    role_arn: given(inp, 'iam_role_arn') ?? null,
    enabled_cluster_log_types: given(inp, d.logTypes[0]) ?? d.logTypes[1],
    vpc_config: [{
      subnet_ids: given(inp, major === 21 ? 'control_plane_subnet_ids' : 'control_plane_subnet_ids') ?? given(inp, 'subnet_ids') ?? [],
      endpoint_public_access: given(inp, d.endpointPublic[0]) ?? d.endpointPublic[1],
      endpoint_private_access: given(inp, d.endpointPrivate[0]) ?? d.endpointPrivate[1],
      public_access_cidrs: given(inp, d.publicCidrs[0]) ?? d.publicCidrs[1],
      ...(given(inp, 'vpc_id') !== undefined ? { vpc_id: given(inp, 'vpc_id')! } : {}),
    }],
    encryption_config: encryptionOn instanceof Unknown ? encryptionOn : encryptionOn ? [{ resources: encResources, provider: [{ key_arn: keyArn ?? null }] }] : [],
    ...(d.authMode ? { access_config: [{ authentication_mode: given(inp, 'authentication_mode') ?? d.authMode, bootstrap_cluster_creator_admin_permissions: false }] } : {}),
    tags: isObj(given(inp, 'tags')) ? given(inp, 'tags')! : {},
  });
  const clusterName = cluster.values.name;

  if ((given(inp, 'create_cloudwatch_log_group') ?? true) === true && typeof clusterName === 'string') {
    make(`${a}.aws_cloudwatch_log_group.this[0]`, 'aws_cloudwatch_log_group', {
      name: `/aws/eks/${clusterName}/cluster`,
      retention_in_days: given(inp, 'cloudwatch_log_group_retention_in_days') ?? 90,
      kms_key_id: given(inp, 'cloudwatch_log_group_kms_key_id') ?? null,
    });
  }
  if ((given(inp, 'enable_irsa') ?? true) === true) {
    const issuer = (cluster.values.identity as TfValue[] | undefined)?.[0];
    void issuer;
    make(`${a}.aws_iam_openid_connect_provider.oidc_provider[0]`, 'aws_iam_openid_connect_provider', {
      url: call.ids.oidcIssuer(cluster.address, call.region), client_id_list: ['sts.amazonaws.com'],
    });
  }
  // Access entries (v20+): the module's input map, plus the creator when asked.
  const entries = given(inp, 'access_entries');
  if (d.creatorAdmin === 'access-entry' && isObj(entries)) {
    for (const [k, e] of Object.entries(entries)) {
      if (!isObj(e)) continue;
      make(`${a}.aws_eks_access_entry.this[${JSON.stringify(k)}]`, 'aws_eks_access_entry', {
        cluster_name: clusterName ?? null, principal_arn: e.principal_arn ?? null, kubernetes_groups: e.kubernetes_groups ?? null, type: e.type ?? 'STANDARD', user_name: e.user_name ?? null,
      });
      for (const [pk, p] of Object.entries(isObj(e.policy_associations) ? e.policy_associations : {})) {
        if (!isObj(p)) continue;
        make(`${a}.aws_eks_access_policy_association.this[${JSON.stringify(`${k}_${pk}`)}]`, 'aws_eks_access_policy_association', {
          cluster_name: clusterName ?? null, principal_arn: e.principal_arn ?? null, policy_arn: p.policy_arn ?? null, access_scope: [isObj(p.access_scope) ? p.access_scope : {}],
        });
      }
    }
  }
  if (d.creatorAdmin === 'access-entry' && given(inp, 'enable_cluster_creator_admin_permissions') === true) {
    const who = new Unknown('the identity that runs Terraform (enable_cluster_creator_admin_permissions) is known only at apply');
    make(`${a}.aws_eks_access_entry.this["cluster_creator"]`, 'aws_eks_access_entry', { cluster_name: clusterName ?? null, principal_arn: who, type: 'STANDARD' });
  }
  const addons = given(inp, d.addons);
  if (isObj(addons)) {
    for (const [k, ad] of Object.entries(addons)) {
      const o = isObj(ad) ? ad : {};
      make(`${a}.aws_eks_addon.this[${JSON.stringify(k)}]`, 'aws_eks_addon', {
        cluster_name: clusterName ?? null, addon_name: o.name ?? k,
        addon_version: o.addon_version ?? (o.most_recent === true ? new Unknown('most_recent = true: the newest add-on version is chosen at plan time') : null),
        configuration_values: o.configuration_values ?? null, service_account_role_arn: o.service_account_role_arn ?? null,
        pod_identity_association: Array.isArray(o.pod_identity_association) ? o.pod_identity_association : [],
      });
    }
  }
  const groups = given(inp, d.nodeGroups);
  if (isObj(groups)) {
    const defaults = isObj(given(inp, 'eks_managed_node_group_defaults')) ? (given(inp, 'eks_managed_node_group_defaults') as TfObject) : {};
    for (const [k, g] of Object.entries(groups)) nodeGroup(`${a}.module.eks_managed_node_group[${JSON.stringify(k)}]`, { ...defaults, ...(isObj(g) ? g : {}), name: (isObj(g) ? g.name : undefined) ?? k, subnet_ids: (isObj(g) ? g.subnet_ids : undefined) ?? given(inp, 'subnet_ids') ?? null }, clusterName, make);
  }
  return {
    instances, problems,
    outputs: { cluster_name: clusterName ?? null, cluster_arn: cluster.values.arn ?? null, cluster_oidc_issuer_url: call.ids.oidcIssuer(cluster.address, call.region), kms_key_arn: keyArn ?? null, cluster_security_group_id: call.ids.clusterSecurityGroup(cluster.address) },
  };
}

/** The eks-managed-node-group submodule: a node group and, by default, its own launch template (IMDSv2 required, hop limit 2). */
function nodeGroup(prefix: string, inp: TfObject, clusterName: TfValue | undefined, make: (address: string, type: string, values: TfObject) => TfInstance): void {
  if (inp.create === false) return;
  const custom = (inp.use_custom_launch_template ?? true) === true;
  const createLt = custom && (inp.create_launch_template ?? true) === true;
  let ltId: TfValue | null = null;
  if (createLt) {
    const md = isObj(inp.metadata_options) ? inp.metadata_options : { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 2 };
    const bdm = isObj(inp.block_device_mappings) ? Object.values(inp.block_device_mappings).filter(isObj) : [];
    const lt = make(`${prefix}.aws_launch_template.this[0]`, 'aws_launch_template', {
      name: inp.launch_template_name ?? inp.name ?? null,
      metadata_options: [md],
      block_device_mappings: bdm.map((b) => ({ device_name: b.device_name ?? null, ebs: isObj(b.ebs) ? [b.ebs] : [] })),
      vpc_security_group_ids: inp.vpc_security_group_ids ?? [],
    });
    ltId = lt.values.id ?? null;
  } else if (custom && inp.launch_template_id) ltId = inp.launch_template_id;
  make(`${prefix}.aws_eks_node_group.this[0]`, 'aws_eks_node_group', {
    cluster_name: inp.cluster_name ?? clusterName ?? null,
    node_group_name: inp.use_name_prefix === false ? (inp.name ?? null) : new Unknown('the node group name is generated from its name prefix at apply'),
    node_role_arn: inp.iam_role_arn ?? null,
    subnet_ids: inp.subnet_ids ?? [],
    ami_type: inp.ami_type ?? null,
    version: inp.cluster_version ?? inp.kubernetes_version ?? null,
    capacity_type: inp.capacity_type ?? 'ON_DEMAND',
    instance_types: inp.instance_types ?? null,
    scaling_config: [{ min_size: inp.min_size ?? 1, max_size: inp.max_size ?? 3, desired_size: inp.desired_size ?? 1 }],
    ...(ltId !== null ? { launch_template: [{ id: ltId, version: inp.launch_template_version ?? null }] } : {}),
  });
}
