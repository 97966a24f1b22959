import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AwsFact, ControlResult, JsonObject, K8sObject } from '../../src/model/index.js';
import { DEFAULT_THRESHOLDS, defaultConfig } from '../../src/model/index.js';
import {
  CC4_MON_01, CC4_MON_02, CC4_MON_03, CC4_MON_04, CC4_MON_05, CC4_SEC_01, CC4_SEC_02, CC4_SEC_03, CC4_SEC_04, controls, falcoOutputs,
} from '../../src/catalog/cc4.js';
import { classifyPattern, judgeFlowLog, managementEvents } from '../../src/catalog/lib/monitoring.js';
import { runCase, testControl } from '../helpers/control-tester.js';
import { demoPolicies, demoSnapshot } from '../../src/collectors/demo/index.js';
import { evaluate } from '../../src/engine/index.js';
import { catalog } from '../../src/catalog/index.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const CLUSTER = { name: 'acme-prod', region: REGION, accountId: ACCOUNT };
const ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/acme-prod`;
const fact = (service: string, operation: string, output: unknown, params?: unknown, region = REGION): AwsFact =>
  ({ service, operation, region, accountId: ACCOUNT, ...(params ? { params: params as JsonObject } : {}), output: output as JsonObject });
/** Objects parsed without the collector's sanitizer, which withholds ConfigMap data (as live collection does). */
const objs = (text: string): K8sObject[] => parseAllDocuments(text).map((d) => d.toJS() as K8sObject).filter(Boolean);
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/cc4', name), 'utf8');
/** The rules must have a `warn` finding (a failed recommended rule), and no required rule may fail because of them. */
const warns = (...rules: string[]) => (r: ControlResult) => {
  for (const rule of rules) expect(r.findings.some((f) => f.rule === rule && f.status === 'warn'), `expected a warning on ${rule}: ${r.message}`).toBe(true);
};
const daysAgo = (d: number) => new Date(Date.parse('2026-11-26T12:00:00Z') - d * 86_400_000).toISOString();

const cluster = (logging: { types: string[]; enabled: boolean }[], extra: Record<string, unknown> = {}) => fact('eks', 'DescribeCluster', {
  cluster: {
    name: 'acme-prod', arn: ARN, version: '1.33', status: 'ACTIVE',
    resourcesVpcConfig: { vpcId: 'vpc-0a1b2c3d4e5f60718', subnetIds: ['subnet-0private1a000001', 'subnet-0private1b000002'], endpointPublicAccess: false, endpointPrivateAccess: true },
    logging: { clusterLogging: logging }, tags: {}, ...extra,
  },
}, { name: 'acme-prod' });
const ALL5 = [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: true }];
const logGroups = (groups: Record<string, unknown>[]) => fact('logs', 'DescribeLogGroups', { logGroups: groups }, { logGroupNamePrefix: '/aws/eks/acme-prod/cluster' });
const eksGroup = (extra: Record<string, unknown> = {}) => ({ logGroupName: '/aws/eks/acme-prod/cluster', creationTime: 1700000000000, metricFilterCount: 2, arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/eks/acme-prod/cluster:*`, logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/eks/acme-prod/cluster`, storedBytes: 9_000_000, ...extra });

describe('CC4 helpers', () => {
  it('lists every control in checklist order with references', () => {
    expect(controls.map((c) => c.id)).toEqual(['CC4-MON-01', 'CC4-MON-02', 'CC4-MON-03', 'CC4-MON-04', 'CC4-MON-05', 'CC4-SEC-01', 'CC4-SEC-02', 'CC4-SEC-03', 'CC4-SEC-04']);
    for (const c of controls) expect(c.references.length).toBeGreaterThan(0);
  });
  it('reads management events from basic and advanced selectors', () => {
    expect(managementEvents({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] }).all).toBe(true);
    expect(managementEvents({ EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] })).toMatchObject({ all: false, partial: 'WriteOnly' });
    expect(managementEvents({ AdvancedEventSelectors: [{ Name: 'mgmt', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] }).all).toBe(true);
    expect(managementEvents({ AdvancedEventSelectors: [{ Name: 'w', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['false'] }] }] })).toMatchObject({ all: false, partial: 'WriteOnly' });
    expect(managementEvents({ AdvancedEventSelectors: [{ Name: 'd', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }] }] }).all).toBe(false);
  });
  it('judges flow logs', () => {
    expect(judgeFlowLog({ FlowLogId: 'fl-1', FlowLogStatus: 'ACTIVE', TrafficType: 'ALL', DeliverLogsStatus: 'SUCCESS' }).ok).toBe(true);
    expect(judgeFlowLog({ FlowLogId: 'fl-1', FlowLogStatus: 'ACTIVE', TrafficType: 'REJECT', DeliverLogsStatus: 'SUCCESS' })).toMatchObject({ ok: false, low: true });
    expect(judgeFlowLog({ FlowLogId: 'fl-1', FlowLogStatus: 'ACTIVE', TrafficType: 'ALL', DeliverLogsStatus: 'FAILED' })).toMatchObject({ ok: false });
  });
  it('names what a filter pattern watches', () => {
    expect(classifyPattern('{ $.user.username = "system:anonymous" }')).toEqual(['anonymous access']);
    expect(classifyPattern('{ $.responseStatus.code = 403 }')).toEqual(['authorization failures']);
    expect(classifyPattern('{ $.objectRef.subresource = "exec" }')).toEqual(['exec/attach into pods']);
    expect(classifyPattern('{ $.foo = 1 }')).toEqual([]);
  });
  it('reads Falco outputs from falco.yaml', () => {
    expect(falcoOutputs('http_output:\n  enabled: true\n  url: http://falco-falcosidekick:2801/\n')).toMatchObject({ http: true });
    expect(falcoOutputs('grpc:\n  enabled: true\ngrpc_output:\n  enabled: true\nstdout_output:\n  enabled: false\n')).toMatchObject({ grpc: true, stdout: false, http: false });
    expect(falcoOutputs('json_output: true\n')).toMatchObject({ stdout: true, http: false });
    expect(falcoOutputs('{{ not yaml')).toBeUndefined();
  });
});

// ───────────────────────── CC4-MON-01 ─────────────────────────

testControl(CC4_MON_01, {
  valid: [
    { name: 'all five types, 365-day retention, KMS', aws: [cluster(ALL5), logGroups([eksGroup({ retentionInDays: 365, kmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234` })])], expect: { passing: ['log-types-enabled', 'log-group-retention', 'log-group-encrypted'] } },
    {
      name: 'no customer KMS key on the log group is a warning, never a failure',
      aws: [cluster(ALL5), logGroups([eksGroup({ retentionInDays: 400 })])],
      expect: { passing: ['log-types-enabled', 'log-group-retention'], assert: (r) => { warns('log-group-encrypted')(r); expect(r.message).toMatch(/1 warning/); expect(r.failSeverity).toBeUndefined(); } },
    },
    {
      name: 'enabled types split over two entries are merged; no expiry passes',
      aws: [cluster([{ types: ['api', 'audit'], enabled: true }, { types: ['authenticator', 'controllerManager', 'scheduler'], enabled: true }]), logGroups([eksGroup({ kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1' })])],
      expect: { passing: ['log-types-enabled', 'log-group-retention'] },
    },
  ],
  invalid: [
    {
      name: 'controllerManager and scheduler disabled (reading only [0] would miss this), short retention, no KMS',
      aws: [cluster([{ types: ['api', 'audit', 'authenticator'], enabled: true }, { types: ['controllerManager', 'scheduler'], enabled: false }]), logGroups([eksGroup({ retentionInDays: 90 })])],
      expect: { failing: ['log-types-enabled', 'log-group-retention'], assert: (r) => { expect(r.findings.find((f) => f.rule === 'log-types-enabled')?.message).toMatch(/controllerManager, scheduler/); warns('log-group-encrypted')(r); } },
    },
    {
      name: 'audit missing is high; the log group is missing',
      aws: [cluster([{ types: ['api'], enabled: true }]), logGroups([])],
      expect: { failing: ['log-types-enabled', 'log-group-retention'], assert: (r) => expect(r.failSeverity).toBe('high') },
    },
    {
      // Issue 13: the disabled log types are proven by DescribeCluster; missing log groups must not turn that into `error`,
      // and nothing may be said about the log group that was not read.
      name: 'every log type disabled while DescribeLogGroups was denied: fail, and no word about the log group',
      aws: [cluster([{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false }])],
      awsCalls: { 'logs:DescribeLogGroups': 'denied' },
      expect: {
        failing: ['log-types-enabled'],
        assert: (r) => {
          expect(JSON.stringify(r)).not.toMatch(/does not exist/);
          expect(r.findings.map((f) => f.rule)).toEqual(['log-types-enabled']);
          expect(r.unevaluated.map((u) => u.rule).sort()).toEqual(['log-group-encrypted', 'log-group-retention']);
          expect(r.notes.join(' ')).toMatch(/not evaluated .*CloudWatch log groups/);
        },
      },
    },
    {
      name: 'DescribeCluster denied, log groups read: a missing log group (named from the cluster identity) is still a proven failure',
      aws: [logGroups([])], awsCalls: { 'eks:DescribeCluster': 'denied' },
      expect: { failing: ['log-group-retention'], assert: (r) => expect(r.unevaluated.map((u) => u.rule)).toEqual(['log-types-enabled']) },
    },
  ],
  other: [
    {
      name: 'DescribeCluster denied and the log group in order: error naming the cluster description',
      cluster: CLUSTER, aws: [logGroups([eksGroup({ retentionInDays: 400, kmsKeyId: 'k' })])], awsCalls: { 'eks:DescribeCluster': 'denied' },
      expect: { status: 'error', message: /eks:DescribeCluster/, passing: ['log-group-retention'] },
    },
    {
      name: 'DescribeLogGroups denied and every type enabled: error naming the log groups',
      aws: [cluster(ALL5)], awsCalls: { 'logs:DescribeLogGroups': 'denied' },
      expect: { status: 'error', message: /CloudWatch log groups/, passing: ['log-types-enabled'] },
    },
    { name: 'a stricter retention policy is applied', aws: [cluster(ALL5), logGroups([eksGroup({ retentionInDays: 400, kmsKeyId: 'k' })])], config: { thresholds: { ...DEFAULT_THRESHOLDS, logRetentionDays: 731 } }, expect: { status: 'fail', failing: ['log-group-retention'] } },
  ],
});

/** kubescape ClusterDescribe envelopes are aws-sdk-go PascalCase: turn them into SDK v3 (camelCase) DescribeCluster facts. */
function camel(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camel);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.charAt(0).toLowerCase() + k.slice(1), camel(x)]));
  return v;
}

