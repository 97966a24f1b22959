import { describe, expect, it } from 'vitest';
import { addTerraform, translatePlans } from '../../../src/collectors/terraform/index.js';
import { catalog } from '../../../src/catalog/index.js';
import { evaluate } from '../../helpers/evaluate-expanded.js';
import { defaultConfig, emptySnapshot } from '../../../src/model/index.js';
import type { ControlResult, Snapshot } from '../../../src/model/index.js';
import { plan } from './plan-builder.js';
import type { PlanResource } from './plan-builder.js';

async function snapshotOf(resources: PlanResource[], opts: Parameters<typeof plan>[1] = {}): Promise<Snapshot> {
  const snap = emptySnapshot('test');
  addTerraform(snap, await translatePlans([{ file: 'plan.json', doc: plan(resources, opts) }]));
  return snap;
}

async function control(id: string, resources: PlanResource[], opts: Parameters<typeof plan>[1] = {}): Promise<ControlResult> {
  const snap = await snapshotOf(resources, opts);
  return evaluate(snap, catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 'c', controls: [id] }).controls[0]!;
}

const ROLE = 'arn:aws:iam::123456789012:role/eks-cluster';
const cluster = (values: Record<string, unknown> = {}, extra: Partial<PlanResource> = {}): PlanResource => ({
  address: 'aws_eks_cluster.main',
  values: {
    name: 'prod', role_arn: ROLE, version: '1.31', enabled_cluster_log_types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
    vpc_config: [{ subnet_ids: ['subnet-0a', 'subnet-0b'], endpoint_public_access: false, endpoint_private_access: true, public_access_cidrs: ['0.0.0.0/0'], security_group_ids: [], vpc_id: 'vpc-0123' }],
    encryption_config: [], access_config: [{ authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false }],
    ...values,
  },
  unknown: ['arn', 'id', 'identity', 'platform_version', 'status'],
  ...extra,
});
const logGroup = (retention: number, kms: string | null = 'arn:aws:kms:eu-west-1:123456789012:key/1111') => ({ address: 'aws_cloudwatch_log_group.eks', values: { name: '/aws/eks/prod/cluster', retention_in_days: retention, kms_key_id: kms }, unknown: ['arn'] });
const rules = (c: ControlResult, status: string) => [...new Set(c.findings.filter((f) => f.status === status).map((f) => f.rule))].sort();

