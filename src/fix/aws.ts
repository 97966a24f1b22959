import type { Finding } from '../model/index.js';
import type { FixContext, FixOutcome } from './context.js';
import { sh } from './shell.js';

/**
 * Fixers for AWS findings: the exact AWS CLI commands, with the cluster name, region, account and
 * the ids and ARNs of the resources taken from the evidence. A value the evidence cannot give (the
 * KMS key to use, the IAM role flow logs deliver with) stays a `$PLACEHOLDER`, listed in `needs`.
 * `order` sequences them safely: a key is created before it is used, a cluster update waits for the
 * previous one (EKS runs one at a time), logging is enabled before its log group's retention is set.
 */

type Fixer = (f: Finding, ctx: FixContext) => FixOutcome[];

export const ORDER = {
  createKey: 10,
  enableKey: 12,
  clusterLogging: 20,
  clusterEndpoint: 24,
  clusterEncryption: 28,
  logGroup: 32,
  trail: 40,
  guardDuty: 50,
  securityHub: 60,
  flowLogs: 70,
  instances: 72,
  addon: 74,
  registry: 80,
  accessEntry: 90,
} as const;

const EKS_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/** `aws <service> <command> <args> --region R`, every value quoted for the shell. */
export function awsCommand(service: string, command: string, args: (string | [string, string])[], region: string | undefined): string {
  const parts = ['aws', service, command];
  // A value in double quotes is quoted by the caller on purpose: it expands a shell variable ("$KMS_KEY_ARN").
  for (const a of args) parts.push(typeof a === 'string' ? a : `${a[0]} ${/^".*"$/.test(a[1]) ? a[1] : sh(a[1])}`);
  if (region) parts.push('--region', sh(region));
  return parts.join(' ');
}

const decision = (decide: string, why: string, hint?: string): FixOutcome => ({ type: 'decision', decide, why, ...(hint ? { hint } : {}) });

function out<T>(v: unknown): T | undefined {
  return v && typeof v === 'object' ? (v as T) : undefined;
}

interface Cluster { name?: string; arn?: string; logging?: { clusterLogging?: { types?: string[]; enabled?: boolean }[] }; resourcesVpcConfig?: { endpointPublicAccess?: boolean; endpointPrivateAccess?: boolean; publicAccessCidrs?: string[] }; accessConfig?: { authenticationMode?: string } }

function cluster(ctx: FixContext): Cluster | undefined {
  const facts = ctx.index.aws('eks:DescribeCluster');
  const pick = facts.find((f) => out<{ cluster?: Cluster }>(f.output)?.cluster?.name === ctx.cluster.name) ?? facts[0];
  return out<{ cluster?: Cluster }>(pick?.output)?.cluster;
}

function regionOf(f: Finding, ctx: FixContext): string | undefined {
  return f.resource.region ?? (f.resource.arn ? f.resource.arn.split(':')[3] || undefined : undefined) ?? ctx.cluster.region;
}

function clusterName(f: Finding, ctx: FixContext): string | undefined {
  return f.resource.kind === 'AWS::EKS::Cluster' ? f.resource.name : ctx.cluster.name;
}

/** Wait for an EKS cluster update to finish before the next one (EKS accepts one update at a time). */
function waitActive(name: string, region: string | undefined, order: number): FixOutcome {
  return { type: 'command', risk: 'safe', order: order + 1, command: awsCommand('eks', 'wait', ['cluster-active', ['--name', name]], region), summary: 'wait until the cluster update has finished' };
}

const CREATED_KEY = [{ placeholder: '$KMS_KEY_ARN', what: 'set by the create-key command above (or the ARN of an existing symmetric customer-managed key in the cluster\'s region)' }];
const KEY_NEEDS = (purpose: string) => [{ placeholder: '$KMS_KEY_ARN', what: `the ARN of a customer-managed KMS key for ${purpose} (its key policy must allow the service to use it)` }];

// ---------------------------------------------------------------------------------------------

