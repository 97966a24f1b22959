import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CC5_HARD_01, CC5_HARD_02, CC5_HARD_03, CC5_HARD_04, CC5_IAM_01, CC5_IAM_02, CC5_IAM_03, CC5_IAM_04, CC5_IAM_05,
  cidrWithin, irsaTrustVerdict, pssViolations,
} from '../../src/catalog/cc5.js';
import { parsePolicyDocument } from '../../src/catalog/lib/iam.js';
import { podTemplate } from '../../src/catalog/lib/workloads.js';
import { DEFAULT_THRESHOLDS, defaultConfig } from '../../src/model/index.js';
import { catalog } from '../../src/catalog/index.js';
import { evaluate } from '../../src/engine/index.js';
import { demoPolicies, demoSnapshot } from '../../src/collectors/demo/index.js';
import type { ControlResult, JsonObject } from '../../src/model/index.js';
import { collectFiles } from '../../src/collectors/files/read.js';
import { parseManifestText } from '../../src/collectors/files/parse.js';
import { testControl, runCase } from '../helpers/control-tester.js';
import {
  ACCOUNT, CLUSTER, CLUSTER_ADMIN_POLICY_ARN, ISSUER_HOST, PROVIDER_ARN, REGION, accessEntries, accountSummary, addons, attachedPolicies,
  credentialReport, customerPolicy, describeCluster, ec2Trust, fact, getRole, irsaTrust, oidcProvider, oidcProviders, podIdentity,
  podIdentityTrust, roleArn, rolePolicy, rolePolicyNames,
} from '../fixtures/cc5/aws.js';

/** Each rule has a `warn` finding outside system namespaces (a recommended rule that failed). */
const warnsOn = (...rules: string[]) => (r: ControlResult) => {
  for (const rule of rules) expect(r.findings.some((f) => f.rule === rule && f.status === 'warn' && !f.system), `expected a warning on ${rule}: ${r.status} ${r.message}`).toBe(true);
};
/** The control's `unevaluated` list names these rules. */
const notEvaluated = (...rules: string[]) => (r: ControlResult) => expect(r.unevaluated.map((u) => u.rule)).toEqual(expect.arrayContaining(rules));

const hardened = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec:
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
      initContainers:
        - name: migrate
          image: repo/migrate@sha256:0000000000000000000000000000000000000000000000000000000000000000
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
      containers:
        - name: api
          image: repo/api:1.2.3
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL], add: [NET_BIND_SERVICE] } }
`;

testControl(CC5_HARD_03, {
  valid: [
    { name: 'restricted Deployment with init container', k8s: hardened, expect: { passing: ['run-as-non-root', 'read-only-root-fs', 'seccomp-profile', 'no-added-capabilities'] } },
    {
      name: 'container-level settings override the pod level where PSA allows it (RuntimeDefault over an unset pod profile)',
      k8s: `
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: shop }
spec:
  securityContext: { runAsUser: 1000 }
  containers:
    - name: c
      image: x:1
      securityContext: { runAsNonRoot: true, seccompProfile: { type: Localhost, localhostProfile: p.json }, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
`,
      expect: { passing: ['run-as-non-root', 'seccomp-profile', 'drop-capabilities'] },
    },
    {
      name: 'a user-namespace pod (hostUsers: false) may run as root, as Pod Security Admission allows',
      k8s: `
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: shop }
spec:
  hostUsers: false
  securityContext: { runAsUser: 0, seccompProfile: { type: RuntimeDefault } }
  containers: [{ name: c, image: x:1, securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } } }]
`,
      expect: { passing: ['run-as-non-root'] },
    },
    {
      name: 'recommended rules only warn: hostPath, host network, missing seccomp and capabilities (PSS beyond the item)',
      k8s: `
apiVersion: apps/v1
kind: Deployment
metadata: { name: agent, namespace: shop }
spec:
  selector: {}
  template:
    spec:
      hostNetwork: true
      securityContext: { runAsNonRoot: true }
      volumes: [{ name: logs, hostPath: { path: /var/log } }]
      containers: [{ name: c, image: x:1, securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { add: [NET_ADMIN] } } }]
`,
      expect: { assert: warnsOn('no-host-path', 'no-host-network', 'seccomp-profile', 'drop-capabilities', 'no-added-capabilities') },
    },
    {
      name: 'a failing workload only in a system namespace is reported separately, not counted',
      k8s: `${hardened}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: kube-system }
spec:
  selector: { matchLabels: { a: b } }
  template: { metadata: { labels: { a: b } }, spec: { hostNetwork: true, containers: [{ name: a, image: a:1, securityContext: { privileged: true } }] } }
`,
      expect: { assert: (r) => { expect(r.systemCounts.fail).toBeGreaterThan(0); expect(r.findings.filter((f) => f.system).every((f) => f.resource.namespace === 'kube-system')).toBe(true); } },
    },
  ],
  invalid: [
    {
      name: 'privileged, root, hostPath, host namespaces',
      k8s: `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: bad, namespace: shop }
spec:
  selector: { matchLabels: { a: b } }
  template:
    metadata: { labels: { a: b } }
    spec:
      hostNetwork: true
      hostPID: true
      hostIPC: true
      volumes: [{ name: root, hostPath: { path: / } }]
      containers: [{ name: c, image: c:1, securityContext: { privileged: true, runAsUser: 0 } }]
`,
      expect: {
        failing: ['no-privileged', 'run-as-non-root', 'no-privilege-escalation', 'read-only-root-fs'],
        assert: warnsOn('no-host-path', 'no-host-network', 'no-host-pid', 'no-host-ipc', 'drop-capabilities', 'seccomp-profile'),
      },
    },
    {
      name: 'an ephemeral debug container breaks an otherwise restricted pod',
      k8s: `
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: shop }
spec:
  securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
  containers: [{ name: c, image: x:1, securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } } }]
  ephemeralContainers: [{ name: debugger, image: busybox:1, securityContext: { capabilities: { add: [SYS_PTRACE] } } }]
`,
      expect: { failing: ['read-only-root-fs', 'no-privilege-escalation'], message: /failing/, assert: warnsOn('no-added-capabilities', 'drop-capabilities') },
    },
    {
      name: 'the alpha seccomp annotation does not count (non-functional since 1.25)',
      k8s: `
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: shop, annotations: { seccomp.security.alpha.kubernetes.io/pod: runtime/default } }
spec:
  securityContext: { runAsNonRoot: true }
  containers: [{ name: c, image: x:1, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } } }]
`,
      expect: { failing: ['read-only-root-fs'], notFailing: ['run-as-non-root'], assert: warnsOn('seccomp-profile') },
    },
    {
      name: 'runAsUser without runAsNonRoot is "not declared" at lower severity',
      k8s: `
apiVersion: batch/v1
kind: CronJob
metadata: { name: cj, namespace: shop }
spec:
  schedule: "* * * * *"
  jobTemplate: { spec: { template: { spec: { securityContext: { runAsUser: 1000, seccompProfile: { type: RuntimeDefault } }, containers: [{ name: c, image: x:1, securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } } }] } } } }
`,
      expect: { failing: ['run-as-non-root'], assert: (r) => expect(r.findings.find((f) => f.rule === 'run-as-non-root')?.severity).toBe('medium') },
    },
  ],
  other: [
    {
      name: 'Windows pods (spec.os.name) get not-applicable findings, with the reason, for the Linux-only rules',
      k8s: `
apiVersion: v1
kind: Pod
metadata: { name: win, namespace: shop }
spec:
  os: { name: windows }
  securityContext: { runAsNonRoot: true }
  containers: [{ name: c, image: x:1, securityContext: { readOnlyRootFilesystem: true } }]
`,
      expect: {
        status: 'pass',
        assert: (r) => {
          for (const rule of ['seccomp-profile', 'drop-capabilities', 'no-added-capabilities', 'no-privilege-escalation']) {
            const f = r.findings.find((x) => x.rule === rule);
            expect(f?.status, rule).toBe('not-applicable');
            expect(f?.message).toMatch(/Windows pod/);
          }
        },
      },
    },
    {
      name: 'a pod that only selects Windows nodes is judged as PSA judges it (no spec.os.name), with a hint',
      k8s: `
apiVersion: v1
kind: Pod
metadata: { name: win, namespace: shop }
spec:
  nodeSelector: { kubernetes.io/os: windows }
  securityContext: { runAsNonRoot: true }
  containers: [{ name: c, image: x:1, securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false } }]
`,
      expect: { status: 'pass', assert: (r) => { warnsOn('seccomp-profile')(r); expect(r.findings.find((f) => f.rule === 'seccomp-profile')?.message).toMatch(/spec\.os\.name: windows/); } },
    },
    {
      name: 'an explicit pod-level seccompProfile Unconfined fails even when every container overrides it (PSA); pod runAsNonRoot false too',
      k8s: `
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: shop }
spec:
  securityContext: { runAsNonRoot: false, seccompProfile: { type: Unconfined } }
  containers:
    - name: c
      image: x:1
      securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault }, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
`,
      expect: {
        status: 'fail', failing: ['run-as-non-root'],
        assert: (r) => { warnsOn('seccomp-profile')(r); expect(r.findings.find((f) => f.rule === 'seccomp-profile')?.message).toMatch(/pod must not set securityContext\.seccompProfile\.type to "Unconfined"/); },
      },
    },
    {
      name: 'capabilities compare exactly, as PSA does: drop [all] is not drop ALL, add [net_bind_service] is not NET_BIND_SERVICE',
      k8s: `
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: shop }
spec:
  securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
  containers: [{ name: c, image: x:1, securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [all], add: [net_bind_service] } } }]
`,
      expect: { status: 'pass', assert: warnsOn('drop-capabilities', 'no-added-capabilities') },
    },
    { name: 'no workloads in the input is an error, never a pass', k8s: [], complete: false, expect: { status: 'error', message: /evidence not collected: workloads/ } },
    {
      name: 'pods forbidden: error, and the controller findings are kept',
      k8s: hardened,
      kinds: { 'core/Pod': 'denied' },
      expect: { status: 'error', message: /evidence incomplete/, assert: (r) => expect(r.findings.length).toBeGreaterThan(0) },
    },
  ],
});

it('reports a Deployment once, not its ReplicaSet and Pods', () => {
  const r = runCase(CC5_HARD_03, {
    name: 'owners',
    k8s: `
apiVersion: apps/v1
kind: Deployment
metadata: { name: d, namespace: shop, uid: u-d }
spec: { selector: {}, template: { spec: { containers: [{ name: c, image: x:1 }] } } }
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: d-1, namespace: shop, uid: u-rs, ownerReferences: [{ apiVersion: apps/v1, kind: Deployment, name: d, uid: u-d, controller: true }] }
spec: { selector: {}, template: { spec: { containers: [{ name: c, image: x:1 }] } } }
---
apiVersion: v1
kind: Pod
metadata: { name: d-1-a, namespace: shop, ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: d-1, uid: u-rs, controller: true }] }
spec: { containers: [{ name: c, image: x:1 }] }
`,
  });
  expect(new Set(r.findings.map((f) => f.resource.kind))).toEqual(new Set(['Deployment']));
  expect(r.findings.every((f) => f.source?.file === 'fixture.yaml' && f.source.line === 2)).toBe(true);
});

// ---------------------------------------------------------------------------------------------
// CC5-IAM-01 Pod Identity

const irsaSa = (ns: string, name: string, role: string) => `
apiVersion: v1
kind: ServiceAccount
metadata: { name: ${name}, namespace: ${ns}, annotations: { eks.amazonaws.com/role-arn: "${role}" } }
`;

const apiDeployment = (ns = 'payments', sa = 'api') => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: ${ns} }
spec:
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      serviceAccountName: ${sa}
      containers: [{ name: api, image: repo/api:1 }]
`;
const sqsPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage'], Resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:payments` }] };
const goodPodIdentity = [
  ...addons(['eks-pod-identity-agent']),
  ...podIdentity([{ namespace: 'payments', serviceAccount: 'api', role: 'payments-api' }]),
  getRole('payments-api', podIdentityTrust()),
  attachedPolicies('payments-api', [{ name: 'payments-queue', arn: `arn:aws:iam::${ACCOUNT}:policy/payments-queue` }]),
  rolePolicyNames('payments-api', []),
  ...customerPolicy('payments-queue', sqsPolicy),
];

/** A pod on a Fargate node using service account batch/worker. */
const fargateBatchPod = `
apiVersion: v1
kind: Node
metadata: { name: fargate-ip-10-0-4-20, labels: { eks.amazonaws.com/compute-type: fargate } }
---
apiVersion: v1
kind: Pod
metadata: { name: batch-1, namespace: batch }
spec: { nodeName: fargate-ip-10-0-4-20, serviceAccountName: worker, containers: [{ name: c, image: x:1 }] }
`;

