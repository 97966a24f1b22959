import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLANS } from '../../../src/collectors/aws/registry.js';
import { ACCOUNT, CLUSTER, CLUSTER_ARN, REGION, SHARED_ACCOUNT, installDemoAccount, mockAll, restoreAll, sentActions } from '../../fixtures/aws/demo-account.js';
import type { Mocks } from '../../fixtures/aws/demo-account.js';
import * as eks from '@aws-sdk/client-eks';
import * as ecr from '@aws-sdk/client-ecr';
import * as gd from '@aws-sdk/client-guardduty';
import * as sh from '@aws-sdk/client-securityhub';
import * as iam from '@aws-sdk/client-iam';
import * as cfg from '@aws-sdk/client-config-service';
import * as ct from '@aws-sdk/client-cloudtrail';
import * as ec2 from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { awsError, run } from './helpers.js';

let m: Mocks;
beforeEach(() => { m = installDemoAccount(mockAll()); });
afterEach(() => restoreAll(m));

const ALL = PLANS.filter((p) => !p.optIn).map((p) => p.key);

describe('full plan against the demo account', () => {
  it('collects every operation, with facts shaped like the contract', async () => {
    const { snapshot, problem } = await run(ALL);
    expect(problem).toBeUndefined();
    expect(snapshot.gaps).toEqual([]);
    for (const k of ALL) expect(snapshot.aws.calls[k]?.state, k).toBe('collected');
    expect(snapshot.aws.source).toBe('live');
    expect(snapshot.aws.accountId).toBe(ACCOUNT);
    expect(snapshot.aws.region).toBe(REGION);
    expect(snapshot.cluster).toMatchObject({ name: CLUSTER, arn: CLUSTER_ARN, accountId: ACCOUNT, region: REGION });
    expect(snapshot.collector.identity).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/eks-soc2-auditor/eks-soc2`);
    const text = JSON.stringify(snapshot.aws.facts);
    expect(text).not.toContain('$metadata');
    expect(text).not.toMatch(/"(NextToken|nextToken|Marker|IsTruncated)"/);
    // one fact per call target
    expect(snapshot.aws.facts.filter((f) => f.operation === 'DescribeAddon')).toHaveLength(8);
    expect(snapshot.aws.calls['eks:DescribeAddon']).toEqual({ state: 'collected', count: 8, detail: REGION });
    const addon = snapshot.aws.facts.find((f) => f.operation === 'DescribeAddon' && f.params?.addonName === 'vpc-cni')!;
    expect(addon).toMatchObject({ service: 'eks', region: REGION, accountId: ACCOUNT, params: { clusterName: CLUSTER, addonName: 'vpc-cni' } });
    expect((addon.output as { addon: { createdAt: string } }).addon.createdAt).toBe('2026-01-10T08:00:00.000Z');
    // IAM is global: no region on its facts
    expect(snapshot.aws.facts.find((f) => f.service === 'iam')!.region).toBeUndefined();
    expect(snapshot.aws.calls['iam:GetRole']!.detail).toBe('global');
    // blobs as base64 (as the AWS CLI prints them)
    const report = snapshot.aws.facts.find((f) => f.operation === 'GetCredentialReport')!.output as { Content: string };
    expect(Buffer.from(report.Content, 'base64').toString()).toMatch(/^user,arn,/);
    // the snapshot is plain JSON
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('chooses targets from the cluster and from other operations', async () => {
    const { snapshot } = await run(ALL);
    const params = (op: string) => snapshot.aws.facts.filter((f) => f.operation === op).map((f) => f.params);
    expect(params('DescribeInstances')).toEqual([{ Filters: [{ Name: 'instance-id', Values: ['i-0a1b2c3d4e5f00001', 'i-0a1b2c3d4e5f00002', 'i-0a1b2c3d4e5f00003'] }] }]);
    expect(params('DescribeVolumes')).toEqual([{ Filters: [{ Name: 'volume-id', Values: ['vol-0a1b2c3d4e5f60001', 'vol-0a1b2c3d4e5f60002'] }] }]);
    expect(params('GetTrailStatus').map((p) => p?.Name)).toEqual([`arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`, `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/acme-eu`]);
    // the organization trail is read in its home region
    expect(snapshot.aws.facts.find((f) => f.operation === 'GetTrailStatus' && String(f.params?.Name).includes('org-trail'))!.region).toBe('us-east-1');
    expect(params('GetWebACLForResource')).toHaveLength(1); // the ALB in the cluster VPC only
    const roles = params('GetRole').map((p) => p?.RoleName).sort();
    expect(roles).toEqual(['AmazonEKS_CNI_Role', 'AmazonEKS_EBS_CSI_DriverRole', 'KarpenterNodeRole-acme-prod', 'acme-prod-cluster-role', 'acme-prod-fargate', 'acme-prod-node-role', 'payments-api-irsa', 'storefront-pod-identity']);
    // documents of customer managed policies only
    expect(params('GetPolicy')).toEqual([{ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/payments-data` }]);
    expect(roles).not.toContain('cross-account-reader');
    expect(params('DescribeKey').map((p) => p?.KeyId)).toEqual([
      `arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/ebs`, `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      `arn:aws:kms:${REGION}:${ACCOUNT}:key/2222abcd-12ab-34cd-56ef-1234567890ab`, `arn:aws:kms:us-east-1:${ACCOUNT}:key/3333abcd-12ab-34cd-56ef-1234567890ab`,
    ]);
    // rotation status only for customer managed keys
    expect(params('GetKeyRotationStatus')).toHaveLength(3);
    // CloudTrail: EKS write events by name, the cluster's security groups, GenerateDataKey
    const lookups = params('LookupEvents').map((p) => (p?.LookupAttributes as { AttributeKey: string; AttributeValue: string }[])[0]);
    expect(lookups).toContainEqual({ AttributeKey: 'EventName', AttributeValue: 'UpdateClusterVersion' });
    expect(lookups).toContainEqual({ AttributeKey: 'ResourceName', AttributeValue: 'sg-0eksclustersg00001' });
    expect(lookups).toContainEqual({ AttributeKey: 'EventName', AttributeValue: 'GenerateDataKey' });
    expect(params('DescribeTags')).toEqual([{ ResourceArns: [expect.stringContaining('k8s-storefro-web'), expect.stringContaining('intranet')] }]);
    expect(params('GetManagedPrefixListEntries')).toEqual([{ PrefixListId: 'pl-0a1b2c3d4e5f60001' }]);
    expect(params('ListClusters')).toHaveLength(17);
    // ECR: one DescribeImages per repository, the shared registry read in its own account and region
    const images = snapshot.aws.facts.filter((f) => f.operation === 'DescribeImages');
    expect(images.map((f) => [f.region, f.params?.registryId ?? ACCOUNT, f.params?.repositoryName]).sort()).toEqual([
      [REGION, ACCOUNT, 'legacy-app'], [REGION, ACCOUNT, 'payments-api'], [REGION, ACCOUNT, 'storefront-web'], ['us-east-1', SHARED_ACCOUNT, 'shared/nginx'],
    ]);
    expect(images.find((f) => f.params?.repositoryName === 'storefront-web')!.params!.imageIds).toHaveLength(2);
    expect(images.find((f) => f.params?.repositoryName === 'legacy-app')!.params!.imageIds).toEqual([{ imageTag: 'v3' }]);
    expect(images.find((f) => f.params?.registryId === SHARED_ACCOUNT)!.accountId).toBe(SHARED_ACCOUNT);
    const repos = snapshot.aws.facts.filter((f) => f.operation === 'DescribeRepositories').map((f) => [f.region, f.params]);
    expect(repos).toEqual([[REGION, {}], ['us-east-1', { registryId: SHARED_ACCOUNT }]]);
  });

  it('every client carries the read-only guard and adaptive retries', async () => {
    await run(['eks:DescribeCluster', 'ec2:DescribeVpcs', 'iam:GetAccountSummary']);
    for (const stub of [m.eks, m.ec2, m.iam]) {
      const client = stub.calls()[0]!.thisValue as { middlewareStack: { identify(): string[] }; config: { maxAttempts: () => Promise<number>; retryStrategy: () => Promise<{ mode: string }> } };
      expect(client.middlewareStack.identify().some((x) => x.startsWith('eksSoc2ReadOnlyGuard'))).toBe(true);
      expect(await client.config.maxAttempts()).toBe(5);
      expect((await client.config.retryStrategy()).mode).toBe('adaptive');
    }
  });

  it('sends only read commands, and the identity call first', async () => {
    await run(ALL);
    const sent = sentActions(m);
    for (const a of sent.keys()) expect(a, a).toMatch(/^[a-z0-9]+:(Describe|List|Get|BatchGet|GenerateCredentialReport|LookupEvents)/);
    expect(m.sts.calls()[0]).toBeDefined();
  });
});

describe('each operation on its own', () => {
  for (const key of ALL) {
    it(`${key}: collected with its dependencies`, async () => {
      const { snapshot } = await run([key]);
      expect(snapshot.gaps).toEqual([]);
      expect(snapshot.aws.calls[key]?.state).toBe('collected');
      expect(snapshot.aws.calls[key]!.count).toBeGreaterThan(0);
      const facts = snapshot.aws.facts.filter((f) => `${f.service}:${f.operation}` === key);
      expect(facts.length).toBe(snapshot.aws.calls[key]!.count);
      for (const f of facts) expect(Object.keys(f.output).length, key).toBeGreaterThan(0);
    });
  }
});

describe('load balancers of the cluster', () => {
  it('those in the cluster VPC, and those tagged for the cluster elsewhere', async () => {
    const elb = await import('@aws-sdk/client-elastic-load-balancing-v2');
    m.elasticloadbalancing.on(elb.DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => ({ TagDescriptions: input.ResourceArns.map((a) => ({ ResourceArn: a, Tags: [{ Key: 'elbv2.k8s.aws/cluster', Value: CLUSTER }] })) }));
    const { snapshot } = await run(['wafv2:GetWebACLForResource', 'elasticloadbalancing:DescribeListeners', 'ec2:DescribeSecurityGroupRules', 'elasticloadbalancing:DescribeTags']);
    expect(snapshot.aws.facts.filter((f) => f.operation === 'GetWebACLForResource')).toHaveLength(2);
    expect(snapshot.aws.facts.filter((f) => f.operation === 'DescribeListeners')).toHaveLength(2);
    expect(JSON.stringify(snapshot.aws.facts.find((f) => f.operation === 'DescribeSecurityGroupRules')!.params)).toContain('sg-0other0000000001');
  });
});

describe('pagination', () => {
  it('merges pages: list members concatenated, tokens dropped', async () => {
    const { snapshot } = await run(['config:DescribeConfigRules', 'cloudtrail:LookupEvents']);
    const rules = snapshot.aws.facts.find((f) => f.operation === 'DescribeConfigRules')!;
    expect((rules.output.ConfigRules as { ConfigRuleName: string }[]).map((r) => r.ConfigRuleName)).toEqual(['eks-endpoint-no-public-access', 'eks-secrets-encrypted', 'eks-cluster-log-enabled']);
    expect(rules.output.NextToken).toBeUndefined();
    expect(m.config.commandCalls(cfg.DescribeConfigRulesCommand)).toHaveLength(2);
    const events = snapshot.aws.facts.find((f) => f.operation === 'LookupEvents' && (f.params?.LookupAttributes as { AttributeValue: string }[])[0]!.AttributeValue === 'UpdateClusterVersion')!;
    expect((events.output.Events as { EventId: string }[]).map((e) => e.EventId)).toEqual(['e-1', 'e-2']);
    expect(events.params).toMatchObject({ StartTime: '2026-08-28T12:00:00.000Z', EndTime: '2026-11-26T12:00:00.000Z' });
  });

  it('a bounded read stops at its page limit and keeps the token', async () => {
    let n = 0;
    m.cloudtrail.on(ct.LookupEventsCommand).callsFake(() => ({ Events: [{ EventId: `x-${n++}` }], NextToken: `t-${n}` }));
    const { snapshot } = await run(['cloudtrail:LookupEvents']);
    const f = snapshot.aws.facts.find((x) => x.operation === 'LookupEvents' && JSON.stringify(x.params).includes('UpdateClusterVersion'))!;
    expect((f.output.Events as unknown[]).length).toBe(20);
    expect(typeof f.output.NextToken).toBe('string');
    expect(snapshot.aws.calls['cloudtrail:LookupEvents']!.state).toBe('collected');
  });
});

describe('"not enabled" is evidence', () => {
  it('Security Hub not subscribed: absent, no error, and the dependent calls are not made', async () => {
    m.securityhub.on(sh.DescribeHubCommand).rejects(awsError('InvalidAccessException', 'Account 111122223333 is not subscribed to AWS Security Hub'));
    const { snapshot } = await run(['securityhub:DescribeHub', 'securityhub:GetEnabledStandards', 'securityhub:GetFindings', 'securityhub:ListStandardsControlAssociations']);
    expect(snapshot.gaps).toEqual([]);
    for (const k of ['securityhub:DescribeHub', 'securityhub:GetEnabledStandards', 'securityhub:GetFindings', 'securityhub:ListStandardsControlAssociations']) expect(snapshot.aws.calls[k]!.state, k).toBe('absent');
    expect(m.securityhub.commandCalls(sh.GetFindingsCommand)).toHaveLength(0);
  });

  it('GuardDuty without a detector: ListDetectors collected empty, GetDetector absent', async () => {
    m.guardduty.on(gd.ListDetectorsCommand).resolves({ DetectorIds: [] });
    const { snapshot } = await run(['guardduty:GetDetector', 'guardduty:ListCoverage']);
    expect(snapshot.aws.calls['guardduty:ListDetectors']).toMatchObject({ state: 'collected', count: 1 });
    expect(snapshot.aws.facts.find((f) => f.operation === 'ListDetectors')!.output).toEqual({ DetectorIds: [] });
    expect(snapshot.aws.calls['guardduty:GetDetector']!.state).toBe('absent');
    expect(snapshot.aws.calls['guardduty:ListCoverage']!.state).toBe('absent');
    expect(snapshot.gaps).toEqual([]);
  });

  it('ECR without a signing configuration: an output without signingConfiguration', async () => {
    m.ecr.on(ecr.GetSigningConfigurationCommand).rejects(awsError('SigningConfigurationNotFoundException', 'The signing configuration does not exist'));
    const { snapshot } = await run(['ecr:GetSigningConfiguration']);
    expect(snapshot.aws.calls['ecr:GetSigningConfiguration']!.state).toBe('collected');
    expect(snapshot.aws.facts.filter((f) => f.operation === 'GetSigningConfiguration').map((f) => f.output)).toEqual([{ registryId: ACCOUNT }, { registryId: ACCOUNT }].slice(0, snapshot.aws.calls['ecr:GetSigningConfiguration']!.count));
    expect(snapshot.gaps).toEqual([]);
  });
});

describe('gaps, not crashes', () => {
  it('a failed dependency makes its dependents a gap that names it', async () => {
    m.eks.on(eks.ListAddonsCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform: eks:ListAddons', 403));
    const { snapshot } = await run(['eks:DescribeAddon', 'eks:DescribeCluster']);
    expect(snapshot.aws.calls['eks:ListAddons']!.state).toBe('denied');
    expect(snapshot.aws.calls['eks:DescribeAddon']!.state).toBe('denied');
    expect(snapshot.aws.calls['eks:DescribeCluster']!.state).toBe('collected');
    const g = snapshot.gaps.find((x) => x.key === 'eks:DescribeAddon')!;
    expect(g.message).toContain('eks:ListAddons');
  });

  it('a role the cluster refers to that does not exist is recorded, not an error', async () => {
    m.iam.on(iam.GetRoleCommand, { RoleName: 'payments-api-irsa' }).rejects(awsError('NoSuchEntity', 'The role with name payments-api-irsa cannot be found.', 404));
    const { snapshot } = await run(['iam:GetRole']);
    expect(snapshot.aws.calls['iam:GetRole']!.state).toBe('collected');
    const g = snapshot.gaps.find((x) => x.key === 'iam:GetRole')!;
    expect(g).toMatchObject({ reason: 'not-found', target: 'iam:GetRole payments-api-irsa' });
  });

  it('a trail whose status cannot be read is a gap for that trail; the operation stays collected', async () => {
    m.cloudtrail.on(ct.GetTrailStatusCommand, { Name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` }).rejects(awsError('TrailNotFoundException', 'Unknown trail: org-trail for the user: 111122223333'));
    const { snapshot } = await run(['cloudtrail:GetTrailStatus']);
    expect(snapshot.aws.calls['cloudtrail:GetTrailStatus']).toMatchObject({ state: 'collected', count: 1 });
    expect(snapshot.gaps).toEqual([expect.objectContaining({ key: 'cloudtrail:GetTrailStatus', target: 'cloudtrail:GetTrailStatus org-trail in us-east-1' })]);
  });

  it('DescribeImages retries one image at a time when one of a batch is gone', async () => {
    m.ecr.on(ecr.DescribeImagesCommand, { repositoryName: 'storefront-web' }).callsFake((input: { imageIds: { imageDigest: string }[] }) => {
      if (input.imageIds.length > 1 || input.imageIds[0]!.imageDigest.startsWith('sha256:dddd')) throw awsError('ImageNotFoundException', 'The image requested does not exist in the specified repository.');
      return { imageDetails: [{ repositoryName: 'storefront-web', imageDigest: input.imageIds[0]!.imageDigest }] };
    });
    const { snapshot } = await run(['ecr:DescribeImages']);
    expect(snapshot.aws.calls['ecr:DescribeImages']!.state).toBe('collected');
    const web = snapshot.aws.facts.filter((f) => f.params?.repositoryName === 'storefront-web');
    expect(web).toHaveLength(1);
    expect(snapshot.gaps.filter((g) => g.reason === 'not-found')).toHaveLength(1);
  });

  it('throttling that outlasts the retries is a gap with reason throttled', async () => {
    m.ec2.on(ec2.DescribeFlowLogsCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503));
    const { snapshot } = await run(['ec2:DescribeFlowLogs']);
    expect(snapshot.aws.calls['ec2:DescribeFlowLogs']!.state).toBe('error');
    expect(snapshot.gaps[0]).toMatchObject({ source: 'aws', key: 'ec2:DescribeFlowLogs', reason: 'throttled', permission: 'ec2:DescribeFlowLogs' });
    expect(snapshot.gaps[0]!.message).toContain('throttled');
  });

  it('network failure on the first call stops the collection with one reason for every key', async () => {
    m.sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }));
    const { snapshot, problem } = await run(['eks:DescribeCluster', 'ec2:DescribeVpcs']);
    expect(problem?.reason).toBe('network');
    expect(snapshot.gaps.map((g) => [g.key, g.reason])).toEqual([['eks:DescribeCluster', 'network'], ['ec2:DescribeVpcs', 'network']]);
    expect(m.eks.calls()).toHaveLength(0);
  });

  it('a timeout is a gap with reason timeout', async () => {
    m.eks.on(eks.DescribeClusterCommand).rejects(Object.assign(new Error('Connection timed out after 60000 ms'), { name: 'TimeoutError' }));
    const { snapshot } = await run(['eks:DescribeCluster']);
    expect(snapshot.gaps[0]).toMatchObject({ reason: 'timeout', key: 'eks:DescribeCluster' });
  });

  it('a cluster that does not exist is an error gap naming the flags', async () => {
    m.eks.on(eks.DescribeClusterCommand).rejects(awsError('ResourceNotFoundException', 'No cluster found for name: acme-prod.', 404));
    const { snapshot } = await run(['eks:DescribeCluster']);
    expect(snapshot.aws.calls['eks:DescribeCluster']!.state).toBe('error');
    expect(snapshot.gaps[0]!.fix).toContain('--cluster');
  });

  it('an evidence key the registry does not know is a gap, never ignored', async () => {
    const { snapshot } = await run(['eks:DescribeCluster', 'rds:DescribeDBInstances']);
    expect(snapshot.aws.calls['rds:DescribeDBInstances']!.state).toBe('error');
    expect(snapshot.gaps).toEqual([expect.objectContaining({ key: 'rds:DescribeDBInstances', reason: 'unsupported', message: expect.stringContaining('not supported by this collector version') })]);
  });
});

