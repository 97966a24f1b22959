import type { Container, PodSpec } from './workloads.js';
import { allContainers, arr } from './workloads.js';

/**
 * The checks of Kubernetes Pod Security Admission (k8s.io/pod-security-admission, `policy/check_*.go`)
 * as the admission plugin runs them, for judging what a namespace label would admit: values compare
 * exactly (capabilities are case-sensitive, "ALL" only), explicit pod-level settings are judged on
 * their own even when every container overrides them, ephemeral containers count, and the version-
 * gated behaviours follow the policy version (the pinned `enforce-version`, else the cluster's).
 *
 * Version gates modelled: Windows pods (`spec.os.name: windows`) exempt from the restricted
 * privilege-escalation, seccomp and capabilities checks from 1.25; extra safe sysctls from 1.27, 1.29,
 * 1.32 and 1.37; SELinux `container_engine_t` from 1.31; probe / lifecycle `host` forbidden from 1.34;
 * user-namespace pods (`hostUsers: false`) relaxed for runAsNonRoot, runAsUser and the baseline
 * procMount from 1.35, with procMount re-tightened for restricted at 1.35.
 */

export const PSS_LEVELS = ['privileged', 'baseline', 'restricted'] as const;
export type PssLevel = (typeof PSS_LEVELS)[number];

/** A policy version: a minor of Kubernetes 1.x; `undefined` = latest. */
export type PolicyMinor = number | undefined;

export interface PsaViolation {
  /** The PSA check id (`capabilities_restricted`, `seccompProfile_baseline`, ...). */
  check: string;
  level: 'baseline' | 'restricted';
  /** What is forbidden, in PSA's terms. */
  detail: string;
}

/** Capabilities the baseline profile allows to be added (`capabilities_allowed_1_0`), compared exactly. */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

/** Volume sources the restricted profile allows (`check_restrictedVolumes.go`; `image` since 1.33, patched into every version). */
const RESTRICTED_VOLUMES: ReadonlySet<string> = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret']);

