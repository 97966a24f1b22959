import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../../src/model/index.js';
import { reduceObject } from '../../../src/collectors/kubernetes/reduce.js';
import { StructureSharer } from '../../../src/collectors/kubernetes/share.js';
import { peekContinue } from '../../../src/collectors/kubernetes/collect.js';
import { REDACTED } from '../../../src/collectors/sanitize.js';

const container = (image: string, token?: string) => ({
  name: 'app', image, imagePullPolicy: 'IfNotPresent',
  env: [{ name: 'DB_PASSWORD', value: 'hunter2' }, { name: 'LOG_LEVEL', value: 'info' }],
  resources: { requests: { cpu: '100m' } },
  volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(token ? [{ name: token, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }] : [])],
});
const pod = (name: string, node: string, image = 'repo/app:1'): K8sObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name, namespace: 'shop', uid: `uid-${name}`, labels: { app: 'shop', tier: 'web' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{"containers":[{"env":[{"value":"hunter2"}]}]}}' },
    managedFields: [{ manager: 'kubelet' }],
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'shop-abc', uid: 'rs-1', controller: true }],
  } as K8sObject['metadata'],
  spec: {
    nodeName: node, containers: [container(image, `kube-api-access-${name}`)],
    volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'data', persistentVolumeClaim: { claimName: 'data' } }, { name: `kube-api-access-${name}`, projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }],
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  },
  status: { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 'x' }], containerStatuses: [{ name: 'app', image, imageID: 'repo/app@sha256:1', ready: true, restartCount: 1 }] },
});
const deployment = (): K8sObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shop', namespace: 'shop' },
  spec: { selector: { matchLabels: { app: 'shop', tier: 'web' } }, template: { metadata: { labels: { app: 'shop', tier: 'web' } }, spec: { containers: [container('repo/app:1')], volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'data', persistentVolumeClaim: { claimName: 'data' } }] } } },
});

describe('structural sharing', () => {
  it('gives the same objects as reducing without sharing', () => {
    const sharer = new StructureSharer();
    const shared = [pod('a', 'n1'), pod('b', 'n2'), pod('c', 'n1', 'repo/app:2'), deployment()].map((o) => reduceObject(o, sharer));
    const plain = [pod('a', 'n1'), pod('b', 'n2'), pod('c', 'n1', 'repo/app:2'), deployment()].map((o) => reduceObject(o));
    expect(JSON.parse(JSON.stringify(shared))).toEqual(JSON.parse(JSON.stringify(plain)));
    expect(sharer.hits).toBeGreaterThan(0);
  });

  it('shares identical sub-trees between replicas and with the pod template, frozen, with secrets still redacted', () => {
    const sharer = new StructureSharer();
    const [a, b, c, d] = [pod('a', 'n1'), pod('b', 'n2'), pod('c', 'n1', 'repo/app:2'), deployment()].map((o) => reduceObject(o, sharer));
    type Spec = { nodeName?: string; containers: { env: { value: string }[]; resources: unknown; volumeMounts: unknown[] }[]; volumes: unknown[]; tolerations: unknown[] };
    const spec = (o: K8sObject) => o.spec as Spec;
    const ca = spec(a!).containers[0]!;
    const cb = spec(b!).containers[0]!;
    expect(ca.env).toBe(cb.env);
    expect(ca.resources).toBe(cb.resources);
    expect(ca.volumeMounts).not.toBe(cb.volumeMounts); // each pod mounts its own token volume
    expect(spec(a!).tolerations).toBe(spec(c!).tolerations);
    expect(spec(a!).volumes[0]).toBe(spec(c!).volumes[0]);
    expect(spec(a!).volumes[2]).not.toBe(spec(b!).volumes[2]);
    expect(spec(a!).nodeName).toBe('n1');
    expect(spec(b!).nodeName).toBe('n2');
    expect(a!.metadata.labels).toBe(b!.metadata.labels);
    expect(a!.metadata.ownerReferences).toBe(c!.metadata.ownerReferences);
    const tpl = (d!.spec as { template: { spec: Spec } }).template.spec;
    expect(tpl.containers[0]!.env).toBe(ca.env);
    expect(Object.isFrozen(ca.env)).toBe(true);
    expect(Object.isFrozen(ca.env[0])).toBe(true);
    expect(() => { (cb.env[1] as { value: string }).value = 'debug'; }).toThrow(TypeError);
    expect(ca.env[0]!.value).toBe(REDACTED);
    expect(JSON.stringify([a, b, c, d])).not.toContain('hunter2');
    expect(a!.metadata.managedFields).toBeUndefined();
    expect(a!.metadata.annotations).toEqual({});
    expect(Object.isFrozen(a)).toBe(false); // the object itself stays per-pod
  });
});

describe('continue token peek', () => {
  it('reads metadata.continue from the head of a list body', () => {
    const body = Buffer.from(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '12', continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ==', remainingItemCount: 3 }, items: [{ metadata: { name: 'x', continue: 'nope' } }] }));
    expect(peekContinue(body)).toBe('eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ==');
    expect(peekContinue(Buffer.from(JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: '12' }, items: [] })))).toBeUndefined();
    expect(peekContinue(Buffer.from(JSON.stringify({ items: [{ metadata: { continue: 'item-level' } }], metadata: {} })))).toBeUndefined();
    expect(peekContinue(Buffer.from('not json'))).toBeUndefined();
  });
});
