import type { Severity } from '../../model/index.js';
import type { Container, ContainerKind, PodSpec } from './workloads.js';
import { arr, containersOf } from './workloads.js';

/**
 * Pod Security Standards field checks, with effective values resolved from the pod- and
 * container-level securityContext (the container wins for fields that exist at both levels), across
 * containers, initContainers and ephemeralContainers.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export interface RuleVerdict {
  ok: boolean;
  message: string;
  severity?: Severity;
  /** Containers that fail, `kind/name`. */
  offenders?: string[];
}

export const POD_SECURITY_RULES = {
  'run-as-non-root': { title: 'Containers must run as non-root (runAsNonRoot: true, runAsUser ≠ 0)', severity: 'high' },
  'read-only-root-fs': { title: 'Containers must have a read-only root filesystem', severity: 'medium' },
  'no-privileged': { title: 'No privileged containers (or Windows HostProcess)', severity: 'critical' },
  'no-privilege-escalation': { title: 'allowPrivilegeEscalation must be false', severity: 'high' },
  'no-host-path': { title: 'No hostPath volumes', severity: 'high' },
  'no-host-network': { title: 'No host network', severity: 'high' },
  'no-host-pid': { title: 'No host PID namespace', severity: 'high' },
  'no-host-ipc': { title: 'No host IPC namespace', severity: 'high' },
  'drop-capabilities': { title: 'Containers must drop ALL capabilities', severity: 'medium' },
  'no-added-capabilities': { title: 'No added capabilities beyond NET_BIND_SERVICE', severity: 'high' },
  'seccomp-profile': { title: 'seccompProfile must be RuntimeDefault or Localhost', severity: 'medium' },
} as const satisfies Record<string, { title: string; severity: Severity }>;

export type PodSecurityRule = keyof typeof POD_SECURITY_RULES;

/** Rules that PSS does not require for Windows pods ("OS-specific policy controls"). */
const LINUX_ONLY: ReadonlySet<PodSecurityRule> = new Set(['no-privilege-escalation', 'drop-capabilities', 'no-added-capabilities', 'seccomp-profile']);

const label = (kind: ContainerKind, c: Container) => `${kind === 'container' ? '' : `${kind}/`}${c.name ?? '(unnamed)'}`;

function perContainer(spec: PodSpec, bad: (c: Container) => string | undefined): string[] {
  const out: string[] = [];
  for (const { c, kind } of containersOf(spec)) {
    const why = bad(c);
    if (why !== undefined) out.push(why ? `${label(kind, c)} (${why})` : label(kind, c));
  }
  return out;
}

function verdict(offenders: string[], okMsg: string, failMsg: string, severity?: Severity): RuleVerdict {
  if (offenders.length === 0) return { ok: true, message: okMsg };
  return { ok: false, message: `${failMsg}: ${offenders.join(', ')}`, offenders, ...(severity ? { severity } : {}) };
}

export function isWindows(spec: PodSpec): boolean {
  return spec.os?.name === 'windows' || spec.nodeSelector?.['kubernetes.io/os'] === 'windows';
}

