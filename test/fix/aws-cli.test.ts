import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/catalog/index.js';
import { demoSnapshot } from '../../src/collectors/demo/index.js';
import { evaluate } from '../../src/engine/index.js';
import { defaultConfig, emptySnapshot } from '../../src/model/index.js';
import type { ResourceRef } from '../../src/model/index.js';
import { DECISIONS, FIXERS, fillRemediation, planFixes } from '../../src/fix/index.js';
import { AWS_FIXERS } from '../../src/fix/aws.js';
import { FixContext } from '../../src/fix/context.js';
import { awsInvocations, checkInvocation, serviceModel, xformName } from '../helpers/aws-cli-model.js';

const NOW = new Date('2026-11-26T12:00:00Z');

function problemsOf(commands: readonly string[]): string[] {
  const out: string[] = [];
  for (const cmd of commands) for (const words of awsInvocations(cmd)) for (const p of checkInvocation(words)) out.push(`${p}  ←  ${cmd}`);
  return out;
}

describe('the AWS CLI model read from the SDK packages', () => {
  it('turns operation and member names into the CLI\'s names the way botocore does', () => {
    expect(xformName('UpdateClusterConfig')).toBe('update-cluster-config');
    expect(xformName('GetWebACLForResource')).toBe('get-web-acl-for-resource');
    expect(xformName('S3BucketName')).toBe('s3-bucket-name');
    expect(xformName('HttpPutResponseHopLimit')).toBe('http-put-response-hop-limit');
    expect(xformName('resourcesVpcConfig')).toBe('resources-vpc-config');
    expect(xformName('ListAccessEntries')).toBe('list-access-entries');
  });

  it('knows commands, parameters and required parameters, and rejects made-up ones', () => {
    expect(serviceModel('eks')?.get('update-cluster-config')?.params.get('--name')?.required).toBe(true);
    expect(checkInvocation(['aws', 'eks', 'update-cluster-config', '--name', 'x', '--logging', '{}'])).toEqual([]);
    expect(checkInvocation(['aws', 'eks', 'update-cluster-config', '--cluster-name', 'x'])).toEqual(['eks update-cluster-config has no parameter --cluster-name', 'eks update-cluster-config needs --name']);
    expect(checkInvocation(['aws', 'eks', 'enable-logging', '--name', 'x'])).toEqual(['eks has no command "enable-logging"']);
    expect(checkInvocation(['aws', 'cloudtrail', 'update-trail', '--name', 't', '--no-is-multi-region-trail'])).toEqual([]);
    expect(checkInvocation(['aws', 'eks', 'wait', 'cluster-active', '--name', 'x'])).toEqual([]);
    expect(checkInvocation(['aws', 'eks', 'wait', 'cluster-ready', '--name', 'x'])).toEqual(['eks has no waiter "cluster-ready"']);
    expect(awsInvocations('KEY=$(aws kms create-key --query KeyMetadata.Arn --output text) && aws kms enable-key-rotation --key-id "$KEY"  # rotate').map((w) => w.slice(0, 3).join(' ')))
      .toEqual(['aws kms create-key', 'aws kms enable-key-rotation']);
  });
});

describe('every AWS CLI command eks-soc2 prints is a real command with real parameters', () => {
  it('the catalog\'s remediation commands', () => {
    const commands = catalog.flatMap((c) => c.remediation.commands ?? []);
    expect(commands.flatMap((c) => awsInvocations(c)).length).toBeGreaterThan(40);
    expect(problemsOf(commands)).toEqual([]);
  });

  it('the commands of every fix on the demo environment, and of the scan\'s filled-in remediation', () => {
    const snap = demoSnapshot('t', NOW);
    const run = evaluate(snap, catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: NOW });
    const plan = planFixes(run, snap, { level: 'review', config: defaultConfig(), includeSystem: true });
    const commands = [...plan.commands.map((c) => c.command), ...plan.decisions.flatMap((d) => (d.hint ? [d.hint] : []))];
    expect(commands.length).toBeGreaterThan(3);
    expect(problemsOf(commands)).toEqual([]);
    fillRemediation(run, snap);
    expect(problemsOf(run.controls.flatMap((c) => c.remediation.commands ?? []))).toEqual([]);
  });
});