testControl(CC5_IAM_01, {
  valid: [
    {
      name: 'add-on ACTIVE, association role trusts pods.eks.amazonaws.com, scoped policy, workload uses it',
      k8s: apiDeployment(), aws: goodPodIdentity,
      expect: { passing: ['pod-identity-agent', 'pod-identity-trust', 'workload-role-admin', 'workload-identity'] },
    },
    {
      name: 'a pod using its association on an EC2 Linux node: Pod Identity works there',
      k8s: `${apiDeployment()}---
apiVersion: v1
kind: Node
metadata: { name: ip-10-0-1-10, labels: { kubernetes.io/os: linux } }
---
apiVersion: v1
kind: Pod
metadata: { name: api-1, namespace: payments }
spec: { nodeName: ip-10-0-1-10, serviceAccountName: api, containers: [{ name: api, image: repo/api:1 }] }
`,
      aws: goodPodIdentity,
      expect: { passing: ['pod-identity-unsupported'] },
    },
    {
      name: 'Auto Mode has the agent built in',
      k8s: apiDeployment(),
      aws: [describeCluster({ computeConfig: { enabled: true, nodePools: ['general-purpose'], nodeRoleArn: roleArn('auto-node') } }), ...goodPodIdentity.slice(2)],
      expect: { passing: ['pod-identity-agent', 'pod-identity-trust', 'identity-mechanism', 'pod-identity-preferred'], assert: (r) => expect(r.findings.find((f) => f.rule === 'pod-identity-agent')?.message).toMatch(/Auto Mode/) },
    },
    {
      name: 'agent installed with Helm: ready DaemonSet',
      k8s: `${apiDeployment()}---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: eks-pod-identity-agent, namespace: kube-system }
spec: { selector: {}, template: { spec: { containers: [{ name: a, image: eks/eks-pod-identity-agent:0.1 }] } } }
status: { desiredNumberScheduled: 3, numberReady: 3 }
`,
      aws: goodPodIdentity.slice(2),
      expect: { passing: ['pod-identity-agent'] },
    },
    {
      name: 'workload without identity, node role limited to the worker baseline',
      k8s: apiDeployment('shop', 'web'),
      aws: [
        ...addons(['eks-pod-identity-agent']), fact('eks', 'ListPodIdentityAssociations', { associations: [] }, { clusterName: CLUSTER }),
        fact('eks', 'DescribeNodegroup', { nodegroup: { nodegroupName: 'ng', nodeRole: roleArn('node-role') } }, { clusterName: CLUSTER, nodegroupName: 'ng' }),
        attachedPolicies('node-role', [{ name: 'AmazonEKSWorkerNodePolicy' }, { name: 'AmazonEC2ContainerRegistryReadOnly' }, { name: 'AmazonEKS_CNI_Policy' }]),
      ],
      expect: { passing: ['workload-identity'] },
    },
    {
      name: 'workload without identity and a node role with extra policies: a warning (controls.md)',
      k8s: apiDeployment('shop', 'web'),
      aws: [
        ...addons(['eks-pod-identity-agent']), fact('eks', 'ListPodIdentityAssociations', { associations: [] }, { clusterName: CLUSTER }),
        fact('eks', 'DescribeNodegroup', { nodegroup: { nodegroupName: 'ng', nodeRole: roleArn('node-role') } }, { clusterName: CLUSTER, nodegroupName: 'ng' }),
        attachedPolicies('node-role', [{ name: 'AmazonEKSWorkerNodePolicy' }, { name: 'AmazonS3FullAccess' }]),
      ],
      expect: { status: 'pass', assert: (r) => { warnsOn('workload-identity')(r); expect(r.failSeverity).toBeUndefined(); } },
    },
    {
      name: 'IRSA only, no Pod Identity (the checklist accepts IRSA for existing clusters): pass, Pod Identity recommended',
      k8s: irsaSa('payments', 'api', roleArn('payments-api')) + '---' + apiDeployment(),
      aws: [describeCluster(), fact('eks', 'ListAddons', { addons: ['vpc-cni'] }, { clusterName: CLUSTER }), fact('eks', 'ListPodIdentityAssociations', { associations: [] }, { clusterName: CLUSTER })],
      expect: { passing: ['identity-mechanism'], assert: warnsOn('pod-identity-preferred') },
    },
    {
      name: 'a service-wide grant on an association role is a warning, not a failure',
      k8s: apiDeployment(),
      aws: [...goodPodIdentity.slice(0, 5), attachedPolicies('payments-api', [{ name: 'AmazonS3FullAccess' }]), rolePolicyNames('payments-api', [])],
      expect: { passing: ['workload-role-admin'], assert: warnsOn('workload-role-broad') },
    },
  ],
  invalid: [
    {
      name: 'associations without any agent: pods get no credentials',
      k8s: apiDeployment(),
      aws: [describeCluster(), fact('eks', 'ListAddons', { addons: ['vpc-cni'] }, { clusterName: CLUSTER }), ...podIdentity([{ namespace: 'payments', serviceAccount: 'api', role: 'payments-api' }]), getRole('payments-api', podIdentityTrust())],
      expect: { failing: ['pod-identity-agent'], assert: (r) => expect(r.failSeverity).toBe('high') },
    },
    {
      name: 'neither Pod Identity nor IRSA: workloads can only use the node role',
      k8s: apiDeployment('shop', 'web'),
      aws: [describeCluster(), fact('eks', 'ListAddons', { addons: ['vpc-cni'] }, { clusterName: CLUSTER }), fact('eks', 'ListPodIdentityAssociations', { associations: [] }, { clusterName: CLUSTER })],
      expect: { failing: ['identity-mechanism'] },
    },
    {
      name: 'partial evidence: a proven failure (associations without an agent) stands while the role reads were denied',
      k8s: apiDeployment(),
      aws: [describeCluster(), fact('eks', 'ListAddons', { addons: ['vpc-cni'] }, { clusterName: CLUSTER }), ...podIdentity([{ namespace: 'payments', serviceAccount: 'api', role: 'payments-api' }])],
      awsCalls: { 'iam:GetRole': 'denied' },
      expect: { failing: ['pod-identity-agent'], assert: notEvaluated('pod-identity-trust') },
    },
    {
      name: 'agent add-on DEGRADED',
      k8s: apiDeployment(), aws: [...addons(['eks-pod-identity-agent'], 'DEGRADED'), ...goodPodIdentity.slice(2)],
      expect: { failing: ['pod-identity-agent'], message: /failing/ },
    },
    {
      name: 'role trusts EC2, not pods.eks.amazonaws.com; AdministratorAccess attached',
      k8s: apiDeployment(),
      aws: [...addons(['eks-pod-identity-agent']), ...podIdentity([{ namespace: 'payments', serviceAccount: 'api', role: 'payments-api' }]), getRole('payments-api', ec2Trust), attachedPolicies('payments-api', [{ name: 'AdministratorAccess' }]), rolePolicyNames('payments-api', [])],
      expect: { failing: ['pod-identity-trust', 'workload-role-admin'] },
    },
    {
      name: 'trust lacks sts:TagSession',
      k8s: apiDeployment(),
      aws: [...addons(['eks-pod-identity-agent']), ...podIdentity([{ namespace: 'payments', serviceAccount: 'api', role: 'payments-api' }]), getRole('payments-api', podIdentityTrust('sts:AssumeRole')), attachedPolicies('payments-api', []), rolePolicyNames('payments-api', [])],
      expect: { failing: ['pod-identity-trust'], passing: ['workload-role-admin'] },
    },
    {
      name: 'inline policy with Action "*" on "*" (single Statement object, not a list)',
      k8s: apiDeployment(),
      aws: [
        ...addons(['eks-pod-identity-agent']), ...podIdentity([{ namespace: 'payments', serviceAccount: 'api', role: 'payments-api' }]), getRole('payments-api', podIdentityTrust()),
        attachedPolicies('payments-api', []), rolePolicyNames('payments-api', ['all']),
        rolePolicy('payments-api', 'all', { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }),
      ],
      expect: { failing: ['workload-role-admin'], notFailing: ['pod-identity-trust'] },
    },
    {
      name: 'a Fargate pod relies on a Pod Identity association (not supported there)',
      k8s: fargateBatchPod,
      aws: [...addons(['eks-pod-identity-agent']), ...podIdentity([{ namespace: 'batch', serviceAccount: 'worker', role: 'batch-worker' }]), getRole('batch-worker', podIdentityTrust())],
      expect: { failing: ['pod-identity-unsupported'], message: /failing/, assert: (r) => expect(r.findings.find((f) => f.status === 'fail')?.message).toMatch(/Fargate/) },
    },
  ],
  other: [
    { name: 'pod identity associations not collected: error', k8s: apiDeployment(), aws: addons(['eks-pod-identity-agent']), expect: { status: 'error', message: /pod identity associations/ } },
    { name: 'ListPodIdentityAssociations denied: error, never a pass', k8s: apiDeployment(), aws: addons(['eks-pod-identity-agent']), awsCalls: { 'eks:ListPodIdentityAssociations': 'denied' }, expect: { status: 'error' } },
    {
      name: 'loose manifests (a chart) without the agent or an IRSA annotation: the absence is not a fact, identity-mechanism is not evaluated',
      k8s: apiDeployment('shop', 'web'), complete: false,
      aws: [describeCluster(), fact('eks', 'ListAddons', { addons: ['vpc-cni'] }, { clusterName: CLUSTER }), fact('eks', 'ListPodIdentityAssociations', { associations: [] }, { clusterName: CLUSTER })],
      expect: { status: 'error', assert: (r) => { notEvaluated('identity-mechanism')(r); expect(r.findings.some((f) => f.rule === 'identity-mechanism')).toBe(false); } },
    },
    {
      name: 'partial evidence: nothing failed, the role trust was not read (GetRole denied): error naming it',
      k8s: apiDeployment(), aws: [...addons(['eks-pod-identity-agent']), ...podIdentity([{ namespace: 'payments', serviceAccount: 'api', role: 'payments-api' }])],
      awsCalls: { 'iam:GetRole': 'denied' },
      expect: { status: 'error', message: /iam:GetRole/ },
    },
    {
      name: 'a waived warning leaves the control passing; the waiver is on the finding',
      k8s: apiDeployment('shop', 'web'),
      aws: [
        ...addons(['eks-pod-identity-agent']), fact('eks', 'ListPodIdentityAssociations', { associations: [] }, { clusterName: CLUSTER }),
        fact('eks', 'DescribeNodegroup', { nodegroup: { nodegroupName: 'ng', nodeRole: roleArn('node-role') } }, { clusterName: CLUSTER, nodegroupName: 'ng' }),
        attachedPolicies('node-role', [{ name: 'AmazonEKSWorkerNodePolicy' }, { name: 'AmazonS3ReadOnlyAccess' }]),
      ],
      waivers: [{ id: 'RISK-1', control: 'CC5-IAM-01', rule: 'workload-identity', resources: { namespace: 'shop' }, reason: 'migration planned', approvedBy: 'ciso', expires: '2027-01-31' }],
      expect: { status: 'pass', assert: (r) => expect(r.findings.find((f) => f.rule === 'workload-identity')?.status).toBe('waived') },
    },
    {
      name: 'a waived required failure makes the control waived',
      k8s: fargateBatchPod,
      aws: [...addons(['eks-pod-identity-agent']), ...podIdentity([{ namespace: 'batch', serviceAccount: 'worker', role: 'batch-worker' }]), getRole('batch-worker', podIdentityTrust()), attachedPolicies('batch-worker', []), rolePolicyNames('batch-worker', [])],
      waivers: [{ id: 'RISK-1', control: 'CC5-IAM-01', rule: 'pod-identity-unsupported', resources: { namespace: 'batch' }, reason: 'moving to IRSA', approvedBy: 'ciso', expires: '2027-01-31' }],
      expect: { status: 'waived' },
    },
  ],
});

// ---------------------------------------------------------------------------------------------
// CC5-IAM-02 IRSA

const pinned = (ns: string, sa: string) => ({ StringEquals: { [`${ISSUER_HOST}:sub`]: `system:serviceaccount:${ns}:${sa}`, [`${ISSUER_HOST}:aud`]: 'sts.amazonaws.com' } });
const irsaBase = [describeCluster(), oidcProviders(PROVIDER_ARN), oidcProvider(PROVIDER_ARN)];

