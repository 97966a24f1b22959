import type { Attestation, AwsFact, JsonObject, K8sObject, Waiver } from '../../model/index.js';
import { DEMO, ago, fact, obj } from './build.js';

/**
 * Demo fragment for CC5: RBAC (Kubernetes/EKS built-ins, the platform team's bindings, and the bad
 * ones in `legacy`), ServiceAccounts (IRSA on payments-api and legacy/deployer), ResourceQuotas and
 * LimitRanges, OPA Gatekeeper, and the IAM side (OIDC provider, workload and node roles with their
 * trust and permission policies, Pod Identity associations, credential report, account summary).
 * Namespace PSS labels are in k8s-base.ts; access entries and aws-auth in p1.ts.
 */

const A = DEMO.accountId;
const R = DEMO.region;
const ISSUER_HOST = `oidc.eks.${R}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`;
const PROVIDER_ARN = `arn:aws:iam::${A}:oidc-provider/${ISSUER_HOST}`;
const role = (name: string) => `arn:aws:iam::${A}:role/${name}`;
const RBAC = 'rbac.authorization.k8s.io/v1';

type Rule = { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[]; nonResourceURLs?: string[] };
type Subject = { kind: string; name: string; namespace?: string; apiGroup?: string };
const user = (name: string): Subject => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' });
const group = (name: string): Subject => ({ kind: 'Group', name, apiGroup: 'rbac.authorization.k8s.io' });
const sa = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });
const defaults = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

const clusterRole = (name: string, rules: Rule[], labels: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  obj(RBAC, 'ClusterRole', name, undefined, { rules, ...extra }, Object.keys(labels).length ? { labels } : {});
const clusterBinding = (name: string, roleName: string, subjects: Subject[], labels: Record<string, string> = {}) =>
  obj(RBAC, 'ClusterRoleBinding', name, undefined, { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects }, Object.keys(labels).length ? { labels } : {});
const nsRole = (namespace: string, name: string, rules: Rule[]) => obj(RBAC, 'Role', name, namespace, { rules });
const binding = (namespace: string, name: string, roleKind: 'Role' | 'ClusterRole', roleName: string, subjects: Subject[]) =>
  obj(RBAC, 'RoleBinding', name, namespace, { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName }, subjects });

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

