import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFiles } from '../../../src/collectors/files/read.js';
import { reduceObject } from '../../../src/collectors/kubernetes/reduce.js';
import type { K8sObject } from '../../../src/model/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'eks-soc2-status-'));

/** A pod as `kubectl get pods -o json` prints it: the kubelet's whole status. */
const pod = (name: string): K8sObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'shop', uid: `uid-${name}` },
  spec: { containers: [{ name: 'web', image: 'registry.example/web:1.2.3' }] },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-11-23T16:17:36Z' }],
    hostIP: '10.0.1.2', hostIPs: [{ ip: '10.0.1.2' }], podIP: '10.1.2.3', podIPs: [{ ip: '10.1.2.3' }], startTime: '2026-11-23T16:17:36Z', qosClass: 'BestEffort',
    containerStatuses: [{
      name: 'web', image: 'registry.example/web:1.2.3', imageID: `registry.example/web@sha256:${'a'.repeat(64)}`, ready: true, started: true, restartCount: 3,
      state: { running: { startedAt: '2026-11-23T16:17:36Z' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } }, containerID: 'containerd://0123',
    }],
  },
} as unknown as K8sObject);

const node = (): K8sObject => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name: 'ip-10-0-1-2' },
  status: {
    nodeInfo: { kubeletVersion: 'v1.33.5-eks-3025e55' },
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: '2026-12-01T00:00:00Z', message: 'kubelet is posting ready status' }],
    images: [{ names: ['registry.example/web:1.2.3'], sizeBytes: 123 }], volumesInUse: ['x'], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
  },
} as unknown as K8sObject);

/** What the live collector keeps of an object (reduceObject), without the reader's own `$source`. */
const live = (o: K8sObject) => reduceObject(structuredClone(o)).status;

describe('objects read from files keep the status a live scan keeps', () => {
  it('a pod and a node of a kubectl dump, read whole, as a stream and from a bundle', async () => {
    const dir = tmp();
    const list = join(dir, 'dump.json');
    writeFileSync(list, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod('a'), node()] }));
    const bundle = join(dir, 'bundle.json');
    writeFileSync(bundle, JSON.stringify({
      schema: 'eks-soc2/snapshot@1', createdAt: '2026-12-01T00:00:00Z', cluster: { name: 'c' }, collector: { tool: 'eks-soc2', version: '0' },
      kubernetes: { source: 'live', complete: false, kinds: { 'core/Pod': { state: 'collected', count: 1 } }, objects: [pod('b')] }, aws: { source: 'none', facts: [], calls: {} }, tools: [], gaps: [],
    }));
    for (const threshold of [Number.MAX_SAFE_INTEGER, 1]) {
      const snap = await collectFiles([list, bundle], { toolVersion: '0', streamThreshold: threshold });
      expect(snap.gaps).toEqual([]);
      const [a, n, b] = ['a', 'ip-10-0-1-2', 'b'].map((name) => snap.kubernetes.objects.find((o) => o.metadata.name === name)!);
      expect(a!.status).toEqual(live(pod('a')));
      expect(b!.status).toEqual(live(pod('b')));
      expect(n!.status).toEqual(live(node()));
      // What the checks read is kept: the running digest, readiness, the phase, the kubelet version.
      expect(a!.status).toEqual({
        phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'web', image: 'registry.example/web:1.2.3', imageID: `registry.example/web@sha256:${'a'.repeat(64)}`, ready: true }],
      });
      expect((n!.status as { nodeInfo?: unknown; images?: unknown }).nodeInfo).toEqual({ kubeletVersion: 'v1.33.5-eks-3025e55' });
      expect((n!.status as { images?: unknown }).images).toBeUndefined();
    }
  });

  it('a status of the wrong shape is still refused, not trimmed into a valid one', async () => {
    const file = join(tmp(), 'bad.json');
    const bad = pod('bad');
    (bad.status as Record<string, unknown>).containerStatuses = 'web is running';
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [bad, pod('good')] }));
    for (const threshold of [Number.MAX_SAFE_INTEGER, 1]) {
      const snap = await collectFiles([file], { toolVersion: '0', streamThreshold: threshold });
      expect(snap.kubernetes.objects.map((o) => o.metadata.name)).toEqual(['good']);
      expect(snap.gaps.map((g) => g.message).join('\n')).toMatch(/status\.containerStatuses is the string "web is running", not a list/);
      expect(snap.kubernetes.kinds['core/Pod']?.state).toBe('partial');
    }
  });

  it('objects checked as they stream are judged as the whole file read at once judges them (Lists, bundles, top-level arrays)', async () => {
    const dir = tmp();
    const badSpec = pod('bad-spec');
    (badSpec.spec as Record<string, unknown>).containers = 'web';
    const badStatus = pod('bad-status');
    (badStatus.status as Record<string, unknown>).hostIP = 42;
    const noKind = { apiVersion: 'v1', metadata: { name: 'no-kind' } };
    const nested = { apiVersion: 'v1', kind: 'List', items: [pod('nested')] };
    const items = [pod('a'), badSpec, badStatus, noKind, nested, node(), pod('z')];
    const files = {
      list: JSON.stringify({ apiVersion: 'v1', items, kind: 'List' }),
      array: JSON.stringify(items),
      bundle: JSON.stringify({
        schema: 'eks-soc2/snapshot@1', createdAt: '2026-12-01T00:00:00Z', cluster: { name: 'c' }, collector: { tool: 'eks-soc2', version: '0' },
        kubernetes: { source: 'live', complete: false, kinds: { 'core/Pod': { state: 'collected', count: 4 } }, objects: [pod('a'), badSpec, badStatus, pod('z')] },
        aws: { source: 'none', facts: [], calls: {} }, tools: [], gaps: [],
      }),
    };
    for (const [name, text] of Object.entries(files)) {
      const path = join(dir, `${name}.json`);
      writeFileSync(path, text);
      const read = (t: number) => collectFiles([path], { toolVersion: '0', streamThreshold: t });
      const whole = await read(Number.MAX_SAFE_INTEGER);
      const stream = await read(1);
      expect(stream.kubernetes.objects, name).toEqual(whole.kubernetes.objects);
      expect(stream.gaps, name).toEqual(whole.gaps);
      expect(stream.kubernetes.kinds, name).toEqual(whole.kubernetes.kinds);
      const names = whole.kubernetes.objects.map((o) => o.metadata.name);
      expect(names, name).not.toContain('bad-spec');
      expect(names, name).not.toContain('bad-status');
      expect(names, name).toContain('a');
      expect(whole.gaps.map((g) => g.message).join('\n'), name).toMatch(/status\.hostIP is the integer 42, not a string/);
    }
  });
});