const mon01: Record<string, Fixer> = {
  'log-types-enabled': (f, ctx) => {
    const name = clusterName(f, ctx);
    if (!name) return [decision('enable the control plane log types', 'the cluster name is not in the evidence')];
    const c = cluster(ctx);
    const enabled = new Set((c?.logging?.clusterLogging ?? []).filter((e) => e.enabled === true).flatMap((e) => e.types ?? []));
    const missing = EKS_LOG_TYPES.filter((t) => !enabled.has(t));
    const region = regionOf(f, ctx);
    return [
      { type: 'command', risk: 'safe', order: ORDER.clusterLogging, command: awsCommand('eks', 'update-cluster-config', [['--name', name], ['--logging', JSON.stringify({ clusterLogging: [{ types: missing.length ? missing : EKS_LOG_TYPES, enabled: true }] })]], region), summary: `enable the control plane log types ${missing.join(', ')}`, caution: 'CloudWatch Logs ingestion and storage are charged' },
      waitActive(name, region, ORDER.clusterLogging),
    ];
  },
  'log-group-retention': (f, ctx) => {
    const region = regionOf(f, ctx);
    const days = retentionDays(ctx.config.thresholds.logRetentionDays);
    return [{ type: 'command', risk: 'safe', order: ORDER.logGroup, command: awsCommand('logs', 'put-retention-policy', [['--log-group-name', f.resource.name], ['--retention-in-days', String(days)]], region), summary: `keep ${f.resource.name} for ${days} days (EKS creates the group when logging is enabled)` }];
  },
  'log-group-encrypted': (f, ctx) => [
    { type: 'command', risk: 'safe', order: ORDER.logGroup + 1, command: awsCommand('logs', 'associate-kms-key', [['--log-group-name', f.resource.name], ['--kms-key-id', '"$KMS_KEY_ARN"']], regionOf(f, ctx)), summary: `encrypt ${f.resource.name} with a customer-managed key`, needs: KEY_NEEDS(`the log group (logs.${regionOf(f, ctx) ?? 'REGION'}.amazonaws.com)`) },
  ],
};

/** CloudWatch Logs accepts only some retention values: the smallest one at or above the policy. */
export function retentionDays(min: number): number {
  const allowed = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
  return allowed.find((d) => d >= min) ?? 3653;
}

// ---------------------------------------------------------------------------------------------

interface Trail { Name?: string; TrailARN?: string; HomeRegion?: string; IsMultiRegionTrail?: boolean; LogFileValidationEnabled?: boolean; IsOrganizationTrail?: boolean }

function trailOf(f: Finding, ctx: FixContext): Trail | undefined {
  for (const fact of ctx.index.aws('cloudtrail:DescribeTrails')) {
    for (const t of out<{ trailList?: Trail[] }>(fact.output)?.trailList ?? []) if ((f.resource.arn && t.TrailARN === f.resource.arn) || t.Name === f.resource.name) return t;
  }
  return undefined;
}

function trailLogging(ctx: FixContext, t: Trail): boolean | undefined {
  for (const fact of ctx.index.aws('cloudtrail:GetTrailStatus')) {
    const name = typeof fact.params?.Name === 'string' ? fact.params.Name : undefined;
    if (name === t.TrailARN || name === t.Name) return out<{ IsLogging?: boolean }>(fact.output)?.IsLogging;
  }
  return undefined;
}

