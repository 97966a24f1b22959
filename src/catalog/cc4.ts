/**
 * CC4 — Monitoring Activities: "Comprehensive Monitoring Implementation" and "Security Event Correlation".
 */
import type { AwsFact, ControlDefinition, Evidence } from '../model/index.js';
import type { DescribeLogGroupsResponse, DescribeMetricFiltersResponse, LogGroup, MetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import type { DescribeAlarmsOutput, GetDashboardOutput, ListDashboardsOutput, ListMetricsOutput } from '@aws-sdk/client-cloudwatch';
import type { DescribeFlowLogsResult, DescribeVpcsResult, FlowLog } from '@aws-sdk/client-ec2';
import type { GetDetectorResponse, ListCoverageResponse, ListDetectorsResponse, CoverageResource } from '@aws-sdk/client-guardduty';
import type {
  DescribeHubResponse, DescribeStandardsControlsResponse, GetEnabledStandardsResponse, GetFindingsResponse,
  ListStandardsControlAssociationsResponse, StandardsSubscription,
} from '@aws-sdk/client-securityhub';
import type { ListWorkspacesResponse } from '@aws-sdk/client-grafana';
import { defineControl } from './define.js';
import { aws, k8s, need } from './lib/keys.js';
import { addonNames, awsRef, clusterRef, describeAddon, describeCluster, nodegroups, out } from './lib/aws.js';
import { agentEligibleNodes, computeType, find, isAvailable } from './lib/addons.js';
import { clusterRegion, clusterScope, inRegion, listSome } from './lib/scanners.js';
import {
  EKS_LOG_TYPES, agentCoverage, alarmActs, alarmsFor, classifyPattern, judgeFlowLog, managementEvents, parseConfig, podsCollected, trails,
} from './lib/monitoring.js';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/** The cluster name from DescribeCluster or the snapshot identity. */
function clusterNameOf(ev: Evidence, name: string | undefined): string | undefined {
  return (ev.has('aws:eks:DescribeCluster') ? describeCluster(ev, name)?.name : undefined) ?? name;
}

const fargateNote = (ev: Evidence, what: string): string | undefined => {
  const n = ev.objects('core/Node').filter((x) => computeType(x) === 'fargate' || computeType(x) === 'hybrid').length;
  return n > 0 ? `${n} Fargate/hybrid node(s) cannot run ${what} (not applicable to those nodes)` : undefined;
};

// ───────────────────────────── CC4-MON-01 control plane logs ─────────────────────────────

export const CC4_MON_01 = defineControl({
  id: 'CC4-MON-01',
  title: 'All five EKS control plane log types are sent to CloudWatch Logs and retained',
  section: 'CC4',
  under: 'monitoring',
  tsc: ['CC7.2', 'CC4.1', 'CC7.3'],
  automation: 'automated',
  severity: 'high',
  description:
    'The cluster\'s logging configuration must enable api, audit, authenticator, controllerManager and scheduler (the API returns ' +
    'separate enabled and disabled entries; they are merged), and the log group /aws/eks/<cluster>/cluster must exist with a retention ' +
    'of at least the configured number of days (no expiry also passes). A log group without a customer KMS key is a warning. ' +
    'GuardDuty reading audit logs on its own is not evidence for this control.',
  requires: [need.aws('eks:DescribeCluster', 'the EKS cluster description'), need.aws('logs:DescribeLogGroups', 'CloudWatch log groups')],
  rules: {
    'log-types-enabled': { title: 'api, audit, authenticator, controllerManager and scheduler logs are enabled', severity: 'high' },
    'log-group-retention': { title: 'The cluster log group exists and keeps logs long enough', severity: 'medium' },
    'log-group-encrypted': { title: 'The cluster log group is encrypted with a KMS key', severity: 'low' },
  },
  remediation: {
    summary: 'Enable every control plane log type and set the log group retention to the policy (365 days by default).',
    commands: [
      'aws eks update-cluster-config --name $CLUSTER_NAME --logging \'{"clusterLogging":[{"types":["api","audit","authenticator","controllerManager","scheduler"],"enabled":true}]}\'',
      'aws logs put-retention-policy --log-group-name /aws/eks/$CLUSTER_NAME/cluster --retention-in-days 365',
      'aws logs associate-kms-key --log-group-name /aws/eks/$CLUSTER_NAME/cluster --kms-key-id $KMS_KEY_ARN',
    ],
  },
  references: [
    { title: 'Amazon EKS: send control plane logs to CloudWatch Logs', url: 'https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html' },
    { title: 'AWS Config rule eks-cluster-log-enabled', url: 'https://docs.aws.amazon.com/config/latest/developerguide/eks-cluster-log-enabled.html' },
  ],
  check(ev, ctx) {
    const c = describeCluster(ev, ctx.clusterName);
    if (!c) { ctx.error('eks:DescribeCluster was collected but holds no cluster'); return; }
    const ref = clusterRef(c, ctx.clusterName);
    const enabled = new Set<string>();
    for (const e of c.logging?.clusterLogging ?? []) if (e.enabled === true) for (const t of e.types ?? []) enabled.add(t);
    const missing = EKS_LOG_TYPES.filter((t) => !enabled.has(t));
    if (missing.length === 0) ctx.pass(ref, 'log-types-enabled', 'all five control plane log types are enabled');
    else ctx.fail(ref, 'log-types-enabled', `control plane logs not enabled: ${missing.join(', ')}${missing.includes('audit') ? ' (no Kubernetes audit trail)' : ''}`, missing.includes('audit') ? undefined : { severity: 'medium' });

    const name = `/aws/eks/${c.name}/cluster`;
    const groups: { g: LogGroup; f: AwsFact }[] = ev.aws('logs:DescribeLogGroups').flatMap((f) => (out<DescribeLogGroupsResponse>(f)?.logGroups ?? []).map((g) => ({ g, f })));
    const hit = groups.find(({ g }) => g.logGroupName === name);
    if (!hit) {
      ctx.fail(awsRef('AWS::Logs::LogGroup', name, {}), 'log-group-retention', enabled.size > 0 ? `log group ${name} does not exist although logging is enabled: logs are not delivered` : `log group ${name} does not exist`);
      return;
    }
    const gref = awsRef('AWS::Logs::LogGroup', name, { arn: hit.g.logGroupArn ?? hit.g.arn, region: hit.f.region, accountId: hit.f.accountId });
    const min = ctx.config.thresholds.logRetentionDays;
    const days = hit.g.retentionInDays;
    if (days === undefined || days === null) ctx.pass(gref, 'log-group-retention', 'logs never expire');
    else if (days >= min) ctx.pass(gref, 'log-group-retention', `retention ${days} days (policy ${min})`);
    else ctx.fail(gref, 'log-group-retention', `retention ${days} days is shorter than the policy of ${min} days: audit evidence is deleted before the audit period ends`);
    if (hit.g.kmsKeyId) ctx.pass(gref, 'log-group-encrypted', `encrypted with ${hit.g.kmsKeyId}`);
    else ctx.fail(gref, 'log-group-encrypted', 'no customer KMS key (CloudWatch default encryption only)');
  },
});

// ───────────────────────────── CC4-MON-02 CloudTrail ─────────────────────────────

export const CC4_MON_02 = defineControl({
  id: 'CC4-MON-02',
  title: 'A multi-region CloudTrail trail logs all management events with integrity validation',
  section: 'CC4',
  under: 'monitoring',
  tsc: ['CC7.2', 'CC4.1'],
  automation: 'automated',
  severity: 'high',
  description:
    'At least one trail (an organization trail counts) must be multi-region, logging, record all read and write management events, ' +
    'deliver without errors and validate log files. Missing KMS encryption or CloudWatch Logs delivery (needed for CC4-SEC-03 ' +
    'alarms) are warnings. Kubernetes API calls are not in CloudTrail — they are in the EKS audit log (CC4-MON-01). When an ' +
    'organization trail\'s status cannot be read from the member account, a person attests instead.',
  requires: [
    need.aws('cloudtrail:DescribeTrails', 'CloudTrail trails'),
    need.aws('cloudtrail:GetTrailStatus', 'CloudTrail trail status'),
    need.aws('cloudtrail:GetEventSelectors', 'CloudTrail event selectors'),
  ],
  rules: {
    'multi-region-trail': { title: 'A multi-region trail logs all management events, delivers, and validates log files', severity: 'high' },
    'trail-encryption': { title: 'The trail encrypts log files with a KMS key', severity: 'low' },
    'trail-cloudwatch-logs': { title: 'The trail delivers to CloudWatch Logs (for metric filters and alarms)', severity: 'low' },
  },
  remediation: {
    summary: 'Create (or fix) one multi-region trail — ideally an organization trail — with log file validation, KMS encryption and CloudWatch Logs delivery, and keep it logging.',
    commands: [
      'aws cloudtrail create-trail --name org-trail --s3-bucket-name $BUCKET --is-multi-region-trail --enable-log-file-validation --kms-key-id $KMS_KEY_ARN --cloud-watch-logs-log-group-arn $LOG_GROUP_ARN --cloud-watch-logs-role-arn $ROLE_ARN',
      'aws cloudtrail start-logging --name org-trail',
      'aws cloudtrail put-event-selectors --trail-name org-trail --event-selectors \'[{"ReadWriteType":"All","IncludeManagementEvents":true}]\'',
    ],
  },
  references: [
    { title: 'AWS CloudTrail API: GetTrailStatus', url: 'https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html' },
    { title: 'AWS CloudTrail: creating a trail for an organization', url: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html' },
  ],
  check(ev, ctx) {
    const all = trails(ev);
    if (all.length === 0) {
      ctx.fail(awsRef('AWS::CloudTrail::Trail', '(no trail)', {}), 'multi-region-trail', 'no CloudTrail trail in the account (and no organization trail visible)');
      return;
    }
    const judged = all.map((v) => {
      const t = v.trail;
      const ref = awsRef('AWS::CloudTrail::Trail', t.Name ?? '?', { arn: t.TrailARN, region: t.HomeRegion ?? v.fact.region, accountId: /^arn:aws[\w-]*:cloudtrail:[\w-]+:(\d{12}):/.exec(t.TrailARN ?? '')?.[1] });
      const problems: string[] = [];
      let unreadable = false;
      if (!t.IsMultiRegionTrail) problems.push('single-region');
      if (!v.status) { unreadable = true; problems.push('status not readable'); }
      else {
        if (v.status.IsLogging !== true) problems.push('not logging');
        if (v.status.LatestDeliveryError) problems.push(`delivery error ${v.status.LatestDeliveryError}`);
      }
      if (!v.selectors) { unreadable = true; problems.push('event selectors not readable'); }
      else {
        const m = managementEvents(v.selectors);
        if (!m.all) problems.push(m.partial ? `management events ${m.partial} only` : 'no management events');
        if (m.excluded.length > 0) ctx.note(`trail ${t.Name} excludes management events from ${m.excluded.join(', ')}`);
      }
      if (t.LogFileValidationEnabled !== true) problems.push('log file validation off');
      return { v, ref, problems, unreadable: unreadable && t.IsOrganizationTrail === true };
    });
    const good = judged.filter((j) => j.problems.length === 0);
    for (const j of good) {
      const t = j.v.trail;
      ctx.pass(j.ref, 'multi-region-trail', `${t.IsOrganizationTrail ? 'organization ' : ''}multi-region trail logging all management events with log file validation`);
      if (t.KmsKeyId) ctx.pass(j.ref, 'trail-encryption', `log files encrypted with ${t.KmsKeyId}`);
      else ctx.fail(j.ref, 'trail-encryption', 'log files use S3 default encryption, not a KMS key');
      if (t.CloudWatchLogsLogGroupArn) ctx.pass(j.ref, 'trail-cloudwatch-logs', `delivers to ${t.CloudWatchLogsLogGroupArn}`);
      else ctx.fail(j.ref, 'trail-cloudwatch-logs', 'not delivered to CloudWatch Logs: API-call alarms (CC4-SEC-03) cannot be built on it');
    }
    const others = judged.filter((j) => j.problems.length > 0);
    if (good.length > 0) {
      for (const j of others) ctx.note(`trail ${j.v.trail.Name} also exists: ${j.problems.join(', ')}`);
      return;
    }
    const unreadable = others.filter((j) => j.unreadable);
    if (unreadable.length > 0) {
      for (const j of others.filter((x) => !x.unreadable)) ctx.note(`trail ${j.v.trail.Name}: ${j.problems.join(', ')}`);
      ctx.manual(`organization trail ${unreadable.map((j) => j.v.trail.TrailARN ?? j.v.trail.Name).join(', ')} is visible but its status or event selectors cannot be read from this account (call GetTrailStatus with the full trail ARN); attest its configuration from the management account`);
      return;
    }
    for (const j of others) ctx.fail(j.ref, 'multi-region-trail', j.problems.join(', '));
  },
});

// ───────────────────────────── CC4-MON-03 VPC flow logs ─────────────────────────────

export const CC4_MON_03 = defineControl({
  id: 'CC4-MON-03',
  title: 'VPC flow logs capture all traffic of the cluster VPC',
  section: 'CC4',
  under: 'monitoring',
  tsc: ['CC7.2', 'CC6.6'],
  automation: 'automated',
  severity: 'medium',
  description:
    'The cluster VPC (from DescribeCluster) must have an ACTIVE flow log capturing ALL traffic whose delivery succeeds — or every ' +
    'subnet hosting the control-plane interfaces and node groups must. REJECT- or ACCEPT-only logs are warnings. In a shared VPC the ' +
    'flow logs belong to the owner account and may be invisible here; a person attests then. Transit Gateway flow logs and EKS Auto ' +
    'Mode network-policy event logs do not replace VPC flow logs.',
  requires: [need.aws('eks:DescribeCluster', 'the EKS cluster description'), need.aws('ec2:DescribeFlowLogs', 'VPC flow logs')],
  optional: [aws('eks:DescribeNodegroup'), aws('ec2:DescribeVpcs')],
  rules: { 'flow-logs-enabled': { title: 'ACTIVE flow log with traffic type ALL and successful delivery', severity: 'medium' } },
  remediation: {
    summary: 'Create a VPC-level flow log for ALL traffic to CloudWatch Logs or S3.',
    commands: ['aws ec2 create-flow-logs --resource-type VPC --resource-ids $VPC_ID --traffic-type ALL --log-destination-type cloud-watch-logs --log-group-name /vpc/flow-logs --deliver-logs-permission-arn $ROLE_ARN'],
  },
  references: [{ title: 'Amazon VPC: flow logs', url: 'https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html' }],
  check(ev, ctx) {
    const c = describeCluster(ev, ctx.clusterName);
    const vpcId = c?.resourcesVpcConfig?.vpcId;
    if (!c || !vpcId) { ctx.error('the cluster description has no VPC id (resourcesVpcConfig.vpcId)'); return; }
    const { region, accountId } = clusterRegion(ev, ctx.clusterName);
    const logs: FlowLog[] = ev.aws('ec2:DescribeFlowLogs', (f) => inRegion(f, region)).flatMap((f) => out<DescribeFlowLogsResult>(f)?.FlowLogs ?? []);
    const vpcRef = awsRef('AWS::EC2::VPC', vpcId, { region, accountId });
    const vpcLogs = logs.filter((l) => l.ResourceId === vpcId).map((l) => ({ l, v: judgeFlowLog(l) }));
    const good = vpcLogs.find((x) => x.v.ok);
    if (good) { ctx.pass(vpcRef, 'flow-logs-enabled', `VPC flow log ${good.v.why}`); return; }

    const subnets = [...new Set([...(c.resourcesVpcConfig?.subnetIds ?? []), ...(ev.has('aws:eks:DescribeNodegroup') ? nodegroups(ev).flatMap((n) => n.subnets ?? []) : [])])];
    const subnetVerdicts = subnets.map((s) => ({ s, v: logs.filter((l) => l.ResourceId === s).map(judgeFlowLog).find((v) => v.ok) }));
    if (subnets.length > 0 && subnetVerdicts.every((x) => x.v)) {
      for (const x of subnetVerdicts) ctx.pass(awsRef('AWS::EC2::Subnet', x.s, { region, accountId }), 'flow-logs-enabled', `subnet flow log ${x.v!.why}`);
      return;
    }
    if (logs.length === 0 && ev.has('aws:ec2:DescribeVpcs')) {
      const vpc = ev.aws('ec2:DescribeVpcs').flatMap((f) => out<DescribeVpcsResult>(f)?.Vpcs ?? []).find((v) => v.VpcId === vpcId);
      if (vpc?.OwnerId && accountId && vpc.OwnerId !== accountId) {
        ctx.manual(`VPC ${vpcId} is shared from account ${vpc.OwnerId}: its flow logs live in the owner account and are not visible here; attest them from that account`);
        return;
      }
    }
    const partial = vpcLogs[0];
    const uncovered = subnetVerdicts.filter((x) => !x.v).map((x) => x.s);
    if (partial) ctx.fail(vpcRef, 'flow-logs-enabled', `${partial.v.why}${uncovered.length ? `; subnets without a complete flow log: ${uncovered.join(', ')}` : ''}`, partial.v.low ? { severity: 'low' } : undefined);
    else ctx.fail(vpcRef, 'flow-logs-enabled', `no flow log on VPC ${vpcId}${uncovered.length && uncovered.length < subnets.length ? ` and subnets ${uncovered.join(', ')} have none` : ' nor on its cluster subnets'}`);
  },
});

// ───────────────────────────── CC4-MON-04 Container Insights ─────────────────────────────

const CW_ADDON = 'amazon-cloudwatch-observability';

export const CC4_MON_04 = defineControl({
  id: 'CC4-MON-04',
  title: 'CloudWatch Container Insights collects cluster metrics and logs',
  section: 'CC4',
  under: 'monitoring',
  tsc: ['CC7.2', 'A1.1'],
  automation: 'automated',
  severity: 'medium',
  description:
    'The amazon-cloudwatch-observability add-on must be ACTIVE without health issues (or, for Helm installs, the cloudwatch-agent and ' +
    'fluent-bit DaemonSets ready on every eligible Linux node, plus the Windows pair when Windows nodes exist), and CloudWatch must ' +
    'hold ContainerInsights metrics for the cluster (ListMetrics returns metrics with data in the last two weeks). Disabled ' +
    'container logs are a warning; Fargate needs ADOT and is noted.',
  requires: [
    { anyOf: [aws('eks:DescribeAddon'), aws('eks:ListAddons'), k8s('apps/DaemonSet')], what: 'the CloudWatch observability add-on (EKS add-on or its DaemonSets)', alternatives: true },
    need.aws('cloudwatch:ListMetrics', 'CloudWatch metrics in the ContainerInsights namespace'),
  ],
  optional: [k8s('core/Node'), k8s('core/Pod'), aws('eks:DescribeCluster')],
  rules: {
    'observability-agent': { title: 'The CloudWatch agent and Fluent Bit run healthy on every eligible node', severity: 'medium' },
    'container-logs': { title: 'Container log collection is enabled', severity: 'low' },
    'container-insights-metrics': { title: 'ContainerInsights metrics exist for the cluster', severity: 'medium' },
  },
  remediation: {
    summary: 'Install the amazon-cloudwatch-observability add-on with an IAM role for the agent (IRSA or Pod Identity) and make its DaemonSets tolerate every node taint.',
    commands: ['aws eks create-addon --cluster-name $CLUSTER_NAME --addon-name amazon-cloudwatch-observability --service-account-role-arn $CW_AGENT_ROLE_ARN'],
  },
  references: [
    { title: 'CloudWatch: install the Amazon CloudWatch Observability EKS add-on', url: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-setup-EKS-addon.html' },
    { title: 'CloudWatch: Container Insights on Amazon EKS', url: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/deploy-container-insights-EKS.html' },
  ],
  check(ev, ctx) {
    const name = clusterNameOf(ev, ctx.clusterName);
    const addon = ev.has('aws:eks:DescribeAddon') ? describeAddon(ev, CW_ADDON) : undefined;
    const listed = ev.has('aws:eks:ListAddons') && addonNames(ev).includes(CW_ADDON);
    const haveDs = ev.has('k8s:apps/DaemonSet');
    const canSeeNodes = ev.has('k8s:core/Node');
    const ds = (n: string) => (haveDs ? find(ev, 'apps/DaemonSet', { names: [n] })[0] : undefined);
    const pods = podsCollected(ev);
    const scope = clusterScope(ctx);
    let agentOk = false;
    if (addon) {
      const aref = awsRef('AWS::EKS::Addon', CW_ADDON, { arn: addon.addonArn });
      const issues = addon.health?.issues ?? [];
      if (addon.status === 'ACTIVE' && issues.length === 0) { agentOk = true; ctx.pass(aref, 'observability-agent', `add-on ${addon.addonVersion ?? ''} ACTIVE`.replace('  ', ' ')); }
      else ctx.fail(aref, 'observability-agent', `add-on is ${addon.status}${issues.length ? `: ${issues.map((i) => `${i.code} ${i.message ?? ''}`.trim()).join('; ')}` : ''}`);
      const cfg = parseConfig(addon.configurationValues);
      const logs = asObj(cfg?.containerLogs);
      if (logs?.enabled === false) ctx.fail(aref, 'container-logs', 'containerLogs.enabled is false: application logs are not shipped (Fluent Bit disabled)');
      else ctx.pass(aref, 'container-logs', 'container logs enabled');
    } else if (listed) {
      agentOk = true;
      ctx.pass(awsRef('AWS::EKS::Addon', CW_ADDON, {}), 'observability-agent', 'add-on installed (status not read: eks:DescribeAddon)');
    }
    // DaemonSets: the proof for Helm installs, and a cross-check of the add-on's node coverage.
    if (haveDs && canSeeNodes) {
      const windows = agentEligibleNodes(ev, { os: 'windows' }).length > 0;
      const required = ['cloudwatch-agent', 'fluent-bit', ...(windows ? ['cloudwatch-agent-windows', 'fluent-bit-windows'] : [])];
      const found = required.map((n) => ({ n, d: ds(n) }));
      if (found.some((x) => x.d) || !addon) {
        for (const { n, d } of found) {
          if (!d) {
            if (addon || listed || n.includes('windows')) ctx.fail(scope, 'observability-agent', `DaemonSet ${n} not found${n.includes('windows') ? ' although Windows nodes exist' : ''}`);
            continue;
          }
          const cov = agentCoverage(ev, d, { os: n.includes('windows') ? 'windows' : 'linux', pods });
          if (cov.ok) ctx.pass(scope, 'observability-agent', cov.message);
          else { agentOk = false; ctx.fail(scope, 'observability-agent', cov.message); }
        }
        if (!addon && !listed && found.every((x) => x.d)) agentOk = found.every((x) => agentCoverage(ev, x.d!, { os: x.n.includes('windows') ? 'windows' : 'linux', pods }).ok);
      }
    }
    if (!addon && !listed && !(haveDs && ['cloudwatch-agent', 'fluent-bit'].some((n) => ds(n)))) {
      ctx.fail(scope, 'observability-agent', `neither the ${CW_ADDON} add-on nor the cloudwatch-agent/fluent-bit DaemonSets are installed`);
    }

    const metrics = ev.aws('cloudwatch:ListMetrics').flatMap((f) => out<ListMetricsOutput>(f)?.Metrics ?? [])
      .filter((m) => m.Namespace === 'ContainerInsights' && (!name || (m.Dimensions ?? []).some((d) => d.Name === 'ClusterName' && d.Value === name)));
    if (metrics.length > 0) ctx.pass(scope, 'container-insights-metrics', `${metrics.length} ContainerInsights metric(s) for cluster ${name ?? '?'} (${listSome([...new Set(metrics.map((m) => m.MetricName ?? '?'))], 4)})`);
    else ctx.fail(scope, 'container-insights-metrics', `no ContainerInsights metric for cluster ${name ?? '?'} in the last two weeks${agentOk ? ': the agent runs but publishes nothing (check its IAM role)' : ''}`);
    if (canSeeNodes) {
      const note = fargateNote(ev, 'the CloudWatch agent DaemonSet; use ADOT for Fargate');
      if (note) ctx.note(note);
    }
  },
});

// ───────────────────────────── CC4-MON-05 Falco ─────────────────────────────

interface FalcoOutputs { http: boolean; program: boolean; file: boolean; grpc: boolean; stdout: boolean }

/** Output channels enabled in a Falco `falco.yaml`. */
export function falcoOutputs(yamlText: string | undefined): FalcoOutputs | undefined {
  const cfg = parseConfig(yamlText);
  if (!cfg) return undefined;
  const on = (k: string, dflt = false) => {
    const v = asObj(cfg[k]);
    return v ? v.enabled === true || (v.enabled === undefined && dflt) : dflt;
  };
  return { http: on('http_output'), program: on('program_output'), file: on('file_output'), grpc: on('grpc_output') && on('grpc'), stdout: on('stdout_output', true) };
}

function guardDutyRuntimeFull(ev: Evidence, cluster: string | undefined): string | undefined {
  if (!ev.has('aws:guardduty:GetDetector') || !ev.has('aws:guardduty:ListCoverage')) return undefined;
  const det = ev.aws('guardduty:GetDetector').map((f) => out<GetDetectorResponse>(f)).find((d) => d?.Status === 'ENABLED');
  const rt = (det?.Features ?? []).some((f) => (f.Name === 'RUNTIME_MONITORING' || f.Name === 'EKS_RUNTIME_MONITORING') && f.Status === 'ENABLED');
  if (!rt) return undefined;
  const cov = ev.aws('guardduty:ListCoverage').flatMap((f) => out<ListCoverageResponse>(f)?.Resources ?? []).find((r) => r.ResourceDetails?.EksClusterDetails?.ClusterName === cluster);
  const d = cov?.ResourceDetails?.EksClusterDetails;
  return cov?.CoverageStatus === 'HEALTHY' && d && (d.CoveredNodes ?? 0) >= (d.CompatibleNodes ?? 0) && (d.CompatibleNodes ?? 0) > 0 ? `GuardDuty Runtime Monitoring covers ${d.CoveredNodes}/${d.CompatibleNodes} nodes (HEALTHY)` : undefined;
}

export const CC4_MON_05 = defineControl({
  id: 'CC4-MON-05',
  title: 'Falco monitors runtime behaviour on every node and its alerts go somewhere',
  section: 'CC4',
  under: 'monitoring',
  tsc: ['CC7.2', 'CC6.8', 'CC7.3'],
  automation: 'automated',
  severity: 'high',
  description:
    'A Falco DaemonSet (label app.kubernetes.io/name=falco, any namespace) must be ready on every eligible node — Fargate nodes cannot ' +
    'run DaemonSets — and its alerts must leave the node: falcosidekick, or an HTTP/program output in the falco ConfigMap, or stdout ' +
    'collected by a log shipper. The deprecated gRPC output alone is a warning. Optionally (threshold acceptGuardDutyRuntimeAsFalco), ' +
    'GuardDuty Runtime Monitoring with full healthy coverage is accepted instead.',
  requires: [need.kind('apps/DaemonSet', 'DaemonSets'), need.kind('core/Node', 'nodes')],
  optional: [k8s('apps/Deployment'), k8s('core/ConfigMap'), k8s('core/Pod'), aws('guardduty:GetDetector'), aws('guardduty:ListCoverage')],
  rules: {
    'falco-coverage': { title: 'Falco runs ready on every eligible node', severity: 'high' },
    'alert-output': { title: 'Falco alerts are forwarded (falcosidekick, HTTP output or a log collector)', severity: 'medium' },
  },
  remediation: {
    summary: 'Install Falco in its own namespace with falcosidekick (the gRPC output is deprecated since Falco 0.43), tolerating every node taint.',
    commands: ['helm install falco falcosecurity/falco -n falco --create-namespace --set falcosidekick.enabled=true --set tty=true'],
  },
  references: [
    { title: 'Falco Helm chart (falcosidekick.enabled)', url: 'https://github.com/falcosecurity/charts/blob/master/charts/falco/README.md' },
    { title: 'Falco outputs', url: 'https://falco.org/docs/concepts/outputs/' },
  ],
  check(ev, ctx) {
    const scope = clusterScope(ctx);
    const byLabel = find(ev, 'apps/DaemonSet', { labels: { 'app.kubernetes.io/name': 'falco' } });
    const falco = byLabel.length > 0 ? byLabel : find(ev, 'apps/DaemonSet', { names: ['falco'] });
    const pods = ev.has('k8s:core/Pod');
    const note = fargateNote(ev, 'Falco (DaemonSets do not run on Fargate)');
    if (note) ctx.note(note);
    if (falco.length === 0) {
      const gd = ctx.config.thresholds.acceptGuardDutyRuntimeAsFalco ? guardDutyRuntimeFull(ev, ctx.clusterName) : undefined;
      if (gd) { ctx.pass(scope, 'falco-coverage', `Falco is not installed; accepted equivalent: ${gd}`); return; }
      ctx.fail(scope, 'falco-coverage', `no Falco DaemonSet (label app.kubernetes.io/name=falco)${ctx.config.thresholds.acceptGuardDutyRuntimeAsFalco ? ' and GuardDuty Runtime Monitoring does not fully cover the cluster' : ''}`);
      return;
    }
    for (const d of falco) {
      const cov = agentCoverage(ev, d, { pods });
      if (cov.ok) ctx.pass(scope, 'falco-coverage', cov.message);
      else ctx.fail(scope, 'falco-coverage', `${cov.message}: runtime events on those nodes go unseen${cov.desired < cov.eligible ? ' (check tolerations and nodeSelector)' : ''}`);
    }

    // Where do alerts go?
    const ns = falco[0]!.metadata.namespace ?? '';
    const sidekick = ev.has('k8s:apps/Deployment') ? find(ev, 'apps/Deployment', { labels: { 'app.kubernetes.io/name': 'falcosidekick' } }).concat(find(ev, 'apps/Deployment', { names: ['falco-falcosidekick', 'falcosidekick'] })) : [];
    const sk = sidekick.find(isAvailable) ?? sidekick[0];
    if (sk && isAvailable(sk)) { ctx.pass(scope, 'alert-output', `alerts forwarded by falcosidekick (${sk.metadata.namespace}/${sk.metadata.name})`); return; }
    if (sk) { ctx.fail(scope, 'alert-output', `falcosidekick ${sk.metadata.namespace}/${sk.metadata.name} is not available: alerts are dropped`); return; }
    // The falco ConfigMap (falco.yaml) says where alerts go. Without it Falco runs on its defaults (stdout).
    const cmRead = ev.has('k8s:core/ConfigMap');
    const cm = cmRead ? ev.inNamespace('core/ConfigMap', ns).find((c) => ['falco', falco[0]!.metadata.name ?? ''].includes(c.metadata.name ?? '')) : undefined;
    const text = cm ? asObj(cm.data)?.['falco.yaml'] : undefined;
    if (!cmRead || !cm || typeof text !== 'string') {
      // Never a guess: a ConfigMap that is not in the evidence was not necessarily absent (a live
      // scan reads it only where RBAC allows, files may not include it).
      const why = !cmRead ? `ConfigMaps were not readable: grant get on configmaps/falco in ${ns}`
        : cm ? 'its data was withheld at collection (falco.yaml missing or not YAML)'
          : `it was not read: grant get on configmaps/falco in ${ns} (docs/kubernetes.md), or include it in the input files`;
      ctx.manual(`no falcosidekick, and the content of the falco ConfigMap is not in the evidence (${why}): attest where Falco alerts are sent`);
      return;
    }
    const outputs = falcoOutputs(text);
    if (!outputs) { ctx.error(`the falco ConfigMap ${ns}/${cm?.metadata.name} does not parse as YAML`); return; }
    const shipper = ['fluent-bit', 'cloudwatch-agent', 'fluentd', 'aws-for-fluent-bit', 'vector', 'promtail', 'datadog-agent'].some((n) => find(ev, 'apps/DaemonSet', { names: [n] }).length > 0);
    if (outputs.http || outputs.program) ctx.pass(scope, 'alert-output', `Falco ${outputs.http ? 'http_output' : 'program_output'} is enabled`);
    else if (outputs.grpc) ctx.fail(scope, 'alert-output', 'only the gRPC output is enabled; it is deprecated since Falco 0.43 and may be removed in 0.44 — use http_output or falcosidekick', { severity: 'low' });
    else if (outputs.stdout && shipper) ctx.pass(scope, 'alert-output', 'alerts go to stdout and a node log collector ships container logs');
    else ctx.fail(scope, 'alert-output', `no falcosidekick and Falco only writes to ${outputs.file ? 'a file' : outputs.stdout ? 'stdout' : 'nowhere'} with no log collector: alerts stay on the node`);
  },
});

// ───────────────────────────── CC4-SEC-01 GuardDuty ─────────────────────────────

const GD_AGENT = 'aws-guardduty-agent';

export const CC4_SEC_01 = defineControl({
  id: 'CC4-SEC-01',
  title: 'GuardDuty detects threats in the cluster (EKS audit logs and runtime monitoring)',
  section: 'CC4',
  under: 'eventCorrelation',
  tsc: ['CC7.2', 'CC7.3', 'CC6.8'],
  automation: 'automated',
  severity: 'high',
  description:
    'In the cluster\'s region GuardDuty must have an ENABLED detector with EKS audit log monitoring and Runtime Monitoring (or the ' +
    'legacy EKS Runtime Monitoring; both at once is a warning — the legacy one keeps billing), and the security agent must cover ' +
    'every compatible node: GuardDuty coverage HEALTHY with all compatible nodes covered, or the aws-guardduty-agent add-on or ' +
    'DaemonSet ready on every eligible node. Fargate and hybrid nodes are not covered by EKS Runtime Monitoring and are noted.',
  requires: [
    need.aws('guardduty:ListDetectors', 'GuardDuty detectors'),
    need.aws('guardduty:GetDetector', 'GuardDuty detector settings'),
    { anyOf: [aws('guardduty:ListCoverage'), aws('eks:DescribeAddon'), k8s('apps/DaemonSet')], what: 'GuardDuty agent coverage (coverage API, EKS add-on or DaemonSet)', alternatives: true },
  ],
  optional: [aws('eks:DescribeCluster'), k8s('core/Node'), k8s('core/Pod')],
  rules: {
    'detector-enabled': { title: 'A GuardDuty detector is enabled in the cluster region', severity: 'high' },
    'eks-audit-logs': { title: 'EKS audit log monitoring (EKS Protection) is enabled', severity: 'high' },
    'runtime-monitoring': { title: 'Runtime Monitoring is enabled (once)', severity: 'high' },
    'agent-coverage': { title: 'The GuardDuty security agent covers every compatible node', severity: 'high' },
  },
  remediation: {
    summary: 'Enable EKS audit log monitoring and Runtime Monitoring with automated EKS agent management, then disable the legacy EKS Runtime Monitoring feature.',
    commands: [
      'aws guardduty update-detector --detector-id $DETECTOR_ID --features \'[{"Name":"EKS_AUDIT_LOGS","Status":"ENABLED"},{"Name":"RUNTIME_MONITORING","Status":"ENABLED","AdditionalConfiguration":[{"Name":"EKS_ADDON_MANAGEMENT","Status":"ENABLED"}]}]\'',
      'aws guardduty list-coverage --detector-id $DETECTOR_ID --filter-criteria \'{"FilterCriterion":[{"CriterionKey":"EKS_CLUSTER_NAME","FilterCondition":{"Equals":["\'$CLUSTER_NAME\'"]}}]}\'',
    ],
  },
  references: [
    { title: 'GuardDuty: how Runtime Monitoring works with Amazon EKS', url: 'https://docs.aws.amazon.com/guardduty/latest/ug/how-runtime-monitoring-works-eks.html' },
    { title: 'GuardDuty: EKS Runtime Monitoring configuration (standalone account)', url: 'https://docs.aws.amazon.com/guardduty/latest/ug/eks-runtime-monitoring-configuration-standalone-acc.html' },
    { title: 'GuardDuty: EKS Protection', url: 'https://docs.aws.amazon.com/guardduty/latest/ug/eks-protection-configuration.html' },
  ],
  check(ev, ctx) {
    const { region, accountId, cluster } = clusterRegion(ev, ctx.clusterName);
    const name = cluster?.name ?? ctx.clusterName;
    const ids = ev.aws('guardduty:ListDetectors', (f) => inRegion(f, region)).flatMap((f) => out<ListDetectorsResponse>(f)?.DetectorIds ?? []);
    const detFacts = ev.aws('guardduty:GetDetector', (f) => inRegion(f, region));
    if (ids.length === 0) {
      ctx.fail(awsRef('AWS::GuardDuty::Detector', `(none in ${region ?? 'region'})`, { region, accountId }), 'detector-enabled', `GuardDuty is not enabled in ${region ?? 'the cluster region'}`);
      return;
    }
    let runtimeOn = false;
    let addonMgmt = false;
    for (const id of ids) {
      const f = detFacts.find((x) => x.params?.DetectorId === id) ?? (ids.length === 1 ? detFacts[0] : undefined);
      const ref = awsRef('AWS::GuardDuty::Detector', id, { region: f?.region ?? region, accountId: f?.accountId ?? accountId });
      const d = out<GetDetectorResponse>(f);
      if (!d) { ctx.error(`guardduty:GetDetector for detector ${id} is missing from the evidence`); continue; }
      if (d.Status === 'ENABLED') ctx.pass(ref, 'detector-enabled', 'detector ENABLED');
      else ctx.fail(ref, 'detector-enabled', `detector is ${d.Status ?? 'not enabled'}`);
      const feat = new Map((d.Features ?? []).map((x) => [x.Name ?? '', x]));
      const audit = feat.get('EKS_AUDIT_LOGS')?.Status ?? d.DataSources?.Kubernetes?.AuditLogs?.Status;
      if (audit === 'ENABLED') ctx.pass(ref, 'eks-audit-logs', 'EKS_AUDIT_LOGS enabled');
      else ctx.fail(ref, 'eks-audit-logs', `EKS audit log monitoring is ${audit ?? 'not configured'}`);
      const rm = feat.get('RUNTIME_MONITORING');
      const legacy = feat.get('EKS_RUNTIME_MONITORING');
      const both = rm?.Status === 'ENABLED' && legacy?.Status === 'ENABLED';
      if (both) ctx.fail(ref, 'runtime-monitoring', 'both RUNTIME_MONITORING and the legacy EKS_RUNTIME_MONITORING are enabled: disable the legacy feature (it keeps charging)', { severity: 'low' });
      else if (rm?.Status === 'ENABLED' || legacy?.Status === 'ENABLED') ctx.pass(ref, 'runtime-monitoring', `${rm?.Status === 'ENABLED' ? 'RUNTIME_MONITORING' : 'EKS_RUNTIME_MONITORING (legacy)'} enabled`);
      else ctx.fail(ref, 'runtime-monitoring', 'Runtime Monitoring is not enabled: process, file and network activity on nodes is not analysed');
      runtimeOn ||= rm?.Status === 'ENABLED' || legacy?.Status === 'ENABLED';
      const cfgs = [...(rm?.AdditionalConfiguration ?? []), ...(legacy?.AdditionalConfiguration ?? [])];
      addonMgmt ||= cfgs.some((c) => c.Name === 'EKS_ADDON_MANAGEMENT' && c.Status === 'ENABLED');
    }

    // Agent coverage.
    const cref = clusterRef(cluster, name);
    const coverage: CoverageResource[] = ev.has('aws:guardduty:ListCoverage') ? ev.aws('guardduty:ListCoverage', (f) => inRegion(f, region)).flatMap((f) => out<ListCoverageResponse>(f)?.Resources ?? []) : [];
    const mine = coverage.filter((r) => r.ResourceDetails?.EksClusterDetails?.ClusterName === name);
    const addon = ev.has('aws:eks:DescribeAddon') ? describeAddon(ev, GD_AGENT) : undefined;
    const ds = ev.has('k8s:apps/DaemonSet') ? find(ev, 'apps/DaemonSet', { names: [GD_AGENT] })[0] : undefined;
    if (mine.length > 0) {
      for (const r of mine) {
        const d = r.ResourceDetails!.EksClusterDetails!;
        const full = (d.CoveredNodes ?? 0) >= (d.CompatibleNodes ?? 0);
        const msg = `GuardDuty coverage ${r.CoverageStatus}: ${d.CoveredNodes ?? 0}/${d.CompatibleNodes ?? 0} compatible nodes covered, agent ${d.AddonDetails?.AddonVersion ?? '?'} ${d.AddonDetails?.AddonStatus ?? ''}, ${d.ManagementType ?? ''} management`.trim();
        if (r.CoverageStatus === 'HEALTHY' && full) ctx.pass(cref, 'agent-coverage', msg);
        else ctx.fail(cref, 'agent-coverage', `${msg}${r.Issue ? ` — ${r.Issue}` : ''}`);
      }
    } else if (addon || ds) {
      if (addon) {
        const aref = awsRef('AWS::EKS::Addon', GD_AGENT, { arn: addon.addonArn });
        if (addon.status === 'ACTIVE' && (addon.health?.issues ?? []).length === 0) ctx.pass(aref, 'agent-coverage', `add-on ${addon.addonVersion ?? ''} ACTIVE`);
        else ctx.fail(aref, 'agent-coverage', `add-on is ${addon.status}${(addon.health?.issues ?? []).map((i) => `; ${i.code}`).join('')}`);
      }
      if (ds && ev.has('k8s:core/Node')) {
        const cov = agentCoverage(ev, ds, { pods: ev.has('k8s:core/Pod') });
        if (cov.ok) ctx.pass(clusterScope(ctx), 'agent-coverage', cov.message);
        else ctx.fail(clusterScope(ctx), 'agent-coverage', cov.message);
      }
    } else {
      ctx.fail(cref, 'agent-coverage', `the GuardDuty security agent is not installed${runtimeOn && !addonMgmt ? ' and automated agent management (EKS_ADDON_MANAGEMENT) is off' : ''}`);
    }
    if (cluster?.tags?.GuardDutyManaged === 'false') ctx.note('cluster tag GuardDutyManaged=false excludes it from automated agent management: the add-on must be managed by hand');
    if (ev.has('k8s:core/Node')) {
      const note = fargateNote(ev, 'the GuardDuty EKS agent (EKS Runtime Monitoring supports EC2 and Auto Mode nodes only)');
      if (note) ctx.note(note);
    }
  },
});

// ───────────────────────────── CC4-SEC-02 Security Hub ─────────────────────────────

const EKS_CONTROLS = ['EKS.1', 'EKS.2', 'EKS.3', 'EKS.8'];
const BASELINE_STANDARD = /standards\/(aws-foundational-security-best-practices|cis-aws-foundations-benchmark)\/|ruleset\/cis-aws-foundations-benchmark\//;

export const CC4_SEC_02 = defineControl({
  id: 'CC4-SEC-02',
  title: 'Security Hub centralises findings with the EKS controls enabled',
  section: 'CC4',
  under: 'eventCorrelation',
  tsc: ['CC7.3', 'CC4.1', 'CC4.2'],
  automation: 'automated',
  severity: 'high',
  description:
    'Security Hub (CSPM) must be enabled in the cluster\'s region with the AWS Foundational Security Best Practices or a CIS AWS ' +
    'Foundations standard READY, and the EKS security controls EKS.1 (no public endpoint), EKS.2 (supported version), EKS.3 ' +
    '(encrypted secrets) and EKS.8 (audit logging) enabled in at least one READY standard. Which standard holds each control is ' +
    'read at run time, not assumed. GuardDuty findings arriving in Security Hub are shown as supporting evidence.',
  requires: [need.aws('securityhub:DescribeHub', 'the Security Hub subscription'), need.aws('securityhub:GetEnabledStandards', 'enabled Security Hub standards')],
  optional: [aws('securityhub:ListStandardsControlAssociations'), aws('securityhub:DescribeStandardsControls'), aws('securityhub:GetFindings'), aws('eks:DescribeCluster')],
  rules: {
    'hub-enabled': { title: 'Security Hub is enabled in the cluster region', severity: 'high' },
    'standard-ready': { title: 'FSBP or CIS AWS Foundations standard is enabled and READY', severity: 'medium' },
    'eks-controls-enabled': { title: 'EKS.1, EKS.2, EKS.3 and EKS.8 are enabled in a READY standard', severity: 'medium' },
  },
  remediation: {
    summary: 'Enable Security Hub with the default standards in every region that runs clusters, and keep the EKS controls enabled.',
    commands: [
      'aws securityhub enable-security-hub --enable-default-standards',
      'aws securityhub batch-update-standards-control-associations --standards-control-association-updates \'[{"StandardsArn":"arn:aws:securityhub:REGION::standards/aws-foundational-security-best-practices/v/1.0.0","SecurityControlId":"EKS.8","AssociationStatus":"ENABLED"}]\'',
    ],
  },
  references: [
    { title: 'Security Hub: controls for Amazon EKS', url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html' },
  ],
  check(ev, ctx) {
    const { region, accountId } = clusterRegion(ev, ctx.clusterName);
    const here = (f: AwsFact) => inRegion(f, region);
    const hubFact = ev.aws('securityhub:DescribeHub', here)[0];
    const hub = out<DescribeHubResponse>(hubFact);
    if (!hub?.HubArn) {
      ctx.fail(awsRef('AWS::SecurityHub::Hub', `(not enabled in ${region ?? 'region'})`, { region, accountId }), 'hub-enabled', `Security Hub is not enabled in ${region ?? 'the cluster region'}`);
      return;
    }
    const href = awsRef('AWS::SecurityHub::Hub', hub.HubArn.split('/').pop() ?? 'default', { arn: hub.HubArn, region: hubFact?.region ?? region, accountId: hubFact?.accountId ?? accountId });
    ctx.pass(href, 'hub-enabled', `enabled since ${String(hub.SubscribedAt ?? '?').slice(0, 10)}${hub.ControlFindingGenerator ? ` (${hub.ControlFindingGenerator})` : ''}`);

    const subs: StandardsSubscription[] = ev.aws('securityhub:GetEnabledStandards', here).flatMap((f) => out<GetEnabledStandardsResponse>(f)?.StandardsSubscriptions ?? []);
    const ready = subs.filter((s) => s.StandardsStatus === 'READY');
    const baseline = subs.filter((s) => BASELINE_STANDARD.test(s.StandardsArn ?? ''));
    const stdName = (arn: string | undefined) => (arn ?? '?').replace(/^arn:aws[\w-]*:securityhub:[\w-]*::(standards|ruleset)\//, '');
    for (const s of baseline) {
      const ref = awsRef('AWS::SecurityHub::Standard', stdName(s.StandardsArn), { arn: s.StandardsSubscriptionArn, region });
      if (s.StandardsStatus === 'READY') ctx.pass(ref, 'standard-ready', `${stdName(s.StandardsArn)} READY`);
      else ctx.fail(ref, 'standard-ready', `${stdName(s.StandardsArn)} is ${s.StandardsStatus}${s.StandardsStatusReason?.StatusReasonCode ? ` (${s.StandardsStatusReason.StatusReasonCode})` : ''}`);
    }
    if (baseline.length === 0) ctx.fail(href, 'standard-ready', `neither AWS Foundational Security Best Practices nor CIS AWS Foundations is enabled${subs.length ? ` (enabled: ${subs.map((s) => stdName(s.StandardsArn)).join(', ')})` : ''}`);

    const readyArns = new Set(ready.map((s) => s.StandardsArn ?? ''));
    const enabledIn = new Map<string, string[]>();
    let known = false;
    if (ev.has('aws:securityhub:ListStandardsControlAssociations')) {
      known = true;
      for (const f of ev.aws('securityhub:ListStandardsControlAssociations', here)) {
        for (const a of out<ListStandardsControlAssociationsResponse>(f)?.StandardsControlAssociationSummaries ?? []) {
          if (a.AssociationStatus === 'ENABLED' && readyArns.has(a.StandardsArn ?? '')) enabledIn.set(a.SecurityControlId ?? '', [...(enabledIn.get(a.SecurityControlId ?? '') ?? []), stdName(a.StandardsArn)]);
        }
      }
    } else if (ev.has('aws:securityhub:DescribeStandardsControls')) {
      known = true;
      for (const f of ev.aws('securityhub:DescribeStandardsControls', here)) {
        const sub = String(f.params?.StandardsSubscriptionArn ?? '');
        for (const c of out<DescribeStandardsControlsResponse>(f)?.Controls ?? []) {
          if (c.ControlStatus === 'ENABLED' && c.ControlId) enabledIn.set(c.ControlId, [...(enabledIn.get(c.ControlId) ?? []), sub.split('/').slice(-3).join('/') || 'standard']);
        }
      }
    }
    if (!known) ctx.error('Security Hub is enabled but the status of the EKS controls was not collected (securityhub:ListStandardsControlAssociations)');
    else {
      for (const id of EKS_CONTROLS) {
        const ref = awsRef('AWS::SecurityHub::SecurityControl', id, { region, accountId });
        const inStd = enabledIn.get(id) ?? [];
        if (inStd.length > 0) ctx.pass(ref, 'eks-controls-enabled', `${id} enabled in ${[...new Set(inStd)].join(', ')}`);
        else ctx.fail(ref, 'eks-controls-enabled', `${id} is not enabled in any READY standard`);
      }
    }
    if (ev.has('aws:securityhub:GetFindings')) {
      const gd = ev.aws('securityhub:GetFindings', here).flatMap((f) => out<GetFindingsResponse>(f)?.Findings ?? []).filter((x) => /product\/aws\/guardduty$/.test(x.ProductArn ?? ''));
      ctx.note(gd.length > 0 ? `${gd.length} GuardDuty finding(s) are aggregated in Security Hub` : 'no GuardDuty finding in Security Hub (none raised, or the integration is off)');
    }
  },
});

// ───────────────────────────── CC4-SEC-03 metric filters and alarms ─────────────────────────────

export const CC4_SEC_03 = defineControl({
  id: 'CC4-SEC-03',
  title: 'Security metric filters on the EKS audit log raise alarms that notify someone',
  section: 'CC4',
  under: 'eventCorrelation',
  tsc: ['CC7.2', 'CC7.3'],
  automation: 'partial',
  severity: 'medium',
  description:
    'Counts CloudWatch Logs metric filters on /aws/eks/<cluster>/cluster (and on the CloudTrail log group) and requires each to have ' +
    'an alarm with actions — a filter without an alarm monitors nothing. At least the configured number of alarmed filters must ' +
    'watch the EKS audit log, and audit logging must be on for them to see anything. Whether the set covers the organisation\'s ' +
    'security events (anonymous access, 403s, RBAC changes, exec into pods) is judged by a person.',
  requires: [need.aws('logs:DescribeMetricFilters', 'CloudWatch Logs metric filters'), need.aws('cloudwatch:DescribeAlarms', 'CloudWatch alarms')],
  optional: [aws('eks:DescribeCluster'), aws('cloudtrail:DescribeTrails')],
  rules: {
    'filter-alarmed': { title: 'The metric filter has an alarm with actions', severity: 'medium' },
    'security-filter-count': { title: 'Enough alarmed security filters watch the EKS audit log', severity: 'medium' },
    'audit-log-source': { title: 'EKS audit logging is on, so the filters have data', severity: 'high' },
  },
  attestation: 'the filters cover the organisation\'s security events and the alarm actions reach an on-call responder',
  remediation: {
    summary: 'Create filters for anonymous requests, authorization failures, RBAC changes and exec into pods on the audit log, each with an alarm to an SNS topic that pages someone.',
    commands: [
      'aws logs put-metric-filter --log-group-name /aws/eks/$CLUSTER_NAME/cluster --filter-name eks-anonymous --filter-pattern \'{ $.user.username = "system:anonymous" }\' --metric-transformations metricName=EksAnonymousRequests,metricNamespace=Security,metricValue=1',
      'aws cloudwatch put-metric-alarm --alarm-name eks-anonymous-requests --namespace Security --metric-name EksAnonymousRequests --statistic Sum --period 300 --evaluation-periods 1 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --treat-missing-data notBreaching --alarm-actions $SNS_TOPIC_ARN',
    ],
  },
  references: [
    { title: 'CloudWatch Logs: creating metric filters', url: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/MonitoringLogData.html' },
    { title: 'Amazon EKS: control plane logs', url: 'https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html' },
  ],
  check(ev, ctx) {
    const c = ev.has('aws:eks:DescribeCluster') ? describeCluster(ev, ctx.clusterName) : undefined;
    const name = c?.name ?? ctx.clusterName;
    const eksGroup = name ? `/aws/eks/${name}/cluster` : undefined;
    const trailGroups = new Set<string>();
    if (ev.has('aws:cloudtrail:DescribeTrails')) {
      for (const f of ev.aws('cloudtrail:DescribeTrails')) for (const t of out<{ trailList?: { CloudWatchLogsLogGroupArn?: string }[] }>(f)?.trailList ?? []) {
        const m = /:log-group:([^:]+)/.exec(t.CloudWatchLogsLogGroupArn ?? '');
        if (m) trailGroups.add(m[1]!);
      }
    }
    const filters: { m: MetricFilter; f: AwsFact }[] = ev.aws('logs:DescribeMetricFilters').flatMap((f) => (out<DescribeMetricFiltersResponse>(f)?.metricFilters ?? []).map((m) => ({ m: { ...m, logGroupName: m.logGroupName ?? String(f.params?.logGroupName ?? '') }, f })));
    const alarms = ev.aws('cloudwatch:DescribeAlarms').flatMap((f) => out<DescribeAlarmsOutput>(f)?.MetricAlarms ?? []);
    let eksAlarmed = 0;
    let eksFilters = 0;
    for (const { m, f } of filters) {
      const onEks = eksGroup !== undefined && m.logGroupName === eksGroup;
      if (!onEks && !trailGroups.has(m.logGroupName ?? '')) continue;
      if (onEks) eksFilters++;
      const ref = awsRef('AWS::Logs::MetricFilter', `${m.logGroupName}:${m.filterName}`, { region: f.region, accountId: f.accountId });
      const what = classifyPattern(m.filterPattern);
      const label = `${m.filterName}${what.length ? ` (${what.join(', ')})` : ''}`;
      const as = alarmsFor(m, alarms);
      const acting = as.filter(alarmActs);
      if (acting.length > 0) {
        if (onEks) eksAlarmed++;
        ctx.pass(ref, 'filter-alarmed', `${label} → alarm ${acting.map((a) => a.AlarmName).join(', ')} notifies ${listSome(acting.flatMap((a) => a.AlarmActions ?? []).map((x) => x.split(':').pop() ?? x), 3)}`);
      } else if (as.length > 0) {
        ctx.fail(ref, 'filter-alarmed', `${label}: alarm ${as.map((a) => a.AlarmName).join(', ')} has no enabled actions — nobody is notified`);
      } else {
        ctx.fail(ref, 'filter-alarmed', `${label}: no alarm on metric ${(m.metricTransformations ?? []).map((t) => `${t.metricNamespace}/${t.metricName}`).join(', ')} — a filter without an alarm is not monitoring`);
      }
    }
    const min = ctx.config.thresholds.minSecurityMetricFilters;
    const gref = awsRef('AWS::Logs::LogGroup', eksGroup ?? '/aws/eks/<cluster>/cluster', {});
    if (eksAlarmed >= min) ctx.pass(gref, 'security-filter-count', `${eksAlarmed} alarmed metric filter(s) on the EKS audit log (minimum ${min})`);
    else ctx.fail(gref, 'security-filter-count', `${eksAlarmed} alarmed metric filter(s) on ${eksGroup ?? 'the EKS log group'} (${eksFilters} filter(s) in total); at least ${min} required`);
    if (c) {
      const audit = (c.logging?.clusterLogging ?? []).some((e) => e.enabled === true && (e.types ?? []).includes('audit'));
      if (!audit) ctx.fail(clusterRef(c), 'audit-log-source', 'EKS audit logging is disabled: filters on the audit log see no events (CC4-MON-01)');
      else if (eksFilters > 0) ctx.pass(clusterRef(c), 'audit-log-source', 'audit logging is enabled');
    }
  },
});

// ───────────────────────────── CC4-SEC-04 dashboards ─────────────────────────────

export const CC4_SEC_04 = defineControl({
  id: 'CC4-SEC-04',
  title: 'Security dashboards show the cluster\'s security and health signals',
  section: 'CC4',
  under: 'eventCorrelation',
  tsc: ['CC7.2', 'CC4.2', 'CC2.2'],
  automation: 'partial',
  severity: 'low',
  description:
    'Looks for CloudWatch dashboards whose body references the cluster, ContainerInsights or the namespaces of the security metric ' +
    'filters, and for ACTIVE Amazon Managed Grafana workspaces. Dashboard content in Grafana or Wazuh cannot be read with AWS ' +
    'read-only credentials: a person attests with an export or screenshot, and that the dashboards are reviewed.',
  requires: [{ anyOf: [aws('cloudwatch:ListDashboards'), aws('grafana:ListWorkspaces')], what: 'CloudWatch dashboards or Grafana workspaces', alternatives: true }],
  optional: [aws('cloudwatch:GetDashboard'), aws('logs:DescribeMetricFilters'), aws('eks:DescribeCluster')],
  rules: {
    'security-dashboard': { title: 'A CloudWatch dashboard shows the cluster\'s security or health metrics', severity: 'low' },
    'grafana-workspace': { title: 'The Amazon Managed Grafana workspace is ACTIVE', severity: 'low' },
  },
  attestation: 'the dashboards (CloudWatch, Grafana or Wazuh) show the security signals and are reviewed by the security team; attach an export',
  remediation: {
    summary: 'Build a CloudWatch dashboard from the CC4-SEC-03 security metrics and Container Insights, or an Amazon Managed Grafana dashboard, and review it regularly.',
    commands: ['aws cloudwatch put-dashboard --dashboard-name eks-security-$CLUSTER_NAME --dashboard-body file://dashboard.json'],
  },
  references: [
    { title: 'CloudWatch dashboards', url: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Dashboards.html' },
    { title: 'Amazon Managed Grafana', url: 'https://docs.aws.amazon.com/grafana/latest/userguide/what-is-Amazon-Managed-Service-Grafana.html' },
  ],
  check(ev, ctx) {
    const name = clusterNameOf(ev, ctx.clusterName);
    const namespaces = new Set(['ContainerInsights']);
    if (ev.has('aws:logs:DescribeMetricFilters')) for (const f of ev.aws('logs:DescribeMetricFilters')) for (const m of out<DescribeMetricFiltersResponse>(f)?.metricFilters ?? []) for (const t of m.metricTransformations ?? []) if (t.metricNamespace) namespaces.add(t.metricNamespace);
    let found = 0;
    const bodies = ev.has('aws:cloudwatch:GetDashboard') ? ev.aws('cloudwatch:GetDashboard').map((f) => ({ f, d: out<GetDashboardOutput>(f) })) : [];
    const listed = ev.has('aws:cloudwatch:ListDashboards') ? ev.aws('cloudwatch:ListDashboards').flatMap((f) => (out<ListDashboardsOutput>(f)?.DashboardEntries ?? []).map((e) => ({ e, f }))) : [];
    const unrelated: string[] = [];
    for (const { f, d } of bodies) {
      const body = d?.DashboardBody ?? '';
      const hits = [...(name && body.includes(name) ? [`cluster ${name}`] : []), ...[...namespaces].filter((n) => body.includes(`"${n}"`))];
      const ref = awsRef('AWS::CloudWatch::Dashboard', d?.DashboardName ?? String(f.params?.DashboardName ?? '?'), { arn: d?.DashboardArn, region: f.region, accountId: f.accountId });
      if (hits.length > 0) { found++; ctx.pass(ref, 'security-dashboard', `references ${hits.join(', ')}`); }
      else unrelated.push(d?.DashboardName ?? '?');
    }
    if (bodies.length === 0 && name) {
      for (const { e, f } of listed.filter(({ e }) => (e.DashboardName ?? '').includes(name))) {
        found++;
        ctx.pass(awsRef('AWS::CloudWatch::Dashboard', e.DashboardName ?? '?', { arn: e.DashboardArn, region: f.region }), 'security-dashboard', 'named after the cluster (body not read: cloudwatch:GetDashboard)');
      }
    }
    if (unrelated.length > 0) ctx.note(`${unrelated.length} other dashboard(s) do not reference the cluster: ${listSome(unrelated)}`);
    if (ev.has('aws:grafana:ListWorkspaces')) {
      for (const f of ev.aws('grafana:ListWorkspaces')) for (const w of out<ListWorkspacesResponse>(f)?.workspaces ?? []) {
        const ref = awsRef('AWS::Grafana::Workspace', w.name ?? w.id ?? '?', { region: f.region, accountId: f.accountId });
        if (w.status === 'ACTIVE') { found++; ctx.pass(ref, 'grafana-workspace', `Grafana ${w.grafanaVersion ?? ''} workspace ACTIVE at ${w.endpoint ?? '?'}`.replace('  ', ' ')); }
        else ctx.fail(ref, 'grafana-workspace', `workspace is ${w.status}`);
      }
    }
    if (found === 0) ctx.manual('no CloudWatch dashboard references the cluster and no Grafana workspace is active: attach a dashboard export (Grafana, Wazuh) with the attestation');
  },
});

export const controls: ControlDefinition[] = [CC4_MON_01, CC4_MON_02, CC4_MON_03, CC4_MON_04, CC4_MON_05, CC4_SEC_01, CC4_SEC_02, CC4_SEC_03, CC4_SEC_04];


