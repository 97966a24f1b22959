import type { Attestation, AwsFact, K8sObject, Waiver } from '../../model/index.js';
import { DEMO, ago, fact, obj } from './build.js';

/**
 * Demo fragment for CC7 (change and configuration management), also read by CC8: Argo CD with its
 * Applications and AppProjects (storefront is OutOfSync and lacks selfHeal, data syncs by hand),
 * Argo Rollouts (checkout canary with analysis, recommendations pause-only), Karpenter (one NodePool
 * without limits), HPAs/VPAs and the metrics APIService, the Secrets Store CSI driver with the AWS
 * provider, and the AWS facts: eksctl CloudFormation stacks, CloudTrail change events, Secrets
 * Manager secrets (one without rotation), Auto Scaling groups and the (empty) EKS capability list.
 * The base's legacy/billing-monolith (revisionHistoryLimit 0, literal DB_PASSWORD, no GitOps
 * marker) supplies the failures the checklist warns about.
 */

const ns = (name: string) => obj('v1', 'Namespace', name, undefined, {}, { labels: { 'kubernetes.io/metadata.name': name } });
const tracking = (app: string, group: string, kind: string, namespace: string, name: string) =>
  ({ 'argocd.argoproj.io/tracking-id': `${app}:${group}/${kind}:${namespace}/${name}` });
const hardened = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };
const podSecurity = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

function controller(kind: 'Deployment' | 'StatefulSet', name: string, namespace: string, image: string, replicas: number, labels: Record<string, string>, annotations: Record<string, string> = {}): K8sObject {
  return obj('apps/v1', kind, name, namespace, {
    spec: {
      replicas,
      ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': name } },
        spec: {
          securityContext: podSecurity,
          containers: [{ name, image, securityContext: hardened, resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } } }],
        },
      },
    },
    status: kind === 'StatefulSet'
      ? { replicas, readyReplicas: replicas, availableReplicas: replicas }
      : { replicas, readyReplicas: replicas, availableReplicas: replicas, conditions: [{ type: 'Available', status: 'True' }] },
  }, { labels: { 'app.kubernetes.io/name': name, ...labels }, ...(Object.keys(annotations).length ? { annotations } : {}) });
}

function application(name: string, opts: { project: string; dest: string; sync: string; policy?: Record<string, unknown>; resources: [string, string, string, string][]; now: Date }): K8sObject {
  return obj('argoproj.io/v1alpha1', 'Application', name, 'argocd', {
    spec: {
      project: opts.project,
      source: { repoURL: 'https://github.com/acme/platform-deploy.git', path: `apps/${name}/overlays/prod`, targetRevision: 'main' },
      destination: { server: 'https://kubernetes.default.svc', namespace: opts.dest },
      ...(opts.policy ? { syncPolicy: opts.policy } : {}),
    },
    status: {
      sync: { status: opts.sync, revision: '3f9c2e1a7b5d4c3e2f1a0b9c8d7e6f5a4b3c2d1e' },
      health: { status: 'Healthy' },
      reconciledAt: ago(opts.now, 0, 1),
      resources: opts.resources.map(([group, kind, namespace, n]) => ({ group, version: group === 'argoproj.io' ? 'v1alpha1' : group === 'autoscaling' ? 'v2' : 'v1', kind, namespace, name: n, status: opts.sync, health: { status: 'Healthy' } })),
    },
  });
}

