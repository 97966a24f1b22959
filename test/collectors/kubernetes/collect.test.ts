import { afterEach, describe, expect, it } from 'vitest';
import { collectLive } from '../../../src/collectors/kubernetes/index.js';
import type { LiveOptions } from '../../../src/collectors/kubernetes/index.js';
import { startKubeApiServer } from '../../helpers/kube-api-server.js';
import type { KubeApiServer, KubeApiServerOptions } from '../../helpers/kube-api-server.js';

const TOKEN = 'test-token-123';
let server: KubeApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(o: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  server = await startKubeApiServer({ token: TOKEN, ...o });
  return server;
}

/** Collect with fast backoff (the requested delays are recorded). */
async function collect(s: KubeApiServer, keys: string[], o: Partial<LiveOptions> = {}) {
  const delays: number[] = [];
  const r = await collectLive({
    kubeconfig: s.writeKubeconfig({ token: TOKEN }),
    keys,
    qps: 0,
    sleep: async (ms) => { delays.push(ms); await new Promise((res) => setTimeout(res, Math.min(ms, 2))); },
    ...o,
  });
  return { ...r, delays };
}

const pod = (ns: string, name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, uid: `uid-${ns}-${name}` },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] }, ...extra,
});

describe('live collection from the test API server', () => {
  it('paginates every list with limit=500 and continue, and never sends resourceVersion=0', async () => {
    const s = await start({ lazy: { 'core/Pod': { count: 1234, item: (i) => pod(`ns-${i % 7}`, `p-${i}`) } } });
    const r = await collect(s, ['k8s:core/Pod']);
    expect(r.kubernetes.kinds['core/Pod']).toEqual({ state: 'collected', count: 1234, detail: 'v1' });
    expect(r.kubernetes.objects).toHaveLength(1234);
    const lists = s.requests.filter((q) => q.path === '/api/v1/pods');
    expect(lists).toHaveLength(3); // ceil(1234 / 500)
    for (const q of lists) {
      const p = new URLSearchParams(q.query);
      expect(p.get('limit')).toBe('500');
      expect(p.has('resourceVersion')).toBe(false);
    }
    expect(new URLSearchParams(lists[0]!.query).has('continue')).toBe(false);
    expect(new URLSearchParams(lists[1]!.query).get('continue')).toBeTruthy();
    // Items of built-in lists carry no apiVersion/kind on the wire: the collector sets them.
    expect(r.kubernetes.objects.every((o) => o.apiVersion === 'v1' && o.kind === 'Pod')).toBe(true);
    expect(r.stats.pages['core/Pod']).toBe(3);
  });

  it('fills version, identity (SelfSubjectReview) and source, and falls back to the kubeconfig user', async () => {
    const s = await start({ objects: [pod('a', 'x')], username: 'arn:aws:sts::111122223333:assumed-role/auditor/me' });
    const r = await collect(s, ['k8s:core/Pod']);
    expect(r.kubernetes.source).toBe('live');
    expect(r.kubernetes.complete).toBe(false);
    expect(r.kubernetes.serverVersion).toBe('v1.33.5-eks-3025e55');
    expect(r.identity).toBe('arn:aws:sts::111122223333:assumed-role/auditor/me');
    expect(r.cluster).toMatchObject({ context: 'test', server: s.url });
    await s.close();
    const s2 = await start({ objects: [pod('a', 'x')], username: false });
    const r2 = await collect(s2, ['k8s:core/Pod']);
    expect(r2.identity).toBe('test-user');
  });

  it('identifies the cluster by its kube-system namespace uid when namespaces are read', async () => {
    const ns = (name: string, uid: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid } });
    const s = await start({ objects: [ns('default', 'uid-default'), ns('kube-system', '5d0c6d4e-uid-of-kube-system')] });
    const r = await collect(s, ['k8s:core/Namespace']);
    expect(r.cluster).toMatchObject({ context: 'test', uid: '5d0c6d4e-uid-of-kube-system' });
    expect(s.requests.filter((q) => q.path === '/api/v1/namespaces/kube-system')).toHaveLength(0);
    await s.close();
    // Namespaces not asked for: one GET of kube-system, so every run of the cluster has the same identity.
    const s2 = await start({ objects: [pod('a', 'x'), ns('kube-system', 'uid-2')] });
    const r2 = await collect(s2, ['k8s:core/Pod']);
    expect(r2.cluster.uid).toBe('uid-2');
    expect(s2.requests.filter((q) => q.path === '/api/v1/namespaces/kube-system')).toHaveLength(1);
    await s2.close();
    // Not there (or forbidden): no uid, no gap, no failure.
    const s3 = await start({ objects: [pod('a', 'x')] });
    const r3 = await collect(s3, ['k8s:core/Pod']);
    expect(r3.cluster.uid).toBeUndefined();
    expect(r3.gaps).toEqual([]);
  });

  it('fetches only the discovery documents the keys need, and records unserved kinds and groups as absent', async () => {
    const s = await start({ objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'a' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } }], serve: ['core/Namespace'] });
    const r = await collect(s, ['k8s:apps/Deployment', 'k8s:apps/DaemonSet', 'k8s:kyverno.io/ClusterPolicy', 'k8s:constraints.gatekeeper.sh/*', 'k8s:core/Namespace', 'aws:eks:DescribeCluster']);
    expect(r.kubernetes.kinds['apps/Deployment']).toMatchObject({ state: 'collected', count: 1, detail: 'apps/v1' });
    expect(r.kubernetes.kinds['apps/DaemonSet']?.state).toBe('absent');
    expect(r.kubernetes.kinds['kyverno.io/ClusterPolicy']?.state).toBe('absent');
    expect(r.kubernetes.kinds['constraints.gatekeeper.sh/*']?.state).toBe('absent');
    expect(r.kubernetes.kinds['core/Namespace']).toMatchObject({ state: 'collected', count: 0 });
    expect(r.gaps).toEqual([]);
    expect(s.count('/apis')).toBe(1);
    expect(s.count('/apis/apps/v1')).toBe(1);
    expect(s.count('/api/v1')).toBe(1);
    expect(s.count('/api')).toBe(0);
    expect(s.count((q) => q.path.startsWith('/apis/kyverno.io'))).toBe(0);
  });

  it('lists every kind of a group for group/* keys, in the preferred version, skipping subresources', async () => {
    const s = await start({
      objects: [
        { apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'K8sRequiredLabels', metadata: { name: 'must-have-owner' }, spec: {} },
        { apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'K8sPSPPrivilegedContainer', metadata: { name: 'no-priv' }, spec: {} },
      ],
      serve: ['constraints.gatekeeper.sh/*'],
    });
    const r = await collect(s, ['k8s:constraints.gatekeeper.sh/*']);
    expect(r.kubernetes.kinds['constraints.gatekeeper.sh/K8sRequiredLabels']).toMatchObject({ state: 'collected', count: 1, detail: 'constraints.gatekeeper.sh/v1beta1' });
    expect(r.kubernetes.kinds['constraints.gatekeeper.sh/K8sPSPPrivilegedContainer']).toMatchObject({ state: 'collected', count: 1 });
    expect(r.kubernetes.kinds['constraints.gatekeeper.sh/*']).toMatchObject({ state: 'collected', count: 2 });
    expect(s.count((q) => q.path.includes('/status'))).toBe(0);
  });

  it('finds a kind in a non-preferred version of its group', async () => {
    const s = await start({
      resources: [
        { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true },
        { group: 'autoscaling', version: 'v1', kind: 'Scale', plural: 'scales', namespaced: true, verbs: ['get'] },
        { group: 'example.com', version: 'v2', kind: 'Widget', plural: 'widgets', namespaced: true, custom: true, alsoIn: ['v1'] },
        { group: 'example.com', version: 'v1', kind: 'OldGadget', plural: 'oldgadgets', namespaced: true, custom: true },
      ],
      objects: [{ apiVersion: 'example.com/v1', kind: 'OldGadget', metadata: { name: 'g', namespace: 'a' } }],
    });
    const r = await collect(s, ['k8s:example.com/OldGadget', 'k8s:autoscaling/HorizontalPodAutoscaler']);
    expect(r.kubernetes.kinds['example.com/OldGadget']).toMatchObject({ state: 'collected', count: 1, detail: 'example.com/v1' });
    expect(r.kubernetes.kinds['autoscaling/HorizontalPodAutoscaler']).toMatchObject({ state: 'collected', detail: 'autoscaling/v2' });
  });

  it('drops managedFields and last-applied on arrival and keeps only the Pod and Node status fields checks read', async () => {
    const s = await start({
      objects: [
        pod('a', 'x', {
          metadata: {
            name: 'x', namespace: 'a', managedFields: [{ manager: 'kubectl' }], selfLink: '/api/v1/namespaces/a/pods/x',
            annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}', keep: 'me' },
          },
          status: {
            phase: 'Running', podIP: '10.0.0.1', hostIP: '10.0.1.1', qosClass: 'BestEffort', startTime: '2026-01-01T00:00:00Z',
            conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' }],
            containerStatuses: [{ name: 'app', image: 'nginx:1.27', imageID: 'docker.io/library/nginx@sha256:abc', ready: true, restartCount: 3, state: { running: { startedAt: 'x' } }, containerID: 'containerd://1' }],
          },
        }),
        {
          apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'eks.amazonaws.com/compute-type': 'fargate' } },
          spec: { providerID: 'aws:///eu-west-1a/i-0abc' },
          status: { images: [{ names: ['a'], sizeBytes: 1 }], volumesInUse: ['x'], nodeInfo: { kubeletVersion: 'v1.33.5' }, conditions: [{ type: 'Ready', status: 'True', message: 'kubelet is posting ready status', lastHeartbeatTime: 'x' }], addresses: [{ type: 'InternalIP', address: '10.0.1.1' }] },
        },
      ],
    });
    const r = await collect(s, ['k8s:core/Pod', 'k8s:core/Node']);
    const p = r.kubernetes.objects.find((o) => o.kind === 'Pod')!;
    expect(p.metadata.managedFields).toBeUndefined();
    expect(p.metadata.selfLink).toBeUndefined();
    expect(p.metadata.annotations).toEqual({ keep: 'me' });
    expect(p.spec).toEqual({ containers: [{ name: 'app', image: 'nginx:1.27' }] });
    expect(p.status).toEqual({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'app', image: 'nginx:1.27', imageID: 'docker.io/library/nginx@sha256:abc', ready: true }],
    });
    const n = r.kubernetes.objects.find((o) => o.kind === 'Node')!;
    expect(n.status).toEqual({ nodeInfo: { kubeletVersion: 'v1.33.5' }, conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '10.0.1.1' }] });
    expect(n.metadata.labels).toEqual({ 'eks.amazonaws.com/compute-type': 'fargate' });
  });

  it('reads the evidence ConfigMaps by name and never lists ConfigMaps', async () => {
    const s = await start({
      objects: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: { mapRoles: '- rolearn: arn:aws:iam::111122223333:role/node\n' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'default' }, data: { password: 'hunter2' } },
      ],
    });
    const r = await collect(s, ['k8s:core/ConfigMap']);
    expect(s.count((q) => q.verb === 'list' && q.resource === 'configmaps')).toBe(0);
    expect(s.requests.filter((q) => q.resource === 'configmaps').map((q) => `${q.verb} ${q.namespace}/${q.name}`).sort())
      .toEqual(['get kube-system/amazon-vpc-cni', 'get kube-system/aws-auth', 'get kube-system/cluster-autoscaler-status']);
    expect(r.kubernetes.kinds['core/ConfigMap']).toMatchObject({ state: 'collected', count: 1 });
    expect(r.kubernetes.objects).toHaveLength(1);
    expect(r.kubernetes.objects[0]!.data).toEqual({ mapRoles: '- rolearn: arn:aws:iam::111122223333:role/node\n' });
    expect(JSON.stringify(r.kubernetes)).not.toContain('hunter2');
  });

  it('reads the falco ConfigMap where a Falco DaemonSet runs, reduced to its output switches; a refusal is no gap', async () => {
    const falcoDs = (ns: string, name: string) => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/name': 'falco' } }, spec: { template: { spec: { containers: [{ name: 'falco', image: 'falcosecurity/falco:0.42.1' }] } } } });
    const falcoYaml = 'http_output:\n  enabled: true\n  url: https://user:hunter2@siem.example/\nstdout_output:\n  enabled: true\n';
    const s = await start({
      objects: [
        falcoDs('security', 'falco'),
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'falco', namespace: 'security' }, data: { 'falco.yaml': falcoYaml, 'falco_rules.local.yaml': '- rule: x' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'falco', namespace: 'other' }, data: { 'falco.yaml': falcoYaml } },
      ],
    });
    const r = await collect(s, ['k8s:core/ConfigMap', 'k8s:apps/DaemonSet']);
    expect(s.requests.filter((q) => q.resource === 'configmaps' && q.namespace !== 'kube-system').map((q) => `${q.verb} ${q.namespace}/${q.name}`)).toEqual(['get security/falco']);
    const cms = r.kubernetes.objects.filter((o) => o.kind === 'ConfigMap');
    expect(cms.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['security/falco']);
    expect(Object.keys(cms[0]!.data as object)).toEqual(['falco.yaml']);
    expect(JSON.stringify(r.kubernetes)).not.toContain('hunter2');
    expect(r.kubernetes.kinds['core/ConfigMap']).toMatchObject({ state: 'collected', count: 1 });
    await s.close();
    // Not granted in that namespace: nothing read, no gap (CC4-MON-05 then asks for an attestation).
    const s2 = await start({
      objects: [falcoDs('security', 'falco-ds'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'falco', namespace: 'security' }, data: { 'falco.yaml': falcoYaml } }],
      forbidden: (q) => q.resource === 'configmaps' && q.namespace === 'security',
    });
    const r2 = await collect(s2, ['k8s:core/ConfigMap', 'k8s:apps/DaemonSet']);
    expect(s2.requests.filter((q) => q.resource === 'configmaps' && q.namespace === 'security').map((q) => q.name).sort()).toEqual(['falco', 'falco-ds']);
    expect(r2.kubernetes.objects.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
    expect(r2.gaps).toEqual([]);
    expect(r2.kubernetes.kinds['core/ConfigMap']).toMatchObject({ state: 'collected', count: 0 });
  });

  it('does not read Secrets unless asked, and then only their metadata', async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'a', labels: { app: 'db' } }, type: 'Opaque', data: { password: Buffer.from('hunter2').toString('base64') } };
    const s = await start({ objects: [secret] });
    const off = await collect(s, ['k8s:core/Secret']);
    expect(s.count((q) => q.resource === 'secrets')).toBe(0);
    expect(off.kubernetes.kinds['core/Secret']).toBeUndefined();
    expect(off.gaps).toMatchObject([{ key: 'core/Secret', reason: 'not-enabled', permission: 'list secrets (core)' }]);
    const on = await collect(s, ['k8s:core/Secret'], { secretsMetadata: true });
    const req = s.requests.filter((q) => q.resource === 'secrets');
    expect(req).toHaveLength(1);
    expect(req[0]!.accept).toBe('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
    expect(on.kubernetes.kinds['core/Secret']).toMatchObject({ state: 'collected', count: 1 });
    expect(on.kubernetes.objects).toEqual([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'a', labels: { app: 'db' } } }]);
    expect(JSON.stringify(on)).not.toContain(secret.data.password);
  });

  it('rejects a metadata-only answer that is not PartialObjectMetadataList or carries data', async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'a' }, data: { password: 'c2VjcmV0LXZhbHVl' } };
    const s = await start({ objects: [secret], metadataOnly: 'ignore' });
    const r = await collect(s, ['k8s:core/Secret'], { secretsMetadata: true });
    expect(r.kubernetes.kinds['core/Secret']?.state).toBe('error');
    expect(r.kubernetes.objects).toEqual([]);
    expect(r.gaps[0]).toMatchObject({ key: 'core/Secret', reason: 'invalid' });
    expect(JSON.stringify(r)).not.toContain('c2VjcmV0LXZhbHVl');
    await s.close();
    const s2 = await start({ objects: [secret], metadataOnly: 'not-acceptable' });
    const r2 = await collect(s2, ['k8s:core/Secret'], { secretsMetadata: true });
    expect(r2.kubernetes.kinds['core/Secret']?.state).toBe('error');
    expect(r2.gaps[0]).toMatchObject({ key: 'core/Secret', reason: 'unsupported' });
  });

  it('limits the kinds listed in parallel to --concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const keys = ['core/Pod', 'core/Service', 'core/Namespace', 'apps/Deployment', 'apps/DaemonSet', 'apps/StatefulSet', 'batch/Job', 'batch/CronJob'];
    const s = await start({
      serve: keys,
      intercept: (req) => {
        if (req.verb !== 'list') return undefined;
        inFlight++;
        peak = Math.max(peak, inFlight);
        setTimeout(() => { inFlight--; }, 30);
        return { delayMs: 30 };
      },
    });
    const r = await collect(s, keys.map((k) => `k8s:${k}`), { concurrency: 2 });
    expect(Object.values(r.kubernetes.kinds).every((c) => c.state === 'collected')).toBe(true);
    expect(peak).toBeLessThanOrEqual(2);
    expect(peak).toBeGreaterThanOrEqual(1);
  });

  it('returns objects in a stable order whatever the concurrency', async () => {
    const objects = [pod('b', 'y'), pod('a', 'x'), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'a' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } }];
    const s = await start({ objects });
    const one = await collect(s, ['k8s:core/Pod', 'k8s:apps/Deployment'], { concurrency: 1 });
    const four = await collect(s, ['k8s:apps/Deployment', 'k8s:core/Pod'], { concurrency: 4 });
    expect(four.kubernetes.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(one.kubernetes.objects.map((o) => `${o.kind}/${o.metadata.name}`));
    expect(Object.keys(four.kubernetes.kinds)).toEqual(['apps/Deployment', 'core/Pod']);
  });
});
