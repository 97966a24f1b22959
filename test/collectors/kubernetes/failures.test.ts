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
      objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'a' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } }],
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

/** Evaluate one control of the catalog on what was collected (as `scan` does). */
async function verdict(r: Awaited<ReturnType<typeof collect>>, control: string) {
  const { emptySnapshot, defaultConfig } = await import('../../../src/model/index.js');
  const { evaluate } = await import('../../../src/engine/index.js');
  const { catalog } = await import('../../../src/catalog/index.js');
  const snap = emptySnapshot('test');
  snap.kubernetes = r.kubernetes;
  snap.gaps.push(...r.gaps);
  return evaluate(snap, catalog, { config: defaultConfig(), toolVersion: 'test', catalogVersion: 'test', controls: [control] }).controls[0]!;
}

const badPod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'priv', namespace: 'app' }, spec: { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] } };

describe('answers that are not the list asked for (issue 18 item 3): a gap, never "no objects"', () => {
  const cases: [string, (req: { resource?: string; verb?: string }) => ReturnType<NonNullable<KubeApiServerOptions['intercept']>>][] = [
    ['404 although discovery lists pods', (req) => (req.resource === 'pods' && req.verb === 'list' ? { status: 404 } : undefined)],
    ['200 with "items": null', (req) => (req.resource === 'pods' && req.verb === 'list' ? { status: 200, body: { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: null } } : undefined)],
    ['200 with a Status', (req) => (req.resource === 'pods' && req.verb === 'list' ? { status: 200, body: { kind: 'Status', apiVersion: 'v1', status: 'Success', message: 'proxy says hi' } } : undefined)],
    ['200 with another kind of list', (req) => (req.resource === 'pods' && req.verb === 'list' ? { status: 200, body: { kind: 'ServiceList', apiVersion: 'v1', metadata: {}, items: [] } } : undefined)],
    ['200 with an array', (req) => (req.resource === 'pods' && req.verb === 'list' ? { status: 200, body: [] } : undefined)],
  ];
  for (const [name, intercept] of cases) {
    it(`${name}: pods are not collected, and CC5-HARD-03 cannot pass`, async () => {
      const s = await start({ objects: [badPod], intercept });
      const r = await collect(s, ['k8s:core/Pod']);
      expect(r.kubernetes.kinds['core/Pod']?.state).toBe('error');
      expect(r.gaps).toHaveLength(1);
      expect(r.gaps[0]).toMatchObject({ key: 'core/Pod', reason: 'error', target: 'GET /api/v1/pods' });
      expect(r.gaps[0]!.message).toMatch(/listing pods \(v1\) answered .*nothing was read/);
      const c = await verdict(r, 'CC5-HARD-03');
      expect(c.status).not.toBe('pass');
      expect(c.evidence.missing.join(' ')).toMatch(/listing pods/);
    });
  }
});

describe('paging that never ends (issue 18 item 4)', () => {
  it('the same continue token again: the list stops at once with a gap', async () => {
    const s = await start({
      lazy: { 'core/Pod': pods(10) },
      intercept: (req) => (req.resource === 'pods' && req.verb === 'list'
        ? { status: 200, body: { kind: 'PodList', apiVersion: 'v1', metadata: { continue: 'same-token' }, items: [badPod] } } : undefined),
    });
    const r = await collect(s, ['k8s:core/Pod']);
    expect(s.count('GET /api/v1/pods')).toBeLessThanOrEqual(3);
    expect(r.kubernetes.kinds['core/Pod']).toMatchObject({ state: 'partial' });
    expect(r.gaps[0]!.message).toMatch(/the same continue token twice/);
    expect((await verdict(r, 'CC5-HARD-03')).status).not.toBe('pass');
  });

  it('a new token on every page: reading stops at the page bound, with a gap', async () => {
    let page = 0;
    const s = await start({
      lazy: { 'core/Pod': pods(10) },
      intercept: (req) => (req.resource === 'pods' && req.verb === 'list'
        ? { status: 200, body: { kind: 'PodList', apiVersion: 'v1', metadata: { continue: `t-${++page}` }, items: [{ ...badPod, metadata: { name: `p${page}`, namespace: 'app' } }] } } : undefined),
    });
    const r = await collect(s, ['k8s:core/Pod'], { maxPages: 25 });
    expect(s.count('GET /api/v1/pods')).toBeLessThanOrEqual(27);
    expect(r.kubernetes.kinds['core/Pod']).toMatchObject({ state: 'partial', count: 25 });
    expect(r.gaps[0]!.message).toMatch(/more than 25 pages/);
  });
});