testControl(CC5_IAM_02, {
  valid: [
    {
      name: 'provider registered, trust pins sub and aud with StringEquals',
      k8s: irsaSa('payments', 'api', roleArn('payments-api')),
      aws: [...irsaBase, getRole('payments-api', irsaTrust(pinned('payments', 'api')))],
      expect: { passing: ['oidc-provider', 'irsa-trust'] },
    },
    {
      name: 'single Statement object, StringLike without wildcards, plain (not URL-encoded) document',
      k8s: irsaSa('payments', 'api', roleArn('payments-api')),
      aws: [...irsaBase, getRole('payments-api', JSON.stringify({
        Version: '2012-10-17',
        Statement: { Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: ['sts:AssumeRoleWithWebIdentity'], Condition: { StringLike: { [`${ISSUER_HOST.toUpperCase()}:sub`]: 'system:serviceaccount:payments:api' }, StringEquals: { [`${ISSUER_HOST}:aud`]: ['sts.amazonaws.com'] } } },
      }))],
      expect: { passing: ['irsa-trust'] },
    },
    {
      name: 'role in another account is noted, not judged',
      k8s: `${irsaSa('payments', 'api', roleArn('payments-api'))}---${irsaSa('shop', 'x', roleArn('shared', '444455556666'))}`,
      aws: [...irsaBase, getRole('payments-api', irsaTrust(pinned('payments', 'api')))],
      expect: { assert: (r) => expect(r.notes.join(' ')).toMatch(/444455556666/) },
    },
    {
      name: 'stale OIDC provider of a deleted cluster in the same region: a warning',
      k8s: irsaSa('payments', 'api', roleArn('payments-api')),
      aws: [describeCluster(), oidcProviders(PROVIDER_ARN, `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/DELETED0000`), getRole('payments-api', irsaTrust(pinned('payments', 'api'))), fact('eks', 'ListClusters', { clusters: [CLUSTER] })],
      expect: { passing: ['irsa-trust', 'oidc-provider', 'oidc-provider-stale'], assert: warnsOn('oidc-provider-stale') },
    },
  ],
  invalid: [
    {
      name: 'StringLike with a wildcard sub: every service account can assume the role',
      k8s: irsaSa('legacy', 'deployer', roleArn('legacy-s3')),
      aws: [...irsaBase, getRole('legacy-s3', irsaTrust({ StringLike: { [`${ISSUER_HOST}:sub`]: 'system:serviceaccount:*' }, StringEquals: { [`${ISSUER_HOST}:aud`]: 'sts.amazonaws.com' } }))],
      expect: { failing: ['irsa-trust'], assert: (r) => expect(r.failSeverity).toBe('high') },
    },
    {
      name: 'no sub condition at all',
      k8s: irsaSa('legacy', 'deployer', roleArn('legacy-s3')),
      aws: [...irsaBase, getRole('legacy-s3', irsaTrust({ StringEquals: { [`${ISSUER_HOST}:aud`]: 'sts.amazonaws.com' } }))],
      expect: { failing: ['irsa-trust'] },
    },
    {
      name: 'aud not pinned (medium)',
      k8s: irsaSa('payments', 'api', roleArn('payments-api')),
      aws: [...irsaBase, getRole('payments-api', irsaTrust({ StringEquals: { [`${ISSUER_HOST}:sub`]: 'system:serviceaccount:payments:api' } }))],
      expect: { failing: ['irsa-trust'], assert: (r) => expect(r.failSeverity).toBe('medium') },
    },
    {
      name: 'trust pins a different service account (the annotation cannot work)',
      k8s: irsaSa('payments', 'api', roleArn('payments-api')),
      aws: [...irsaBase, getRole('payments-api', irsaTrust(pinned('payments', 'worker')))],
      expect: { failing: ['irsa-trust'], assert: (r) => expect(r.failSeverity).toBe('low') },
    },
    {
      name: 'trust names another cluster\'s provider only',
      k8s: irsaSa('payments', 'api', roleArn('payments-api')),
      aws: [...irsaBase, getRole('payments-api', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/OTHER` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: pinned('payments', 'api') }] })],
      expect: { failing: ['irsa-trust'] },
    },
    {
      name: 'issuer not registered as an IAM OIDC provider',
      k8s: irsaSa('payments', 'api', roleArn('payments-api')),
      aws: [describeCluster(), oidcProviders(), getRole('payments-api', irsaTrust(pinned('payments', 'api')))],
      expect: { failing: ['oidc-provider'], passing: ['irsa-trust'] },
    },
    {
      name: 'provider without the sts.amazonaws.com audience',
      k8s: irsaSa('payments', 'api', roleArn('payments-api')),
      aws: [describeCluster(), oidcProviders(PROVIDER_ARN), oidcProvider(PROVIDER_ARN, ['other']), getRole('payments-api', irsaTrust(pinned('payments', 'api')))],
      expect: { failing: ['oidc-provider'] },
    },
    {
      name: 'annotation points at a role that does not exist',
      k8s: irsaSa('payments', 'api', roleArn('gone')),
      aws: [...irsaBase, getRole('other', ec2Trust)],
      expect: { failing: ['irsa-trust'] },
    },
    {
      name: 'partial evidence: a wildcard sub proven from the role stands while the OIDC provider list was denied',
      k8s: irsaSa('legacy', 'deployer', roleArn('legacy-s3')),
      aws: [describeCluster(), getRole('legacy-s3', irsaTrust({ StringLike: { [`${ISSUER_HOST}:sub`]: 'system:serviceaccount:*' }, StringEquals: { [`${ISSUER_HOST}:aud`]: 'sts.amazonaws.com' } }))],
      awsCalls: { 'iam:ListOpenIDConnectProviders': 'denied' },
      expect: { failing: ['irsa-trust'], assert: (r) => { notEvaluated('oidc-provider')(r); expect(r.notes.join(' ')).toMatch(/failing on the evidence that was read/); } },
    },
  ],
  other: [
    { name: 'no service account uses IRSA: not applicable', k8s: 'apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: default, namespace: shop }\n', aws: irsaBase, expect: { status: 'not-applicable', passing: ['oidc-provider'] } },
    { name: 'trust policies not collected: error', k8s: irsaSa('payments', 'api', roleArn('payments-api')), aws: irsaBase, expect: { status: 'error', message: /iam:GetRole/ } },
    { name: 'no IAM evidence at all: error', k8s: irsaSa('payments', 'api', roleArn('payments-api')), aws: [describeCluster()], expect: { status: 'error', message: /OIDC identity providers/ } },
  ],
});

describe('irsaTrustVerdict', () => {
  it('rejects an IfExists sub condition', () => {
    const doc = parsePolicyDocument(irsaTrust({ StringEqualsIfExists: { [`${ISSUER_HOST}:sub`]: 'system:serviceaccount:a:b' }, StringEquals: { [`${ISSUER_HOST}:aud`]: 'sts.amazonaws.com' } }))!;
    expect(irsaTrustVerdict(doc, ISSUER_HOST, 'a', 'b')).toMatchObject({ ok: false, severity: 'high' });
  });
  it('accepts a list of pinned subjects that includes this one', () => {
    const doc = parsePolicyDocument(irsaTrust({ StringEquals: { [`${ISSUER_HOST}:sub`]: ['system:serviceaccount:a:b', 'system:serviceaccount:a:c'], [`${ISSUER_HOST}:aud`]: 'sts.amazonaws.com' } }))!;
    expect(irsaTrustVerdict(doc, ISSUER_HOST, 'a', 'c').ok).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// CC5-IAM-03 least-privilege RBAC

const crb = (name: string, role: string, subjects: string, labels = '') => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: "${name}"${labels ? `, labels: { ${labels} }` : ''} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "${role}" }
subjects: ${subjects}
`;
const rb = (ns: string, name: string, roleKind: string, role: string, subjects: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: "${name}", namespace: ${ns} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ${roleKind}, name: "${role}" }
subjects: ${subjects}
`;
const cr = (name: string, rules: string, extra = '', top = '') => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: "${name}"${extra} }
rules: ${rules}
${top}`;
const role = (ns: string, name: string, rules: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: "${name}", namespace: ${ns} }
rules: ${rules}
`;
const user = (n: string) => `[{ kind: User, name: "${n}", apiGroup: rbac.authorization.k8s.io }]`;
const group = (n: string) => `[{ kind: Group, name: "${n}", apiGroup: rbac.authorization.k8s.io }]`;
const sa = (ns: string, n: string) => `[{ kind: ServiceAccount, name: ${n}, namespace: ${ns} }]`;
/** Kubernetes and EKS built-ins: judged like everything else, reported with the system findings. */
const builtins = [
  cr('cluster-admin', '[{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }, { nonResourceURLs: ["*"], verbs: ["*"] }]', ', labels: { kubernetes.io/bootstrapping: rbac-defaults }'),
  crb('cluster-admin', 'cluster-admin', group('system:masters'), 'kubernetes.io/bootstrapping: rbac-defaults'),
  cr('system:public-info-viewer', '[{ nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"], verbs: [get] }]', ', labels: { kubernetes.io/bootstrapping: rbac-defaults }'),
  crb('system:public-info-viewer', 'system:public-info-viewer', '[{ kind: Group, name: "system:authenticated" }, { kind: Group, name: "system:unauthenticated" }]'),
  cr('system:controller:clusterrole-aggregation-controller', '[{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]', ', labels: { kubernetes.io/bootstrapping: rbac-defaults }'),
  crb('system:controller:clusterrole-aggregation-controller', 'system:controller:clusterrole-aggregation-controller', sa('kube-system', 'clusterrole-aggregation-controller')),
  crb('eks:addon-cluster-admin', 'cluster-admin', user('eks:addon-manager')),
  cr('view', '[{ apiGroups: ["", apps], resources: [pods, services, configmaps, deployments], verbs: [get, list, watch] }]', ', labels: { kubernetes.io/bootstrapping: rbac-defaults }'),
].join('');
const rbacKinds = { 'rbac.authorization.k8s.io/Role': 'collected' as const, 'rbac.authorization.k8s.io/RoleBinding': 'collected' as const };
/** The AWS side of a cluster in API mode with no access entries: every source of cluster-admin principals read. */
const apiMode = (entries: Parameters<typeof accessEntries>[0] = []) => [describeCluster(), ...accessEntries(entries)];
const ADMIN_POLICY_ARN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy';
const fails = (r: ControlResult, rule: string) => r.findings.filter((f) => f.rule === rule && f.status === 'fail' && !f.system).map((f) => f.resource.name).sort();
const warns = (r: ControlResult, rule: string) => r.findings.filter((f) => f.rule === rule && f.status === 'warn' && !f.system).map((f) => f.resource.name).sort();

testControl(CC5_IAM_03, {
  valid: [
    {
      name: 'built-ins plus a namespaced view binding for a group: manual (access review); built-ins are judged and reported as system findings',
      k8s: builtins + rb('shop', 'shop-viewers', 'ClusterRole', 'view', group('shop-devs')),
      aws: apiMode(),
      expect: {
        status: 'manual', passing: ['rbac-wildcard', 'rbac-secrets-read-namespaced', 'rbac-anonymous', 'cluster-admin-binding', 'cluster-admin-count'],
        assert: (r) => {
          const eks = r.findings.find((f) => f.rule === 'cluster-admin-binding' && f.resource.name === 'eks:addon-cluster-admin');
          expect(eks).toMatchObject({ status: 'fail', system: true });
          expect(r.findings.find((f) => f.rule === 'cluster-admin-binding' && f.resource.name === 'system:controller:clusterrole-aggregation-controller')?.system).toBe(true);
          expect(r.findings.find((f) => f.rule === 'cluster-admin-count')?.message).toMatch(/^0 cluster-admin principal/);
        },
      },
    },
    {
      name: 'attested access review: pass',
      k8s: builtins + rb('shop', 'shop-viewers', 'ClusterRole', 'view', group('shop-devs')),
      aws: apiMode(),
      attestations: [{ control: 'CC5-IAM-03', statement: 'Q4 access review done', attestedBy: 'secops@acme.example', date: '2026-10-15', validUntil: '2027-01-15' }],
      expect: { status: 'pass', assert: (r) => expect(r.attestation?.attestedBy).toBe('secops@acme.example') },
    },
    {
      name: 'get pods/exec is not exec access from Kubernetes 1.35',
      k8s: builtins + role('shop', 'logs', '[{ apiGroups: [""], resources: [pods, pods/log, pods/exec], verbs: [get, list] }]') + rb('shop', 'logs', 'Role', 'logs', group('support')),
      serverVersion: 'v1.35.1', aws: apiMode(),
      expect: { status: 'manual', passing: ['rbac-pod-exec-namespaced'], assert: (r) => expect(r.counts.warn).toBe(0) },
    },
    {
      name: 'a named Secret read is deliberate, not a Secrets-read finding',
      k8s: builtins + role('shop', 'tls', '[{ apiGroups: [""], resources: [secrets], resourceNames: [shop-tls], verbs: [get] }]') + rb('shop', 'tls', 'Role', 'tls', sa('shop', 'ingress')),
      aws: apiMode(),
      expect: { status: 'manual', passing: ['rbac-secrets-read-namespaced'], assert: (r) => expect(r.counts.warn).toBe(0) },
    },
    {
      name: 'an approved admin group (allowlisted) within the threshold',
      k8s: builtins + crb('platform-admins', 'cluster-admin', group('platform-admins')),
      aws: apiMode(), config: { clusterAdminAllowlist: ['Group:platform-admins'] },
      expect: { status: 'manual', passing: ['cluster-admin-binding', 'cluster-admin-count'], notFailing: ['cluster-admin-binding'] },
    },
    {
      name: 'recommended rules only warn: a team\'s edit-like Role in its namespace (Secrets read, exec, acting as its service accounts, "*" verbs on a CRD)',
      k8s: builtins + role('shop', 'team', `[
        { apiGroups: [""], resources: [secrets], verbs: [get, list] },
        { apiGroups: [""], resources: [pods/exec], verbs: [create] },
        { apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate] },
        { apiGroups: [shop.acme.example], resources: [carts], verbs: ["*"] }]`) + rb('shop', 'team', 'Role', 'team', group('shop-team')),
      aws: apiMode(),
      expect: {
        status: 'manual', notFailing: ['rbac-secrets-read', 'rbac-pod-exec'],
        assert: (r) => {
          expect(warns(r, 'rbac-secrets-read-namespaced')).toEqual(['team', 'team']);
          expect(warns(r, 'rbac-pod-exec-namespaced')).toEqual(['team', 'team']);
          expect(warns(r, 'rbac-act-as-sa-namespaced')).toEqual(['team', 'team']);
          expect(warns(r, 'rbac-wildcard-verbs')).toEqual(['team', 'team']);
          expect(r.rules.find((x) => x.id === 'rbac-secrets-read-namespaced')?.level).toBe('recommended');
        },
      },
    },
    {
      name: 'the read-only auditor role of controls.md §4.3 ("*" resources of named CRD groups, get/list) passes',
      k8s: builtins + cr('auditor', '[{ apiGroups: [karpenter.sh, constraints.gatekeeper.sh], resources: ["*"], verbs: [get, list] }]') + crb('auditor', 'auditor', group('soc2-auditor')),
      aws: apiMode(),
      expect: { status: 'manual', passing: ['rbac-wildcard'], notFailing: ['rbac-wildcard'] },
    },
    {
      name: 'a ClusterRoleBinding of cluster-admin to a system-namespace service account (Flux) is a system finding',
      k8s: builtins + crb('cluster-reconciler-flux-system', 'cluster-admin', `[{ kind: ServiceAccount, name: kustomize-controller, namespace: flux-system }, { kind: ServiceAccount, name: helm-controller, namespace: flux-system }]`),
      aws: apiMode(),
      expect: {
        status: 'manual', notFailing: ['cluster-admin-binding'],
        assert: (r) => {
          expect(r.findings.find((f) => f.resource.name === 'cluster-reconciler-flux-system' && f.rule === 'cluster-admin-binding')).toMatchObject({ status: 'fail', system: true });
          expect(r.findings.find((f) => f.rule === 'cluster-admin-count')?.message).toMatch(/^0 cluster-admin/);
        },
      },
    },
  ],
  invalid: [
    {
      name: 'cluster-admin bound to a ServiceAccount',
      k8s: builtins + crb('legacy-deployer-admin', 'cluster-admin', sa('legacy', 'deployer')),
      expect: { failing: ['cluster-admin-binding'], notFailing: ['rbac-wildcard'], assert: (r) => expect(r.failSeverity).toBe('high') },
    },
    {
      name: 'each binding granting cluster-admin fails on its own: the waiver key and SARIF location stay with the binding when another is removed',
      k8s: builtins + crb('ops-admin-1', 'cluster-admin', user('ops@acme.example')) + crb('ops-admin-2', 'cluster-admin', user('ops@acme.example')),
      aws: apiMode(),
      waivers: [{ id: 'RISK-1', control: 'CC5-IAM-03', rule: 'cluster-admin-binding', resources: { kind: 'ClusterRoleBinding', name: 'ops-admin-1' }, reason: 'break-glass', approvedBy: 'ciso', expires: '2027-03-01' }],
      expect: {
        failing: ['cluster-admin-binding'],
        assert: (r) => {
          expect(fails(r, 'cluster-admin-binding')).toEqual(['ops-admin-2']);
          expect(r.findings.find((f) => f.resource.name === 'ops-admin-1' && f.rule === 'cluster-admin-binding')?.status).toBe('waived');
          expect(r.findings.find((f) => f.resource.name === 'ops-admin-2' && f.rule === 'cluster-admin-binding')?.source).toMatchObject({ file: 'fixture.yaml' });
          // one principal, two grants
          expect(r.findings.find((f) => f.rule === 'cluster-admin-count')?.message).toMatch(/^1 cluster-admin principal/);
        },
      },
    },
    {
      name: '"everyone is cluster-admin" through a binding named system:* is not built in',
      k8s: builtins + crb('system:oops', 'cluster-admin', group('system:authenticated')) + crb('eks:all-sa', 'edit', group('system:serviceaccounts')),
      expect: {
        failing: ['cluster-admin-binding', 'rbac-secrets-read'],
        assert: (r) => {
          expect(r.failSeverity).toBe('critical');
          expect(r.findings.find((f) => f.resource.name === 'system:oops' && f.rule === 'cluster-admin-binding')).toMatchObject({ status: 'fail', severity: 'critical' });
          expect(r.findings.find((f) => f.resource.name === 'system:oops')?.system).toBeUndefined();
          // edit is assumed (a Kubernetes default not in the input): every service account reads every Secret
          expect(fails(r, 'rbac-secrets-read')).toEqual(['eks:all-sa']);
        },
      },
    },
    {
      name: 'a wildcard ClusterRole bound in one namespace (medium); a binding named system:* that grants a person is not built in',
      k8s: builtins + cr('legacy-ops', '[{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]') + rb('legacy', 'legacy-ops', 'ClusterRole', 'legacy-ops', group('legacy-team'))
        + crb('system:jane', 'legacy-ops', user('jane')),
      expect: {
        failing: ['rbac-wildcard', 'cluster-admin-binding'],
        assert: (r) => {
          expect(r.findings.find((f) => f.rule === 'rbac-wildcard' && f.resource.kind === 'RoleBinding')?.severity).toBe('medium');
          expect(fails(r, 'cluster-admin-binding')).toEqual(['system:jane']);
          // the RoleBinding of the same role is full control of one namespace, not cluster-admin
          expect(r.findings.find((f) => f.rule === 'cluster-admin-binding' && f.resource.kind === 'RoleBinding')?.message).toMatch(/namespace legacy only/);
        },
      },
    },
    {
      name: 'Secrets read: cluster-wide fails high, namespaced warns',
      k8s: builtins + cr('secret-reader', '[{ apiGroups: [""], resources: [secrets], verbs: [list] }]') + crb('support-secrets', 'secret-reader', group('support'))
        + role('shop', 'secret-watch', '[{ apiGroups: [""], resources: [secrets], verbs: [watch] }]') + rb('shop', 'secret-watch', 'Role', 'secret-watch', user('bob')),
      expect: {
        failing: ['rbac-secrets-read'],
        assert: (r) => {
          const sev = Object.fromEntries(r.findings.filter((f) => f.rule.startsWith('rbac-secrets-read') && f.status !== 'pass' && f.resource.kind.endsWith('Binding')).map((f) => [f.resource.name, `${f.status}:${f.severity}`]));
          expect(sev).toEqual({ 'support-secrets': 'fail:high', 'secret-watch': 'warn:low' });
        },
      },
    },
    {
      name: 'the privilege-escalation grants of the RBAC good-practices page',
      k8s: builtins + cr('dangerous', `[
        { apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, bind] },
        { apiGroups: [""], resources: [users, groups], verbs: [impersonate] },
        { apiGroups: [""], resources: [nodes/proxy], verbs: [get] },
        { apiGroups: [""], resources: [serviceaccounts/token], verbs: [create] },
        { apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create] },
        { apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update] },
        { apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations], verbs: [patch] },
        { apiGroups: [""], resources: [persistentvolumes], verbs: [create] },
        { apiGroups: [""], resources: [namespaces], verbs: [patch] },
        { apiGroups: [""], resources: [pods/exec], verbs: [get] }]`) + crb('ops-tooling', 'dangerous', user('ops-bot')),
      serverVersion: 'v1.33.5-eks-3025e55',
      expect: { failing: ['rbac-privilege-escalation', 'rbac-nodes-proxy', 'rbac-token-create', 'rbac-csr-approval', 'rbac-webhook-write', 'rbac-pv-create', 'rbac-namespace-write', 'rbac-pod-exec'], notFailing: ['rbac-wildcard', 'rbac-secrets-read'] },
    },
    {
      name: 'an unbound Role and ClusterRole are judged on their own: Secrets, exec, escalate, ephemeral containers',
      k8s: builtins + role('shop', 'debugger', `[
        { apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate] },
        { apiGroups: [""], resources: [pods/ephemeralcontainers], verbs: [patch] },
        { apiGroups: [""], resources: [secrets], verbs: [get] }]`)
        + cr('chart-operator', '[{ apiGroups: [""], resources: [secrets, pods/exec], verbs: [get, list, create] }]'),
      aws: apiMode(),
      expect: {
        failing: ['rbac-privilege-escalation', 'rbac-secrets-read', 'rbac-pod-exec'],
        assert: (r) => {
          expect(fails(r, 'rbac-privilege-escalation')).toEqual(['debugger']);
          expect(fails(r, 'rbac-secrets-read')).toEqual(['chart-operator']);
          expect(fails(r, 'rbac-pod-exec')).toEqual(['chart-operator']);
          expect(warns(r, 'rbac-pod-exec-namespaced')).toEqual(['debugger']);
          expect(warns(r, 'rbac-secrets-read-namespaced')).toEqual(['debugger']);
          expect(r.findings.find((f) => f.resource.name === 'chart-operator' && f.status === 'fail')?.message).toMatch(/once bound/);
        },
      },
    },
    {
      name: 'a ClusterRole used only through RoleBindings is judged at namespace scope; nodes/proxy through a RoleBinding is not a finding',
      k8s: builtins + cr('node-proxy', '[{ apiGroups: [""], resources: [nodes/proxy, pods/exec], verbs: [get, create] }, { apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind] }]')
        + rb('shop', 'np', 'ClusterRole', 'node-proxy', user('ann')),
      expect: {
        failing: ['rbac-privilege-escalation'], notFailing: ['rbac-nodes-proxy', 'rbac-pod-exec'],
        assert: (r) => {
          // bind on clusterroles in a namespace: the holder can bind cluster-admin there
          expect(fails(r, 'rbac-privilege-escalation')).toEqual(['node-proxy', 'np']);
          expect(warns(r, 'rbac-pod-exec-namespaced')).toEqual(['node-proxy', 'np']);
        },
      },
    },
    {
      name: 'running workloads in kube-system, where a service account holds "*" on "*", is cluster-wide escalation from a namespaced grant',
      k8s: builtins + role('kube-system', 'deployer', '[{ apiGroups: [apps], resources: [deployments], verbs: [create, update] }]') + rb('kube-system', 'ci-deploy', 'Role', 'deployer', user('ci'))
        + role('legacy', 'self', '[{ apiGroups: [""], resources: [pods], verbs: [create] }]') + rb('legacy', 'self', 'Role', 'self', sa('legacy', 'deployer'))
        + crb('legacy-deployer-admin', 'cluster-admin', sa('legacy', 'deployer')),
      aws: apiMode(),
      expect: {
        failing: ['rbac-privilege-escalation'],
        assert: (r) => {
          // the Role in kube-system is used by a person, so it counts too; the deployer account creating pods as itself is no escalation
          expect(fails(r, 'rbac-privilege-escalation')).toEqual(['ci-deploy', 'deployer']);
          expect(r.findings.find((f) => f.resource.name === 'ci-deploy' && f.rule === 'rbac-privilege-escalation')?.message)
            .toMatch(/ServiceAccount kube-system\/clusterrole-aggregation-controller \(run a workload with it\), which holds cluster-admin/);
        },
      },
    },
    {
      name: 'anonymous users bound to a real role, even by a binding named system:*',
      k8s: builtins + crb('system:open', 'view', group('system:unauthenticated')),
      expect: { failing: ['rbac-anonymous'], assert: (r) => expect(r.failSeverity).toBe('critical') },
    },
    {
      name: 'aggregated ClusterRole is evaluated with the rules it aggregates (manifest input, empty rules)',
      k8s: builtins + cr('monitoring', '[]', '', 'aggregationRule: { clusterRoleSelectors: [{ matchLabels: { acme.example/aggregate-to-monitoring: "true" } }] }\n')
        + cr('monitoring-secrets', '[{ apiGroups: [""], resources: [secrets], verbs: [get, list] }]', ', labels: { acme.example/aggregate-to-monitoring: "true" }')
        + crb('monitoring', 'monitoring', sa('observability', 'prometheus')),
      expect: {
        failing: ['rbac-secrets-read'],
        assert: (r) => {
          expect(fails(r, 'rbac-secrets-read')).toEqual(['monitoring', 'monitoring', 'monitoring-secrets']);
          expect(r.findings.find((f) => f.resource.name === 'monitoring-secrets' && f.rule === 'rbac-secrets-read')?.message).toMatch(/aggregated into monitoring/);
        },
      },
    },
    {
      name: 'a ClusterRole aggregated into the default edit role reaches every edit binding (edit assumed from the Kubernetes defaults)',
      k8s: cr('crd-editor', '[{ apiGroups: [""], resources: [nodes/proxy], verbs: [get] }]', ', labels: { rbac.authorization.k8s.io/aggregate-to-edit: "true" }')
        + crb('devs-edit', 'edit', group('devs')),
      aws: apiMode(),
      expect: { failing: ['rbac-nodes-proxy', 'rbac-secrets-read', 'rbac-pod-exec'], assert: (r) => expect(fails(r, 'rbac-nodes-proxy')).toEqual(['crd-editor', 'devs-edit']) },
    },
    {
      name: 'a RoleBinding in kube-system granting a person counts (not a system finding)',
      k8s: builtins + role('kube-system', 'ks-rbac', '[{ apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate] }]') + rb('kube-system', 'jane-ks', 'Role', 'ks-rbac', user('jane')),
      expect: {
        failing: ['rbac-privilege-escalation'],
        assert: (r) => {
          expect(fails(r, 'rbac-privilege-escalation')).toEqual(['jane-ks', 'ks-rbac']);
          expect(r.findings.find((f) => f.rule === 'rbac-privilege-escalation' && f.resource.name === 'jane-ks')?.resource.namespace).toBe('kube-system');
        },
      },
    },
    {
      name: 'access entries: AmazonEKSAdminPolicy at cluster scope is a cluster-admin principal; AdminViewPolicy at cluster scope reads every Secret',
      k8s: builtins,
      aws: apiMode([
        { principalArn: roleArn('platform'), policies: [{ arn: ADMIN_POLICY_ARN }] },
        { principalArn: roleArn('auditor'), policies: [{ arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy' }] },
        { principalArn: roleArn('shop-admin'), policies: [{ arn: ADMIN_POLICY_ARN, scope: 'namespace', namespaces: ['shop'] }] },
        { principalArn: roleArn('node-role'), type: 'EC2_LINUX' },
      ]),
      expect: {
        failing: ['cluster-admin-binding', 'rbac-secrets-read'],
        assert: (r) => {
          expect(fails(r, 'cluster-admin-binding')).toEqual([roleArn('platform')]);
          expect(fails(r, 'rbac-secrets-read')).toEqual([roleArn('auditor')]);
          expect(r.findings.filter((f) => f.resource.name === roleArn('shop-admin') && f.status === 'fail')).toEqual([]);
          expect(warns(r, 'rbac-secrets-read-namespaced')).toContain(roleArn('shop-admin'));
          expect(r.findings.find((f) => f.rule === 'cluster-admin-count')?.message).toMatch(/^1 cluster-admin principal/);
          expect(r.findings.find((f) => f.resource.name === roleArn('node-role'))?.system).toBe(true);
        },
      },
    },
    {
      name: 'more cluster-admin principals than maxClusterAdmins: access entries, aws-auth system:masters and a binding',
      k8s: builtins + crb('platform-admins', 'cluster-admin', group('platform-admins')) + `---