function argocd(now: Date): K8sObject[] {
  const part = { 'app.kubernetes.io/part-of': 'argocd' };
  const image = 'quay.io/argoproj/argocd:v3.1.8';
  return [
    ns('argocd'),
    controller('StatefulSet', 'argocd-application-controller', 'argocd', image, 1, part),
    controller('Deployment', 'argocd-repo-server', 'argocd', image, 2, part),
    controller('Deployment', 'argocd-server', 'argocd', image, 2, part),
    controller('Deployment', 'argocd-applicationset-controller', 'argocd', image, 1, part),
    obj('argoproj.io/v1alpha1', 'AppProject', 'default', 'argocd', { spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }] } }),
    obj('argoproj.io/v1alpha1', 'AppProject', 'payments', 'argocd', {
      spec: {
        sourceRepos: ['https://github.com/acme/platform-deploy.git'],
        destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'payments' }],
        // Production payments changes only Monday–Thursday 09:00–17:00 UTC; outside it, syncs need a manual override.
        syncWindows: [{ kind: 'allow', schedule: '0 9 * * 1-4', duration: '8h', applications: ['payments'], manualSync: true, timeZone: 'UTC' }],
      },
    }),
    obj('argoproj.io/v1alpha1', 'AppProject', 'storefront', 'argocd', { spec: { sourceRepos: ['https://github.com/acme/platform-deploy.git'], destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'storefront' }] } }),
    obj('argoproj.io/v1alpha1', 'AppProject', 'platform', 'argocd', { spec: { sourceRepos: ['https://github.com/acme/platform-deploy.git'], destinations: [{ server: 'https://kubernetes.default.svc', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] } }),
    application('payments', {
      project: 'payments', dest: 'payments', sync: 'Synced', now,
      policy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
      resources: [['apps', 'Deployment', 'payments', 'payments-api'], ['autoscaling', 'HorizontalPodAutoscaler', 'payments', 'payments-api']],
    }),
    // OutOfSync: someone scaled web by hand; automated sync without selfHeal leaves it until the next commit.
    application('storefront', {
      project: 'storefront', dest: 'storefront', sync: 'OutOfSync', now,
      policy: { automated: { prune: true } },
      resources: [['apps', 'Deployment', 'storefront', 'web'], ['argoproj.io', 'Rollout', 'storefront', 'checkout'], ['argoproj.io', 'Rollout', 'storefront', 'recommendations']],
    }),
    // Manual sync: the DBA team syncs the database by hand (an approval gate for CC8-PIPE-02).
    application('data', { project: 'default', dest: 'data', sync: 'Synced', now, resources: [['apps', 'StatefulSet', 'data', 'postgres']] }),
    application('platform-addons', {
      project: 'platform', dest: 'karpenter', sync: 'Synced', now,
      policy: { automated: { prune: true, selfHeal: true } },
      resources: [['apps', 'Deployment', 'karpenter', 'karpenter'], ['karpenter.sh', 'NodePool', '', 'default'], ['karpenter.sh', 'NodePool', '', 'batch-spot']],
    }),
  ];
}

function rollouts(): K8sObject[] {
  const template = (name: string, image: string, volumes: unknown[] = [], mounts: unknown[] = []) => ({
    metadata: { labels: { app: name } },
    spec: {
      serviceAccountName: name,
      automountServiceAccountToken: false,
      securityContext: { ...podSecurity, runAsUser: 10001 },
      containers: [{ name: 'app', image, securityContext: hardened, resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } }, volumeMounts: mounts }],
      volumes,
    },
  });
  return [
    obj('argoproj.io/v1alpha1', 'AnalysisTemplate', 'success-rate', 'storefront', {
      spec: {
        args: [{ name: 'service' }],
        metrics: [{
          name: 'success-rate', interval: '1m', count: 5, failureLimit: 2, successCondition: 'result[0] >= 0.99',
          provider: { prometheus: { address: 'http://prometheus.monitoring:9090', query: 'sum(rate(http_requests_total{service="{{args.service}}",code!~"5.."}[2m])) / sum(rate(http_requests_total{service="{{args.service}}"}[2m]))' } },
        }],
      },
    }),
    obj('argoproj.io/v1alpha1', 'Rollout', 'checkout', 'storefront', {
      spec: {
        replicas: 4,
        revisionHistoryLimit: 5,
        selector: { matchLabels: { app: 'checkout' } },
        template: template('checkout', `${DEMO.accountId}.dkr.ecr.${DEMO.region}.amazonaws.com/checkout@sha256:7d1e0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d`,
          [{ name: 'secrets', csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: 'checkout-secrets' } } }],
          [{ name: 'secrets', mountPath: '/mnt/secrets', readOnly: true }]),
        strategy: {
          canary: {
            canaryService: 'checkout-canary', stableService: 'checkout',
            steps: [
              { setWeight: 10 },
              { analysis: { templates: [{ templateName: 'success-rate' }], args: [{ name: 'service', value: 'checkout-canary' }] } },
              { setWeight: 50 },
              { pause: { duration: '10m' } },
            ],
          },
        },
      },
      status: { phase: 'Healthy', stableRS: '6d9f7c8b5', currentPodHash: '6d9f7c8b5', replicas: 4, readyReplicas: 4 },
    }),
    // Pause-only canary: it waits, but nothing aborts a bad release (CC8-PIPE-03 fails it).
    obj('argoproj.io/v1alpha1', 'Rollout', 'recommendations', 'storefront', {
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'recommendations' } },
        template: template('recommendations', `${DEMO.accountId}.dkr.ecr.${DEMO.region}.amazonaws.com/recommendations:4.2.0`),
        strategy: { canary: { steps: [{ setWeight: 25 }, { pause: { duration: '15m' } }, { setWeight: 75 }, { pause: {} }] } },
      },
      status: { phase: 'Healthy', replicas: 2, readyReplicas: 2 },
    }),
  ];
}

