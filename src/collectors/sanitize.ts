import jsYaml from 'js-yaml';
import type { K8sObject, Snapshot } from '../model/index.js';
import { MAX_DEPTH } from './shape.js';

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
    const ann = meta.annotations;
    if (ann !== null && typeof ann === 'object' && LAST_APPLIED in ann) {
      delete ann[LAST_APPLIED];
    }
  }
  if (obj.kind === 'Secret' && (obj.apiVersion === 'v1' || obj.apiVersion === undefined)) {
    for (const k of Object.keys(obj)) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata' && k !== 'type' && k !== '$source') delete obj[k];
    redactObjectValues(obj);
    return obj;
  }
  if (obj.kind === 'ConfigMap' && obj.apiVersion === 'v1') {
    const id = `${meta?.namespace ?? ''}/${meta?.name ?? ''}`;
    if (!CONFIGMAPS_WITH_EVIDENCE.has(id)) {
      const data = obj.data as Record<string, unknown> | undefined;
      const falco = data && typeof data[FALCO_CONFIG] === 'string' ? reduceFalcoConfig(data[FALCO_CONFIG]) : undefined;
      if (obj.data !== undefined) obj.data = falco !== undefined ? { [FALCO_CONFIG]: falco } : {};
      if (obj.binaryData !== undefined) obj.binaryData = {};
    } else if (id === 'kube-system/aws-auth') {
      withoutComments(obj);
    }
    redactObjectValues(obj);
    return obj;
  }
  redactObjectValues(obj);
  return obj;
}

// ------------------------------------------------------------------ redaction by value

/**
 * Credentials recognised by their value wherever they appear in kept evidence (issue 18 item 16):
 * names alone miss an AWS key in an env var called `CONN`, a password in a DATABASE_URL, a token on
 * a command line. Each rule keeps what identifies the setting (the flag, the URL's host, the key
 * id's place) and replaces the secret. Documented in docs/limits.md "Redaction".
 */
