import { expect } from 'vitest';
import { CC5_HARD_03 } from '../../src/catalog/cc5.js';
import { testControl, runCase } from '../helpers/control-tester.js';
import { it } from 'vitest';

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
      name: 'container-level settings override an insecure pod level',
      k8s: `
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: shop }
spec:
  securityContext: { runAsNonRoot: false, seccompProfile: { type: Unconfined } }
  containers:
    - name: c
      image: x:1
      securityContext: { runAsNonRoot: true, seccompProfile: { type: Localhost, localhostProfile: p.json }, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [all] } }
`,
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
      expect: { failing: ['no-privileged', 'run-as-non-root', 'no-host-path', 'no-host-network', 'no-host-pid', 'no-host-ipc', 'no-privilege-escalation', 'drop-capabilities', 'seccomp-profile', 'read-only-root-fs'] },
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
      expect: { failing: ['no-added-capabilities', 'drop-capabilities', 'read-only-root-fs', 'no-privilege-escalation'], message: /failing/ },
    },
    {
      name: 'the alpha seccomp annotation does not count (non-functional since 1.25)',
      k8s: `
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: shop, annotations: { seccomp.security.alpha.kubernetes.io/pod: runtime/default } }
spec:
  securityContext: { runAsNonRoot: true }
  containers: [{ name: c, image: x:1, securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } } }]
`,
      expect: { failing: ['seccomp-profile'], notFailing: ['run-as-non-root', 'drop-capabilities'] },
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
      name: 'Windows pods skip the Linux-only rules',
      k8s: `
apiVersion: v1
kind: Pod
metadata: { name: win, namespace: shop }
spec:
  os: { name: windows }
  securityContext: { runAsNonRoot: true }
  containers: [{ name: c, image: x:1, securityContext: { readOnlyRootFilesystem: true } }]
`,
      expect: { status: 'pass', assert: (r) => expect(r.findings.some((f) => f.rule === 'seccomp-profile')).toBe(false) },
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
