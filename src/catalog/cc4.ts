/**
 * CC4 — Monitoring Activities: "Comprehensive Monitoring Implementation" and "Security Event Correlation".
 */
import type { AwsFact, ControlDefinition, Evidence, EvidenceRequirement } from '../model/index.js';
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
  EKS_EVENT_SOURCE, EKS_LOG_TYPES, agentCoverage, alarmActs, alarmsFor, classifyPattern, judgeFlowLog, managementEvents, parseConfig, podsCollected, trails,
} from './lib/monitoring.js';
import { readFailed, unread } from './lib/read.js';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/** The cluster name from DescribeCluster or the snapshot identity. */
function clusterNameOf(ev: Evidence, name: string | undefined): string | undefined {
  return (ev.has('aws:eks:DescribeCluster') ? describeCluster(ev, name)?.name : undefined) ?? name;
}

/** Nodes an AWS agent DaemonSet (CloudWatch agent, GuardDuty agent) does not run on: Fargate, and hybrid nodes. */
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
    'Required: the cluster\'s logging configuration enables api, audit, authenticator, controllerManager and scheduler (the API ' +
    'returns separate enabled and disabled entries; they are merged), and the log group /aws/eks/<cluster>/cluster exists with a ' +
    'retention of at least the configured number of days (no expiry also passes). Recommended (a warning): the log group is ' +
    'encrypted with a customer KMS key. Each rule is judged on what it reads: disabled log types fail the control even when the log ' +
    'groups could not be read (the log group rules are then not evaluated). GuardDuty reading audit logs on its own is not evidence ' +
    'for this control.',
  requires: [need.aws('eks:DescribeCluster', 'the EKS cluster description'), need.aws('logs:DescribeLogGroups', 'CloudWatch log groups')],
  rules: {
    'log-types-enabled': {
      title: 'api, audit, authenticator, controllerManager and scheduler logs are enabled', severity: 'high', level: 'required',
      basis: 'the checklist item: "Enable all EKS control plane logs in CloudWatch"', evidence: [aws('eks:DescribeCluster')],
    },
    'log-group-retention': {
      title: 'The cluster log group exists and keeps logs long enough', severity: 'medium', level: 'required',
      basis: 'SOC 2 Type II evidence must outlive the audit period (CC7.2, CC7.3); the retention policy is the configured minimum',
      evidence: [aws('logs:DescribeLogGroups')],
    },
    'log-group-encrypted': {
      title: 'The cluster log group is encrypted with a customer KMS key', severity: 'low', level: 'recommended',
      basis: 'hardening beyond the item: CloudWatch Logs encrypts every log group at rest by default', evidence: [aws('logs:DescribeLogGroups')],
    },
  },
  remediation: {
    summary: 'Enable every control plane log type and set the log group retention to the policy (365 days by default); associate a customer KMS key with the log group.',
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
    const c = ev.has('aws:eks:DescribeCluster') ? describeCluster(ev, ctx.clusterName) : undefined;
    const enabled = new Set<string>();
    if (c) {
      const ref = clusterRef(c, ctx.clusterName);
      for (const e of c.logging?.clusterLogging ?? []) if (e.enabled === true) for (const t of e.types ?? []) enabled.add(t);
      const missing = EKS_LOG_TYPES.filter((t) => !enabled.has(t));
      if (missing.length === 0) ctx.pass(ref, 'log-types-enabled', 'all five control plane log types are enabled');
      else ctx.fail(ref, 'log-types-enabled', `control plane logs not enabled: ${missing.join(', ')}${missing.includes('audit') ? ' (no Kubernetes audit trail)' : ''}`, missing.includes('audit') ? undefined : { severity: 'medium' });
    } else {
      ctx.unevaluated('log-types-enabled', ev.has('aws:eks:DescribeCluster') ? 'eks:DescribeCluster was read but holds no cluster description' : 'the cluster description was not read');
    }

    // The log group: judged only on DescribeLogGroups (never "does not exist" when it was not read).
    const clusterName = c?.name ?? ctx.clusterName;
    if (!ev.has('aws:logs:DescribeLogGroups') || !clusterName) {
      const why = clusterName ? 'CloudWatch log groups were not read' : 'the cluster name is unknown, so its log group cannot be looked up';
      ctx.unevaluated('log-group-retention', why);
      ctx.unevaluated('log-group-encrypted', why);
      return;
    }
    const name = `/aws/eks/${clusterName}/cluster`;
    const groups: { g: LogGroup; f: AwsFact }[] = ev.aws('logs:DescribeLogGroups').flatMap((f) => (out<DescribeLogGroupsResponse>(f)?.logGroups ?? []).map((g) => ({ g, f })));
    const hit = groups.find(({ g }) => g.logGroupName === name);
    if (!hit && !ev.complete('aws:logs:DescribeLogGroups')) {
      ctx.unevaluated('log-group-retention', `log group ${name} is not in the input, which holds only those it declares (not the account's); read them from the account`);
      ctx.unevaluated('log-group-encrypted', `log group ${name} is not in the input, which holds only those it declares (not the account's); read them from the account`);
      return;
    }
    if (!hit) {
      const why = !c ? '' : enabled.size > 0 ? ' although logging is enabled: logs are not delivered' : ' (no log type is enabled)';
      ctx.fail(awsRef('AWS::Logs::LogGroup', name, {}), 'log-group-retention', `log group ${name} does not exist${why}`);
      return;
    }
    const gref = awsRef('AWS::Logs::LogGroup', name, { arn: hit.g.logGroupArn ?? hit.g.arn, region: hit.f.region, accountId: hit.f.accountId });
    const min = ctx.config.thresholds.logRetentionDays;
    const days = hit.g.retentionInDays;
    if (days === undefined || days === null) ctx.pass(gref, 'log-group-retention', 'logs never expire');
    else if (days >= min) ctx.pass(gref, 'log-group-retention', `retention ${days} days (policy ${min})`);
    else ctx.fail(gref, 'log-group-retention', `retention ${days} days is shorter than the policy of ${min} days: audit evidence is deleted before the audit period ends`);
    if (hit.g.kmsKeyId) ctx.pass(gref, 'log-group-encrypted', `encrypted with ${hit.g.kmsKeyId}`);
    else ctx.fail(gref, 'log-group-encrypted', 'no customer KMS key (CloudWatch Logs default encryption only)');
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
    'Required: at least one trail (an organization trail counts) is multi-region, logging, records all read and write management ' +
    'events — Amazon EKS management events (eks.amazonaws.com) included: an advanced event selector that leaves them out fails the ' +
    'trail — delivers without errors and validates log files. Recommended (warnings): the trail encrypts log files with a KMS key ' +
    'rather than S3 default encryption, and delivers to CloudWatch Logs (needed for CC4-SEC-03 alarms). Kubernetes API calls are ' +
    'not in CloudTrail — they are in the EKS audit log (CC4-MON-01). A trail whose status or event selectors could not be read is ' +
    'not judged on them; when that trail is an organization trail seen from a member account, a person attests instead.',
  requires: [
    need.aws('cloudtrail:DescribeTrails', 'CloudTrail trails'),
    need.aws('cloudtrail:GetTrailStatus', 'CloudTrail trail status'),
    need.aws('cloudtrail:GetEventSelectors', 'CloudTrail event selectors'),
  ],
  rules: {
    'multi-region-trail': {
      title: 'A multi-region trail logs all management events (EKS included), delivers, and validates log files', severity: 'high', level: 'required',
      basis: 'the checklist item "Deploy AWS CloudTrail for comprehensive API monitoring"; log file validation is the integrity SOC 2 evidence needs',
      // Status and selectors are read per trail; a trail whose status or selectors are missing is not judged on them.
      evidence: [aws('cloudtrail:DescribeTrails')],
    },
    'trail-encryption': {
      title: 'The trail encrypts log files with a KMS key', severity: 'low', level: 'recommended',
      basis: 'hardening beyond the item: CloudTrail log files are encrypted at rest with S3 server-side encryption by default', evidence: [aws('cloudtrail:DescribeTrails')],
    },
    'trail-cloudwatch-logs': {
      title: 'The trail delivers to CloudWatch Logs (for metric filters and alarms)', severity: 'low', level: 'recommended',
      basis: 'beyond the item: the trail records API calls without it; CC4-SEC-03 alarms need it', evidence: [aws('cloudtrail:DescribeTrails')],
    },
  },
  remediation: {
    summary: 'Create (or fix) one multi-region trail — ideally an organization trail — with log file validation and all management events (EKS included), keep it logging, and add KMS encryption and CloudWatch Logs delivery.',
    commands: [
      'aws cloudtrail create-trail --name org-trail --s3-bucket-name $BUCKET --is-multi-region-trail --enable-log-file-validation --kms-key-id $KMS_KEY_ARN --cloud-watch-logs-log-group-arn $LOG_GROUP_ARN --cloud-watch-logs-role-arn $ROLE_ARN',
      'aws cloudtrail start-logging --name org-trail',
      'aws cloudtrail put-event-selectors --trail-name org-trail --event-selectors \'[{"ReadWriteType":"All","IncludeManagementEvents":true}]\'',
    ],
  },
  references: [
    { title: 'AWS CloudTrail API: GetTrailStatus', url: 'https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html' },
    { title: 'AWS CloudTrail API: AdvancedFieldSelector', url: 'https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html' },
    { title: 'AWS CloudTrail: creating a trail for an organization', url: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html' },
  ],
  check(ev, ctx) {
    const all = trails(ev);
    if (all.length === 0 && !ev.complete('aws:cloudtrail:DescribeTrails')) {
      ctx.unevaluated('multi-region-trail', 'no CloudTrail trail in the input, which holds only those it declares (not the account\'s); read them from the account');
      return;
    }
    if (all.length === 0) {
      ctx.fail(awsRef('AWS::CloudTrail::Trail', '(no trail)', {}), 'multi-region-trail', 'no CloudTrail trail in the account (and no organization trail visible)');
      return;
    }
    const statusOp = ev.has('aws:cloudtrail:GetTrailStatus') ? 'GetTrailStatus returned nothing for it' : `not read: ${unread(ev, 'aws:cloudtrail:GetTrailStatus')}`;
    const selectorsOp = ev.has('aws:cloudtrail:GetEventSelectors') ? 'GetEventSelectors returned nothing for it' : `not read: ${unread(ev, 'aws:cloudtrail:GetEventSelectors')}`;
    const judged = all.map((v) => {
      const t = v.trail;
      const ref = awsRef('AWS::CloudTrail::Trail', t.Name ?? '?', { arn: t.TrailARN, region: t.HomeRegion ?? v.fact.region, accountId: /^arn:aws[\w-]*:cloudtrail:[\w-]+:(\d{12}):/.exec(t.TrailARN ?? '')?.[1] });
      /** Proven from what was read. */
      const problems: string[] = [];
      /** Aspects that could not be read for this trail: never stated as problems. */
      const unknown: string[] = [];
      if (!t.IsMultiRegionTrail) problems.push('single-region');
      if (t.LogFileValidationEnabled !== true) problems.push('log file validation off');
      if (!v.status) unknown.push(`trail status ${statusOp}`);
      else {
        if (v.status.IsLogging !== true) problems.push('not logging');
        if (v.status.LatestDeliveryError) problems.push(`delivery error ${v.status.LatestDeliveryError}`);
      }
      if (!v.selectors) unknown.push(`event selectors ${selectorsOp}`);
      else {
        const m = managementEvents(v.selectors);
        if (!m.all) problems.push(`${m.partial ? `management events ${m.partial} only` : m.selected ? 'management events of selected services only' : 'no management events'}${m.selected && !m.eks ? ` (Amazon EKS management events, ${EKS_EVENT_SOURCE}, not recorded)` : ''}`);
        if (m.eksExcluded) problems.push(`Amazon EKS management events (${EKS_EVENT_SOURCE}) are excluded by the event selectors: cluster configuration and access changes go unrecorded`);
        const others = m.excluded.filter((x) => x !== EKS_EVENT_SOURCE);
        if (others.length > 0) ctx.note(`trail ${t.Name} excludes management events from ${others.join(', ')}`);
      }
      return { v, ref, problems, unknown };
    });
    // The recommended rules judge each trail that can count (no proven problem) on DescribeTrails alone.
    for (const j of judged.filter((x) => x.problems.length === 0)) {
      const t = j.v.trail;
      if (t.KmsKeyId) ctx.pass(j.ref, 'trail-encryption', `log files encrypted with ${t.KmsKeyId}`);
      else ctx.fail(j.ref, 'trail-encryption', 'log files use S3 default encryption (SSE-S3), not a KMS key');
      if (t.CloudWatchLogsLogGroupArn) ctx.pass(j.ref, 'trail-cloudwatch-logs', `delivers to ${t.CloudWatchLogsLogGroupArn}`);
      else ctx.fail(j.ref, 'trail-cloudwatch-logs', 'not delivered to CloudWatch Logs: API-call alarms (CC4-SEC-03) cannot be built on it');
    }
    const good = judged.filter((j) => j.problems.length === 0 && j.unknown.length === 0);
    for (const j of good) {
      ctx.pass(j.ref, 'multi-region-trail', `${j.v.trail.IsOrganizationTrail ? 'organization ' : ''}multi-region trail logging all management events with log file validation`);
    }
    const describe = (j: (typeof judged)[number]) => [...j.problems, ...j.unknown].join(', ');
    if (good.length > 0) {
      for (const j of judged.filter((x) => !good.includes(x))) ctx.note(`trail ${j.v.trail.Name} also exists: ${describe(j)}`);
      return;
    }
    // No trail is proven good. A trail with no proven problem but unread parts might be the good one.
    const undecided = judged.filter((j) => j.problems.length === 0);
    if (undecided.length > 0) {
      for (const j of judged.filter((x) => x.problems.length > 0)) ctx.note(`trail ${j.v.trail.Name}: ${j.problems.join(', ')}`);
      const org = undecided.filter((j) => j.v.trail.IsOrganizationTrail === true);
      if (org.length > 0) {
        ctx.manual(`organization trail ${org.map((j) => j.v.trail.TrailARN ?? j.v.trail.Name).join(', ')} is visible but its status or event selectors cannot be read from this account (call GetTrailStatus with the full trail ARN); attest its configuration from the management account`);
        return;
      }
      for (const j of undecided) ctx.unevaluated('multi-region-trail', `trail ${j.v.trail.Name}: ${j.unknown.join('; ')}`, j.ref);
      return;
    }
    // Every trail has a proven problem; "no good trail" needs the account's trails, not those a Terraform configuration declares.
    if (!ev.complete('aws:cloudtrail:DescribeTrails')) {
      for (const j of judged) ctx.unevaluated('multi-region-trail', `${describe(j)}; the input holds only the trails it declares (not the account's), so another trail may log everything`, j.ref);
      return;
    }
    for (const j of judged) ctx.fail(j.ref, 'multi-region-trail', describe(j));
  },
});

