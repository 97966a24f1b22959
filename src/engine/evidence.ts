import type {
  AwsFact, CoverageState, Evidence, EvidenceKey, K8sKindKey, K8sObject, Snapshot, ToolReport,
} from '../model/index.js';
import { kindKey } from '../model/index.js';

const EMPTY: readonly K8sObject[] = Object.freeze([]);

// ───────────── values known only after apply (facts translated from Terraform) ─────────────

/** Told when the running check reads a value of a fact that is not known before apply. */
export interface UnknownReads {
  read(what: string, why: string): void;
}

/** The tracker of the check that is running (checks are synchronous: one at a time). */
let tracker: UnknownReads | undefined;

/** Run `fn` (a check) with `t` told of every unknown value it reads. */
export function trackUnknownReads<T>(t: UnknownReads, fn: () => T): T {
  const prev = tracker;
  tracker = t;
  try {
    return fn();
  } finally {
    tracker = prev;
  }
}

interface UnknownNode { why?: string; children?: Map<string, UnknownNode> }

function unknownTrie(unknown: Record<string, string>): UnknownNode {
  const root: UnknownNode = {};
  for (const [path, why] of Object.entries(unknown)) {
    let n = root;
    for (const part of path.split('.')) {
      n.children ??= new Map();
      let c = n.children.get(part);
      if (!c) n.children.set(part, (c = {}));
      n = c;
    }
    n.why = why;
  }
  return root;
}

/**
 * A read-only view of a fact whose unknown values are left out: reading one (by property, `in`, or
 * enumerating its parent) tells the tracker, so whatever the check concludes afterwards is not taken
 * as a verdict. Facts without unknown values are handed out as they are (no cost).
 */
function trackedFact(fact: AwsFact): AwsFact {
  const label = `${fact.service}:${fact.operation}`;
  const cache = new WeakMap<object, object>();
  const wrap = (target: object, node: UnknownNode, path: string): object => {
    let p = cache.get(target);
    if (p) return p;
    const childOf = (k: string | symbol) => (typeof k === 'string' ? node.children?.get(k) : undefined);
    const tell = (k: string, c: UnknownNode) => tracker?.read(`${label} ${path ? `${path}.` : ''}${k}`.replace(/ output\./, ' '), c.why!);
    p = new Proxy(target, {
      get(t, k, r) {
        const c = childOf(k);
        if (!c) return Reflect.get(t, k, r);
        if (c.why !== undefined) { tell(k as string, c); return undefined; }
        const v = Reflect.get(t, k, r) as unknown;
        return v !== null && typeof v === 'object' ? wrap(v, c, `${path ? `${path}.` : ''}${String(k)}`) : v;
      },
      has(t, k) {
        const c = childOf(k);
        if (c?.why !== undefined) tell(k as string, c);
        return Reflect.has(t, k);
      },
      ownKeys(t) {
        // Enumerating an object one of whose members is unknown (spread, Object.entries) may miss it.
        for (const [k, c] of node.children ?? []) if (c.why !== undefined) { tell(k, c); break; }
        return Reflect.ownKeys(t);
      },
      set() { return false; },
      deleteProperty() { return false; },
    });
    cache.set(target, p);
    return p;
  };
  return wrap(fact, unknownTrie(fact.unknown!), '') as AwsFact;
}
const EMPTY_FACTS: readonly AwsFact[] = Object.freeze([]);

/**
 * Indexes of one snapshot, built once per run: objects by kind, by kind + namespace, by uid and by
 * kind + namespace + name, AWS facts by operation. Every control's Evidence view reads these, so no
 * check scans all objects per object.
 */
export class SnapshotIndex {
  readonly byKind = new Map<K8sKindKey, K8sObject[]>();
  private readonly byKindNs = new Map<K8sKindKey, Map<string, K8sObject[]>>();
  /** Name lookups, built per kind + namespace bucket on first use (most buckets are never asked). */
  private readonly byName = new Map<readonly K8sObject[], Map<string, K8sObject>>();
  private readonly byUid = new Map<string, K8sObject>();
  private readonly facts = new Map<string, AwsFact[]>();
  private namespaceList: string[] | undefined;
  private readonly minor: number | undefined;