const mon02: Record<string, Fixer> = {
  'multi-region-trail': (f, ctx) => {
    if (f.resource.name === '(no trail)') {
      return [decision('create a multi-region trail: choose its S3 bucket (with a bucket policy for CloudTrail) and KMS key', 'the bucket and key are not in the evidence',
        awsCommand('cloudtrail', 'create-trail', [['--name', 'org-trail'], ['--s3-bucket-name', '$BUCKET'], '--is-multi-region-trail', '--enable-log-file-validation', ['--kms-key-id', '"$KMS_KEY_ARN"']], ctx.cluster.region))];
    }
    const t = trailOf(f, ctx);
    if (!t) return [decision(`fix trail ${f.resource.name}`, 'the trail description is not in the evidence')];
    const region = t.HomeRegion ?? regionOf(f, ctx);
    const name = t.TrailARN ?? t.Name ?? f.resource.name;
    if (t.IsOrganizationTrail && t.TrailARN && ctx.cluster.accountId && !t.TrailARN.includes(`:${ctx.cluster.accountId}:`)) {
      return [decision(`ask the organization's management account to fix trail ${t.Name ?? name}`, 'an organization trail is changed only from the account that owns it')];
    }
    const outc: FixOutcome[] = [];
    const flags = [...(t.IsMultiRegionTrail === false ? ['--is-multi-region-trail'] : []), ...(t.LogFileValidationEnabled === false ? ['--enable-log-file-validation'] : [])];
    if (flags.length) outc.push({ type: 'command', risk: 'safe', order: ORDER.trail, command: awsCommand('cloudtrail', 'update-trail', [['--name', name], ...flags], region), summary: `trail ${t.Name ?? name}: ${flags.map((x) => x.slice(2)).join(', ')}` });
    if (trailLogging(ctx, t) === false) outc.push({ type: 'command', risk: 'safe', order: ORDER.trail + 1, command: awsCommand('cloudtrail', 'start-logging', [['--name', name]], region), summary: `start logging on trail ${t.Name ?? name}` });
    outc.push({ type: 'command', risk: 'safe', order: ORDER.trail + 2, command: awsCommand('cloudtrail', 'put-event-selectors', [['--trail-name', name], ['--event-selectors', JSON.stringify([{ ReadWriteType: 'All', IncludeManagementEvents: true }])]], region), summary: `log all management events on trail ${t.Name ?? name}`, caution: 'replaces the trail\'s event selectors: add back any data-event selectors it had' });
    return outc;
  },
  'trail-encryption': (f, ctx) => {
    const t = trailOf(f, ctx);
    const name = t?.TrailARN ?? f.resource.arn ?? f.resource.name;
    return [{ type: 'command', risk: 'safe', order: ORDER.trail + 3, command: awsCommand('cloudtrail', 'update-trail', [['--name', name], ['--kms-key-id', '"$KMS_KEY_ARN"']], t?.HomeRegion ?? regionOf(f, ctx)), summary: `encrypt trail ${f.resource.name} log files with a KMS key`, needs: KEY_NEEDS('CloudTrail (cloudtrail.amazonaws.com must be allowed to encrypt with it)') }];
  },
  'trail-cloudwatch-logs': (f, ctx) => [decision(`send trail ${f.resource.name} to CloudWatch Logs: choose the log group and the role CloudTrail writes with`, 'the log group and role are not in the evidence',
    awsCommand('cloudtrail', 'update-trail', [['--name', f.resource.arn ?? f.resource.name], ['--cloud-watch-logs-log-group-arn', '$LOG_GROUP_ARN'], ['--cloud-watch-logs-role-arn', '$ROLE_ARN']], regionOf(f, ctx)))],
};

// ---------------------------------------------------------------------------------------------

const mon03: Record<string, Fixer> = {
  'flow-logs-enabled': (f, ctx) => {
    const vpc = f.resource.name;
    const region = regionOf(f, ctx);
    return [{
      type: 'command', risk: 'safe', order: ORDER.flowLogs,
      command: awsCommand('ec2', 'create-flow-logs', [['--resource-type', 'VPC'], ['--resource-ids', vpc], ['--traffic-type', 'ALL'], ['--log-destination-type', 'cloud-watch-logs'], ['--log-group-name', `/aws/vpc/flow-logs/${vpc}`], ['--deliver-logs-permission-arn', '$ROLE_ARN']], region),
      summary: `flow log of all traffic of ${vpc} to CloudWatch Logs`, caution: 'flow log delivery and storage are charged',
      needs: [{ placeholder: '$ROLE_ARN', what: 'an IAM role that vpc-flow-logs.amazonaws.com can assume, allowed logs:CreateLogStream and logs:PutLogEvents' }],
    }];
  },
};

// ---------------------------------------------------------------------------------------------

function detectorId(f: Finding): string | undefined {
  return f.resource.kind === 'AWS::GuardDuty::Detector' && !f.resource.name.startsWith('(') ? f.resource.name : undefined;
}