// ───────────────────────────── CC4-MON-03 VPC flow logs ─────────────────────────────

export const CC4_MON_03 = defineControl({
  id: 'CC4-MON-03',
  title: 'VPC flow logs record the traffic of the cluster VPC',
  section: 'CC4',
  under: 'monitoring',
  tsc: ['CC7.2', 'CC6.6'],
  automation: 'automated',
  severity: 'medium',
  description:
    'Required: the cluster VPC (from DescribeCluster) has an ACTIVE flow log whose delivery succeeds — or every subnet hosting the ' +
    'control-plane interfaces and node groups has one. Recommended (a warning): the flow log captures ALL traffic, not ACCEPT or ' +
    'REJECT only. In a VPC shared from another account (RAM) the flow logs belong to the owner account and are not visible here: ' +
    'the control then asks for an attestation from that account, whatever flow logs this account shows. Transit Gateway flow ' +
    'logs and EKS Auto Mode network-policy event logs do not replace VPC flow logs.',
  requires: [need.aws('eks:DescribeCluster', 'the EKS cluster description'), need.aws('ec2:DescribeFlowLogs', 'VPC flow logs')],
  optional: [aws('eks:DescribeNodegroup'), aws('ec2:DescribeVpcs')],
  rules: {
    'flow-logs-enabled': {
      title: 'An ACTIVE flow log with successful delivery covers the cluster VPC (or every cluster subnet)', severity: 'medium', level: 'required',
      basis: 'the checklist item "Configure VPC Flow Logs for network traffic analysis"',
      evidence: [aws('eks:DescribeCluster'), aws('ec2:DescribeFlowLogs')],
    },
    'flow-logs-all-traffic': {
      title: 'The flow log captures ALL traffic (not ACCEPT or REJECT only)', severity: 'low', level: 'recommended',
      basis: 'hardening beyond the item: an ACCEPT- or REJECT-only log still records network traffic for analysis',
      evidence: [aws('eks:DescribeCluster'), aws('ec2:DescribeFlowLogs')],
    },
  },
  remediation: {
    summary: 'Create a VPC-level flow log for ALL traffic to CloudWatch Logs or S3 (in a shared VPC, from the owner account).',
    commands: ['aws ec2 create-flow-logs --resource-type VPC --resource-ids $VPC_ID --traffic-type ALL --log-destination-type cloud-watch-logs --log-group-name /vpc/flow-logs --deliver-logs-permission-arn $ROLE_ARN'],
  },
  references: [
    { title: 'Amazon VPC: flow logs', url: 'https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html' },
    { title: 'Amazon VPC: share your VPC with other accounts', url: 'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-sharing.html' },
  ],
  check(ev, ctx) {
    const c = describeCluster(ev, ctx.clusterName);
    const vpcId = c?.resourcesVpcConfig?.vpcId;
    if (!c || !vpcId) {
      for (const rule of ['flow-logs-enabled', 'flow-logs-all-traffic']) ctx.unevaluated(rule, 'the cluster description has no VPC id (resourcesVpcConfig.vpcId)');
      return;
    }
    const { region, accountId } = clusterRegion(ev, ctx.clusterName);
    const logs: FlowLog[] = ev.aws('ec2:DescribeFlowLogs', (f) => inRegion(f, region)).flatMap((f) => out<DescribeFlowLogsResult>(f)?.FlowLogs ?? []);
    const vpcRef = awsRef('AWS::EC2::VPC', vpcId, { region, accountId });

    // A shared VPC: its flow logs live in the owner account, whatever this account shows.
    const vpc = ev.has('aws:ec2:DescribeVpcs') ? ev.aws('ec2:DescribeVpcs').flatMap((f) => out<DescribeVpcsResult>(f)?.Vpcs ?? []).find((v) => v.VpcId === vpcId) : undefined;
    if (vpc?.OwnerId && accountId && vpc.OwnerId !== accountId) {
      if (logs.length > 0) ctx.note(`flow logs visible from this account (not the owner's): ${listSome(logs.map((l) => `${l.FlowLogId} on ${l.ResourceId}`))}`);
      ctx.manual(`VPC ${vpcId} is shared from account ${vpc.OwnerId}: its flow logs live in the owner account and are not visible here; attest them from that account`);
      return;
    }

    const judgeOn = (resource: string) => logs.filter((l) => l.ResourceId === resource).map((l) => ({ l, v: judgeFlowLog(l) }));
    const best = (list: ReturnType<typeof judgeOn>) => list.find((x) => x.v.ok) ?? list.find((x) => x.v.delivering);
    const traffic = (ref: Parameters<typeof ctx.pass>[0], x: { v: ReturnType<typeof judgeFlowLog> }) => {
      if (x.v.ok) ctx.pass(ref, 'flow-logs-all-traffic', x.v.why);
      else ctx.fail(ref, 'flow-logs-all-traffic', x.v.why);
    };
    const vpcLogs = judgeOn(vpcId);
    const onVpc = best(vpcLogs);
    if (onVpc) {
      ctx.pass(vpcRef, 'flow-logs-enabled', `VPC flow log ${onVpc.l.FlowLogId} is ACTIVE and delivering (${onVpc.l.TrafficType ?? '?'} traffic)`);
      traffic(vpcRef, onVpc);
      return;
    }

    const nodegroupsUnread = readFailed(ev, 'aws:eks:DescribeNodegroup');
    const subnets = [...new Set([...(c.resourcesVpcConfig?.subnetIds ?? []), ...(ev.has('aws:eks:DescribeNodegroup') ? nodegroups(ev).flatMap((n) => n.subnets ?? []) : [])])];
    const subnetVerdicts = subnets.map((s) => ({ s, x: best(judgeOn(s)) }));
    const uncovered = subnetVerdicts.filter((x) => !x.x).map((x) => x.s);
    if (subnets.length > 0 && uncovered.length === 0) {
      if (nodegroupsUnread) {
        ctx.unevaluated('flow-logs-enabled', `every cluster subnet has a delivering flow log, but the node groups' subnets were not read (${unread(ev, 'aws:eks:DescribeNodegroup')})`, vpcRef);
        return;
      }
      for (const { s, x } of subnetVerdicts) {
        const ref = awsRef('AWS::EC2::Subnet', s, { region, accountId });
        ctx.pass(ref, 'flow-logs-enabled', `subnet flow log ${x!.l.FlowLogId} is ACTIVE and delivering (${x!.l.TrafficType ?? '?'} traffic)`);
        traffic(ref, x!);
      }
      return;
    }
    // Nothing visible covers the VPC: a proven gap only when the VPC is known to be this account's.
    if (!vpc && readFailed(ev, 'aws:ec2:DescribeVpcs')) {
      ctx.unevaluated('flow-logs-enabled', `no flow log of this account covers VPC ${vpcId}, and the VPC's owner was not read (${unread(ev, 'aws:ec2:DescribeVpcs')}): in a shared VPC the flow logs live in the owner account`, vpcRef);
      return;
    }
    const broken = vpcLogs[0];
    if (!ev.complete('aws:ec2:DescribeFlowLogs')) {
      ctx.unevaluated('flow-logs-enabled', `no delivering flow log on VPC ${vpcId} or all its cluster subnets in the input, which holds only those it declares (not the account's); read them from the account`, vpcRef);
      return;
    }
    if (broken) ctx.fail(vpcRef, 'flow-logs-enabled', `${broken.v.why}${uncovered.length ? `; subnets without a delivering flow log: ${uncovered.join(', ')}` : ''}`);
    else ctx.fail(vpcRef, 'flow-logs-enabled', `no flow log on VPC ${vpcId}${uncovered.length && uncovered.length < subnets.length ? ` and subnets ${uncovered.join(', ')} have none` : ' nor on its cluster subnets'}`);
  },
});

