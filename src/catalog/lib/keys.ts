import type { EvidenceKey, EvidenceRequirement } from '../../model/index.js';

/** Kinds that carry a pod spec, in the order reports list them. */
export const WORKLOAD_KINDS = [
  'core/Pod', 'apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet',
  'batch/Job', 'batch/CronJob', 'core/ReplicationController',
  // Argo Rollouts replace Deployments (progressive delivery) and own their ReplicaSets.
  'argoproj.io/Rollout',
] as const;

export const k8s = (kind: string): EvidenceKey => `k8s:${kind}`;
export const aws = (operation: string): EvidenceKey => `aws:${operation}`;

export const WORKLOAD_KEYS: EvidenceKey[] = WORKLOAD_KINDS.map(k8s);

/** Requirement helpers for the common cases. */
export const need = {
  workloads: (): EvidenceRequirement => ({ anyOf: WORKLOAD_KEYS, what: 'workloads (Pods and their controllers)' }),
  kind: (kind: string, what: string): EvidenceRequirement => ({ anyOf: [k8s(kind)], what }),
  anyKind: (kinds: string[], what: string): EvidenceRequirement => ({ anyOf: kinds.map(k8s), what }),
  aws: (operation: string, what: string): EvidenceRequirement => ({ anyOf: [aws(operation)], what }),
};
