#!/usr/bin/env node
// Deterministic, seeded synthetic EKS environment of a chosen size, up to Kubernetes' published
// limits (5,000 nodes, 150,000 pods, 10,000 namespaces, 10,000 services). Plain ESM JavaScript
// with JSDoc types so that the benchmarks (node) and the tests (vitest) can import it.
//
//   node bench/generator.mjs --pods 150000 --out DIR [--seed N] [--formats bundle,bundle-gz,yaml,yaml-list,pod-list,pod-list-compact]
//
// Everything is produced lazily (`objects()` is a generator) and written streaming: no output is
// ever held as one string, so the 1 GB `kubectl get pods -A -o json` dump is written in bounded memory.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createGzip } from 'node:zlib';
import jsYaml from 'js-yaml';

/**
 * @typedef {{ [k: string]: unknown, apiVersion: string, kind: string, metadata: Record<string, any> }} K8sObject
 * @typedef {{ service: string, operation: string, region: string, accountId: string, params?: Record<string, unknown>, output: Record<string, unknown> }} AwsFact
 * @typedef {object} GenOptions
 * @property {number} pods                 total pods (every other count scales with it)
 * @property {number} [seed]               PRNG seed (default 1)
 * @property {string} [now]                ISO time the environment is "collected" at (default 2026-11-26T00:00:00Z)
 * @property {boolean} [managedFields]     include metadata.managedFields, as `kubectl get -o json` prints (default false)
 * @property {string} [cluster]            cluster name (default scale-<pods>)
 * @property {boolean} [mesh]              add an Istio mesh: istio-system, PeerAuthentications, AuthorizationPolicies, injection labels (default false)
 * @typedef {object} Plan
 * @property {number} pods
 * @property {number} nodes
 * @property {number} namespaces           all namespaces, system ones included
 * @property {number} appNamespaces
 * @property {number} services             all Services, system ones included
 * @property {number} appPods              pods of application workloads (the rest are system pods)
 * @property {number} systemPods
 */