function karpenter(): K8sObject[] {
  const nodePool = (name: string, limits: Record<string, string> | undefined, capacity: string) => obj('karpenter.sh/v1', 'NodePool', name, undefined, {
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
          requirements: [
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: [capacity] },
            { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
          ],
          expireAfter: '720h',
        },
      },
      disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m' },
      ...(limits ? { limits } : {}),
    },
    status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'NodeClassReady', status: 'True' }] },
  }, { annotations: tracking('platform-addons', 'karpenter.sh', 'NodePool', '', name) });
  return [
    ns('karpenter'),
    controller('Deployment', 'karpenter', 'karpenter', 'public.ecr.aws/karpenter/controller:1.6.3', 2, { 'app.kubernetes.io/instance': 'karpenter' },
      tracking('platform-addons', 'apps', 'Deployment', 'karpenter', 'karpenter')),
    nodePool('default', { cpu: '1000', memory: '4000Gi' }, 'on-demand'),
    // No limits: a burst of pending batch pods can launch spot nodes without bound.
    nodePool('batch-spot', undefined, 'spot'),
    obj('karpenter.k8s.aws/v1', 'EC2NodeClass', 'default', undefined, {
      spec: {
        role: `${DEMO.cluster}-karpenter-node`,
        amiSelectorTerms: [{ alias: 'al2023@latest' }],
        subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': DEMO.cluster } }],
        securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': DEMO.cluster } }],
        metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    }),
  ];
}

function autoscaling(now: Date): K8sObject[] {
  const active = (reason: string) => ({ conditions: [
    { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' },
    { type: 'ScalingActive', status: 'True', reason, lastTransitionTime: ago(now, 12) },
  ] });
  const hpa = (name: string, namespace: string, target: { apiVersion: string; kind: string; name: string }, cpu: number, min: number, max: number) =>
    obj('autoscaling/v2', 'HorizontalPodAutoscaler', name, namespace, {
      spec: { scaleTargetRef: target, minReplicas: min, maxReplicas: max, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } }] },
      status: { currentReplicas: min, desiredReplicas: min, ...active('ValidMetricFound') },
    });
  const vpa = (name: string, namespace: string, kind: string, mode: string) => obj('autoscaling.k8s.io/v1', 'VerticalPodAutoscaler', name, namespace, {
    spec: { targetRef: { apiVersion: 'apps/v1', kind, name }, updatePolicy: { updateMode: mode }, resourcePolicy: { containerPolicies: [{ containerName: '*', controlledResources: ['cpu', 'memory'] }] } },
    status: { conditions: [{ type: 'RecommendationProvided', status: 'True' }] },
  });
  const vpaPart = (c: string) => controller('Deployment', `vpa-${c}`, 'kube-system', `registry.k8s.io/autoscaling/vpa-${c}:1.4.1`, 1, { 'app.kubernetes.io/part-of': 'vertical-pod-autoscaler' });
  return [
    obj('apiregistration.k8s.io/v1', 'APIService', 'v1beta1.metrics.k8s.io', undefined, {
      spec: { service: { name: 'metrics-server', namespace: 'kube-system', port: 443 }, group: 'metrics.k8s.io', version: 'v1beta1', insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100 },
      status: { conditions: [{ type: 'Available', status: 'True', reason: 'Passed', lastTransitionTime: ago(now, 40) }] },
    }),
    vpaPart('recommender'), vpaPart('updater'), vpaPart('admission-controller'),
    hpa('payments-api', 'payments', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'payments-api' }, 70, 3, 12),
    hpa('web', 'storefront', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, 75, 4, 20),
    hpa('checkout', 'storefront', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'checkout' }, 65, 4, 16),
    // Recommendation only next to web's HPA (Off mode does not fight it); postgres is resized by VPA.
    vpa('web', 'storefront', 'Deployment', 'Off'),
    vpa('postgres', 'data', 'StatefulSet', 'Recreate'),
  ];
}

