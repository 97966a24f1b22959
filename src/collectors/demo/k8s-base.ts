import type { K8sObject } from '../../model/index.js';
import { obj, owned } from './build.js';

const restrictedContainer = (name: string, image: string) => ({
  name,
  image,
  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
});

const ns = (name: string, labels: Record<string, string> = {}) => obj('v1', 'Namespace', name, undefined, {}, { labels: { 'kubernetes.io/metadata.name': name, ...labels } });
const restricted = { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' };

/**
 * The demo's application namespaces and workloads: `payments` is the model citizen, `storefront`
 * is mostly there, `legacy` fails nearly everything, `data` holds a waived exception.
 */
export function baseObjects(): K8sObject[] {
  const out: K8sObject[] = [];
  out.push(
    ns('kube-system'), ns('kube-public'), ns('kube-node-lease'), ns('default'),
    ns('payments', { ...restricted, 'istio-injection': 'enabled' }),
    ns('storefront', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' }),
    ns('legacy'),
    ns('data', { ...restricted }),
  );

  // payments: fully hardened Deployment, pinned by digest, with its ReplicaSet and Pods.
  const paymentsApi = obj('apps/v1', 'Deployment', 'payments-api', 'payments', {
    spec: {
      replicas: 3,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'payments-api' } },
      template: {
        metadata: { labels: { app: 'payments-api' } },
        spec: {
          serviceAccountName: 'payments-api',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [restrictedContainer('api', '111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments-api@sha256:4b5f0c4a1c0f3d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f')],
        },
      },
    },
  }, { labels: { app: 'payments-api' }, annotations: { 'argocd.argoproj.io/tracking-id': 'payments:apps/Deployment:payments/payments-api' } });
  const paymentsRs = owned(obj('apps/v1', 'ReplicaSet', 'payments-api-7c9d8f6b5', 'payments', { spec: (paymentsApi.spec as Record<string, unknown>) }), paymentsApi);
  out.push(paymentsApi, paymentsRs);
  for (const suffix of ['x2k4p', 'm8q1z', 'r5t7w']) {
    // Running pods carry the Istio sidecar the namespace's istio-injection label adds at admission.
    const tpl = (paymentsApi.spec as { template: { spec: { containers: unknown[] } } }).template;
    const spec = { ...tpl.spec, containers: [...tpl.spec.containers, {
      name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.2',
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1337, capabilities: { drop: ['ALL'] } },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } },
    }] };
    out.push(owned(obj('v1', 'Pod', `payments-api-7c9d8f6b5-${suffix}`, 'payments', { spec }, { labels: { app: 'payments-api', 'security.istio.io/tlsMode': 'istio' } }), paymentsRs));
  }

  // storefront: non-root and no escalation, but a writable root filesystem and a tag, not a digest.
  out.push(obj('apps/v1', 'Deployment', 'web', 'storefront', {
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'nginx', image: 'public.ecr.aws/nginx/nginx:1.27.3',
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
            resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
          }],
        },
      },
    },
  }, { labels: { app: 'web' } }));
  out.push(obj('batch/v1', 'CronJob', 'sitemap', 'storefront', {
    spec: {
      schedule: '0 3 * * *',
      jobTemplate: { spec: { template: { spec: {
        restartPolicy: 'OnFailure',
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [restrictedContainer('sitemap', '111122223333.dkr.ecr.eu-west-1.amazonaws.com/sitemap:2.4.1')],
      } } } },
    },
  }));

  // legacy: everything the checklist warns about.
  out.push(obj('apps/v1', 'Deployment', 'billing-monolith', 'legacy', {
    spec: {
      replicas: 1,
      revisionHistoryLimit: 0,
      selector: { matchLabels: { app: 'billing' } },
      template: {
        metadata: { labels: { app: 'billing' } },
        spec: {
          hostNetwork: true,
          volumes: [{ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }],
          containers: [{
            name: 'billing', image: 'acme/billing:latest',
            securityContext: { privileged: true, runAsUser: 0 },
            env: [{ name: 'DB_PASSWORD', value: '[redacted by eks-soc2]' }],
          }],
        },
      },
    },
  }));
  out.push(obj('v1', 'Pod', 'debug-shell', 'legacy', {
    spec: { containers: [{ name: 'shell', image: 'busybox', command: ['sleep', 'infinity'] }] },
  }));

  // data: a StatefulSet whose one exception (writable root filesystem for PostgreSQL) is waived.
  out.push(obj('apps/v1', 'StatefulSet', 'postgres', 'data', {
    spec: {
      serviceName: 'postgres',
      replicas: 1,
      selector: { matchLabels: { app: 'postgres' } },
      template: {
        metadata: { labels: { app: 'postgres' } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'postgres', image: 'public.ecr.aws/docker/library/postgres@sha256:9d2c1a0f3e4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d',
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
          }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'pgdata' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3-encrypted', resources: { requests: { storage: '50Gi' } } } }],
    },
  }));

  // kube-system: a typical system DaemonSet, reported separately.
  out.push(obj('apps/v1', 'DaemonSet', 'kube-proxy', 'kube-system', {
    spec: {
      selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
      template: {
        metadata: { labels: { 'k8s-app': 'kube-proxy' } },
        spec: {
          hostNetwork: true,
          containers: [{ name: 'kube-proxy', image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.33.5-minimal-eksbuild.2', securityContext: { privileged: true } }],
          volumes: [{ name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } }],
        },
      },
    },
  }));
  return out;
}
