import type { Evidence } from '../../model/index.js';
import type { ClusterVersionInformation } from '@aws-sdk/client-eks';
import { out, toTime } from './aws.js';

/**
 * Kubernetes / EKS version arithmetic (controls.md §5). Versions are compared as integer pairs
 * `major.minor`, never as strings ("1.4" < "1.35" as versions, not as text).
 */
export interface MinorVersion {
  major: number;
  minor: number;
}

/** `1.33`, `v1.33.5-eks-3025e55`, `1.33.5-20251016` → { major: 1, minor: 33 }; undefined when unreadable. */
export function parseVersion(v: unknown): MinorVersion | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^\s*v?(\d+)\.(\d+)(?:[.\-+].*)?\s*$/.exec(v);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

export function compareVersions(a: MinorVersion, b: MinorVersion): number {
  return a.major - b.major || a.minor - b.minor;
}

/** Minor arithmetic within one major (`addMinor(1.33, -2)` = 1.31). */
export function addMinor(v: MinorVersion, n: number): MinorVersion {
  return { major: v.major, minor: v.minor + n };
}

export function formatVersion(v: MinorVersion): string {
  return `${v.major}.${v.minor}`;
}

export function sameVersion(a: MinorVersion, b: MinorVersion): boolean {
  return compareVersions(a, b) === 0;
}

export type SupportStatus = 'STANDARD_SUPPORT' | 'EXTENDED_SUPPORT' | 'UNSUPPORTED';

/**
 * The support state of a version entry: `versionStatus`, else the deprecated `status`
 * (`standard-support`, or upper case as some examples print it) normalised.
 */
export function supportStatusOf(info: { versionStatus?: unknown; status?: unknown }): SupportStatus | undefined {
  const raw = typeof info.versionStatus === 'string' && info.versionStatus ? info.versionStatus : info.status;
  if (typeof raw !== 'string') return undefined;
  const norm = raw.trim().toUpperCase().replace(/-/g, '_');
  return norm === 'STANDARD_SUPPORT' || norm === 'EXTENDED_SUPPORT' || norm === 'UNSUPPORTED' ? norm : undefined;
}

export interface VersionEntry {
  version: MinorVersion;
  label: string;
  status: SupportStatus | undefined;
  endOfStandardSupport: number | undefined;
  endOfExtendedSupport: number | undefined;
}

/** Entries of `eks:DescribeClusterVersions` (all facts merged, `eks` cluster type only, one per version). */
export function clusterVersions(ev: Evidence): VersionEntry[] {
  const byLabel = new Map<string, VersionEntry>();
  for (const f of ev.aws('eks:DescribeClusterVersions')) {
    for (const info of out<{ clusterVersions?: ClusterVersionInformation[] }>(f)?.clusterVersions ?? []) {
      if (info.clusterType && info.clusterType !== 'eks') continue;
      const version = parseVersion(info.clusterVersion);
      if (!version) continue;
      const label = formatVersion(version);
      if (byLabel.has(label)) continue;
      byLabel.set(label, {
        version, label,
        status: supportStatusOf(info),
        endOfStandardSupport: toTime(info.endOfStandardSupportDate),
        endOfExtendedSupport: toTime(info.endOfExtendedSupportDate),
      });
    }
  }
  return [...byLabel.values()].sort((a, b) => compareVersions(b.version, a.version));
}

/**
 * The support state at `now`: the reported status, overridden by the published dates once they
 * have passed (a version is unsupported from 00:00 UTC of its end-of-extended-support day even if the
 * answer was cached earlier, controls.md §5.2).
 */
export function effectiveStatus(e: VersionEntry, now: number): SupportStatus | undefined {
  if (e.endOfExtendedSupport !== undefined && now >= e.endOfExtendedSupport) return 'UNSUPPORTED';
  if (e.status === 'STANDARD_SUPPORT' && e.endOfStandardSupport !== undefined && now >= e.endOfStandardSupport) return 'EXTENDED_SUPPORT';
  return e.status;
}

/** N: the highest version in standard support (controls.md §5.4 step 1). */
export function newestStandard(entries: readonly VersionEntry[], now: number): VersionEntry | undefined {
  return entries.filter((e) => effectiveStatus(e, now) === 'STANDARD_SUPPORT').sort((a, b) => compareVersions(b.version, a.version))[0];
}

export function findVersion(entries: readonly VersionEntry[], v: MinorVersion): VersionEntry | undefined {
  return entries.find((e) => sameVersion(e.version, v));
}

export const DAY_MS = 86_400_000;

/** Whole days from `now` to `t` (negative when past). */
export function daysUntil(t: number, now: number): number {
  return Math.floor((t - now) / DAY_MS);
}

export function isoDay(t: number | undefined): string {
  return t === undefined ? 'unknown' : new Date(t).toISOString().slice(0, 10);
}