function secretsStore(): K8sObject[] {
  const ds = (name: string, image: string) => obj('apps/v1', 'DaemonSet', name, 'kube-system', {
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name, image }] } },
    },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, numberAvailable: 3 },
  });
  const objects = (names: string[]) => names.map((n) => `- objectName: "${n}"\n  objectType: "secretsmanager"`).join('\n');
  return [
    obj('storage.k8s.io/v1', 'CSIDriver', 'secrets-store.csi.k8s.io', undefined, { spec: { attachRequired: false, podInfoOnMount: true, volumeLifecycleModes: ['Ephemeral'], tokenRequests: [{ audience: 'pods.eks.amazonaws.com' }] } }),
    ds('csi-secrets-store-secrets-store-csi-driver', 'registry.k8s.io/csi-secrets-store/driver:v1.5.3'),
    ds('csi-secrets-store-provider-aws', 'public.ecr.aws/aws-secrets-manager/secrets-store-csi-driver-provider-aws:2.1.0'),
    obj('secrets-store.csi.x-k8s.io/v1', 'SecretProviderClass', 'payments-secrets', 'payments', {
      spec: { provider: 'aws', parameters: { usePodIdentity: 'true', objects: objects(['prod/payments/db', 'prod/payments/stripe-api-key']) } },
    }),
    // secretObjects: the values are also copied into a Kubernetes Secret (noted by CC7-CFG-03).
    obj('secrets-store.csi.x-k8s.io/v1', 'SecretProviderClass', 'checkout-secrets', 'storefront', {
      spec: {
        provider: 'aws',
        parameters: { usePodIdentity: 'true', objects: objects(['prod/storefront/checkout-db']) },
        secretObjects: [{ secretName: 'checkout-db', type: 'Opaque', data: [{ objectName: 'prod/storefront/checkout-db', key: 'password' }] }],
      },
    }),
  ];
}

export function objects(now: Date): K8sObject[] {
  return [...argocd(now), ...rollouts(), ...karpenter(), ...autoscaling(now), ...secretsStore()];
}