describe('objects of a wrong shape from the API (issue 18 items 2, 5)', () => {
  it('containers as a mapping or a string, annotations as a string: dropped and reported, the kind partial, no crash', async () => {
    const s = await start({
      objects: [
        badPod,
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'map', namespace: 'app' }, spec: { containers: { name: 'c', image: 'x', securityContext: { privileged: true } } } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'str', namespace: 'app' }, spec: { containers: 'c' } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ann', namespace: 'app', annotations: 'kubectl.kubernetes.io/last-applied-configuration' }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      ],
    });
    const r = await collect(s, ['k8s:core/Pod']);
    expect(r.kubernetes.objects.map((o) => o.metadata.name)).toEqual(['priv']);
    expect(r.kubernetes.kinds['core/Pod']).toMatchObject({ state: 'partial', count: 1 });
    expect(r.gaps).toHaveLength(1);
    expect(r.gaps[0]).toMatchObject({ key: 'core/Pod', reason: 'invalid' });
    expect(r.gaps[0]!.message).toMatch(/3 pods object\(s\) have fields of a type the Kubernetes API does not allow/);
    expect(r.gaps[0]!.message).toContain('Pod app/map: spec.containers is a mapping, not a list');
    expect(r.gaps[0]!.message).toContain('Pod app/str: spec.containers is the string "c", not a list');
    expect(r.gaps[0]!.message).toContain('Pod app/ann: metadata.annotations is a string, not a mapping');
    // The privileged pod that was read still fails the control.
    expect((await verdict(r, 'CC5-HARD-03')).status).toBe('fail');
  });

  it('only a malformed pod: CC5-HARD-03 is not passed on what remains', async () => {
    const s = await start({ objects: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'map', namespace: 'app' }, spec: { containers: { name: 'c', securityContext: { privileged: true } } } }] });
    const r = await collect(s, ['k8s:core/Pod']);
    expect(r.kubernetes.kinds['core/Pod']).toMatchObject({ state: 'error', count: 0 });
    expect((await verdict(r, 'CC5-HARD-03')).status).toBe('error');
  });
});

describe('the collection deadline (issue 18 item 14)', () => {
  it('a hung API: requests end at the deadline, what was not read is reported, what was read is kept', async () => {
    const s = await start({
      objects: [badPod, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } }],
      serve: ['apps/Deployment', 'core/Service'],
      // Pods never answer (well past the test's own timeout); the other kinds do.
      intercept: (req) => (req.resource === 'pods' && req.verb === 'list' ? { delayMs: 3_600_000 } : undefined),
    });
    const r = await collect(s, ['k8s:core/Pod', 'k8s:core/Namespace', 'k8s:apps/Deployment', 'k8s:core/Service'], { deadlineMs: 2_000, timeoutMs: 60_000, concurrency: 1 });
    expect(r.kubernetes.kinds['core/Pod']?.state).toBe('error');
    const gap = r.gaps.find((g) => g.key === 'core/Pod')!;
    expect(gap).toMatchObject({ reason: 'timeout' });
    expect(gap.message).toMatch(/the collection deadline passed \(--deadline 2 s\)/);
    expect(gap.fix).toMatch(/--deadline/);
    // Listed before pods (kinds go in key order, one at a time here), so read in time.
    expect(r.kubernetes.kinds['apps/Deployment']?.state).toBe('collected');
    expect(r.kubernetes.kinds['core/Namespace']?.state).toBe('collected');
    // Services come after pods: not reached before the deadline, and said so.
    expect(r.kubernetes.kinds['core/Service']?.state).toBe('error');
    expect(r.gaps.find((g) => g.key === 'core/Service')!.message).toMatch(/was not collected: the collection deadline passed/);
    expect((await verdict(r, 'CC5-HARD-03')).status).toBe('error');
  });
});