  constructor(readonly snapshot: Snapshot) {
    // apiVersion + kind → kind key, computed once per pair rather than once per object.
    const keys = new Map<string, Map<string, K8sKindKey>>();
    for (const obj of snapshot.kubernetes.objects) {
      let byKindName = keys.get(obj.apiVersion);
      if (!byKindName) keys.set(obj.apiVersion, (byKindName = new Map()));
      let key = byKindName.get(obj.kind);
      if (key === undefined) byKindName.set(obj.kind, (key = kindKey(obj.apiVersion, obj.kind)));
      push(this.byKind, key, obj);
      const ns = obj.metadata.namespace ?? '';
      let nsMap = this.byKindNs.get(key);
      if (!nsMap) this.byKindNs.set(key, (nsMap = new Map()));
      push(nsMap, ns, obj);
      if (obj.metadata.uid) this.byUid.set(obj.metadata.uid, obj);
    }
    for (const fact of snapshot.aws.facts) push(this.facts, `${fact.service}:${fact.operation}`, fact.unknown && Object.keys(fact.unknown).length > 0 ? trackedFact(fact) : fact);
    this.minor = parseMinor(snapshot.kubernetes.serverVersion);
  }

  /** state() by key: checks ask per object (`ev.has(...)` in a loop over 150,000 pods), the answer is the snapshot's. */
  private readonly states = new Map<EvidenceKey, CoverageState | 'not-collected'>();

  state(key: EvidenceKey): CoverageState | 'not-collected' {
    let s = this.states.get(key);
    if (s === undefined) this.states.set(key, (s = this.stateOf(key)));
    return s;
  }

  private stateOf(key: EvidenceKey): CoverageState | 'not-collected' {
    if (key.startsWith('k8s:')) {
      const kind = key.slice(4);
      const cov = this.snapshot.kubernetes.kinds[kind];
      if (cov) return cov.state;
      if (kind.endsWith('/*')) return this.groupState(kind.slice(0, -1));
      if (this.byKind.has(kind)) return 'collected';
      return this.snapshot.kubernetes.complete ? 'absent' : 'not-collected';
    }
    if (key.startsWith('aws:')) {
      const op = key.slice(4);
      const cov = this.snapshot.aws.calls[op];
      if (cov) return cov.state;
      return this.facts.has(op) ? 'collected' : 'not-collected';
    }
    const tool = key.slice(5);
    return this.snapshot.tools.some((t) => t.tool === tool) ? 'collected' : 'not-collected';
  }

  /** Whether the key was read as the whole inventory (see `Evidence.complete`). */
  complete(key: EvidenceKey): boolean {
    const s = this.state(key);
    if (s !== 'collected' && s !== 'absent') return false;
    if (key.startsWith('k8s:')) return this.snapshot.kubernetes.source !== 'files' || this.snapshot.kubernetes.complete;
    // Facts translated from Terraform are what the configuration declares, not the account's whole inventory.
    if (key.startsWith('aws:')) return this.snapshot.aws.calls[key.slice(4)]?.detail !== 'terraform';
    return true;
  }

  /** A whole API group (`constraints.gatekeeper.sh/*`): the worst state of its kinds. */
  private groupState(prefix: string): CoverageState | 'not-collected' {
    let seen: CoverageState | undefined;
    for (const [k, cov] of Object.entries(this.snapshot.kubernetes.kinds)) {
      if (!k.startsWith(prefix)) continue;
      if (cov.state === 'denied' || cov.state === 'error' || cov.state === 'partial') return cov.state;
      seen = seen === 'collected' ? seen : cov.state;
    }
    if (seen) return seen;
    for (const k of this.byKind.keys()) if (k.startsWith(prefix)) return 'collected';
    return this.snapshot.kubernetes.complete ? 'absent' : 'not-collected';
  }

  /** Objects of a kind; `group/*` returns every kind of that API group. */
  objects(kind: K8sKindKey): readonly K8sObject[] {
    if (kind.endsWith('/*')) {
      const prefix = kind.slice(0, -1);
      const out: K8sObject[] = [];
      for (const [k, list] of this.byKind) if (k.startsWith(prefix)) for (const o of list) out.push(o);
      return out;
    }
    return this.byKind.get(kind) ?? EMPTY;
  }

  inNamespace(kind: K8sKindKey, ns: string): readonly K8sObject[] {
    return this.byKindNs.get(kind)?.get(ns) ?? EMPTY;
  }