apiVersion: v1
kind: ConfigMap
metadata: { name: aws-auth, namespace: kube-system }
data:
  mapRoles: |
    - rolearn: ${roleArn('node-role')}
      username: system:node:{{EC2PrivateDNSName}}
      groups: [system:bootstrappers, system:nodes]
    - rolearn: ${roleArn('breakglass')}
      username: breakglass
      groups: [system:masters]
`,
      aws: [
        describeCluster({ accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } }),
        ...accessEntries([
          { principalArn: roleArn('admin-a'), policies: [{ arn: CLUSTER_ADMIN_POLICY_ARN }] },
          { principalArn: roleArn('admin-b'), groups: ['system:masters'] },
          { principalArn: roleArn('ns-admin'), policies: [{ arn: CLUSTER_ADMIN_POLICY_ARN, scope: 'namespace', namespaces: ['shop'] }] },
          { principalArn: roleArn('node-role'), type: 'EC2_LINUX' },
        ]),
      ],
      expect: {
        failing: ['cluster-admin-count', 'cluster-admin-binding'],
        assert: (r) => {
          expect(r.findings.find((f) => f.rule === 'cluster-admin-count')?.message).toMatch(/^4 cluster-admin principals/);
          expect(fails(r, 'cluster-admin-binding')).toEqual(['breakglass', roleArn('admin-a'), roleArn('admin-b'), 'platform-admins'].sort());
        },
      },
    },
    {
      name: 'a user bound to cluster-admin that is the username of a mapped IAM role counts once',
      k8s: builtins + crb('breakglass-user', 'cluster-admin', user('breakglass')),
      aws: apiMode([{ principalArn: roleArn('breakglass'), username: 'breakglass', policies: [{ arn: CLUSTER_ADMIN_POLICY_ARN }] }]),
      config: { thresholds: { maxClusterAdmins: 1 } },
      expect: { failing: ['cluster-admin-binding'], notFailing: ['cluster-admin-count'], assert: (r) => expect(r.findings.find((f) => f.rule === 'cluster-admin-count')?.message).toMatch(/^1 cluster-admin principal/) },
    },
    {
      name: 'a cluster-admin group binding with no allowlist configured is not approved',
      k8s: builtins + crb('platform-admins', 'cluster-admin', group('platform-admins')),
      expect: { failing: ['cluster-admin-binding'], assert: (r) => { expect(r.failSeverity).toBe('medium'); expect(r.findings.find((f) => f.status === 'fail' && !f.system)?.message).toMatch(/none configured/); } },
    },
    {
      name: 'an allowlist is configured and a principal is not on it',
      k8s: builtins + crb('platform-admins', 'cluster-admin', group('platform-admins')) + crb('contractor', 'cluster-admin', user('contractor@acme.example')),
      config: { clusterAdminAllowlist: ['Group:platform-admins'] },
      expect: { failing: ['cluster-admin-binding'], assert: (r) => expect(fails(r, 'cluster-admin-binding')).toEqual(['contractor']) },
    },
    {
      name: 'threshold lowered to 0',
      k8s: builtins + crb('platform-admins', 'cluster-admin', group('platform-admins')),
      aws: apiMode(), config: { clusterAdminAllowlist: ['platform-admins'], thresholds: { ...DEFAULT_THRESHOLDS, maxClusterAdmins: 0 } },
      expect: { failing: ['cluster-admin-count'], assert: (r) => expect(r.findings.filter((f) => f.status === 'fail' && !f.system).map((f) => f.resource.kind)).toEqual(['AWS::EKS::Cluster']) },
    },
    {
      name: 'a Helm chart (no RoleBindings or Roles, no AWS): its wildcard ClusterRole bound to an app service account fails',
      k8s: `apiVersion: v1
