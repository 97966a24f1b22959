/**
 * AWS evidence collector (live, read-only, AWS SDK for JavaScript v3) and offline loader
 * (`--aws-evidence DIR`). See docs/aws.md.
 */
export { collectAwsLive, ALLOWLIST } from './collect.js';
export type { AwsCollectResult, AwsProgress, LiveAwsOptions } from './collect.js';
export { loadAwsEvidence, offlineFileName, AwsEvidenceDirError } from './offline.js';
export type { OfflineAwsOptions } from './offline.js';
export { inferEksCluster, parseEksArn } from './kubeconfig.js';
export type { KubeconfigCluster } from './kubeconfig.js';
export { PLANS, defaultActions, findPlan, resolvePlans } from './registry.js';
export { isReadOnlyAction, FORBIDDEN_ACTIONS, ReadOnlyViolation } from './readonly.js';
