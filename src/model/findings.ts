import type { Severity } from './common.js';
import type { ControlResult, Finding, PassedGroup, ResourceRef, RunResource, RunResult } from './result.js';

/**
 * Reading the findings of a run, whatever its shape. A `run@3` … `run@5` result keeps only the findings
 * that are not passes in `ControlResult.findings` (in memory as objects; a run@4/run@5 result read from
 * JSON is expanded first, src/model/wire.ts) and its passing / not-applicable ones as resource indices
 * (`ControlResult.passed` into `RunResult.resources`); run@1/run@2 results hold every finding as an
 * object. Renderers, the dashboard, the store's diff and the period report read findings through
 * these functions so that they work on both.
 */

type RunLike = Pick<RunResult, 'resources'>;

/** Whether a finding status is one the compact form lists by index (`passed`). */
export function isPassingStatus(status: string): status is 'pass' | 'not-applicable' {
  return status === 'pass' || status === 'not-applicable';
}

/** The ResourceRef of a resource of the table (without its source), one per entry, shared by its findings. */
const refCache = new WeakMap<RunResource, ResourceRef>();
function refOfEntry(entry: RunResource): ResourceRef {
  let ref = refCache.get(entry);
  if (!ref) {
    if (entry.source === undefined) ref = entry;
    else {
      const { source: _source, ...rest } = entry;
      ref = rest;
    }
    refCache.set(entry, ref);
  }
  return ref;
}

/** The resource a finding names: its object (all shapes) or, given an index, the run's table entry. */
export function resourceOf(run: RunLike, f: Finding | number): ResourceRef {
  if (typeof f !== 'number') return f.resource;
  const entry = run.resources?.[f];
  if (!entry) throw new Error(`resource index ${f} is not in the run's resource table`);
  return refOfEntry(entry);
}

/** The severity a passing finding of `rule` has: the rule's, else the control's. */
function severityOf(control: ControlResult, rule: string): Severity {
  for (const r of control.rules ?? []) if (r.id === rule) return r.severity;
  return control.severity;
}

/**
 * The finding objects of one passed group (system ones after the counted ones), made one at a time;
 * `system` limits them to the counted (`exclude`) or the system (`only`) ones.
 */
export function* expandGroup(run: RunLike, control: ControlResult, g: PassedGroup, system?: 'exclude' | 'only'): Generator<Finding> {
  const severity = severityOf(control, g.rule);
  const make = (i: number, system: boolean): Finding => {
    const entry = run.resources?.[i];
    if (!entry) throw new Error(`${control.id}: resource index ${i} is not in the run's resource table`);
    const f: Finding = { rule: g.rule, status: g.status, severity, resource: refOfEntry(entry), message: g.message };
    if (entry.source) f.source = entry.source;
    if (system) f.system = true;
    return f;
  };
  if (system !== 'only') for (const i of g.resources) yield make(i, false);
  if (system !== 'exclude') for (const i of g.system ?? []) yield make(i, true);
}

export interface EachFindingOptions {
  /** Include passing and not-applicable findings (default true). */
  passing?: boolean;
  /** `exclude` or `only` findings in system namespaces; all when absent. */
  system?: 'exclude' | 'only';
}

/**
 * Every finding of a control as an object, lazily: first the ones of `findings` (in their order),
 * then the passing ones of `passed` made on demand. With `passing: false` only the findings that are
 * not passes (cheap on every shape).
 */
export function* eachFinding(run: RunLike, control: ControlResult, opts: EachFindingOptions = {}): Generator<Finding> {
  const passing = opts.passing ?? true;
  const keep = (system: boolean | undefined) => !opts.system || (opts.system === 'only' ? system === true : !system);
  for (const f of control.findings) {
    if (!passing && isPassingStatus(f.status)) continue;
    if (keep(f.system)) yield f;
  }
  if (!passing || !control.passed) return;
  for (const g of control.passed) yield* expandGroup(run, control, g, opts.system);
}

/** How many findings a control has (every status, system ones included), on every shape. */
export function findingTotal(control: ControlResult): number {
  let n = control.findings.length;
  for (const g of control.passed ?? []) n += g.resources.length + (g.system?.length ?? 0);
  return n;
}

/** How many findings of a control are in system namespaces, on every shape. */
export function systemFindingTotal(control: ControlResult): number {
  let n = 0;
  for (const f of control.findings) if (f.system) n++;
  for (const g of control.passed ?? []) n += g.system?.length ?? 0;
  return n;
}

/**
 * Up to `n` passing findings of a control outside system namespaces (what an auditor samples), spread
 * over its rules: the first resources of each group in turn.
 */
export function passingSample(run: RunLike, control: ControlResult, n: number): Finding[] {
  const out: Finding[] = [];
  if (n <= 0) return out;
  for (const f of control.findings) {
    if (f.status === 'pass' && !f.system) { out.push(f); if (out.length >= n) return out; }
  }
  const groups = (control.passed ?? []).filter((g) => g.status === 'pass' && g.resources.length > 0);
  const severity = new Map<string, Severity>();
  for (let k = 0; out.length < n; k++) {
    let any = false;
    for (const g of groups) {
      if (k >= g.resources.length) continue;
      any = true;
      const entry = run.resources?.[g.resources[k]!];
      if (!entry) continue;
      let sev = severity.get(g.rule);
      if (!sev) { sev = severityOf(control, g.rule); severity.set(g.rule, sev); }
      const f: Finding = { rule: g.rule, status: 'pass', severity: sev, resource: refOfEntry(entry), message: g.message };
      if (entry.source) f.source = entry.source;
      out.push(f);
      if (out.length >= n) break;
    }
    if (!any) break;
  }
  return out;
}

/**
 * A control in the one-object-per-finding shape (`run@2`): `findings` holds every finding, `passed` is
 * dropped. A control without `passed` is returned as it is.
 */
export function expandControl(run: RunLike, control: ControlResult): ControlResult {
  if (!control.passed) return control;
  const { passed: _passed, ...rest } = control;
  return { ...rest, findings: [...eachFinding(run, control)] };
}

/**
 * A run in the one-object-per-finding shape (`--format json --expand-passing`): schema `run@2`, no
 * resource table. Counts and verdicts are the same; only the passing findings are written out.
 */
export function expandRun(run: RunResult): RunResult {
  if (run.schema === 'eks-soc2/run@1' || run.schema === 'eks-soc2/run@2') return run;
  const { resources: _resources, ...rest } = run;
  return { ...rest, schema: 'eks-soc2/run@2', controls: run.controls.map((c) => expandControl(run, c)) };
}