describe('Terraform plans: each translated resource type decides its control (pass and fail)', () => {
  it('aws_eks_cluster + aws_cloudwatch_log_group: all log types and a long retention pass CC4-MON-01', async () => {
    const c = await control('CC4-MON-01', [cluster(), logGroup(400)]);
    expect(c.status).toBe('pass');
    expect(c.findings[0]!.resource).toEqual({ provider: 'terraform', kind: 'aws_eks_cluster', name: 'aws_eks_cluster.main', region: 'eu-west-1' });
  });

  it('a plan that turns audit logging off fails CC4-MON-01 on the cluster', async () => {
    const c = await control('CC4-MON-01', [cluster({ enabled_cluster_log_types: ['api'] }), logGroup(400)]);
    expect(c.status).toBe('fail');
    expect(rules(c, 'fail')).toEqual(['log-types-enabled']);
    expect(c.findings.find((f) => f.rule === 'log-types-enabled')!.message).toMatch(/audit/);
  });

  it('a short log retention fails CC4-MON-01 on the log group', async () => {
    const c = await control('CC4-MON-01', [cluster(), logGroup(30)]);
    expect(rules(c, 'fail')).toEqual(['log-group-retention']);
    expect(c.findings.find((f) => f.rule === 'log-group-retention')!.resource.name).toBe('aws_cloudwatch_log_group.eks');
  });

  it('a log group not in the configuration: log types are judged, retention is not evaluated (never guessed)', async () => {
    const ok = await control('CC4-MON-01', [cluster()]);
    expect(ok.status).toBe('error');
    expect(ok.findings.find((f) => f.rule === 'log-types-enabled')!.status).toBe('pass');
    expect(ok.findings.find((f) => f.rule === 'log-group-retention')!.message).toMatch(/^not evaluated: logs:DescribeLogGroups logGroups\.0\.retentionInDays is not known before apply \(log group \/aws\/eks\/prod\/cluster is not in the configuration/);
    const bad = await control('CC4-MON-01', [cluster({ enabled_cluster_log_types: [] })]);
    expect(bad.status).toBe('fail');
  });

  it('aws_eks_cluster endpoint: private passes CC5-IAM-04, public to the internet fails', async () => {
    expect((await control('CC5-IAM-04', [cluster()])).status).toBe('pass');
    const c = await control('CC5-IAM-04', [cluster({ vpc_config: [{ subnet_ids: [], endpoint_public_access: true, endpoint_private_access: false, public_access_cidrs: ['0.0.0.0/0'] }] })]);
    expect(c.status).toBe('fail');
    expect(rules(c, 'fail')).toEqual(['endpoint-public-access']);
    expect(rules(c, 'warn')).toEqual(['endpoint-private-access']); // private access off is a warning (recommended)
  });

  it('an endpoint setting known only after apply is not evaluated (error), never passed or failed', async () => {
    const c = await control('CC5-IAM-04', [cluster({}, { unknown: ['arn', 'vpc_config.0.endpoint_public_access'] })]);
    expect(c.status).toBe('error');
    expect(c.findings.map((f) => f.status)).toEqual(['error', 'error']);
    expect(c.findings[0]!.message).toMatch(/^not evaluated: eks:DescribeCluster cluster\.resourcesVpcConfig\.endpointPublicAccess is not known before apply/);
  });

  it('aws_kms_key linked by reference (key ARN known only after apply) decides CC9-ENC-01 on the key', async () => {
    const key = (rotation: boolean): PlanResource => ({ address: 'aws_kms_key.secrets', values: { enable_key_rotation: rotation, is_enabled: true, customer_master_key_spec: 'SYMMETRIC_DEFAULT' }, unknown: ['arn', 'id', 'key_id'] });
    const linked = cluster({ encryption_config: [{ resources: ['secrets'], provider: [{}] }] }, {
      unknown: ['arn', 'encryption_config.0.provider.0.key_arn'],
      refs: { 'encryption_config.0.provider.0.key_arn': ['aws_kms_key.secrets.arn', 'aws_kms_key.secrets'] },
    });
    const pass = await control('CC9-ENC-01', [linked, key(true)]);
    expect(pass.status).toBe('pass');
    expect(pass.findings.find((f) => f.rule === 'secrets-cmk')!.message).toBe('Secrets encrypted with KMS key aws_kms_key.secrets.arn');
    expect(pass.findings.find((f) => f.rule === 'key-rotation')!.resource.name).toBe('aws_kms_key.secrets');
    // Rotation is recommended (issue 13): a key without it is a warning on the key, the control passes.
    const warned = await control('CC9-ENC-01', [linked, key(false)]);
    expect(warned.status).toBe('pass');
    expect(rules(warned, 'warn')).toEqual(['key-rotation']);
    const none = await control('CC9-ENC-01', [cluster()]);
    expect(rules(none, 'fail')).toEqual(['secrets-cmk']);
  });

  it('aws_cloudtrail: a logging multi-region trail with validation passes CC4-MON-02; enable_logging = false fails', async () => {
    const trail = (v: Record<string, unknown>): PlanResource => ({ address: 'aws_cloudtrail.org', values: { name: 'org', is_multi_region_trail: true, enable_log_file_validation: true, enable_logging: true, kms_key_id: 'arn:aws:kms:eu-west-1:123456789012:key/1', cloud_watch_logs_group_arn: 'arn:aws:logs:eu-west-1:123456789012:log-group:ct:*', s3_bucket_name: 'b', ...v }, unknown: ['arn'] });
    const pass = await control('CC4-MON-02', [trail({})]);
    expect(pass.status).toBe('pass');
    expect(pass.notes.join(' ')).toMatch(/trail log delivery is a run-time state/);
    // The declared trail is judged (not logging), but "no trail logs everything" needs the account's trails:
    // a configuration declares some of them, and an organization trail may cover the account.
    const fail = await control('CC4-MON-02', [trail({ enable_logging: false })]);
    expect(fail.status).toBe('error');
    expect(fail.findings[0]!.message).toMatch(/not logging.*holds only the trails it declares/);
    expect(fail.findings[0]!.resource).toMatchObject({ provider: 'terraform', kind: 'aws_cloudtrail', name: 'aws_cloudtrail.org' });
    const selectors = await control('CC4-MON-02', [trail({ event_selector: [{ read_write_type: 'WriteOnly', include_management_events: true }] })]);
    expect(selectors.findings[0]!.message).toMatch(/management events WriteOnly only/);
  });

  it('aws_flow_log on the cluster VPC (linked by reference) passes CC4-MON-03; REJECT-only is a warning; none on the VPC fails', async () => {
    const vpc: PlanResource = { address: 'aws_vpc.main', values: { cidr_block: '10.0.0.0/16' }, unknown: ['id', 'arn'] };
    const subnet: PlanResource = { address: 'aws_subnet.a', values: { cidr_block: '10.0.1.0/24' }, unknown: ['id', 'arn', 'vpc_id'], refs: { vpc_id: ['aws_vpc.main.id', 'aws_vpc.main'] } };
    const c = cluster({ vpc_config: [{ endpoint_public_access: false, endpoint_private_access: true }] }, {
      unknown: ['arn', 'vpc_config.0.subnet_ids', 'vpc_config.0.vpc_id'], refs: { 'vpc_config.0.subnet_ids': ['aws_subnet.a'] },
    });
    const linked = cluster({ vpc_config: [{ subnet_ids: ['subnet-0a'], endpoint_public_access: false, endpoint_private_access: true }] }, { unknown: ['arn', 'vpc_config.0.vpc_id'], refs: { 'vpc_config.0.vpc_id': ['aws_vpc.main.id', 'aws_vpc.main'] } });
    const flow = (traffic: string): PlanResource => ({ address: 'aws_flow_log.vpc', values: { traffic_type: traffic, log_destination_type: 's3', log_destination: 'arn:aws:s3:::logs' }, unknown: ['id', 'arn', 'vpc_id'], refs: { vpc_id: ['aws_vpc.main.id', 'aws_vpc.main'] } });
    const pass = await control('CC4-MON-03', [linked, vpc, flow('ALL')]);
    expect(pass.status).toBe('pass');
    expect(pass.findings[0]!.resource).toMatchObject({ provider: 'terraform', kind: 'aws_vpc', name: 'aws_vpc.main' });
    const reject = await control('CC4-MON-03', [linked, vpc, flow('REJECT')]);
    expect(reject.status).toBe('pass'); // flow-logs-all-traffic is recommended (issue 13)
    expect(reject.findings.find((f) => f.status === 'warn')!.message).toMatch(/REJECT/);
    const elsewhere: PlanResource = { address: 'aws_flow_log.other', values: { vpc_id: 'vpc-other', traffic_type: 'ALL' }, unknown: ['id'] };
    // None on the VPC in the configuration: it declares some flow logs, not the account's, so "none" is not proven.
    const none = await control('CC4-MON-03', [linked, vpc, elsewhere]);
    expect(none.status).toBe('error');
    expect(none.findings.find((f) => f.rule === 'flow-logs-enabled')!.message).toMatch(/holds only those it declares/);
    // Subnets whose ids are known only after apply: the cluster's VPC is not known, so nothing is decided.
    expect((await control('CC4-MON-03', [c, vpc, subnet, flow('ALL')])).status).toBe('error');
  });

  it('aws_guardduty_detector + aws_guardduty_detector_feature decide the detector rules of CC4-SEC-01; undeclared features are not guessed', async () => {
    const det: PlanResource = { address: 'aws_guardduty_detector.main', values: { enable: true }, unknown: ['id', 'arn'] };
    const feature = (name: string, status: string): PlanResource => ({ address: `aws_guardduty_detector_feature.${name.toLowerCase()}`, values: { name, status, additional_configuration: [] }, unknown: ['id', 'detector_id'], refs: { detector_id: ['aws_guardduty_detector.main.id', 'aws_guardduty_detector.main'] } });
    // The agent as an EKS add-on: whether it runs (ACTIVE, covering the nodes) is a run-time fact.
    const agent: PlanResource = { address: 'aws_eks_addon.guardduty', values: { cluster_name: 'prod', addon_name: 'aws-guardduty-agent', addon_version: 'v1.8.1-eksbuild.2' }, unknown: ['arn', 'id'] };
    const all = await control('CC4-SEC-01', [cluster(), agent, det, feature('EKS_AUDIT_LOGS', 'ENABLED'), feature('RUNTIME_MONITORING', 'ENABLED'), feature('EKS_RUNTIME_MONITORING', 'DISABLED')]);
    expect(rules(all, 'pass')).toEqual(['detector-enabled', 'eks-audit-logs', 'legacy-runtime-disabled', 'runtime-monitoring']);
    expect(all.findings.find((f) => f.rule === 'agent-coverage')!.status).toBe('error');
    expect(all.status).toBe('error');
    const off = await control('CC4-SEC-01', [cluster(), agent, det, feature('EKS_AUDIT_LOGS', 'DISABLED'), feature('RUNTIME_MONITORING', 'ENABLED'), feature('EKS_RUNTIME_MONITORING', 'DISABLED')]);
    expect(off.status).toBe('fail');
    expect(rules(off, 'fail')).toEqual(['eks-audit-logs']);
    const undeclared = await control('CC4-SEC-01', [cluster(), agent, det]);
    expect(undeclared.findings.filter((f) => f.rule !== 'detector-enabled').every((f) => f.status === 'error')).toBe(true);
    // Without the agent in the input, the control's inventory is not there: nothing is judged.
    expect((await control('CC4-SEC-01', [cluster(), det])).status).toBe('error');
  });

  it('aws_securityhub_account + standards subscriptions: the hub is enabled; default standards are not guessed', async () => {
    const hub = (dflt: boolean): PlanResource => ({ address: 'aws_securityhub_account.main', values: { enable_default_standards: dflt }, unknown: ['id', 'arn'] });
    const c = await control('CC4-SEC-02', [cluster(), hub(true)]);
    expect(c.findings.find((f) => f.rule === 'hub-enabled')?.status).toBe('pass');
    expect(c.status).toBe('error');
    const std: PlanResource = { address: 'aws_securityhub_standards_subscription.fsbp', values: { standards_arn: 'arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0' }, unknown: ['id'] };
    const declared = await control('CC4-SEC-02', [cluster(), hub(false), std]);
    // Whether the standard is READY is a run-time state: not guessed.
    expect(declared.findings.find((f) => f.rule === 'standard-ready')?.status).toBe('error');
  });

  it('aws_config_configuration_recorder without a started status fails CC3-RA-04 (Terraform creates it stopped)', async () => {
    const rec: PlanResource = { address: 'aws_config_configuration_recorder.main', values: { name: 'default', role_arn: ROLE, recording_group: [{ all_supported: true, include_global_resource_types: true }] } };
    const channel: PlanResource = { address: 'aws_config_delivery_channel.main', values: { name: 'default', s3_bucket_name: 'config-bucket' } };
    const rule: PlanResource = { address: 'aws_config_config_rule.logs', values: { name: 'eks-logs', source: [{ owner: 'AWS', source_identifier: 'EKS_CLUSTER_LOG_ENABLED' }] }, unknown: ['arn', 'rule_id'] };
    const c = await control('CC3-RA-04', [rec, channel, rule]);
    expect(c.findings.find((f) => f.rule === 'recorder-recording')?.status).toBe('fail');
    expect(c.findings.find((f) => f.rule === 'recorder-recording')?.message).toMatch(/recorder is stopped/);
    const started = await control('CC3-RA-04', [rec, channel, rule, { address: 'aws_config_configuration_recorder_status.main', values: { name: 'default', is_enabled: true } }]);
    // Started: whether its deliveries succeed is a run-time state.
    expect(started.findings.find((f) => f.rule === 'recorder-recording')?.status).toBe('error');
    expect(started.findings.find((f) => f.rule === 'delivery-channel')?.status).not.toBe('fail');
  });

  it('aws_launch_template metadata options of a node group decide P1-IAM-07 (IMDSv2 required passes, optional fails)', async () => {
    const lt = (tokens: string, hop: number): PlanResource => ({ address: 'aws_launch_template.nodes', values: { name: 'nodes', metadata_options: [{ http_endpoint: 'enabled', http_tokens: tokens, http_put_response_hop_limit: hop }] }, unknown: ['id', 'arn', 'latest_version'] });
    const ng: PlanResource = { address: 'aws_eks_node_group.general', values: { cluster_name: 'prod', node_group_name: 'general', node_role_arn: ROLE, subnet_ids: ['subnet-0a'], scaling_config: [{ min_size: 1, max_size: 3, desired_size: 2 }], launch_template: [{ version: '$Latest' }] }, unknown: ['arn', 'id', 'launch_template.0.id'], refs: { 'launch_template.0.id': ['aws_launch_template.nodes.id', 'aws_launch_template.nodes'] } };
    const pass = await control('P1-IAM-07', [cluster(), ng, lt('required', 1)]);
    expect(pass.status).toBe('pass');
    expect(pass.findings[0]!.resource).toMatchObject({ kind: 'aws_eks_node_group', name: 'aws_eks_node_group.general' });
    const fail = await control('P1-IAM-07', [cluster(), ng, lt('optional', 2)]);
    expect(rules(fail, 'fail')).toEqual(['imds-hop-limit', 'imds-v2']);
    // A node group on the launch template EKS makes for it: the metadata options are not known before apply.
    const managed = await control('P1-IAM-07', [cluster(), { ...ng, values: { ...ng.values, launch_template: [] }, refs: {} }]);
    expect(managed.status).toBe('error');
  });

  it('aws_security_group inline rules and aws_vpc_security_group_ingress_rule are translated into rules of their group', async () => {
    const sg: PlanResource = { address: 'aws_security_group.nodes', values: { name: 'nodes', vpc_id: 'vpc-0123', ingress: [{ from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'], ipv6_cidr_blocks: [], security_groups: [], prefix_list_ids: [], self: false }], egress: [] }, unknown: ['id', 'arn'] };
    const snap = await snapshotOf([sg, { address: 'aws_vpc_security_group_ingress_rule.https', values: { ip_protocol: 'tcp', from_port: 443, to_port: 443, cidr_ipv4: '10.0.0.0/8' }, unknown: ['id', 'arn', 'security_group_id'], refs: { security_group_id: ['aws_security_group.nodes.id', 'aws_security_group.nodes'] } }]);
    const rulesFact = snap.aws.facts.find((f) => f.operation === 'DescribeSecurityGroupRules')!;
    const list = (rulesFact.output as { SecurityGroupRules: { FromPort: number; CidrIpv4: string; GroupId: string }[] }).SecurityGroupRules;
    expect(list.map((r) => [r.FromPort, r.CidrIpv4])).toEqual([[22, '0.0.0.0/0'], [443, '10.0.0.0/8']]);
    expect(new Set(list.map((r) => r.GroupId)).size).toBe(1);
  });

  it('aws_lb without a WAF association fails CC6-NET-05; aws_wafv2_web_acl_association passes it', async () => {
    const lb: PlanResource = { address: 'aws_lb.public', values: { name: 'public', load_balancer_type: 'application', internal: false, security_groups: [], vpc_id: 'vpc-0123' }, unknown: ['arn', 'id', 'dns_name'] };
    const assoc: PlanResource = { address: 'aws_wafv2_web_acl_association.public', values: { web_acl_arn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/main/abcd' }, unknown: ['id', 'resource_arn'], refs: { resource_arn: ['aws_lb.public.arn', 'aws_lb.public'] } };
    const without = await control('CC6-NET-05', [cluster(), lb]);
    expect(without.status).toBe('fail');
    expect(without.findings.find((f) => f.status === 'fail')!.resource).toMatchObject({ kind: 'aws_lb', name: 'aws_lb.public' });
    const withAcl = await control('CC6-NET-05', [cluster(), lb, assoc]);
    expect(withAcl.findings.filter((f) => f.status === 'fail')).toEqual([]);
  });

  it('aws_ecr_registry_scanning_configuration decides CC3-RA-02: enhanced continuous scanning passes, basic manual fails', async () => {
    const cfg = (type: string, freq: string): PlanResource => ({ address: 'aws_ecr_registry_scanning_configuration.main', values: { scan_type: type, rule: [{ scan_frequency: freq, repository_filter: [{ filter: '*', filter_type: 'WILDCARD' }] }] }, unknown: ['id', 'registry_id'] });
    const pass = await control('CC3-RA-02', [cfg('ENHANCED', 'CONTINUOUS_SCAN')]);
    expect(pass.findings.filter((f) => f.status === 'fail')).toEqual([]);
    const fail = await control('CC3-RA-02', [cfg('BASIC', 'MANUAL')]);
    expect(fail.status).toBe('fail');
  });

  it('count instances are translated one by one, with their address', async () => {
    const snap = await snapshotOf([
      { address: 'aws_cloudwatch_log_group.g[0]', values: { name: '/a', retention_in_days: 1 }, unknown: ['arn'] },
      { address: 'aws_cloudwatch_log_group.g[1]', values: { name: '/b', retention_in_days: 2 }, unknown: ['arn'] },
    ]);
    expect(snap.iac!.resources.map((r) => r.address)).toEqual(['aws_cloudwatch_log_group.g[0]', 'aws_cloudwatch_log_group.g[1]']);
    expect(snap.aws.calls['logs:DescribeLogGroups']).toEqual({ state: 'collected', count: 2, detail: 'terraform' });
  });

  it('resources being destroyed are not evidence; a plan of an unknown format version is an input error naming the file', async () => {
    const snap = await snapshotOf([{ ...logGroup(400), actions: ['delete'] }]);
    expect(snap.aws.facts).toEqual([]);
    const bad = emptySnapshot('t');
    addTerraform(bad, await translatePlans([{ file: 'future.json', doc: plan([logGroup(1)], { formatVersion: '2.0' }) }]));
    expect(bad.gaps).toEqual([expect.objectContaining({ source: 'files', target: 'future.json', reason: 'unsupported', message: expect.stringMatching(/^future\.json: Terraform JSON format_version 2\.0 is not supported/) })]);
    expect(bad.aws.facts).toEqual([]);
  });

  it('operations no resource answers are "not in the Terraform input" (not collected), never "absent"', async () => {
    const c = await control('CC4-MON-02', [cluster()]);
    expect(c.status).toBe('error');
    expect(c.message).toMatch(/cloudtrail:DescribeTrails: not in the Terraform input/);
  });
});

describe('Terraform facts are redacted by value before they can be stored', () => {
  it('a credential in a tag of a planned cluster never reaches the snapshot', async () => {
    const snap = await snapshotOf([cluster({ tags: { db: 'postgres://admin:Sup3rS3cretPw@db.internal:5432/app', key: 'AKIAIOSFODNN7EXAMPLE' } })]);
    const text = JSON.stringify(snap.aws.facts);
    expect(text).toContain('db.internal'); // the tag itself is kept
    expect(text).not.toContain('Sup3rS3cretPw');
    expect(text).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });
});
