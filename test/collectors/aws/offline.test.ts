import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AwsEvidenceDirError, loadAwsEvidence, offlineFileName } from '../../../src/collectors/aws/offline.js';
import { findPlan } from '../../../src/collectors/aws/registry.js';
import { collectFiles } from '../../../src/collectors/files/read.js';
import type { AwsFact } from '../../../src/model/index.js';
import { emptySnapshot } from '../../../src/model/index.js';

const DIR = new URL('../../fixtures/aws/evidence', import.meta.url).pathname;
const KUBESCAPE = new URL('../../fixtures/aws/kubescape', import.meta.url).pathname;
const CORPUS = '/work/shared/corpus';
const fresh = () => emptySnapshot('test', new Date('2026-11-26T12:00:00Z'));
const keys = (...ops: string[]) => new Set(ops.map((o) => `aws:${o}`));
const fact = (facts: AwsFact[], op: string, pred: (f: AwsFact) => boolean = () => true) => facts.find((f) => f.operation === op && pred(f));

describe('--aws-evidence DIR (AWS CLI JSON outputs)', () => {
  it('reads one fact per file, target in the file name → params, dates normalised to ISO UTC', async () => {
    const s = await loadAwsEvidence(fresh(), { dir: DIR, keys: keys('eks:DescribeCluster', 'eks:DescribeAddon', 'cloudtrail:GetTrailStatus', 'guardduty:GetDetector', 'wafv2:GetWebACLForResource') });
    const f = s.aws.facts;
    expect(s.aws.source).toBe('files');
    const cluster = fact(f, 'DescribeCluster')!;
    expect(cluster).toMatchObject({ service: 'eks', region: 'eu-west-1', accountId: '111122223333' });
    expect(cluster.params).toBeUndefined();
    const c = (cluster.output as { cluster: { createdAt: string; tags: Record<string, string> } }).cluster;
    expect(c.createdAt).toBe('2024-03-14T15:31:44.348Z');
    expect(c.tags['created-on']).toBe('2024-03-14T11:31:44-04:00'); // tag values are data, never re-dated
    expect(fact(f, 'DescribeAddon', (x) => x.params?.addonName === 'vpc-cni')!.output).toMatchObject({ addon: { createdAt: '2025-01-10T09:00:00.000Z', modifiedAt: '2026-11-20T09:30:00.123Z' } });
    // AWS CLI v1 prints epoch seconds for JSON-protocol timestamps
    expect(fact(f, 'DescribeAddon', (x) => x.params?.addonName === 'coredns')!.output).toMatchObject({ addon: { createdAt: '2025-01-10T09:00:00.000Z' } });
    expect(fact(f, 'GetTrailStatus')!.params).toEqual({ Name: 'acme-eu' });
    expect(fact(f, 'GetDetector')!.params).toEqual({ DetectorId: '12abc34d567e8fa901bc2d34e56789f0' });
    // percent-encoded ARN in the file name
    expect(fact(f, 'GetWebACLForResource')!).toMatchObject({ params: { ResourceArn: 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/k8s-storefro-web-0a1b2c3d4e/50dc6c495c0c9188' }, output: {} });
    // AWS CLI service names (elbv2) are accepted
    expect(fact(f, 'DescribeLoadBalancers')!.service).toBe('elasticloadbalancing');
    // a region as the target of an operation without a resource member
    expect(fact(f, 'GetEbsEncryptionByDefault')!).toMatchObject({ region: 'eu-west-1' });
    expect(fact(f, 'GetEbsEncryptionByDefault')!.params).toBeUndefined();
    expect(s.aws.calls['eks:DescribeAddon']).toEqual({ state: 'collected', count: 2, detail: 'eu-west-1' });
    expect(s.cluster).toMatchObject({ name: 'acme-prod', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/acme-prod', accountId: '111122223333', region: 'eu-west-1' });
    expect(s.collector.inputs).toContain(DIR);
  });

  it('a saved "not enabled" error is evidence: Security Hub not subscribed → absent', async () => {
    const s = await loadAwsEvidence(fresh(), { dir: DIR, keys: keys('securityhub:DescribeHub', 'securityhub:GetEnabledStandards') });
    expect(s.aws.calls['securityhub:DescribeHub']).toMatchObject({ state: 'absent', count: 0 });
    expect(s.aws.calls['securityhub:GetEnabledStandards']!.state).toBe('absent');
    expect(s.gaps.filter((g) => g.key?.startsWith('securityhub'))).toEqual([]);
  });

  it('malformed files are gaps with the file name (and line); the rest is read', async () => {
    const s = await loadAwsEvidence(fresh(), { dir: DIR, keys: keys('eks:DescribeCluster') });
    const byFile = (name: string) => s.gaps.find((g) => g.target === join(DIR, name));
    expect(byFile('eks-describe-insight.json')).toMatchObject({ reason: 'parse-error', line: expect.any(Number) });
    expect(byFile('eks-describe-insight.json')!.message).toContain('eks-describe-insight.json');
    expect(byFile('eks-describe-insight.json')!.line).toBeGreaterThanOrEqual(6);
    expect(byFile('cluster-notes.json')).toMatchObject({ reason: 'unsupported' });
    expect(byFile('rds-describe-db-instances.json')).toMatchObject({ reason: 'unsupported' });
    expect(byFile('eks-list-fargate-profiles.json')).toMatchObject({ reason: 'invalid', message: expect.stringContaining('JSON object') });
    expect(byFile('README.txt')).toBeUndefined();
    expect(s.aws.calls['eks:DescribeCluster']!.state).toBe('collected');
  });

  it('a named pipe (or socket, device) in the directory is skipped with a gap, never opened (issue 18 item 11)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-aws-fifo-'));
    try {
      cpSync(join(DIR, 'eks-describe-cluster.json'), join(dir, 'eks-describe-cluster.json'));
      // Opening a FIFO nobody writes to blocks forever: were it read, this test would time out.
      execFileSync('mkfifo', [join(dir, 'eks-list-addons.json')]);
      const s = await loadAwsEvidence(fresh(), { dir, keys: keys('eks:DescribeCluster', 'eks:ListAddons') });
      expect(s.gaps.find((g) => g.target === join(dir, 'eks-list-addons.json'))).toMatchObject({ reason: 'skipped', message: expect.stringMatching(/not a regular file/) });
      expect(s.aws.calls['eks:DescribeCluster']!.state).toBe('collected');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('requested operations without a file are gaps naming the files to save; zero targets is collected', async () => {
    const s = await loadAwsEvidence(fresh(), { dir: DIR, keys: keys('eks:DescribeNodegroup', 'kms:DescribeKey', 'iam:GetAccountSummary', 'eks:DescribeClusterVersions') });
    // eks-list-nodegroups.json lists none: DescribeNodegroup has nothing to read
    expect(s.aws.calls['eks:DescribeNodegroup']).toEqual({ state: 'collected', count: 0 });
    const g = s.gaps.find((x) => x.key === 'iam:GetAccountSummary')!;
    expect(g).toMatchObject({ reason: 'not-found', permission: 'iam:GetAccountSummary' });
    expect(g.message).toContain('iam-get-account-summary.json');
    expect(g.fix).toContain('aws iam get-account-summary');
    expect(s.gaps.find((x) => x.key === 'eks:DescribeClusterVersions')!.message).toContain('eks-describe-cluster-versions.json');
    expect(s.aws.calls['iam:GetAccountSummary']!.state).toBe('error');
  });

  it('an evidence key no plan knows is a gap', async () => {
    const s = await loadAwsEvidence(fresh(), { dir: DIR, keys: keys('rds:DescribeDBInstances') });
    expect(s.gaps.find((g) => g.key === 'rds:DescribeDBInstances')).toMatchObject({ reason: 'unsupported' });
  });

  it('a directory that does not exist is a usage error', async () => {
    await expect(loadAwsEvidence(fresh(), { dir: join(DIR, 'nope'), keys: keys('eks:DescribeCluster') })).rejects.toBeInstanceOf(AwsEvidenceDirError);
  });

  it('names files like the AWS CLI commands', () => {
    expect(offlineFileName(findPlan('wafv2:GetWebACLForResource')!)).toBe('wafv2-get-web-acl-for-resource.json');
    expect(offlineFileName(findPlan('iam:ListOpenIDConnectProviders')!)).toBe('iam-list-open-id-connect-providers.json');
    expect(offlineFileName(findPlan('eks:DescribeAddon')!, 'vpc-cni')).toBe('eks-describe-addon.vpc-cni.json');
    expect(offlineFileName(findPlan('iam:GetPolicyVersion')!, 'arn:aws:iam::aws:policy/ReadOnlyAccess')).toBe('iam-get-policy-version.arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess.json');
  });
});

describe('kubescape envelopes (aws-sdk-go v2, PascalCase)', () => {
  it('ClusterDescribe → eks:DescribeCluster in SDK v3 member names; DescribeRepositories → ecr:DescribeRepositories', async () => {
    const s = await loadAwsEvidence(fresh(), { dir: KUBESCAPE, keys: keys('eks:DescribeCluster', 'ecr:DescribeRepositories') });
    const c = (fact(s.aws.facts, 'DescribeCluster')!.output as { cluster: Record<string, unknown> }).cluster;
    expect(c).toMatchObject({
      name: 'acme-dev', arn: 'arn:aws:eks:us-east-2:444455556666:cluster/acme-dev', version: '1.31', createdAt: '2023-06-01T12:00:00.500Z',
      resourcesVpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ['0.0.0.0/0'], vpcId: 'vpc-0dev000000000001', clusterSecurityGroupId: 'sg-0dev000000000001' },
      logging: { clusterLogging: [{ enabled: true, types: ['api', 'audit'] }, { enabled: false, types: ['scheduler'] }] },
      identity: { oidc: { issuer: 'https://oidc.eks.us-east-2.amazonaws.com/id/ABCDEF' } },
      encryptionConfig: [{ provider: { keyArn: 'arn:aws:kms:us-east-2:444455556666:key/5555abcd-12ab-34cd-56ef-1234567890ab' }, resources: ['secrets'] }],
      tags: { Owner: 'platform', CostCenter: '1234' },
    });
    expect(c).not.toHaveProperty('connectorConfig');
    expect(c).not.toHaveProperty('clientRequestToken');
    const r = fact(s.aws.facts, 'DescribeRepositories')!.output as { repositories: Record<string, unknown>[] };
    expect(r.repositories[0]).toEqual({
      createdAt: '2023-01-11T13:07:39.000Z', encryptionConfiguration: { encryptionType: 'AES256' }, imageScanningConfiguration: { scanOnPush: false }, imageTagMutability: 'MUTABLE',
      registryId: '444455556666', repositoryArn: 'arn:aws:ecr:us-east-2:444455556666:repository/web', repositoryName: 'web', repositoryUri: '444455556666.dkr.ecr.us-east-2.amazonaws.com/web',
    });
    expect(s.cluster).toMatchObject({ name: 'acme-dev', region: 'us-east-2', accountId: '444455556666' });
    expect(s.gaps.find((g) => g.target.endsWith('policy.json'))).toMatchObject({ reason: 'unsupported', message: expect.stringContaining('ListEntitiesForPolicies') });
  });

  describe.skipIf(!existsSync(join(CORPUS, 'kubescape-regolibrary')))('real kubescape cases (shared corpus)', () => {
    it('every ClusterDescribe / DescribeRepositories case loads as an SDK v3 fact', async () => {
      const root = join(CORPUS, 'kubescape-regolibrary');
      let n = 0;
      for (const rule of readdirSync(root)) {
        for (const c of existsSync(join(root, rule)) ? readdirSync(join(root, rule)) : []) {
          const file = join(root, rule, c, 'eks.json');
          if (!existsSync(file)) continue;
          const kind = (JSON.parse(readFileSync(file, 'utf8')) as { kind: string }).kind;
          const tmp = mkdtempSync(join(tmpdir(), 'eks-soc2-ks-'));
          try {
            cpSync(file, join(tmp, 'eks.json'));
            const s = await loadAwsEvidence(fresh(), { dir: tmp, keys: new Set() });
            expect(s.gaps, file).toEqual([]);
            if (kind === 'ClusterDescribe') {
              const c = (fact(s.aws.facts, 'DescribeCluster')!.output as { cluster: Record<string, unknown> }).cluster;
              expect(Object.keys(c).length, file).toBeGreaterThan(0);
              expect(Object.keys(c).every((k) => /^[a-z]/.test(k)), file).toBe(true);
            }
            else expect(Array.isArray(fact(s.aws.facts, 'DescribeRepositories')!.output.repositories), file).toBe(true);
            n++;
          } finally {
            rmSync(tmp, { recursive: true, force: true });
          }
        }
      }
      expect(n).toBeGreaterThan(10);
    });
  });

  describe.skipIf(!existsSync(join(CORPUS, 'aws-cli-examples')))('AWS CLI documentation examples (shared corpus)', () => {
    it('load under their own file names', async () => {
      const s = await loadAwsEvidence(fresh(), { dir: join(CORPUS, 'aws-cli-examples'), keys: keys('eks:DescribeCluster', 'cloudtrail:DescribeTrails', 'ec2:DescribeFlowLogs', 'guardduty:GetDetector') });
      expect(s.gaps).toEqual([]);
      expect(s.aws.facts.map((f) => `${f.service}:${f.operation}`).sort()).toEqual(['cloudtrail:DescribeTrails', 'ec2:DescribeFlowLogs', 'eks:DescribeCluster', 'guardduty:GetDetector']);
      expect((fact(s.aws.facts, 'DescribeCluster')!.output as { cluster: { createdAt: string } }).cluster.createdAt).toBe('2024-03-14T15:31:44.348Z');
      expect(s.aws.region).toBe('us-east-2');
    });
  });
});

describe('snapshot bundles carry the AWS facts', () => {
  it('an exported snapshot read back with -f keeps facts, coverage and gaps', async () => {
    const s = await loadAwsEvidence(fresh(), { dir: DIR, keys: keys('eks:DescribeCluster', 'iam:GetAccountSummary') });
    const tmp = mkdtempSync(join(tmpdir(), 'eks-soc2-bundle-'));
    try {
      writeFileSync(join(tmp, 'snapshot.json'), JSON.stringify(s));
      const back = await collectFiles([join(tmp, 'snapshot.json')], { toolVersion: 'test' });
      expect(back.aws.facts).toEqual(s.aws.facts);
      expect(back.aws.calls).toEqual(s.aws.calls);
      expect(back.gaps.filter((g) => g.source === 'aws')).toEqual(s.gaps.filter((g) => g.source === 'aws'));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
