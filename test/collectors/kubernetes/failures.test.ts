import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { collectLive, KubernetesCollectionError } from '../../../src/collectors/kubernetes/index.js';
import type { LiveOptions } from '../../../src/collectors/kubernetes/index.js';
import { startKubeApiServer, testTls, writeKubeconfigFile } from '../../helpers/kube-api-server.js';
import type { KubeApiServer, KubeApiServerOptions } from '../../helpers/kube-api-server.js';

const TOKEN = 'good-token';
let server: KubeApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(o: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  server = await startKubeApiServer({ token: TOKEN, ...o });
  return server;
}

async function collect(s: KubeApiServer | string, keys: string[], o: Partial<LiveOptions> = {}) {
  const delays: number[] = [];
  const r = await collectLive({
    kubeconfig: typeof s === 'string' ? s : s.writeKubeconfig({ token: TOKEN }),
    keys,
    qps: 0,
    sleep: async (ms) => { delays.push(ms); await new Promise((res) => setTimeout(res, Math.min(ms, 2))); },
    ...o,
  });
  return { ...r, delays };
}

async function collectError(p: Promise<unknown>): Promise<KubernetesCollectionError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(KubernetesCollectionError);
    return err as KubernetesCollectionError;
  }
  throw new Error('expected the collection to fail');
}

const pods = (n: number) => ({ count: n, item: (i: number) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, namespace: 'a' }, spec: { containers: [{ name: 'c', image: 'x' }] } }) });
const WORKLOADS = ['k8s:core/Pod', 'k8s:apps/Deployment', 'k8s:apps/ReplicaSet'];

describe('permission gaps, not crashes', () => {
  it('403 on pods only: pods are denied with the missing RBAC rule, the rest is collected', async () => {
    const s = await start({
      lazy: { 'core/Pod': pods(10) },
      objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'a' } }],
      serve: ['apps/ReplicaSet'],
      forbidden: ['core/pods'],
      username: 'auditor',
    });
    const r = await collect(s, WORKLOADS);
    expect(r.kubernetes.kinds['core/Pod']).toEqual({ state: 'denied', count: 0, detail: 'v1' });
    expect(r.kubernetes.kinds['apps/Deployment']).toMatchObject({ state: 'collected', count: 1 });
    expect(r.kubernetes.kinds['apps/ReplicaSet']).toMatchObject({ state: 'collected', count: 0 });
    expect(r.gaps).toHaveLength(1);
    expect(r.gaps[0]).toMatchObject({ source: 'kubernetes', key: 'core/Pod', reason: 'forbidden', permission: 'list pods (core)', target: 'GET /api/v1/pods' });
    expect(r.gaps[0]!.message).toMatch(/forbidden for user "test-user"|forbidden/);
    expect(r.gaps[0]!.fix).toMatch(/rbac\.yaml/);
    expect(r.kubernetes.objects.some((o) => o.kind === 'Pod')).toBe(false);
  });

  it('403 on the evidence ConfigMaps: denied with the Role rule to add', async () => {
    const s = await start({ serve: ['core/ConfigMap'], forbidden: ['core/configmaps'] });
    const r = await collect(s, ['k8s:core/ConfigMap']);
    expect(r.kubernetes.kinds['core/ConfigMap']?.state).toBe('denied');
    expect(r.gaps.map((g) => g.permission).sort()).toEqual([
      'get configmaps "amazon-vpc-cni" (core, namespace kube-system)',
      'get configmaps "aws-auth" (core, namespace kube-system)',
      'get configmaps "cluster-autoscaler-status" (core, namespace kube-system)',
    ]);
  });

  it('403 on one kind of a group/* key: that kind is denied and the group key reports it', async () => {
    const s = await start({ serve: ['kyverno.io/*'], forbidden: ['kyverno.io/policyexceptions'] });
    const r = await collect(s, ['k8s:kyverno.io/*']);
    expect(r.kubernetes.kinds['kyverno.io/PolicyException']?.state).toBe('denied');
    expect(r.kubernetes.kinds['kyverno.io/ClusterPolicy']?.state).toBe('collected');
    expect(r.kubernetes.kinds['kyverno.io/*']?.state).toBe('denied');
    expect(r.gaps).toMatchObject([{ key: 'kyverno.io/*', permission: 'list policyexceptions (kyverno.io)' }]);
  });
});