kind: ServiceAccount
metadata: { name: app, namespace: shop }
${cr('app-all', '[{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]')}${crb('app-all', 'app-all', sa('shop', 'app'))}`,
      complete: false,
      expect: {
        failing: ['rbac-wildcard', 'cluster-admin-binding'],
        assert: (r) => {
          expect(r.notes.join(' ')).toMatch(/failing on the evidence that was read; not evaluated .*RoleBindings.*Roles/);
          expect(r.unevaluated.map((u) => u.rule)).toEqual(['cluster-admin-count']);
        },
      },
    },
    {
      name: 'a Helm chart with only a ClusterRole (no bindings at all) is judged',
      k8s: cr('chart-role', '[{ apiGroups: [""], resources: ["*"], verbs: [get, list] }]'),
      complete: false,
      expect: { failing: ['rbac-wildcard', 'rbac-secrets-read'], assert: (r) => expect(r.findings.every((f) => f.resource.name === 'chart-role')).toBe(true) },
    },
  ],
  other: [
    { name: 'ClusterRoleBindings forbidden: error', k8s: builtins, aws: apiMode(), kinds: { 'rbac.authorization.k8s.io/ClusterRoleBinding': 'denied' }, expect: { status: 'error' } },
    { name: 'Roles not in the input files: error', k8s: builtins, aws: apiMode(), complete: false, expect: { status: 'error', message: /Roles/ } },
    {
      name: 'API mode but access entries not collected: error (the admin count would be wrong)',
      k8s: builtins, kinds: rbacKinds, aws: [describeCluster()],
      expect: { status: 'error', message: /ListAccessEntries/ },
    },
    {
      name: 'no AWS evidence: the cluster-admin count is not evaluated (access entries could add principals)',
      k8s: builtins + rb('shop', 'shop-viewers', 'ClusterRole', 'view', group('shop-devs')),
      expect: { status: 'error', message: /cluster-admin-count: not read: the cluster's authentication mode/ },
    },
    {
      name: 'a binding whose ClusterRole was not read is not evaluated (an error finding on that binding)',
      k8s: crb('mystery', 'custom-role', user('jane')), kinds: { ...rbacKinds, 'rbac.authorization.k8s.io/ClusterRole': 'denied' }, aws: apiMode(),
      expect: { status: 'error', assert: (r) => expect(r.findings.find((f) => f.resource.name === 'mystery')).toMatchObject({ status: 'error', rule: 'cluster-admin-binding' }) },
    },
    {
      name: 'a binding to a role that is not in the evidence grants nothing (passes)',
      k8s: builtins + rb('shop', 'orphan', 'Role', 'missing', user('jane')), kinds: rbacKinds, aws: apiMode(),
      expect: { status: 'manual', assert: (r) => { expect(r.findings.find((f) => f.resource.name === 'orphan')).toMatchObject({ status: 'pass', rule: 'cluster-admin-binding' }); expect(r.notes.join(' ')).toMatch(/grant nothing until it exists/); } },
    },
    {
      name: 'CONFIG_MAP mode: the creator\'s invisible admin is a warning',
      k8s: builtins + 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: aws-auth, namespace: kube-system }\ndata: { mapRoles: "" }\n',
      aws: [describeCluster({ accessConfig: { authenticationMode: 'CONFIG_MAP' } })],
      expect: { status: 'manual', assert: (r) => expect(warns(r, 'hidden-creator-admin')).toEqual([CLUSTER]) },
    },
    {
      name: 'a binding to a namespace\'s default service account warns; waived, it leaves the control to the access review',
      k8s: builtins + role('legacy', 'reader', '[{ apiGroups: [""], resources: [configmaps], verbs: [get] }]') + rb('legacy', 'reader', 'Role', 'reader', sa('legacy', 'default'))
        + rb('legacy2', 'reader2', 'ClusterRole', 'view', sa('legacy2', 'default')),
      aws: apiMode(),
      waivers: [{ id: 'RISK-9', control: 'CC5-IAM-03', rule: 'rbac-default-sa', resources: { namespace: 'legacy' }, reason: 'legacy app reads its config', approvedBy: 'ciso', expires: '2027-03-01' }],
      expect: { status: 'manual', assert: (r) => { expect(r.counts.waived).toBe(1); expect(warns(r, 'rbac-default-sa')).toEqual(['reader2']); } },
    },
    {
      name: 'an access policy whose permissions eks-soc2 does not know is not evaluated',
      k8s: builtins, aws: apiMode([{ principalArn: roleArn('ops-ai'), policies: [{ arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonAIOpsAssistantPolicy' }] }]),
      expect: { status: 'error', assert: (r) => expect(r.findings.find((f) => f.resource.name === roleArn('ops-ai'))).toMatchObject({ status: 'error', message: expect.stringMatching(/AmazonAIOpsAssistantPolicy are not known/) }) },
    },
  ],
});

// ---------------------------------------------------------------------------------------------
// CC5-IAM-04 endpoint

const vpc = (o: JsonObject) => describeCluster({ resourcesVpcConfig: { vpcId: 'vpc-0abc', subnetIds: ['subnet-a'], ...o } });
testControl(CC5_IAM_04, {
  valid: [
    { name: 'private only; the default 0.0.0.0/0 EKS still returns is ignored', aws: [vpc({ endpointPublicAccess: false, endpointPrivateAccess: true, publicAccessCidrs: ['0.0.0.0/0'] })], expect: { passing: ['endpoint-public-access', 'endpoint-private-access'] } },
    { name: 'public restricted, private on', aws: [vpc({ endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] })], expect: { passing: ['endpoint-public-access'], assert: (r) => expect(r.notes.join(' ')).toMatch(/EKS\.1/) } },
    { name: 'restricted public without private access: node traffic leaves the VPC, a warning (controls.md)', aws: [vpc({ endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: ['203.0.113.0/24'] })], expect: { passing: ['endpoint-public-access'], assert: (r) => { warnsOn('endpoint-private-access')(r); expect(r.failSeverity).toBeUndefined(); } } },
    { name: 'CIDR inside an approved range', config: { approvedEndpointCidrs: ['203.0.112.0/23', '2001:db8::/32'] }, aws: [vpc({ endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.10/32', '2001:db8:1::/48'] })] },
  ],
  invalid: [
    { name: 'public to 0.0.0.0/0', aws: [vpc({ endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['0.0.0.0/0'] })], expect: { failing: ['endpoint-public-access'], assert: (r) => expect(r.failSeverity).toBe('high') } },
    { name: 'public to ::/0 next to a restricted IPv4 range', aws: [vpc({ endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24', '::/0'] })], expect: { failing: ['endpoint-public-access'] } },
    { name: 'CIDR outside approvedEndpointCidrs', config: { approvedEndpointCidrs: ['198.51.100.0/24'] }, aws: [vpc({ endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] })], expect: { failing: ['endpoint-public-access'] } },
  ],
  other: [
    { name: 'DescribeCluster denied: error, not fail', awsCalls: { 'eks:DescribeCluster': 'denied' }, expect: { status: 'error' } },
    { name: 'public and private both reported off (EKS does not allow it): not evaluated, error', aws: [vpc({ endpointPublicAccess: false, endpointPrivateAccess: false })], expect: { status: 'error', assert: (r) => expect(r.findings.every((f) => f.status === 'error')).toBe(true) } },
    { name: 'no AWS evidence: error', k8s: [], expect: { status: 'error', message: /evidence not collected/ } },
  ],
});

describe('cidrWithin', () => {
  it('handles IPv4, IPv6 and mixed families', () => {
    expect(cidrWithin('10.1.2.0/24', '10.0.0.0/8')).toBe(true);
    expect(cidrWithin('10.0.0.0/8', '10.1.2.0/24')).toBe(false);
    expect(cidrWithin('2001:db8::1/128', '2001:db8::/32')).toBe(true);
    expect(cidrWithin('10.0.0.0/8', '::/0')).toBe(false);
    expect(cidrWithin('not-a-cidr', '0.0.0.0/0')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// CC5-IAM-05 MFA

testControl(CC5_IAM_05, {
  valid: [
    { name: 'root MFA, console users with MFA, key-only users ignored: manual (IdP MFA)', aws: [accountSummary(1), credentialReport([{ user: '<root_account>', mfa: true }, { user: 'alice', password: true, mfa: true }, { user: 'ci-bot' }])], expect: { status: 'manual', passing: ['root-mfa', 'user-mfa'] } },
    {
      name: 'attested IdP MFA: pass',
      aws: [accountSummary(1), credentialReport([{ user: '<root_account>', mfa: true }], { plain: true })],
      attestations: [{ control: 'CC5-IAM-05', statement: 'Identity Center requires MFA for every sign-in', attestedBy: 'it@acme.example', date: '2026-11-01', validUntil: '2027-11-01', evidence: 'https://wiki.acme.example/idc-mfa' }],
      expect: { status: 'pass' },
    },
    {
      name: 'no IAM user mapped, access entries and aws-auth read: a passing finding',
      k8s: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: aws-auth, namespace: kube-system }\ndata: { mapRoles: "" }\n',
      aws: [accountSummary(1), credentialReport([]), ...accessEntries([{ principalArn: roleArn('AWSReservedSSO_Admin_0123456789abcdef') }])],
      expect: { status: 'manual', passing: ['iam-user-in-cluster'] },
    },
    {
      name: 'IAM users mapped into the cluster through an access entry and aws-auth: warnings (controls.md)',
      k8s: `
apiVersion: v1
kind: ConfigMap
metadata: { name: aws-auth, namespace: kube-system }
data:
  mapUsers: |
    - userarn: arn:aws:iam::${ACCOUNT}:user/ci-bot
      username: ci-bot
      groups: [deployers]
`,
      aws: [accountSummary(1), credentialReport([]), ...accessEntries([{ principalArn: `arn:aws:iam::${ACCOUNT}:user/alice` }, { principalArn: roleArn('AWSReservedSSO_Admin_0123456789abcdef') }])],
      expect: { status: 'manual', assert: (r) => { warnsOn('iam-user-in-cluster')(r); expect(r.findings.filter((f) => f.rule === 'iam-user-in-cluster').map((f) => f.resource.name).sort()).toEqual(['alice', 'ci-bot']); expect(r.notes.join(' ')).toMatch(/Identity Center/); } },
    },
  ],
  invalid: [
    { name: 'root without MFA', aws: [accountSummary(0), credentialReport([{ user: '<root_account>' }])], expect: { failing: ['root-mfa'], assert: (r) => expect(r.failSeverity).toBe('critical') } },
    { name: 'console user without MFA', aws: [accountSummary(1), credentialReport([{ user: 'bob', password: true, mfa: false }, { user: 'alice', password: true, mfa: true }])], expect: { failing: ['user-mfa'], passing: ['user-mfa'] } },
    {
      name: 'partial evidence: root without MFA is proven while the credential report was denied',
      aws: [accountSummary(0)], awsCalls: { 'iam:GetCredentialReport': 'denied' },
      expect: { failing: ['root-mfa'], assert: notEvaluated('user-mfa') },
    },
    {
      name: 'an unreadable account summary is scoped to root-mfa: the credential report still proves a failure',
      aws: [fact('iam', 'GetAccountSummary', { SummaryMap: {} }), credentialReport([{ user: 'bob', password: true, mfa: false }])],
      expect: { failing: ['user-mfa'], assert: notEvaluated('root-mfa') },
    },
  ],
  other: [
    { name: 'credential report not collected: error', aws: [accountSummary(1)], expect: { status: 'error', message: /credential report/ } },
    { name: 'partial evidence: root MFA on, the credential report denied: error naming it', aws: [accountSummary(1)], awsCalls: { 'iam:GetCredentialReport': 'denied' }, expect: { status: 'error', message: /credential report/ } },
    { name: 'unreadable credential report: error', aws: [accountSummary(1), fact('iam', 'GetCredentialReport', { Content: '%%%not base64%%%', ReportFormat: 'text/csv' })], expect: { status: 'error', message: /could not be read/ } },
  ],
});

// ---------------------------------------------------------------------------------------------
// CC5-HARD-01 Pod Security Standards

const ns = (name: string, labels: Record<string, string> = {}) => `---
apiVersion: v1
kind: Namespace
metadata: { name: ${name}, labels: ${JSON.stringify({ 'kubernetes.io/metadata.name': name, ...labels })} }
`;
const restrictedLabels = { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' };
const compliantPod = (namespace: string, name = 'ok') => `---
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
  containers: [{ name: c, image: x:1, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } } }]