// ───────────────────────────── CC4-MON-04 Container Insights ─────────────────────────────

const CW_ADDON = 'amazon-cloudwatch-observability';

/** The CloudWatch agent: its EKS add-on (described or listed) or its DaemonSets; any of them proves it. */
const CW_AGENT: EvidenceRequirement = {
  anyOf: [aws('eks:DescribeAddon'), aws('eks:ListAddons'), k8s('apps/DaemonSet')], what: 'the CloudWatch observability add-on (EKS add-on or its DaemonSets)', alternatives: true,
};

export const CC4_MON_04 = defineControl({
  id: 'CC4-MON-04',
  title: 'CloudWatch Container Insights collects cluster metrics and logs',
  section: 'CC4',
  under: 'monitoring',
  tsc: ['CC7.2', 'A1.1'],
  automation: 'automated',
  severity: 'medium',
  description:
    'Required: the amazon-cloudwatch-observability add-on is ACTIVE without health issues (or, for Helm installs, the ' +
    'cloudwatch-agent and fluent-bit DaemonSets are ready on every eligible Linux node, plus the Windows pair when Windows nodes ' +
    'exist), and CloudWatch holds ContainerInsights metrics for the cluster (ListMetrics returns metrics with data in the last two ' +
    'weeks). Recommended (a warning): container log collection is not switched off in the add-on configuration. Fargate nodes cannot ' +
    'run the agent DaemonSets (Container Insights on Fargate needs ADOT) and are noted; on a cluster with no node that can run them, ' +
    'the metrics decide.',
  requires: [CW_AGENT, need.aws('cloudwatch:ListMetrics', 'CloudWatch metrics in the ContainerInsights namespace')],
  optional: [k8s('core/Node'), k8s('core/Pod'), aws('eks:DescribeCluster')],
  rules: {
    'observability-agent': {
      title: 'The CloudWatch agent and Fluent Bit run healthy on every eligible node', severity: 'medium', level: 'required',
      basis: 'the checklist item "Implement Container Insights for cluster monitoring"', evidence: [CW_AGENT],
    },
    'container-logs': {
      title: 'Container log collection is enabled', severity: 'low', level: 'recommended',
      basis: 'beyond the item: Container Insights is metrics; application logs shipped by Fluent Bit are additional', evidence: [aws('eks:DescribeAddon')],
    },
    'container-insights-metrics': {
      title: 'ContainerInsights metrics exist for the cluster', severity: 'medium', level: 'required',
      basis: 'Container Insights that publishes nothing monitors nothing (CC7.2)', evidence: [aws('cloudwatch:ListMetrics')],
    },
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
    const addonRead = ev.has('aws:eks:DescribeAddon') || ev.has('aws:eks:ListAddons');
    const addon = ev.has('aws:eks:DescribeAddon') ? describeAddon(ev, CW_ADDON) : undefined;
    const listed = ev.has('aws:eks:ListAddons') && addonNames(ev).includes(CW_ADDON);
    const haveDs = ev.has('k8s:apps/DaemonSet');
    // "Not found" needs every DaemonSet and every add-on; "no node can run it" needs every Node.
    const dsWhole = ev.complete('k8s:apps/DaemonSet');
    const addonsWhole = ev.complete('aws:eks:ListAddons') || ev.complete('aws:eks:DescribeAddon');
    const canSeeNodes = ev.has('k8s:core/Node');
    const nodesWhole = ev.complete('k8s:core/Node');
    const ds = (n: string) => (haveDs ? find(ev, 'apps/DaemonSet', { names: [n] })[0] : undefined);
    const pods = podsCollected(ev);
    const scope = clusterScope(ctx);
    const linuxNodes = canSeeNodes ? agentEligibleNodes(ev, { os: 'linux' }).length : undefined;
    const windows = canSeeNodes && agentEligibleNodes(ev, { os: 'windows' }).length > 0;
    const noEligibleNode = canSeeNodes && linuxNodes === 0 && !windows;
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
    if (haveDs && canSeeNodes && !noEligibleNode) {
      const required = ['cloudwatch-agent', 'fluent-bit', ...(windows ? ['cloudwatch-agent-windows', 'fluent-bit-windows'] : [])];
      const found = required.map((n) => ({ n, d: ds(n) }));
      if (found.some((x) => x.d) || !addon) {
        for (const { n, d } of found) {
          if (!d) {
            if (!(addon || listed || n.includes('windows'))) continue;
            if (dsWhole) ctx.fail(scope, 'observability-agent', `DaemonSet ${n} not found${n.includes('windows') ? ' although Windows nodes exist' : ''}`);
            else ctx.unevaluated('observability-agent', `DaemonSet ${n} is not in the input, which may not hold every DaemonSet of the cluster; scan the live cluster or pass --complete-inventory`);
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
      if (noEligibleNode && !nodesWhole) {
        ctx.unevaluated('observability-agent', 'no node in the input can run the agent DaemonSets, but the input may not hold every Node of the cluster; scan the live cluster or pass --complete-inventory');
      } else if (noEligibleNode) {
        ctx.report({ rule: 'observability-agent', status: 'not-applicable', resource: scope, message: 'no node can run the agent DaemonSets (Fargate only): Container Insights on Fargate needs the ADOT collector; the ContainerInsights metrics decide' });
      } else {
        const seen = [addonRead ? `the ${CW_ADDON} add-on is not installed` : `the ${CW_ADDON} add-on was not read`, haveDs ? 'no cloudwatch-agent/fluent-bit DaemonSet runs' : 'DaemonSets were not read'];
        const notWhole = [addonRead && !addonsWhole ? 'the add-ons (the input holds only those it declares)' : '', haveDs && !dsWhole ? 'the DaemonSets (the input may not hold every one of the cluster)' : ''].filter(Boolean);
        if (notWhole.length) ctx.unevaluated('observability-agent', `no CloudWatch agent in the input, but ${notWhole.join(' and ')} were not read as a whole inventory; scan the live cluster or pass --complete-inventory`);
        else ctx.fail(scope, 'observability-agent', `no CloudWatch agent found: ${seen.join(', ')}`);
      }
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
    'Required: a Falco DaemonSet (label app.kubernetes.io/name=falco, any namespace) is ready on every node that can run it — Linux ' +
    'EC2, Auto Mode and hybrid nodes; Fargate nodes cannot run DaemonSets — and its alerts leave the node: falcosidekick, an ' +
    'HTTP/program/gRPC output in the falco ConfigMap, or stdout collected by a log shipper. Recommended (a warning): alerts do not ' +
    'rely on the gRPC output alone, deprecated since Falco 0.43. A cluster whose nodes are all on Fargate has no node Falco can ' +
    'run on: the control is not applicable, with the reason. Optionally (threshold acceptGuardDutyRuntimeAsFalco), GuardDuty ' +
    'Runtime Monitoring with full healthy coverage is accepted instead.',
  requires: [need.kind('apps/DaemonSet', 'DaemonSets'), need.kind('core/Node', 'nodes')],
  optional: [k8s('apps/Deployment'), k8s('core/ConfigMap'), k8s('core/Pod'), aws('guardduty:GetDetector'), aws('guardduty:ListCoverage')],
  rules: {
    'falco-coverage': {
      title: 'Falco runs ready on every node that can run it', severity: 'high', level: 'required',
      basis: 'the checklist item "Deploy Falco for runtime security monitoring"', evidence: [k8s('apps/DaemonSet'), k8s('core/Node')],
    },
    'alert-output': {
      title: 'Falco alerts are forwarded (falcosidekick, an HTTP, program or gRPC output, or a log collector)', severity: 'medium', level: 'required',
      basis: 'runtime events nobody receives are not monitoring (CC7.2, CC7.3)', evidence: [k8s('apps/DaemonSet')],
    },
    'alert-output-supported': {
      title: 'Falco alerts do not depend on the deprecated gRPC output alone', severity: 'low', level: 'recommended',
      basis: 'hardening beyond the item: the gRPC output still forwards alerts but may be removed from Falco 0.44', evidence: [k8s('apps/DaemonSet')],
    },
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
    // Falco runs wherever a DaemonSet can: not on Fargate, but on hybrid nodes (they are the customer's machines).
    const nodes = ev.objects('core/Node');
    const fargate = nodes.filter((n) => computeType(n) === 'fargate').length;
    const eligible = agentEligibleNodes(ev, { includeHybrid: true });
    if (eligible.length === 0 && !ev.complete('k8s:core/Node')) {
      ctx.unevaluated('falco-coverage', 'no node in the input can run the Falco DaemonSet, but the input may not hold every Node of the cluster; scan the live cluster or pass --complete-inventory');
      return;
    }
    if (eligible.length === 0) {
      const windowsOnly = nodes.length - fargate;
      ctx.notApplicable(nodes.length === 0
        ? 'the cluster has no nodes: there is no node for Falco to monitor'
        : `no node can run the Falco DaemonSet: ${fargate > 0 ? `${fargate} Fargate node(s) (Fargate runs no DaemonSets)` : ''}${fargate > 0 && windowsOnly > 0 ? ' and ' : ''}${windowsOnly > 0 ? `${windowsOnly} Windows node(s) (Falco runs on Linux only)` : ''}`);
      return;
    }
    const byLabel = find(ev, 'apps/DaemonSet', { labels: { 'app.kubernetes.io/name': 'falco' } });
    const falco = byLabel.length > 0 ? byLabel : find(ev, 'apps/DaemonSet', { names: ['falco'] });
    const pods = ev.has('k8s:core/Pod');
    if (fargate > 0) ctx.note(`${fargate} Fargate node(s) cannot run Falco (DaemonSets do not run on Fargate): not applicable to those nodes`);
    if (falco.length === 0) {
      const gd = ctx.config.thresholds.acceptGuardDutyRuntimeAsFalco ? guardDutyRuntimeFull(ev, ctx.clusterName) : undefined;
      if (gd) { ctx.pass(scope, 'falco-coverage', `Falco is not installed; accepted equivalent: ${gd}`); return; }
      if (!ev.complete('k8s:apps/DaemonSet')) {
        ctx.unevaluated('falco-coverage', 'no Falco DaemonSet in the input, which may not hold every DaemonSet of the cluster; scan the live cluster or pass --complete-inventory');
        return;
      }
      ctx.fail(scope, 'falco-coverage', `no Falco DaemonSet (label app.kubernetes.io/name=falco)${ctx.config.thresholds.acceptGuardDutyRuntimeAsFalco ? ' and GuardDuty Runtime Monitoring does not fully cover the cluster' : ''}`);
      return;
    }
    for (const d of falco) {
      // A Falco DaemonSet is the control's own evidence wherever it lives (the checklist installs into default).
      const cov = agentCoverage(ev, d, { pods, includeHybrid: true });
      if (cov.ok) ctx.pass(scope, 'falco-coverage', cov.message);
      else ctx.fail(scope, 'falco-coverage', `${cov.message}: runtime events on those nodes go unseen${cov.desired < cov.eligible ? ' (check tolerations and nodeSelector)' : ''}`);
    }

    // Where do alerts go?
    const ns = falco[0]!.metadata.namespace ?? '';
    const deploymentsRead = ev.has('k8s:apps/Deployment');
    const sidekick = deploymentsRead ? find(ev, 'apps/Deployment', { labels: { 'app.kubernetes.io/name': 'falcosidekick' } }).concat(find(ev, 'apps/Deployment', { names: ['falco-falcosidekick', 'falcosidekick'] })) : [];
    const sk = sidekick.find(isAvailable) ?? sidekick[0];
    if (sk && isAvailable(sk)) { ctx.pass(scope, 'alert-output', `alerts forwarded by falcosidekick (${sk.metadata.namespace}/${sk.metadata.name})`); return; }
    // The falco ConfigMap (falco.yaml) says where alerts go. Without it Falco runs on its defaults (stdout).
    const cmRead = ev.has('k8s:core/ConfigMap');
    const cm = cmRead ? ev.inNamespace('core/ConfigMap', ns).find((c) => ['falco', falco[0]!.metadata.name ?? ''].includes(c.metadata.name ?? '')) : undefined;
    const text = cm ? asObj(cm.data)?.['falco.yaml'] : undefined;
    const outputs = typeof text === 'string' ? falcoOutputs(text) : undefined;
    if (outputs && (outputs.http || outputs.program || outputs.grpc)) {
      const via = outputs.http ? 'http_output' : outputs.program ? 'program_output' : 'grpc_output';
      ctx.pass(scope, 'alert-output', `Falco ${via} is enabled${via === 'grpc_output' ? ' (a gRPC client must consume it)' : ''}`);
      if (outputs.http || outputs.program) ctx.pass(scope, 'alert-output-supported', `alerts leave through ${via}`);
      else ctx.fail(scope, 'alert-output-supported', 'only the gRPC output forwards alerts; it is deprecated since Falco 0.43 and may be removed in 0.44 — use http_output or falcosidekick');
      if (sk) ctx.note(`falcosidekick ${sk.metadata.namespace}/${sk.metadata.name} is not available`);
      return;
    }
    if (sk) { ctx.fail(scope, 'alert-output', `falcosidekick ${sk.metadata.namespace}/${sk.metadata.name} is not available${outputs ? ' and no other output forwards alerts' : ''}: the alerts Falco sends it are dropped`); return; }
    if (!cmRead || !cm || typeof text !== 'string') {
      // Never a guess: a ConfigMap that is not in the evidence was not necessarily absent (a live
      // scan reads it only where RBAC allows, files may not include it).
      const why = !cmRead ? `ConfigMaps were not readable: grant get on configmaps/falco in ${ns}`
        : cm ? 'its data was withheld at collection (falco.yaml missing or not YAML)'
          : `it was not read: grant get on configmaps/falco in ${ns} (docs/kubernetes.md), or include it in the input files`;
      ctx.manual(`${deploymentsRead ? (ev.complete('k8s:apps/Deployment') ? 'no falcosidekick' : 'no falcosidekick in the input') : 'falcosidekick not read (Deployments were not readable)'}, and the content of the falco ConfigMap is not in the evidence (${why}): attest where Falco alerts are sent`);
      return;
    }
    if (!outputs) { ctx.unevaluated('alert-output', `the falco ConfigMap ${ns}/${cm.metadata.name} does not parse as YAML`); return; }
    const shipper = ['fluent-bit', 'cloudwatch-agent', 'fluentd', 'aws-for-fluent-bit', 'vector', 'promtail', 'datadog-agent'].some((n) => find(ev, 'apps/DaemonSet', { names: [n] }).length > 0);
    if (outputs.stdout && shipper) ctx.pass(scope, 'alert-output', 'alerts go to stdout and a node log collector ships container logs');
    else if (!deploymentsRead) ctx.unevaluated('alert-output', `Falco writes to ${outputs.file ? 'a file' : outputs.stdout ? 'stdout' : 'nowhere'} with no log collector, and falcosidekick could not be looked for (${unread(ev, 'k8s:apps/Deployment')})`);
    else if (!ev.complete('k8s:apps/Deployment') || !ev.complete('k8s:apps/DaemonSet')) ctx.unevaluated('alert-output', `Falco writes to ${outputs.file ? 'a file' : outputs.stdout ? 'stdout' : 'nowhere'}; no falcosidekick or log collector in the input, which may not hold every Deployment and DaemonSet of the cluster; scan the live cluster or pass --complete-inventory`);
    else ctx.fail(scope, 'alert-output', `no falcosidekick and Falco only writes to ${outputs.file ? 'a file' : outputs.stdout ? 'stdout' : 'nowhere'} with no log collector: alerts stay on the node`);
  },
});

// ───────────────────────────── CC4-SEC-01 GuardDuty ─────────────────────────────

const GD_AGENT = 'aws-guardduty-agent';

/** The GuardDuty security agent: coverage API, EKS add-on or DaemonSet; any of them proves coverage. */
const GD_AGENT_EVIDENCE: EvidenceRequirement = {
  anyOf: [aws('guardduty:ListCoverage'), aws('eks:DescribeAddon'), k8s('apps/DaemonSet')], what: 'GuardDuty agent coverage (coverage API, EKS add-on or DaemonSet)', alternatives: true,
};

export const CC4_SEC_01 = defineControl({
  id: 'CC4-SEC-01',
  title: 'GuardDuty detects threats in the cluster (EKS audit logs and runtime monitoring)',
  section: 'CC4',
  under: 'eventCorrelation',
  tsc: ['CC7.2', 'CC7.3', 'CC6.8'],
  automation: 'automated',
  severity: 'high',
  description:
    'Required: in the cluster\'s region GuardDuty has an ENABLED detector with EKS audit log monitoring and Runtime Monitoring (or ' +
    'the legacy EKS Runtime Monitoring), and the security agent covers every compatible node: GuardDuty coverage HEALTHY with all ' +
    'compatible nodes covered, or the aws-guardduty-agent add-on or DaemonSet ready on every eligible node. Recommended (a warning): ' +
    'Runtime Monitoring runs on the current feature, with the legacy EKS Runtime Monitoring disabled (both at once keep billing). The detector rules ' +
    'rest on the detector settings alone, so an agent source that could not be read never hides a detector failure. Fargate and ' +
    'hybrid nodes are not covered by EKS Runtime Monitoring and are noted.',
  requires: [
    need.aws('guardduty:ListDetectors', 'GuardDuty detectors'),
    need.aws('guardduty:GetDetector', 'GuardDuty detector settings'),
    GD_AGENT_EVIDENCE,
  ],
  optional: [aws('eks:DescribeCluster'), k8s('core/Node'), k8s('core/Pod')],
  rules: {
    'detector-enabled': {
      title: 'A GuardDuty detector is enabled in the cluster region', severity: 'high', level: 'required',
      basis: 'the checklist item "Configure Amazon GuardDuty for EKS threat detection"', evidence: [aws('guardduty:ListDetectors')],
    },
    'eks-audit-logs': {
      title: 'EKS audit log monitoring (EKS Protection) is enabled', severity: 'high', level: 'required',
      basis: 'GuardDuty detects threats in EKS from the audit logs (the item\'s "for EKS")', evidence: [aws('guardduty:ListDetectors'), aws('guardduty:GetDetector')],
    },
    'runtime-monitoring': {
      title: 'Runtime Monitoring is enabled', severity: 'high', level: 'required',
      basis: 'GuardDuty detects threats on the nodes and in containers through Runtime Monitoring (the item\'s "for EKS")', evidence: [aws('guardduty:ListDetectors'), aws('guardduty:GetDetector')],
    },
    'legacy-runtime-disabled': {
      title: 'Runtime Monitoring runs on the current feature alone, not the legacy EKS Runtime Monitoring', severity: 'low', level: 'recommended',
      basis: 'beyond the item: both features detect; AWS asks to migrate and then disable the legacy one (both at once keep billing)', evidence: [aws('guardduty:ListDetectors'), aws('guardduty:GetDetector')],
    },
    'agent-coverage': {
      title: 'The GuardDuty security agent covers every compatible node', severity: 'high', level: 'required',
      basis: 'Runtime Monitoring sees only the nodes its agent runs on', evidence: [GD_AGENT_EVIDENCE],
    },
  },
  remediation: {
    summary: 'Enable EKS audit log monitoring and Runtime Monitoring with automated EKS agent management, then disable the legacy EKS Runtime Monitoring feature.',
    commands: [
      'aws guardduty update-detector --detector-id $DETECTOR_ID --features \'[{"Name":"EKS_AUDIT_LOGS","Status":"ENABLED"},{"Name":"RUNTIME_MONITORING","Status":"ENABLED","AdditionalConfiguration":[{"Name":"EKS_ADDON_MANAGEMENT","Status":"ENABLED"}]},{"Name":"EKS_RUNTIME_MONITORING","Status":"DISABLED"}]\'',
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
    const detFacts = ev.has('aws:guardduty:GetDetector') ? ev.aws('guardduty:GetDetector', (f) => inRegion(f, region)) : [];
    if (ids.length === 0 && !ev.complete('aws:guardduty:ListDetectors')) {
      ctx.unevaluated('detector-enabled', 'no GuardDuty detector in the input, which holds only those it declares (not the account\'s); read them from the account');
      return;
    }
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
      if (!d) {
        const why = ev.has('aws:guardduty:GetDetector') ? `the settings of detector ${id} are not in the evidence (GetDetector returned nothing for it)` : `detector settings not read: ${unread(ev, 'aws:guardduty:GetDetector')}`;
        for (const rule of ['detector-enabled', 'eks-audit-logs', 'runtime-monitoring', 'legacy-runtime-disabled']) ctx.unevaluated(rule, why, ref);
        continue;
      }
      if (d.Status === 'ENABLED') ctx.pass(ref, 'detector-enabled', 'detector ENABLED');
      else ctx.fail(ref, 'detector-enabled', `detector is ${d.Status ?? 'not enabled'}`);
      const feat = new Map((d.Features ?? []).map((x) => [x.Name ?? '', x]));
      const audit = feat.get('EKS_AUDIT_LOGS')?.Status ?? d.DataSources?.Kubernetes?.AuditLogs?.Status;
      if (audit === 'ENABLED') ctx.pass(ref, 'eks-audit-logs', 'EKS_AUDIT_LOGS enabled');
      else ctx.fail(ref, 'eks-audit-logs', `EKS audit log monitoring is ${audit ?? 'not configured'}`);
      const rm = feat.get('RUNTIME_MONITORING');
      const legacy = feat.get('EKS_RUNTIME_MONITORING');
      if (rm?.Status === 'ENABLED' || legacy?.Status === 'ENABLED') ctx.pass(ref, 'runtime-monitoring', `${rm?.Status === 'ENABLED' ? 'RUNTIME_MONITORING' : 'EKS_RUNTIME_MONITORING (legacy)'} enabled`);
      else ctx.fail(ref, 'runtime-monitoring', 'Runtime Monitoring is not enabled: process, file and network activity on nodes is not analysed');
      if (rm?.Status === 'ENABLED' && legacy?.Status === 'ENABLED') ctx.fail(ref, 'legacy-runtime-disabled', 'both RUNTIME_MONITORING and the legacy EKS_RUNTIME_MONITORING are enabled: disable the legacy feature (it keeps charging)');
      else if (rm?.Status === 'ENABLED') ctx.pass(ref, 'legacy-runtime-disabled', 'only RUNTIME_MONITORING is enabled');
      else if (legacy?.Status === 'ENABLED') ctx.fail(ref, 'legacy-runtime-disabled', 'the legacy EKS_RUNTIME_MONITORING is used: migrate to RUNTIME_MONITORING');
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
      // Said only of sources that were read; an unreadable alternative turns this failure into "not evaluated".
      const seen = [
        ev.has('aws:guardduty:ListCoverage') ? 'no GuardDuty coverage entry for the cluster' : undefined,
        ev.has('aws:eks:DescribeAddon') ? `no ${GD_AGENT} add-on` : undefined,
        ev.has('k8s:apps/DaemonSet') ? `no ${GD_AGENT} DaemonSet` : undefined,
      ].filter(Boolean);
      const notWhole = (['aws:guardduty:ListCoverage', 'aws:eks:DescribeAddon', 'k8s:apps/DaemonSet'] as const).filter((k) => ev.has(k) && !ev.complete(k));
      if (notWhole.length) ctx.unevaluated('agent-coverage', `the GuardDuty security agent is not in the input, but ${notWhole.map((k) => k.replace(/^(k8s|aws):/, '')).join(', ')} were not read as a whole inventory; scan the live cluster or pass --complete-inventory`);
      else ctx.fail(cref, 'agent-coverage', `the GuardDuty security agent is not installed (${seen.join(', ')})${runtimeOn && !addonMgmt ? '; automated agent management (EKS_ADDON_MANAGEMENT) is off' : ''}`);
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
    'Required: Security Hub (CSPM) is enabled in the cluster\'s region with the AWS Foundational Security Best Practices or a CIS ' +
    'AWS Foundations standard READY. Recommended (warnings): the EKS security controls EKS.1 (no public endpoint), EKS.2 ' +
    '(supported version), EKS.3 (encrypted secrets) and EKS.8 (audit logging) are enabled in at least one READY standard — this ' +
    'tool checks the same settings directly in other controls. Which standard holds each control is read at run time, not ' +
    'assumed. GuardDuty findings arriving in Security Hub are shown as supporting evidence.',
  requires: [need.aws('securityhub:DescribeHub', 'the Security Hub subscription'), need.aws('securityhub:GetEnabledStandards', 'enabled Security Hub standards')],
  optional: [aws('securityhub:ListStandardsControlAssociations'), aws('securityhub:DescribeStandardsControls'), aws('securityhub:GetFindings'), aws('eks:DescribeCluster')],
  rules: {
    'hub-enabled': {
      title: 'Security Hub is enabled in the cluster region', severity: 'high', level: 'required',
      basis: 'the checklist item "Implement AWS Security Hub for centralized security findings"', evidence: [aws('securityhub:DescribeHub')],
    },
    'standard-ready': {
      title: 'FSBP or CIS AWS Foundations standard is enabled and READY', severity: 'medium', level: 'required',
      basis: 'without a READY standard Security Hub evaluates nothing of the account itself (CC4.1 ongoing evaluations)',
      evidence: [aws('securityhub:DescribeHub'), aws('securityhub:GetEnabledStandards')],
    },
    'eks-controls-enabled': {
      title: 'EKS.1, EKS.2, EKS.3 and EKS.8 are enabled in a READY standard', severity: 'medium', level: 'recommended',
      basis: 'beyond the item: what these Security Hub controls check (public endpoint, version, secrets encryption, audit logs) is judged directly by CC5-IAM-04, CC8-VER-01, CC9-ENC-01 and CC4-MON-01',
      evidence: [aws('securityhub:DescribeHub'), aws('securityhub:GetEnabledStandards'), { anyOf: [aws('securityhub:ListStandardsControlAssociations'), aws('securityhub:DescribeStandardsControls')], what: 'the status of the EKS controls in each standard', alternatives: true }],
    },
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
    if (!hub?.HubArn && !ev.complete('aws:securityhub:DescribeHub')) {
      ctx.unevaluated('hub-enabled', 'Security Hub is not enabled in the input, which holds only those it declares (not the account\'s); read them from the account');
      return;
    }
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
    if (baseline.length === 0 && !ev.complete('aws:securityhub:GetEnabledStandards')) ctx.unevaluated('standard-ready', 'neither AWS Foundational Security Best Practices nor CIS AWS Foundations is enabled in the input, which holds only those it declares (not the account\'s); read them from the account');
    else if (baseline.length === 0) ctx.fail(href, 'standard-ready', `neither AWS Foundational Security Best Practices nor CIS AWS Foundations is enabled${subs.length ? ` (enabled: ${subs.map((s) => stdName(s.StandardsArn)).join(', ')})` : ''}`);

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
    if (!known) ctx.unevaluated('eks-controls-enabled', 'Security Hub is enabled but the status of the EKS controls was not collected (securityhub:ListStandardsControlAssociations)');
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
    'Required: at least the configured number of CloudWatch Logs metric filters on /aws/eks/<cluster>/cluster have an alarm with ' +
    'actions (a filter nobody is alerted on monitors nothing), and EKS audit logging is on so that they see events. Recommended (a ' +
    'warning): every metric filter on the EKS and CloudTrail log groups has such an alarm. Whether the set covers the ' +
    'organisation\'s security events (anonymous access, 403s, RBAC changes, exec into pods) is judged by a person.',
  requires: [need.aws('logs:DescribeMetricFilters', 'CloudWatch Logs metric filters'), need.aws('cloudwatch:DescribeAlarms', 'CloudWatch alarms')],
  optional: [aws('eks:DescribeCluster'), aws('cloudtrail:DescribeTrails')],
  rules: {
    'security-filter-count': {
      title: 'Enough alarmed security filters watch the EKS audit log', severity: 'medium', level: 'required',
      basis: 'the checklist item "Deploy custom CloudWatch metrics for security events"; SOC 2 CC7.3 needs someone notified, so only filters with an acting alarm count',
      evidence: [aws('logs:DescribeMetricFilters'), aws('cloudwatch:DescribeAlarms')],
    },
    'filter-alarmed': {
      title: 'The metric filter has an alarm with actions', severity: 'medium', level: 'recommended',
      basis: 'each filter beyond the minimum should alarm too; a filter without one still feeds dashboards (CC4-SEC-04) but notifies nobody',
      evidence: [aws('logs:DescribeMetricFilters'), aws('cloudwatch:DescribeAlarms')],
    },
    'audit-log-source': {
      title: 'EKS audit logging is on, so the filters have data', severity: 'high', level: 'required',
      basis: 'filters on the EKS audit log see nothing without the audit log type (CC4-MON-01)', evidence: [aws('eks:DescribeCluster')],
    },
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
      else ctx.pass(clusterRef(c), 'audit-log-source', `audit logging is enabled${eksFilters === 0 ? ' (no filter reads it yet)' : ''}`);
    } else if (readFailed(ev, 'aws:eks:DescribeCluster')) {
      ctx.unevaluated('audit-log-source', 'the cluster\'s logging configuration was not read');
    } else {
      ctx.note('the cluster\'s logging configuration was not collected: whether the audit log feeds these filters is not evaluated (CC4-MON-01 judges it)');
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
    'filters, and for ACTIVE Amazon Managed Grafana workspaces (a workspace that is not ACTIVE is a warning). Dashboard content in ' +
    'Grafana or Wazuh cannot be read with AWS read-only credentials: a person attests with an export or screenshot, and that the ' +
    'dashboards are reviewed.',
  requires: [{ anyOf: [aws('cloudwatch:ListDashboards'), aws('grafana:ListWorkspaces')], what: 'CloudWatch dashboards or Grafana workspaces', alternatives: true }],
  optional: [aws('cloudwatch:GetDashboard'), aws('logs:DescribeMetricFilters'), aws('eks:DescribeCluster')],
  rules: {
    'security-dashboard': {
      title: 'A CloudWatch dashboard shows the cluster\'s security or health metrics', severity: 'low', level: 'required',
      basis: 'the checklist item "Create security dashboards in CloudWatch, Grafana, Wazuh"', evidence: [aws('cloudwatch:ListDashboards')],
    },
    'grafana-workspace': {
      title: 'The Amazon Managed Grafana workspace is ACTIVE', severity: 'low', level: 'recommended',
      basis: 'the item accepts CloudWatch, Grafana or Wazuh dashboards: a workspace that is not ACTIVE shows nothing, and the control rests on the other dashboards or the attestation',
      evidence: [aws('grafana:ListWorkspaces')],
    },
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
    if (found === 0) {
      const seen = [
        ev.has('aws:cloudwatch:ListDashboards') ? 'no CloudWatch dashboard references the cluster' : `CloudWatch dashboards were not read (${unread(ev, 'aws:cloudwatch:ListDashboards')})`,
        ev.has('aws:grafana:ListWorkspaces') ? 'no Grafana workspace is active' : `Grafana workspaces were not read (${unread(ev, 'aws:grafana:ListWorkspaces')})`,
      ];
      ctx.manual(`${seen.join(' and ')}: attach a dashboard export (Grafana, Wazuh) with the attestation`);
    }
  },
});

export const controls: ControlDefinition[] = [CC4_MON_01, CC4_MON_02, CC4_MON_03, CC4_MON_04, CC4_MON_05, CC4_SEC_01, CC4_SEC_02, CC4_SEC_03, CC4_SEC_04];