describe('retries and restarts', () => {
  it('410 Gone mid-list: the list restarts from the beginning and ends complete and consistent', async () => {
    let expired = false;
    const s = await start({
      lazy: { 'core/Pod': pods(1600) },
      intercept: (req, ctx) => {
        if (!expired && req.resource === 'pods' && req.query.get('continue') && req.page === 2) {
          expired = true;
          ctx.expireContinueTokens();
        }
        return undefined;
      },
    });
    const r = await collect(s, ['k8s:core/Pod']);
    expect(r.kubernetes.kinds['core/Pod']).toMatchObject({ state: 'collected', count: 1600 });
    expect(new Set(r.kubernetes.objects.map((o) => o.metadata.name)).size).toBe(1600);
    const statuses = s.requests.filter((q) => q.path === '/api/v1/pods').map((q) => q.status);
    // 3 pages, the 3rd expires (410), then 4 fresh pages.
    expect(statuses).toEqual([200, 200, 410, 200, 200, 200, 200]);
    expect(s.requests.filter((q) => q.path === '/api/v1/pods' && q.status === 200 && !new URLSearchParams(q.query).has('continue'))).toHaveLength(2);
  });

  it('410 on every continue: gives up after 3 restarts with a partial result and a gap', async () => {
    let n = 0;
    const s = await start({
      lazy: { 'core/Pod': pods(1200) },
      intercept: (req) => {
        if (req.resource === 'pods' && req.query.get('continue')) {
          n++;
          return { status: 410, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old' } };
        }
        return undefined;
      },
    });
    const r2 = await collect(s, ['k8s:core/Pod']);
    expect(n).toBe(4);
    expect(r2.kubernetes.kinds['core/Pod']).toMatchObject({ state: 'partial', count: 500 });
    expect(r2.gaps[0]).toMatchObject({ key: 'core/Pod', reason: 'error' });
    expect(r2.gaps[0]!.message).toMatch(/410/);
  });

  it('429 storm: honours Retry-After and completes once the server lets up', async () => {
    let throttled = 0;
    const s = await start({
      lazy: { 'core/Pod': pods(700) },
      intercept: (req) => {
        if (req.verb === 'list' && throttled < 5) {
          throttled++;
          return { status: 429, headers: { 'retry-after': '2' }, body: { kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'too many requests' } };
        }
        return undefined;
      },
    });
    const r = await collect(s, ['k8s:core/Pod']);
    expect(r.kubernetes.kinds['core/Pod']).toMatchObject({ state: 'collected', count: 700 });
    expect(r.delays.filter((d) => d === 2000)).toHaveLength(5);
    expect(r.stats.throttled).toBe(5);
    expect(r.gaps).toEqual([]);
  });

  it('429 that never ends: a throttled gap after the retries, other kinds unaffected', async () => {
    const s = await start({
      lazy: { 'core/Pod': pods(10) },
      serve: ['core/Namespace'],
      intercept: (req) => (req.resource === 'pods' ? { status: 429, headers: { 'retry-after': '1' } } : undefined),
    });
    const r = await collect(s, ['k8s:core/Pod', 'k8s:core/Namespace']);
    expect(r.kubernetes.kinds['core/Pod']?.state).toBe('error');
    expect(r.kubernetes.kinds['core/Namespace']?.state).toBe('collected');
    expect(r.gaps).toMatchObject([{ key: 'core/Pod', reason: 'throttled' }]);
    expect(s.count('/api/v1/pods')).toBe(9); // 1 + 8 retries
    expect(r.delays.filter((d) => d === 1000)).toHaveLength(8);
  });

  it('the server drops the connection mid-page: the page is fetched again and nothing is lost or duplicated', async () => {
    let dropped = 0;
    const s = await start({
      lazy: { 'core/Pod': pods(1300) },
      intercept: (req) => {
        if (req.resource === 'pods' && req.query.get('continue') && dropped < 2) {
          dropped++;
          return { drop: dropped === 1 ? 'mid-body' : 'before-response' };
        }
        return undefined;
      },
    });
    const r = await collect(s, ['k8s:core/Pod']);
    expect(dropped).toBe(2);
    expect(r.kubernetes.kinds['core/Pod']).toMatchObject({ state: 'collected', count: 1300 });
    expect(new Set(r.kubernetes.objects.map((o) => o.metadata.name)).size).toBe(1300);
    expect(r.stats.retries).toBeGreaterThanOrEqual(2);
  });

  it('a server that keeps dropping the connection: a network gap with the objects read so far', async () => {
    const s = await start({
      lazy: { 'core/Pod': pods(1300) },
      intercept: (req) => (req.resource === 'pods' && req.query.get('continue') ? { drop: 'mid-body' } : undefined),
    });
    const r = await collect(s, ['k8s:core/Pod']);
    expect(r.kubernetes.kinds['core/Pod']).toMatchObject({ state: 'partial', count: 500 });
    expect(r.gaps).toMatchObject([{ key: 'core/Pod', reason: 'network' }]);
  });

  it('5xx is retried with backoff', async () => {
    let fails = 0;
    const s = await start({
      lazy: { 'core/Pod': pods(3) },
      intercept: (req) => (req.resource === 'pods' && fails++ < 2 ? { status: 503 } : undefined),
    });
    const r = await collect(s, ['k8s:core/Pod']);
    expect(r.kubernetes.kinds['core/Pod']?.state).toBe('collected');
    expect(s.count('/api/v1/pods')).toBe(3);
  });

  it('a slow server is waited for within --timeout, and a request that outlives it is retried, then a gap', async () => {
    const slow = await start({ lazy: { 'core/Pod': pods(5) }, delayMs: 150 });
    const ok = await collect(slow, ['k8s:core/Pod'], { timeoutMs: 5000 });
    expect(ok.kubernetes.kinds['core/Pod']?.state).toBe('collected');
    await slow.close();
    const s = await start({ lazy: { 'core/Pod': pods(5) }, intercept: (req) => (req.resource === 'pods' ? { delayMs: 2000 } : undefined) });
    const r = await collect(s, ['k8s:core/Pod'], { timeoutMs: 300 });
    expect(r.kubernetes.kinds['core/Pod']?.state).toBe('error');
    expect(r.gaps).toMatchObject([{ key: 'core/Pod', reason: 'timeout' }]);
  });
});

describe('problems that stop the collection: one clear error with the fix', () => {
  it('expired token (401): unauthenticated, exit "collect", with how to refresh', async () => {
    const s = await start({ lazy: { 'core/Pod': pods(1) } });
    const err = await collectError(collect(s.writeKubeconfig({ token: 'expired-token' }), ['k8s:core/Pod']));
    expect(err.exit).toBe('collect');
    expect(err.reason).toBe('unauthenticated');
    expect(err.message).toMatch(/401 Unauthorized/);
    expect(err.message).toMatch(/expired or not valid/);
    expect(err.fix).toBeTruthy();
    // One probe, plus one retry after refreshing credentials; nothing else was attempted.
    expect(s.requests.map((q) => q.path)).toEqual(['/version', '/version']);
  });

  it('a token that expires mid-collection stops it with the same error', async () => {
    let n = 0;
    const s = await start({ token: (t) => t === TOKEN && n++ < 4, lazy: { 'core/Pod': pods(2000) } });
    const err = await collectError(collect(s, ['k8s:core/Pod']));
    expect(err.reason).toBe('unauthenticated');
    expect(err.message).toMatch(/GET \/api\/v1\/pods/);
  });

  it('a context missing from the kubeconfig: usage error listing the contexts', async () => {
    const s = await start();
    const err = await collectError(collect(s.writeKubeconfig({ token: TOKEN, context: 'dev' }), ['k8s:core/Pod'], { context: 'prod' }));
    expect(err.exit).toBe('usage');
    expect(err.message).toContain('context "prod" is not in the kubeconfig');
    expect(err.message).toContain('available: dev');
    expect(s.requests).toHaveLength(0);
  });

  it('a kubeconfig with no current context and no --context', async () => {
    const s = await start();
    const err = await collectError(collect(s.writeKubeconfig({ token: TOKEN, noCurrentContext: true }), ['k8s:core/Pod']));
    expect(err.exit).toBe('usage');
    expect(err.fix).toMatch(/--context/);
  });

  it('a kubeconfig file that does not exist, or is not a kubeconfig', async () => {
    const err = await collectError(collect('/nonexistent/kubeconfig', ['k8s:core/Pod']));
    expect(err.exit).toBe('usage');
    expect(err.message).toContain('/nonexistent/kubeconfig does not exist');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const f = join(mkdtempSync(join(tmpdir(), 'kc-')), 'config');
    writeFileSync(f, 'clusters: [ { cluster: {} } ]\n');
    const bad = await collectError(collect(f, ['k8s:core/Pod']));
    expect(bad.exit).toBe('usage');
    expect(bad.message).toMatch(/not a valid kubeconfig/);
  });

  it('unreachable server (connection refused): network error with the private-endpoint hint', async () => {
    const s = await start();
    const port = s.port;
    await s.close();
    server = undefined;
    const file = writeKubeconfigFile({ server: `https://127.0.0.1:${port}`, caData: Buffer.from(testTls().cert).toString('base64'), token: TOKEN });
    const err = await collectError(collect(file, ['k8s:core/Pod']));
    expect(err.exit).toBe('collect');
    expect(err.reason).toBe('network');
    expect(err.message).toMatch(/cannot reach the API server https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(err.fix).toMatch(/private/);
  });

  it('a server that accepts connections but never answers: timeout error', async () => {
    const sockets: Socket[] = [];
    const black: Server = createServer((sock) => { sockets.push(sock); });
    await new Promise<void>((r) => black.listen(0, '127.0.0.1', () => r()));
    const port = (black.address() as { port: number }).port;
    try {
      const file = writeKubeconfigFile({ server: `https://127.0.0.1:${port}`, caData: Buffer.from(testTls().cert).toString('base64'), token: TOKEN });
      const err = await collectError(collect(file, ['k8s:core/Pod'], { timeoutMs: 200 }));
      expect(err.reason).toBe('timeout');
      expect(err.fix).toMatch(/--timeout/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => black.close(() => r()));
    }
  });

  it('a certificate the kubeconfig does not trust: TLS error, not retried', async () => {
    const s = await start();
    const file = s.writeKubeconfig({ token: TOKEN, caData: Buffer.from(testTls().otherCa).toString('base64') });
    const err = await collectError(collect(file, ['k8s:core/Pod']));
    expect(err.reason).toBe('tls');
    expect(err.message).toMatch(/TLS verification/);
    expect(s.requests).toHaveLength(0);
  });
});