const features = (names: string[]) => JSON.stringify(names.map((n) => (n === 'RUNTIME_MONITORING' ? { Name: n, Status: 'ENABLED', AdditionalConfiguration: [{ Name: 'EKS_ADDON_MANAGEMENT', Status: 'ENABLED' }] } : { Name: n, Status: 'ENABLED' })));

const sec01: Record<string, Fixer> = {
  'detector-enabled': (f, ctx) => {
    const region = regionOf(f, ctx);
    const id = detectorId(f);
    if (!id) return [{ type: 'command', risk: 'safe', order: ORDER.guardDuty, command: awsCommand('guardduty', 'create-detector', ['--enable', ['--features', features(['EKS_AUDIT_LOGS', 'RUNTIME_MONITORING'])]], region), summary: `enable GuardDuty in ${region ?? 'the cluster region'} with EKS audit log and runtime monitoring`, caution: 'GuardDuty is charged by the volume it analyses; runtime monitoring deploys its agent as an EKS add-on' }];
    return [{ type: 'command', risk: 'safe', order: ORDER.guardDuty, command: awsCommand('guardduty', 'update-detector', [['--detector-id', id], '--enable'], region), summary: `enable GuardDuty detector ${id}` }];
  },
  'eks-audit-logs': (f, ctx) => detectorFeatures(f, ctx, ['EKS_AUDIT_LOGS'], 'EKS audit log monitoring'),
  'runtime-monitoring': (f, ctx) => (/legacy/.test(f.message)
    ? [decision('disable the legacy EKS_RUNTIME_MONITORING feature once RUNTIME_MONITORING covers the cluster', 'switching features briefly changes what is monitored; do it in a change window')]
    : detectorFeatures(f, ctx, ['RUNTIME_MONITORING'], 'Runtime Monitoring with automated agent management')),
  'agent-coverage': (f, ctx) => (/EKS_ADDON_MANAGEMENT/.test(f.message)
    ? detectorFeatures({ ...f, resource: { ...f.resource, name: detectorOfRegion(ctx, regionOf(f, ctx)) ?? f.resource.name } }, ctx, ['RUNTIME_MONITORING'], 'automated agent management (EKS_ADDON_MANAGEMENT)')
    : [decision(`make the GuardDuty agent cover ${f.resource.name}`, `the reason it does not is reported by GuardDuty: ${f.message}`)]),
};

function detectorOfRegion(ctx: FixContext, region: string | undefined): string | undefined {
  for (const fact of ctx.index.aws('guardduty:ListDetectors')) if (!region || fact.region === region) return out<{ DetectorIds?: string[] }>(fact.output)?.DetectorIds?.[0];
  return undefined;
}

function detectorFeatures(f: Finding, ctx: FixContext, names: string[], what: string): FixOutcome[] {
  const region = regionOf(f, ctx);
  const id = detectorId(f) ?? detectorOfRegion(ctx, region);
  if (!id) return [decision(`enable ${what}`, 'the GuardDuty detector id is not in the evidence')];
  return [{ type: 'command', risk: 'safe', order: ORDER.guardDuty + 1, command: awsCommand('guardduty', 'update-detector', [['--detector-id', id], ['--features', features(names)]], region), summary: `detector ${id}: ${what}`, caution: 'GuardDuty charges for the analysed volume' }];
}

// ---------------------------------------------------------------------------------------------

const FSBP = (region: string | undefined) => `arn:aws:securityhub:${region ?? '$AWS_REGION'}::standards/aws-foundational-security-best-practices/v/1.0.0`;

