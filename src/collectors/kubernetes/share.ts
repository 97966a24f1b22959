/**
 * Structural sharing of identical sub-trees across the objects of one collection. The replicas of
 * a workload carry the same containers, volumes, tolerations, labels and owner reference, and a
 * Deployment's pod template is repeated in each of its ReplicaSets; keeping one copy of each
 * distinct sub-tree roughly halves the memory a 150,000-pod cluster takes (docs/kubernetes.md
 * "Performance"), and each distinct sub-tree is sanitized once instead of once per replica.
 *
 * Shared sub-trees are frozen: evidence is read-only once collected, and a check that tried to
 * modify one would fail loudly instead of silently changing other objects.
 *
 * Identity is the SHA-1 of the sub-tree's JSON as received (a content digest, not a security
 * boundary: an accidental collision is ~2^-80 likely), so only a 28-character digest per distinct
 * sub-tree is kept, never its text.
 */
import { hash } from 'node:crypto';
import type { K8sObject } from '../../model/index.js';

type Rec = Record<string, unknown>;
const isObj = (v: unknown): v is Rec | unknown[] => v !== null && typeof v === 'object';
const isRec = (v: unknown): v is Rec => isObj(v) && !Array.isArray(v);

function deepFreeze(v: unknown): void {
  if (!isObj(v) || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Array.isArray(v) ? v : Object.values(v)) deepFreeze(x);
}

/** Pod-spec fields that are never shared as a whole: they differ between replicas. */
const PER_POD = new Set(['nodeName', 'hostname', 'subdomain', 'containers', 'initContainers', 'ephemeralContainers', 'volumes']);
/**
 * Every pod mounts its own `kube-api-access-<random>` token volume, so a container's
 * `volumeMounts` (and the `volumes` list) differ between replicas even when nothing else does:
 * containers are compared without their `volumeMounts`, and a replica gets a container object
 * holding the shared members plus its own mounts.
 */
const MOUNTS = 'volumeMounts';

interface Slot {
  holder: Rec | unknown[];
  key: string;
  digest: string;
  canonical?: unknown;
  /** A container compared without its own volumeMounts. */
  mounts?: { has: boolean; value: unknown };
}

function withMounts(base: Rec, mounts: { has: boolean; value: unknown }): Rec {
  const out: Rec = {};
  for (const k of Object.keys(base)) {
    if (k !== MOUNTS) out[k] = base[k];
    else if (mounts.has) out[k] = mounts.value;
  }
  if (mounts.has && !(MOUNTS in base)) out[MOUNTS] = mounts.value;
  return out;
}

export class StructureSharer {
  private readonly seen = new Map<string, unknown>();
  /** Sub-trees replaced by an existing copy (statistics). */
  hits = 0;

  get distinct(): number {
    return this.seen.size;
  }

  /**
   * Look up the shareable sub-trees of `obj` (as received). Those already known are detached (set
   * to null) so the caller's sanitizing pass skips them; call the returned function after that pass
   * to put the shared copies in and register the new ones.
   */
  prepare(obj: K8sObject): () => void {
    const slots: Slot[] = [];
    const consider = (holder: unknown, key: string): boolean => {
      if (!isObj(holder)) return false;
      const v = (holder as Rec)[key];
      if (!isObj(v) || Object.isFrozen(v)) return false;
      const text = JSON.stringify(v);
      if (text.length < 24) return false; // `{}`, `[]`, tiny maps: not worth an entry
      const digest = hash('sha1', text, 'base64');
      const hit = this.seen.get(digest);
      if (hit !== undefined) {
        (holder as Rec)[key] = null;
        slots.push({ holder, key, digest, canonical: hit });
        return true;
      }
      slots.push({ holder, key, digest });
      return false;
    };
    const container = (list: unknown[], i: number): void => {
      const c = list[i];
      if (!isRec(c) || Object.isFrozen(c)) return;
      const mounts = { has: MOUNTS in c, value: c[MOUNTS] };
      if (mounts.has) c[MOUNTS] = undefined; // left out of the comparison (JSON.stringify skips undefined)
      const text = JSON.stringify(c);
      if (mounts.has) c[MOUNTS] = mounts.value;
      const digest = hash('sha1', `container ${text}`, 'base64');
      const hit = this.seen.get(digest);
      if (hit !== undefined) {
        list[i] = null;
        slots.push({ holder: list, key: String(i), digest, canonical: hit, mounts });
      } else {
        slots.push({ holder: list, key: String(i), digest, mounts });
      }
    };
    const members = (holder: unknown, skip?: ReadonlySet<string>): void => {
      if (!isRec(holder)) return;
      for (const k of Object.keys(holder)) if (!skip?.has(k)) consider(holder, k);
    };
    /** A pod's spec, or a pod template's: containers member by member, volumes item by item. */
    const podSpec = (ps: unknown): void => {
      if (!isRec(ps)) return;
      members(ps, PER_POD);
      for (const k of ['containers', 'initContainers', 'ephemeralContainers']) {
        const list = ps[k];
        if (Array.isArray(list)) for (let i = 0; i < list.length; i++) container(list, i);
      }
      if (Array.isArray(ps.volumes)) {
        for (let i = 0; i < ps.volumes.length; i++) {
          const v = ps.volumes[i] as { name?: unknown } | null;
          if (typeof v?.name === 'string' && v.name.startsWith('kube-api-access-')) continue; // one per pod
          consider(ps.volumes, String(i));
        }
      }
    };

    const m = obj.metadata as Rec | undefined;
    consider(m, 'labels');
    consider(m, 'annotations');
    consider(m, 'ownerReferences');
    const spec = obj.spec;
    if (isRec(spec)) {
      if (obj.kind === 'Pod') {
        podSpec(spec);
        members(obj.status);
      } else {
        // Pod templates: Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs; CronJobs one level down.
        const jobSpec = isRec(spec.jobTemplate) ? spec.jobTemplate.spec : undefined;
        for (const t of [spec.template, isRec(jobSpec) ? jobSpec.template : undefined]) {
          if (!isRec(t)) continue;
          members(t.metadata);
          if (!consider(t, 'spec')) podSpec(t.spec);
        }
        consider(spec, 'selector');
      }
    }
    if (slots.length === 0) return () => {};
    return () => {
      // Innermost first, so that an outer sub-tree is registered holding the shared inner ones.
      for (let i = slots.length - 1; i >= 0; i--) {
        const s = slots[i]!;
        const holder = s.holder as Rec;
        if (s.mounts) {
          const base = (s.canonical ?? this.seen.get(s.digest)) as Rec | undefined;
          if (base !== undefined) {
            holder[s.key] = withMounts(base, s.mounts);
            this.hits++;
          } else {
            deepFreeze(holder[s.key]);
            this.seen.set(s.digest, holder[s.key]);
          }
          continue;
        }
        if (s.canonical !== undefined) {
          holder[s.key] = s.canonical;
          this.hits++;
          continue;
        }
        const existing = this.seen.get(s.digest);
        if (existing !== undefined) {
          holder[s.key] = existing;
          this.hits++;
        } else {
          deepFreeze(holder[s.key]);
          this.seen.set(s.digest, holder[s.key]);
        }
      }
    };
  }
}
