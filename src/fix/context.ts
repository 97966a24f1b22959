import type { EffectiveConfig, Finding, K8sObject, RunResult, Snapshot } from '../model/index.js';
import { kindKey } from '../model/index.js';
import { SnapshotIndex } from '../engine/index.js';
import type { CommandStep, Decision, NewObject, ObjectChange, ObjectOp, Risk, TfChange } from './types.js';
import { applyOps } from './edit.js';

/** What a fixer returns for one finding: changes, new objects, commands or a decision. */
export type FixOutcome =
  | ({ type: 'change' } & Omit<ObjectChange, 'control' | 'rule' | 'resource' | 'source'>)
  | ({ type: 'new' } & Omit<NewObject, 'control' | 'rule' | 'resource' | 'source'>)
  | ({ type: 'tf' } & Omit<TfChange, 'control' | 'rule' | 'resource' | 'source'>)
  | ({ type: 'command' } & Omit<CommandStep, 'control' | 'rule' | 'resource' | 'source'>)
  | ({ type: 'decision' } & Omit<Decision, 'control' | 'rule' | 'resource' | 'source'>);

/** Everything a fixer may read: the run, the evidence it was made from, and the selection. */
export class FixContext {
  readonly index: SnapshotIndex;
  /** The Kubernetes evidence is the whole inventory (live, a bundle, the demo, or --complete-inventory). */
  readonly complete: boolean;
  readonly cluster: { name?: string; region?: string; accountId?: string };
  private readonly selectedRules: ReadonlySet<string> | undefined;

  private readonly memos = new Map<string, unknown>();

  constructor(readonly run: RunResult, readonly snapshot: Snapshot, readonly config: EffectiveConfig, selected?: ReadonlySet<string>, index?: SnapshotIndex) {
    // The scan's own index when it is handed over: a second one of a 150,000-pod snapshot costs seconds.
    this.index = index?.snapshot === snapshot ? index : new SnapshotIndex(snapshot);
    this.complete = snapshot.kubernetes.complete || snapshot.kubernetes.source === 'live' || snapshot.kubernetes.source === 'demo';
    const arn = snapshot.cluster.arn;
    const m = arn ? /^arn:aws[\w-]*:eks:([\w-]+):(\d{12}):cluster\/(.+)$/.exec(arn) : null;
    const name = snapshot.cluster.name ?? m?.[3];
    const region = snapshot.cluster.region ?? m?.[1] ?? snapshot.aws.region;
    const accountId = snapshot.cluster.accountId ?? m?.[2] ?? snapshot.aws.accountId;
    this.cluster = { ...(name ? { name } : {}), ...(region ? { region } : {}), ...(accountId ? { accountId } : {}) };
    this.selectedRules = selected;
  }

  /** A value derived from the snapshot, computed once per fix run (like `Evidence.memo`). */
  memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }

  /** Whether a rule of a control is part of this fix run (for fixes that depend on another rule's fix). */
  selected(control: string, rule: string): boolean {
    return !this.selectedRules || this.selectedRules.has(`${control}/${rule}`);
  }

  /** The object a Kubernetes finding is about, as read (matched by kind, namespace, name and file). */
  objectOf(f: Finding): K8sObject | undefined {
    const r = f.resource;
    if (r.provider !== 'kubernetes') return undefined;
    const key = kindKey(r.apiVersion ?? 'v1', r.kind);
    const candidates = this.index.inNamespace(key, r.namespace ?? '').filter((o) => o.kind === r.kind && (o.metadata.name ?? o.metadata.generateName ?? '(unnamed)') === r.name);
    if (candidates.length <= 1) return candidates[0];
    if (r.uid) { const byUid = candidates.find((o) => o.metadata.uid === r.uid); if (byUid) return byUid; }
    if (f.source) return candidates.find((o) => o.$source?.file === f.source!.file && o.$source.line === f.source!.line) ?? candidates[0];
    return candidates[0];
  }

  private readonly planned = new Map<K8sObject, { ops: ObjectOp[]; risk: Risk }>();

  /** Record changes the plan makes to an object (for fixes that judge the fixed object). */
  plan(obj: K8sObject, ops: readonly ObjectOp[], risk: Risk): void {
    const p = this.planned.get(obj);
    if (p) { p.ops.push(...ops); if (risk === 'review') p.risk = 'review'; } else this.planned.set(obj, { ops: [...ops], risk });
  }

  /** The object as the plan leaves it, and the risk of the planned changes (undefined: none). */
  afterPlan(obj: K8sObject): { obj: K8sObject; risk?: Risk } {
    const p = this.planned.get(obj);
    return p ? { obj: applyOps(obj, p.ops), risk: p.risk } : { obj };
  }

  /** Whether a kind was read completely (`collected` or `absent`). */
  has(kind: string): boolean {
    const s = this.index.state(`k8s:${kind}`);
    return s === 'collected' || s === 'absent';
  }
}