describe.skipIf(!existsSync('/work/shared/corpus/kubescape-regolibrary'))('CC4-MON-01 against kubescape audit-log cases', () => {
  const dir = '/work/shared/corpus/kubescape-regolibrary/k8s-audit-logs-enabled-cloud';
  const verdict = (c: string) => {
    const env = JSON.parse(readFileSync(join(dir, c, 'eks.json'), 'utf8')) as { data: { Cluster: unknown } };
    const cl = camel(env.data.Cluster) as { name: string };
    const r = runCase(CC4_MON_01, { name: c, cluster: { name: cl.name }, aws: [fact('eks', 'DescribeCluster', { cluster: cl }), logGroups([{ logGroupName: `/aws/eks/${cl.name}/cluster`, retentionInDays: 400, kmsKeyId: 'k' }])] });
    return r.findings.find((f) => f.rule === 'log-types-enabled');
  };
  it('merges two enabled entries (case-01) and rejects a disabled entry (case-04)', () => {
    expect(verdict('case-01')?.status).toBe('pass');
    expect(verdict('case-02')?.status).toBe('pass');
    expect(verdict('case-03')?.message).toMatch(/authenticator, controllerManager/);
    expect(verdict('case-04')?.message).toMatch(/api, audit, authenticator, controllerManager, scheduler/);
  });
});

// ───────────────────────── CC4-MON-02 CloudTrail ─────────────────────────