const R = REDACTED;
/** Values that cannot be a credential (a switch, a number, a duration): kept even under a credential-like name. */
const TRIVIAL = /^["']?(?:true|false|yes|no|on|off|enabled?|disabled?|none|null|\d+(?:\.\d+)?[smhdw]?|)["']?$/i;
const keepQuotes = (v: string) => (/^["'].*["']$/s.test(v) ? `${v[0]}${R}${v[v.length - 1]}` : R);
/** Flag names that hold a credential, and the endings of those that only name or locate one. */
const CREDENTIAL_WORD = '(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|auth[_-]?key)';
const NOT_A_CREDENTIAL = /(?:file|path|dir|directory|ttl|name|ref|env|mount|id|endpoint|url|uri|audience|type|expiration|expiry|duration|period|lifetime|length|size|header|namespace|field|prefix|source|store|version|issuer|mode|enabled?|required|review|webhook)$/i;
const FLAG_WITH_VALUE = new RegExp(`((?:^|\\s)--?[\\w.-]*${CREDENTIAL_WORD}[\\w.-]*)(=|\\s+)("[^"]*"|'[^']*'|[^\\s"'-][^\\s]*)`, 'gi');
const FLAG_ALONE = new RegExp(`^--?[\\w.-]*${CREDENTIAL_WORD}[\\w.-]*$`, 'i');
const ASSIGNMENT = new RegExp(`(\\b[A-Za-z_][A-Za-z0-9_]*${CREDENTIAL_WORD}[A-Za-z0-9_]*\\s*=\\s*)("[^"]*"|'[^']*'|[^\\s;&|'"]+)`, 'gi');
const KEY_VALUE = new RegExp(`((?:^|[\\s{,"'])["']?[\\w.-]*${CREDENTIAL_WORD}["']?\\s*:\\s*)("[^"]*"|'[^']*'|[^\\s,}\\]"']+)`, 'gi');

export const VALUE_RULES: readonly { name: string; re: RegExp; replace: (m: string, ...groups: string[]) => string }[] = [
  { name: 'PEM private key', re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, replace: () => R },
  { name: 'AWS access key id and the secret after it', re: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b(?:([^A-Za-z0-9/+]{1,3})[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+]))?/g, replace: (_m, sep) => (sep !== undefined ? `${R}${sep}${R}` : R) },
  { name: 'AWS secret access key by its name', re: /(aws_?secret_?access_?key|secret_?access_?key)(["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}/gi, replace: (_m, k, sep) => `${k}${sep}${R}` },
  { name: 'JSON Web Token', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, replace: () => R },
  { name: 'URL user information (user:password@)', re: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#@]+)@/gi, replace: (_m, scheme, user) => `${scheme}${user}:${R}@` },
  { name: 'URL token as user (token@host)', re: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]{16,})@/gi, replace: (_m, scheme) => `${scheme}${R}@` },
  { name: 'Slack, Discord and Teams webhook URL', re: /(https?:\/\/(?:hooks\.slack\.com\/(?:services|workflows|triggers)|(?:[\w-]+\.)?discord(?:app)?\.com\/api\/webhooks|[\w-]+\.webhook\.office\.com\/webhookb2|outlook\.office(?:365)?\.com\/webhook)\/)[^\s"'<>]+/gi, replace: (_m, base) => `${base}${R}` },
  { name: 'credential in a URL query', re: /([?&][\w.-]*(?:token|secret|password|passwd|pwd|api[_-]?key|apikey|access[_-]?key|signature|sig|auth|credential|code)[\w.-]*=)[^&\s"'#<>]+/gi, replace: (_m, k) => `${k}${R}` },
  { name: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, replace: () => R },
  { name: 'GitHub or GitLab token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}|glpat-[A-Za-z0-9_-]{20,})/g, replace: () => R },
  { name: 'Vault token', re: /\b(?:hv[sbr]\.[A-Za-z0-9_-]{20,}|s\.[A-Za-z0-9]{24})\b/g, replace: () => R },
  { name: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/g, replace: () => R },
  { name: 'Stripe live key', re: /\b[rs]k_live_[0-9A-Za-z]{16,}/g, replace: () => R },
  { name: 'Authorization header value', re: /(authorization["']?\s*[:=]\s*["']?(?:bearer|basic|token)\s+)[^\s"']+/gi, replace: (_m, k) => `${k}${R}` },
  { name: 'curl -u user:password', re: /((?:^|\s)(?:-u|--user|--proxy-user)(?:=|\s+)["']?)([^\s:"']+):([^\s"']+)/g, replace: (_m, f, user) => `${f}${user}:${R}` },
  {
    name: 'password or token argument (--password=x, --token x)', re: FLAG_WITH_VALUE,
    replace: (m, flag, sep, value) => (NOT_A_CREDENTIAL.test(flag) || value === R || TRIVIAL.test(value) ? m : `${flag}${sep}${keepQuotes(value)}`),
  },
  { name: 'credential variable assignment (DB_PASSWORD=x)', re: ASSIGNMENT, replace: (m, k, value) => (value === R || TRIVIAL.test(value) ? m : `${k}${keepQuotes(value)}`) },
  { name: 'credential key in embedded YAML or JSON (password: x)', re: KEY_VALUE, replace: (m, k, value) => (value === R || TRIVIAL.test(value) || /^["']?\$\{/.test(value) ? m : `${k}${keepQuotes(value)}`) },
];

/** Cheap test before the rules: most strings (names, images, labels) contain none of these. */
const TRIGGER = /AKIA|ASIA|:\/\/|eyJ|-----BEGIN|xox|gh[pousr]_|github_pat|glpat|hv[sbr]\.|s\.[A-Za-z0-9]{24}|AIza|_live_|pass|pwd|secret|token|key|auth|cred|sig|code|-u\s|--user|bearer|basic|webhook/i;
/** A whole value that looks like an AWS secret access key (40 base64 characters, mixed case and digits). */
const LONE_SECRET = /^[A-Za-z0-9/+]{40}$/;

/** A string with the credentials it carries replaced (VALUE_RULES); the same string when there are none. */
export function redactString(s: string): string {
  if (s.length < 8) return s;
  if (s.length === 40 && LONE_SECRET.test(s) && /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s)) return R;
  if (!TRIGGER.test(s)) return s;
  let out = s;
  for (const rule of VALUE_RULES) out = out.replace(rule.re, rule.replace as (m: string, ...g: string[]) => string);
  return out;
}

/**
 * redactString by value, remembered for short strings: labels, names, keys and env values repeat
 * across a cluster's objects (a pod's labels are its ReplicaSet's and its Deployment's), and most
 * of the time of redaction was the same few thousand strings tested again. Bounded: emptied when full.
 */
const redacted = new Map<string, string>();
const REMEMBER_MAX_LENGTH = 256;
const REMEMBER_MAX_ENTRIES = 16_384;
function redactRemembered(s: string): string {
  if (s.length > REMEMBER_MAX_LENGTH) return redactString(s);
  let r = redacted.get(s);
  if (r === undefined) {
    r = redactString(s);
    if (redacted.size >= REMEMBER_MAX_ENTRIES) redacted.clear();
    redacted.set(s, r);
  }
  return r;
}

/**
 * Keys whose values are never credentials and must stay exact (identity, image references), or are
 * enumerations and references the API defines (they make up most strings of a pod): not scanned.
 */
const KEEP_KEYS = new Set([
  'apiVersion', 'kind', 'name', 'namespace', 'uid', 'generateName', 'resourceVersion', 'image', 'imageID', '$source', 'creationTimestamp',
  'mountPath', 'subPath', 'fieldPath', 'apiGroup', 'apiGroups', 'resources', 'verbs', 'resourceNames', 'type', 'operator', 'effect', 'protocol', 'imagePullPolicy',
  'restartPolicy', 'dnsPolicy', 'schedulerName', 'serviceAccountName', 'serviceAccount', 'nodeName', 'priorityClassName', 'terminationMessagePath',
  'terminationMessagePolicy', 'lastTransitionTime', 'lastProbeTime', 'phase', 'reason', 'storageClassName', 'volumeName', 'claimName', 'secretName',
  'containerID', 'hostIP', 'podIP', 'ip', 'clusterIP', 'topologyKey', 'whenUnsatisfiable', 'preemptionPolicy', 'runtimeClassName', 'controller',
]);
/** Annotation and label keys that name a credential (their values are redacted unless trivially not one). */
const CREDENTIAL_KEY = new RegExp(`${CREDENTIAL_WORD}`, 'i');

/**
 * Replace credentials found by value everywhere in an object, in place (strings in objects and
 * arrays, command lines given as lists), plus annotation values under credential-like keys.
 * Bounded by MAX_DEPTH, as every walk of input.
 */
export function redactObjectValues(obj: object): void {
  redactIn(obj, 0);
  const meta = (obj as { metadata?: unknown }).metadata;
  if (meta && typeof meta === 'object') {
    for (const field of ['annotations', 'labels'] as const) {
      const map = (meta as Record<string, unknown>)[field];
      if (!map || typeof map !== 'object' || Object.isFrozen(map)) continue;
      for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
        const last = k.slice(k.lastIndexOf('/') + 1);
        if (typeof v === 'string' && CREDENTIAL_KEY.test(last) && !NOT_A_CREDENTIAL.test(last) && !TRIVIAL.test(v)) (map as Record<string, unknown>)[k] = R;
      }
    }
  }
}

function redactIn(node: unknown, depth: number): void {
  if (depth > MAX_DEPTH || node === null || typeof node !== 'object' || Object.isFrozen(node)) return;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v: unknown = node[i];
      if (typeof v === 'string') {
        const r = v.length < 8 ? v : redactRemembered(v);
        if (r !== v) node[i] = r;
        // A flag given as its own list item (`["--password", "s3cret"]`, `["-u", "user:pass"]`): its value is the next item.
        const next: unknown = node[i + 1];
        if (typeof next === 'string' && !next.startsWith('-') && next !== R) {
          if (FLAG_ALONE.test(v) && !NOT_A_CREDENTIAL.test(v)) node[i + 1] = R;
          else if ((v === '-u' || v === '--user' || v === '--proxy-user') && next.includes(':')) node[i + 1] = `${next.slice(0, next.indexOf(':'))}:${R}`;
        }
      } else if (v !== null && typeof v === 'object') {
        redactIn(v, depth + 1);
      }
    }
    return;
  }
  const rec = node as Record<string, unknown>;
  for (const k in rec) {
    const v = rec[k];
    if (typeof v === 'string') {
      if (v.length < 8 || KEEP_KEYS.has(k)) continue;
      const r = redactRemembered(v);
      if (r !== v) rec[k] = r;
    } else if (v !== null && typeof v === 'object' && !(depth === 0 && k === 'status' && (rec.kind === 'Pod' || rec.kind === 'Node'))) {
      // (The status of pods and nodes is what the kubelet reports, reduced at collection: never a secret.)
      // An env list: literal values of credential-like variable names are redacted whatever they hold
      // (the name stays, so checks can still flag the practice); then every value is scanned.
      if (k === 'env' && Array.isArray(v)) redactEnvList(v);
      redactIn(v, depth + 1);
    }
  }
}

/**
 * aws-auth's mapRoles, mapUsers and mapAccounts are YAML text read by P1-IAM-02 and CC5-IAM-03;
 * their comments are not evidence and have carried credentials: the text is kept without them.
 */
function withoutComments(obj: K8sObject): void {
  const data = obj.data;
  if (!data || typeof data !== 'object') return;
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (typeof v !== 'string' || !v.includes('#')) continue;
    let text: string | undefined;
    try {
      const parsed = jsYaml.load(v, { json: true, schema: jsYaml.JSON_SCHEMA });
      text = parsed === undefined ? '' : jsYaml.dump(parsed, { schema: jsYaml.JSON_SCHEMA, lineWidth: -1, noRefs: true });
    } catch {
      // Unparseable (the controls report it): whole-line comments at least are dropped.
      text = v.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
    }
    (data as Record<string, unknown>)[k] = text;
  }
}

/**
 * Redact credentials by value across a whole snapshot: Kubernetes objects, AWS facts, tool reports
 * and the API server URL. Collectors redact as they read; this pass is for snapshots read back from
 * a store written before value redaction (`scan --run`).
 */
export function redactSnapshot(snap: Snapshot): Snapshot {
  for (const o of snap.kubernetes.objects) redactObjectValues(o);
  for (const f of snap.aws.facts) redactObjectValues(f);
  for (const t of snap.tools) if (t.data && typeof t.data === 'object') redactObjectValues(t.data);
  if (snap.cluster.server) snap.cluster.server = redactString(snap.cluster.server);
  return snap;
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

/** Literal values of credential-like environment variable names (`API_TOKEN`, `DB_PASSWORD`). */
function redactEnvList(env: unknown[]): void {
  for (const e of env) {
    if (e && typeof e === 'object' && !Object.isFrozen(e)) {
      const ev = e as Record<string, unknown>;
      if (typeof ev.name === 'string' && typeof ev.value === 'string' && ev.value !== '' && SECRET_NAME.test(ev.name)) ev.value = REDACTED;
    }
  }
}
