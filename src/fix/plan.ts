import type { ControlResult, EffectiveConfig, Finding, RunResult, Snapshot } from '../model/index.js';
import { FixContext } from './context.js';
import type { FixOutcome } from './context.js';
import { DECISIONS, FIXERS } from './registry.js';
import { isTerraform, terraformFix } from './terraform.js';
import type { FixPlan, FixSubject, Risk } from './types.js';
import { emptyPlan } from './types.js';

export interface PlanOptions {
  /** The highest risk to include (default `safe`). */
  level?: Risk;
  /** Limit to these rules: `rule` or `CONTROL/rule`. */
  rules?: readonly string[];
  /** Also fix findings in system namespaces (reported separately by scan, not counted). */
  includeSystem?: boolean;
  config: EffectiveConfig;
  /** Plan at most this many findings per control (the scan's filled-in remediation). */
  limitPerControl?: number;
  /** A context already made for this run (its index and memos are reused). */
  context?: FixContext;
}

const RISK_RANK: Record<Risk, number> = { safe: 0, review: 1 };

/** Whether a finding is one `fix` acts on: a failure, or a warning of a recommended rule. */
export function isFixable(f: Finding, includeSystem: boolean): boolean {
  return (f.status === 'fail' || f.status === 'warn') && (includeSystem || !f.system);
}

function ruleSelected(control: string, rule: string, rules: readonly string[] | undefined): boolean {
  if (!rules?.length) return true;
  return rules.some((r) => r === rule || r.toUpperCase() === `${control}/${rule}`.toUpperCase() || r.toUpperCase() === `${control}:${rule}`.toUpperCase());
}

/**
 * Turn a run's failing and warning findings into a plan: changes of the objects they are about, new
 * objects, commands in a safe order, and the decisions only a human can make. Pure: no I/O.
 */
export function planFixes(run: RunResult, snapshot: Snapshot, opts: PlanOptions): FixPlan {
  const level = opts.level ?? 'safe';
  const selected = new Set<string>();
  for (const c of run.controls) for (const r of c.rules) if (ruleSelected(c.id, r.id, opts.rules)) selected.add(`${c.id}/${r.id}`);
  const ctx = opts.context ?? new FixContext(run, snapshot, opts.config, selected);
  const plan = emptyPlan();
  const seenCommands = new Set<string>();
  const seenNew = new Set<string>();
  // Fixes that judge the result of other fixes (the Pod Security level the namespace's workloads
  // meet once fixed) run after the others.
  const ordered = [...run.controls.filter((c) => !AFTER_OTHERS.has(c.id)), ...run.controls.filter((c) => AFTER_OTHERS.has(c.id))];
  let recorded = false;
  for (const c of ordered) {
    if (AFTER_OTHERS.has(c.id) && !recorded) {
      for (const ch of plan.changes) ctx.plan(ch.object, ch.ops, ch.risk);
      recorded = true;
    }
    let planned = 0;
    for (const f of c.findings) {
      if (!isFixable(f, Boolean(opts.includeSystem)) || !selected.has(`${c.id}/${f.rule}`)) continue;
      if (opts.limitPerControl !== undefined && planned++ >= opts.limitPerControl) break;
      const subject: FixSubject = { control: c.id, rule: f.rule, resource: f.resource, ...(f.source ? { source: f.source } : {}) };
      if (isTerraform(f)) {
        for (const o of terraformFix(c.id, f)) addOutcome(plan, subject, o, level, c, { seenCommands, seenNew });
        continue;
      }
      const fixer = FIXERS[c.id]?.[f.rule];
      let outcomes: FixOutcome[];
      try {
        outcomes = fixer ? fixer(f, ctx) : [];
      } catch (err) {
        outcomes = [{ type: 'decision', decide: 'fix by hand', why: `the fixer failed (${err instanceof Error ? err.message : String(err)}); please report it` }];
      }
      if (!fixer) {
        const d = DECISIONS[c.id]?.[f.rule];
        if (d) plan.decisions.push({ ...subject, ...d, hint: c.remediation.summary });
        else plan.uncovered.push(subject);
        continue;
      }
      for (const o of outcomes) addOutcome(plan, subject, o, level, c, { seenCommands, seenNew });
    }
  }
  plan.commands.sort((a, b) => a.order - b.order);
  return plan;
}

/** Controls whose fixes depend on the changes other fixes make to the same objects. */
const AFTER_OTHERS = new Set(['CC5-HARD-01']);

function addOutcome(plan: FixPlan, subject: FixSubject, o: FixOutcome, level: Risk, _c: ControlResult, seen: { seenCommands: Set<string>; seenNew: Set<string> }): void {
  if (o.type === 'decision') {
    const { type: _t, ...d } = o;
    plan.decisions.push({ ...subject, ...d });
    return;
  }
  if (RISK_RANK[o.risk] > RISK_RANK[level]) {
    plan.skipped.push({ ...subject, risk: o.risk, summary: o.type === 'command' ? o.summary : o.summary });
    return;
  }
  if (o.type === 'change') {
    // Two rules may make the same change to one object (storage-encrypted and default-class-encrypted):
    // both are listed, the edit is made once.
    const { type: _t, ...rest } = o;
    plan.changes.push({ ...subject, ...rest });
  } else if (o.type === 'tf') {
    const { type: _t, ...rest } = o;
    plan.tfChanges.push({ ...subject, ...rest });
  } else if (o.type === 'new') {
    const { type: _t, ...rest } = o;
    const key = `${rest.object.kind}/${rest.object.metadata.namespace ?? ''}/${rest.object.metadata.name ?? ''}`;
    if (seen.seenNew.has(key)) return;
    seen.seenNew.add(key);
    plan.newObjects.push({ ...subject, ...rest });
  } else {
    const { type: _t, ...rest } = o;
    const key = `${rest.order}|${rest.command}`;
    if (seen.seenCommands.has(key)) return;
    seen.seenCommands.add(key);
    plan.commands.push({ ...subject, ...rest });
  }
}

/** A stable key of an object as read: kind, namespace, name and where it came from. */
export function objectKey(o: { kind: string; metadata: { namespace?: string; name?: string }; $source?: { file: string; line: number } }): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}@${o.$source ? `${o.$source.file}:${o.$source.line}` : ''}`;
}