`;

testControl(CC5_HARD_01, {
  valid: [
    {
      name: 'restricted namespace with a compliant pod; unlabelled kube-system is reported separately (a system finding)',
      k8s: ns('kube-system') + ns('shop', restrictedLabels) + compliantPod('shop'),
      expect: { passing: ['pss-labels', 'pss-running-pods', 'pss-version'], assert: (r) => expect(r.findings.filter((f) => f.resource.name === 'kube-system').map((f) => `${f.rule}:${f.status}:${f.system}`)).toEqual(['pss-labels:fail:true']) },
    },
    { name: 'baseline with audit and warn at restricted, pinned to the current version', k8s: ns('web', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.33', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' }), serverVersion: 'v1.33.5-eks-3025e55' },
    {
      name: 'capabilities compare exactly at baseline, as PSA does: add [chown] is not CHOWN (a warning)',
      k8s: ns('web', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' })
        + '---\napiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: web }\nspec: { containers: [{ name: c, image: x:1, securityContext: { capabilities: { add: [chown] } } }] }\n',
      expect: { assert: (r) => { warnsOn('pss-running-pods')(r); expect(r.findings.find((f) => f.rule === 'pss-running-pods')?.message).toMatch(/"chown"/); } },
    },
    {
      name: 'a baseline namespace accepts a pod that only restricted would reject',
      k8s: ns('web', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' })
        + '---\napiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: web }\nspec: { containers: [{ name: c, image: x:1, securityContext: { capabilities: { add: [CHOWN] } } }] }\n',
      expect: { passing: ['pss-running-pods'] },
    },
    { name: 'baseline without audit at restricted: a warning', k8s: ns('web', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' }), expect: { passing: ['pss-labels'], assert: warnsOn('pss-audit-warn') } },
    { name: 'enforce-version pinned below the cluster version: a warning', k8s: ns('shop', { ...restrictedLabels, 'pod-security.kubernetes.io/enforce-version': 'v1.25' }), serverVersion: 'v1.33.5-eks-3025e55', expect: { passing: ['pss-labels'], assert: warnsOn('pss-version') } },
    {
      name: 'a pod admitted before the restricted label still runs as root: a warning',
      k8s: ns('shop', restrictedLabels) + compliantPod('shop') + '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: old, namespace: shop }\nspec: { selector: {}, template: { spec: { containers: [{ name: c, image: x:1, securityContext: { runAsUser: 0 } }] } } }\n',
      expect: { passing: ['pss-labels', 'pss-running-pods'], assert: (r) => { warnsOn('pss-running-pods')(r); expect(r.findings.find((f) => f.status === 'warn')?.resource.name).toBe('old'); expect(r.findings.find((f) => f.status === 'warn')?.message).toMatch(/runAsUser=0/); } },
    },
    {
      name: 'baseline namespace with a hostNetwork DaemonSet: a warning',
      k8s: ns('web', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' })
        + '---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: d, namespace: web }\nspec: { selector: {}, template: { spec: { hostNetwork: true, containers: [{ name: c, image: x:1, ports: [{ containerPort: 80, hostPort: 80 }] }] } } }\n',
      expect: { assert: warnsOn('pss-running-pods') },
    },
  ],
  invalid: [
    { name: 'unlabelled application namespace (privileged by default)', k8s: ns('legacy') + ns('shop', restrictedLabels), expect: { failing: ['pss-labels'], passing: ['pss-labels'] } },
    { name: 'enforce: privileged', k8s: ns('legacy', { 'pod-security.kubernetes.io/enforce': 'privileged' }), expect: { failing: ['pss-labels'] } },
    { name: 'not a level', k8s: ns('legacy', { 'pod-security.kubernetes.io/enforce': 'strict' }), expect: { failing: ['pss-labels'] } },
    {
      name: 'partial evidence: an unlabelled namespace is proven while the workloads were denied',
      k8s: ns('legacy') + compliantPod('legacy'), kinds: { 'core/Pod': 'denied' },
      expect: { failing: ['pss-labels'], assert: (r) => expect(r.notes.join(' ')).toMatch(/recommended rule pss-running-pods not evaluated/) },
    },
  ],
  other: [
    { name: 'namespaces not in the input: error', k8s: compliantPod('shop'), complete: false, expect: { status: 'error', message: /Namespaces/ } },
    { name: 'only system namespaces: not applicable, their findings reported separately', k8s: ns('kube-system') + ns('falco'), expect: { status: 'not-applicable', assert: (r) => expect(r.systemCounts.fail).toBe(2) } },
    {
      name: 'partial evidence: labels enforced, workloads denied: pass with the recommended rule not evaluated (a note)',
      k8s: ns('shop', restrictedLabels) + compliantPod('shop'), kinds: { 'core/Pod': 'denied' },
      expect: { status: 'pass', assert: (r) => expect(r.notes.join(' ')).toMatch(/pss-running-pods not evaluated/) },
    },
  ],
});

describe('pssViolations', () => {
  it('restricted rejects undeclared non-root, baseline does not', () => {
    const spec = { containers: [{ name: 'c', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }], securityContext: { seccompProfile: { type: 'RuntimeDefault' } } };
    expect(pssViolations(spec, 'baseline')).toEqual([]);
    expect(pssViolations(spec, 'restricted').join(' ')).toMatch(/runAsNonRoot: pod or container "c" must set securityContext\.runAsNonRoot=true/);
  });
  it('compares as PSA does: exact capability names, explicit pod-level values, ephemeral containers', () => {
    const c = (sc: object) => ({ containers: [{ name: 'c', image: 'x', securityContext: sc }] });
    expect(pssViolations(c({ capabilities: { add: ['CHOWN'] } }), 'baseline')).toEqual([]);
    expect(pssViolations(c({ capabilities: { add: ['chown'] } }), 'baseline').join(' ')).toMatch(/capabilities_baseline: .*"chown"/);
    expect(pssViolations(c({ capabilities: { add: ['CAP_NET_RAW'] } }), 'baseline').join(' ')).toMatch(/CAP_NET_RAW/);
    expect(pssViolations({ ...c({ seccompProfile: { type: 'RuntimeDefault' } }), securityContext: { seccompProfile: { type: 'Unconfined' } } }, 'baseline').join(' ')).toMatch(/pod must not set securityContext\.seccompProfile\.type to "Unconfined"/);
    const restricted = { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'c', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] };
    expect(pssViolations(restricted, 'restricted')).toEqual([]);
    expect(pssViolations({ ...restricted, containers: [{ name: 'c', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['all'] } } }] }, 'restricted').join(' ')).toMatch(/drop=\["ALL"\]/);
    expect(pssViolations({ ...restricted, ephemeralContainers: [{ name: 'debug', image: 'busybox' }] }, 'restricted').join(' ')).toMatch(/"debug"/);
    expect(pssViolations({ ...restricted, securityContext: { ...restricted.securityContext, runAsUser: 0 }, containers: [{ name: 'c', image: 'x', securityContext: { runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] }, 'restricted').join(' ')).toMatch(/runAsUser: pod must not set runAsUser=0/);
  });
  it('applies the version-gated behaviours of the policy version', () => {
    const win = { os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'c', image: 'x' }] };
    expect(pssViolations(win, 'restricted')).toEqual([]);
    expect(pssViolations(win, 'restricted', 24).join(' ')).toMatch(/seccompProfile_restricted/);
    const userns = { hostUsers: false, securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'c', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] };
    expect(pssViolations(userns, 'restricted')).toEqual([]);
    expect(pssViolations(userns, 'restricted', 34).join(' ')).toMatch(/runAsNonRoot/);
    const sysctl = { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }] }, containers: [] };
    expect(pssViolations(sysctl, 'baseline', 29)).toEqual([]);
    expect(pssViolations(sysctl, 'baseline', 28).join(' ')).toMatch(/sysctls/);
    const probe = { containers: [{ name: 'c', image: 'x', livenessProbe: { httpGet: { host: '10.0.0.1', port: 80 } } }] };
    expect(pssViolations(probe, 'baseline', 33)).toEqual([]);
    expect(pssViolations(probe, 'baseline').join(' ')).toMatch(/hostProbesAndHostLifecycle/);
    const selinux = { securityContext: { seLinuxOptions: { type: 'container_engine_t' } }, containers: [] };
    expect(pssViolations(selinux, 'baseline')).toEqual([]);
    expect(pssViolations(selinux, 'baseline', 30).join(' ')).toMatch(/seLinuxOptions/);
    expect(pssViolations({ containers: [] }, 'baseline', undefined, { annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' } }).join(' ')).toMatch(/appArmorProfile/);
  });
  it('restricted rejects hostPath and other volume types', () => {
    expect(pssViolations({ containers: [], volumes: [{ name: 'v', nfs: { server: 's', path: '/' } }] }, 'restricted').join(' ')).toMatch(/nfs/);
  });
});

// ---------------------------------------------------------------------------------------------
// CC5-HARD-02 Gatekeeper

const gkCrd = '---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: { name: constrainttemplates.templates.gatekeeper.sh }\nspec: { group: templates.gatekeeper.sh, names: { kind: ConstraintTemplate } }\n';
const gkDeploy = (name: string, available = 1) => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: gatekeeper-system }
spec: { replicas: 1, selector: {}, template: { spec: { containers: [{ name: manager, image: openpolicyagent/gatekeeper:v3.23.0 }] } } }
status: { replicas: 1, availableReplicas: ${available} }
`;
const gkWebhook = (policy: string) => `---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: { name: gatekeeper-validating-webhook-configuration }
webhooks:
  - name: validation.gatekeeper.sh
    failurePolicy: ${policy}
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig: { service: { name: gatekeeper-webhook-service, namespace: gatekeeper-system } }
`;
const constraint = (kind: string, name: string, action: string | undefined, violations: number, audit = '2026-11-26T11:59:00Z') => `---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: ${kind}
metadata: { name: ${name} }
spec: { ${action ? `enforcementAction: ${action}, ` : ''}match: { kinds: [{ apiGroups: [""], kinds: [Pod] }] } }
status: { auditTimestamp: "${audit}", totalViolations: ${violations}${violations ? ', violations: [{ kind: Pod, namespace: legacy, name: debug-shell, message: "privileged", enforcementAction: deny }]' : ''} }
`;
const healthyGk = gkCrd + gkDeploy('gatekeeper-controller-manager') + gkDeploy('gatekeeper-audit') + gkWebhook('Fail');

testControl(CC5_HARD_02, {
  valid: [
    { name: 'healthy, failing closed, a deny constraint (action omitted = deny) with no violations', k8s: healthyGk + constraint('K8sRequiredLabels', 'ns-owner', undefined, 0) + ns('shop'), expect: { passing: ['policy-engine', 'gatekeeper-healthy', 'gatekeeper-webhook', 'gatekeeper-fail-closed', 'gatekeeper-enforcement', 'gatekeeper-constraint-mode', 'gatekeeper-violations', 'gatekeeper-exemptions'] } },
    {
      name: 'Kyverno in Enforce mode is accepted as equivalent',
      k8s: `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: kyverno-admission-controller, namespace: kyverno }
spec: { replicas: 1, selector: {}, template: { spec: { containers: [{ name: k, image: ghcr.io/kyverno/kyverno:v1.13.0 }] } } }
status: { replicas: 1, availableReplicas: 1 }
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: { name: disallow-privileged }
spec: { validationFailureAction: Enforce, rules: [] }
`,
      expect: { passing: ['policy-engine'] },
    },
    {
      name: 'a ValidatingAdmissionPolicy bound with Deny is accepted as equivalent',
      k8s: '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x, namespace: shop }\nspec: { selector: {}, template: { spec: { containers: [{ name: c, image: x:1 }] } } }\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: { name: no-latest }\nspec: { validations: [{ expression: "true" }] }\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: { name: no-latest }\nspec: { policyName: no-latest, validationActions: [Deny] }\n',
      expect: { passing: ['policy-engine'] },
    },
    { name: 'fails open (failurePolicy Ignore, the chart default): a warning', k8s: gkCrd + gkDeploy('gatekeeper-controller-manager') + gkDeploy('gatekeeper-audit') + gkWebhook('Ignore') + constraint('K8sRequiredLabels', 'ns-owner', 'deny', 0), expect: { passing: ['gatekeeper-webhook'], assert: warnsOn('gatekeeper-fail-closed') } },
    { name: 'audit violations are reported as warnings', k8s: healthyGk + constraint('K8sPSPPrivilegedContainer', 'no-privileged', 'deny', 1), expect: { assert: (r) => { warnsOn('gatekeeper-violations')(r); expect(r.findings.find((f) => f.rule === 'gatekeeper-violations')?.message).toMatch(/legacy\/debug-shell/); } } },
    {
      name: 'an application namespace is exempt, the Config excludes another: warnings',
      k8s: healthyGk + constraint('K8sRequiredLabels', 'x', 'deny', 0) + ns('legacy', { 'admission.gatekeeper.sh/ignore': 'no-self-managing' })
        + '---\napiVersion: config.gatekeeper.sh/v1alpha1\nkind: Config\nmetadata: { name: config, namespace: gatekeeper-system }\nspec: { match: [{ excludedNamespaces: [kube-system, batch], processes: ["*"] }] }\n',
      expect: { assert: (r) => { warnsOn('gatekeeper-exemptions')(r); expect(r.findings.filter((f) => f.rule === 'gatekeeper-exemptions' && f.status === 'warn' && !f.system).map((f) => f.resource.name).sort()).toEqual(['config', 'legacy']); } },
    },
  ],
  invalid: [
    { name: 'only dryrun and warn constraints', k8s: healthyGk + constraint('K8sAllowedRepos', 'repos', 'dryrun', 0) + constraint('K8sRequiredLabels', 'labels', 'warn', 0), expect: { failing: ['gatekeeper-enforcement'], assert: warnsOn('gatekeeper-constraint-mode') } },
    {
      name: 'partial evidence: an unavailable controller is proven while the constraints were denied',
      k8s: gkCrd + gkDeploy('gatekeeper-controller-manager', 0) + gkDeploy('gatekeeper-audit') + gkWebhook('Fail'), kinds: { 'constraints.gatekeeper.sh/K8sRequiredLabels': 'denied' },
      expect: { failing: ['gatekeeper-healthy'], assert: notEvaluated('gatekeeper-enforcement') },
    },
    { name: 'no policy engine at all', k8s: '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x, namespace: shop }\nspec: { selector: {}, template: { spec: { containers: [{ name: c, image: x:1 }] } } }\n', expect: { failing: ['policy-engine'] } },
    { name: 'audit Deployment missing, controller unavailable', k8s: gkCrd + gkDeploy('gatekeeper-controller-manager', 0) + gkWebhook('Fail') + constraint('K8sRequiredLabels', 'x', 'deny', 0), expect: { failing: ['gatekeeper-healthy'] } },
    { name: 'audit stuck for days', k8s: healthyGk + constraint('K8sRequiredLabels', 'x', 'deny', 0, '2026-11-01T00:00:00Z'), expect: { failing: ['gatekeeper-healthy'] } },
    { name: 'installed without constraints or webhook', k8s: gkCrd + gkDeploy('gatekeeper-controller-manager') + gkDeploy('gatekeeper-audit'), kinds: { 'admissionregistration.k8s.io/ValidatingWebhookConfiguration': 'collected' }, expect: { failing: ['gatekeeper-enforcement', 'gatekeeper-webhook'] } },
  ],
  other: [
    { name: 'constraints forbidden: error', k8s: healthyGk, kinds: { 'constraints.gatekeeper.sh/K8sRequiredLabels': 'denied' }, expect: { status: 'error', message: /constraints/ } },
    { name: 'Deployments not collected: error', k8s: gkCrd, complete: false, expect: { status: 'error', message: /Deployments/ } },
    {
      name: 'loose manifests without any engine: "no engine" is not a fact, policy-engine is not evaluated',
      k8s: '---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: { name: widgets.example.com }\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x, namespace: shop }\nspec: { selector: {}, template: { spec: { containers: [{ name: c, image: x:1 }] } } }\n',
      complete: false,
      expect: { status: 'error', assert: (r) => { notEvaluated('policy-engine')(r); expect(r.findings.some((f) => f.status === 'fail')).toBe(false); } },
    },
  ],
});

