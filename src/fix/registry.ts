import type { Finding } from '../model/index.js';
import type { FixContext, FixOutcome } from './context.js';
import { KUBERNETES_FIXERS } from './kubernetes.js';
import { AWS_FIXERS } from './aws.js';

export type Fixer = (f: Finding, ctx: FixContext) => FixOutcome[];

/** Every fixer, keyed by control and rule. */
export const FIXERS: Readonly<Record<string, Readonly<Record<string, Fixer>>>> = (() => {
  const out: Record<string, Record<string, Fixer>> = {};
  for (const table of [KUBERNETES_FIXERS, AWS_FIXERS]) {
    for (const [control, rules] of Object.entries(table)) out[control] = { ...(out[control] ?? {}), ...rules };
  }
  return out;
})();

/**
 * Rules whose fix needs a value or a judgement eks-soc2 does not have: what to decide and why it
 * is not automatic. Listed so the plan says so instead of leaving the finding unmentioned.
 */
export const DECISIONS: Readonly<Record<string, Readonly<Record<string, { decide: string; why: string }>>>> = {
  'CC5-HARD-04': {
    'resource-requests': { decide: 'set CPU and memory requests for each container', why: 'the right values come from the workload\'s measured usage, which is not in the evidence' },
    'resource-limits': { decide: 'set a memory limit for each container', why: 'the right value comes from the workload\'s measured peak, which is not in the evidence' },
    'namespace-quota': { decide: 'size the namespace\'s ResourceQuota and LimitRange defaults', why: 'the budget of the namespace is a capacity decision' },
  },
  'CC3-IMG-04': {
    'image-tag-pinned': { decide: 'pin the image to the digest that was tested (image@sha256:…)', why: 'which digest was reviewed and tested is not in the evidence' },
    'registry-policy': { decide: 'list the approved registries in the policy', why: 'which registries are approved is an organisational decision' },
  },
  'CC9-ENC-04': {
    'ingress-tls': { decide: 'add a TLS section with the certificate\'s Secret (or an ACM certificate annotation)', why: 'the certificate and its host names are not in the evidence' },
    'service-lb-tls': { decide: 'terminate TLS on the load balancer (the ACM certificate ARN annotation)', why: 'the certificate is not in the evidence' },
    'listener-tls': { decide: 'move the listener to HTTPS/TLS with a certificate and a TLS policy', why: 'the certificate is not in the evidence' },
  },
  'CC5-IAM-03': {
    'rbac-wildcard': { decide: 'replace wildcards with the verbs and resources the subject uses', why: 'what the subject needs is not in the evidence (audit logs show it)' },
    'rbac-secrets-read': { decide: 'limit Secret access to the named Secrets the subject needs', why: 'which Secrets it reads is not in the evidence' },
    'rbac-default-sa': { decide: 'bind the permissions to a dedicated service account instead of default', why: 'which pods need them is not in the evidence' },
    'cluster-admin-binding': { decide: 'approve the binding (clusterAdminAllowlist) or replace it with a narrower role', why: 'who must administer the cluster is an access decision' },
  },
  'P1-IAM-03': {
    'cluster-admin-binding': { decide: 'approve the principal (clusterAdminAllowlist) or remove its cluster-admin access', why: 'who must administer the cluster is an access decision' },
  },
  'CC7-CFG-03': {
    'no-literal-secret-env': { decide: 'move the value to AWS Secrets Manager and mount it (Secrets Store CSI driver or External Secrets)', why: 'the secret must be created and rotated outside the manifest' },
  },
};