export const LIMITS = Object.freeze({ nodes: 5000, pods: 150_000, namespaces: 10_000, services: 10_000 });
export const SNAPSHOT_SCHEMA = 'eks-soc2/snapshot@1';
const ACCOUNT = '444455556666';
const REGION = 'us-east-1';
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'amazon-cloudwatch', 'karpenter', 'cert-manager', 'ingress-nginx'];
/** DaemonSets with one pod per node: [namespace, name, image]. */
export const DAEMONSETS = [
  ['kube-system', 'aws-node', '602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1'],
  ['kube-system', 'kube-proxy', '602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/kube-proxy:v1.33.5-minimal-eksbuild.2'],
  ['kube-system', 'ebs-csi-node', '602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/aws-ebs-csi-driver:v1.38.1'],
  ['kube-system', 'eks-pod-identity-agent', '602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/eks-pod-identity-agent:v0.1.21'],
  ['amazon-cloudwatch', 'fluent-bit', 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4'],
];
/** System Deployments: [namespace, name, replicas, image, service]. */
const SYSTEM_DEPLOYMENTS = [
  ['kube-system', 'coredns', 2, '602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/coredns:v1.11.4-eksbuild.2', 'kube-dns'],
  ['kube-system', 'ebs-csi-controller', 2, '602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/aws-ebs-csi-driver:v1.38.1', undefined],
  ['kube-system', 'metrics-server', 1, 'registry.k8s.io/metrics-server/metrics-server:v0.7.2', 'metrics-server'],
  ['karpenter', 'karpenter', 2, 'public.ecr.aws/karpenter/controller:1.1.1@sha256:fe383abf1b0a37e1f1ea1e6e3b58bd5ed3e3e1d6b1c1b50e2f7a6a6a6c1d2e3f', 'karpenter'],
  ['cert-manager', 'cert-manager', 1, 'quay.io/jetstack/cert-manager-controller:v1.16.2', 'cert-manager'],
  ['ingress-nginx', 'ingress-nginx-controller', 2, 'registry.k8s.io/ingress-nginx/controller:v1.12.0', 'ingress-nginx-controller'],
];
const SYSTEM_DEPLOYMENT_PODS = SYSTEM_DEPLOYMENTS.reduce((n, d) => n + /** @type {number} */ (d[2]), 0);
const WORDS = ['orders', 'billing', 'search', 'catalog', 'checkout', 'payments', 'profile', 'inventory', 'shipping', 'ledger', 'auth', 'notify',
  'reports', 'pricing', 'reviews', 'media', 'gateway', 'fraud', 'ads', 'feeds', 'ml', 'etl', 'ingest', 'archive'];
const TEAMS = ['core', 'growth', 'data', 'platform', 'commerce', 'risk', 'ml', 'edge'];
const IMAGES = [
  (w, v) => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${w}@sha256:${v}`,
  (w, v) => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${w}:1.${v.charCodeAt(0) % 20}.${v.charCodeAt(1) % 10}`,
  (w) => `docker.io/acme/${w}:latest`,
  (w) => `ghcr.io/acme/${w}`,
];

/** The counts for a number of pods: proportional to Kubernetes' published limits at 150,000 pods. */
export function plan(pods) {
  if (!Number.isInteger(pods) || pods < 100) throw new Error(`pods must be an integer >= 100 (got ${pods})`);
  const nodes = Math.max(3, Math.round(pods / 30));
  const namespaces = Math.max(SYSTEM_NAMESPACES.length + 2, Math.round(pods / 15));
  const systemPods = nodes * DAEMONSETS.length + SYSTEM_DEPLOYMENT_PODS;
  const appNamespaces = namespaces - SYSTEM_NAMESPACES.length;
  const services = Math.max(appNamespaces + 6, Math.round(pods / 15));
  if (pods - systemPods < appNamespaces) throw new Error(`${pods} pods is too few for ${nodes} nodes`);
  return { pods, nodes, namespaces, appNamespaces, services, appPods: pods - systemPods, systemPods };
}

/** mulberry32: small, fast, good enough for synthetic data (shared by the other benchmarks). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX = '0123456789abcdef';
const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * The synthetic environment. `objects()` yields every Kubernetes object lazily, in a stable order
 * (cluster-scoped objects, system namespaces, then application namespaces one at a time).
 * @param {GenOptions} opts
 */
export function environment(opts) {
  const p = plan(opts.pods);
  const seed = opts.seed ?? 1;
  const nowIso = opts.now ?? '2026-11-26T00:00:00.000Z';
  const now = Date.parse(nowIso);
  const cluster = opts.cluster ?? `scale-${opts.pods}`;
  const managed = Boolean(opts.managedFields);
  return {
    plan: p,
    cluster,
    now: nowIso,
    serverVersion: 'v1.33.5-eks-3025e55',
    /** @returns {Generator<K8sObject>} */
    objects: () => generateObjects(p, seed, now, managed, Boolean(opts.mesh)),
    /** Only the pods (for the `kubectl get pods -A -o json` dump), in the same order. */
    pods: function* () { for (const o of generateObjects(p, seed, now, managed, Boolean(opts.mesh))) if (o.kind === 'Pod') yield o; },
    /** @returns {AwsFact[]} */
    facts: () => awsFacts(cluster, now, p),
    identity: () => ({ name: cluster, arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${cluster}`, accountId: ACCOUNT, region: REGION }),
  };
}

/** @param {Plan} p @param {number} seed @param {number} now @param {boolean} managed @param {boolean} mesh @returns {Generator<K8sObject>} */
function* generateObjects(p, seed, now, managed, mesh) {
  const rnd = prng(seed);
  // Mesh choices draw from their own generator: without the mesh the output is byte for byte unchanged.
  const meshRnd = prng(seed ^ 0x5eed);
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
  const uid = () => {
    let s = '';
    for (let i = 0; i < 32; i++) {
      s += HEX[Math.floor(rnd() * 16)];
      if (i === 7 || i === 11 || i === 15 || i === 19) s += '-';
    }
    return s;
  };
  const suffix = (n) => { let s = ''; for (let i = 0; i < n; i++) s += ALNUM[Math.floor(rnd() * ALNUM.length)]; return s; };
  const hex = (n) => { let s = ''; for (let i = 0; i < n; i++) s += HEX[Math.floor(rnd() * 16)]; return s; };
  const iso = (msAgo) => new Date(now - msAgo).toISOString().replace(/\.\d{3}Z$/, 'Z');
  let rv = 10_000_000;
  const meta = (name, namespace, extra = {}) => ({
    name, ...(namespace ? { namespace } : {}), uid: uid(), resourceVersion: String(rv += 1 + Math.floor(rnd() * 50)),
    creationTimestamp: iso(Math.floor(rnd() * 400) * 86_400_000 + Math.floor(rnd() * 86_400_000)), ...extra,
  });
  const ownerRef = (o, block = true) => [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true, ...(block ? { blockOwnerDeletion: true } : {}) }];
  const nodeName = (i) => `ip-10-${(i >> 16) & 255}-${(i >> 8) & 255}-${i & 255}.ec2.internal`;
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

  // ---- cluster-scoped ----
  for (let i = 0; i < p.nodes; i++) yield node(i);
  for (const o of clusterRbac()) yield o;
  yield sc('gp2', false, true);
  yield sc('gp3-encrypted', true, false);
  for (const o of crds()) yield o;
  yield { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: meta('platform-critical'), value: 1000000, globalDefault: false, description: 'platform add-ons' };
  yield { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: meta('cert-manager-webhook'), webhooks: [{ name: 'webhook.cert-manager.io', admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail', clientConfig: { service: { name: 'cert-manager-webhook', namespace: 'cert-manager', path: '/validate' } }, rules: [{ apiGroups: ['cert-manager.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['*/*'] }] }] };

  // ---- system namespaces ----
  let servicesLeft = p.services;
  for (const ns of SYSTEM_NAMESPACES) {
    yield namespace(ns, ns === 'kube-system' ? 'privileged' : undefined);
    yield { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', ns) };
    yield { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('kube-root-ca.crt', ns, { annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }), data: { 'ca.crt': CA } };
  }
  yield service('kubernetes', 'default', undefined, 443, 'ClusterIP', { component: 'apiserver', provider: 'kubernetes' });
  servicesLeft--;
  yield { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('aws-auth', 'kube-system'), data: { mapRoles: `- rolearn: arn:aws:iam::${ACCOUNT}:role/scale-node-role\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - system:bootstrappers\n  - system:nodes\n- rolearn: arn:aws:iam::${ACCOUNT}:role/admin\n  username: admin\n  groups:\n  - system:masters\n` } };
  yield { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('amazon-vpc-cni', 'kube-system'), data: { 'enable-network-policy-controller': 'true', 'enable-windows-ipam': 'false' } };
  for (const [ns, name, image] of DAEMONSETS) {
    const ds = workloadObj('apps/v1', 'DaemonSet', name, ns, { 'k8s-app': name }, podSpecFor(name, ns, image, 'system', name), { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } } });
    ds.status = { currentNumberScheduled: p.nodes, desiredNumberScheduled: p.nodes, numberAvailable: p.nodes, numberReady: p.nodes, observedGeneration: 3, updatedNumberScheduled: p.nodes };
    yield ds;
    yield { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, ns) };
    for (let i = 0; i < p.nodes; i++) yield pod(ds, `${name}-${suffix(5)}`, nodeName(i), { 'k8s-app': name, 'controller-revision-hash': '6d4b8c7f9' });
  }
  for (const [ns, name, replicas, image, svc] of SYSTEM_DEPLOYMENTS) {
    const labels = { 'app.kubernetes.io/name': name, 'k8s-app': name };
    const d = workloadObj('apps/v1', 'Deployment', name, ns, labels, podSpecFor(name, ns, image, 'system', name), { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 });
    yield d;
    yield { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, ns) };
    const hash = suffix(9);
    const rs = replicaSet(d, hash, replicas);
    yield rs;
    for (let i = 0; i < replicas; i++) yield pod(rs, `${name}-${hash}-${suffix(5)}`, nodeName(Math.floor(rnd() * p.nodes)), { ...labels, 'pod-template-hash': hash });
    if (svc) { yield service(svc, ns, labels, name === 'coredns' ? 53 : 443, name === 'ingress-nginx-controller' ? 'LoadBalancer' : 'ClusterIP'); servicesLeft--; }
  }
  yield { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: meta('default'), spec: { template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' }, requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand', 'spot'] }], expireAfter: '720h' } }, disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m' }, limits: { cpu: 100000 } } };
  yield { apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass', metadata: meta('default'), spec: { amiSelectorTerms: [{ alias: 'al2023@latest' }], role: 'scale-node-role', metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 }, blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '100Gi', volumeType: 'gp3', encrypted: true } }] } };
  if (mesh) {
    yield namespace('istio-system', 'privileged');
    yield workloadObj('apps/v1', 'Deployment', 'istiod', 'istio-system', { app: 'istiod', istio: 'pilot' }, podSpecFor('istiod', 'istio-system', 'docker.io/istio/pilot:1.24.2', 'system', 'istiod'), { replicas: 2 });
    yield { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: meta('default', 'istio-system'), spec: { mtls: { mode: 'STRICT' } } };
  }
  yield { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: meta('letsencrypt'), spec: { acme: { server: 'https://acme-v02.api.letsencrypt.org/directory', privateKeySecretRef: { name: 'letsencrypt' }, solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } } }] } } };

  // ---- application namespaces ----
  const A = p.appNamespaces;
  const appServices = servicesLeft;
  for (let n = 0; n < A; n++) {
    const word = WORDS[n % WORDS.length];
    const ns = `${word}-${String(n).padStart(5, '0')}`;
    const team = pick(TEAMS);
    const posture = rnd();
    const nsObj = namespace(ns, posture < 0.5 ? 'restricted' : posture < 0.75 ? 'baseline' : undefined, team);
    if (mesh && meshRnd() < 0.7) nsObj.metadata.labels['istio-injection'] = 'enabled';
    yield nsObj;
    if (mesh) {
      if (meshRnd() < 0.3) yield { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: meta('default', ns), spec: { mtls: { mode: meshRnd() < 0.8 ? 'STRICT' : 'PERMISSIVE' } } };
      if (meshRnd() < 0.6) {
        yield { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta('deny-all', ns), spec: {} };
        yield { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta(`${word}-allow`, ns), spec: { action: 'ALLOW', selector: { matchLabels: { app: word } }, rules: [{ from: [{ source: { namespaces: ['ingress-nginx'] } }] }] } };
      }
    }
    yield { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', ns) };
    yield { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(`${word}-app`, ns, { annotations: rnd() < 0.6 ? { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${ACCOUNT}:role/${ns}` } : {} }) };
    yield { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('kube-root-ca.crt', ns), data: { 'ca.crt': CA } };
    yield { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${word}-config`, ns, { labels: { app: word } }), data: { 'LOG_LEVEL': 'info', 'FEATURE_FLAGS': 'a,b,c', 'application.yaml': `server:\n  port: 8080\nmanagement:\n  port: 9090\n${word}:\n  timeout: 30s\n` } };
    yield { apiVersion: 'v1', kind: 'Secret', metadata: meta(`${word}-db`, ns), type: 'Opaque', data: { username: 'YXBw', password: 'c2VjcmV0LXZhbHVlLW5vdC1rZXB0' } };
    const wildcard = rnd() < 0.1;
    yield { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(`${word}-app`, ns), rules: wildcard ? [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] : [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }, { apiGroups: [''], resources: ['secrets'], resourceNames: [`${word}-db`], verbs: ['get'] }] };
    yield { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(`${word}-app`, ns), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${word}-app` }, subjects: [{ kind: 'ServiceAccount', name: `${word}-app`, namespace: ns }] };
    if (rnd() < 0.3) yield { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(`${team}-edit`, ns), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: rnd() < 0.2 ? 'admin' : 'edit' }, subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `team-${team}` }] };
    const np = rnd();
    if (np < 0.7) yield { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('default-deny', ns), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
    if (np < 0.5) yield { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(`${word}-allow`, ns), spec: { podSelector: { matchLabels: { app: word } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }, { podSelector: { matchLabels: { app: word } } }], ports: [{ protocol: 'TCP', port: 8080 }] }] } };
    if (rnd() < 0.6) {
      yield { apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta('compute', ns), spec: { hard: { 'requests.cpu': '40', 'requests.memory': '80Gi', 'limits.memory': '160Gi', pods: '200' } }, status: { hard: { 'requests.cpu': '40', 'requests.memory': '80Gi', 'limits.memory': '160Gi', pods: '200' }, used: { 'requests.cpu': '3', 'requests.memory': '6Gi', 'limits.memory': '12Gi', pods: '15' } } };
      yield { apiVersion: 'v1', kind: 'LimitRange', metadata: meta('defaults', ns), spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '512Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' }, max: { memory: '8Gi' } }] } };
    }
    // Pods: an equal share of the application pods; Services: an equal share of what is left.
    const quota = Math.floor(p.appPods / A) + (n < p.appPods % A ? 1 : 0);
    const svcQuota = Math.floor(appServices / A) + (n < appServices % A ? 1 : 0);
    let left = quota;
    let k = 0;
    const selectable = [];
    while (left > 0) {
      const r = rnd();
      const app = k === 0 ? word : `${word}-${['api', 'worker', 'cache', 'sync', 'admin', 'cron', 'db', 'ui'][k % 8]}${k >= 8 ? k : ''}`;
      k++;
      const profile = pickProfile();
      const labels = { app, 'app.kubernetes.io/name': app, 'app.kubernetes.io/instance': `${app}-${team}`, team };
      const spec = podSpecFor(app, ns, IMAGES[profile === 'bad' ? 2 + Math.floor(rnd() * 2) : Math.floor(rnd() * 2)](word, hex(64)), profile, `${word}-app`);
      if (r < 0.65) {
        const replicas = Math.min(left, 1 + Math.floor(rnd() * 4));
        const d = workloadObj('apps/v1', 'Deployment', app, ns, labels, spec, { replicas, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } } });
        d.metadata.annotations = { 'deployment.kubernetes.io/revision': '4', 'meta.helm.sh/release-name': app, 'meta.helm.sh/release-namespace': ns };
        d.status = { replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas, observedGeneration: 4, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', lastUpdateTime: iso(86_400_000), lastTransitionTime: iso(86_400_000) }, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', lastUpdateTime: iso(86_400_000), lastTransitionTime: iso(86_400_000) }] };
        yield d;
        if (rnd() < 0.5) yield replicaSet(d, suffix(9), 0);
        const hash = suffix(9);
        const rs = replicaSet(d, hash, replicas);
        yield rs;
        for (let i = 0; i < replicas; i++) yield pod(rs, `${app}-${hash}-${suffix(5)}`, nodeName(Math.floor(rnd() * p.nodes)), { ...labels, 'pod-template-hash': hash });
        selectable.push(labels);
        left -= replicas;
      } else if (r < 0.77) {
        const replicas = Math.min(left, 1 + Math.floor(rnd() * 3));
        const sts = workloadObj('apps/v1', 'StatefulSet', app, ns, labels, spec, { replicas, serviceName: app, podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate' }, volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: rnd() < 0.8 ? 'gp3-encrypted' : 'gp2', resources: { requests: { storage: '20Gi' } }, volumeMode: 'Filesystem' } }] });
        yield sts;
        for (let i = 0; i < replicas; i++) {
          const cls = /** @type {any} */ (sts.spec).volumeClaimTemplates[0].spec.storageClassName;
          const pvName = `pvc-${uid()}`;
          const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta(`data-${app}-${i}`, ns, { labels, annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'volume.kubernetes.io/storage-provisioner': 'ebs.csi.aws.com' } }), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } }, storageClassName: cls, volumeMode: 'Filesystem', volumeName: pvName }, status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '20Gi' } } };
          yield pvc;
          yield { apiVersion: 'v1', kind: 'PersistentVolume', metadata: meta(pvName, undefined, { annotations: { 'pv.kubernetes.io/provisioned-by': 'ebs.csi.aws.com' } }), spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '20Gi' }, claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: pvc.metadata.name, namespace: ns, uid: pvc.metadata.uid }, csi: { driver: 'ebs.csi.aws.com', fsType: 'ext4', volumeHandle: `vol-0${hex(16)}`, volumeAttributes: { 'storage.kubernetes.io/csiProvisionerIdentity': '1732579200000-7153-ebs.csi.aws.com' } }, persistentVolumeReclaimPolicy: 'Delete', storageClassName: cls, volumeMode: 'Filesystem', nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [pick(zones)] }] }] } } }, status: { phase: 'Bound' } };
          yield pod(sts, `${app}-${i}`, nodeName(Math.floor(rnd() * p.nodes)), { ...labels, 'controller-revision-hash': `${app}-${hex(10)}`, 'statefulset.kubernetes.io/pod-name': `${app}-${i}`, 'apps.kubernetes.io/pod-index': String(i) });
        }
        selectable.push(labels);
        left -= replicas;
      } else if (r < 0.87) {
        const jobSpec = { ...structuredClone(spec), restartPolicy: 'OnFailure' };
        const cj = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta(app, ns, { labels }), spec: { schedule: `${Math.floor(rnd() * 60)} ${Math.floor(rnd() * 24)} * * *`, concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, suspend: false, jobTemplate: { metadata: {}, spec: { backoffLimit: 2, template: { metadata: { labels }, spec: jobSpec } } } }, status: { lastScheduleTime: iso(3_600_000), lastSuccessfulTime: iso(3_500_000) } };
        yield cj;
        const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: meta(`${app}-${29000000 + Math.floor(rnd() * 100000)}`, ns, { labels: { ...labels, 'batch.kubernetes.io/controller-uid': '' }, ownerReferences: ownerRef(cj) }), spec: { backoffLimit: 2, completions: 1, parallelism: 1, template: { metadata: { labels }, spec: jobSpec } }, status: { succeeded: 1, startTime: iso(3_600_000), completionTime: iso(3_500_000), conditions: [{ type: 'Complete', status: 'True', lastProbeTime: iso(3_500_000), lastTransitionTime: iso(3_500_000) }] } };
        job.metadata.labels['batch.kubernetes.io/controller-uid'] = job.metadata.uid;
        yield job;
        yield pod(job, `${job.metadata.name}-${suffix(5)}`, nodeName(Math.floor(rnd() * p.nodes)), { ...labels, 'batch.kubernetes.io/job-name': job.metadata.name }, 'Succeeded');
        left -= 1;
      } else if (r < 0.93) {
        const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: meta(`${app}-migrate-${suffix(4)}`, ns, { labels }), spec: { backoffLimit: 4, completions: 1, parallelism: 1, ttlSecondsAfterFinished: rnd() < 0.5 ? 86400 : undefined, template: { metadata: { labels }, spec: { ...structuredClone(spec), restartPolicy: 'Never' } } }, status: { succeeded: 1, startTime: iso(7_200_000), completionTime: iso(7_000_000), conditions: [{ type: 'Complete', status: 'True', lastProbeTime: iso(7_000_000), lastTransitionTime: iso(7_000_000) }] } };
        if (job.spec.ttlSecondsAfterFinished === undefined) delete job.spec.ttlSecondsAfterFinished;
        yield job;
        yield pod(job, `${job.metadata.name}-${suffix(5)}`, nodeName(Math.floor(rnd() * p.nodes)), { ...labels, 'batch.kubernetes.io/job-name': job.metadata.name }, 'Succeeded');
        left -= 1;
      } else {
        const bare = { apiVersion: 'v1', kind: 'Pod', metadata: meta(`${app}-debug`, ns, { labels }), spec };
        yield finishPod(bare, nodeName(Math.floor(rnd() * p.nodes)), 'Running');
        left -= 1;
      }
    }
    for (let s = 0; s < svcQuota; s++) {
      const labels = selectable[s % Math.max(1, selectable.length)];
      const name = s === 0 ? word : `${word}-${s}`;
      yield service(name, ns, labels ? { app: labels.app } : { app: word }, 8080, 'ClusterIP');
      if (s === 0 && rnd() < 0.2) {
        const tls = rnd() < 0.7;
        yield { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta(word, ns, { annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt', 'nginx.ingress.kubernetes.io/ssl-redirect': tls ? 'true' : 'false' } }), spec: { ingressClassName: 'nginx', ...(tls ? { tls: [{ hosts: [`${ns}.example.com`], secretName: `${word}-tls` }] } : {}), rules: [{ host: `${ns}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 8080 } } } }] } }] } };
      }
    }
    if (rnd() < 0.3 && selectable.length) yield { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(word, ns), spec: { minAvailable: 1, selector: { matchLabels: { app: selectable[0].app } } }, status: { currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 1, expectedPods: 2, observedGeneration: 1 } };
  }

  // ---- helpers (closures over the PRNG, so the order of calls is the order of the output) ----
  function pickProfile() {
    const r = rnd();
    return r < 0.6 ? 'hardened' : r < 0.85 ? 'partial' : 'bad';
  }

  function node(i) {
    const zone = zones[i % 3];
    const karp = i % 4 === 3;
    const labels = {
      'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/instance-type': 'm6i.4xlarge', 'beta.kubernetes.io/os': 'linux',
      'failure-domain.beta.kubernetes.io/region': REGION, 'failure-domain.beta.kubernetes.io/zone': zone,
      'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': nodeName(i), 'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': 'm6i.4xlarge', 'topology.kubernetes.io/region': REGION, 'topology.kubernetes.io/zone': zone,
      'topology.ebs.csi.aws.com/zone': zone, 'k8s.io/cloud-provider-aws': '6b9bcb5e2fd4e0c4c3b0a1a9f8e7d6c5',
      ...(karp ? { 'karpenter.sh/nodepool': 'default', 'karpenter.sh/capacity-type': 'spot', 'karpenter.k8s.aws/instance-family': 'm6i' } : { 'eks.amazonaws.com/nodegroup': 'general', 'eks.amazonaws.com/capacityType': 'ON_DEMAND', 'eks.amazonaws.com/nodegroup-image': 'ami-0123456789abcdef0' }),
    };
    const kubelet = i % 10 === 9 ? 'v1.32.9-eks-113cf36' : 'v1.33.5-eks-3025e55';
    return {
      apiVersion: 'v1', kind: 'Node',
      metadata: meta(nodeName(i), undefined, { labels, annotations: { 'alpha.kubernetes.io/provided-node-ip': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true', 'csi.volume.kubernetes.io/nodeid': `{"ebs.csi.aws.com":"i-0${hex(16)}"}` } }),
      spec: { providerID: `aws:///${zone}/i-0${hex(16)}` },
      status: {
        addresses: [{ type: 'InternalIP', address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }, { type: 'InternalDNS', address: nodeName(i) }, { type: 'Hostname', address: nodeName(i) }],
        allocatable: { cpu: '15890m', 'ephemeral-storage': '95551679124', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '62193480Ki', pods: '110' },
        capacity: { cpu: '16', 'ephemeral-storage': '104845292Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '64438600Ki', pods: '110' },
        conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((t) => ({ type: t, status: t === 'Ready' ? 'True' : 'False', lastHeartbeatTime: iso(30_000), lastTransitionTime: iso(20 * 86_400_000), reason: t === 'Ready' ? 'KubeletReady' : `KubeletHasNo${t}`, message: t === 'Ready' ? 'kubelet is posting ready status' : `kubelet has no ${t.toLowerCase()}` })),
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: { architecture: 'amd64', bootID: uid(), containerRuntimeVersion: 'containerd://1.7.22', kernelVersion: '6.1.115-126.197.amzn2023.x86_64', kubeProxyVersion: kubelet, kubeletVersion: kubelet, machineID: hex(32), operatingSystem: 'linux', osImage: 'Amazon Linux 2023.6.20241010', systemUUID: uid() },
      },
    };
  }

  function namespace(name, enforce, team) {
    const labels = { 'kubernetes.io/metadata.name': name, ...(team ? { team } : {}) };
    if (enforce) { labels['pod-security.kubernetes.io/enforce'] = enforce; labels['pod-security.kubernetes.io/warn'] = 'restricted'; labels['pod-security.kubernetes.io/audit'] = 'restricted'; }
    return { apiVersion: 'v1', kind: 'Namespace', metadata: meta(name, undefined, { labels }), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  }

  function clusterRbac() {
    const out = [];
    const cr = (name, rules, labels) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(name, undefined, labels ? { labels } : {}), rules });
    const crb = (name, role, subjects) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(name), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects });
    out.push(cr('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }], { 'kubernetes.io/bootstrapping': 'rbac-defaults' }));
    out.push(cr('admin', [{ apiGroups: ['', 'apps', 'batch'], resources: ['pods', 'deployments', 'jobs', 'secrets', 'configmaps', 'services'], verbs: ['*'] }], { 'kubernetes.io/bootstrapping': 'rbac-defaults' }));
    out.push(cr('edit', [{ apiGroups: ['', 'apps', 'batch'], resources: ['pods', 'deployments', 'jobs', 'configmaps', 'services'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }], { 'kubernetes.io/bootstrapping': 'rbac-defaults' }));
    out.push(cr('view', [{ apiGroups: ['', 'apps', 'batch'], resources: ['pods', 'deployments', 'jobs', 'configmaps', 'services'], verbs: ['get', 'list', 'watch'] }], { 'kubernetes.io/bootstrapping': 'rbac-defaults' }));
    for (const [, name] of DAEMONSETS) out.push(cr(name, [{ apiGroups: [''], resources: ['nodes', 'pods', 'namespaces'], verbs: ['get', 'list', 'watch'] }]));
    for (const [, name] of SYSTEM_DEPLOYMENTS) out.push(cr(String(name), [{ apiGroups: ['', 'apps'], resources: ['pods', 'nodes', 'services', 'endpoints'], verbs: ['get', 'list', 'watch'] }]));
    out.push(cr('ci-deployer', [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] }]));
    out.push(cr('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }]));
    out.push(crb('cluster-admin', 'cluster-admin', [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]));
    for (const [ns, name] of DAEMONSETS) out.push(crb(name, name, [{ kind: 'ServiceAccount', name, namespace: ns }]));
    for (const [ns, name] of SYSTEM_DEPLOYMENTS) out.push(crb(String(name), String(name), [{ kind: 'ServiceAccount', name: String(name), namespace: String(ns) }]));
    out.push(crb('ci-deployer', 'ci-deployer', [{ kind: 'ServiceAccount', name: 'argocd-application-controller', namespace: 'argocd' }]));
    out.push(crb('oncall-admin', 'cluster-admin', [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oncall' }, { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice@example.com' }]));
    out.push(crb('monitoring-secrets', 'secret-reader', [{ kind: 'ServiceAccount', name: 'fluent-bit', namespace: 'amazon-cloudwatch' }]));
    return out;
  }

  function sc(name, encrypted, isDefault) {
    return { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: meta(name, undefined, isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}), provisioner: 'ebs.csi.aws.com', parameters: { type: name.startsWith('gp3') ? 'gp3' : 'gp2', ...(encrypted ? { encrypted: 'true', kmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b` } : {}) }, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true };
  }

  function crds() {
    const crd = (plural, group, kind, scope) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: meta(`${plural}.${group}`), spec: { group, names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() }, scope, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] }, status: { acceptedNames: { kind, plural }, storedVersions: ['v1'] } });
    return [
      crd('nodepools', 'karpenter.sh', 'NodePool', 'Cluster'), crd('ec2nodeclasses', 'karpenter.k8s.aws', 'EC2NodeClass', 'Cluster'),
      crd('clusterissuers', 'cert-manager.io', 'ClusterIssuer', 'Cluster'), crd('certificates', 'cert-manager.io', 'Certificate', 'Namespaced'),
      crd('policyendpoints', 'networking.k8s.aws', 'PolicyEndpoint', 'Namespaced'), crd('securitygrouppolicies', 'vpcresources.k8s.aws', 'SecurityGroupPolicy', 'Namespaced'),
    ];
  }

  function service(name, ns, selector, port, type, labels) {
    const ip = `172.20.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 254) + 1}`;
    return {
      apiVersion: 'v1', kind: 'Service', metadata: meta(name, ns, labels ? { labels } : selector ? { labels: selector } : {}),
      spec: { ...(selector ? { selector } : {}), ports: [{ name: port === 53 ? 'dns' : 'http', port, protocol: port === 53 ? 'UDP' : 'TCP', targetPort: port === 443 ? 8443 : port }], type, clusterIP: ip, clusterIPs: [ip], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster' },
      status: type === 'LoadBalancer' ? { loadBalancer: { ingress: [{ hostname: `a${hex(31)}-${hex(8)}.elb.${REGION}.amazonaws.com` }] } } : { loadBalancer: {} },
    };
  }

  function workloadObj(apiVersion, kind, name, ns, labels, spec, rest) {
    return { apiVersion, kind, metadata: meta(name, ns, { labels, generation: 4 }), spec: { ...rest, selector: { matchLabels: { app: labels.app ?? labels['k8s-app'] } }, template: { metadata: { labels }, spec } } };
  }

  function replicaSet(d, hash, replicas) {
    const tpl = /** @type {any} */ (d.spec).template;
    return {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: meta(`${d.metadata.name}-${hash}`, d.metadata.namespace, { labels: { ...tpl.metadata.labels, 'pod-template-hash': hash }, annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + 1), 'deployment.kubernetes.io/revision': replicas ? '4' : '3' }, ownerReferences: ownerRef(d) }),
      spec: { replicas, selector: { matchLabels: { ...(/** @type {any} */ (d.spec).selector.matchLabels), 'pod-template-hash': hash } }, template: { metadata: { labels: { ...tpl.metadata.labels, 'pod-template-hash': hash } }, spec: tpl.spec } },
      status: { replicas, fullyLabeledReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: 4 },
    };
  }

  /** A pod of a controller: its template's spec with the fields the API server and kubelet add. */
  function pod(owner, name, onNode, labels, phase = 'Running') {
    const tpl = owner.kind === 'Job' ? /** @type {any} */ (owner.spec).template : /** @type {any} */ (owner.spec).template;
    const spec = structuredClone(tpl.spec);
    const o = { apiVersion: 'v1', kind: 'Pod', metadata: meta(name, owner.metadata.namespace, { generateName: name.slice(0, name.lastIndexOf('-') + 1), labels, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' }, ownerReferences: ownerRef(owner) }), spec };
    return finishPod(o, onNode, phase);
  }

  function finishPod(o, onNode, phase) {
    const spec = o.spec;
    const tokenVol = `kube-api-access-${suffix(5)}`;
    spec.volumes = [...(spec.volumes ?? []), { name: tokenVol, projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }, { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } }] } }];
    for (const c of spec.containers) c.volumeMounts = [...(c.volumeMounts ?? []), { name: tokenVol, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }];
    spec.nodeName = onNode;
    spec.tolerations = [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }];
    spec.priority = 0;
    spec.enableServiceLinks = true;
    spec.preemptionPolicy = 'PreemptLowerPriority';
    const started = iso(2 * 86_400_000 + Math.floor(rnd() * 86_400_000));
    const ip = `10.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 254) + 1}`;
    const done = phase === 'Succeeded';
    o.status = {
      phase,
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: done && (type === 'Ready' || type === 'ContainersReady') ? 'False' : 'True', lastProbeTime: null, lastTransitionTime: started, ...(done && type === 'Ready' ? { reason: 'PodCompleted' } : {}) })),
      hostIP: `10.0.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 254) + 1}`, hostIPs: [{ ip: '10.0.0.1' }], podIP: ip, podIPs: [{ ip }], startTime: started,
      containerStatuses: spec.containers.map((c) => ({
        name: c.name, state: done ? { terminated: { exitCode: 0, reason: 'Completed', startedAt: started, finishedAt: started, containerID: `containerd://${hex(64)}` } } : { running: { startedAt: started } },
        lastState: {}, ready: !done, restartCount: Math.floor(rnd() * 1.3), image: c.image, imageID: `${String(c.image).split(/[@:]/)[0]}@sha256:${hex(64)}`, containerID: `containerd://${hex(64)}`, started: !done,
      })),
      qosClass: spec.containers.every((c) => c.resources?.limits?.cpu) ? 'Guaranteed' : spec.containers.some((c) => c.resources?.requests) ? 'Burstable' : 'BestEffort',
    };
    if (managed) o.metadata.managedFields = managedFieldsOf(o);
    return o;
  }

  function podSpecFor(app, ns, image, profile, sa) {
    const hardened = profile === 'hardened' || profile === 'system';
    const bad = profile === 'bad';
    const env = [
      { name: 'APP_NAME', value: app }, { name: 'LOG_FORMAT', value: 'json' },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
      { name: 'DB_PASSWORD', ...(bad ? { value: 'hunter2-not-a-real-secret' } : { valueFrom: { secretKeyRef: { name: `${app}-db`, key: 'password' } } }) },
    ];
    const probe = (path, delay) => ({ httpGet: { path, port: 8080, scheme: 'HTTP' }, initialDelaySeconds: delay, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    const c = {
      name: app.length > 40 ? app.slice(0, 40) : app, image, imagePullPolicy: 'IfNotPresent',
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      env,
      ...(bad ? {} : { resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: profile === 'partial' ? '512Mi' : '1Gi', ...(hardened ? { cpu: '1' } : {}) } } }),
      ...(bad ? {} : { livenessProbe: probe('/healthz', 10), readinessProbe: probe('/ready', 5) }),
      volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
      terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
      securityContext: hardened
        ? { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } }
        : bad ? { privileged: rnd() < 0.5, runAsUser: 0 } : { allowPrivilegeEscalation: false },
    };
    const volumes = [{ name: 'config', configMap: { name: `${app}-config`, defaultMode: 420 } }];
    if (bad && rnd() < 0.3) volumes.push({ name: 'host', hostPath: { path: '/var/run/docker.sock', type: '' } });
    return {
      ...(profile === 'system' ? { priorityClassName: 'system-node-critical' } : {}),
      serviceAccountName: sa, serviceAccount: sa,
      ...(hardened ? { automountServiceAccountToken: profile === 'system' } : {}),
      securityContext: hardened ? { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } } : {},
      ...(bad && rnd() < 0.3 ? { hostNetwork: true } : {}),
      containers: [c],
      volumes,
      restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler',
      ...(ns ? {} : {}),
    };
  }

  function managedFieldsOf(o) {
    const t = o.metadata.creationTimestamp;
    const keys = (obj) => Object.fromEntries(Object.keys(obj ?? {}).map((k) => [`f:${k}`, {}]));
    return [
      { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: t, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:generateName': {}, 'f:labels': keys(o.metadata.labels), 'f:ownerReferences': {} }, 'f:spec': { 'f:containers': {}, ...keys({ dnsPolicy: 1, enableServiceLinks: 1, restartPolicy: 1, schedulerName: 1, securityContext: 1, serviceAccountName: 1, volumes: 1 }) } } },
      { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: o.status.startTime, fieldsType: 'FieldsV1', subresource: 'status', fieldsV1: { 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {}, 'f:podIPs': {}, 'f:startTime': {} } } },
    ];
  }
}