const trailArn = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/acme-trail`;
const trail = (extra: Record<string, unknown> = {}) => ({ Name: 'acme-trail', TrailARN: trailArn, HomeRegion: REGION, IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true, IsOrganizationTrail: false, LogFileValidationEnabled: true, S3BucketName: 'acme-cloudtrail', KmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/ct`, CloudWatchLogsLogGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:aws-cloudtrail-logs:*`, HasCustomEventSelectors: false, ...extra });
const trails = (...t: unknown[]) => fact('cloudtrail', 'DescribeTrails', { trailList: t }, { includeShadowTrails: true });
const status = (name: string, s: Record<string, unknown> = {}) => fact('cloudtrail', 'GetTrailStatus', { IsLogging: true, LatestDeliveryTime: daysAgo(0), StartLoggingTime: daysAgo(400), ...s }, { Name: name });
const selectors = (arn: string, sel: Record<string, unknown> = { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }] }) => fact('cloudtrail', 'GetEventSelectors', { TrailARN: arn, ...sel }, { TrailName: arn });

testControl(CC4_MON_02, {
  valid: [
    { name: 'multi-region, logging, all management events, validation, KMS and CloudWatch Logs', aws: [trails(trail()), status(trailArn), selectors(trailArn)], expect: { passing: ['multi-region-trail', 'trail-encryption', 'trail-cloudwatch-logs'] } },
    {
      // Issue 13: the demo's trail uses S3 default encryption; the checklist asks for a trail, so the control operates, with warnings.
      name: 'multi-region trail with S3 default encryption and no CloudWatch Logs delivery: pass with two warnings',
      aws: [trails(trail({ KmsKeyId: undefined, CloudWatchLogsLogGroupArn: undefined })), status(trailArn), selectors(trailArn)],
      expect: { passing: ['multi-region-trail'], assert: (r) => { warns('trail-encryption', 'trail-cloudwatch-logs')(r); expect(r.failSeverity).toBeUndefined(); expect(r.message).toMatch(/2 warnings/); } },
    },
    {
      name: 'an advanced selector that only drops KMS events still records EKS management events (noted)',
      aws: [trails(trail()), status(trailArn), selectors(trailArn, { AdvancedEventSelectors: [{ Name: 'mgmt', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] }] }] })],
      expect: { passing: ['multi-region-trail'], assert: (r) => expect(r.notes.join(' ')).toMatch(/excludes management events from kms\.amazonaws\.com/) },
    },
    {
      name: 'organization trail from the management account, read by ARN; a single-region trail beside it is only noted',
      aws: [trails(trail({ Name: 'org', TrailARN: 'arn:aws:cloudtrail:us-east-1:999988887777:trail/org', HomeRegion: 'us-east-1', IsOrganizationTrail: true }), trail({ Name: 'local', TrailARN: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/local`, IsMultiRegionTrail: false })),
        status('arn:aws:cloudtrail:us-east-1:999988887777:trail/org'), selectors('arn:aws:cloudtrail:us-east-1:999988887777:trail/org', { AdvancedEventSelectors: [{ Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] }),
        status(`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/local`), selectors(`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/local`)],
      expect: { passing: ['multi-region-trail'], assert: (r) => expect(r.notes.join(' ')).toMatch(/local also exists: single-region/) },
    },
  ],
  invalid: [
    {
      name: 'multi-region but not logging, write-only, validation off',
      aws: [trails(trail({ LogFileValidationEnabled: false })), status(trailArn, { IsLogging: false }), selectors(trailArn, { EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] })],
      expect: { failing: ['multi-region-trail'], assert: (r) => expect(r.findings[0]?.message).toMatch(/validation off.*not logging.*WriteOnly only/) },
    },
    {
      name: 'a delivery error disqualifies the trail',
      aws: [trails(trail()), status(trailArn, { LatestDeliveryError: 'NoSuchBucket' }), selectors(trailArn)],
      expect: { failing: ['multi-region-trail'] },
    },
    { name: 'no trail at all', aws: [trails(), fact('cloudtrail', 'GetTrailStatus', {}), fact('cloudtrail', 'GetEventSelectors', {})], expect: { failing: ['multi-region-trail'] } },
    {
      // Issue 13: excluding eks.amazonaws.com from management events was only a note.
      name: 'an advanced event selector that excludes EKS management events fails the trail',
      aws: [trails(trail()), status(trailArn), selectors(trailArn, { AdvancedEventSelectors: [{ Name: 'mgmt without EKS', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', NotEquals: ['eks.amazonaws.com', 'kms.amazonaws.com'] }] }] })],
      expect: { failing: ['multi-region-trail'], assert: (r) => expect(r.findings.find((f) => f.rule === 'multi-region-trail')?.message).toMatch(/EKS management events \(eks\.amazonaws\.com\) are excluded/) },
    },
    {
      name: 'management events of named services only (EKS not among them)',
      aws: [trails(trail()), status(trailArn), selectors(trailArn, { AdvancedEventSelectors: [{ Name: 'iam and s3', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', Equals: ['iam.amazonaws.com', 's3.amazonaws.com'] }] }] })],
      expect: { failing: ['multi-region-trail'], assert: (r) => expect(r.findings.find((f) => f.rule === 'multi-region-trail')?.message).toMatch(/selected services only \(Amazon EKS management events, eks\.amazonaws\.com, not recorded\)/) },
    },
    {
      name: 'a single-region trail is a proven failure even when its status and selectors were denied',
      aws: [trails(trail({ IsMultiRegionTrail: false }))], awsCalls: { 'cloudtrail:GetTrailStatus': 'denied', 'cloudtrail:GetEventSelectors': 'denied' },
      expect: { failing: ['multi-region-trail'], assert: (r) => { expect(r.findings[0]?.message).toMatch(/single-region.*trail status not read/); expect(r.notes.join(' ')).toMatch(/not evaluated/); } },
    },
  ],
  other: [
    {
      name: 'organization trail whose status cannot be read from the member account: manual, attestable',
      aws: [trails(trail({ TrailARN: 'arn:aws:cloudtrail:us-east-1:999988887777:trail/org', IsOrganizationTrail: true })), fact('cloudtrail', 'GetTrailStatus', {}, { Name: 'other' }), fact('cloudtrail', 'GetEventSelectors', {}, { TrailName: 'other' })],
      expect: { status: 'manual', message: /full trail ARN/ },
    },
    {
      name: 'GetEventSelectors denied: error, not fail, and the trail is not said to miss events',
      aws: [trails(trail()), status(trailArn)], awsCalls: { 'cloudtrail:GetEventSelectors': 'denied' },
      expect: { status: 'error', assert: (r) => { expect(r.findings.find((f) => f.rule === 'multi-region-trail')).toMatchObject({ status: 'error', message: expect.stringMatching(/event selectors not read/) }); expect(JSON.stringify(r.findings)).not.toMatch(/no management events/); } },
    },
    {
      name: 'a proven-bad trail beside a trail whose selectors are unreadable: error (the unreadable one may be the good one)',
      aws: [trails(trail(), trail({ Name: 'local', TrailARN: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/local`, IsMultiRegionTrail: false })), status(trailArn), status(`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/local`), selectors(`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/local`)],
      expect: { status: 'error', assert: (r) => expect(r.notes.join(' ')).toMatch(/trail local: single-region/) },
    },
  ],
});

describe.skipIf(!existsSync('/work/shared/corpus/aws-cli-examples'))('CC4 against AWS CLI documented outputs', () => {
  const cli = (f: string) => JSON.parse(readFileSync(join('/work/shared/corpus/aws-cli-examples', f), 'utf8')) as JsonObject;
  it('describe-trails: two single-region trails without validation fail', () => {
    const t = cli('cloudtrail-describe-trails.json');
    const r = runCase(CC4_MON_02, { name: 'cli', aws: [fact('cloudtrail', 'DescribeTrails', t), status('Trail1'), status('Trail2'), fact('cloudtrail', 'GetEventSelectors', { TrailARN: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/Trail1', EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] })] });
    expect(r.status).toBe('fail');
    expect(r.findings.filter((f) => f.rule === 'multi-region-trail' && f.status === 'fail').map((f) => f.resource.name).sort()).toEqual(['Trail1', 'Trail2']);
    expect(r.findings.find((f) => f.resource.name === 'Trail2')?.message).toMatch(/event selectors GetEventSelectors returned nothing for it/);
  });
  it('describe-flow-logs: an ACCEPT-only VPC flow log passes with a warning', () => {
    const fl = cli('ec2-describe-flow-logs.json');
    const r = runCase(CC4_MON_03, { name: 'cli', aws: [cluster(ALL5, { resourcesVpcConfig: { vpcId: 'vpc-00112233445566778', subnetIds: ['subnet-12345678901234567', 'subnet-0other'] } }), fact('ec2', 'DescribeFlowLogs', fl)] });
    expect(r.status).toBe('pass');
    expect(r.findings.find((f) => f.rule === 'flow-logs-all-traffic')).toMatchObject({ status: 'warn', message: expect.stringMatching(/ACCEPT traffic only/) });
  });
  it('get-detector without feature list: EKS protection and runtime monitoring are not configured', () => {
    const d = cli('guardduty-get-detector.json');
    const r = runCase(CC4_SEC_01, { name: 'cli', aws: [fact('guardduty', 'ListDetectors', { DetectorIds: ['12abc34d567e8fa901bc2d34eexample'] }), fact('guardduty', 'GetDetector', d, { DetectorId: '12abc34d567e8fa901bc2d34eexample' }), fact('guardduty', 'ListCoverage', { Resources: [] })] });
    expect(r.status).toBe('fail');
    expect(r.findings.find((f) => f.rule === 'detector-enabled')?.status).toBe('pass');
    expect(r.findings.filter((f) => f.status === 'fail').map((f) => f.rule).sort()).toEqual(['agent-coverage', 'eks-audit-logs', 'runtime-monitoring']);
  });
  it('describe-cluster: all five log types enabled', () => {
    const c = cli('eks-describe-cluster.json');
    const r = runCase(CC4_MON_01, { name: 'cli', cluster: { name: 'my-eks-cluster' }, aws: [fact('eks', 'DescribeCluster', c), logGroups([])] });
    expect(r.findings.find((f) => f.rule === 'log-types-enabled')?.status).toBe('pass');
    expect(r.findings.find((f) => f.rule === 'log-group-retention')?.message).toMatch(/does not exist although logging is enabled/);
  });
});

// ───────────────────────── CC4-MON-03 flow logs ─────────────────────────

const flowLogs = (logs: Record<string, unknown>[]) => fact('ec2', 'DescribeFlowLogs', { FlowLogs: logs.map((l, i) => ({ FlowLogId: `fl-0${i}abc`, CreationTime: daysAgo(300), FlowLogStatus: 'ACTIVE', DeliverLogsStatus: 'SUCCESS', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs', LogGroupName: '/vpc/flow-logs', ...l })) }, { Filters: [{ Name: 'resource-id', Values: ['vpc-0a1b2c3d4e5f60718'] }] });

testControl(CC4_MON_03, {
  valid: [
    { name: 'ALL traffic on the VPC', aws: [cluster(ALL5), flowLogs([{ ResourceId: 'vpc-0a1b2c3d4e5f60718' }])], expect: { passing: ['flow-logs-enabled'] } },
    {
      name: 'no VPC log, but every cluster and node group subnet has one',
      aws: [cluster(ALL5), fact('eks', 'DescribeNodegroup', { nodegroup: { nodegroupName: 'general', subnets: ['subnet-0private1c000003'] } }), flowLogs([{ ResourceId: 'subnet-0private1a000001' }, { ResourceId: 'subnet-0private1b000002' }, { ResourceId: 'subnet-0private1c000003', LogDestinationType: 's3', LogDestination: 'arn:aws:s3:::flow' }])],
      expect: { passing: ['flow-logs-enabled', 'flow-logs-all-traffic'], assert: (r) => expect(r.findings.filter((f) => f.rule === 'flow-logs-enabled').length).toBe(3) },
    },
    { name: 'REJECT-only on the VPC: passes, with a warning to capture ALL', aws: [cluster(ALL5), flowLogs([{ ResourceId: 'vpc-0a1b2c3d4e5f60718', TrafficType: 'REJECT' }])], expect: { passing: ['flow-logs-enabled'], assert: warns('flow-logs-all-traffic') } },
  ],
  invalid: [
    { name: 'no flow logs', aws: [cluster(ALL5), flowLogs([])], expect: { failing: ['flow-logs-enabled'] } },
    { name: 'delivery failing', aws: [cluster(ALL5), flowLogs([{ ResourceId: 'vpc-0a1b2c3d4e5f60718', DeliverLogsStatus: 'FAILED', DeliverLogsErrorMessage: 'Access error' }])], expect: { failing: ['flow-logs-enabled'], assert: (r) => expect(r.failSeverity).toBe('medium') } },
    { name: 'a node group subnet without a log', aws: [cluster(ALL5), fact('eks', 'DescribeNodegroup', { nodegroup: { nodegroupName: 'g', subnets: ['subnet-0private1c000003'] } }), flowLogs([{ ResourceId: 'subnet-0private1a000001' }, { ResourceId: 'subnet-0private1b000002' }])], expect: { failing: ['flow-logs-enabled'], assert: (r) => expect(r.findings[0]?.message).toMatch(/subnet-0private1c000003/) } },
  ],
  other: [
    {
      name: 'shared VPC owned by another account with no visible flow logs: manual',
      aws: [cluster(ALL5), flowLogs([]), fact('ec2', 'DescribeVpcs', { Vpcs: [{ VpcId: 'vpc-0a1b2c3d4e5f60718', OwnerId: '444455556666', CidrBlock: '10.0.0.0/16', State: 'available' }] })],
      cluster: CLUSTER,
      expect: { status: 'manual', message: /shared from account 444455556666/ },
    },
    {
      // Issue 13: a shared VPC is attested from the owner account, whatever flow logs this account shows.
      name: 'shared VPC owned by another account, with this account\'s own (broken) subnet flow logs: still manual',
      aws: [cluster(ALL5), flowLogs([{ ResourceId: 'subnet-0private1a000001', DeliverLogsStatus: 'FAILED' }, { ResourceId: 'subnet-0private1b000002', TrafficType: 'REJECT' }]), fact('ec2', 'DescribeVpcs', { Vpcs: [{ VpcId: 'vpc-0a1b2c3d4e5f60718', OwnerId: '444455556666', State: 'available' }] })],
      cluster: CLUSTER,
      expect: { status: 'manual', message: /shared from account 444455556666/, assert: (r) => { expect(r.findings.filter((f) => f.status === 'fail' || f.status === 'warn')).toEqual([]); expect(r.notes.join(' ')).toMatch(/visible from this account/); } },
    },
    {
      name: 'shared VPC attested from the owner account: pass',
      aws: [cluster(ALL5), flowLogs([]), fact('ec2', 'DescribeVpcs', { Vpcs: [{ VpcId: 'vpc-0a1b2c3d4e5f60718', OwnerId: '444455556666' }] })],
      cluster: CLUSTER,
      attestations: [{ control: 'CC4-MON-03', statement: 'owner account flow logs cover the shared subnets', attestedBy: 'netops@acme.example', date: '2026-11-01', validUntil: '2027-05-01' }],
      expect: { status: 'pass' },
    },
    {
      name: 'no visible flow log and the VPC owner denied: error (it may be a shared VPC), never a fail',
      aws: [cluster(ALL5), flowLogs([])], awsCalls: { 'ec2:DescribeVpcs': 'denied' }, cluster: CLUSTER,
      expect: { status: 'error', assert: (r) => expect(r.findings[0]?.message).toMatch(/owner was not read/) },
    },
    {
      name: 'every known subnet logged but node groups denied: error',
      aws: [cluster(ALL5), flowLogs([{ ResourceId: 'subnet-0private1a000001' }, { ResourceId: 'subnet-0private1b000002' }])], awsCalls: { 'eks:DescribeNodegroup': 'denied' },
      expect: { status: 'error', assert: (r) => expect(r.findings.find((f) => f.status === 'error')?.message).toMatch(/node groups' subnets were not read \(eks:DescribeNodegroup \(denied\)\)/) },
    },
    { name: 'DescribeFlowLogs denied: error', aws: [cluster(ALL5)], awsCalls: { 'ec2:DescribeFlowLogs': 'denied' }, expect: { status: 'error' } },
  ],
});

// ───────────────────────── CC4-MON-04 Container Insights ─────────────────────────

const nodes = `
apiVersion: v1
kind: Node
metadata: { name: ip-10-0-1-10.eu-west-1.compute.internal, labels: { kubernetes.io/os: linux } }
---
apiVersion: v1
kind: Node
metadata: { name: ip-10-0-2-11.eu-west-1.compute.internal, labels: { kubernetes.io/os: linux } }
---
apiVersion: v1
kind: Node
metadata: { name: fargate-ip-10-0-4-20.eu-west-1.compute.internal, labels: { kubernetes.io/os: linux, eks.amazonaws.com/compute-type: fargate } }
`;
const ds = (ns: string, name: string, ready: number, desired = ready, labels = '') => `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: ${name}, namespace: ${ns}, uid: uid-${name}${labels ? `, labels: { ${labels} }` : ''} }
spec: { selector: { matchLabels: { app: ${name} } }, template: { metadata: { labels: { app: ${name}${labels ? `, ${labels}` : ''} } }, spec: { containers: [{ name: ${name}, image: "x/${name}:1" }] } } }
status: { desiredNumberScheduled: ${desired}, currentNumberScheduled: ${desired}, numberReady: ${ready}, numberAvailable: ${ready} }
`;
const addon = (name: string, status = 'ACTIVE', configurationValues?: string, issues: unknown[] = []) => fact('eks', 'DescribeAddon', { addon: { addonName: name, clusterName: 'acme-prod', status, addonVersion: 'v2.6.0-eksbuild.1', health: { issues }, addonArn: `arn:aws:eks:${REGION}:${ACCOUNT}:addon/acme-prod/${name}/abcd`, ...(configurationValues ? { configurationValues } : {}) } }, { clusterName: 'acme-prod', addonName: name });
const metrics = (n: number, clusterName = 'acme-prod') => fact('cloudwatch', 'ListMetrics', { Metrics: Array.from({ length: n }, (_, i) => ({ Namespace: 'ContainerInsights', MetricName: ['node_cpu_utilization', 'pod_memory_utilization', 'cluster_failed_node_count'][i % 3], Dimensions: [{ Name: 'ClusterName', Value: clusterName }] })) }, { Namespace: 'ContainerInsights', Dimensions: [{ Name: 'ClusterName', Value: 'acme-prod' }] });

testControl(CC4_MON_04, {
  valid: [
    { name: 'add-on ACTIVE, DaemonSets on both EC2 nodes, metrics present', cluster: CLUSTER, aws: [addon('amazon-cloudwatch-observability', 'ACTIVE', '{"containerLogs":{"enabled":true}}'), metrics(3)], k8s: [nodes, ds('amazon-cloudwatch', 'cloudwatch-agent', 2), ds('amazon-cloudwatch', 'fluent-bit', 2)].join('---'), expect: { passing: ['observability-agent', 'container-logs', 'container-insights-metrics'], assert: (r) => expect(r.notes.join(' ')).toMatch(/1 Fargate/) } },
    { name: 'Helm install without the add-on: DaemonSets prove it', cluster: CLUSTER, aws: [metrics(1)], k8s: [nodes, ds('amazon-cloudwatch', 'cloudwatch-agent', 2), ds('amazon-cloudwatch', 'fluent-bit', 2)].join('---'), expect: { passing: ['observability-agent', 'container-insights-metrics'] } },
    { name: 'container logs disabled in the add-on: a warning', cluster: CLUSTER, aws: [addon('amazon-cloudwatch-observability', 'ACTIVE', '{"containerLogs":{"enabled":false}}'), metrics(2)], expect: { passing: ['observability-agent'], assert: warns('container-logs') } },
    {
      name: 'Fargate-only cluster with ADOT metrics: the agent DaemonSets are not applicable, the metrics decide',
      cluster: CLUSTER, aws: [fact('eks', 'ListAddons', { addons: ['vpc-cni', 'coredns'] }), metrics(2)],
      k8s: 'apiVersion: v1\nkind: Node\nmetadata: { name: fargate-ip-10-0-4-20.eu-west-1.compute.internal, labels: { kubernetes.io/os: linux, eks.amazonaws.com/compute-type: fargate } }\n',
      expect: { passing: ['container-insights-metrics'], assert: (r) => expect(r.findings.find((f) => f.rule === 'observability-agent')?.status).toBe('not-applicable') },
    },
  ],
  invalid: [
    { name: 'add-on DEGRADED and no metrics', cluster: CLUSTER, aws: [addon('amazon-cloudwatch-observability', 'DEGRADED', undefined, [{ code: 'InsufficientNumberOfReplicas', message: 'pods not ready' }]), metrics(0)], expect: { failing: ['observability-agent', 'container-insights-metrics'] } },
    { name: 'agent missing on one node; metrics of another cluster do not count', cluster: CLUSTER, aws: [metrics(2, 'other')], k8s: [nodes, ds('amazon-cloudwatch', 'cloudwatch-agent', 1), ds('amazon-cloudwatch', 'fluent-bit', 2)].join('---'), expect: { failing: ['observability-agent', 'container-insights-metrics'] } },
    { name: 'not installed at all', cluster: CLUSTER, aws: [fact('eks', 'ListAddons', { addons: ['vpc-cni'] }), metrics(0)], k8s: nodes, expect: { failing: ['observability-agent'] } },
  ],
  other: [
    { name: 'ListMetrics denied: error', cluster: CLUSTER, aws: [addon('amazon-cloudwatch-observability')], awsCalls: { 'cloudwatch:ListMetrics': 'denied' }, expect: { status: 'error' } },
    { name: 'ListMetrics denied, add-on DEGRADED: the proven failure stands', cluster: CLUSTER, aws: [addon('amazon-cloudwatch-observability', 'DEGRADED')], awsCalls: { 'cloudwatch:ListMetrics': 'denied' }, expect: { status: 'fail', failing: ['observability-agent'] } },
    {
      name: 'no agent DaemonSet while the add-on listing was denied: error, and the add-on is said "not read"',
      cluster: CLUSTER, aws: [metrics(2)], awsCalls: { 'eks:ListAddons': 'denied' }, k8s: nodes,
      expect: { status: 'error', assert: (r) => expect(r.findings.find((f) => f.rule === 'observability-agent')?.message).toMatch(/add-on was not read/) },
    },
  ],
});

// ───────────────────────── CC4-MON-05 Falco ─────────────────────────

const falcoPod = (node: string, ready = 'True') => `
apiVersion: v1
kind: Pod
metadata: { name: falco-${node.slice(0, 12)}, namespace: falco, ownerReferences: [{ apiVersion: apps/v1, kind: DaemonSet, name: falco, uid: uid-falco, controller: true }] }
spec: { nodeName: ${node}, containers: [{ name: falco, image: "docker.io/falcosecurity/falco:0.42.1" }] }
status: { conditions: [{ type: Ready, status: "${ready}" }] }
`;
const sidekick = (available = 1) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: falco-falcosidekick, namespace: falco, labels: { app.kubernetes.io/name: falcosidekick } }
spec: { replicas: 2, selector: {}, template: { spec: { containers: [{ name: falcosidekick, image: "docker.io/falcosecurity/falcosidekick:2.31.1" }] } } }
status: { replicas: 2, availableReplicas: ${available}, readyReplicas: ${available} }
`;
const falcoCm = (yaml: string) => `
apiVersion: v1
kind: ConfigMap
metadata: { name: falco, namespace: falco }
data:
  falco.yaml: |
${yaml.split('\n').map((l) => `    ${l}`).join('\n')}
`;

testControl(CC4_MON_05, {
  valid: [
    { name: 'Falco ready on both EC2 nodes (Fargate excluded) with falcosidekick', k8s: [nodes, ds('falco', 'falco', 2, 2, 'app.kubernetes.io/name: falco'), sidekick(2)].join('---'), expect: { passing: ['falco-coverage', 'alert-output'] } },
    { name: 'installed in default (as the checklist does) with http_output', k8s: objs([nodes, ds('default', 'falco', 2, 2, 'app.kubernetes.io/name: falco'), falcoCm('http_output:\n  enabled: true\n  url: https://siem.acme.example/falco').replace('namespace: falco', 'namespace: default')].join('---')), expect: { passing: ['falco-coverage', 'alert-output', 'alert-output-supported'] } },
    {
      name: 'the deprecated gRPC output alone still forwards alerts: pass with a warning',
      k8s: objs([nodes, ds('falco', 'falco', 2, 2, 'app.kubernetes.io/name: falco'), falcoCm('grpc:\n  enabled: true\ngrpc_output:\n  enabled: true\nstdout_output:\n  enabled: false')].join('---')),
      expect: { passing: ['alert-output'], assert: warns('alert-output-supported') },
    },
    {
      name: 'hybrid nodes run DaemonSets: Falco must cover them too',
      k8s: [nodes, 'apiVersion: v1\nkind: Node\nmetadata: { name: mi-0123456789abcdef0, labels: { kubernetes.io/os: linux, eks.amazonaws.com/compute-type: hybrid } }\n', ds('falco', 'falco', 3, 3, 'app.kubernetes.io/name: falco'), sidekick(2)].join('---'),
      expect: { passing: ['falco-coverage'], assert: (r) => expect(r.findings.find((f) => f.rule === 'falco-coverage')?.message).toMatch(/3\/3 eligible/) },
    },
  ],
  invalid: [
    {
      name: 'Falco missing on one node (pods name the node) and sidekick down',
      k8s: [nodes, ds('falco', 'falco', 1, 1, 'app.kubernetes.io/name: falco'), falcoPod('ip-10-0-1-10.eu-west-1.compute.internal'), sidekick(0)].join('---'),
      expect: { failing: ['falco-coverage', 'alert-output'], assert: (r) => expect(r.findings.find((f) => f.rule === 'falco-coverage')?.message).toMatch(/missing on ip-10-0-2-11.*tolerations/) },
    },
    { name: 'stdout only, no collector', k8s: objs([nodes, ds('falco', 'falco', 2, 2, 'app.kubernetes.io/name: falco'), falcoCm('stdout_output:\n  enabled: true\njson_output: true')].join('---')), expect: { failing: ['alert-output'] } },
    { name: 'no Falco', k8s: nodes + '---' + ds('kube-system', 'aws-node', 2), expect: { failing: ['falco-coverage'] } },
    {
      name: 'a hybrid node without Falco is a gap',
      k8s: [nodes, 'apiVersion: v1\nkind: Node\nmetadata: { name: mi-0123456789abcdef0, labels: { kubernetes.io/os: linux, eks.amazonaws.com/compute-type: hybrid } }\n', ds('falco', 'falco', 2, 2, 'app.kubernetes.io/name: falco'), sidekick(2)].join('---'),
      expect: { failing: ['falco-coverage'] },
    },
  ],
  other: [
    { name: 'stdout collected by fluent-bit passes', k8s: objs([nodes, ds('falco', 'falco', 2, 2, 'app.kubernetes.io/name: falco'), ds('amazon-cloudwatch', 'fluent-bit', 2), falcoCm('stdout_output:\n  enabled: true')].join('---')), expect: { status: 'pass', passing: ['alert-output'] } },
    { name: 'the falco ConfigMap read through the sanitizer: its output switches decide (http_output passes)', k8s: [nodes, ds('falco', 'falco', 2, 2, 'app.kubernetes.io/name: falco'), falcoCm('http_output:\n  enabled: true\n  url: https://user:hunter2@siem.acme.example/falco')].join('---'), expect: { status: 'pass', passing: ['alert-output'] } },
    { name: 'the falco ConfigMap read through the sanitizer: stdout only fails', k8s: [nodes, ds('falco', 'falco', 2, 2, 'app.kubernetes.io/name: falco'), falcoCm('stdout_output:\n  enabled: true\nhttp_output:\n  enabled: false\n  url: http://x')].join('---'), expect: { status: 'fail', failing: ['alert-output'] } },
    { name: 'a falco.yaml that does not parse is withheld: manual, never a guess', k8s: [nodes, ds('falco', 'falco', 2, 2, 'app.kubernetes.io/name: falco'), falcoCm('http_output: [unclosed')].join('---'), expect: { status: 'manual', message: /withheld at collection/ } },
    { name: 'the falco ConfigMap not in the evidence (other ConfigMaps are): manual naming the grant, never a guessed fail', k8s: [nodes, ds('falco', 'falco', 2, 2, 'app.kubernetes.io/name: falco'), '\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: other, namespace: falco }\n'].join('---'), expect: { status: 'manual', message: /configmaps\/falco in falco/ } },
    { name: 'ConfigMaps not readable and no sidekick: manual', k8s: [nodes, ds('falco', 'falco', 2, 2, 'app.kubernetes.io/name: falco')].join('---'), kinds: { 'core/ConfigMap': 'denied' }, expect: { status: 'manual', message: /configmaps\/falco/ } },
    {
      name: 'GuardDuty Runtime Monitoring accepted instead of Falco when configured',
      k8s: nodes, cluster: CLUSTER, config: { thresholds: { ...DEFAULT_THRESHOLDS, acceptGuardDutyRuntimeAsFalco: true } },
      aws: [fact('guardduty', 'GetDetector', { Status: 'ENABLED', ServiceRole: 'r', Features: [{ Name: 'RUNTIME_MONITORING', Status: 'ENABLED' }] }, { DetectorId: 'd1' }), fact('guardduty', 'ListCoverage', { Resources: [{ ResourceId: 'acme-prod', CoverageStatus: 'HEALTHY', ResourceDetails: { EksClusterDetails: { ClusterName: 'acme-prod', CoveredNodes: 2, CompatibleNodes: 2 } } }] })],
      expect: { status: 'pass', passing: ['falco-coverage'] },
    },
    { name: 'nodes not collected: error', k8s: ds('falco', 'falco', 2), kinds: { 'core/Node': 'denied' }, expect: { status: 'error' } },
    {
      // Issue 13: a Fargate-only cluster has no node that can run a DaemonSet.
      name: 'Fargate-only cluster: not applicable, with the reason',
      k8s: ['apiVersion: v1\nkind: Node\nmetadata: { name: fargate-ip-10-0-4-20.eu-west-1.compute.internal, labels: { kubernetes.io/os: linux, eks.amazonaws.com/compute-type: fargate } }\n',
        'apiVersion: v1\nkind: Node\nmetadata: { name: fargate-ip-10-0-5-21.eu-west-1.compute.internal, labels: { kubernetes.io/os: linux, eks.amazonaws.com/compute-type: fargate } }\n', ds('kube-system', 'aws-node', 0)].join('---\n'),
      expect: { status: 'not-applicable', message: /no node can run the Falco DaemonSet: 2 Fargate node/ },
    },
    {
      name: 'sidekick not readable (Deployments denied) and Falco writes to stdout only: error, not a guessed failure',
      k8s: objs([nodes, ds('falco', 'falco', 2, 2, 'app.kubernetes.io/name: falco'), falcoCm('stdout_output:\n  enabled: true')].join('---')), kinds: { 'apps/Deployment': 'denied' },
      expect: { status: 'error', assert: (r) => expect(r.unevaluated.find((u) => u.rule === 'alert-output')?.reason).toMatch(/falcosidekick could not be looked for/) },
    },
    {
      name: 'Falco missing on a node while Deployments were denied: the coverage failure stands',
      k8s: [nodes, ds('falco', 'falco', 1, 1, 'app.kubernetes.io/name: falco')].join('---'), kinds: { 'apps/Deployment': 'denied' },
      expect: { status: 'fail', failing: ['falco-coverage'] },
    },
  ],
});

// ───────────────────────── CC4-SEC-01 GuardDuty ─────────────────────────

const detector = (features: { Name: string; Status: string; AdditionalConfiguration?: unknown[] }[], status = 'ENABLED') => fact('guardduty', 'GetDetector', {
  CreatedAt: '2024-02-01T10:00:00.000Z', FindingPublishingFrequency: 'FIFTEEN_MINUTES', ServiceRole: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`, Status: status, UpdatedAt: daysAgo(20), Tags: {},
  Features: features.map((f) => ({ ...f, UpdatedAt: daysAgo(20) })),
}, { DetectorId: '6ab6e6ee780ed494f3b7ca56acdc74df' });
const detectors = fact('guardduty', 'ListDetectors', { DetectorIds: ['6ab6e6ee780ed494f3b7ca56acdc74df'] });
const coverage = (covered: number, compatible: number, status = 'HEALTHY', issue?: string) => fact('guardduty', 'ListCoverage', {
  Resources: [{ ResourceId: 'acme-prod', DetectorId: '6ab6e6ee780ed494f3b7ca56acdc74df', AccountId: ACCOUNT, CoverageStatus: status, ...(issue ? { Issue: issue } : {}), UpdatedAt: daysAgo(0), ResourceDetails: { ResourceType: 'EKS', EksClusterDetails: { ClusterName: 'acme-prod', CoveredNodes: covered, CompatibleNodes: compatible, AddonDetails: { AddonVersion: 'v1.8.1-eksbuild.2', AddonStatus: 'ACTIVE' }, ManagementType: 'AUTO_MANAGED' } } }],
}, { DetectorId: '6ab6e6ee780ed494f3b7ca56acdc74df', FilterCriteria: { FilterCriterion: [{ CriterionKey: 'EKS_CLUSTER_NAME', FilterCondition: { Equals: ['acme-prod'] } }] } });
const goodFeatures = [{ Name: 'EKS_AUDIT_LOGS', Status: 'ENABLED' }, { Name: 'RUNTIME_MONITORING', Status: 'ENABLED', AdditionalConfiguration: [{ Name: 'EKS_ADDON_MANAGEMENT', Status: 'ENABLED' }] }, { Name: 'EKS_RUNTIME_MONITORING', Status: 'DISABLED' }];

testControl(CC4_SEC_01, {
  valid: [
    { name: 'detector with EKS audit logs and runtime monitoring, all nodes covered', cluster: CLUSTER, aws: [cluster(ALL5), detectors, detector(goodFeatures), coverage(3, 3)], k8s: nodes, expect: { passing: ['detector-enabled', 'eks-audit-logs', 'runtime-monitoring', 'agent-coverage'], assert: (r) => expect(r.notes.join(' ')).toMatch(/Fargate/) } },
    { name: 'no coverage API: the add-on and the DaemonSet prove coverage', cluster: CLUSTER, aws: [detectors, detector(goodFeatures), addon('aws-guardduty-agent')], k8s: [nodes, ds('amazon-guardduty', 'aws-guardduty-agent', 2)].join('---'), expect: { passing: ['agent-coverage'] } },
    {
      name: 'both runtime features enabled: the legacy one keeps billing (a warning)',
      cluster: CLUSTER, aws: [detectors, detector([{ Name: 'EKS_AUDIT_LOGS', Status: 'ENABLED' }, { Name: 'RUNTIME_MONITORING', Status: 'ENABLED' }, { Name: 'EKS_RUNTIME_MONITORING', Status: 'ENABLED' }]), coverage(3, 3)],
      expect: { passing: ['runtime-monitoring'], assert: warns('legacy-runtime-disabled') },
    },
    {
      name: 'coverage proven by ListCoverage while the add-on description was denied: a readable proof stands',
      cluster: CLUSTER, aws: [detectors, detector(goodFeatures), coverage(3, 3)], awsCalls: { 'eks:DescribeAddon': 'denied' },
      expect: { passing: ['agent-coverage'], assert: (r) => expect(r.notes.join(' ')).toMatch(/not readable/) },
    },
  ],
  invalid: [
    { name: 'GuardDuty not enabled in the region', cluster: CLUSTER, aws: [fact('guardduty', 'ListDetectors', { DetectorIds: [] }), fact('guardduty', 'GetDetector', {}), coverage(0, 0)], expect: { failing: ['detector-enabled'] } },
    { name: 'unhealthy coverage with an issue', cluster: CLUSTER, aws: [detectors, detector(goodFeatures), coverage(2, 3, 'UNHEALTHY', 'VPC endpoint creation failed')], expect: { failing: ['agent-coverage'], assert: (r) => expect(r.findings.find((f) => f.rule === 'agent-coverage')?.message).toMatch(/2\/3.*VPC endpoint/) } },
    { name: 'audit logs off, runtime off, agent absent', cluster: CLUSTER, aws: [detectors, detector([{ Name: 'EKS_AUDIT_LOGS', Status: 'DISABLED' }, { Name: 'RUNTIME_MONITORING', Status: 'DISABLED' }])], k8s: nodes, expect: { failing: ['eks-audit-logs', 'runtime-monitoring', 'agent-coverage'] } },
    { name: 'detector suspended', cluster: CLUSTER, aws: [detectors, detector(goodFeatures, 'DISABLED'), coverage(3, 3)], expect: { failing: ['detector-enabled'] } },
    {
      // Issue 13: the EKS add-on description is one alternative proof of agent coverage; its being unreadable must not
      // turn a failure the detector settings prove into `error`.
      name: 'EKS audit logs disabled on the detector while the (unrelated) add-on description was denied: fail',
      cluster: CLUSTER, aws: [detectors, detector([{ Name: 'EKS_AUDIT_LOGS', Status: 'DISABLED' }, { Name: 'RUNTIME_MONITORING', Status: 'ENABLED' }]), coverage(3, 3)], awsCalls: { 'eks:DescribeAddon': 'denied' },
      expect: { failing: ['eks-audit-logs'], passing: ['agent-coverage'] },
    },
    {
      name: 'GetDetector denied but no detector at all in the region: GuardDuty is off (proven by ListDetectors)',
      cluster: CLUSTER, aws: [fact('guardduty', 'ListDetectors', { DetectorIds: [] }), coverage(0, 0)], awsCalls: { 'guardduty:GetDetector': 'denied' },
      expect: { failing: ['detector-enabled'] },
    },
  ],
  other: [
    { name: 'GetDetector denied: error', cluster: CLUSTER, aws: [detectors, coverage(3, 3)], awsCalls: { 'guardduty:GetDetector': 'denied' }, expect: { status: 'error', passing: ['agent-coverage'] } },
    {
      name: 'no agent seen in the readable sources while ListCoverage was denied: error (the coverage API might prove it)',
      cluster: CLUSTER, aws: [detectors, detector(goodFeatures), fact('eks', 'DescribeAddon', {})], awsCalls: { 'guardduty:ListCoverage': 'denied' }, k8s: nodes,
      expect: { status: 'error', notFailing: ['agent-coverage'] },
    },
    { name: 'GuardDutyManaged=false is noted', cluster: CLUSTER, aws: [cluster(ALL5, { tags: { GuardDutyManaged: 'false' } }), detectors, detector(goodFeatures), coverage(3, 3)], expect: { status: 'pass', assert: (r) => expect(r.notes.join(' ')).toMatch(/GuardDutyManaged=false/) } },
  ],
});

// ───────────────────────── CC4-SEC-02 Security Hub ─────────────────────────

const FSBP = `arn:aws:securityhub:${REGION}::standards/aws-foundational-security-best-practices/v/1.0.0`;
const CIS = 'arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0';
const hub = fact('securityhub', 'DescribeHub', { HubArn: `arn:aws:securityhub:${REGION}:${ACCOUNT}:hub/default`, SubscribedAt: '2024-03-01T09:00:00.000Z', AutoEnableControls: true, ControlFindingGenerator: 'SECURITY_CONTROL' });
const standards = (subs: { arn: string; status: string }[]) => fact('securityhub', 'GetEnabledStandards', { StandardsSubscriptions: subs.map((s) => ({ StandardsSubscriptionArn: `arn:aws:securityhub:${REGION}:${ACCOUNT}:subscription/${s.arn.split('/').slice(-3).join('/')}`, StandardsArn: s.arn, StandardsInput: {}, StandardsStatus: s.status })) });
const assoc = (id: string, entries: { arn: string; status: string }[]) => fact('securityhub', 'ListStandardsControlAssociations', { StandardsControlAssociationSummaries: entries.map((e) => ({ StandardsArn: e.arn, SecurityControlId: id, SecurityControlArn: `arn:aws:securityhub:${REGION}:${ACCOUNT}:security-control/${id}`, AssociationStatus: e.status })) }, { SecurityControlId: id });
const allEks = (status = 'ENABLED') => ['EKS.1', 'EKS.2', 'EKS.3', 'EKS.8'].map((id) => assoc(id, [{ arn: FSBP, status }]));

testControl(CC4_SEC_02, {
  valid: [
    { name: 'hub on, FSBP READY, EKS controls enabled, GuardDuty findings aggregated', aws: [hub, standards([{ arn: FSBP, status: 'READY' }]), ...allEks(), fact('securityhub', 'GetFindings', { Findings: [{ ProductArn: `arn:aws:securityhub:${REGION}::product/aws/guardduty`, Id: 'x' }] })], expect: { passing: ['hub-enabled', 'standard-ready', 'eks-controls-enabled'], assert: (r) => expect(r.notes.join(' ')).toMatch(/1 GuardDuty finding/) } },
    {
      name: 'EKS controls from DescribeStandardsControls when associations are not collected',
      aws: [hub, standards([{ arn: CIS, status: 'READY' }]), fact('securityhub', 'DescribeStandardsControls', { Controls: ['EKS.1', 'EKS.2', 'EKS.3', 'EKS.8'].map((c) => ({ ControlId: c, ControlStatus: 'ENABLED' })) }, { StandardsSubscriptionArn: `arn:aws:securityhub:${REGION}:${ACCOUNT}:subscription/aws-foundational-security-best-practices/v/1.0.0` })],
      expect: { passing: ['eks-controls-enabled', 'standard-ready'] },
    },
    {
      name: 'EKS.8 disabled everywhere; EKS.3 only in a standard that is not READY: warnings, the hub operates',
      aws: [hub, standards([{ arn: FSBP, status: 'READY' }, { arn: `arn:aws:securityhub:${REGION}::standards/pci-dss/v/4.0.1`, status: 'INCOMPLETE' }]), assoc('EKS.1', [{ arn: FSBP, status: 'ENABLED' }]), assoc('EKS.2', [{ arn: FSBP, status: 'ENABLED' }]),
        assoc('EKS.3', [{ arn: `arn:aws:securityhub:${REGION}::standards/pci-dss/v/4.0.1`, status: 'ENABLED' }]), assoc('EKS.8', [{ arn: FSBP, status: 'DISABLED' }])],
      expect: { passing: ['standard-ready'], assert: (r) => { warns('eks-controls-enabled')(r); expect(r.findings.filter((f) => f.status === 'warn').map((f) => f.resource.name).sort()).toEqual(['EKS.3', 'EKS.8']); } },
    },
    {
      name: 'hub enabled but the EKS control status not collected: the recommended rule is not evaluated (a note)',
      aws: [hub, standards([{ arn: FSBP, status: 'READY' }])],
      expect: { passing: ['standard-ready'], assert: (r) => expect(r.notes.join(' ')).toMatch(/recommended rule eks-controls-enabled not evaluated/) },
    },
  ],
  invalid: [
    { name: 'hub not enabled (InvalidAccessException = absent)', aws: [standards([])], awsCalls: { 'securityhub:DescribeHub': 'absent' }, expect: { failing: ['hub-enabled'] } },
    { name: 'only NIST enabled; FSBP pending', aws: [hub, standards([{ arn: `arn:aws:securityhub:${REGION}::standards/nist-800-53/v/5.0.0`, status: 'READY' }, { arn: FSBP, status: 'PENDING' }]), ...allEks()], expect: { failing: ['standard-ready'], assert: warns('eks-controls-enabled') } },
    { name: 'no standard READY while the control associations were denied: fail', aws: [hub, standards([{ arn: FSBP, status: 'PENDING' }])], awsCalls: { 'securityhub:ListStandardsControlAssociations': 'denied' }, expect: { failing: ['standard-ready'] } },
  ],
  other: [
    { name: 'DescribeHub denied: error', aws: [standards([])], awsCalls: { 'securityhub:DescribeHub': 'denied' }, expect: { status: 'error' } },
    { name: 'standards denied, hub enabled: error naming the standards', aws: [hub], awsCalls: { 'securityhub:GetEnabledStandards': 'denied' }, expect: { status: 'error', message: /enabled Security Hub standards/, passing: ['hub-enabled'] } },
  ],
});

// ───────────────────────── CC4-SEC-03 metric filters ─────────────────────────

const filters = (list: { name: string; pattern: string; metric: string; group?: string }[]) => fact('logs', 'DescribeMetricFilters', {
  metricFilters: list.map((f) => ({ filterName: f.name, filterPattern: f.pattern, logGroupName: f.group ?? '/aws/eks/acme-prod/cluster', creationTime: 1700000000000, metricTransformations: [{ metricName: f.metric, metricNamespace: 'Security', metricValue: '1', defaultValue: 0 }] })),
}, { logGroupName: '/aws/eks/acme-prod/cluster' });
const alarms = (list: { name: string; metric: string; actions?: string[]; enabled?: boolean; math?: boolean }[]) => fact('cloudwatch', 'DescribeAlarms', {
  MetricAlarms: list.map((a) => ({
    AlarmName: a.name, AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${a.name}`, ActionsEnabled: a.enabled ?? true, AlarmActions: a.actions ?? [`arn:aws:sns:${REGION}:${ACCOUNT}:security-oncall`], OKActions: [], InsufficientDataActions: [],
    StateValue: 'OK', ...(a.math ? { Metrics: [{ Id: 'm1', MetricStat: { Metric: { Namespace: 'Security', MetricName: a.metric, Dimensions: [] }, Period: 300, Stat: 'Sum' }, ReturnData: true }] } : { MetricName: a.metric, Namespace: 'Security', Statistic: 'Sum', Period: 300 }),
    EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
  })), CompositeAlarms: [],
});
const anonymous = { name: 'eks-anonymous', pattern: '{ $.user.username = "system:anonymous" }', metric: 'EksAnonymousRequests' };
const forbidden = { name: 'eks-403', pattern: '{ $.responseStatus.code = 403 }', metric: 'EksForbidden' };

testControl(CC4_SEC_03, {
  valid: [
    { name: 'two alarmed filters on the audit log (one via metric math); manual until the set is attested', cluster: CLUSTER, aws: [cluster(ALL5), filters([anonymous, forbidden]), alarms([{ name: 'eks-anon', metric: 'EksAnonymousRequests' }, { name: 'eks-403', metric: 'EksForbidden', math: true }])], expect: { status: 'manual', passing: ['filter-alarmed', 'security-filter-count', 'audit-log-source'] } },
    {
      name: 'a CloudTrail log group filter without an alarm beside an alarmed audit-log filter: a warning',
      cluster: CLUSTER,
      aws: [cluster(ALL5), filters([anonymous, { name: 'unauthorized-api', pattern: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }', metric: 'UnauthorizedAPICalls', group: 'aws-cloudtrail-logs' }]), alarms([{ name: 'eks-anon', metric: 'EksAnonymousRequests' }]), fact('cloudtrail', 'DescribeTrails', { trailList: [trail()] })],
      expect: { status: 'manual', passing: ['security-filter-count', 'filter-alarmed'], assert: warns('filter-alarmed') },
    },
  ],
  invalid: [
    { name: 'a filter without an alarm, another whose alarm has no actions: none counts', cluster: CLUSTER, aws: [cluster(ALL5), filters([anonymous, forbidden]), alarms([{ name: 'eks-403', metric: 'EksForbidden', actions: [] }])], expect: { failing: ['security-filter-count'], assert: warns('filter-alarmed') } },
    { name: 'audit logging off: the filters see nothing', cluster: CLUSTER, aws: [cluster([{ types: ['api'], enabled: true }]), filters([anonymous]), alarms([{ name: 'a', metric: 'EksAnonymousRequests' }])], expect: { failing: ['audit-log-source'], passing: ['filter-alarmed'] } },
    { name: 'no filters at all', cluster: CLUSTER, aws: [filters([]), alarms([])], expect: { failing: ['security-filter-count'] } },
    {
      name: 'audit logging off while the alarms were denied: the proven failure stands',
      cluster: CLUSTER, aws: [cluster([{ types: ['api'], enabled: true }]), filters([anonymous])], awsCalls: { 'cloudwatch:DescribeAlarms': 'denied' },
      expect: { failing: ['audit-log-source'], assert: (r) => expect(r.unevaluated.map((u) => u.rule).sort()).toEqual(['filter-alarmed', 'security-filter-count']) },
    },
  ],
  other: [
    { name: 'alarms denied: error', aws: [filters([anonymous])], awsCalls: { 'cloudwatch:DescribeAlarms': 'denied' }, expect: { status: 'error' } },
    {
      name: 'DescribeCluster denied, filters alarmed: error (the audit log source is unknown)',
      cluster: CLUSTER, aws: [filters([anonymous]), alarms([{ name: 'a', metric: 'EksAnonymousRequests' }])], awsCalls: { 'eks:DescribeCluster': 'denied' },
      expect: { status: 'error', passing: ['security-filter-count'] },
    },
  ],
});

// ───────────────────────── CC4-SEC-04 dashboards ─────────────────────────

const dashboards = (names: string[]) => fact('cloudwatch', 'ListDashboards', { DashboardEntries: names.map((n) => ({ DashboardName: n, DashboardArn: `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${n}`, LastModified: daysAgo(10), Size: 2048 })) });
const dashboard = (name: string, body: unknown) => fact('cloudwatch', 'GetDashboard', { DashboardName: name, DashboardArn: `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${name}`, DashboardBody: JSON.stringify(body) }, { DashboardName: name });
const grafana = (status: string) => fact('grafana', 'ListWorkspaces', { workspaces: [{ id: 'g-0123456789', name: 'security', status, endpoint: 'g-0123456789.grafana-workspace.eu-west-1.amazonaws.com', grafanaVersion: '10.4', created: daysAgo(100), modified: daysAgo(5), authentication: { providers: ['AWS_SSO'] } }] });

testControl(CC4_SEC_04, {
  valid: [
    {
      name: 'a dashboard with security metrics and an active Grafana workspace (manual until attested)',
      cluster: CLUSTER,
      aws: [dashboards(['eks-security', 'billing']), dashboard('eks-security', { widgets: [{ type: 'metric', properties: { metrics: [['Security', 'EksAnonymousRequests'], ['ContainerInsights', 'node_cpu_utilization', 'ClusterName', 'acme-prod']] } }] }), dashboard('billing', { widgets: [{ type: 'metric', properties: { metrics: [['AWS/Billing', 'EstimatedCharges']] } }] }), grafana('ACTIVE'), filters([anonymous])],
      expect: { status: 'manual', passing: ['security-dashboard', 'grafana-workspace'], assert: (r) => expect(r.notes.join(' ')).toMatch(/billing/) },
    },
  ],
  invalid: [
    // Nothing required can fail here: a broken workspace is a warning and the control still needs its attestation.
    { name: 'the Grafana workspace failed: a warning, and still manual', cluster: CLUSTER, aws: [grafana('CREATION_FAILED')], expect: { status: 'manual', assert: warns('grafana-workspace') } },
  ],
  other: [
    { name: 'nothing found: manual (attach an export)', cluster: CLUSTER, aws: [dashboards([]), fact('grafana', 'ListWorkspaces', { workspaces: [] })], expect: { status: 'manual', message: /attach a dashboard export/ } },
    { name: 'names only (GetDashboard not collected): a dashboard named after the cluster counts', cluster: CLUSTER, aws: [dashboards(['acme-prod-overview'])], expect: { status: 'manual', passing: ['security-dashboard'] } },
    { name: 'attested: pass', cluster: CLUSTER, aws: [dashboards(['acme-prod-overview'])], attestations: [{ control: 'CC4-SEC-04', statement: 'weekly review', attestedBy: 'soc@acme.example', date: '2026-11-01', validUntil: '2027-02-01' }], expect: { status: 'pass' } },
    { name: 'neither source collected: error', k8s: nodes, expect: { status: 'error' } },
    {
      name: 'dashboards denied and no Grafana workspace: manual, and the dashboards are said "not read"',
      cluster: CLUSTER, aws: [fact('grafana', 'ListWorkspaces', { workspaces: [] })], awsCalls: { 'cloudwatch:ListDashboards': 'denied' },
      expect: { status: 'manual', message: /CloudWatch dashboards were not read/ },
    },
  ],
});

it('fixtures folder for CC4 holds a realistic falco.yaml', () => {
  const y = fixture('falco.yaml');
  expect(falcoOutputs(y)).toMatchObject({ http: true, grpc: false });
});

describe('CC4 in the built-in demo', () => {
  it('shows the intended mix, with no evidence errors', () => {
    const now = new Date('2026-11-26T12:00:00Z');
    const { waivers, attestations } = demoPolicies(now);
    const run = evaluate(demoSnapshot('test', now), catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now, sections: ['CC4'], waivers, attestations });
    const by = Object.fromEntries(run.controls.map((c) => [c.id, c]));
    expect(Object.fromEntries(run.controls.map((c) => [c.id, c.status]))).toEqual({
      'CC4-MON-01': 'fail', 'CC4-MON-02': 'pass', 'CC4-MON-03': 'pass', 'CC4-MON-04': 'pass', 'CC4-MON-05': 'fail',
      'CC4-SEC-01': 'pass', 'CC4-SEC-02': 'pass', 'CC4-SEC-03': 'pass', 'CC4-SEC-04': 'manual',
    });
    expect(by['CC4-MON-01']!.findings.find((f) => f.status === 'fail')?.message).toMatch(/controllerManager, scheduler/);
    // Issue 13: the demo trail uses S3 default encryption: the control operates, with a warning.
    expect(by['CC4-MON-02']!.findings.filter((f) => f.status === 'warn').map((f) => f.rule)).toEqual(['trail-encryption']);
    expect(by['CC4-MON-02']!.message).toMatch(/1 warning/);
    expect(by['CC4-MON-05']!.findings.find((f) => f.status === 'fail')?.message).toMatch(/missing on ip-10-0-3-12/);
    expect(by['CC4-SEC-03']!.attestation?.attestedBy).toBe('soc-lead@acme.example');
  });
});
