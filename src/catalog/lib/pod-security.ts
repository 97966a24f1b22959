import type { Severity } from '../../model/index.js';
import type { Container, ContainerKind, PodSpec } from './workloads.js';
import { CONTAINER_LISTS, arr } from './workloads.js';
import {
  BASELINE_CAPABILITIES, allowPrivilegeEscalationViolation, declaresWindows, dropAllViolation, inUserNamespace, restrictedAddViolation,
  runAsNonRootViolation, runAsUserViolation, seccompRestrictedViolation,
} from './psa.js';

/**
 * Security-context checks of CC5-HARD-03. Where a rule is a Pod Security Standards control it is judged
 * as Pod Security Admission judges it (`lib/psa.ts`): exact values ("ALL" only, case-sensitive
 * capabilities), an explicit bad pod-level value fails even when containers override it, ephemeral
 * containers count, Windows pods (`spec.os.name: windows`) are exempt from the Linux-only controls and
 * user-namespace pods from the non-root controls. The read-only root filesystem is not a PSS control.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export interface RuleVerdict {
  ok: boolean;
  message: string;
  severity?: Severity;
  /** Containers that fail, `kind/name`. */
  offenders?: string[];
  /** The rule does not apply to this pod (`message` says why); `ok` is then true. */
  notApplicable?: boolean;
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

const NO_OFFENDERS: readonly string[] = Object.freeze([]);

/** The containers `bad` finds a reason for, labelled, in the order of containersOf (a shared empty list when none). */
function perContainer(spec: PodSpec, bad: (c: Container) => string | undefined): readonly string[] {
  let out: string[] | undefined;
  for (const [field, kind] of CONTAINER_LISTS) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    for (const c of list as Container[]) {
      const why = bad(c);
      if (why !== undefined) (out ??= []).push(why ? `${label(kind, c)} (${why})` : label(kind, c));
    }
  }
  return out ?? NO_OFFENDERS;
}

/**
 * Verdicts that pass, one object per message: a check of 150,000 pods returns one of these for
 * almost every rule and pod, and the caller only reads them (frozen, so a change would throw).
 */
const passes = new Map<string, RuleVerdict>();
function passing(message: string, notApplicable?: true): RuleVerdict {
  const key = notApplicable ? `\0${message}` : message;
  let v = passes.get(key);
  if (!v) passes.set(key, (v = Object.freeze(notApplicable ? { ok: true, notApplicable, message } : { ok: true, message })));
  return v;
}

function verdict(offenders: readonly string[], okMsg: string, failMsg: string, severity?: Severity): RuleVerdict {
  if (offenders.length === 0) return passing(okMsg);
  return { ok: false, message: `${failMsg}: ${offenders.join(', ')}`, offenders: [...offenders], ...(severity ? { severity } : {}) };
}

/** Whether a pod runs on Windows: it says so (`spec.os.name`) or selects Windows nodes. */
export function isWindows(spec: PodSpec): boolean {
  return declaresWindows(spec) || spec.nodeSelector?.['kubernetes.io/os'] === 'windows';
}

/** A PSA verdict: failing with PSA's own detail, plus a hint for Windows pods that do not declare their OS. */
function psa(detail: string | undefined, okMsg: string, failMsg: string, spec: PodSpec, severity?: Severity): RuleVerdict {
  if (!detail) return passing(okMsg);
  const hint = isWindows(spec) && !declaresWindows(spec) ? ' (a Windows pod is exempt once it declares spec.os.name: windows)' : '';
  return { ok: false, message: `${failMsg}: ${detail}${hint}`, ...(severity ? { severity } : {}) };
}

/** Evaluate one pod-security rule on a pod spec. */
export function checkPodSecurity(rule: PodSecurityRule, spec: PodSpec): RuleVerdict {
  if (LINUX_ONLY.has(rule) && declaresWindows(spec)) {
    return passing('Windows pod (spec.os.name: windows): the Pod Security Standards require this Linux control only of Linux pods', true);
  }
  const pod = spec.securityContext ?? {};
  switch (rule) {
    case 'run-as-non-root': {
      if (inUserNamespace(spec)) return passing('runs in a user namespace (hostUsers: false): root in the container is an unprivileged user on the node');
      const nonRoot = runAsNonRootViolation(spec);
      const explicitRoot = nonRoot?.includes('must not set') ? nonRoot : undefined;
      const root = [runAsUserViolation(spec), explicitRoot].filter(Boolean).join('; ');
      if (root) return { ok: false, message: `runs as root: ${root}` };
      const undeclared = nonRoot;
      if (undeclared) return { ok: false, severity: 'medium', message: `non-root not declared (the image USER cannot be seen from the API): ${undeclared}` };
      return passing('runAsNonRoot: true for every container, runAsUser 0 nowhere');
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
      return psa(allowPrivilegeEscalationViolation(spec), 'allowPrivilegeEscalation: false everywhere', 'privilege escalation allowed', spec);
    case 'no-host-path': {
      const vols = arr<{ name?: string; hostPath?: { path?: string } }>(spec.volumes).filter((v) => v && v.hostPath);
      return vols.length === 0
        ? passing('no hostPath volumes')
        : { ok: false, message: `hostPath volumes: ${vols.map((v) => `${v.name ?? '?'} → ${v.hostPath?.path ?? '?'}`).join(', ')}`, offenders: vols.map((v) => v.name ?? '?') };
    }
    case 'no-host-network':
      return spec.hostNetwork === true ? { ok: false, message: 'hostNetwork: true' } : passing('host network not used');
    case 'no-host-pid':
      return spec.hostPID === true ? { ok: false, message: 'hostPID: true' } : passing('host PID namespace not used');
    case 'no-host-ipc':
      return spec.hostIPC === true ? { ok: false, message: 'hostIPC: true' } : passing('host IPC namespace not used');
    case 'drop-capabilities':
      return psa(dropAllViolation(spec), 'all containers drop ALL capabilities', 'capabilities not dropped (drop: ["ALL"] missing; the value is case-sensitive)', spec);
    case 'no-added-capabilities': {
      const v = restrictedAddViolation(spec);
      // Capabilities even the baseline profile forbids (SYS_ADMIN, NET_RAW, ...) keep the rule's severity.
      const beyondBaseline = v?.added.some((a) => !BASELINE_CAPABILITIES.has(a));
      return psa(v?.detail, 'no capabilities added beyond NET_BIND_SERVICE', 'capabilities added', spec, v && !beyondBaseline ? 'medium' : undefined);
    }
    case 'seccomp-profile':
      return psa(seccompRestrictedViolation(spec), 'seccomp RuntimeDefault/Localhost everywhere', 'no RuntimeDefault/Localhost seccomp profile', spec);
  }
}

/** CPU/memory quantities present (a limit without a request makes the request default to it). */
export function resourceGaps(spec: PodSpec): { requests: string[]; limits: string[] } {
  const requests: string[] = [];
  const limits: string[] = [];
  for (const [field, kind] of CONTAINER_LISTS) {
    if (kind === 'ephemeralContainer') continue; // ephemeral containers cannot set resources
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    for (const c of list as Container[]) {
      const req = c.resources?.requests;
      const lim = c.resources?.limits;
      const cpu = req?.cpu === undefined && lim?.cpu === undefined;
      const memory = req?.memory === undefined && lim?.memory === undefined;
      if (cpu || memory) requests.push(`${label(kind, c)} (${cpu && memory ? 'cpu, memory' : cpu ? 'cpu' : 'memory'})`);
      if (lim?.memory === undefined) limits.push(`${label(kind, c)} (memory)`);
    }
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
