import type { K8sObject } from './snapshot.js';

/**
 * First sight of a vulnerability: when the evidence store first saw a Trivy VulnerabilityReport list
 * it for a workload's image. The Trivy operator re-creates its reports (every 24 h by default), so a
 * report's own dates cannot age a vulnerability; the store, which keeps every run, can. The store
 * writes these keys from each stored snapshot; CC3-RA-03 reads them back through
 * `CheckContext.firstSeen`. Both sides derive the keys here, so that they always agree.
 */

/** Where a vulnerability was seen: the workload (and container) and the image, without tag or digest. */
export interface SightingKey {
  /**
   * `namespace/Kind/name/container` of the report's target. A ReplicaSet's pod-template hash is
   * dropped (`shop/ReplicaSet/api/app`), so that every rollout of a Deployment is one workload.
   */
  workload: string;
  /**
   * `registry/repository` without tag or digest: an image rebuilt or re-tagged that still carries the
   * vulnerability has not remediated it, so its age goes on.
   */
  image: string;
}

/** The image itself (a report of it was seen, whatever it listed): the vulnerability column of its row. */
export const IMAGE_SIGHTING = '';

/** Tells when the store first saw a vulnerability (`IMAGE_SIGHTING`: the image) for a workload: an ISO time, or undefined. */
export type FirstSeenLookup = (workload: string, image: string, vulnerability: string) => string | undefined;

const VULN_REPORT_API = 'aquasecurity.github.io/';
/** The alphabet Kubernetes encodes pod-template hashes with (no vowels, no 0/1/3). */
const POD_TEMPLATE_HASH = /-[bcdfghjklmnpqrstvwxz2456789]{5,10}$/;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

export function isVulnerabilityReport(o: K8sObject): boolean {
  return o.kind === 'VulnerabilityReport' && o.apiVersion.startsWith(VULN_REPORT_API);
}

/** The workload and image a VulnerabilityReport describes; undefined when it names neither. */
export function sightingKey(report: K8sObject): SightingKey | undefined {
  const l = report.metadata.labels ?? {};
  const kind = l['trivy-operator.resource.kind'];
  let name = l['trivy-operator.resource.name'];
  const ns = l['trivy-operator.resource.namespace'] ?? report.metadata.namespace ?? '';
  const container = l['trivy-operator.container.name'] ?? '';
  const r = obj(report.report) ?? {};
  const artifact = obj(r.artifact) ?? {};
  const repository = text(artifact.repository);
  if (!kind || !name || !repository) return undefined;
  if (kind === 'ReplicaSet') name = name.replace(POD_TEMPLATE_HASH, '');
  const server = text(obj(r.registry)?.server);
  return { workload: `${ns}/${kind}/${name}/${container}`, image: server ? `${server}/${repository}` : repository };
}

/** The CRITICAL vulnerability ids a report lists. */
export function criticalIds(report: K8sObject): string[] {
  const list = obj(report.report)?.vulnerabilities;
  if (!Array.isArray(list)) return [];
  const ids = new Set<string>();
  for (const v of list) {
    const o = obj(v);
    const id = text(o?.vulnerabilityID);
    if (o?.severity === 'CRITICAL' && id) ids.add(id);
  }
  return [...ids];
}

/**
 * Every (workload, image, vulnerability) the snapshot's VulnerabilityReports show, plus one row per
 * (workload, image) with `IMAGE_SIGHTING`: the store saw the image, whatever it listed. Only CRITICAL
 * vulnerabilities are kept (the ones a remediation SLA ages).
 */
export function vulnerabilitySightings(objects: readonly K8sObject[]): (SightingKey & { vulnerability: string })[] {
  const out = new Map<string, SightingKey & { vulnerability: string }>();
  for (const o of objects) {
    if (!isVulnerabilityReport(o)) continue;
    const key = sightingKey(o);
    if (!key) continue;
    for (const vulnerability of [IMAGE_SIGHTING, ...criticalIds(o)]) out.set(`${key.workload}\n${key.image}\n${vulnerability}`, { ...key, vulnerability });
  }
  return [...out.values()];
}