/** Evaluate one pod-security rule on a pod spec; undefined when the rule does not apply (Windows). */
export function checkPodSecurity(rule: PodSecurityRule, spec: PodSpec): RuleVerdict | undefined {
  if (LINUX_ONLY.has(rule) && isWindows(spec)) return undefined;
  const pod = spec.securityContext ?? {};
  switch (rule) {
    case 'run-as-non-root': {
      let onlyUndeclared = true;
      const offenders = perContainer(spec, (c) => {
        const sc = c.securityContext ?? {};
        const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
        const user = sc.runAsUser ?? pod.runAsUser;
        if (user === 0) { onlyUndeclared = false; return 'runAsUser: 0'; }
        if (nonRoot === false) { onlyUndeclared = false; return 'runAsNonRoot: false'; }
        if (nonRoot !== true) return typeof user === 'number' ? `runAsUser ${user} but runAsNonRoot not declared` : 'runAsNonRoot not declared';
        return undefined;
      });
      return verdict(offenders, 'all containers declare runAsNonRoot: true', onlyUndeclared ? 'non-root not declared (the image USER cannot be seen from the API)' : 'runs as root', onlyUndeclared ? 'medium' : undefined);
    }
    case 'read-only-root-fs':
      return verdict(perContainer(spec, (c) => (c.securityContext?.readOnlyRootFilesystem === true ? undefined : '')), 'all containers have readOnlyRootFilesystem: true', 'writable root filesystem');
    case 'no-privileged': {
      const offenders = perContainer(spec, (c) => {
        if (c.securityContext?.privileged === true) return 'privileged: true';
        if ((c.securityContext?.windowsOptions?.hostProcess ?? pod.windowsOptions?.hostProcess) === true) return 'hostProcess: true';
        return undefined;
      });
      return verdict(offenders, 'no privileged containers', 'privileged');
    }
    case 'no-privilege-escalation':
      return verdict(perContainer(spec, (c) => (c.securityContext?.allowPrivilegeEscalation === false ? undefined : c.securityContext?.allowPrivilegeEscalation === true ? 'true' : 'not set')), 'allowPrivilegeEscalation: false everywhere', 'privilege escalation allowed');
    case 'no-host-path': {
      const vols = arr<{ name?: string; hostPath?: { path?: string } }>(spec.volumes).filter((v) => v && v.hostPath);
      return vols.length === 0
        ? { ok: true, message: 'no hostPath volumes' }
        : { ok: false, message: `hostPath volumes: ${vols.map((v) => `${v.name ?? '?'} → ${v.hostPath?.path ?? '?'}`).join(', ')}`, offenders: vols.map((v) => v.name ?? '?') };
    }
    case 'no-host-network':
      return spec.hostNetwork === true ? { ok: false, message: 'hostNetwork: true' } : { ok: true, message: 'host network not used' };
    case 'no-host-pid':
      return spec.hostPID === true ? { ok: false, message: 'hostPID: true' } : { ok: true, message: 'host PID namespace not used' };
    case 'no-host-ipc':
      return spec.hostIPC === true ? { ok: false, message: 'hostIPC: true' } : { ok: true, message: 'host IPC namespace not used' };
    case 'drop-capabilities':
      return verdict(perContainer(spec, (c) => (arr<string>(c.securityContext?.capabilities?.drop).some((d) => String(d).toUpperCase() === 'ALL') ? undefined : '')), 'all containers drop ALL capabilities', 'capabilities not dropped (drop: [ALL] missing)');
    case 'no-added-capabilities':
      return verdict(perContainer(spec, (c) => {
        const extra = arr<string>(c.securityContext?.capabilities?.add).map((a) => String(a).toUpperCase().replace(/^CAP_/, '')).filter((a) => a !== 'NET_BIND_SERVICE');
        return extra.length ? extra.join('+') : undefined;
      }), 'no capabilities added beyond NET_BIND_SERVICE', 'capabilities added');
    case 'seccomp-profile': {
      const offenders = perContainer(spec, (c) => {
        const type = c.securityContext?.seccompProfile?.type ?? pod.seccompProfile?.type;
        if (type === 'RuntimeDefault' || type === 'Localhost') return undefined;
        return type ? `type ${type}` : 'not set';
      });
      return verdict(offenders, 'seccomp RuntimeDefault/Localhost everywhere', 'no seccomp profile');
    }
  }
}

/** CPU/memory quantities present (a limit without a request makes the request default to it). */
export function resourceGaps(spec: PodSpec): { requests: string[]; limits: string[] } {
  const requests: string[] = [];
  const limits: string[] = [];
  for (const { c, kind } of containersOf(spec)) {
    if (kind === 'ephemeralContainer') continue; // ephemeral containers cannot set resources
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    const missingReq = ['cpu', 'memory'].filter((r) => req[r] === undefined && lim[r] === undefined);
    if (missingReq.length) requests.push(`${label(kind, c)} (${missingReq.join(', ')})`);
    if (lim.memory === undefined) limits.push(`${label(kind, c)} (memory)`);
  }
  return { requests, limits };
}

/** Image reference parts; `pinned` when it names a digest. */
export function parseImage(image: string): { registry: string; repository: string; tag?: string; digest?: string } {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) { digest = rest.slice(at + 1); rest = rest.slice(0, at); }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) { tag = rest.slice(colon + 1); rest = rest.slice(0, colon); }
  const first = rest.split('/')[0]!;
  const hasRegistry = rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? rest.slice(first.length + 1) : rest;
  if (!hasRegistry && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}
