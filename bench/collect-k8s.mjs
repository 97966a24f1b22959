#!/usr/bin/env node
// Benchmark: live Kubernetes collection of a synthetic cluster at Kubernetes' published limits
// (5,000 nodes, 150,000 pods, 10,000 namespaces, plus their controllers, RBAC and policies)
// served by the test API server (test/helpers/kube-api-server.ts) over HTTPS on 127.0.0.1.
//
//   node bench/collect-k8s.mjs [--pods 150000] [--nodes 5000] [--namespaces 10000]
//        [--qps 0] [--burst 20] [--concurrency 4] [--page-size 500] [--latency MS] [--no-share] [--no-build] [--json]
//
// The server runs in this process; the collector runs in a child process, so the peak RSS reported
// is the collector's alone. Objects are generated lazily and deterministically (seeded PRNG, a pure
// function of kind and index), so the cluster never exists in memory. Reports wall time, requests per
// kind (checked against ceil(objects / page size) plus discovery), client and server CPU, and the
// collector's peak RSS. `--latency MS` makes the server take that long per LIST page, like a real API
// server (~100 ms for 500 pods from its watch cache, seconds from etcd). Needs Node.js >= 22.18 (type stripping, to load the test server) and builds
// the sources into bench/out/build first (skip with --no-build).
//
// The generator is deliberately simple and swappable: `export function cluster(opts)` returning
// { counts, lazy } where lazy maps `group/Kind` to { count, item(i) }.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DAEMONSETS, SYSTEM_NAMESPACES as SYSTEM_NS, prng } from './generator.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = join(ROOT, 'bench', 'out', 'build');