  get(kind: K8sKindKey, ns: string, name: string): K8sObject | undefined {
    const bucket = this.byKindNs.get(kind)?.get(ns);
    if (!bucket) return undefined;
    let names = this.byName.get(bucket);
    if (!names) {
      names = new Map();
      // The last object of a name wins, as the eager index did (a later file overrides an earlier one).
      for (const o of bucket) if (o.metadata.name) names.set(o.metadata.name, o);
      this.byName.set(bucket, names);
    }
    return names.get(name);
  }

  owner(obj: K8sObject): K8sObject | undefined {
    const refs = obj.metadata.ownerReferences;
    if (!refs || refs.length === 0) return undefined;
    const ref = refs.find((r) => r.controller) ?? refs[0]!;
    if (ref.uid) {
      const byUid = this.byUid.get(ref.uid);
      if (byUid) return byUid;
    }
    return this.get(kindKey(ref.apiVersion, ref.kind), obj.metadata.namespace ?? '', ref.name);
  }

  namespaces(): readonly string[] {
    if (!this.namespaceList) {
      const set = new Set<string>();
      for (const ns of this.objects('core/Namespace')) if (ns.metadata.name) set.add(ns.metadata.name);
      for (const [, nsMap] of this.byKindNs) for (const ns of nsMap.keys()) if (ns) set.add(ns);
      this.namespaceList = [...set].sort();
    }
    return this.namespaceList;
  }

  serverMinor(): number | undefined {
    return this.minor;
  }

  aws(op: string, filter?: (f: AwsFact) => boolean): readonly AwsFact[] {
    const list = this.facts.get(op) ?? EMPTY_FACTS;
    return filter ? list.filter(filter) : list;
  }

  private readonly memos = new Map<string, unknown>();
  /** Unknown values read while computing a memo: every later user of the memo read them too. */
  private readonly memoReads = new Map<string, [string, string][]>();

  memo<T>(key: string, compute: () => T): T {
    if (this.memos.has(key)) {
      for (const [what, why] of this.memoReads.get(key) ?? []) tracker?.read(what, why);
      return this.memos.get(key) as T;
    }
    const reads: [string, string][] = [];
    const outer = tracker;
    const v = trackUnknownReads({ read: (what, why) => { reads.push([what, why]); outer?.read(what, why); } }, compute);
    this.memos.set(key, v);
    if (reads.length > 0) this.memoReads.set(key, reads);
    return v;
  }

  tools(name: string): readonly ToolReport[] {
    return this.snapshot.tools.filter((t) => t.tool === name);
  }
}

export function parseMinor(version: string | undefined): number | undefined {
  if (!version) return undefined;
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? Number(m[2]) : undefined;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Thrown when a check reads evidence its control does not declare: a bug in the catalog. */
export class UndeclaredEvidenceError extends Error {}

/**
 * The Evidence a check sees: the snapshot index restricted to the keys its control declares
 * (required + optional), so that collectors, which fetch only declared keys, always supply
 * everything a check reads.
 */
export function scopedEvidence(index: SnapshotIndex, controlId: string, declared: ReadonlySet<string>): Evidence {
  const guard = (key: string): void => {
    if (!declared.has(key)) throw new UndeclaredEvidenceError(`${controlId} reads ${key}, which it does not declare in requires/optional`);
  };
  return {
    state: (key) => { guard(key); return index.state(key); },
    has: (key) => { guard(key); const s = index.state(key); return s === 'collected' || s === 'absent'; },
    complete: (key) => { guard(key); return index.complete(key); },
    objects: (kind) => { guard(`k8s:${kind}`); return index.objects(kind); },
    inNamespace: (kind, ns) => { guard(`k8s:${kind}`); return index.inNamespace(kind, ns); },
    get: (kind, ns, name) => { guard(`k8s:${kind}`); return index.get(kind, ns, name); },
    owner: (obj) => index.owner(obj),
    namespaces: () => index.namespaces(),
    serverMinor: () => index.serverMinor(),
    aws: (op, filter) => { guard(`aws:${op}`); return index.aws(op, filter); },
    tools: (name) => { guard(`tool:${name}`); return index.tools(name); },
    memo: (key, compute) => index.memo(key, compute),
  };
}