describe('every AWS fixer', () => {
  const cluster = { name: 'prod', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod', region: 'eu-west-1', accountId: '111122223333' };
  const ref = (kind: string, name: string, extra: Partial<ResourceRef> = {}): ResourceRef => ({ provider: 'aws', kind, name, region: 'eu-west-1', accountId: '111122223333', ...extra });
  /** A failing finding each AWS rule typically reports (resource and message as the check makes them). */
  const SAMPLES: Record<string, [ResourceRef, string][]> = {
    'CC4-MON-01/log-types-enabled': [[ref('AWS::EKS::Cluster', 'prod', { arn: cluster.arn }), 'control plane logs not enabled: audit']],
    'CC4-MON-01/log-group-retention': [[ref('AWS::Logs::LogGroup', '/aws/eks/prod/cluster'), 'retention 30 days']],
    'CC4-MON-01/log-group-encrypted': [[ref('AWS::Logs::LogGroup', '/aws/eks/prod/cluster'), 'no customer KMS key']],
    'CC4-MON-02/multi-region-trail': [[ref('AWS::CloudTrail::Trail', '(no trail)'), 'no trail'], [ref('AWS::CloudTrail::Trail', 'main', { arn: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main' }), 'single-region']],
    'CC4-MON-02/trail-encryption': [[ref('AWS::CloudTrail::Trail', 'main', { arn: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main' }), 'S3 default encryption']],
    'CC4-MON-02/trail-cloudwatch-logs': [[ref('AWS::CloudTrail::Trail', 'main', { arn: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main' }), 'not delivered']],
    'CC4-MON-03/flow-logs-enabled': [[ref('AWS::EC2::VPC', 'vpc-0abc'), 'no flow log']],
    'CC4-SEC-01/detector-enabled': [[ref('AWS::GuardDuty::Detector', '(none in eu-west-1)'), 'not enabled'], [ref('AWS::GuardDuty::Detector', 'd0123'), 'detector is DISABLED']],
    'CC4-SEC-01/eks-audit-logs': [[ref('AWS::GuardDuty::Detector', 'd0123'), 'EKS audit log monitoring is DISABLED']],
    'CC4-SEC-01/runtime-monitoring': [[ref('AWS::GuardDuty::Detector', 'd0123'), 'Runtime Monitoring is not enabled']],
    'CC4-SEC-01/agent-coverage': [[ref('AWS::EKS::Cluster', 'prod'), 'the GuardDuty security agent is not installed and automated agent management (EKS_ADDON_MANAGEMENT) is off']],
    'CC4-SEC-02/hub-enabled': [[ref('AWS::SecurityHub::Hub', '(not enabled in eu-west-1)'), 'Security Hub is not enabled']],
    'CC4-SEC-02/standard-ready': [[ref('AWS::SecurityHub::Hub', 'default'), 'neither AWS Foundational Security Best Practices nor CIS AWS Foundations is enabled']],
    'CC4-SEC-02/eks-controls-enabled': [[ref('AWS::SecurityHub::SecurityControl', 'EKS.8'), 'EKS.8 is not enabled in any READY standard']],
    'CC5-IAM-04/endpoint-public-access': [[ref('AWS::EKS::Cluster', 'prod', { arn: cluster.arn }), 'public endpoint is open']],
    'CC5-IAM-04/endpoint-private-access': [[ref('AWS::EKS::Cluster', 'prod', { arn: cluster.arn }), 'private endpoint access is off']],
    'CC9-ENC-01/secrets-cmk': [[ref('AWS::EKS::Cluster', 'prod', { arn: cluster.arn }), 'no encryptionConfig']],
    'CC9-ENC-01/key-usable': [[ref('AWS::KMS::Key', 'k1', { arn: 'arn:aws:kms:eu-west-1:111122223333:key/k1' }), 'key state PendingDeletion (deletion scheduled 2027-01-01)']],
    'CC9-ENC-01/key-rotation': [[ref('AWS::KMS::Key', 'k1', { arn: 'arn:aws:kms:eu-west-1:111122223333:key/k1' }), 'automatic key rotation is off']],
    'CC9-ENC-01/key-customer-managed': [[ref('AWS::KMS::Key', 'k1'), 'key managed by AWS']],
    'P1-IAM-07/imds-v2': [[ref('AWS::EC2::Instance', 'i-0123456789abcdef0'), 'HttpTokens optional']],
    'P1-IAM-07/imds-hop-limit': [[ref('AWS::EC2::Instance', 'i-0123456789abcdef0'), 'hop limit 2']],
    'P1-IAM-04/creator-admin': [[ref('AWS::EKS::AccessEntry', 'x'), 'creator entry arn:aws:iam::111122223333:role/creator (created with the cluster) still holds AmazonEKSClusterAdminPolicy: delete it']],
    'CC3-RA-02/registry-scan-rule': [[ref('AWS::ECR::Registry', '111122223333'), 'BASIC scanning with no rule']],
    'CC3-RA-02/inspector-ecr-enabled': [[ref('AWS::Inspector2::Account', '111122223333'), 'not enabled']],
    'CC3-RA-02/basic-scan-engine': [[ref('AWS::ECR::Registry', '111122223333'), 'Clair']],
    'CC6-NET-03/policy-engine': [[ref('AWS::EKS::Cluster', 'prod'), 'no network-policy engine']],
  };

  it('is exercised here, and prints only real AWS CLI commands, with the known values filled in', () => {
    const snap = emptySnapshot('t', NOW);
    snap.cluster = cluster;
    snap.aws = { source: 'files', region: 'eu-west-1', accountId: '111122223333', calls: {}, facts: [
      { service: 'eks', operation: 'DescribeCluster', region: 'eu-west-1', output: { cluster: { name: 'prod', arn: cluster.arn, logging: { clusterLogging: [{ types: ['api'], enabled: true }] } } } },
      { service: 'cloudtrail', operation: 'DescribeTrails', region: 'eu-west-1', output: { trailList: [{ Name: 'main', TrailARN: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main', HomeRegion: 'eu-west-1', IsMultiRegionTrail: false, LogFileValidationEnabled: false }] } },
      { service: 'cloudtrail', operation: 'GetTrailStatus', region: 'eu-west-1', params: { Name: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main' }, output: { IsLogging: false } },
      { service: 'guardduty', operation: 'ListDetectors', region: 'eu-west-1', output: { DetectorIds: ['d0123'] } },
      { service: 'eks', operation: 'DescribeAddon', region: 'eu-west-1', output: { addon: { addonName: 'vpc-cni' } } },
    ] };
    const run = evaluate(snap, [], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: NOW });
    const ctx = new FixContext(run, snap, defaultConfig());
    const commands: string[] = [];
    const keys = Object.entries(AWS_FIXERS).flatMap(([c, rules]) => Object.keys(rules).map((r) => `${c}/${r}`)).filter((k) => k !== 'P1-IAM-07/nodeclass-metadata');
    for (const key of keys) {
      const [control, rule] = key.split('/') as [string, string];
      expect(SAMPLES[key], `a sample finding for ${key}`).toBeDefined();
      for (const [resource, message] of SAMPLES[key]!) {
        const outcomes = AWS_FIXERS[control]![rule]!({ rule, status: 'fail', severity: 'high', resource, message }, ctx);
        expect(outcomes.length, key).toBeGreaterThan(0);
        for (const o of outcomes) {
          if (o.type === 'command') {
            commands.push(o.command);
            expect(o.command, key).not.toMatch(/\$(CLUSTER_NAME|AWS_REGION|ACCOUNT_ID)\b/);
            // Every placeholder left is explained.
            for (const p of o.command.match(/\$[A-Z][A-Z_]+/g) ?? []) expect(o.needs?.map((n) => n.placeholder) ?? [], `${key}: ${p}`).toContain(p);
          } else if (o.type === 'decision' && o.hint) {
            commands.push(o.hint);
          }
        }
      }
    }
    expect(commands.length).toBeGreaterThan(30);
    expect(problemsOf(commands)).toEqual([]);
  });
});

describe('the fixer registry', () => {
  it('names only controls and rules of the catalog (a renamed rule must not silently lose its fix)', () => {
    const missing: string[] = [];
    for (const table of [FIXERS, DECISIONS]) {
      for (const [control, rules] of Object.entries(table)) {
        const c = catalog.find((x) => x.id === control);
        for (const rule of Object.keys(rules)) if (!c?.rules?.[rule]) missing.push(`${control}/${rule}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
