// The large synthetic snapshot of the store benchmarks (bench/store.mjs, bench/store-insert.mjs): a seeded
// cluster of `pods` pods in Deployments of 10 replicas, over pods/500 namespaces, plus nodes — about
// 185,000 objects and 172 MB of JSON for 150,000 pods. `model` is dist/model/index.js (the build).
import { prng as mulberry32 } from './generator.mjs';

/** A snapshot (`model`: the module dist/model/index.js) with `pods` pods in Deployments (10 replicas each) over pods/500 namespaces, plus nodes. */
export function largeSnapshot(model, pods, seed = 7) {
  const { emptySnapshot, kindKey } = model;
  const rnd = mulberry32(seed);
  const hex = (n) => { let s = ''; for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rnd() * 16)]; return s; };
  const now = new Date('2026-11-26T00:00:00Z');
  const snap = emptySnapshot('bench', now);
  snap.cluster = { name: 'bench-large', accountId: '444455556666', region: 'us-east-1', arn: 'arn:aws:eks:us-east-1:444455556666:cluster/bench-large' };
  snap.collector.identity = 'bench';
  const objects = [];
  const nodes = Math.ceil(pods / 30);
  for (let n = 0; n < nodes; n++) {
    objects.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: `ip-10-${(n >> 8) & 255}-${n & 255}-${n % 7}.ec2.internal`, uid: hex(32), labels: { 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': 'm6i.2xlarge' } },
      status: { nodeInfo: { kubeletVersion: 'v1.33.5-eks-3025e55', osImage: 'Amazon Linux 2023', containerRuntimeVersion: 'containerd://1.7.27' } } });
  }
  const namespaces = Math.max(1, Math.ceil(pods / 500));
  let made = 0;
  for (let ns = 0; ns < namespaces && made < pods; ns++) {
    const namespace = `team-${ns}`;
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, uid: hex(32), labels: { 'pod-security.kubernetes.io/enforce': rnd() < 0.7 ? 'restricted' : 'baseline' } } });
    for (let d = 0; d < 50 && made < pods; d++) {
      const name = `svc-${d}`;
      const hardened = rnd() < 0.8;
      const image = `444455556666.dkr.ecr.us-east-1.amazonaws.com/${namespace}/${name}:1.${Math.floor(rnd() * 40)}.${Math.floor(rnd() * 10)}`;
      const container = {
        name: 'app', image,
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
        securityContext: hardened
          ? { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: rnd() < 0.9, capabilities: { drop: ['ALL'] } }
          : { privileged: rnd() < 0.1 },
      };
      const template = { metadata: { labels: { app: name } }, spec: { serviceAccountName: name, automountServiceAccountToken: false, containers: [container] } };
      const duid = hex(32);
      objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, uid: duid, labels: { app: name } }, spec: { replicas: 10, selector: { matchLabels: { app: name } }, template } });
      const rsName = `${name}-${hex(10)}`;
      const rsuid = hex(32);
      objects.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: rsName, namespace, uid: rsuid, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: duid, controller: true }] }, spec: { replicas: 10, template } });
      for (let r = 0; r < 10 && made < pods; r++, made++) {
        objects.push({
          apiVersion: 'v1', kind: 'Pod',
          metadata: { name: `${rsName}-${hex(5)}`, namespace, uid: hex(32), labels: { app: name }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: rsuid, controller: true }] },
          spec: { ...template.spec, nodeName: `node-${Math.floor(rnd() * nodes)}` },
          status: { phase: 'Running', podIP: `10.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}`, containerStatuses: [{ name: 'app', image, imageID: `${image.split(':')[0]}@sha256:${hex(64)}`, ready: true }] },
        });
      }
    }
  }
  const kinds = {};
  for (const o of objects) {
    const k = kindKey(o.apiVersion, o.kind);
    kinds[k] ??= { state: 'collected', count: 0 };
    kinds[k].count++;
  }
  snap.kubernetes = { source: 'files', complete: true, serverVersion: 'v1.33.5-eks-3025e55', kinds, objects };
  return snap;
}
