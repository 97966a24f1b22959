import type { K8sObject } from '../model/index.js';

/** ConfigMaps whose data controls read (by name, in kube-system or any namespace for Falco). */
export const CONFIGMAPS_WITH_EVIDENCE: ReadonlySet<string> = new Set([
  'kube-system/aws-auth', 'kube-system/amazon-vpc-cni', 'kube-system/cluster-autoscaler-status',
]);

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Environment variable names whose literal values are treated as credentials. */
const SECRET_NAME = /(pass(word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth)/i;
export const REDACTED = '[redacted by eks-soc2]';

/**
 * Make an object safe to keep as evidence, in place: drop `managedFields` and the last-applied
 * annotation (it can repeat a Secret's data); keep Secrets metadata-only; drop ConfigMap data
 * unless a control reads that ConfigMap; redact literal values of credential-looking env vars
 * (the name stays, so checks can still flag the practice).
 */
/** Cluster-scoped kinds: the API server ignores a `metadata.namespace` on them, and so do we. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'CSIDriver', 'ClusterRole', 'ClusterRoleBinding',
  'CustomResourceDefinition', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService',
  'PriorityClass', 'IngressClass', 'RuntimeClass', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
]);

export function sanitizeObject(obj: K8sObject): K8sObject {
  const meta = obj.metadata;
  if (meta?.namespace !== undefined && CLUSTER_SCOPED.has(obj.kind)) delete meta.namespace;
  if (meta) {
    delete meta.managedFields;
    if (meta.annotations && LAST_APPLIED in meta.annotations) {
      delete meta.annotations[LAST_APPLIED];
    }
  }
  if (obj.kind === 'Secret' && (obj.apiVersion === 'v1' || obj.apiVersion === undefined)) {
    for (const k of Object.keys(obj)) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata' && k !== 'type' && k !== '$source') delete obj[k];
    return obj;
  }
  if (obj.kind === 'ConfigMap' && obj.apiVersion === 'v1') {
    const id = `${meta?.namespace ?? ''}/${meta?.name ?? ''}`;
    if (!CONFIGMAPS_WITH_EVIDENCE.has(id)) {
      if (obj.data !== undefined) obj.data = {};
      if (obj.binaryData !== undefined) obj.binaryData = {};
    }
    return obj;
  }
  redactEnv(obj);
  return obj;
}

/** Keys never holding pod specs (so never an `env` list) at the top of an object: skipped. */
const NO_ENV_TOP = new Set(['metadata', 'status', 'apiVersion', 'kind', '$source']);

function redactEnv(node: unknown, depth = 0): void {
  if (depth > 12 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const x = node[i];
      if (x !== null && typeof x === 'object') redactEnv(x, depth + 1);
    }
    return;
  }
  const rec = node as Record<string, unknown>;
  // for…in instead of Object.entries: no array allocated per object (this walks every object read).
  for (const k in rec) {
    if (depth === 0 && NO_ENV_TOP.has(k)) continue;
    const v = rec[k];
    if (v === null || typeof v !== 'object') continue;
    if (k === 'env' && Array.isArray(v)) {
      for (const e of v) {
        if (e && typeof e === 'object') {
          const ev = e as Record<string, unknown>;
          if (typeof ev.name === 'string' && typeof ev.value === 'string' && ev.value !== '' && SECRET_NAME.test(ev.name)) ev.value = REDACTED;
        }
      }
    } else {
      redactEnv(v, depth + 1);
    }
  }
}