const sec02: Record<string, Fixer> = {
  'hub-enabled': (f, ctx) => [{ type: 'command', risk: 'safe', order: ORDER.securityHub, command: awsCommand('securityhub', 'enable-security-hub', ['--enable-default-standards'], regionOf(f, ctx)), summary: `enable Security Hub in ${regionOf(f, ctx) ?? 'the cluster region'} with the default standards` }],
  'standard-ready': (f, ctx) => {
    if (/ is (INCOMPLETE|FAILED|DELETING|PENDING)/.test(f.message)) return [decision(`find out why ${f.resource.name} is not READY`, f.message)];
    return [{ type: 'command', risk: 'safe', order: ORDER.securityHub + 1, command: awsCommand('securityhub', 'batch-enable-standards', [['--standards-subscription-requests', JSON.stringify([{ StandardsArn: FSBP(regionOf(f, ctx)) }])]], regionOf(f, ctx)), summary: 'subscribe to AWS Foundational Security Best Practices' }];
  },
  'eks-controls-enabled': (f, ctx) => {
    const id = /^EKS\.\d+$/.test(f.resource.name) ? f.resource.name : /\b(EKS\.\d+)\b/.exec(f.message)?.[1];
    if (!id) return [decision('enable the EKS controls in Security Hub', f.message)];
    return [{ type: 'command', risk: 'safe', order: ORDER.securityHub + 2, command: awsCommand('securityhub', 'batch-update-standards-control-associations', [['--standards-control-association-updates', JSON.stringify([{ StandardsArn: FSBP(regionOf(f, ctx)), SecurityControlId: id, AssociationStatus: 'ENABLED' }])]], regionOf(f, ctx)), summary: `enable control ${id} in AWS Foundational Security Best Practices` }];
  },
};

// ---------------------------------------------------------------------------------------------

const iam04: Record<string, Fixer> = {
  'endpoint-private-access': (f, ctx) => {
    const name = clusterName(f, ctx);
    if (!name) return [];
    const region = regionOf(f, ctx);
    return [
      { type: 'command', risk: 'review', order: ORDER.clusterEndpoint, command: awsCommand('eks', 'update-cluster-config', [['--name', name], ['--resources-vpc-config', 'endpointPrivateAccess=true']], region), summary: 'turn on private endpoint access', caution: 'inside the VPC the API server name resolves to private addresses: security groups must let nodes and tools reach it on 443' },
      waitActive(name, region, ORDER.clusterEndpoint),
    ];
  },
  'endpoint-public-access': (f, ctx) => {
    const name = clusterName(f, ctx);
    if (!name) return [];
    const region = regionOf(f, ctx);
    const cidrs = ctx.config.approvedEndpointCidrs;
    const cmd = (value: string): FixOutcome[] => [
      { type: 'command', risk: 'review', order: ORDER.clusterEndpoint + 2, command: awsCommand('eks', 'update-cluster-config', [['--name', name], ['--resources-vpc-config', value]], region), summary: cidrs.length ? `limit the public endpoint to the approved CIDRs ${cidrs.join(', ')}` : 'limit the public endpoint to the CIDRs you approve', caution: 'clients outside those networks (CI runners, laptops off VPN) lose access to the API', ...(cidrs.length ? {} : { needs: [{ placeholder: '$APPROVED_CIDRS', what: 'the networks allowed to reach the public endpoint, comma-separated (or turn public access off)' }] }) },
      waitActive(name, region, ORDER.clusterEndpoint + 2),
    ];
    return cmd(`endpointPublicAccess=true,publicAccessCidrs=${cidrs.length ? cidrs.join(',') : '$APPROVED_CIDRS'},endpointPrivateAccess=true`);
  },
};

// ---------------------------------------------------------------------------------------------