const SAFE_SYSCTLS: readonly (readonly [number, readonly string[]])[] = [
  [0, ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start']],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [29, ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
  [37, ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']],
];

const at = (minor: PolicyMinor, from: number): boolean => minor === undefined || minor >= from;

/** The pod declares itself a Windows pod (`spec.os.name`), which is what PSA exempts (a node selector is not). */
export function declaresWindows(spec: PodSpec): boolean {
  return spec.os?.name === 'windows';
}

/** The pod runs in a user namespace (`spec.hostUsers: false`). */
export function inUserNamespace(spec: PodSpec): boolean {
  return spec.hostUsers === false;
}

const name = (c: Container) => c.name ?? '(unnamed)';
const quote = (xs: readonly string[]) => xs.map((x) => `"${x}"`).join(', ');
const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
const names = (cs: readonly Container[]) => `${plural(cs.length, 'container', 'containers')} ${quote(cs.map(name))}`;

const NO_CONTAINERS: readonly Container[] = Object.freeze([]);

/** The containers `bad` is true of (a shared empty list when none is: most pods of a cluster pass). */
function forContainers(spec: PodSpec, bad: (c: Container) => boolean): readonly Container[] {
  let out: Container[] | undefined;
  for (const c of allContainers(spec)) if (bad(c)) (out ??= []).push(c);
  return out ?? NO_CONTAINERS;
}

const strings = (v: unknown): string[] => arr<unknown>(v).map((x) => String(x));
/** Whether a list holds `value` (compared as strings, as `strings(v).includes(value)`), without copying it. */
const listHas = (v: unknown, value: string): boolean => Array.isArray(v) && v.some((x) => String(x) === value);

// ---------------------------------------------------------------- restricted, also used on their own by CC5-HARD-03

/** `runAsNonRoot`: true at pod level or on every container, never false anywhere (skipped for user-namespace pods from 1.35). */
export function runAsNonRootViolation(spec: PodSpec, minor?: PolicyMinor): string | undefined {
  if (at(minor, 35) && inUserNamespace(spec)) return undefined;
  const podValue = spec.securityContext?.runAsNonRoot;
  const explicit = forContainers(spec, (c) => c.securityContext?.runAsNonRoot === false);
  if (podValue === false || explicit.length) {
    const setters: string[] = [];
    if (podValue === false) setters.push('pod');
    if (explicit.length) setters.push(names(explicit));
    return `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`;
  }
  const implicit = forContainers(spec, (c) => c.securityContext?.runAsNonRoot === undefined && podValue !== true);
  if (implicit.length) return `pod or ${names(implicit)} must set securityContext.runAsNonRoot=true`;
  return undefined;
}

/** `runAsUser`: 0 forbidden at pod level and on any container (skipped for user-namespace pods from 1.35). */
export function runAsUserViolation(spec: PodSpec, minor?: PolicyMinor): string | undefined {
  if (at(minor, 35) && inUserNamespace(spec)) return undefined;
  const podRoot = spec.securityContext?.runAsUser === 0;
  const bad = forContainers(spec, (c) => c.securityContext?.runAsUser === 0);
  if (!podRoot && bad.length === 0) return undefined;
  const setters: string[] = [];
  if (podRoot) setters.push('pod');
  if (bad.length) setters.push(names(bad));
  return `${setters.join(' and ')} must not set runAsUser=0`;
}

/** `allowPrivilegeEscalation`: false on every container (Windows pods exempt from 1.25). */
export function allowPrivilegeEscalationViolation(spec: PodSpec, minor?: PolicyMinor): string | undefined {
  if (at(minor, 25) && declaresWindows(spec)) return undefined;
  const bad = forContainers(spec, (c) => c.securityContext?.allowPrivilegeEscalation !== false);
  return bad.length ? `${names(bad)} must set securityContext.allowPrivilegeEscalation=false` : undefined;
}

const validSeccomp = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';

/** `seccompProfile_restricted`: RuntimeDefault or Localhost, set at pod level or on every container; an explicit bad value anywhere fails (Windows pods exempt from 1.25). */
export function seccompRestrictedViolation(spec: PodSpec, minor?: PolicyMinor): string | undefined {
  if (at(minor, 25) && declaresWindows(spec)) return undefined;
  // The lists are made only for a pod that fails (most pass).
  let setters: string[] | undefined;
  let values: Set<string> | undefined;
  const pod = spec.securityContext?.seccompProfile;
  let podSet = false;
  if (pod) {
    if (validSeccomp(pod.type)) podSet = true;
    else { (setters ??= []).push('pod'); (values ??= new Set()).add(String(pod.type)); }
  }
  const explicit = forContainers(spec, (c) => {
    const p = c.securityContext?.seccompProfile;
    if (p && !validSeccomp(p.type)) { (values ??= new Set()).add(String(p.type)); return true; }
    return false;
  });
  if (explicit.length) (setters ??= []).push(names(explicit));
  if (setters && values) return `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${quote([...values])}`;
  const implicit = forContainers(spec, (c) => !c.securityContext?.seccompProfile && !podSet);
  if (implicit.length) return `pod or ${names(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`;
  return undefined;
}

/** `capabilities_restricted`, drop part: every container drops exactly "ALL" (Windows pods exempt from 1.25). */
export function dropAllViolation(spec: PodSpec, minor?: PolicyMinor): string | undefined {
  if (at(minor, 25) && declaresWindows(spec)) return undefined;
  const bad = forContainers(spec, (c) => !listHas(c.securityContext?.capabilities?.drop, 'ALL'));
  return bad.length ? `${names(bad)} must set securityContext.capabilities.drop=["ALL"]` : undefined;
}

/** `capabilities_restricted`, add part: only "NET_BIND_SERVICE" may be added (Windows pods exempt from 1.25). */
export function restrictedAddViolation(spec: PodSpec, minor?: PolicyMinor): { detail: string; added: string[] } | undefined {
  if (at(minor, 25) && declaresWindows(spec)) return undefined;
  let added: Set<string> | undefined;
  const bad = forContainers(spec, (c) => {
    const add = c.securityContext?.capabilities?.add;
    if (!Array.isArray(add) || add.length === 0) return false;
    const extra = strings(add).filter((a) => a !== 'NET_BIND_SERVICE');
    for (const a of extra) (added ??= new Set()).add(a);
    return extra.length > 0;
  });
  return bad.length && added ? { detail: `${names(bad)} must not include ${quote([...added].sort())} in securityContext.capabilities.add`, added: [...added] } : undefined;
}

// ---------------------------------------------------------------- the whole policy

function baselineChecks(meta: PodMeta, spec: PodSpec, minor: PolicyMinor, restricted: boolean): PsaViolation[] {
  const v: PsaViolation[] = [];
  const add = (check: string, detail: string | undefined) => { if (detail) v.push({ check, level: 'baseline', detail }); };

  const hostNs = [spec.hostNetwork === true ? 'hostNetwork=true' : '', spec.hostPID === true ? 'hostPID=true' : '', spec.hostIPC === true ? 'hostIPC=true' : ''].filter(Boolean);
  add('hostNamespaces', hostNs.length ? `${hostNs.join(', ')}` : undefined);

  const privileged = forContainers(spec, (c) => c.securityContext?.privileged === true);
  add('privileged', privileged.length ? `${names(privileged)} must not set securityContext.privileged=true` : undefined);

  if (!restricted) {
    const added = new Set<string>();
    const caps = forContainers(spec, (c) => {
      const bad = strings(c.securityContext?.capabilities?.add).filter((a) => !BASELINE_CAPABILITIES.has(a));
      for (const a of bad) added.add(a);
      return bad.length > 0;
    });
    add('capabilities_baseline', caps.length ? `${names(caps)} must not include ${quote([...added].sort())} in securityContext.capabilities.add` : undefined);
  }

  // Restricted judges every volume type instead (restrictedVolumes overrides hostPathVolumes).
  if (!restricted) {
    const hostPaths = arr<{ name?: string; hostPath?: unknown }>(spec.volumes).filter((x) => x && x.hostPath);
    add('hostPathVolumes', hostPaths.length ? `hostPath volumes ${quote(hostPaths.map((x) => x.name ?? '?'))}` : undefined);
  }

  const ports: string[] = [];
  const portContainers = forContainers(spec, (c) => {
    const hp = arr<{ hostPort?: unknown }>(c.ports).map((p) => p?.hostPort).filter((p) => typeof p === 'number' && p !== 0);
    for (const p of hp) ports.push(String(p));
    return hp.length > 0;
  });
  add('hostPorts', portContainers.length ? `${names(portContainers)} use hostPort ${ports.join(', ')}` : undefined);

  // AppArmor: the beta annotations and the fields (pod and containers).
  const apparmor: string[] = [];
  for (const [k, val] of Object.entries(meta.annotations ?? {})) {
    if (!k.startsWith('container.apparmor.security.beta.kubernetes.io/')) continue;
    if (val !== '' && val !== 'runtime/default' && !String(val).startsWith('localhost/')) apparmor.push(`${k}="${val}"`);
  }
  const podAa = (spec.securityContext as { appArmorProfile?: { type?: unknown } } | undefined)?.appArmorProfile?.type;
  if (podAa !== undefined && podAa !== 'RuntimeDefault' && podAa !== 'Localhost') apparmor.push(`pod appArmorProfile.type=${String(podAa)}`);
  for (const c of allContainers(spec)) {
    const t = (c.securityContext as { appArmorProfile?: { type?: unknown } } | undefined)?.appArmorProfile?.type;
    if (t !== undefined && t !== 'RuntimeDefault' && t !== 'Localhost') apparmor.push(`container "${name(c)}" appArmorProfile.type=${String(t)}`);
  }
  add('appArmorProfile', apparmor.length ? `forbidden AppArmor profile: ${apparmor.join(', ')}` : undefined);

  // SELinux: type from the allowed set, user and role unset.
  const types = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', ...(at(minor, 31) ? ['container_engine_t'] : [])]);
  const selinux: string[] = [];
  const judgeSe = (who: string, o: Record<string, unknown> | undefined) => {
    if (!o) return;
    if (o.type !== undefined && !types.has(String(o.type))) selinux.push(`${who} type "${String(o.type)}"`);
    if (o.user !== undefined && o.user !== '') selinux.push(`${who} user "${String(o.user)}"`);
    if (o.role !== undefined && o.role !== '') selinux.push(`${who} role "${String(o.role)}"`);
  };
  judgeSe('pod', spec.securityContext?.seLinuxOptions);
  for (const c of allContainers(spec)) judgeSe(`container "${name(c)}"`, c.securityContext?.seLinuxOptions);
  add('seLinuxOptions', selinux.length ? `forbidden seLinuxOptions: ${selinux.join(', ')}` : undefined);

  // procMount: Default or unset (baseline relaxed for user-namespace pods from 1.35; restricted re-tightens).
  if (restricted || !(at(minor, 35) && inUserNamespace(spec))) {
    const pm = forContainers(spec, (c) => c.securityContext?.procMount !== undefined && c.securityContext.procMount !== 'Default');
    add(restricted && at(minor, 35) ? 'procMount_restricted' : 'procMount', pm.length ? `${names(pm)} must not set securityContext.procMount to a value other than "Default"` : undefined);
  }

  if (!restricted) {
    const setters: string[] = [];
    const values = new Set<string>();
    const pod = spec.securityContext?.seccompProfile;
    if (pod && !validSeccomp(pod.type)) { setters.push('pod'); values.add(String(pod.type)); }
    const bad = forContainers(spec, (c) => {
      const p = c.securityContext?.seccompProfile;
      if (p && !validSeccomp(p.type)) { values.add(String(p.type)); return true; }
      return false;
    });
    if (bad.length) setters.push(names(bad));
    add('seccompProfile_baseline', setters.length ? `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${quote([...values])}` : undefined);
  }

  const safe = new Set(SAFE_SYSCTLS.filter(([from]) => at(minor, from)).flatMap(([, list]) => list));
  const sysctls = arr<{ name?: unknown }>((spec.securityContext as { sysctls?: unknown } | undefined)?.sysctls).map((s) => String(s?.name ?? '')).filter((n) => !safe.has(n));
  add('sysctls', sysctls.length ? `forbidden sysctls ${quote(sysctls)}` : undefined);

  const podHostProcess = spec.securityContext?.windowsOptions?.hostProcess === true;
  const hp = forContainers(spec, (c) => c.securityContext?.windowsOptions?.hostProcess === true);
  add('windowsHostProcess', podHostProcess || hp.length ? `${[podHostProcess ? 'pod' : '', hp.length ? names(hp) : ''].filter(Boolean).join(' and ')} must not set securityContext.windowsOptions.hostProcess=true` : undefined);

  if (at(minor, 34)) {
    const hosts: string[] = [];
    for (const c of allContainers(spec)) {
      const handlers: [string, unknown][] = [
        ['livenessProbe', c.livenessProbe], ['readinessProbe', c.readinessProbe], ['startupProbe', c.startupProbe],
        ['lifecycle.postStart', (c.lifecycle as { postStart?: unknown } | undefined)?.postStart], ['lifecycle.preStop', (c.lifecycle as { preStop?: unknown } | undefined)?.preStop],
      ];
      for (const [where, h] of handlers) {
        const o = h as { httpGet?: { host?: unknown }; tcpSocket?: { host?: unknown } } | undefined;
        for (const host of [o?.httpGet?.host, o?.tcpSocket?.host]) if (typeof host === 'string' && host !== '') hosts.push(`container "${name(c)}" ${where} host "${host}"`);
      }
    }
    add('hostProbesAndHostLifecycle', hosts.length ? `forbidden host field: ${hosts.join(', ')}` : undefined);
  }
  return v;
}

function restrictedChecks(spec: PodSpec, minor: PolicyMinor): PsaViolation[] {
  const v: PsaViolation[] = [];
  const add = (check: string, detail: string | undefined) => { if (detail) v.push({ check, level: 'restricted', detail }); };
  const vols = new Set<string>();
  for (const vol of arr<Record<string, unknown>>(spec.volumes)) {
    for (const k of Object.keys(vol ?? {})) if (k !== 'name' && !RESTRICTED_VOLUMES.has(k)) vols.add(k);
  }
  add('restrictedVolumes', vols.size ? `volume types not allowed: ${[...vols].sort().join(', ')}` : undefined);
  add('allowPrivilegeEscalation', allowPrivilegeEscalationViolation(spec, minor));
  add('runAsNonRoot', runAsNonRootViolation(spec, minor));
  add('runAsUser', runAsUserViolation(spec, minor));
  add('seccompProfile_restricted', seccompRestrictedViolation(spec, minor));
  const drop = dropAllViolation(spec, minor);
  const added = restrictedAddViolation(spec, minor)?.detail;
  add('capabilities_restricted', drop && added ? `${drop}; ${added}` : drop ?? added);
  return v;
}

export interface PodMeta { annotations?: Record<string, string> }

/** What PSA at `level` (and policy version `minor`, undefined = latest) forbids in a pod spec. */
export function psaViolations(meta: PodMeta, spec: PodSpec, level: PssLevel, minor?: PolicyMinor): PsaViolation[] {
  if (level === 'privileged') return [];
  const restricted = level === 'restricted';
  return [...baselineChecks(meta, spec, minor, restricted), ...(restricted ? restrictedChecks(spec, minor) : [])];
}
