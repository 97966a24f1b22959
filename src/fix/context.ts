import type { EffectiveConfig, Finding, K8sObject, RunResult, Snapshot } from '../model/index.js';
import { kindKey } from '../model/index.js';
import { SnapshotIndex } from '../engine/index.js';
import type { CommandStep, Decision, NewObject, ObjectChange } from './types.js';

/** What a fixer returns for one finding: changes, new objects, commands or a decision. */
export type FixOutcome =
  | ({ type: 'change' } & Omit<ObjectChange, 'control' | 'rule' | 'resource' | 'source'>)
  | ({ type: 'new' } & Omit<NewObject, 'control' | 'rule' | 'resource' | 'source'>)
  | ({ type: 'command' } & Omit<CommandStep, 'control' | 'rule' | 'resource' | 'source'>)
  | ({ type: 'decision' } & Omit<Decision, 'control' | 'rule' | 'resource' | 'source'>);

/** Everything a fixer may read: the run, the evidence it was made from, and the selection. */
export class FixContext {
  readonly index: SnapshotIndex;
  /** The Kubernetes evidence is the whole inventory (live, a bundle, the demo, or --complete-inventory). */
  readonly complete: boolean;
  readonly cluster: { name?: string; region?: string; accountId?: string };
  private readonly selectedRules: ReadonlySet<string> | undefined;

  constructor(readonly run: RunResult, readonly snapshot: Snapshot, readonly config: EffectiveConfig, selected?: ReadonlySet<string>) {
    this.index = new SnapshotIndex(snapshot);
    this.complete = snapshot.kubernetes.complete || snapshot.kubernetes.source === 'live' || snapshot.kubernetes.source === 'demo';
    const arn = snapshot.cluster.arn;
    const m = arn ? /^arn:aws[\w-]*:eks:([\w-]+):(\d{12}):cluster\/(.+)$/.exec(arn) : null;
    const name = snapshot.cluster.name ?? m?.[3];
    const region = snapshot.cluster.region ?? m?.[1] ?? snapshot.aws.region;
    const accountId = snapshot.cluster.accountId ?? m?.[2] ?? snapshot.aws.accountId;
    this.cluster = { ...(name ? { name } : {}), ...(region ? { region } : {}), ...(accountId ? { accountId } : {}) };
    this.selectedRules = selected;
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

  /** Whether a kind was read completely (`collected` or `absent`). */
  has(kind: string): boolean {
    const s = this.index.state(`k8s:${kind}`);
    return s === 'collected' || s === 'absent';
  }
}