export function facts(now: Date): AwsFact[] {
  const cluster = DEMO.cluster;
  const stackArn = (name: string) => `arn:aws:cloudformation:${DEMO.region}:${DEMO.accountId}:stack/${name}/5e1f0a20-9b3c-11ef-8a1d-0a1b2c3d4e5f`;
  const eksctlTags = [
    { Key: 'alpha.eksctl.io/cluster-name', Value: cluster }, { Key: 'eksctl.cluster.k8s.io/v1alpha1/cluster-name', Value: cluster },
    { Key: 'alpha.eksctl.io/eksctl-version', Value: '0.199.0' }, { Key: 'team', Value: 'platform' },
  ];
  const event = (id: string, name: string, days: number, user: string, userAgent: string, params: Record<string, string>, readOnly = false) => ({
    EventId: id, EventName: name, ReadOnly: String(readOnly), EventTime: ago(now, days), EventSource: 'eks.amazonaws.com', Username: user,
    Resources: [{ ResourceType: 'AWS::EKS::Cluster', ResourceName: cluster }],
    CloudTrailEvent: JSON.stringify({
      eventVersion: '1.09', eventTime: ago(now, days), eventSource: 'eks.amazonaws.com', eventName: name, awsRegion: DEMO.region,
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${DEMO.accountId}:assumed-role/${user}/session` },
      userAgent, requestParameters: { name: cluster, ...params }, readOnly, eventType: 'AwsApiCall', recipientAccountId: DEMO.accountId,
    }),
  });
  const secret = (name: string, rotation: boolean, changedDays: number) => ({
    ARN: `arn:aws:secretsmanager:${DEMO.region}:${DEMO.accountId}:secret:${name}-${name.length.toString(36).padStart(6, 'x')}`,
    Name: name, KmsKeyId: `arn:aws:kms:${DEMO.region}:${DEMO.accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    RotationEnabled: rotation,
    ...(rotation ? { RotationLambdaARN: `arn:aws:lambda:${DEMO.region}:${DEMO.accountId}:function:SecretsManagerRDSPostgreSQLRotation`, RotationRules: { AutomaticallyAfterDays: 30 }, LastRotatedDate: ago(now, 12), NextRotationDate: ago(now, -18) } : {}),
    LastChangedDate: ago(now, rotation ? 12 : changedDays), LastAccessedDate: ago(now, 0), CreatedDate: ago(now, 400),
  });
  return [
    fact('cloudformation', 'DescribeStacks', {
      Stacks: [
        { StackName: `eksctl-${cluster}-cluster`, StackId: stackArn(`eksctl-${cluster}-cluster`), StackStatus: 'UPDATE_COMPLETE', CreationTime: ago(now, 700), LastUpdatedTime: ago(now, 85), Description: 'EKS cluster (dedicated VPC: false, dedicated IAM: true) [created and managed by eksctl]', Tags: eksctlTags, DriftInformation: { StackDriftStatus: 'IN_SYNC', LastCheckTimestamp: ago(now, 2) } },
        { StackName: `eksctl-${cluster}-nodegroup-general`, StackId: stackArn(`eksctl-${cluster}-nodegroup-general`), StackStatus: 'UPDATE_COMPLETE', CreationTime: ago(now, 690), LastUpdatedTime: ago(now, 30), Tags: [...eksctlTags, { Key: 'alpha.eksctl.io/nodegroup-name', Value: 'general' }, { Key: 'alpha.eksctl.io/nodegroup-type', Value: 'managed' }], DriftInformation: { StackDriftStatus: 'IN_SYNC', LastCheckTimestamp: ago(now, 2) } },
        { StackName: 'acme-website-cdn', StackId: stackArn('acme-website-cdn'), StackStatus: 'UPDATE_COMPLETE', CreationTime: ago(now, 900), Tags: [{ Key: 'team', Value: 'web' }], DriftInformation: { StackDriftStatus: 'DRIFTED', LastCheckTimestamp: ago(now, 20) } },
      ],
    }),
    fact('cloudtrail', 'LookupEvents', {
      Events: [
        event('3d1c9a7e-0001', 'DescribeCluster', 0, 'alice', 'console.amazonaws.com', {}, true),
        event('3d1c9a7e-0002', 'UpdateNodegroupVersion', 30, 'platform-ci', 'eksctl/0.199.0 (aws-sdk-go-v2/1.32.6)', { nodegroupName: 'general' }),
        event('3d1c9a7e-0003', 'UpdateAddon', 40, 'platform-ci', 'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0', { addonName: 'amazon-cloudwatch-observability' }),
        event('3d1c9a7e-0004', 'UpdateClusterVersion', 85, 'platform-ci', 'eksctl/0.199.0 (aws-sdk-go-v2/1.32.6)', { version: '1.33' }),
      ],
    }, { LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'eks.amazonaws.com' }] }),
    fact('secretsmanager', 'ListSecrets', {
      SecretList: [
        secret('prod/payments/db', true, 0),
        // Third-party API key: rotation needs the provider's API and was never set up (warning).
        secret('prod/payments/stripe-api-key', false, 210),
        secret('prod/storefront/checkout-db', true, 0),
        secret('prod/legacy/billing-db', false, 800),
      ],
    }),
    fact('autoscaling', 'DescribeAutoScalingGroups', {
      AutoScalingGroups: [{
        AutoScalingGroupName: 'eks-general-4ec9d1a2-0000-0000-0000-000000000000',
        AutoScalingGroupARN: `arn:aws:autoscaling:${DEMO.region}:${DEMO.accountId}:autoScalingGroup:0a1b2c3d:autoScalingGroupName/eks-general-4ec9d1a2-0000-0000-0000-000000000000`,
        MinSize: 2, MaxSize: 6, DesiredCapacity: 2, DefaultCooldown: 300, HealthCheckType: 'EC2', CreatedTime: ago(now, 690),
        AvailabilityZones: ['eu-west-1a', 'eu-west-1b'],
        Tags: [
          { Key: 'eks:cluster-name', Value: cluster }, { Key: 'eks:nodegroup-name', Value: 'general' },
          { Key: 'k8s.io/cluster-autoscaler/enabled', Value: 'true' }, { Key: `k8s.io/cluster-autoscaler/${cluster}`, Value: 'owned' },
          { Key: `kubernetes.io/cluster/${cluster}`, Value: 'owned' },
        ].map((t) => ({ ...t, ResourceId: 'eks-general-4ec9d1a2-0000-0000-0000-000000000000', ResourceType: 'auto-scaling-group', PropagateAtLaunch: true })),
      }],
    }),
    // Argo CD runs in the cluster, not as the EKS-managed capability.
    fact('eks', 'ListCapabilities', { capabilities: [] }, { clusterName: cluster }),
  ];
}

/** AWS operations the demo answers with nothing to report (e.g. an empty list). */
export function emptyCalls(): string[] {
  return ['eks:DescribeCapability'];
}

export function policies(now: Date): { waivers: Waiver[]; attestations: Attestation[] } {
  const day = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString().slice(0, 10);
  return {
    waivers: [],
    attestations: [{
      control: 'CC7-CHG-03',
      statement: 'Reviewed the CodePipeline definitions of acme-prod-deploy and storefront-web and a sample of 12 runs from the quarter: every run executed the image scan and failed on critical findings.',
      attestedBy: 'appsec-lead@acme.example',
      date: day(-20),
      evidence: 'https://wiki.acme.example/compliance/soc2/2026-q4/cicd-scanning-review.pdf',
      sha256: '9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a',
      validUntil: day(160),
    }],
  };
}