function args(argv) {
  const o = { pods: 150_000, nodes: 5000, namespaces: 10_000, qps: 0, burst: 20, concurrency: 4, pageSize: 500, latency: 0, share: true, build: true, json: false, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => Number(argv[++i]);
    if (a === '--pods') o.pods = next();
    else if (a === '--nodes') o.nodes = next();
    else if (a === '--namespaces') o.namespaces = next();
    else if (a === '--qps') o.qps = next();
    else if (a === '--burst') o.burst = next();
    else if (a === '--concurrency') o.concurrency = next();
    else if (a === '--page-size') o.pageSize = next();
    else if (a === '--seed') o.seed = next();
    else if (a === '--latency') o.latency = next();
    else if (a === '--no-build') o.build = false;
    else if (a === '--no-share') o.share = false;
    else if (a === '--json') o.json = true;
    else if (a === '--child') o.child = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Synthetic cluster: every object is a pure function of (kind, index, seed).

function hashStr(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}
const HEX = '0123456789abcdef';
const WORDS = ['orders', 'billing', 'search', 'catalog', 'checkout', 'payments', 'profile', 'inventory', 'shipping', 'ledger', 'auth', 'notify', 'reports', 'pricing', 'reviews', 'media'];
const REPLICAS = 5;

export function cluster({ pods = 150_000, nodes = 5000, namespaces = 10_000, seed = 1 } = {}) {
  const appNs = Math.max(1, namespaces - SYSTEM_NS.length);
  const dsPods = Math.min(pods, nodes * DAEMONSETS.length);
  const deployments = Math.max(1, Math.ceil((pods - dsPods) / REPLICAS));
  const counts = {
    'core/Namespace': namespaces,
    'core/Node': nodes,
    'core/Pod': pods,
    'apps/DaemonSet': DAEMONSETS.length,
    'apps/Deployment': deployments,
    'apps/ReplicaSet': deployments * 2,
    'apps/StatefulSet': Math.round(pods / 300),
    'batch/Job': Math.round(pods / 150),
    'batch/CronJob': Math.round(pods / 500),
    'core/Service': namespaces,
    'core/ServiceAccount': namespaces * 2,
    'core/ResourceQuota': appNs,
    'core/LimitRange': appNs,
    'core/PersistentVolume': Math.round(pods / 75),
    'networking.k8s.io/NetworkPolicy': appNs,
    'networking.k8s.io/Ingress': Math.round(namespaces / 10),
    'networking.k8s.io/IngressClass': 2,
    'rbac.authorization.k8s.io/Role': appNs,
    'rbac.authorization.k8s.io/RoleBinding': appNs * 2,
    'rbac.authorization.k8s.io/ClusterRole': 400,
    'rbac.authorization.k8s.io/ClusterRoleBinding': 250,
    'autoscaling/HorizontalPodAutoscaler': Math.round(deployments / 5),
    'apiextensions.k8s.io/CustomResourceDefinition': 120,
    'apiregistration.k8s.io/APIService': 60,
    'admissionregistration.k8s.io/ValidatingWebhookConfiguration': 8,
    'admissionregistration.k8s.io/MutatingWebhookConfiguration': 6,
    'storage.k8s.io/StorageClass': 3,
    'storage.k8s.io/CSIDriver': 3,
    'kyverno.io/ClusterPolicy': 40,
    'kyverno.io/Policy': 200,
    'wgpolicyk8s.io/PolicyReport': appNs,
  };
  const nsName = (j) => (j < SYSTEM_NS.length ? SYSTEM_NS[j] : `${WORDS[j % WORDS.length]}-${j}`);
  const appNsName = (j) => nsName(SYSTEM_NS.length + (j % appNs));
  const rngFor = (kind, i) => prng((hashStr(kind) ^ Math.imul(i + 1, 2654435761) ^ seed) >>> 0);
  const uid = (r) => { let s = ''; for (let k = 0; k < 32; k++) { s += HEX[Math.floor(r() * 16)]; if (k === 7 || k === 11 || k === 15 || k === 19) s += '-'; } return s; };
  const hex = (r, n) => { let s = ''; for (let k = 0; k < n; k++) s += HEX[Math.floor(r() * 16)]; return s; };
  const ts = (r) => new Date(Date.UTC(2026, 0, 1) + Math.floor(r() * 300 * 86400_000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const managedFields = (r, manager) => [{ manager, operation: 'Update', apiVersion: 'v1', time: ts(r), fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:resources': {} } } } } }];
  const meta = (r, kind, name, namespace, extra = {}) => ({
    name, ...(namespace ? { namespace } : {}), uid: uid(r), resourceVersion: String(1_000_000 + Math.floor(r() * 9_000_000)), generation: 1, creationTimestamp: ts(r),
    managedFields: managedFields(r, kind === 'Pod' ? 'kubelet' : 'kube-controller-manager'), ...extra,
  });
  const deploymentName = (d) => `${WORDS[d % WORDS.length]}-${d}`;
  const image = (d) => (d % 4 === 0 ? `444455556666.dkr.ecr.us-east-1.amazonaws.com/${WORDS[d % WORDS.length]}:1.${d % 20}.${d % 7}` : `444455556666.dkr.ecr.us-east-1.amazonaws.com/${WORDS[d % WORDS.length]}@sha256:${hex(prng(d + 7), 64)}`);
  // `token` is the per-pod projected service-account volume (`kube-api-access-<random>`), injected
  // at admission: pods get a unique one, pod templates have none.
  const podSpec = (d, hardened, token) => ({
    serviceAccountName: deploymentName(d),
    automountServiceAccountToken: false,
    securityContext: hardened ? { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } } : {},
    containers: [{
      name: 'app', image: image(d), imagePullPolicy: 'IfNotPresent',
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'DB_HOST', value: `db.${WORDS[d % WORDS.length]}.svc` }, { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
      readinessProbe: { httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
      securityContext: hardened ? { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } : { privileged: d % 50 === 0 },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(token ? [{ name: token, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }] : [])],
      terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    }],
    volumes: [{ name: 'tmp', emptyDir: {} }, ...(token ? [{ name: token, projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] } }] : [])],
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', priority: 0, enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority',
  });
  const podStatus = (r, img, node) => ({
    phase: 'Running', qosClass: 'Burstable', hostIP: `10.0.${node % 250}.${node % 200}`, podIP: `10.1.${Math.floor(r() * 250)}.${Math.floor(r() * 250)}`,
    podIPs: [{ ip: '10.1.0.1' }], hostIPs: [{ ip: '10.0.0.1' }], startTime: ts(r),
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: ts(r) })),
    containerStatuses: [{ name: 'app', image: img, imageID: `${img.split(/[:@]/)[0]}@sha256:${hex(r, 64)}`, ready: true, started: true, restartCount: Math.floor(r() * 3), containerID: `containerd://${hex(r, 64)}`, state: { running: { startedAt: ts(r) } }, lastState: {} }],
  });

  const gen = {
    'core/Namespace': (i, r) => ({ metadata: meta(r, 'Namespace', nsName(i), undefined, { labels: { 'kubernetes.io/metadata.name': nsName(i), ...(i % 3 === 0 ? { 'pod-security.kubernetes.io/enforce': 'restricted' } : {}) } }), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }),
    'core/Node': (i, r) => ({
      metadata: meta(r, 'Node', `ip-10-0-${Math.floor(i / 250)}-${i % 250}.ec2.internal`, undefined, {
        labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': 'm6i.2xlarge', 'topology.kubernetes.io/zone': `us-east-1${'abc'[i % 3]}`, ...(i % 50 === 0 ? { 'eks.amazonaws.com/compute-type': 'fargate' } : { 'karpenter.sh/nodepool': 'default' }) },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      }),
      spec: { providerID: `aws:///us-east-1${'abc'[i % 3]}/i-0${hex(r, 16)}` },
      status: {
        capacity: { cpu: '8', memory: '32323404Ki', pods: '110' }, allocatable: { cpu: '7910m', memory: '31306572Ki', pods: '110' },
        conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({ type, status: type === 'Ready' ? 'True' : 'False', lastHeartbeatTime: ts(r), lastTransitionTime: ts(r), reason: `Kubelet${type}`, message: `kubelet reports ${type}` })),
        addresses: [{ type: 'InternalIP', address: `10.0.${Math.floor(i / 250)}.${i % 250}` }, { type: 'Hostname', address: `ip-10-0-${i}.ec2.internal` }],
        nodeInfo: { kubeletVersion: 'v1.33.5-eks-3025e55', containerRuntimeVersion: 'containerd://1.7.27', osImage: 'Amazon Linux 2023', kernelVersion: '6.1.141', architecture: 'amd64', operatingSystem: 'linux', machineID: hex(r, 32), systemUUID: uid(r), bootID: uid(r) },
        images: Array.from({ length: 40 }, (_, k) => ({ names: [`registry.example/img-${k}@sha256:${hex(r, 64)}`, `registry.example/img-${k}:v${k}`], sizeBytes: 10_000_000 + k })),
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      },
    }),
    'core/Pod': (i, r) => {
      if (i < dsPods) {
        const [ns, name, img] = DAEMONSETS[i % DAEMONSETS.length];
        const node = Math.floor(i / DAEMONSETS.length);
        return { metadata: meta(r, 'Pod', `${name}-${hex(r, 5)}`, ns, { labels: { 'app.kubernetes.io/name': name, 'controller-revision-hash': '7d9f8c6b5' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name, uid: uid(prng(hashStr(name))), controller: true, blockOwnerDeletion: true }] }),
          spec: { nodeName: `ip-node-${node}`, hostNetwork: name === 'aws-node' || name === 'kube-proxy', serviceAccountName: name, containers: [{ name, image: img, securityContext: { privileged: name !== 'fluent-bit' }, resources: { requests: { cpu: '25m' } } }], priorityClassName: 'system-node-critical', tolerations: [{ operator: 'Exists' }] },
          status: podStatus(r, img, node) };
      }
      const k = i - dsPods;
      const d = Math.floor(k / REPLICAS);
      const ns = appNsName(d);
      const name = deploymentName(d);
      return {
        metadata: meta(r, 'Pod', `${name}-6d4cf56db6-${hex(r, 5)}`, ns, {
          generateName: `${name}-6d4cf56db6-`, labels: { app: name, 'pod-template-hash': '6d4cf56db6', team: WORDS[(d >> 4) % WORDS.length] },
          annotations: { 'kubectl.kubernetes.io/restartedAt': ts(r) },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-6d4cf56db6`, uid: uid(prng(d * 2 + 1)), controller: true, blockOwnerDeletion: true }],
        }),
        spec: { ...podSpec(d, d % 3 !== 0, `kube-api-access-${hex(r, 5)}`), nodeName: `ip-node-${k % nodes}` },
        status: podStatus(r, image(d), k % nodes),
      };
    },
    'apps/DaemonSet': (i, r) => {
      const [ns, name, img] = DAEMONSETS[i];
      return { metadata: meta(r, 'DaemonSet', name, ns, { uid: uid(prng(hashStr(name))) }), spec: { selector: { matchLabels: { 'app.kubernetes.io/name': name } }, template: { metadata: { labels: { 'app.kubernetes.io/name': name } }, spec: { containers: [{ name, image: img }] } } }, status: { desiredNumberScheduled: nodes, numberReady: nodes, currentNumberScheduled: nodes, numberAvailable: nodes } };
    },
    'apps/Deployment': (d, r) => ({
      metadata: meta(r, 'Deployment', deploymentName(d), appNsName(d), { labels: { app: deploymentName(d) }, annotations: { 'deployment.kubernetes.io/revision': '2', 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ spec: podSpec(d, d % 3 !== 0) }) } }),
      spec: { replicas: REPLICAS, revisionHistoryLimit: 10, selector: { matchLabels: { app: deploymentName(d) } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, template: { metadata: { labels: { app: deploymentName(d) } }, spec: podSpec(d, d % 3 !== 0) } },
      status: { replicas: REPLICAS, readyReplicas: REPLICAS, availableReplicas: REPLICAS, updatedReplicas: REPLICAS, observedGeneration: 2, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }] },
    }),
    'apps/ReplicaSet': (i, r) => {
      const d = Math.floor(i / 2);
      const current = i % 2 === 1;
      return {
        metadata: meta(r, 'ReplicaSet', `${deploymentName(d)}-${current ? '6d4cf56db6' : '59b7c8d9f4'}`, appNsName(d), { uid: uid(prng(i)), labels: { app: deploymentName(d) }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName(d), uid: uid(prng(d + 99)), controller: true }] }),
        spec: { replicas: current ? REPLICAS : 0, selector: { matchLabels: { app: deploymentName(d) } }, template: { metadata: { labels: { app: deploymentName(d) } }, spec: podSpec(d, d % 3 !== 0) } },
        status: { replicas: current ? REPLICAS : 0, readyReplicas: current ? REPLICAS : 0 },
      };
    },
    'core/Service': (i, r) => ({ metadata: meta(r, 'Service', `svc-${i}`, nsName(i % namespaces)), spec: { type: i % 40 === 0 ? 'LoadBalancer' : 'ClusterIP', selector: { app: deploymentName(i) }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], clusterIP: `172.20.${i % 250}.${i % 200}` } }),
    'core/ServiceAccount': (i, r) => ({ metadata: meta(r, 'ServiceAccount', i % 2 ? 'default' : deploymentName(i), nsName(Math.floor(i / 2) % namespaces), i % 7 === 0 ? { annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::444455556666:role/app-${i}` } } : {}) }),
    'core/ResourceQuota': (i, r) => ({ metadata: meta(r, 'ResourceQuota', 'quota', appNsName(i)), spec: { hard: { 'requests.cpu': '20', 'requests.memory': '64Gi', pods: '100' } } }),
    'core/LimitRange': (i, r) => ({ metadata: meta(r, 'LimitRange', 'limits', appNsName(i)), spec: { limits: [{ type: 'Container', default: { memory: '512Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }] } }),
    'core/PersistentVolume': (i, r) => ({ metadata: meta(r, 'PersistentVolume', `pvc-${uid(r)}`, undefined), spec: { storageClassName: 'gp3', capacity: { storage: '20Gi' }, csi: { driver: 'ebs.csi.aws.com', volumeHandle: `vol-0${hex(r, 16)}`, fsType: 'ext4' }, accessModes: ['ReadWriteOnce'] } }),
    'apps/StatefulSet': (i, r) => ({ metadata: meta(r, 'StatefulSet', `db-${i}`, appNsName(i)), spec: { replicas: 3, serviceName: `db-${i}`, selector: { matchLabels: { app: `db-${i}` } }, template: { metadata: { labels: { app: `db-${i}` } }, spec: podSpec(i, false) } }, status: { replicas: 3, readyReplicas: 3 } }),
    'batch/Job': (i, r) => ({ metadata: meta(r, 'Job', `migrate-${i}`, appNsName(i)), spec: { backoffLimit: 3, template: { spec: { ...podSpec(i, true), restartPolicy: 'Never' } } }, status: { succeeded: 1 } }),
    'batch/CronJob': (i, r) => ({ metadata: meta(r, 'CronJob', `nightly-${i}`, appNsName(i)), spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { ...podSpec(i, true), restartPolicy: 'OnFailure' } } } } } }),
    'networking.k8s.io/NetworkPolicy': (i, r) => ({ metadata: meta(r, 'NetworkPolicy', 'default-deny', appNsName(i)), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } }),
    'networking.k8s.io/Ingress': (i, r) => ({ metadata: meta(r, 'Ingress', `web-${i}`, appNsName(i), { annotations: { 'alb.ingress.kubernetes.io/scheme': 'internet-facing' } }), spec: { ingressClassName: 'alb', rules: [{ host: `app-${i}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: `svc-${i}`, port: { number: 80 } } } }] } }] } }),
    'networking.k8s.io/IngressClass': (i, r) => ({ metadata: meta(r, 'IngressClass', ['alb', 'nginx'][i]), spec: { controller: ['ingress.k8s.aws/alb', 'k8s.io/ingress-nginx'][i] } }),
    'rbac.authorization.k8s.io/Role': (i, r) => ({ metadata: meta(r, 'Role', 'app-reader', appNsName(i)), rules: [{ apiGroups: [''], resources: ['configmaps', 'pods'], verbs: ['get', 'list', 'watch'] }] }),
    'rbac.authorization.k8s.io/RoleBinding': (i, r) => ({ metadata: meta(r, 'RoleBinding', i % 2 ? 'app-reader' : 'team-edit', appNsName(Math.floor(i / 2))), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: i % 2 ? 'Role' : 'ClusterRole', name: i % 2 ? 'app-reader' : 'edit' }, subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `team-${WORDS[i % WORDS.length]}` }] }),
    'rbac.authorization.k8s.io/ClusterRole': (i, r) => ({ metadata: meta(r, 'ClusterRole', i === 0 ? 'cluster-admin' : `role-${i}`, undefined), rules: i === 0 ? [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }] : [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] }] }),
    'rbac.authorization.k8s.io/ClusterRoleBinding': (i, r) => ({ metadata: meta(r, 'ClusterRoleBinding', `binding-${i}`, undefined), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: i < 3 ? 'cluster-admin' : `role-${i}` }, subjects: [{ kind: i % 2 ? 'Group' : 'ServiceAccount', name: `subject-${i}`, ...(i % 2 ? { apiGroup: 'rbac.authorization.k8s.io' } : { namespace: 'kube-system' }) }] }),
    'autoscaling/HorizontalPodAutoscaler': (i, r) => ({ metadata: meta(r, 'HorizontalPodAutoscaler', deploymentName(i * 5), appNsName(i * 5)), spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName(i * 5) }, minReplicas: 2, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] } }),
    'apiextensions.k8s.io/CustomResourceDefinition': (i, r) => ({ metadata: meta(r, 'CustomResourceDefinition', `things${i}.example${i % 9}.io`, undefined), spec: { group: `example${i % 9}.io`, names: { kind: `Thing${i}`, plural: `things${i}` }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }] } }),
    'apiregistration.k8s.io/APIService': (i, r) => ({ metadata: meta(r, 'APIService', `v1.group${i}.k8s.io`, undefined), spec: { group: `group${i}.k8s.io`, version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 }, status: { conditions: [{ type: 'Available', status: 'True' }] } }),
    'admissionregistration.k8s.io/ValidatingWebhookConfiguration': (i, r) => ({ metadata: meta(r, 'ValidatingWebhookConfiguration', `vwc-${i}`, undefined), webhooks: [{ name: `v${i}.example.com`, failurePolicy: 'Fail', sideEffects: 'None', admissionReviewVersions: ['v1'], clientConfig: { service: { name: 'wh', namespace: 'kube-system' } }, rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] }] }),
    'admissionregistration.k8s.io/MutatingWebhookConfiguration': (i, r) => ({ metadata: meta(r, 'MutatingWebhookConfiguration', `mwc-${i}`, undefined), webhooks: [{ name: `m${i}.example.com`, failurePolicy: 'Ignore', sideEffects: 'None', admissionReviewVersions: ['v1'], clientConfig: { service: { name: 'wh', namespace: 'kube-system' } } }] }),
    'storage.k8s.io/StorageClass': (i, r) => ({ metadata: meta(r, 'StorageClass', ['gp2', 'gp3', 'gp3-encrypted'][i], undefined), provisioner: i === 0 ? 'kubernetes.io/aws-ebs' : 'ebs.csi.aws.com', parameters: i === 2 ? { type: 'gp3', encrypted: 'true' } : { type: i === 0 ? 'gp2' : 'gp3' } }),
    'storage.k8s.io/CSIDriver': (i, r) => ({ metadata: meta(r, 'CSIDriver', ['ebs.csi.aws.com', 'efs.csi.aws.com', 'secrets-store.csi.k8s.io'][i], undefined), spec: { attachRequired: i === 0 } }),
    'kyverno.io/ClusterPolicy': (i, r) => ({ apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: meta(r, 'ClusterPolicy', `policy-${i}`, undefined), spec: { validationFailureAction: i % 2 ? 'Enforce' : 'Audit', rules: [{ name: 'check', match: { any: [{ resources: { kinds: ['Pod'] } }] }, validate: { pattern: { spec: { securityContext: { runAsNonRoot: true } } } } }] } }),
    'kyverno.io/Policy': (i, r) => ({ apiVersion: 'kyverno.io/v1', kind: 'Policy', metadata: meta(r, 'Policy', `ns-policy-${i}`, appNsName(i)), spec: { rules: [] } }),
    'wgpolicyk8s.io/PolicyReport': (i, r) => ({ apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: meta(r, 'PolicyReport', `report-${i}`, appNsName(i)), summary: { pass: 10, fail: i % 5, warn: 0, error: 0, skip: 0 }, results: [] }),
  };
  const lazy = {};
  for (const [key, count] of Object.entries(counts)) {
    const g = gen[key];
    if (!g || count <= 0) continue;
    lazy[key] = { count, item: (i) => g(i, rngFor(key, i)) };
  }
  return { counts, lazy };
}

// ---------------------------------------------------------------------------------------------
// Child: the collector.

async function child(config) {
  const mod = await import(pathToFileURL(join(BUILD, 'collectors', 'kubernetes', 'index.js')).href);
  const { catalog, evidenceKeys } = await import(pathToFileURL(join(BUILD, 'catalog', 'index.js')).href);
  const keys = evidenceKeys(catalog);
  let peakHeap = 0;
  const timer = setInterval(() => { const m = process.memoryUsage(); peakHeap = Math.max(peakHeap, m.heapUsed); }, 250);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await mod.collectLive({ kubeconfig: config.kubeconfig, keys, qps: config.qps, burst: config.burst, concurrency: config.concurrency, pageSize: config.pageSize, share: config.share, home: '/nonexistent' });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  let keptBytes = 0;
  for (const obj of r.kubernetes.objects) keptBytes += JSON.stringify(obj).length;
  const out = {
    keptMB: Math.round(keptBytes / 1048576),
    ms: Math.round(ms), objects: r.kubernetes.objects.length, kinds: r.kubernetes.kinds, gaps: r.gaps.length, stats: r.stats,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), peakHeapMB: Math.round(peakHeap / 1048576),
    heapAfterMB: Math.round(m.heapUsed / 1048576), keys: keys.size,
  };
  process.stdout.write(JSON.stringify(out));
}

// ---------------------------------------------------------------------------------------------
// Parent: the server, the report.

async function parent(o) {
  if (o.build || !existsSync(join(BUILD, 'collectors', 'kubernetes', 'index.js'))) {
    process.stderr.write('building sources into bench/out/build …\n');
    spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', BUILD], { stdio: 'ignore' });
    if (!existsSync(join(BUILD, 'collectors', 'kubernetes', 'index.js'))) throw new Error('build failed: run `npx tsc -p tsconfig.build.json --outDir bench/out/build` to see why');
  }
  const helper = await import(pathToFileURL(join(ROOT, 'test', 'helpers', 'kube-api-server.ts')).href);
  const { catalog, evidenceKeys } = await import(pathToFileURL(join(BUILD, 'catalog', 'index.js')).href);
  const keys = [...evidenceKeys(catalog)].filter((k) => k.startsWith('k8s:')).map((k) => k.slice(4));
  const { counts, lazy } = cluster(o);
  // Serve every kind the catalog reads (empty when the generator has none), like a real cluster with those add-ons.
  const resources = [];
  for (const k of keys) {
    if (k.endsWith('/*')) resources.push(...helper.resourcesOfGroup(k.slice(0, -2)));
    else if (k !== 'core/Secret') resources.push(helper.resourceForKey(k));
  }
  const served = Object.fromEntries(Object.entries(lazy).filter(([k]) => keys.includes(k)));
  const token = 'bench-token';
  const server = await helper.startKubeApiServer({ token, resources, lazy: served, maxPage: o.pageSize, ...(o.latency > 0 ? { intercept: (req) => (req.verb === 'list' ? { delayMs: o.latency } : undefined) } : {}) });
  const kubeconfig = server.writeKubeconfig({ token });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify({ kubeconfig, qps: o.qps, burst: o.burst, concurrency: o.concurrency, pageSize: o.pageSize, share: o.share })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`collector exited ${code}`))));
  });
  const wallMs = performance.now() - t0;
  const serverCpu = process.cpuUsage(cpu0);
  await server.close();

  // Requests per kind vs ceil(objects / page size).
  const perPath = new Map();
  let discovery = 0;
  let other = 0;
  for (const q of server.requests) {
    if (q.verb === 'list') perPath.set(q.path, (perPath.get(q.path) ?? 0) + 1);
    else if (!q.verb && (q.path === '/api' || q.path.startsWith('/api/') || q.path === '/apis' || q.path.startsWith('/apis/'))) discovery++;
    else other++;
  }
  const rows = [];
  let mismatches = 0;
  for (const [key, cov] of Object.entries(result.kinds)) {
    if (key.endsWith('/*') || cov.state === 'absent' || key === 'core/ConfigMap') continue;
    const def = helper.resourceForKey(key);
    const path = `${def.group ? '/apis' : '/api'}/${cov.detail ?? def.version}/${def.plural}`;
    const requests = perPath.get(path) ?? 0;
    const expected = Math.max(1, Math.ceil(cov.count / o.pageSize));
    if (requests !== expected) mismatches++;
    rows.push({ key, objects: cov.count, requests, expected });
  }
  rows.sort((a, b) => b.objects - a.objects);
  const totalObjects = rows.reduce((n, r) => n + r.objects, 0);
  const summary = {
    cluster: { pods: counts['core/Pod'], nodes: counts['core/Node'], namespaces: counts['core/Namespace'], objects: totalObjects },
    settings: { qps: o.qps, burst: o.burst, concurrency: o.concurrency, pageSize: o.pageSize, latencyMs: o.latency, share: o.share },
    wallSeconds: +(wallMs / 1000).toFixed(1),
    collectSeconds: +(result.ms / 1000).toFixed(1),
    requests: server.requests.length, listRequests: [...perPath.values()].reduce((a, b) => a + b, 0), discoveryRequests: discovery, otherRequests: other,
    requestsMatchPages: mismatches === 0,
    collectorCpuSeconds: +(result.cpuMs / 1000).toFixed(1),
    serverCpuSeconds: +((serverCpu.user + serverCpu.system) / 1e6).toFixed(1),
    collectorPeakRssMB: result.maxRssMB, collectorPeakHeapMB: result.peakHeapMB, collectorHeapAfterMB: result.heapAfterMB,
    bytesFromServerMB: Math.round(result.stats.bytes / 1048576), keptJsonMB: result.keptMB,
    gaps: result.gaps, retries: result.stats.retries,
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ ...summary, kinds: rows }, null, 2)}\n`);
  } else {
    const fmt = (n) => n.toLocaleString('en-US');
    console.log(`eks-soc2 live collection benchmark — ${fmt(summary.cluster.pods)} pods, ${fmt(summary.cluster.nodes)} nodes, ${fmt(summary.cluster.namespaces)} namespaces (${fmt(totalObjects)} objects, ${Object.keys(result.kinds).length} evidence kinds from ${result.keys} catalog keys)`);
    console.log(`settings: --qps ${o.qps} --burst ${o.burst} --concurrency ${o.concurrency} --page-size ${o.pageSize}${o.latency ? `; server latency ${o.latency} ms per LIST page` : ''}${o.share ? '' : '; structural sharing off'}`);
    console.log('');
    console.log(`${'kind'.padEnd(52)} ${'objects'.padStart(9)} ${'LISTs'.padStart(6)} ${'ceil(n/500)'.padStart(11)}`);
    for (const r of rows.filter((x) => x.objects > 0)) console.log(`${r.key.padEnd(52)} ${fmt(r.objects).padStart(9)} ${String(r.requests).padStart(6)} ${String(r.expected).padStart(11)}${r.requests === r.expected ? '' : '  MISMATCH'}`);
    console.log(`(${rows.filter((x) => x.objects === 0).length} more kinds served empty: 1 LIST each)`);
    console.log('');
    console.log(`requests:            ${summary.requests} = ${summary.listRequests} LIST + ${summary.discoveryRequests} discovery + ${summary.otherRequests} other (version, SelfSubjectReview, ConfigMaps by name); LISTs per kind ${summary.requestsMatchPages ? '==' : '!='} ceil(objects/${o.pageSize})`);
    console.log(`wall time:           ${summary.wallSeconds} s (collection ${summary.collectSeconds} s)`);
    console.log(`CPU:                 collector ${summary.collectorCpuSeconds} s, test API server ${summary.serverCpuSeconds} s`);
    console.log(`received:            ${summary.bytesFromServerMB} MB of JSON; kept after reduction: ${summary.keptJsonMB} MB as JSON`);
    console.log(`collector peak RSS:  ${summary.collectorPeakRssMB} MB (peak heap ${summary.collectorPeakHeapMB} MB, heap after ${summary.collectorHeapAfterMB} MB)`);
    console.log(`gaps: ${summary.gaps}, retries: ${summary.retries}`);
  }
  if (mismatches > 0) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const o = args(process.argv.slice(2));
  if (o.child) await child(JSON.parse(o.child));
  else await parent(o);
}