const enc01: Record<string, Fixer> = {
  'secrets-cmk': (f, ctx) => {
    const name = clusterName(f, ctx);
    if (!name) return [];
    const region = regionOf(f, ctx);
    return [
      { type: 'command', risk: 'review', order: ORDER.createKey, command: `KMS_KEY_ARN=$(${awsCommand('kms', 'create-key', [['--description', `EKS Secrets encryption for ${name}`], ['--query', 'KeyMetadata.Arn'], ['--output', 'text']], region)})`, summary: 'create a symmetric customer-managed key for Secrets encryption (or set KMS_KEY_ARN to an existing one)' },
      { type: 'command', risk: 'safe', order: ORDER.createKey + 1, command: awsCommand('kms', 'enable-key-rotation', [['--key-id', '"$KMS_KEY_ARN"']], region), summary: 'rotate the new key automatically', needs: CREATED_KEY },
      { type: 'command', risk: 'review', order: ORDER.clusterEncryption, command: awsCommand('eks', 'associate-encryption-config', [['--cluster-name', name], ['--encryption-config', `"${JSON.stringify([{ resources: ['secrets'], provider: { keyArn: '$KMS_KEY_ARN' } }]).replace(/"/g, '\\"')}"`]], region), summary: 'encrypt Secrets with the key (all existing Secrets are re-encrypted)', needs: CREATED_KEY, caution: 'one-way: envelope encryption cannot be turned off, and the cluster stops working if the key is disabled or deleted' },
      waitActive(name, region, ORDER.clusterEncryption),
    ];
  },
  'key-usable': (f, ctx) => {
    const region = regionOf(f, ctx);
    const key = f.resource.arn ?? f.resource.name;
    const pending = /PendingDeletion|deletion scheduled/.test(f.message);
    return [
      ...(pending ? [{ type: 'command' as const, risk: 'safe' as const, order: ORDER.enableKey, command: awsCommand('kms', 'cancel-key-deletion', [['--key-id', key]], region), summary: 'cancel the scheduled deletion of the Secrets key' }] : []),
      { type: 'command', risk: 'safe', order: ORDER.enableKey + 1, command: awsCommand('kms', 'enable-key', [['--key-id', key]], region), summary: 'enable the Secrets key again' },
    ];
  },
  'key-rotation': (f, ctx) => (/imported key material/.test(f.message)
    ? [decision(`rotate the imported key material of ${f.resource.name} manually and record when`, 'keys with imported material cannot rotate automatically')]
    : [{ type: 'command', risk: 'safe', order: ORDER.enableKey + 2, command: awsCommand('kms', 'enable-key-rotation', [['--key-id', f.resource.arn ?? f.resource.name]], regionOf(f, ctx)), summary: `rotate key ${f.resource.name} automatically` }]),
  'key-customer-managed': (f) => [decision(`move Secrets encryption to a symmetric customer-managed key (a new cluster, or EKS support: the key of encryptionConfig cannot be changed in place) instead of ${f.resource.name}`, 'the secrets key of a cluster cannot be replaced by an API call')],
};

// ---------------------------------------------------------------------------------------------

const iam07: Record<string, Fixer> = {
  'imds-v2': (f, ctx) => imds(f, ctx),
  'imds-hop-limit': (f, ctx) => imds(f, ctx),
  'nodeclass-metadata': (f, ctx) => {
    const obj = ctx.objectOf(f);
    if (!obj) return [];
    return [{ type: 'change', risk: 'review', object: obj, summary: 'metadataOptions: httpTokens required, hop limit 1 (new nodes)', caution: 'pods on new nodes cannot reach the instance metadata service (the node role): give them Pod Identity or IRSA first', ops: [{ op: 'set', path: ['spec', 'metadataOptions', 'httpTokens'], value: 'required' }, { op: 'set', path: ['spec', 'metadataOptions', 'httpPutResponseHopLimit'], value: 1 }] }];
  },
};

function imds(f: Finding, ctx: FixContext): FixOutcome[] {
  const id = f.resource.name;
  if (!/^i-[0-9a-f]+$/.test(id)) return [decision(`require IMDSv2 with hop limit 1 on ${id}`, 'the instance id is not in the evidence')];
  return [{
    type: 'command', risk: 'review', order: ORDER.instances,
    command: awsCommand('ec2', 'modify-instance-metadata-options', [['--instance-id', id], ['--http-tokens', 'required'], ['--http-put-response-hop-limit', '1'], ['--http-endpoint', 'enabled']], regionOf(f, ctx)),
    summary: `instance ${id}: IMDSv2 only, hop limit 1 (also set it in the node group's launch template, or replaced nodes come back without it)`,
    caution: 'pods that used the node role through IMDS lose it: move them to Pod Identity or IRSA first',
  }];
}

// ---------------------------------------------------------------------------------------------

