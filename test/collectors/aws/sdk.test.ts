/**
 * Tests with real SDK clients (retry, middleware, credential chain) behind a fake request handler:
 * the SDK builds, signs and parses requests, but nothing is sent anywhere.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { HttpResponse } from '@smithy/protocol-http';
import type { HttpRequest } from '@smithy/protocol-http';
import { DeleteClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { collectAwsLive } from '../../../src/collectors/aws/collect.js';
import { ALLOWLIST } from '../../../src/collectors/aws/collect.js';
import { READ_ONLY_MIDDLEWARE_OPTIONS, ReadOnlyViolation, readOnlyMiddleware } from '../../../src/collectors/aws/readonly.js';
import { k8sSnapshot } from './helpers.js';

interface Seen { host: string; path: string; target?: string }

/** A request handler that answers from a script and records what the SDK would have sent. */
function fakeHandler(answer: (req: HttpRequest, n: number) => { status: number; headers?: Record<string, string | undefined>; body: string }) {
  const seen: Seen[] = [];
  return {
    seen,
    handler: {
      metadata: { handlerProtocol: 'http/1.1' },
      async handle(req: HttpRequest) {
        seen.push({ host: req.hostname, path: req.path, ...(req.headers['x-amz-target'] ? { target: req.headers['x-amz-target'] } : {}) });
        const a = answer(req, seen.length);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        for (const [k, v] of Object.entries(a.headers ?? {})) if (v !== undefined) headers[k] = v;
        return { response: new HttpResponse({ statusCode: a.status, headers, body: Buffer.from(a.body) }) };
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs() { return {}; },
      destroy() {},
    },
  };
}

const STS_OK = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/auditor</Arn><UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
/** The SDK's adaptive strategy with 1 ms backoff and no client-side rate limiting, so that tests stay fast. */
const fastRetry = () => new AdaptiveRetryStrategy(3, {
  backoff: { computeNextBackoffDelay: () => 1, setDelayBase: () => {} },
  rateLimiter: { getSendToken: async () => {}, updateClientSendingRate: () => {} },
});
const creds = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' });

describe('retries (real SDK, adaptive retry mode)', () => {
  it('throttling, then success: the call is retried and collected', async () => {
    let eksCalls = 0;
    const h = fakeHandler((req) => {
      if (req.hostname.startsWith('sts.')) return { status: 200, headers: { 'content-type': 'text/xml' }, body: STS_OK };
      eksCalls++;
      if (eksCalls === 1) return { status: 429, headers: { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/' }, body: '{"message":"Rate exceeded"}' };
      return { status: 200, body: JSON.stringify({ cluster: { name: 'acme-prod', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/acme-prod', createdAt: 1768032000, version: '1.33' } }) };
    });
    const { snapshot, problem } = await collectAwsLive(k8sSnapshot([]), {
      keys: new Set(['aws:eks:DescribeCluster']), cluster: 'acme-prod', region: 'eu-west-1', credentials: creds,
      clientConfig: { requestHandler: h.handler, retryStrategy: fastRetry() },
    });
    expect(problem).toBeUndefined();
    expect(eksCalls).toBe(2);
    expect(snapshot.gaps).toEqual([]);
    expect(snapshot.aws.calls['eks:DescribeCluster']).toEqual({ state: 'collected', count: 1, detail: 'eu-west-1' });
    expect(snapshot.aws.facts[0]!.output).toEqual({ cluster: { name: 'acme-prod', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/acme-prod', createdAt: '2026-01-10T08:00:00.000Z', version: '1.33' } });
    expect(snapshot.collector.identity).toBe('arn:aws:iam::111122223333:user/auditor');
    expect(h.seen.every((s) => s.host.endsWith('.amazonaws.com'))).toBe(true);
    expect(h.seen.map((s) => s.host)).toContain('eks.eu-west-1.amazonaws.com');
  });

  it('throttling on every attempt: a gap with reason throttled after the SDK retries', async () => {
    let eksCalls = 0;
    const h = fakeHandler((req) => {
      if (req.hostname.startsWith('sts.')) return { status: 200, headers: { 'content-type': 'text/xml' }, body: STS_OK };
      eksCalls++;
      return { status: 429, headers: { 'x-amzn-errortype': 'ThrottlingException' }, body: '{"message":"Rate exceeded"}' };
    });
    const { snapshot } = await collectAwsLive(k8sSnapshot([]), {
      keys: new Set(['aws:eks:ListAddons']), cluster: 'acme-prod', region: 'eu-west-1', credentials: creds,
      clientConfig: { requestHandler: h.handler, retryStrategy: fastRetry() },
    });
    expect(eksCalls).toBe(3);
    expect(snapshot.aws.calls['eks:ListAddons']!.state).toBe('error');
    expect(snapshot.gaps[0]).toMatchObject({ reason: 'throttled', key: 'eks:ListAddons' });
  });

  it('AccessDenied from the wire: denied, with the IAM action in the message', async () => {
    const h = fakeHandler((req) => req.hostname.startsWith('sts.')
      ? { status: 200, headers: { 'content-type': 'text/xml' }, body: STS_OK }
      : { status: 403, headers: { 'x-amzn-errortype': 'AccessDeniedException' }, body: '{"message":"User: arn:aws:iam::111122223333:user/auditor is not authorized to perform: eks:DescribeCluster on resource: arn:aws:eks:eu-west-1:111122223333:cluster/acme-prod"}' });
    const { snapshot } = await collectAwsLive(k8sSnapshot([]), {
      keys: new Set(['aws:eks:DescribeCluster']), cluster: 'acme-prod', region: 'eu-west-1', credentials: creds, clientConfig: { requestHandler: h.handler, retryStrategy: fastRetry() },
    });
    expect(snapshot.aws.calls['eks:DescribeCluster']!.state).toBe('denied');
    expect(snapshot.gaps[0]).toMatchObject({ reason: 'access-denied', permission: 'eks:DescribeCluster' });
    expect(snapshot.gaps[0]!.message).toContain('eks:DescribeCluster');
    expect(snapshot.gaps[0]!.fix).toContain('grant eks:DescribeCluster to arn:aws:iam::111122223333:user/auditor');
  });
});

describe('read-only guard in the SDK middleware stack', () => {
  it('refuses a write command before it reaches the request handler', async () => {
    const h = fakeHandler(() => ({ status: 200, body: '{}' }));
    const client = new EKSClient({ region: 'eu-west-1', credentials: creds, requestHandler: h.handler });
    client.middlewareStack.add(readOnlyMiddleware('eks', ALLOWLIST) as never, { ...READ_ONLY_MIDDLEWARE_OPTIONS });
    await expect(client.send(new DeleteClusterCommand({ name: 'acme-prod' }))).rejects.toBeInstanceOf(ReadOnlyViolation);
    expect(h.seen).toEqual([]);
    client.destroy();
  });
});

describe('credentials', () => {
  const saved: Record<string, string | undefined> = {};
  const VARS = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED'];
  beforeEach(() => {
    for (const v of VARS) { saved[v] = process.env[v]; delete process.env[v]; }
    process.env.AWS_CONFIG_FILE = '/nonexistent/eks-soc2-test/config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/eks-soc2-test/credentials';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  });
  afterEach(() => {
    for (const v of VARS) { if (saved[v] === undefined) delete process.env[v]; else process.env[v] = saved[v]; }
  });

  it('none at all: one clear message saying what to set, a gap for every key, no request sent', async () => {
    const h = fakeHandler(() => ({ status: 500, body: '{}' }));
    const keys = ['aws:eks:DescribeCluster', 'aws:guardduty:GetDetector', 'aws:iam:GetRole'];
    const { snapshot, problem } = await collectAwsLive(k8sSnapshot([]), { keys: new Set(keys), cluster: 'acme-prod', region: 'eu-west-1', clientConfig: { requestHandler: h.handler } });
    expect(h.seen).toEqual([]);
    expect(problem?.reason).toBe('unauthenticated');
    expect(problem!.message).toContain('no AWS credentials found');
    for (const s of ['--profile', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'aws sso login', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', '--aws-evidence', '--no-aws']) {
      expect(problem!.fix).toContain(s);
    }
    expect(snapshot.gaps.map((g) => g.key).sort()).toEqual(['eks:DescribeCluster', 'guardduty:GetDetector', 'iam:GetRole']);
    expect(snapshot.gaps.every((g) => g.reason === 'unauthenticated' && g.source === 'aws')).toBe(true);
    for (const k of keys) expect(snapshot.aws.calls[k.slice(4)]!.state).toBe('error');
    expect(snapshot.cluster).toMatchObject({ name: 'acme-prod', region: 'eu-west-1' });
  });

  it('a profile that does not exist is named in the message', async () => {
    const h = fakeHandler(() => ({ status: 500, body: '{}' }));
    const { problem } = await collectAwsLive(k8sSnapshot([]), { keys: new Set(['aws:eks:DescribeCluster']), cluster: 'acme-prod', region: 'eu-west-1', profile: 'audit', clientConfig: { requestHandler: h.handler } });
    expect(h.seen).toEqual([]);
    expect(problem!.message).toContain('"audit"');
  });

  it('static keys in the environment are used (and sent only to the fake handler)', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'not-a-secret';
    const h = fakeHandler((req) => req.hostname.startsWith('sts.') ? { status: 200, headers: { 'content-type': 'text/xml' }, body: STS_OK } : { status: 200, body: '{"addons":[]}' });
    const { snapshot, problem } = await collectAwsLive(k8sSnapshot([]), { keys: new Set(['aws:eks:ListAddons']), cluster: 'acme-prod', region: 'eu-west-1', clientConfig: { requestHandler: h.handler } });
    expect(problem).toBeUndefined();
    expect(snapshot.aws.facts).toEqual([{ service: 'eks', operation: 'ListAddons', region: 'eu-west-1', accountId: '111122223333', params: { clusterName: 'acme-prod' }, output: { addons: [] } }]);
  });

  it('no region anywhere: every key is a gap telling to pass --region', async () => {
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    const { snapshot, problem } = await collectAwsLive(k8sSnapshot([]), { keys: new Set(['aws:eks:DescribeCluster']), cluster: 'acme-prod', credentials: creds });
    expect(problem?.fix).toContain('--region');
    expect(snapshot.gaps[0]).toMatchObject({ key: 'eks:DescribeCluster', reason: 'invalid' });
  });
});