function rbac(): K8sObject[] {
  const agg = (target: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${target}`]: 'true' });
  return [
    // Kubernetes defaults.
    clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }], defaults),
    clusterBinding('cluster-admin', 'cluster-admin', [group('system:masters')], defaults),
    clusterRole('admin', [
      { apiGroups: [''], resources: ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], verbs: [...READ] },
      { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
      { apiGroups: [''], resources: ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], verbs: WRITE },
      { apiGroups: [''], resources: ['configmaps', 'persistentvolumeclaims', 'replicationcontrollers', 'secrets', 'serviceaccounts', 'services'], verbs: WRITE },
      { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'], verbs: WRITE },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings', 'roles'], verbs: [...READ, ...WRITE] },
    ], defaults, { aggregationRule: { clusterRoleSelectors: [{ matchLabels: agg('admin') }] } }),
    clusterRole('edit', [
      { apiGroups: [''], resources: ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], verbs: [...READ] },
      { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
      { apiGroups: [''], resources: ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], verbs: WRITE },
      { apiGroups: [''], resources: ['configmaps', 'persistentvolumeclaims', 'replicationcontrollers', 'secrets', 'serviceaccounts', 'services'], verbs: WRITE },
      { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'], verbs: WRITE },
    ], { ...defaults, ...agg('admin') }, { aggregationRule: { clusterRoleSelectors: [{ matchLabels: agg('edit') }] } }),
    clusterRole('view', [
      { apiGroups: [''], resources: ['configmaps', 'endpoints', 'persistentvolumeclaims', 'pods', 'replicationcontrollers', 'serviceaccounts', 'services', 'namespaces', 'resourcequotas', 'limitranges'], verbs: READ },
      { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'], verbs: READ },
      { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: READ },
    ], { ...defaults, ...agg('edit') }, { aggregationRule: { clusterRoleSelectors: [{ matchLabels: agg('view') }] } }),
    clusterRole('system:discovery', [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }], defaults),
    clusterBinding('system:discovery', 'system:discovery', [group('system:authenticated')], defaults),
    clusterRole('system:basic-user', [{ apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] }], defaults),
    clusterBinding('system:basic-user', 'system:basic-user', [group('system:authenticated')], defaults),
    clusterRole('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }], defaults),
    clusterBinding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')], defaults),
    clusterRole('system:controller:clusterrole-aggregation-controller', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], defaults),
    clusterBinding('system:controller:clusterrole-aggregation-controller', 'system:controller:clusterrole-aggregation-controller', [sa('kube-system', 'clusterrole-aggregation-controller')], defaults),
    clusterRole('system:coredns', [{ apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] }, { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] }], { 'eks.amazonaws.com/component': 'coredns' }),
    clusterBinding('system:coredns', 'system:coredns', [sa('kube-system', 'coredns')], { 'eks.amazonaws.com/component': 'coredns' }),
    // EKS-managed.
    clusterBinding('eks:addon-cluster-admin', 'cluster-admin', [user('eks:addon-manager')]),
    clusterRole('eks:node-manager', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] }, { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch', 'patch'] }, { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] }]),
    clusterBinding('eks:node-manager', 'eks:node-manager', [user('eks:node-manager')]),
    clusterRole('eks:cloud-controller-manager', [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch', 'patch', 'update', 'delete'] }, { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'] }]),
    clusterBinding('eks:cloud-controller-manager', 'eks:cloud-controller-manager', [user('eks:cloud-controller-manager')]),
    // The VPC CNI add-on (not prefixed: judged, and clean).
    clusterRole('aws-node', [
      { apiGroups: ['crd.k8s.amazonaws.com'], resources: ['eniconfigs'], verbs: READ },
      { apiGroups: [''], resources: ['namespaces', 'pods', 'nodes'], verbs: READ },
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'list'] },
      { apiGroups: ['networking.k8s.aws'], resources: ['policyendpoints'], verbs: READ },
      { apiGroups: ['vpcresources.k8s.aws'], resources: ['cninodes'], verbs: ['get', 'list', 'watch', 'patch'] },
    ], { 'app.kubernetes.io/name': 'aws-node' }),
    clusterBinding('aws-node', 'aws-node', [sa('kube-system', 'aws-node')], { 'app.kubernetes.io/name': 'aws-node' }),

    // The platform team: admins (a group), read-only viewers, and eks-soc2's own read-only access.
    clusterBinding('platform-admins', 'cluster-admin', [group('platform-admins')]),
    clusterBinding('platform-viewers', 'view', [group('platform-viewers')]),
    clusterRole('soc2-auditor', [
      { apiGroups: [''], resources: ['namespaces', 'nodes', 'pods', 'services', 'serviceaccounts', 'resourcequotas', 'limitranges', 'persistentvolumes', 'persistentvolumeclaims'], verbs: ['get', 'list'] },
      { apiGroups: ['apps', 'batch', 'autoscaling', 'policy'], resources: ['deployments', 'daemonsets', 'statefulsets', 'replicasets', 'jobs', 'cronjobs', 'horizontalpodautoscalers', 'poddisruptionbudgets'], verbs: ['get', 'list'] },
      { apiGroups: ['networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io'], resources: ['networkpolicies', 'ingresses', 'ingressclasses', 'roles', 'rolebindings', 'clusterroles', 'clusterrolebindings', 'storageclasses', 'csidrivers'], verbs: ['get', 'list'] },
      { apiGroups: ['admissionregistration.k8s.io', 'apiextensions.k8s.io'], resources: ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'customresourcedefinitions'], verbs: ['get', 'list'] },
      { apiGroups: ['templates.gatekeeper.sh', 'constraints.gatekeeper.sh', 'kyverno.io', 'aquasecurity.github.io', 'argoproj.io', 'karpenter.sh', 'karpenter.k8s.aws', 'security.istio.io'], resources: ['*'], verbs: ['get', 'list'] },
    ]),
    clusterBinding('soc2-auditor', 'soc2-auditor', [group('soc2-auditor')]),
    nsRole('kube-system', 'soc2-auditor-configmaps', [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['aws-auth', 'amazon-vpc-cni', 'cluster-autoscaler-status'], verbs: ['get'] }]),
    binding('kube-system', 'soc2-auditor-configmaps', 'Role', 'soc2-auditor-configmaps', [group('soc2-auditor')]),

    // payments: the application reads its own ConfigMap.
    nsRole('payments', 'payments-api', [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['payments-api-config'], verbs: ['get', 'watch'] }]),
    binding('payments', 'payments-api', 'Role', 'payments-api', [sa('payments', 'payments-api')]),
    // storefront: developers read, CI deploys (creating workloads: reported as information).
    binding('storefront', 'storefront-devs', 'ClusterRole', 'view', [group('storefront-devs')]),
    nsRole('storefront', 'deployer', [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'create', 'update', 'patch'] },
      { apiGroups: [''], resources: ['services', 'configmaps'], verbs: ['get', 'list', 'create', 'update', 'patch'] },
    ]),
    binding('storefront', 'deployer', 'Role', 'deployer', [group('deployers')]),
    // legacy: everything RBAC good practice warns about.
    clusterRole('legacy-ops', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
    binding('legacy', 'legacy-ops', 'ClusterRole', 'legacy-ops', [group('legacy-team')]),
    clusterBinding('legacy-deployer-admin', 'cluster-admin', [sa('legacy', 'deployer')]),
    nsRole('legacy', 'secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }]),
    binding('legacy', 'secret-reader', 'Role', 'secret-reader', [sa('legacy', 'default')]),
  ];
}

function serviceAccounts(): K8sObject[] {
  const account = (namespace: string, name: string, automount?: boolean, annotations?: Record<string, string>) =>
    obj('v1', 'ServiceAccount', name, namespace, automount === undefined ? {} : { automountServiceAccountToken: automount }, annotations ? { annotations } : {});
  return [
    account('payments', 'default', false), account('storefront', 'default', false), account('data', 'default', false),
    account('legacy', 'default'), account('default', 'default'), account('kube-system', 'default'),
    account('payments', 'payments-api', true, { 'eks.amazonaws.com/role-arn': role('acme-prod-payments-api'), 'eks.amazonaws.com/sts-regional-endpoints': 'true' }),
    account('legacy', 'deployer', undefined, { 'eks.amazonaws.com/role-arn': role('acme-prod-legacy-s3') }),
    account('data', 'backup', false),
    account('kube-system', 'aws-node'), account('kube-system', 'coredns'), account('kube-system', 'ebs-csi-controller-sa'),
    account('kube-system', 'clusterrole-aggregation-controller'),
  ];
}

function quotas(): K8sObject[] {
  const quota = (namespace: string, hard: Record<string, string>) => obj('v1', 'ResourceQuota', 'compute', namespace, { spec: { hard }, status: { hard, used: Object.fromEntries(Object.keys(hard).map((k) => [k, '0'])) } });
  const limits = (namespace: string, cpu: string, memory: string, memLimit: string) => obj('v1', 'LimitRange', 'container-defaults', namespace, {
    spec: { limits: [{ type: 'Container', defaultRequest: { cpu, memory }, default: { memory: memLimit }, max: { memory: '4Gi' } }] },
  });
  return [
    quota('payments', { 'requests.cpu': '8', 'requests.memory': '16Gi', 'limits.memory': '32Gi', pods: '60' }),
    limits('payments', '100m', '128Mi', '512Mi'),
    quota('data', { 'requests.cpu': '4', 'requests.memory': '16Gi', 'limits.memory': '24Gi', persistentvolumeclaims: '10', 'requests.storage': '500Gi' }),
    limits('data', '250m', '512Mi', '2Gi'),
    // storefront: defaults only; its workloads declare their resources themselves.
    limits('storefront', '100m', '128Mi', '256Mi'),
  ];
}

function gatekeeper(now: Date): K8sObject[] {
  const labels = { 'control-plane': 'controller-manager', 'gatekeeper.sh/operation': 'webhook', 'app.kubernetes.io/name': 'gatekeeper' };
  const deploy = (name: string, replicas: number, op: string, args: string[]) => obj('apps/v1', 'Deployment', name, 'gatekeeper-system', {
    spec: {
      replicas,
      selector: { matchLabels: { ...labels, 'gatekeeper.sh/operation': op } },
      template: {
        metadata: { labels: { ...labels, 'gatekeeper.sh/operation': op } },
        spec: {
          serviceAccountName: 'gatekeeper-admin', automountServiceAccountToken: true,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'manager', image: 'openpolicyagent/gatekeeper:v3.23.0', args,
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
          }],
        },
      },
    },
    status: { replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas },
  }, { labels: { ...labels, 'gatekeeper.sh/operation': op } });
  const crd = (name: string, group: string, kind: string, scope = 'Cluster') => obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', name, undefined, {
    spec: { group, scope, names: { kind, plural: name.split('.')[0], listKind: `${kind}List`, singular: kind.toLowerCase() }, versions: [{ name: 'v1beta1', served: true, storage: true }] },
    status: { conditions: [{ type: 'Established', status: 'True' }] },
  }, { labels: { 'gatekeeper.sh/system': 'yes' } });
  const template = (name: string, kind: string) => obj('templates.gatekeeper.sh/v1', 'ConstraintTemplate', name, undefined, {
    spec: { crd: { spec: { names: { kind } } }, targets: [{ target: 'admission.k8s.gatekeeper.sh', rego: `package ${name}\nviolation[{"msg": msg}] { false; msg := "" }` }] },
    status: { created: true, byPod: [{ id: 'gatekeeper-audit-6b8f8c5f7d-x2x4r', observedGeneration: 1, operations: ['audit', 'status'] }] },
  }, { annotations: { 'metadata.gatekeeper.sh/title': kind, 'metadata.gatekeeper.sh/version': '1.1.0' } });
  const audit = ago(now, 0, 0.02);
  const match = { kinds: [{ apiGroups: [''], kinds: ['Pod'] }], excludedNamespaces: ['kube-system', 'gatekeeper-system', 'falco', 'amazon-guardduty', 'kube-bench'] };
  return [
    obj('v1', 'Namespace', 'gatekeeper-system', undefined, {}, { labels: { 'kubernetes.io/metadata.name': 'gatekeeper-system', 'admission.gatekeeper.sh/ignore': 'no-self-managing', 'pod-security.kubernetes.io/enforce': 'restricted' } }),
    deploy('gatekeeper-controller-manager', 3, 'webhook', ['--port=8443', '--logtostderr', '--exempt-namespace=gatekeeper-system', '--operation=webhook', '--operation=mutation-webhook']),
    deploy('gatekeeper-audit', 1, 'audit', ['--operation=audit', '--operation=status', '--audit-interval=60', '--constraint-violations-limit=20']),
    crd('constrainttemplates.templates.gatekeeper.sh', 'templates.gatekeeper.sh', 'ConstraintTemplate'),
    crd('configs.config.gatekeeper.sh', 'config.gatekeeper.sh', 'Config', 'Namespaced'),
    crd('k8spspprivilegedcontainer.constraints.gatekeeper.sh', 'constraints.gatekeeper.sh', 'K8sPSPPrivilegedContainer'),
    crd('k8sallowedrepos.constraints.gatekeeper.sh', 'constraints.gatekeeper.sh', 'K8sAllowedRepos'),
    obj('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'gatekeeper-validating-webhook-configuration', undefined, {
      webhooks: [
        // The Helm chart's default: fail open while Gatekeeper is unavailable.
        { name: 'validation.gatekeeper.sh', failurePolicy: 'Ignore', sideEffects: 'None', timeoutSeconds: 3, admissionReviewVersions: ['v1', 'v1beta1'],
          clientConfig: { service: { name: 'gatekeeper-webhook-service', namespace: 'gatekeeper-system', path: '/v1/admit' } },
          namespaceSelector: { matchExpressions: [{ key: 'admission.gatekeeper.sh/ignore', operator: 'DoesNotExist' }] },
          rules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['*'] }] },
        { name: 'check-ignore-label.gatekeeper.sh', failurePolicy: 'Fail', sideEffects: 'None', admissionReviewVersions: ['v1'],
          clientConfig: { service: { name: 'gatekeeper-webhook-service', namespace: 'gatekeeper-system', path: '/v1/admitlabel' } },
          rules: [{ apiGroups: [''], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['namespaces'] }] },
      ],
    }, { labels: { 'gatekeeper.sh/system': 'yes' } }),
    obj('config.gatekeeper.sh/v1alpha1', 'Config', 'config', 'gatekeeper-system', {
      spec: { match: [{ excludedNamespaces: ['kube-system', 'gatekeeper-system'], processes: ['*'] }] },
    }),
    template('k8spspprivilegedcontainer', 'K8sPSPPrivilegedContainer'),
    template('k8sallowedrepos', 'K8sAllowedRepos'),
    obj('constraints.gatekeeper.sh/v1beta1', 'K8sPSPPrivilegedContainer', 'psp-privileged-container', undefined, {
      spec: { enforcementAction: 'deny', match },
      status: {
        auditTimestamp: audit, totalViolations: 1,
        violations: [{ enforcementAction: 'deny', group: '', version: 'v1', kind: 'Pod', namespace: 'legacy', name: 'billing-monolith-5d8f7c9b4-7xk2p', message: 'Privileged container is not allowed: billing, securityContext: {"privileged": true, "runAsUser": 0}' }],
        byPod: [{ id: 'gatekeeper-audit-6b8f8c5f7d-x2x4r', enforced: true, observedGeneration: 1, operations: ['audit', 'status'] }],
      },
    }),
    // Still in dry run: the registry allowlist would reject the legacy images.
    obj('constraints.gatekeeper.sh/v1beta1', 'K8sAllowedRepos', 'allowed-repos', undefined, {
      spec: { enforcementAction: 'dryrun', match, parameters: { repos: [`${A}.dkr.ecr.${R}.amazonaws.com/`, 'public.ecr.aws/', `602401143452.dkr.ecr.${R}.amazonaws.com/`] } },
      status: {
        auditTimestamp: audit, totalViolations: 2,
        violations: [
          { enforcementAction: 'dryrun', group: '', version: 'v1', kind: 'Pod', namespace: 'legacy', name: 'billing-monolith-5d8f7c9b4-7xk2p', message: 'container <billing> has an invalid image repo <acme/billing:latest>' },
          { enforcementAction: 'dryrun', group: '', version: 'v1', kind: 'Pod', namespace: 'legacy', name: 'debug-shell', message: 'container <shell> has an invalid image repo <busybox>' },
        ],
      },
    }),
  ];
}

export function objects(now: Date): K8sObject[] {
  return [...rbac(), ...serviceAccounts(), ...quotas(), ...gatekeeper(now)];
}

// ---------------------------------------------------------------------------------------------

const enc = (doc: JsonObject): string => encodeURIComponent(JSON.stringify(doc));
const podIdentityTrust: JsonObject = { Version: '2012-10-17', Statement: [{ Sid: 'AllowEksAuthToAssumeRoleForPodIdentity', Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] };
const ec2Trust: JsonObject = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const irsaTrust = (sub: JsonObject): JsonObject => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: sub }],
});

/** Workload and node roles: trust policy, attached managed policies, inline policies. */
const ROLES: { name: string; trust: JsonObject; attached: string[]; created: number; description: string }[] = [
  {
    name: 'acme-prod-payments-api', created: 420, description: 'payments-api (IRSA): its SQS queue only',
    trust: irsaTrust({ StringEquals: { [`${ISSUER_HOST}:sub`]: 'system:serviceaccount:payments:payments-api', [`${ISSUER_HOST}:aud`]: 'sts.amazonaws.com' } }),
    attached: [`arn:aws:iam::${A}:policy/acme-payments-api-queue`],
  },
  {
    // Copied from a blog post years ago: any service account of the cluster can assume it.
    name: 'acme-prod-legacy-s3', created: 610, description: 'legacy billing export to S3 (IRSA)',
    trust: irsaTrust({ StringLike: { [`${ISSUER_HOST}:sub`]: 'system:serviceaccount:*' } }),
    attached: ['arn:aws:iam::aws:policy/AmazonS3FullAccess'],
  },
  { name: 'acme-prod-db-backup', created: 200, description: 'data/backup (Pod Identity): writes PostgreSQL backups', trust: podIdentityTrust, attached: [`arn:aws:iam::${A}:policy/acme-db-backup-writer`] },
  { name: 'acme-prod-ebs-csi', created: 300, description: 'EBS CSI controller (Pod Identity)', trust: podIdentityTrust, attached: ['arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy'] },
  { name: 'acme-prod-cloudwatch-agent', created: 300, description: 'CloudWatch agent (Pod Identity)', trust: podIdentityTrust, attached: ['arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy'] },
  {
    name: 'acme-prod-node-role', created: 700, description: 'managed node group "general"', trust: ec2Trust,
    attached: ['arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly', 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'],
  },
  {
    name: `${DEMO.cluster}-karpenter-node`, created: 120, description: 'Karpenter EC2NodeClass "default"', trust: ec2Trust,
    attached: ['arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly', 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'],
  },
];

const CUSTOMER_POLICIES: Record<string, JsonObject> = {
  'acme-payments-api-queue': { Version: '2012-10-17', Statement: [{ Sid: 'Queue', Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: `arn:aws:sqs:${R}:${A}:payments-events` }] },
  'acme-db-backup-writer': {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Write', Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: 'arn:aws:s3:::acme-prod-db-backups/postgres/*' },
      { Sid: 'Encrypt', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Encrypt'], Resource: `arn:aws:kms:${R}:${A}:key/9f8e7d6c-5b4a-3c2d-1e0f-a9b8c7d6e5f4` },
    ],
  },
};

export function facts(now: Date): AwsFact[] {
  const out: AwsFact[] = [];
  // IRSA: the cluster's OIDC issuer is registered.
  out.push(fact('iam', 'ListOpenIDConnectProviders', { OpenIDConnectProviderList: [{ Arn: PROVIDER_ARN }] }));
  out.push(fact('iam', 'GetOpenIDConnectProvider', {
    Url: ISSUER_HOST, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'], CreateDate: ago(now, 699),
    Tags: [{ Key: 'alpha.eksctl.io/cluster-name', Value: DEMO.cluster }],
  }, { OpenIDConnectProviderArn: PROVIDER_ARN }));

  // Pod Identity associations (the agent add-on is in core.ts).
  const assocs = [
    { namespace: 'data', serviceAccount: 'backup', role: 'acme-prod-db-backup', id: 'a-0db8ackup0000001' },
    { namespace: 'kube-system', serviceAccount: 'ebs-csi-controller-sa', role: 'acme-prod-ebs-csi', id: 'a-0eb5c5100000002' },
    { namespace: 'amazon-cloudwatch', serviceAccount: 'cloudwatch-agent', role: 'acme-prod-cloudwatch-agent', id: 'a-0c10udwa7c000003' },
  ];
  const assocArn = (id: string) => `arn:aws:eks:${R}:${A}:podidentityassociation/${DEMO.cluster}/${id}`;
  out.push(fact('eks', 'ListPodIdentityAssociations', {
    associations: assocs.map((a) => ({ clusterName: DEMO.cluster, namespace: a.namespace, serviceAccount: a.serviceAccount, associationArn: assocArn(a.id), associationId: a.id })),
  }, { clusterName: DEMO.cluster }));
  for (const a of assocs) {
    out.push(fact('eks', 'DescribePodIdentityAssociation', {
      association: {
        clusterName: DEMO.cluster, namespace: a.namespace, serviceAccount: a.serviceAccount, roleArn: role(a.role), associationArn: assocArn(a.id), associationId: a.id,
        tags: {}, createdAt: ago(now, 200), modifiedAt: ago(now, 200), disableSessionTags: false,
      },
    }, { clusterName: DEMO.cluster, associationId: a.id }));
  }

  // Roles: trust, attached and inline policies.
  for (const r of ROLES) {
    out.push(fact('iam', 'GetRole', {
      Role: {
        Path: '/', RoleName: r.name, RoleId: `AROA${r.name.replace(/[^a-z0-9]/gi, '').toUpperCase().slice(0, 17)}`, Arn: role(r.name), CreateDate: ago(now, r.created),
        AssumeRolePolicyDocument: enc(r.trust), Description: r.description, MaxSessionDuration: 3600,
        RoleLastUsed: { LastUsedDate: ago(now, 0, 2), Region: R },
      },
    }, { RoleName: r.name }));
    out.push(fact('iam', 'ListAttachedRolePolicies', { AttachedPolicies: r.attached.map((arn) => ({ PolicyName: arn.split('/').pop()!, PolicyArn: arn })), IsTruncated: false }, { RoleName: r.name }));
    out.push(fact('iam', 'ListRolePolicies', { PolicyNames: [], IsTruncated: false }, { RoleName: r.name }));
  }
  for (const [name, doc] of Object.entries(CUSTOMER_POLICIES)) {
    const arn = `arn:aws:iam::${A}:policy/${name}`;
    out.push(fact('iam', 'GetPolicy', { Policy: { PolicyName: name, PolicyId: `ANPA${name.replace(/[^a-z0-9]/gi, '').toUpperCase().slice(0, 17)}`, Arn: arn, Path: '/', DefaultVersionId: 'v3', AttachmentCount: 1, IsAttachable: true, CreateDate: ago(now, 400), UpdateDate: ago(now, 60) } }, { PolicyArn: arn }));
    out.push(fact('iam', 'GetPolicyVersion', { PolicyVersion: { Document: enc(doc), VersionId: 'v3', IsDefaultVersion: true, CreateDate: ago(now, 60) } }, { PolicyArn: arn, VersionId: 'v3' }));
  }

  // MFA: root has MFA, console users have MFA; automation users have keys only.
  out.push(fact('iam', 'GetAccountSummary', { SummaryMap: { AccountMFAEnabled: 1, MFADevicesInUse: 3, MFADevices: 3, Users: 4, Roles: 57, Groups: 2, Policies: 14, AccountAccessKeysPresent: 0 } }));
  const d = (days: number) => ago(now, days).replace(/\.\d{3}Z$/, '+00:00');
  const header = 'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
  const csv = [
    header,
    `<root_account>,arn:aws:iam::${A}:root,${d(1500)},not_supported,${d(90)},not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
    `alice.admin,arn:aws:iam::${A}:user/alice.admin,${d(900)},true,${d(12)},${d(80)},N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
    `bob.finance,arn:aws:iam::${A}:user/bob.finance,${d(400)},true,${d(30)},${d(30)},N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
    `terraform-ci,arn:aws:iam::${A}:user/terraform-ci,${d(800)},false,N/A,N/A,N/A,false,true,${d(45)},${d(0)},${R},eks,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
    `backup-export,arn:aws:iam::${A}:user/backup-export,${d(600)},false,N/A,N/A,N/A,false,true,${d(170)},${d(1)},${R},s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  ].join('\n');
  out.push(fact('iam', 'GetCredentialReport', { Content: Buffer.from(csv).toString('base64'), ReportFormat: 'text/csv', GeneratedTime: ago(now, 0, 1) }));
  return out;
}