describe('regions and accounts', () => {
  it('reads a cluster in another region than the default with clients of that region', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    try {
      const { snapshot } = await run(['eks:DescribeCluster', 'ec2:DescribeVpcs'], { region: 'us-east-2' });
      const regions = await Promise.all(m.eks.calls().map((c) => (c.thisValue as { config: { region: () => Promise<string> } }).config.region()));
      expect(new Set(regions)).toEqual(new Set(['us-east-2']));
      expect(snapshot.aws.region).toBe('us-east-2');
      expect(snapshot.aws.facts.every((f) => f.region === 'us-east-2')).toBe(true);
    } finally {
      delete process.env.AWS_REGION;
    }
  });

  it('an ECR registry of another account is read in its account and region; denied there is a gap, not a failure', async () => {
    m.ecr.on(ecr.DescribeImagesCommand, { registryId: SHARED_ACCOUNT }).rejects(awsError('AccessDeniedException', `User is not authorized to perform: ecr:DescribeImages on resource: arn:aws:ecr:us-east-1:${SHARED_ACCOUNT}:repository/shared/nginx`, 400));
    const { snapshot, problem } = await run(['ecr:DescribeImages']);
    expect(problem).toBeUndefined();
    expect(snapshot.aws.calls['ecr:DescribeImages']).toMatchObject({ state: 'partial', count: 3 });
    const g = snapshot.gaps.find((x) => x.key === 'ecr:DescribeImages')!;
    expect(g).toMatchObject({ reason: 'access-denied', permission: 'ecr:DescribeImages' });
    expect(g.target).toContain('us-east-1');
    const shared = m.ecr.commandCalls(ecr.DescribeImagesCommand).find((c) => c.args[0].input.registryId === SHARED_ACCOUNT)!;
    expect(await (shared.thisValue as { config: { region: () => Promise<string> } }).config.region()).toBe('us-east-1');
  });
});
