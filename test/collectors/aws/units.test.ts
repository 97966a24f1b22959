import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyAwsError } from '../../../src/collectors/aws/errors.js';
import { ebsVolumeIds, ecrImages, irsaRoleArns, nodeInstanceIds, parseEcrImage, podSecurityGroupIds, storageClassKmsKeys } from '../../../src/collectors/aws/k8s-targets.js';
import { eksClusterOfContext, inferEksCluster, kubeconfigFiles, mergeKubeconfigs, parseEksArn } from '../../../src/collectors/aws/kubeconfig.js';
import { mergePages, normalizeDates, paramsOf, pascalToCamel, toJson } from '../../../src/collectors/aws/normalize.js';
import { resolvePlans } from '../../../src/collectors/aws/registry.js';
import { demoObjects } from '../../fixtures/aws/demo-account.js';
import type { JsonObject } from '../../../src/model/index.js';

describe('targets from the Kubernetes objects', () => {
  const objs = demoObjects();
  it('node instance ids from providerID, Fargate nodes skipped', () => {
    expect(nodeInstanceIds(objs)).toEqual(['i-0a1b2c3d4e5f00001', 'i-0a1b2c3d4e5f00002', 'i-0a1b2c3d4e5f00003']);
  });
  it('IRSA role ARNs from ServiceAccount annotations', () => {
    expect(irsaRoleArns(objs)).toEqual(['arn:aws:iam::111122223333:role/AmazonEKS_EBS_CSI_DriverRole', 'arn:aws:iam::111122223333:role/payments-api-irsa', 'arn:aws:iam::999988887777:role/cross-account-reader']);
  });
  it('EBS volume ids from CSI handles (also Auto Mode) and in-tree volumes', () => {
    const auto = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'a' }, spec: { csi: { driver: 'ebs.csi.eks.amazonaws.com', volumeHandle: 'vol-0abc' } } };
    const efs = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'e' }, spec: { csi: { driver: 'efs.csi.aws.com', volumeHandle: 'fs-1234::fsap-1' } } };
    expect(ebsVolumeIds([...objs, auto, efs])).toEqual(['vol-0a1b2c3d4e5f60001', 'vol-0a1b2c3d4e5f60002', 'vol-0abc']);
  });
  it('KMS keys of StorageClasses and security groups of SecurityGroupPolicies', () => {
    expect(storageClassKmsKeys(objs)).toEqual(['arn:aws:kms:eu-west-1:111122223333:key/2222abcd-12ab-34cd-56ef-1234567890ab']);
    expect(podSecurityGroupIds(objs)).toEqual(['sg-0pods00000000001']);
  });
  it('ECR images: digests from running pods, tags only where no pod reports a digest, other registries ignored', () => {
    const imgs = ecrImages(objs);
    expect(imgs).toHaveLength(5);
    expect(imgs.filter((i) => i.imageTag)).toEqual([{ registryId: '111122223333', region: 'eu-west-1', repositoryName: 'legacy-app', imageTag: 'v3' }]);
    expect(imgs.find((i) => i.registryId === '999988887777')).toMatchObject({ region: 'us-east-1', repositoryName: 'shared/nginx' });
    expect(imgs.some((i) => i.repositoryName.includes('redis'))).toBe(false);
  });
  it('parses ECR references in every form', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(parseEcrImage(`docker-pullable://123456789012.dkr.ecr.us-west-2.amazonaws.com/team/app@${d}`)).toEqual({ registryId: '123456789012', region: 'us-west-2', repositoryName: 'team/app', imageDigest: d });
    expect(parseEcrImage('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1.0')).toEqual({ registryId: '123456789012', region: 'us-gov-west-1', repositoryName: 'app', imageTag: '1.0' });
    expect(parseEcrImage('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app')).toMatchObject({ region: 'cn-north-1', imageTag: 'latest' });
    expect(parseEcrImage('public.ecr.aws/eks/aws-load-balancer-controller:v2.8.0')).toBeUndefined();
    expect(parseEcrImage('602401143452.dkr.ecr.eu-west-1.amazonaws.com')).toBeUndefined();
  });
});