// ---------------------------------------------------------------------------------------------
// CC5-HARD-04 quotas and limits

const quota = (namespace: string, hard: Record<string, string>) => `---\napiVersion: v1\nkind: ResourceQuota\nmetadata: { name: q, namespace: ${namespace} }\nspec: { hard: ${JSON.stringify(hard)} }\n`;
const limitRange = (namespace: string) => `---\napiVersion: v1\nkind: LimitRange\nmetadata: { name: defaults, namespace: ${namespace} }\nspec: { limits: [{ type: Container, defaultRequest: { cpu: 100m, memory: 128Mi }, default: { memory: 512Mi } }] }\n`;
const deploy = (namespace: string, name: string, resources = '') => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${namespace} }
spec: { selector: {}, template: { spec: { containers: [{ name: c, image: x:1${resources ? `, resources: ${resources}` : ''} }] } } }
`;
const fullRes = '{ requests: { cpu: 100m, memory: 128Mi }, limits: { memory: 256Mi } }';

testControl(CC5_HARD_04, {
  valid: [
    { name: 'quota and LimitRange defaults cover a container without resources', k8s: quota('shop', { 'requests.cpu': '4', 'requests.memory': '8Gi', 'limits.memory': '16Gi' }) + limitRange('shop') + deploy('shop', 'api'), expect: { passing: ['resource-requests', 'resource-limits', 'namespace-quota'] } },
    { name: 'no quota, but every container declares requests and a memory limit (CPU limit not required)', k8s: deploy('web', 'nginx', fullRes), expect: { passing: ['namespace-quota'] } },
    {
      name: 'workloads in system namespaces are reported separately (system findings), never counted',
      k8s: deploy('kube-system', 'coredns') + deploy('shop', 'api', fullRes),
      expect: { assert: (r) => expect(r.findings.filter((f) => f.system).map((f) => `${f.rule}:${f.resource.name}:${f.status}`).sort()).toEqual(['namespace-quota:kube-system:fail', 'resource-limits:coredns:fail', 'resource-requests:coredns:fail']) },
    },
  ],
  invalid: [
    { name: 'no quota, no defaults, no resources', k8s: deploy('legacy', 'billing'), expect: { failing: ['resource-requests', 'resource-limits', 'namespace-quota'] } },
    {
      name: 'partial evidence: a container without requests is proven while the ResourceQuotas were denied',
      k8s: deploy('legacy', 'billing'), kinds: { 'core/ResourceQuota': 'denied' },
      expect: { failing: ['resource-requests', 'resource-limits'], assert: notEvaluated('namespace-quota') },
    },
    { name: 'requests but no memory limit', k8s: deploy('legacy', 'billing', '{ requests: { cpu: 100m, memory: 128Mi } }'), expect: { failing: ['resource-limits'], passing: ['resource-requests'] } },
    { name: 'an object-count quota does not bound compute', k8s: quota('legacy', { pods: '10' }) + deploy('legacy', 'a', '{ requests: { cpu: 1 } }'), expect: { failing: ['namespace-quota', 'resource-requests'], assert: (r) => expect(r.findings.find((f) => f.rule === 'namespace-quota')?.message).toMatch(/no compute ResourceQuota/) } },
    { name: 'a quota on CPU only, LimitRange present, a container without memory limit', k8s: quota('legacy', { pods: '10', 'requests.cpu': '4' }) + deploy('legacy', 'a', '{ requests: { cpu: 1, memory: 1Gi } }'), expect: { failing: ['namespace-quota', 'resource-limits'], assert: (r) => expect(r.findings.find((f) => f.rule === 'namespace-quota')?.message).toMatch(/lacks requests\.memory, limits\.memory/) } },
  ],
  other: [
    { name: 'ResourceQuotas not in the input files: error', k8s: deploy('shop', 'api', fullRes), complete: false, expect: { status: 'error', message: /ResourceQuotas/ } },
    {
      name: 'loose manifests: a container without requests may be covered by a LimitRange outside the input, not evaluated',
      k8s: quota('other', { 'requests.cpu': '1' }) + limitRange('other') + deploy('shop', 'api'), complete: false,
      expect: { status: 'error', assert: (r) => { expect(r.findings.filter((f) => f.resource.name === 'api').map((f) => f.status)).toEqual(['error', 'error']); expect(r.findings.some((f) => f.status === 'fail')).toBe(false); } },
    },
    {
      name: 'partial evidence: ResourceQuotas denied, nothing failed: error naming them (the per-workload rules still pass)',
      k8s: deploy('shop', 'api', fullRes), kinds: { 'core/ResourceQuota': 'denied' },
      expect: { status: 'error', message: /ResourceQuotas/, passing: ['resource-requests', 'resource-limits'], assert: notEvaluated('namespace-quota') },
    },
  ],
});

// ---------------------------------------------------------------------------------------------
// Corpus: real inputs from kubescape/regolibrary, polaris, kyverno/policies and the Gatekeeper docs.

const CORPUS = '/work/shared/corpus';

/** Failing `rule:resource` pairs of one control over corpus files (system findings marked). */
async function corpusFailures(control: Parameters<typeof runCase>[0], paths: string[], extra: string = ''): Promise<string[]> {
  const snap = await collectFiles(paths, { toolVersion: 'test', completeInventory: true });
  const r = runCase(control, { name: paths.join(','), k8s: extra ? [...snap.kubernetes.objects, ...runCaseObjects(extra)] : snap.kubernetes.objects });
  // Grants are judged on bindings; role definitions get their own (low) wildcard finding, tested separately.
  return [...new Set(r.findings.filter((f) => f.status === 'fail' && f.resource.kind !== 'Role' && f.resource.kind !== 'ClusterRole').map((f) => `${f.rule}:${f.resource.name}${f.system ? ' (system)' : ''}`))].sort();
}
/** CC5-IAM-03 findings of one status on bindings (role definitions are judged on their own, tested separately), with extra objects. */
async function rbacCorpus(paths: string[], status: 'fail' | 'warn', extra = ''): Promise<string[]> {
  const snap = await collectFiles(paths, { toolVersion: 'test', completeInventory: true });
  const r = runCase(CC5_IAM_03, { name: paths.join(','), k8s: extra ? [...snap.kubernetes.objects, ...runCaseObjects(extra)] : snap.kubernetes.objects });
  return [...new Set(r.findings.filter((f) => f.status === status && f.resource.kind !== 'Role' && f.resource.kind !== 'ClusterRole').map((f) => `${f.rule}:${f.resource.name}${f.system ? ' (system)' : ''}`))].sort();
}
function runCaseObjects(yaml: string) {
  return parseManifestText(yaml, 'extra.yaml').objects;
}

describe('CC5-IAM-03 role definitions and dangling bindings', () => {
  it('reports every role, bound or not: an unbound wildcard fails (medium), built-ins are system findings, a dangling binding grants nothing', () => {
    const r = runCase(CC5_IAM_03, {
      name: 'roles',
      k8s: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: everything }
rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: reader, namespace: shop }
rules: [{ apiGroups: [""], resources: [configmaps], verbs: [get] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: "system:basic-user", labels: { kubernetes.io/bootstrapping: rbac-defaults } }
rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: orphan, namespace: shop }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: missing }
subjects: [{ kind: User, name: jane }]
`,
    });
    const at = (kind: string, name: string, rule: string) => {
      const f = r.findings.find((x) => x.resource.kind === kind && x.resource.name === name && x.rule === rule);
      return f ? `${f.status}:${f.severity}${f.system ? ':system' : ''}` : undefined;
    };
    expect(at('ClusterRole', 'everything', 'rbac-wildcard')).toBe('fail:medium');
    expect(at('Role', 'reader', 'rbac-wildcard')).toBe('pass:high');
    expect(at('Role', 'reader', 'rbac-secrets-read-namespaced')).toBe('pass:low');
    // a Kubernetes default is judged too, and reported with the system findings
    expect(at('ClusterRole', 'system:basic-user', 'rbac-wildcard')).toBe('fail:medium:system');
    expect(at('RoleBinding', 'orphan', 'cluster-admin-binding')).toBe('pass:high');
  });
});

describe.skipIf(!existsSync(CORPUS))('CC5-IAM-03 against the corpus', () => {
  it('kubescape cluster-admin and secrets rules: namespaced grants in kube-system to a person count; */* cluster-wide makes admins', async () => {
    const dir = `${CORPUS}/kubescape-regolibrary`;
    // core "*" for a person in kube-system: the wildcard fails; Secrets, exec and acting as the namespace's service accounts
    // are namespaced (warnings) — no ClusterRoleBinding in this case gives a kube-system account more
    expect(await corpusFailures(CC5_IAM_03, [`${dir}/rule-list-all-cluster-admins-v1/case-01`])).toEqual(['rbac-wildcard:pod']);
    expect(await rbacCorpus([`${dir}/rule-list-all-cluster-admins-v1/case-01`], 'warn')).toEqual(
      ['rbac-act-as-sa-namespaced:pod', 'rbac-pod-exec-namespaced:pod', 'rbac-secrets-read-namespaced:pod']);
    // the same grant once a kube-system service account holds cluster-admin: taking it over is cluster-wide escalation
    expect(await rbacCorpus([`${dir}/rule-list-all-cluster-admins-v1/case-01`], 'fail', `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: controller-admin }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [{ kind: ServiceAccount, name: some-controller, namespace: kube-system }]
`)).toEqual(['cluster-admin-binding:controller-admin (system)', 'rbac-privilege-escalation:pod', 'rbac-wildcard:pod']);
    // */* with "*" verbs bound cluster-wide to two groups: two unapproved cluster-admin principals
    expect(await corpusFailures(CC5_IAM_03, [`${dir}/rule-list-all-cluster-admins-v1/case-02`])).toEqual(['cluster-admin-binding:read-secrets-global']);
    expect(await corpusFailures(CC5_IAM_03, [`${dir}/rule-list-all-cluster-admins-v1/case-03`])).toEqual(['rbac-wildcard:pod']);
    // watch on secrets cluster-wide (apiGroups "*")
    expect(await corpusFailures(CC5_IAM_03, [`${dir}/rule-can-list-get-secrets-v1/case-02`])).toEqual(['rbac-secrets-read:read-secrets-global', 'rbac-wildcard:read-secrets-global']);
    // list on Secrets within kube-system: a warning (namespaced); the "*" resource fails
    expect(await corpusFailures(CC5_IAM_03, [`${dir}/rule-can-list-get-secrets-v1/case-03`])).toEqual(['rbac-wildcard:pod']);
    expect(await rbacCorpus([`${dir}/rule-can-list-get-secrets-v1/case-03`], 'warn')).toEqual(['rbac-secrets-read-namespaced:pod']);
  });

  it('polaris cluster-admin cases: every wildcard binding fails, a binding named system:* or gce:* is not built in', async () => {
    const dir = `${CORPUS}/polaris/clusterrolebindingClusterAdmin`;
    const got: Record<string, string[]> = {};
    for (const f of readdirSync(dir).sort()) got[f] = (await corpusFailures(CC5_IAM_03, [join(dir, f)])).map((x) => x.split(':')[0]!);
    expect(got['case-02.yaml']).toEqual(['cluster-admin-binding']); // binding named system:test → User testuser
    expect(got['case-05.yaml']).toEqual(['cluster-admin-binding']); // binding named gce:podsecuritypolicy:calico-sa
    expect(got['case-06.yaml']).toEqual(['rbac-wildcard']); // "*" verbs on pods in every group
    expect(got['case-08.yaml']).toEqual([]); // get/list on deployments
    expect(got['case-11.yaml']).toEqual([]);
    // every read and write verb on "*" in "*": cluster-admin in effect (Polaris's rule too), judged as a cluster-admin grant
    for (const c of ['case-01.yaml', 'case-09.yaml']) expect(got[c], c).toEqual(['cluster-admin-binding']);
    for (const c of ['case-07.yaml', 'case-10.yaml']) expect(got[c], c).toEqual(expect.arrayContaining(['rbac-wildcard', 'rbac-secrets-read', 'rbac-nodes-proxy']));
  });

  it('kyverno wildcard and Secret-verb roles, each bound to a test user', async () => {
    const bindEach = (paths: string[]) => collectFiles(paths, { toolVersion: 'test', completeInventory: true }).then((snap) => {
      const objs = [...snap.kubernetes.objects];
      for (const o of snap.kubernetes.objects) {
        const ref = { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: o.kind, name: o.metadata.name }, subjects: [{ kind: 'User', name: 'tester' }] };
        if (o.kind === 'ClusterRole') objs.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `bind-${o.metadata.name}` }, ...ref });
        if (o.kind === 'Role') objs.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `bind-${o.metadata.name}`, namespace: o.metadata.namespace ?? 'default' }, ...ref });
      }
      const r = runCase(CC5_IAM_03, { name: 'corpus', k8s: objs });
      return [...new Set(r.findings.filter((f) => f.status !== 'pass' && !f.resource.kind.endsWith('Role') && /^rbac-(wildcard|secrets-read)/.test(f.rule)).map((f) => `${f.rule}:${f.resource.name}:${f.status}:${f.severity}`))].sort();
    });
    const dir = `${CORPUS}/kyverno-policies/other`;
    expect(await bindEach([`${dir}/restrict-wildcard-resources/resources-01.yaml`])).toEqual([
      'rbac-secrets-read:bind-clusterrole-470109:fail:high', // verbs "*" on secrets
      'rbac-wildcard-verbs:bind-clusterrole-470109:warn:low', // "*" verbs on one named resource
      'rbac-wildcard:bind-clusterrole-441938:fail:high', // apiGroups "*"
    ]);
    // The same roles as namespaced Roles (no namespace in the file → default): Secrets read only warns.
    expect(await bindEach([`${dir}/restrict-wildcard-resources/resources-02.yaml`])).toEqual([
      'rbac-secrets-read-namespaced:bind-clusterrole-470109:warn:low', 'rbac-wildcard-verbs:bind-clusterrole-470109:warn:low', 'rbac-wildcard:bind-clusterrole-441938:fail:medium',
    ]);
    expect(await bindEach([`${dir}/restrict-secret-role-verbs/resources-01.yaml`])).toEqual([
      'rbac-secrets-read:bind-clusterrole-320746:fail:high', 'rbac-secrets-read:bind-clusterrole-331636:fail:high', 'rbac-secrets-read:bind-clusterrole-726648:fail:high',
    ]);
    expect(await bindEach([`${dir}/restrict-secret-role-verbs/resources-02.yaml`])).toEqual([]); // create/update/patch on secrets: no read
  });

  it('kyverno cluster-admin bindings: a group and a service account, neither approved', async () => {
    const r = await corpusFailures(CC5_IAM_03, [`${CORPUS}/kyverno-policies/other/restrict-binding-clusteradmin/resources-02.yaml`]);
    expect(r).toEqual(['cluster-admin-binding:clusterrolebinding-737167', 'cluster-admin-binding:clusterrolebinding-817749']);
  });
});