const iam04creator: Record<string, Fixer> = {
  'creator-admin': (f, ctx) => {
    if (f.resource.kind !== 'AWS::EKS::AccessEntry') return [decision('move the cluster to access entries (authenticationMode API_AND_CONFIG_MAP), then delete the creator\'s entry', 'the creator\'s access cannot be removed while the cluster uses CONFIG_MAP only')];
    const name = ctx.cluster.name;
    const principal = /arn:aws[\w-]*:(iam|sts)::\d{12}:\S+/.exec(f.message)?.[0]?.replace(/[),;:]+$/, '');
    if (!name || !principal) return [decision('delete the cluster creator\'s access entry', 'the principal ARN is not in the evidence')];
    return [{ type: 'command', risk: 'review', order: ORDER.accessEntry, command: awsCommand('eks', 'delete-access-entry', [['--cluster-name', name], ['--principal-arn', principal]], ctx.cluster.region), summary: `delete the creator's access entry ${principal}`, caution: 'whoever uses that principal loses cluster access: make sure another approved administrator entry works first' }];
  },
};

// ---------------------------------------------------------------------------------------------

const ra02: Record<string, Fixer> = {
  'registry-scan-rule': (f, ctx) => [{ type: 'command', risk: 'review', order: ORDER.registry, command: awsCommand('ecr', 'put-registry-scanning-configuration', [['--scan-type', 'ENHANCED'], ['--rules', JSON.stringify([{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }])]], regionOf(f, ctx)), summary: 'scan every repository continuously (enhanced scanning with Amazon Inspector)', caution: 'enhanced scanning is charged per image scanned; it replaces the registry\'s current scanning rules' }],
  'inspector-ecr-enabled': (f, ctx) => [{ type: 'command', risk: 'review', order: ORDER.registry - 1, command: awsCommand('inspector2', 'enable', [['--resource-types', 'ECR'], ...(ctx.cluster.accountId ? [['--account-ids', ctx.cluster.accountId] as [string, string]] : [])], regionOf(f, ctx)), summary: 'turn on Amazon Inspector ECR scanning for the account', caution: 'Inspector is charged per image scanned' }],
  'basic-scan-engine': (f, ctx) => [{ type: 'command', risk: 'safe', order: ORDER.registry + 1, command: awsCommand('ecr', 'put-account-setting', [['--name', 'BASIC_SCAN_TYPE_VERSION'], ['--value', 'AWS_NATIVE']], regionOf(f, ctx)), summary: 'basic scanning with the AWS-native engine instead of Clair' }],
};

// ---------------------------------------------------------------------------------------------

const net03engine: Record<string, Fixer> = {
  'policy-engine': (f, ctx) => {
    const name = ctx.cluster.name;
    const hasAddon = ctx.index.aws('eks:DescribeAddon').some((fact) => out<{ addon?: { addonName?: string } }>(fact.output)?.addon?.addonName === 'vpc-cni');
    if (!name || !hasAddon) return [decision('turn on network policy enforcement: the vpc-cni add-on\'s enableNetworkPolicy, or Calico/Cilium', 'the network plugin is not managed as an EKS add-on in the evidence')];
    return [{ type: 'command', risk: 'review', order: ORDER.addon, command: awsCommand('eks', 'update-addon', [['--cluster-name', name], ['--addon-name', 'vpc-cni'], ['--configuration-values', JSON.stringify({ enableNetworkPolicy: 'true' })], ['--resolve-conflicts', 'PRESERVE']], ctx.cluster.region), summary: 'enforce NetworkPolicy with the VPC CNI', caution: 'every NetworkPolicy already in the cluster starts to be enforced' }];
  },
};

export const AWS_FIXERS: Record<string, Record<string, Fixer>> = {
  'CC4-MON-01': mon01,
  'CC4-MON-02': mon02,
  'CC4-MON-03': mon03,
  'CC4-SEC-01': sec01,
  'CC4-SEC-02': sec02,
  'CC5-IAM-04': iam04,
  'CC9-ENC-01': enc01,
  'P1-IAM-07': iam07,
  'P1-IAM-04': iam04creator,
  'CC3-RA-02': ra02,
  'CC6-NET-03': net03engine,
};

