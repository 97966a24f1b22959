import jsYaml from 'js-yaml';
import type { K8sObject } from '../model/index.js';

/** ConfigMaps whose data controls read, kept whole (by namespace/name). */
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
      const data = obj.data as Record<string, unknown> | undefined;
      const falco = data && typeof data[FALCO_CONFIG] === 'string' ? reduceFalcoConfig(data[FALCO_CONFIG]) : undefined;
      if (obj.data !== undefined) obj.data = falco !== undefined ? { [FALCO_CONFIG]: falco } : {};
      if (obj.binaryData !== undefined) obj.binaryData = {};
    }
    return obj;
  }
  redactEnv(obj);
  return obj;
}

/** The data key of Falco's configuration in its ConfigMap (the Helm chart's, whatever its name). */
export const FALCO_CONFIG = 'falco.yaml';
/** The settings of falco.yaml that say where alerts go; everything else (URLs, programs, keys) is dropped. */
const FALCO_OUTPUTS = ['stdout_output', 'file_output', 'syslog_output', 'http_output', 'program_output', 'grpc_output', 'grpc'];
const FALCO_REDUCED = '# reduced by eks-soc2: only the alert output switches of falco.yaml are kept\n';

/**
 * Keep of a falco.yaml only which outputs are enabled (CC4-MON-05 reads them): its URLs, program
 * lines and TLS settings can carry credentials. Undefined when it does not parse (the data is then
 * withheld and the control asks for an attestation).
 */
export function reduceFalcoConfig(text: string): string | undefined {
  if (text.startsWith(FALCO_REDUCED)) return text;
  let cfg: unknown;
  try {
    cfg = jsYaml.load(text, { json: true });
  } catch {
    return undefined;
  }
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) return undefined;
  const src = cfg as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of FALCO_OUTPUTS) {
    const v = src[k];
    if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
    const enabled = (v as Record<string, unknown>).enabled;
    out[k] = typeof enabled === 'boolean' ? { enabled } : {};
  }
  if (typeof src.json_output === 'boolean') out.json_output = src.json_output;
  return `${FALCO_REDUCED}${JSON.stringify(out)}\n`;
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