const CA = '-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIT3hZs0yQ8HMwDQYJKoZIhvcNAQELBQAwFTETMBEGA1UE\nAxMKa3ViZXJuZXRlczAeFw0yNTAxMjMwMDAwMDBaFw0zNTAxMjEwMDAwMDBaMBUx\nEzARBgNVBAMTCmt1YmVybmV0ZXMwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK\n-----END CERTIFICATE-----\n';

/** AWS facts shaped like the demo core (src/collectors/demo/core.ts): EKS DescribeCluster and friends. */
function awsFacts(cluster, now, p) {
  const ago = (days) => new Date(now - days * 86_400_000).toISOString();
  const f = (service, operation, output, params) => ({ service, operation, region: REGION, accountId: ACCOUNT, ...(params ? { params } : {}), output });
  const arn = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${cluster}`;
  const addons = { 'vpc-cni': 'v1.19.2-eksbuild.1', coredns: 'v1.11.4-eksbuild.2', 'kube-proxy': 'v1.33.5-eksbuild.2', 'aws-ebs-csi-driver': 'v1.38.1-eksbuild.2', 'eks-pod-identity-agent': 'v1.3.4-eksbuild.1', 'amazon-cloudwatch-observability': 'v2.6.0-eksbuild.1' };
  const v = (clusterVersion, versionStatus, release, endStd, endExt, def = false) => ({ clusterVersion, clusterType: 'eks', versionStatus, status: versionStatus, defaultVersion: def, releaseDate: `${release}T00:00:00.000Z`, endOfStandardSupportDate: `${endStd}T00:00:00.000Z`, endOfExtendedSupportDate: `${endExt}T00:00:00.000Z` });
  return [
    f('eks', 'DescribeCluster', { cluster: {
      name: cluster, arn, createdAt: ago(500), version: '1.33', platformVersion: 'eks.14', status: 'ACTIVE',
      endpoint: 'https://ABCDEF0123456789ABCDEF0123456789.gr7.us-east-1.eks.amazonaws.com', roleArn: `arn:aws:iam::${ACCOUNT}:role/${cluster}-cluster-role`,
      resourcesVpcConfig: { subnetIds: ['subnet-0a000001', 'subnet-0b000002', 'subnet-0c000003'], securityGroupIds: ['sg-0cp000001'], clusterSecurityGroupId: 'sg-0eks00001', vpcId: 'vpc-0scale000001', endpointPublicAccess: false, endpointPrivateAccess: true, publicAccessCidrs: [] },
      kubernetesNetworkConfig: { serviceIpv4Cidr: '172.20.0.0/16', ipFamily: 'ipv4' },
      logging: { clusterLogging: [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: true }] },
      identity: { oidc: { issuer: `https://oidc.eks.${REGION}.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789` } },
      encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b` } }],
      tags: { team: 'platform', 'scale-nodes': String(p.nodes) }, health: { issues: [] },
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false }, upgradePolicy: { supportType: 'STANDARD' },
    } }, { name: cluster }),
    f('eks', 'ListAddons', { addons: Object.keys(addons) }, { clusterName: cluster }),
    ...Object.entries(addons).map(([name, version]) => f('eks', 'DescribeAddon', { addon: { addonName: name, clusterName: cluster, status: 'ACTIVE', addonVersion: version, health: { issues: [] }, addonArn: `arn:aws:eks:${REGION}:${ACCOUNT}:addon/${cluster}/${name}/00000000-0000-0000-0000-000000000000`, createdAt: ago(300), modifiedAt: ago(30) } }, { clusterName: cluster, addonName: name })),
    f('eks', 'ListNodegroups', { nodegroups: ['general'] }, { clusterName: cluster }),
    f('eks', 'DescribeNodegroup', { nodegroup: { nodegroupName: 'general', clusterName: cluster, version: '1.33', releaseVersion: '1.33.5-20251016', status: 'ACTIVE', capacityType: 'ON_DEMAND', scalingConfig: { minSize: 3, maxSize: p.nodes, desiredSize: Math.ceil(p.nodes * 0.75) }, instanceTypes: ['m6i.4xlarge'], subnets: ['subnet-0a000001', 'subnet-0b000002', 'subnet-0c000003'], amiType: 'AL2023_x86_64_STANDARD', nodeRole: `arn:aws:iam::${ACCOUNT}:role/scale-node-role`, health: { issues: [] } } }, { clusterName: cluster, nodegroupName: 'general' }),
    f('eks', 'ListFargateProfiles', { fargateProfileNames: [] }, { clusterName: cluster }),
    f('eks', 'DescribeClusterVersions', { clusterVersions: [
      v('1.36', 'STANDARD_SUPPORT', '2026-06-02', '2027-08-02', '2028-08-02'), v('1.35', 'STANDARD_SUPPORT', '2026-01-27', '2027-03-27', '2028-03-27', true),
      v('1.34', 'STANDARD_SUPPORT', '2025-10-02', '2026-12-02', '2027-12-02'), v('1.33', 'EXTENDED_SUPPORT', '2025-05-29', '2026-07-29', '2027-07-29'),
    ] }, { clusterType: 'eks', includeAll: true }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Writers: streaming, with backpressure, never one giant string.

/**
 * A buffered writer to a file (gzip'd when the name ends in .gz) that hashes what it writes.
 * @param {string} path
 */
export async function openSink(path) {
  await mkdir(dirname(path), { recursive: true });
  const file = createWriteStream(path);
  const gz = path.endsWith('.gz') ? createGzip({ level: 6 }) : undefined;
  if (gz) gz.pipe(file);
  const out = gz ?? file;
  const hash = createHash('sha256');
  let pending = [];
  let size = 0;
  let bytes = 0;
  const flush = async () => {
    if (!pending.length) return;
    const buf = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    size = 0;
    bytes += buf.length;
    hash.update(buf);
    if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
  };
  return {
    /** @param {string} s */
    async write(s) { pending.push(s); size += s.length; if (size >= 1 << 20) await flush(); },
    /** @returns {Promise<{ bytes: number, sha256: string }>} uncompressed bytes and digest */
    async close() {
      await flush();
      await new Promise((resolve, reject) => { file.once('close', resolve); file.once('error', reject); out.end(); });
      return { bytes, sha256: hash.digest('hex') };
    },
  };
}

function kindKey(apiVersion, kind) {
  const i = apiVersion.indexOf('/');
  return `${i === -1 ? 'core' : apiVersion.slice(0, i)}/${kind}`;
}

/**
 * Write an `eks-soc2/snapshot@1` bundle (`.json` or `.json.gz`), one object per line.
 * @param {string} path @param {GenOptions} opts
 */
export async function writeBundle(path, opts) {
  const env = environment(opts);
  const kinds = {};
  for (const o of env.objects()) {
    const k = kindKey(o.apiVersion, o.kind);
    (kinds[k] ??= { state: 'collected', count: 0, detail: o.apiVersion }).count++;
  }
  const facts = env.facts();
  const calls = {};
  for (const f of facts) (calls[`${f.service}:${f.operation}`] ??= { state: 'collected', count: 0, detail: REGION }).count++;
  const sink = await openSink(path);
  const head = {
    schema: SNAPSHOT_SCHEMA, createdAt: env.now, cluster: env.identity(),
    collector: { tool: 'eks-soc2', version: '0.1.0', identity: `arn:aws:sts::${ACCOUNT}:assumed-role/eks-soc2-collector/bench`, inputs: [`synthetic ${opts.pods} pods, seed ${opts.seed ?? 1}`] },
  };
  const headText = JSON.stringify(head);
  await sink.write(`${headText.slice(0, -1)},"kubernetes":{"source":"live","complete":true,"serverVersion":${JSON.stringify(env.serverVersion)},"kinds":${JSON.stringify(kinds)},"objects":[\n`);
  let n = 0;
  for (const o of env.objects()) await sink.write(`${n++ ? ',\n' : ''}${JSON.stringify(o)}`);
  await sink.write(`\n]},"aws":${JSON.stringify({ source: 'live', accountId: ACCOUNT, region: REGION, calls, facts })},"tools":[],"gaps":[]}\n`);
  return { ...(await sink.close()), objects: n };
}

/** Multi-document YAML (`---` separated), as `helm template` or a manifests folder concatenated. */
export async function writeYaml(path, opts) {
  const env = environment(opts);
  const sink = await openSink(path);
  let n = 0;
  for (const o of env.objects()) { await sink.write(`${n++ ? '---\n' : ''}${jsYaml.dump(o, { noRefs: true, lineWidth: -1 })}`); }
  return { ...(await sink.close()), objects: n };
}

/** One YAML `kind: List` document, as `kubectl get pods -A -o yaml` prints it. */
export async function writeYamlList(path, opts) {
  const env = environment(opts);
  const sink = await openSink(path);
  await sink.write('apiVersion: v1\nitems:\n');
  let n = 0;
  for (const o of env.pods()) {
    const text = jsYaml.dump(o, { noRefs: true, lineWidth: -1 });
    await sink.write(`- ${text.slice(0, -1).replace(/\n/g, '\n  ')}\n`);
    n++;
  }
  await sink.write('kind: List\nmetadata:\n  resourceVersion: ""\n');
  return { ...(await sink.close()), objects: n };
}

/**
 * `kubectl get pods -A -o json`: a List of every pod, with managedFields, indented by 4 as kubectl
 * prints it (~6–7 kB a pod, ~1 GB at 150,000 pods: more than one JavaScript string can hold).
 */
export async function writePodList(path, opts) {
  const env = environment({ managedFields: true, ...opts });
  const sink = await openSink(path);
  await sink.write('{\n    "apiVersion": "v1",\n    "items": [\n');
  let n = 0;
  for (const o of env.pods()) {
    await sink.write(`${n++ ? ',\n' : ''}        ${JSON.stringify(o, null, 4).replace(/\n/g, '\n        ')}`);
  }
  await sink.write('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n');
  return { ...(await sink.close()), objects: n };
}

/**
 * `kubectl get pods -A -o json` piped through `jq -c 'del(.items[].metadata.managedFields)'`: the same
 * pods in compact JSON without managedFields (~1.4 kB a pod, ~210 MB at 150,000 pods: one string).
 */
export async function writePodListCompact(path, opts) {
  const env = environment({ ...opts, managedFields: false });
  const sink = await openSink(path);
  await sink.write('{"apiVersion":"v1","items":[');
  let n = 0;
  for (const o of env.pods()) await sink.write(`${n++ ? ',' : ''}${JSON.stringify(o)}`);
  await sink.write('],"kind":"List","metadata":{"resourceVersion":""}}\n');
  return { ...(await sink.close()), objects: n };
}

export const WRITERS = { bundle: ['bundle.json', writeBundle], 'bundle-gz': ['bundle.json.gz', writeBundle], yaml: ['objects.yaml', writeYaml], 'yaml-list': ['pods.yaml', writeYamlList], 'pod-list': ['pods.json', writePodList], 'pod-list-compact': ['pods.compact.json', writePodListCompact] };

/** The file name of a format for a size, e.g. `pods-10000-seed1.bundle.json.gz`. */
export function fileName(format, pods, seed = 1) {
  return `pods-${pods}-seed${seed}.${WRITERS[format][0]}`;
}

async function cli(argv) {
  const args = { pods: 1000, out: 'bench/out/scale', seed: 1, formats: 'bundle,bundle-gz,yaml,pod-list', mesh: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    if (a === '--pods') args.pods = Number(val());
    else if (a === '--out') args.out = val();
    else if (a === '--seed') args.seed = Number(val());
    else if (a === '--formats') args.formats = val();
    else if (a === '--mesh') args.mesh = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node bench/generator.mjs --pods N [--out DIR] [--seed N] [--mesh] [--formats bundle,bundle-gz,yaml,yaml-list,pod-list,pod-list-compact]\n');
      return;
    } else throw new Error(`unknown argument ${a}`);
  }
  const p = plan(args.pods);
  process.stderr.write(`pods ${p.pods}, nodes ${p.nodes}, namespaces ${p.namespaces}, services ${p.services}\n`);
  for (const fmt of args.formats.split(',')) {
    if (!WRITERS[fmt]) throw new Error(`unknown format ${fmt}; one of ${Object.keys(WRITERS).join(', ')}`);
    const path = join(args.out, fileName(fmt, args.pods, args.seed).replace(/^pods-/, args.mesh ? 'mesh-pods-' : 'pods-'));
    const t0 = performance.now();
    const r = await WRITERS[fmt][1](path, { pods: args.pods, seed: args.seed, mesh: args.mesh });
    process.stdout.write(`${path}\t${r.objects} objects\t${r.bytes} bytes\tsha256 ${r.sha256}\t${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli(process.argv.slice(2)).catch((err) => { process.stderr.write(`generator: ${err.message}\n`); process.exit(2); });
}
