import type { Finding, K8sObject } from '../model/index.js';
import { WORKLOAD_KINDS } from '../catalog/lib/keys.js';
import { arr, podTemplate } from '../catalog/lib/workloads.js';
import type { Container, PodSpec } from '../catalog/lib/workloads.js';
import { pssViolations } from '../catalog/cc5.js';
import type { FixContext, FixOutcome } from './context.js';
import type { ObjectOp, Path } from './types.js';

/**
 * Fixers for Kubernetes findings: each turns one failing (or warning) finding into changes of the
 * object it is about, a new object, or a decision for a human. They only change what the rule
 * judges, and never invent a value (a UID, a capability list, a volume) the evidence does not give.
 */

type Fixer = (f: Finding, ctx: FixContext) => FixOutcome[];

const PSS = 'pod-security.kubernetes.io';

/** Path of the pod spec inside a workload object. */
export function podSpecPath(obj: K8sObject): Path | undefined {
  if (!podTemplate(obj)) return undefined;
  if (obj.kind === 'Pod') return ['spec'];
  if (obj.kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
  return ['spec', 'template', 'spec'];
}

interface Slot { c: Container; path: Path; label: string; ephemeral: boolean }

/** Every container of a pod spec with its path (init, regular, ephemeral). */
function slots(obj: K8sObject, spec: PodSpec): Slot[] {
  const base = podSpecPath(obj)!;
  const out: Slot[] = [];
  for (const [field, prefix] of [['initContainers', 'initContainer/'], ['containers', ''], ['ephemeralContainers', 'ephemeralContainer/']] as const) {
    arr<Container>(spec[field]).forEach((c, i) => {
      if (c && typeof c === 'object') out.push({ c, path: [...base, field, i], label: `${prefix}${c.name ?? `#${i}`}`, ephemeral: field === 'ephemeralContainers' });
    });
  }
  return out;
}

const decision = (decide: string, why: string, hint?: string): FixOutcome => ({ type: 'decision', decide, why, ...(hint ? { hint } : {}) });

function workloadOf(f: Finding, ctx: FixContext): { obj: K8sObject; spec: PodSpec; base: Path } | FixOutcome {
  const obj = ctx.objectOf(f);
  if (!obj) return decision('apply the fix by hand', `${f.resource.kind} ${f.resource.name} is not in the evidence as an object (only a reference to it)`);
  const tpl = podTemplate(obj);
  const base = podSpecPath(obj);
  if (!tpl || !base) return decision('apply the fix by hand', `${obj.kind} ${obj.metadata.name ?? ''} has no pod template`);
  return { obj, spec: tpl.spec, base };
}

const isOutcome = (v: unknown): v is FixOutcome => typeof (v as FixOutcome).type === 'string';

/** A change of the workload's containers (or a decision when an ephemeral container is the only offender). */
function containerChange(f: Finding, ctx: FixContext, o: {
  offends: (s: Slot, spec: PodSpec) => boolean;
  op: (s: Slot, spec: PodSpec) => ObjectOp[] | string;
  risk: 'safe' | 'review';
  summary: (labels: string[]) => string;
  caution?: string;
}): FixOutcome[] {
  const w = workloadOf(f, ctx);
  if (isOutcome(w)) return [w];
  const ops: ObjectOp[] = [];
  const changed: string[] = [];
  const out: FixOutcome[] = [];
  for (const s of slots(w.obj, w.spec)) {
    if (!o.offends(s, w.spec)) continue;
    if (s.ephemeral && !inManifestFile(ctx, w.obj)) {
      out.push(decision(`remove or recreate the ephemeral container ${s.label}`, 'ephemeral containers are added to a running Pod for debugging and cannot be changed afterwards'));
      continue;
    }
    const r = o.op(s, w.spec);
    if (typeof r === 'string') { out.push(decision(`${s.label}: ${r.split(' — ')[0]}`, r.split(' — ')[1] ?? r)); continue; }
    ops.push(...r);
    changed.push(s.label);
  }
  if (ops.length) out.unshift({ type: 'change', risk: o.risk, summary: o.summary(changed), ...(o.caution ? { caution: o.caution } : {}), object: w.obj, ops });
  return out;
}

const sc = (s: Slot, field: string): Path => [...s.path, 'securityContext', field];

/** The object comes from a manifest file (edited as text: an ephemeral container there is just YAML). */
function inManifestFile(ctx: FixContext, obj: K8sObject): boolean {
  return ctx.snapshot.kubernetes.source === 'files' && obj.$source !== undefined && obj.$source.file !== '<stdin>';
}

const addsCap = (c: Container, cap: string) => arr<string>(c.securityContext?.capabilities?.add).some((a) => String(a).toUpperCase().replace(/^CAP_/, '') === cap);

/** CC5-HARD-03 and the PSS fields it checks. */
const hard03: Record<string, Fixer> = {
  'no-privilege-escalation': (f, ctx) => containerChange(f, ctx, {
    offends: (s) => s.c.securityContext?.allowPrivilegeEscalation !== false,
    op: (s) => {
      // The API rejects allowPrivilegeEscalation: false on a privileged container or one adding CAP_SYS_ADMIN.
      if (s.c.securityContext?.privileged === true && !ctx.selected('CC5-HARD-03', 'no-privileged')) return 'privileged — the API server rejects allowPrivilegeEscalation: false on a privileged container: select no-privileged too, or decide why it must stay privileged';
      if (addsCap(s.c, 'SYS_ADMIN')) return 'adds CAP_SYS_ADMIN — the API server rejects allowPrivilegeEscalation: false with CAP_SYS_ADMIN: decide whether the process needs it';
      return [{ op: 'set', path: sc(s, 'allowPrivilegeEscalation'), value: false }];
    },
    risk: 'review',
    summary: (l) => `allowPrivilegeEscalation: false in ${l.join(', ')}`,
    caution: 'a setuid or file-capability binary the process runs (sudo, su, ping on old images) no longer gains privileges',
  }),
  'read-only-root-fs': (f, ctx) => containerChange(f, ctx, {
    offends: (s) => s.c.securityContext?.readOnlyRootFilesystem !== true,
    op: (s) => [{ op: 'set', path: sc(s, 'readOnlyRootFilesystem'), value: true }],
    risk: 'review',
    summary: (l) => `readOnlyRootFilesystem: true in ${l.join(', ')}`,
    caution: 'writes outside mounted volumes fail (temp files, caches, PID files): mount an emptyDir where the process writes (e.g. /tmp)',
  }),
  'no-privileged': (f, ctx) => containerChange(f, ctx, {
    offends: (s, spec) => s.c.securityContext?.privileged === true || (s.c.securityContext?.windowsOptions?.hostProcess ?? spec.securityContext?.windowsOptions?.hostProcess) === true,
    op: (s) => (s.c.securityContext?.privileged === true
      ? [{ op: 'delete', path: sc(s, 'privileged'), orSet: false }]
      : 'runs as a Windows HostProcess container — a HostProcess container is a node agent by design: run it in a system namespace or replace it'),
    risk: 'review',
    summary: (l) => `privileged removed from ${l.join(', ')}`,
    caution: 'a process that needs host devices, kernel modules or all capabilities (node agents, Docker-in-Docker) stops working',
  }),
  'drop-capabilities': (f, ctx) => containerChange(f, ctx, {
    // Capability names are case-sensitive to the runtime: only "ALL" drops them all.
    offends: (s) => !arr<string>(s.c.securityContext?.capabilities?.drop).some((d) => d === 'ALL'),
    op: (s) => [{ op: 'append', path: [...s.path, 'securityContext', 'capabilities', 'drop'], value: 'ALL' }],
    risk: 'review',
    summary: (l) => `capabilities.drop: [ALL] in ${l.join(', ')}`,
    caution: 'the process loses the runtime\'s default capabilities (CHOWN, SETUID, NET_BIND_SERVICE, ...): add back under capabilities.add only what it uses',
  }),
  'run-as-non-root': (f, ctx) => {
    const w = workloadOf(f, ctx);
    if (isOutcome(w)) return [w];
    const pod = w.spec.securityContext ?? {};
    const root = slots(w.obj, w.spec).filter((s) => {
      const user = s.c.securityContext?.runAsUser ?? pod.runAsUser;
      const nonRoot = s.c.securityContext?.runAsNonRoot ?? pod.runAsNonRoot;
      return user === 0 || nonRoot === false;
    });
    if (root.length) {
      return [decision(`choose a non-root UID for ${root.map((s) => s.label).join(', ')} (runAsUser), or confirm the image runs as non-root`, 'the workload asks for root explicitly (runAsUser: 0 or runAsNonRoot: false): someone chose that, and the UID the image supports is not in the evidence')];
    }
    return [{
      type: 'change', risk: 'review', object: w.obj, summary: 'runAsNonRoot: true in the pod securityContext',
      caution: 'the kubelet refuses to start a container whose image runs as root (USER 0, or a user name without runAsUser): set runAsUser to the image\'s non-root UID where needed',
      ops: [{ op: 'set', path: [...w.base, 'securityContext', 'runAsNonRoot'], value: true }],
    }];
  },
  'seccomp-profile': (f, ctx) => {
    const w = workloadOf(f, ctx);
    if (isOutcome(w)) return [w];
    const podType = w.spec.securityContext?.seccompProfile?.type;
    const explicit = slots(w.obj, w.spec).filter((s) => { const t = s.c.securityContext?.seccompProfile?.type; return t !== undefined && t !== 'RuntimeDefault' && t !== 'Localhost'; });
    if (explicit.length || (podType !== undefined && podType !== 'RuntimeDefault' && podType !== 'Localhost')) {
      return [decision(`decide whether ${explicit.length ? explicit.map((s) => s.label).join(', ') : 'the pod'} can run under the runtime's default seccomp profile`, `the seccomp profile is set to ${explicit[0]?.c.securityContext?.seccompProfile?.type ?? podType} on purpose`)];
    }
    return [{
      type: 'change', risk: 'review', object: w.obj, summary: 'seccompProfile RuntimeDefault in the pod securityContext',
      caution: 'system calls outside the container runtime\'s default profile (mount, ptrace, keyctl, ...) fail',
      ops: [{ op: 'set', path: [...w.base, 'securityContext', 'seccompProfile', 'type'], value: 'RuntimeDefault' }],
    }];
  },
  'no-host-network': (f, ctx) => hostField(f, ctx, 'hostNetwork', 'the pod gets its own network namespace: it no longer sees the node\'s interfaces or listens on node ports'),
  'no-host-pid': (f, ctx) => hostField(f, ctx, 'hostPID', 'the processes no longer see (or signal) the node\'s processes'),
  'no-host-ipc': (f, ctx) => hostField(f, ctx, 'hostIPC', 'shared memory with processes on the node stops working'),
  'no-host-path': () => [decision('replace the hostPath volumes (emptyDir, a PersistentVolumeClaim, a ConfigMap or CSI volume), or run the workload in a system namespace if it is a node agent', 'which storage the process needs instead of the node\'s filesystem is not in the evidence')],
  'no-added-capabilities': () => [decision('decide which added capabilities the process really uses, and remove the rest from capabilities.add', 'the capabilities were added on purpose; whether the process needs them is not in the evidence')],
};

function hostField(f: Finding, ctx: FixContext, field: 'hostNetwork' | 'hostPID' | 'hostIPC', caution: string): FixOutcome[] {
  const w = workloadOf(f, ctx);
  if (isOutcome(w)) return [w];
  return [{ type: 'change', risk: 'review', object: w.obj, summary: `${field} removed`, caution, ops: [{ op: 'delete', path: [...w.base, field], orSet: false }] }];
}

// ---------------------------------------------------------------------------------------------

const PSS_ORDER = ['restricted', 'baseline'] as const;

/** The workloads of a namespace in the evidence (every object with a pod template, owned ones included). */
function namespaceWorkloads(ctx: FixContext, ns: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const kind of WORKLOAD_KINDS) for (const o of ctx.index.inNamespace(kind, ns)) if (podTemplate(o)) out.push(o);
  // Manifests without a namespace are applied to `default`.
  if (ns === 'default') for (const kind of WORKLOAD_KINDS) for (const o of ctx.index.inNamespace(kind, '')) if (podTemplate(o)) out.push(o);
  return out;
}

/** The Pod Security labels of a namespace a rule asks for: only those keys are changed. */
function pssFixer(keys: readonly string[]): Fixer {
  return (f, ctx) => pssLabels(f, ctx).map((o) => (o.type === 'change' ? { ...o, ops: o.ops.filter((op) => keys.some((k) => op.path[2] === `${PSS}/${k}`)) } : o))
    .filter((o) => o.type !== 'change' || o.ops.length > 0);
}

const hard01: Record<string, Fixer> = {
  // An unlabelled namespace gets its enforce level with audit and warn at restricted.
  'pss-labels': pssFixer(['enforce', 'audit', 'warn']),
  'pss-version': pssFixer(['enforce-version']),
  'pss-audit-warn': pssFixer(['audit', 'warn']),
  'pss-running-pods': (f) => [decision(`change ${f.resource.kind} ${f.resource.name} to meet its namespace's level (the CC5-HARD-03 fixes), or move it`, 'it runs only because it was admitted before the label; which of its privileges it needs is not in the evidence')],
};

/** Every Pod Security label change a namespace needs (the strictest enforce level its workloads meet). */
function pssLabels(f: Finding, ctx: FixContext): FixOutcome[] {
  {
    const ns = ctx.objectOf(f);
    if (!ns) return [decision('label the namespace by hand', `Namespace ${f.resource.name} is not in the evidence as an object`)];
    const name = ns.metadata.name ?? '';
    const labels = ns.metadata.labels ?? {};
    const readWorkloads = WORKLOAD_KINDS.some((k) => ctx.has(k));
    if (!readWorkloads) return [decision(`choose the Pod Security level of namespace ${name}`, 'no workloads were read, so the strictest level they already meet is unknown')];
    // The workloads as this plan leaves them: a level they meet only once fixed is as risky as those fixes.
    const wl = namespaceWorkloads(ctx, name).map((o) => ctx.afterPlan(o));
    const level = PSS_ORDER.find((lvl) => wl.every((w) => pssViolations(podTemplate(w.obj)!.spec, lvl).length === 0));
    const dependsOnReview = wl.some((w) => w.risk === 'review');
    const enforce = labels[`${PSS}/enforce`];
    const ops: ObjectOp[] = [];
    const set = (k: string, v: string) => { if (labels[`${PSS}/${k}`] !== v) ops.push({ op: 'set', path: ['metadata', 'labels', `${PSS}/${k}`], value: v }); };
    const valid = enforce === 'baseline' || enforce === 'restricted';
    let enforceChanged = false;
    if (!valid) {
      if (!level) {
        const bad = wl.filter((w) => pssViolations(podTemplate(w.obj)!.spec, 'baseline').length > 0).map((w) => `${w.obj.kind} ${w.obj.metadata.name ?? ''}`);
        return [decision(`make the workloads of ${name} meet baseline (${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}), or move them to a system namespace`, 'enforcing baseline now would stop these workloads from being re-created (they need privileged features)')];
      }
      set('enforce', level);
      enforceChanged = true;
    }
    const version = labels[`${PSS}/enforce-version`];
    const minor = ctx.index.serverMinor();
    const pinned = version && version !== 'latest' ? /^v1\.(\d+)$/.exec(version) : null;
    if (version && version !== 'latest' && (!pinned || (minor !== undefined && Number(pinned[1]) < minor))) { set('enforce-version', 'latest'); enforceChanged = true; }
    set('audit', 'restricted');
    set('warn', 'restricted');
    if (ops.length === 0) return [];
    const effective = valid ? enforce : level!;
    // The enforce level is one every workload in the evidence already meets: with the whole inventory
    // in the evidence nothing running is refused; from a loose set of files, others may exist.
    const safe = !enforceChanged || (ctx.complete && !dependsOnReview);
    const caution = !enforceChanged ? undefined
      : dependsOnReview ? `the workloads of ${name} meet ${effective} only with the review changes of this plan: apply those first, or their pods are refused when next created`
        : !ctx.complete ? `the input is not the whole cluster: a workload of ${name} that is not in it and does not meet ${effective} would be refused when its pods are next created` : undefined;
    return [{
      type: 'change', risk: safe ? 'safe' : 'review', object: ns,
      summary: `Pod Security labels: enforce ${effective}${enforceChanged ? ` (the strictest level its workloads in the evidence meet${dependsOnReview ? ' once fixed' : ''})` : ''}, audit and warn restricted`,
      ...(caution ? { caution } : {}),
      ops,
    }];
  }
}

// ---------------------------------------------------------------------------------------------

/** Service accounts granted anything by a RoleBinding or ClusterRoleBinding in the evidence. */
function grantedServiceAccounts(ctx: FixContext): { known: boolean; has: (ns: string, name: string) => boolean } {
  return ctx.memo('granted-service-accounts', () => computeGranted(ctx));
}

function computeGranted(ctx: FixContext): { known: boolean; has: (ns: string, name: string) => boolean } {
  const known = ctx.has('rbac.authorization.k8s.io/RoleBinding') && ctx.has('rbac.authorization.k8s.io/ClusterRoleBinding');
  const bound = new Set<string>();
  const groups = new Set<string>();
  if (known) {
    for (const kind of ['rbac.authorization.k8s.io/RoleBinding', 'rbac.authorization.k8s.io/ClusterRoleBinding']) {
      for (const b of ctx.index.objects(kind)) {
        for (const s of arr<{ kind?: string; name?: string; namespace?: string }>((b as { subjects?: unknown }).subjects)) {
          if (s.kind === 'ServiceAccount') bound.add(`${s.namespace ?? b.metadata.namespace ?? 'default'}/${s.name ?? ''}`);
          else if (s.kind === 'Group' && s.name?.startsWith('system:serviceaccounts')) groups.add(s.name);
        }
      }
    }
  }
  return { known, has: (ns, name) => bound.has(`${ns}/${name}`) || groups.has('system:serviceaccounts') || groups.has(`system:serviceaccounts:${ns}`) };
}

const AUTOMOUNT_CAUTION = 'a process that reads the token anyway (an in-cluster client, Vault or another TokenReview-based login) can no longer authenticate';

const p1iam09: Record<string, Fixer> = {
  'automount-sa-token': (f, ctx) => {
    const obj = ctx.objectOf(f);
    if (!obj) return [decision('set automountServiceAccountToken: false by hand', `${f.resource.kind} ${f.resource.name} is not in the evidence as an object`)];
    const rbac = grantedServiceAccounts(ctx);
    if (!rbac.known) return [decision(`decide whether ${obj.kind} ${obj.metadata.name ?? ''} calls the Kubernetes API`, 'RoleBindings and ClusterRoleBindings were not read: whether its service account is granted anything is unknown')];
    if (obj.kind === 'ServiceAccount') {
      const ns = obj.metadata.namespace ?? 'default';
      if (rbac.has(ns, obj.metadata.name ?? 'default')) return [decision(`give the pods that use ServiceAccount ${ns}/${obj.metadata.name ?? 'default'} and call the API a dedicated service account, then disable automounting on it`, 'a binding grants this default service account permissions, so some pod may use its token')];
      return [{ type: 'change', risk: 'review', object: obj, summary: 'automountServiceAccountToken: false on the default ServiceAccount (no binding grants it anything)', caution: AUTOMOUNT_CAUTION, ops: [{ op: 'set', path: ['automountServiceAccountToken'], value: false }] }];
    }
    const tpl = podTemplate(obj);
    const base = podSpecPath(obj);
    if (!tpl || !base) return [];
    const ns = obj.metadata.namespace ?? 'default';
    const sa = tpl.spec.serviceAccountName ?? tpl.spec.serviceAccount ?? 'default';
    if (rbac.has(ns, sa)) return [decision(`decide whether ${obj.kind} ${obj.metadata.name ?? ''} uses the API through ${sa}`, `a binding grants service account ${sa} permissions${sa === 'default' ? ': give the pods that use the API a dedicated one' : ''}`)];
    return [{ type: 'change', risk: 'review', object: obj, summary: `automountServiceAccountToken: false in the pod spec (no binding grants ${sa} anything)`, caution: AUTOMOUNT_CAUTION, ops: [{ op: 'set', path: [...base, 'automountServiceAccountToken'], value: false }] }];
  },
};

// ---------------------------------------------------------------------------------------------

const SC_CAUTION = 'StorageClass parameters cannot be changed in place: apply with `kubectl replace --force` (or delete and create the class; bound volumes are not affected). Volumes provisioned before stay unencrypted.';

const enc02: Record<string, Fixer> = {
  'storage-encrypted': (f, ctx) => storageEncrypted(f, ctx),
  'default-class-encrypted': (f, ctx) => storageEncrypted(f, ctx),
  'kms-key-arn': (f) => [decision(`replace kmsKeyId of StorageClass ${f.resource.name} with the key's full ARN (aws kms describe-key --key-id <alias> --query KeyMetadata.Arn)`, 'the key the alias points to is not in the evidence')],
  'volume-encrypted': (f) => [decision(`migrate ${f.resource.name} to an encrypted volume (snapshot, copy the snapshot with --encrypted, restore, re-bind the claim)`, 'moving data needs a maintenance window and a restore test')],
};

function storageEncrypted(f: Finding, ctx: FixContext): FixOutcome[] {
  const obj = ctx.objectOf(f);
  if (!obj) return [decision('set encrypted: "true" by hand', `StorageClass ${f.resource.name} is not in the evidence as an object`)];
  return [{ type: 'change', risk: 'safe', object: obj, summary: 'parameters.encrypted: "true" (new volumes are encrypted)', caution: SC_CAUTION, ops: [{ op: 'set', path: ['parameters', 'encrypted'], value: 'true' }] }];
}

// ---------------------------------------------------------------------------------------------

const net03: Record<string, Fixer> = {
  'netpol-default-deny': (f, ctx) => {
    if (/cancels the default deny/.test(f.message)) return [decision(`narrow the policy that admits everything in ${f.resource.name} to the sources and ports its pods need`, `a default deny is there, but ${f.message.split(':')[0]}`)];
    const ns = f.resource.kind === 'Namespace' ? f.resource.name : f.resource.namespace;
    if (!ns) return [];
    const near = nearFile(ctx, ns);
    const object: K8sObject = {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
      metadata: { name: 'default-deny-ingress', namespace: ns },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    };
    return [{
      type: 'new', risk: 'review', object, fileName: `${ns}-default-deny-ingress.yaml`, ...(near ? { nearFile: near } : {}),
      summary: `NetworkPolicy default-deny-ingress in ${ns} (no pod accepts traffic unless another policy allows it)`,
      caution: 'traffic to the namespace\'s pods stops unless a policy allows it: add allow policies for each service\'s clients (ingress controller, other namespaces, monitoring) before applying',
    }];
  },
  'netpol-default-deny-egress': (f) => [decision(`list the destinations pods of ${f.resource.name} must reach (DNS, APIs, databases), then add a default-deny egress policy with those allows`, 'denying egress without the allow list breaks every outbound connection, DNS included')],
  'netpol-not-enforced': (f) => [decision(`move ${f.resource.kind} ${f.resource.name} where network policies are enforced (off host network, onto EC2 Linux nodes), or protect it with security groups`, 'where it must run is a placement decision')],
};

/** A file of the input holding objects of the namespace (where a new object for it belongs). */
function nearFile(ctx: FixContext, ns: string): string | undefined {
  if (ctx.snapshot.kubernetes.source !== 'files') return undefined;
  const nsObj = ctx.index.get('core/Namespace', '', ns);
  if (nsObj?.$source) return nsObj.$source.file;
  // One pass over the objects for every namespace, made once.
  return ctx.memo('files-by-namespace', () => {
    const m = new Map<string, string>();
    for (const o of ctx.snapshot.kubernetes.objects) if (o.metadata.namespace && o.$source && !m.has(o.metadata.namespace)) m.set(o.metadata.namespace, o.$source.file);
    return m;
  }).get(ns);
}

const chg04: Record<string, Fixer> = {
  'revision-history': (f, ctx) => {
    const obj = ctx.objectOf(f);
    if (!obj) return [decision('remove revisionHistoryLimit: 0 by hand', `${f.resource.kind} ${f.resource.name} is not in the evidence as an object`)];
    return [{ type: 'change', risk: 'safe', object: obj, summary: 'revisionHistoryLimit: 0 removed (Kubernetes keeps the default 10 old ReplicaSets, scaled to zero)', ops: [{ op: 'delete', path: ['spec', 'revisionHistoryLimit'], orSet: 10 }] }];
  },
};

export const KUBERNETES_FIXERS: Record<string, Record<string, Fixer>> = {
  'CC7-CHG-04': chg04,
  'CC5-HARD-03': hard03,
  'CC5-HARD-01': hard01,
  'P1-IAM-09': p1iam09,
  'CC9-ENC-02': enc02,
  'CC6-NET-03': net03,
};