describe.skipIf(!existsSync(CORPUS))('CC5-HARD-01 against kubescape PSS namespaces', () => {
  it('unlabelled namespaces fail; baseline with audit/warn restricted and restricted pass', async () => {
    const dir = `${CORPUS}/kubescape-regolibrary`;
    expect(await corpusFailures(CC5_HARD_01, [`${dir}/pod-security-admission-baseline-applied-1/case-02`])).toEqual(['pss-labels:my-namespace']);
    expect(await corpusFailures(CC5_HARD_01, [`${dir}/pod-security-admission-baseline-applied-1/case-03`])).toEqual([]);
    expect(await corpusFailures(CC5_HARD_01, [`${dir}/pod-security-admission-restricted-applied-1/case-01`])).toEqual([]);
    expect(await corpusFailures(CC5_HARD_01, [`${dir}/pod-security-admission-restricted-applied-1/case-03`])).toEqual(['pss-labels:my-baseline-namespace']);
  });
});

describe.skipIf(!existsSync(CORPUS))('Pod security verdicts on the kyverno pod-security resources (independent oracles)', () => {
  const load = (path: string) => collectFiles([`${CORPUS}/kyverno-policies/pod-security/${path}`], { toolVersion: 'test', completeInventory: true }).then((snap) => snap.kubernetes.objects);
  const verdicts = (r: ControlResult, rule: string) => new Map(r.findings.filter((f) => f.rule === rule).map((f) => [f.resource.name, f.status]));

  it('baseline seccomp: a workload violates exactly when some pod- or container-level profile is Unconfined', async () => {
    const objs = await load('baseline/restrict-seccomp/resource.yaml');
    const inNs = objs.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'web' } }));
    const nsObj = runCaseObjects(ns('web', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' }));
    const r = runCase(CC5_HARD_01, { name: 'seccomp', k8s: [...nsObj, ...inNs] });
    const v = verdicts(r, 'pss-running-pods');
    expect(v.size).toBe(objs.length);
    for (const o of objs) expect(v.get(o.metadata.name!), o.metadata.name).toBe(JSON.stringify(o.spec).includes('"Unconfined"') ? 'warn' : 'pass');
  });

  it('restricted capabilities: drop must list "ALL" in every container, add at most NET_BIND_SERVICE', async () => {
    const objs = await load('restricted/disallow-capabilities-strict/resource.yaml');
    const r = runCase(CC5_HARD_03, { name: 'caps', k8s: objs.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'web' } })) });
    const drop = verdicts(r, 'drop-capabilities');
    const add = verdicts(r, 'no-added-capabilities');
    for (const o of objs) {
      const spec = podTemplate(o)!.spec;
      const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
      const dropsAll = containers.every((c) => (c.securityContext?.capabilities?.drop ?? []).includes('ALL'));
      const addsOnlyNbs = containers.every((c) => (c.securityContext?.capabilities?.add ?? []).every((a) => a === 'NET_BIND_SERVICE'));
      expect(drop.get(o.metadata.name!), `${o.metadata.name} drop`).toBe(dropsAll ? 'pass' : 'warn');
      expect(add.get(o.metadata.name!), `${o.metadata.name} add`).toBe(addsOnlyNbs ? 'pass' : 'warn');
    }
  });
});

describe.skipIf(!existsSync(CORPUS))('CC5-HARD-04 against kubescape and polaris resource cases', () => {
  it('judges requests and memory limits per workload; CPU limits are not required', async () => {
    const k = `${CORPUS}/kubescape-regolibrary`;
    expect(await corpusFailures(CC5_HARD_04, [`${k}/resources-cpu-requests/case-01`])).toEqual([]);
    expect(await corpusFailures(CC5_HARD_04, [`${k}/resources-cpu-requests/case-02`])).toEqual(['namespace-quota:default', 'resource-requests:frontend']);
    expect(await corpusFailures(CC5_HARD_04, [`${k}/resources-memory-limits/case-01`])).toEqual(['namespace-quota:default', 'resource-limits:frontend']);
    // a container without a CPU limit but with requests and a memory limit passes
    expect(await corpusFailures(CC5_HARD_04, [`${k}/resources-cpu-limits/case-03`])).toEqual(['namespace-quota:default', 'resource-requests:frontend']);
    expect(await corpusFailures(CC5_HARD_04, [`${CORPUS}/polaris/cpuRequestsMissing/case-02.yaml`])).toEqual(['namespace-quota:default', 'resource-limits:nginx']);
  });
});

describe.skipIf(!existsSync(CORPUS))('CC5-HARD-02 with the Gatekeeper docs constraint status', () => {
  it('reports the audit violations of a deny constraint (and the old audit timestamp)', async () => {
    const snap = await collectFiles([`${CORPUS}/gatekeeper-docs/constraint-status-example.yaml`], { toolVersion: 'test', completeInventory: true });
    const r = runCase(CC5_HARD_02, { name: 'gk-docs', k8s: [...snap.kubernetes.objects, ...runCaseObjects(healthyGk)] });
    const v = r.findings.find((f) => f.rule === 'gatekeeper-violations');
    expect(v?.status).toBe('warn');
    expect(v?.message).toMatch(/4 existing resource/);
    expect(r.findings.some((f) => f.rule === 'gatekeeper-healthy' && f.status === 'fail' && /2019-05-11/.test(f.message))).toBe(true);
    expect(r.findings.find((f) => f.rule === 'gatekeeper-enforcement')?.status).toBe('pass');
  });
});

describe.skipIf(!existsSync(CORPUS))('CC5-IAM-04 against kubescape ClusterDescribe envelopes', () => {
  /** kubescape wraps DescribeCluster (aws-sdk-go v2, PascalCase) in a ClusterDescribe object: map it to the SDK v3 shape. */
  const load = (file: string) => {
    const env = JSON.parse(readFileSync(file, 'utf8')) as { data: { Cluster?: Record<string, unknown>; cluster?: Record<string, unknown> } };
    const c = (env.data.Cluster ?? env.data.cluster)!;
    const v = (c.ResourcesVpcConfig ?? c.resourcesVpcConfig) as Record<string, unknown>;
    const pick = (k: string) => v[k] ?? v[k[0]!.toLowerCase() + k.slice(1)];
    return describeCluster({
      name: String(c.Name ?? c.name), arn: String(c.Arn ?? c.arn),
      resourcesVpcConfig: { endpointPublicAccess: pick('EndpointPublicAccess'), endpointPrivateAccess: pick('EndpointPrivateAccess'), publicAccessCidrs: pick('PublicAccessCidrs') } as JsonObject,
    });
  };
  const verdict = (file: string) => {
    const f = load(file);
    const r = runCase(CC5_IAM_04, { name: file, aws: [f], cluster: { name: (f.output.cluster as JsonObject).name as string } });
    return [r.status, ...r.findings.filter((x) => x.status === 'fail').map((x) => x.rule).sort()].join(' ');
  };
  const dir = `${CORPUS}/kubescape-regolibrary/ensure-endpointprivateaccess-is-enabled-and-endpointpublicaccess-is-disabled-eks`;
  it('private only passes; public with the placeholder CIDR or 0.0.0.0/0 fails; both off is unusable evidence', () => {
    const warnings = (file: string) => runCase(CC5_IAM_04, { name: file, aws: [load(file)], cluster: { name: (load(file).output.cluster as JsonObject).name as string } }).findings.filter((x) => x.status === 'warn').map((x) => x.rule);
    expect(warnings(`${dir}/case-04/eks.json`)).toEqual(['endpoint-private-access']);
    expect(verdict(`${dir}/case-03/eks.json`)).toBe('pass');
    expect(verdict(`${dir}/case-01/eks.json`)).toBe('error'); // public and private both off: EKS does not allow it
    expect(verdict(`${dir}/case-02/eks.json`)).toBe('fail endpoint-public-access'); // "XXXX/32" is not a CIDR
    // public to everyone without private access: the public rule fails; private access off is a warning
    expect(verdict(`${dir}/case-04/eks.json`)).toBe('fail endpoint-public-access');
    expect(verdict(`${CORPUS}/kubescape-regolibrary/ensure-endpointpublicaccess-is-disabled-on-private-nodes-eks/case-02/eks.json`)).toBe('fail endpoint-public-access');
  });
});

describe('CC5 in the built-in demo', () => {
  it('shows a realistic mix: IRSA wildcard, legacy RBAC, Gatekeeper failing open (a warning), attested MFA, quotas per namespace', () => {
    const now = new Date('2026-11-26T12:00:00Z');
    const { waivers, attestations } = demoPolicies(now);
    const run = evaluate(demoSnapshot('test', now), catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now, sections: ['CC5'], waivers, attestations });
    const by = Object.fromEntries(run.controls.map((c) => [c.id, c]));
    const failing = (id: string) => by[id]!.findings.filter((f) => f.status === 'fail' && !f.system).map((f) => `${f.rule}:${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`);
    expect(by['CC5-IAM-01']!.status).toBe('pass');
    expect(failing('CC5-IAM-02')).toEqual(['irsa-trust:legacy/deployer']);
    expect(failing('CC5-IAM-03')).toEqual(expect.arrayContaining(['cluster-admin-binding:legacy-deployer-admin', 'rbac-wildcard:legacy/legacy-ops', 'cluster-admin-count:acme-prod']));
    // legacy-team's "*" in legacy reaches the namespace's deployer account, which is cluster-admin
    expect(failing('CC5-IAM-03')).toContain('rbac-privilege-escalation:legacy/legacy-ops');
    expect(failing('CC5-IAM-03').some((f) => f.includes('soc2-auditor') || f.startsWith('rbac-anonymous'))).toBe(false);
    const warning = by['CC5-IAM-03']!.findings.filter((f) => f.status === 'warn' && !f.system).map((f) => `${f.rule}:${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`);
    expect(warning).toEqual(expect.arrayContaining(['rbac-secrets-read-namespaced:legacy/secret-reader', 'rbac-default-sa:legacy/secret-reader']));
    expect(by['CC5-IAM-04']!.status).toBe('pass');
    expect(by['CC5-IAM-05']!.status).toBe('pass');
    expect(by['CC5-IAM-05']!.attestation?.attestedBy).toBe('it-security@acme.example');
    const warningOf = (id: string) => by[id]!.findings.filter((f) => f.status === 'warn' && !f.system).map((f) => `${f.rule}:${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`);
    expect(failing('CC5-HARD-01')).toEqual(expect.arrayContaining(['pss-labels:legacy']));
    expect(warningOf('CC5-HARD-01')).toEqual(['pss-audit-warn:storefront']);
    // Gatekeeper is installed, healthy and enforces one constraint: failing open and a dryrun constraint are warnings.
    expect(by['CC5-HARD-02']!.status).toBe('pass');
    expect(warningOf('CC5-HARD-02')).toEqual(expect.arrayContaining(['gatekeeper-fail-closed:gatekeeper-validating-webhook-configuration', 'gatekeeper-constraint-mode:allowed-repos']));
    expect(by['CC5-HARD-03']!.status).toBe('fail');
    expect(warningOf('CC5-HARD-03')).toEqual(expect.arrayContaining(['no-host-path:legacy/billing-monolith', 'seccomp-profile:legacy/debug-shell']));
    expect(failing('CC5-HARD-04')).toEqual(expect.arrayContaining(['namespace-quota:legacy']));
    expect(failing('CC5-HARD-04').some((f) => f.includes('payments') || f.includes('data'))).toBe(false);
    for (const c of run.controls) expect(c.status, `${c.id}: ${c.message}`).not.toBe('error');
  });
});