/** AWS operations the demo answers with nothing to report (e.g. an empty list). */
export function emptyCalls(): string[] {
  // No inline policies on the roles above (ListRolePolicies answers []), so no GetRolePolicy either.
  return ['iam:GetRolePolicy'];
}

export function policies(now: Date): { waivers: Waiver[]; attestations: Attestation[] } {
  const day = (n: number) => new Date(now.getTime() + n * 86400_000).toISOString().slice(0, 10);
  return {
    waivers: [{
      id: 'RISK-2026-021', control: 'CC5-HARD-01', rule: 'pss-labels',
      resources: { kind: 'Namespace', name: 'kube-bench' },
      reason: 'kube-bench reads node files through hostPID and hostPath; the namespace runs only the benchmark CronJob',
      approvedBy: 'ciso@acme.example', expires: day(120), source: { file: '<demo>' },
    }],
    attestations: [{
      control: 'CC5-IAM-05',
      statement: 'IAM Identity Center requires MFA (authenticator app or security key) for every sign-in; the two IAM console users have MFA devices.',
      attestedBy: 'it-security@acme.example',
      date: day(-30),
      evidence: 'https://wiki.acme.example/security/evidence/2026-q4-identity-center-mfa.pdf',
      sha256: 'a3f1c9e2b7d4058e6a1f2c3b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70',
      validUntil: day(335),
      source: { file: '<demo>' },
    }],
  };
}