describe('kubeconfig: the EKS cluster of the current context', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'eks-soc2-kc-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const awsCli = `apiVersion: v1
kind: Config
current-context: arn:aws:eks:us-east-2:111122223333:cluster/prod
contexts:
- name: arn:aws:eks:us-east-2:111122223333:cluster/prod
  context: { cluster: arn:aws:eks:us-east-2:111122223333:cluster/prod, user: arn:aws:eks:us-east-2:111122223333:cluster/prod }
- name: kind-dev
  context: { cluster: kind-dev, user: kind-dev }
clusters:
- name: arn:aws:eks:us-east-2:111122223333:cluster/prod
  cluster: { server: https://ABC.gr7.us-east-2.eks.amazonaws.com }
- name: kind-dev
  cluster: { server: https://127.0.0.1:6443 }
users:
- name: arn:aws:eks:us-east-2:111122223333:cluster/prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [--region, us-east-2, eks, get-token, --cluster-name, prod, --output, json]
      env: [{ name: AWS_PROFILE, value: prod-audit }]
- name: kind-dev
  user: {}
`;
  const eksctl = `apiVersion: v1
kind: Config
current-context: alice@staging.eu-west-1.eksctl.io
contexts:
- name: alice@staging.eu-west-1.eksctl.io
  context: { cluster: staging.eu-west-1.eksctl.io, user: alice@staging.eu-west-1.eksctl.io }
clusters:
- name: staging.eu-west-1.eksctl.io
  cluster: { server: https://DEF.yl4.eu-west-1.eks.amazonaws.com }
users:
- name: alice@staging.eu-west-1.eksctl.io
  user:
    exec: { command: aws, args: [eks, get-token, --output, json, --cluster-name, staging] }
`;
  writeFileSync(join(tmp, 'aws'), awsCli);
  writeFileSync(join(tmp, 'eksctl'), eksctl);

  it('the ARN written by `aws eks update-kubeconfig`, with the exec plugin profile', async () => {
    expect(await inferEksCluster({ kubeconfig: join(tmp, 'aws') })).toEqual({
      name: 'prod', region: 'us-east-2', accountId: '111122223333', arn: 'arn:aws:eks:us-east-2:111122223333:cluster/prod', profile: 'prod-audit',
      context: 'arn:aws:eks:us-east-2:111122223333:cluster/prod',
    });
  });
  it('eksctl contexts: --cluster-name, region from the endpoint', async () => {
    expect(await inferEksCluster({ kubeconfig: join(tmp, 'eksctl') })).toMatchObject({ name: 'staging', region: 'eu-west-1' });
  });
  it('a context that is not EKS gives nothing; --context selects', async () => {
    expect(await inferEksCluster({ kubeconfig: join(tmp, 'aws'), context: 'kind-dev' })).toBeUndefined();
  });
  it('KUBECONFIG with several files: the first current-context wins, missing files are skipped', async () => {
    const env = { KUBECONFIG: [join(tmp, 'missing'), join(tmp, 'eksctl'), join(tmp, 'aws')].join(delimiter) };
    expect(kubeconfigFiles(undefined, env)).toHaveLength(3);
    expect(await inferEksCluster({ env })).toMatchObject({ name: 'staging' });
    expect(await inferEksCluster({ env, context: 'arn:aws:eks:us-east-2:111122223333:cluster/prod' })).toMatchObject({ name: 'prod', region: 'us-east-2' });
    expect(kubeconfigFiles(undefined, {}, '/home/x')).toEqual(['/home/x/.kube/config']);
  });
  it('parses EKS ARNs of every partition', () => {
    expect(parseEksArn('arn:aws-cn:eks:cn-north-1:111122223333:cluster/a')).toMatchObject({ partition: 'aws-cn', region: 'cn-north-1', name: 'a' });
    expect(parseEksArn('arn:aws:ecs:us-east-1:111122223333:cluster/a')).toBeUndefined();
    expect(eksClusterOfContext(mergeKubeconfigs([]))).toBeUndefined();
  });
});

describe('normalisation', () => {
  it('SDK output → JSON: $metadata dropped, dates ISO, blobs base64, undefined dropped', () => {
    expect(toJson({ $metadata: { httpStatusCode: 200 }, a: new Date(Date.UTC(2026, 0, 2)), b: new Uint8Array([104, 105]), c: undefined, d: [1, undefined] })).toEqual({ a: '2026-01-02T00:00:00.000Z', b: 'aGk=', d: [1, null] });
  });
  it('pages merged with list members concatenated at any depth', () => {
    const merged = mergePages([
      { imageScanFindings: { findings: [{ n: 1 }], findingSeverityCounts: { HIGH: 1 } }, repositoryName: 'a', nextToken: 't' } as JsonObject,
      { imageScanFindings: { findings: [{ n: 2 }], findingSeverityCounts: { HIGH: 1 } }, repositoryName: 'a' } as JsonObject,
    ]);
    expect(merged).toEqual({ imageScanFindings: { findings: [{ n: 1 }, { n: 2 }], findingSeverityCounts: { HIGH: 1 } }, repositoryName: 'a', nextToken: 't' });
  });
  it('params drop pagination members', () => {
    expect(paramsOf({ clusterName: 'a', maxResults: 10, nextToken: 'x', MaxItems: 5 })).toEqual({ clusterName: 'a' });
  });
  it('CLI dates: offsets and microseconds to ISO UTC; epoch seconds in time members; maps untouched', () => {
    expect(normalizeDates({ CreationTime: '2018-02-21T13:22:12.644000+00:00', createdAt: 1710430304.348, size: 1710430304, Tags: { when: '2024-01-01T00:00:00+02:00' } })).toEqual({
      CreationTime: '2018-02-21T13:22:12.644Z', createdAt: '2024-03-14T15:31:44.348Z', size: 1710430304, Tags: { when: '2024-01-01T00:00:00+02:00' },
    });
  });
  it('PascalCase (aws-sdk-go v2) → SDK v3 camelCase, nulls dropped, tag keys kept', () => {
    expect(pascalToCamel({ ResourcesVpcConfig: { VpcId: 'v', SubnetIds: ['s'] }, Tags: { Owner: 'x' }, KmsKey: null })).toEqual({ resourcesVpcConfig: { vpcId: 'v', subnetIds: ['s'] }, tags: { Owner: 'x' } });
  });
});

describe('error classification', () => {
  const e = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error('x'), { name, ...extra });
  it.each([
    ['AccessDeniedException', 'access-denied', 'denied'], ['UnauthorizedOperation', 'access-denied', 'denied'], ['AccessDenied', 'access-denied', 'denied'],
    ['ThrottlingException', 'throttled', 'error'], ['RequestLimitExceeded', 'throttled', 'error'], ['TooManyRequestsException', 'throttled', 'error'],
    ['ExpiredTokenException', 'unauthenticated', 'error'], ['CredentialsProviderError', 'unauthenticated', 'error'], ['OptInRequired', 'not-enabled', 'error'],
    ['ResourceNotFoundException', 'not-found', 'error'], ['NoSuchEntity', 'not-found', 'error'], ['TimeoutError', 'timeout', 'error'],
    ['InternalFailure', 'error', 'error'],
  ])('%s → %s', (name, reason, state) => {
    expect(classifyAwsError(e(name))).toMatchObject({ reason, state, code: name });
  });
  it('network errors by their Node code', () => {
    expect(classifyAwsError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }))).toMatchObject({ reason: 'network', code: 'ECONNREFUSED' });
    expect(classifyAwsError(Object.assign(new Error('getaddrinfo ENOTFOUND eks.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' }))).toMatchObject({ reason: 'network' });
    expect(classifyAwsError(Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ETIMEDOUT' })], ''), {}))).toMatchObject({ reason: 'timeout' });
  });
  it('an HTTP 403 without a known code is access denied', () => {
    expect(classifyAwsError(e('Unknown', { $metadata: { httpStatusCode: 403 } }))).toMatchObject({ reason: 'access-denied' });
  });
});

describe('plan resolution', () => {
  it('adds dependencies, keeps registry order, reports unknown keys, ignores other evidence kinds', () => {
    const r = resolvePlans(['aws:iam:GetPolicyVersion', 'k8s:core/Pod', 'aws:foo:Bar']);
    expect(r.plans.map((p) => p.key)).toEqual([
      'eks:ListPodIdentityAssociations', 'eks:DescribePodIdentityAssociation', 'iam:ListAttachedRolePolicies', 'iam:GetPolicy', 'iam:GetPolicyVersion',
    ]);
    expect(r.unknown).toEqual(['foo:Bar']);
    expect([...r.requested]).toEqual(['iam:GetPolicyVersion']);
  });
  it('opt-in plans stay out unless enabled', () => {
    expect(resolvePlans(['aws:ecr:ListImageReferrers']).plans).toEqual([]);
    expect(resolvePlans(['aws:ecr:ListImageReferrers'], { imageReferrers: true }).plans.map((p) => p.key)).toEqual(['ecr:ListImageReferrers']);
  });
});
