/**
 * CC5 — Control Activities: "Access Management and Authentication" and "Kubernetes Security
 * Hardening" (checklist Part 2).
 */
import type { ControlDefinition } from '../model/index.js';
import { defineControl } from './define.js';
import { need } from './lib/keys.js';
import { POD_SECURITY_RULES, checkPodSecurity } from './lib/pod-security.js';
import type { PodSecurityRule } from './lib/pod-security.js';
import { workloads } from './lib/workloads.js';

const HARD_03_RULES: PodSecurityRule[] = [
  'run-as-non-root', 'read-only-root-fs', 'no-privileged', 'no-privilege-escalation', 'drop-capabilities',
  'no-added-capabilities', 'seccomp-profile', 'no-host-path', 'no-host-network', 'no-host-pid', 'no-host-ipc',
];

export const CC5_HARD_03 = defineControl({
  id: 'CC5-HARD-03',
  title: 'Pods run with restrictive security contexts (non-root, read-only root filesystem, no escalation)',
  section: 'CC5',
  under: 'hardening',
  tsc: ['CC6.8', 'CC7.1'],
  automation: 'automated',
  severity: 'high',
  description:
    'Every workload outside the system namespaces declares the security context of the Pod Security Standards "restricted" ' +
    'profile — non-root, no privilege escalation, ALL capabilities dropped, a RuntimeDefault or Localhost seccomp profile, no ' +
    'privileged containers, no host namespaces or hostPath volumes — plus a read-only root filesystem, which no PSS level checks. ' +
    'Effective values are resolved from the pod and container securityContext across containers, init and ephemeral containers, ' +
    'and reported once per controller, not per replica.',
  requires: [need.workloads()],
  rules: Object.fromEntries(HARD_03_RULES.map((r) => [r, POD_SECURITY_RULES[r]])),
  remediation: {
    summary:
      'Set the fields in each pod template, then enforce them: PSS "restricted" (CC5-HARD-01) covers everything but the read-only ' +
      'root filesystem, which needs a policy-engine rule (Gatekeeper, Kyverno or a ValidatingAdmissionPolicy).',
    manifest: `spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
      volumeMounts:            # writable scratch space, if the app needs one
        - { name: tmp, mountPath: /tmp }
  volumes:
    - { name: tmp, emptyDir: {} }`,
  },
  references: [
    { title: 'Kubernetes: Pod Security Standards', url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/' },
    { title: 'EKS Best Practices: Pod security', url: 'https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html' },
  ],
  check(ev, ctx) {
    for (const w of workloads(ev)) {
      for (const rule of HARD_03_RULES) {
        const v = checkPodSecurity(rule, w.spec);
        if (!v) continue;
        if (v.ok) ctx.pass(w.obj, rule, v.message);
        else ctx.fail(w.obj, rule, v.message, v.severity ? { severity: v.severity } : undefined);
      }
    }
  },
});

export const controls: ControlDefinition[] = [CC5_HARD_03];
