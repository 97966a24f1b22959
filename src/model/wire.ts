import type { ControlResult, Finding, RunResource, RunResult } from './result.js';
import { resourceOf } from './findings.js';

/**
 * The wire form of a `run@5` (and `run@4`) result: how it is written as the JSON report and stored in
 * the evidence store. In memory such a result is what the engine made — `ControlResult.findings` holds Finding
 * objects — and everything (renderers, the dashboard, diff, fix) reads that. On the wire the same
 * findings are written as groups: findings identical in everything but their resource (rule, status,
 * severity, message, waiver, details) are one entry with the indices of their resources in the run's
 * resource table (`RunResult.resources`, the one passing evidence uses; resources named only by
 * these findings are added to it). `toWire` writes it, `fromWire` reads it back to the same findings.
 *
 * Lossless: a finding's resource and source location are its table entry's (an entry is a resource
 * with the source it was read from, as the engine keys its table); a finding whose resource or source
 * is in no entry gets a new one. Within a group the indices keep the order of the findings, counted
 * ones in `resources` and those in system namespaces in `system`, like `PassedGroup`; the groups keep
 * the order in which their first finding appeared. Expanding a control gives its findings group by
 * group: the same findings, in the same order within each group.
 */

/** Findings of one control that differ only in their resource: the body once, the resources by index. */
export interface FindingGroup extends Omit<Finding, 'resource' | 'source' | 'system'> {
  /** Indices into `RunResult.resources`, outside system namespaces (counted), in finding order. */
  resources: number[];
  /** Indices of resources in system namespaces (reported separately, not counted), in finding order. */
  system?: number[];
}

/** A control result as written (`run@4`/`run@5` wire form): `findings` holds groups. */
export interface WireControlResult extends Omit<ControlResult, 'findings'> {
  findings: FindingGroup[];
}

/** A `run@4`/`run@5` result as written to the JSON report and the store. */
export interface WireRunResult extends Omit<RunResult, 'controls'> {
  controls: WireControlResult[];
}

/** Report schemas whose wire form groups findings: run@4 (index lists one index each) and run@5 (runs). */
export function isGroupedSchema(schema: string): schema is 'eks-soc2/run@4' | 'eks-soc2/run@5' {
  return schema === 'eks-soc2/run@4' || schema === 'eks-soc2/run@5';
}

/**
 * run@5 writes every index list (`passed[].resources`/`system`, `findings[].resources`/`system`) with
 * runs: a negative number `-k` right after an index `i` stands for the `k` indices `i+1 … i+k`, so
 * `[4, -3, 9]` is 4, 5, 6, 7, 9. A run is written when it saves an entry (two or more indices follow
 * consecutively), so the encoding of a list is unique (the store hashes the text). Indices stay in
 * their order; only ascending consecutive stretches shrink. Passing evidence is mostly such stretches
 * (the resource table is built as resources pass): 1.42 M indices of a 150,000-pod run are 138,589 runs.
 */
export function encodeIndexList(list: readonly number[]): number[] {
  const out: number[] = [];
  const n = list.length;
  let i = 0;
  while (i < n) {
    const start = list[i]!;
    let j = i + 1;
    while (j < n && list[j] === start + (j - i)) j++;
    const follow = j - i - 1;
    out.push(start);
    if (follow >= 2) out.push(-follow);
    else if (follow === 1) out.push(start + 1);
    i = j;
  }
  return out;
}

/** The indices of a run@5 index list (see `encodeIndexList`); `where` names the list in an error. */
export function decodeIndexList(list: readonly number[], where: string): number[] {
  let runs = false;
  for (const v of list) if (v < 0) { runs = true; break; }
  if (!runs) return list as number[];
  const out: number[] = [];
  let last: number | undefined;
  for (const v of list) {
    if (!Number.isInteger(v)) throw new Error(`${where}: ${String(v)} is not an index`);
    if (v >= 0) {
      out.push(v);
      last = v;
      continue;
    }
    if (last === undefined) throw new Error(`${where}: a run (${v}) must follow an index`);
    for (let k = 1; k <= -v; k++) out.push(last + k);
    last = undefined;
  }
  return out;
}

/** Whether an entry of `findings` is a group (wire form) rather than a Finding object. */
function isGroup(f: Finding | FindingGroup): f is FindingGroup {
  return Array.isArray((f as FindingGroup).resources) && (f as Partial<Finding>).resource === undefined;
}

/** The namespace key of a cluster-scoped or AWS resource (no namespace; never a namespace name). */
const NO_NAMESPACE = '\u0001';

/** Two values of an identifying field alike: equal, or both absent (undefined or null). */
const alike = (a: unknown, b: unknown): boolean => a === b || (a == null && b == null);

/**
 * Whether a table entry is a resource read from a source: every identifying field alike, and the
 * same file and line (or neither with a source).
 */
function isEntryOf(e: RunResource, r: RunResource | Finding['resource'], source: Finding['source']): boolean {
  const s = e.source;
  return e.name === r.name && e.kind === r.kind && e.provider === r.provider && alike(e.namespace, r.namespace) && alike(e.apiVersion, r.apiVersion)
    && alike(e.uid, r.uid) && alike(e.arn, r.arn) && alike(e.region, r.region) && alike(e.accountId, r.accountId)
    && (s && source ? s.file === source.file && s.line === source.line : !s && !source);
}

/**
 * Turns the findings of a run@4/run@5 result's controls into groups, one control at a time, adding the
 * resources they name to a copy of the run's resource table. `resources` is the table to write once
 * every control has been grouped.
 */
export class WireEncoder {
  readonly resources: RunResource[];
  /**
   * Table indices by resource name, then namespace, ascending (an index, or a list when a name repeats
   * in a namespace across kinds or sources): the first entry that `isEntryOf` a finding's resource is
   * its index. Keyed by the name and namespace strings the resource objects share, so their hashes
   * are computed once; by namespace too because a name can repeat in every namespace (`default`).
   */
  private byName: Map<string, Map<string, number | number[]>> | undefined;
  /** The index of each resource object already looked up, per source (findings share their refs). */
  private readonly byRef = new WeakMap<object, { source: Finding['source']; index: number }>();

  constructor(table: readonly RunResource[] | undefined) {
    this.resources = table ? table.slice() : [];
  }

  private addName(r: RunResource | Finding['resource'], index: number): void {
    let byNs = this.byName!.get(r.name);
    if (!byNs) this.byName!.set(r.name, (byNs = new Map()));
    const ns = r.namespace ?? NO_NAMESPACE;
    const known = byNs.get(ns);
    if (known === undefined) byNs.set(ns, index);
    else if (typeof known === 'number') byNs.set(ns, [known, index]);
    else known.push(index);
  }

  private indexOf(f: Finding): number {
    const hit = this.byRef.get(f.resource);
    if (hit && (hit.source === f.source || (hit.source && f.source && hit.source.file === f.source.file && hit.source.line === f.source.line))) return hit.index;
    if (!this.byName) {
      this.byName = new Map();
      const table = this.resources;
      for (let i = 0; i < table.length; i++) this.addName(table[i]!, i);
    }
    let index: number | undefined;
    const known = this.byName.get(f.resource.name)?.get(f.resource.namespace ?? NO_NAMESPACE);
    if (typeof known === 'number') {
      if (isEntryOf(this.resources[known]!, f.resource, f.source)) index = known;
    } else if (known) {
      for (const i of known) if (isEntryOf(this.resources[i]!, f.resource, f.source)) { index = i; break; }
    }
    if (index === undefined) {
      index = this.resources.length;
      this.resources.push(f.source ? { ...f.resource, source: f.source } : f.resource);
      this.addName(f.resource, index);
    }
    this.byRef.set(f.resource, { source: f.source, index });
    return index;
  }

  /**
   * The findings of a control as groups, in the order of their first finding. Findings without a
   * waiver or details (nearly all) are looked up by their message (a string findings mostly share, so
   * its hash is computed once) and then by rule, status and severity; the others by the JSON text of
   * their body. Either way two findings share a group exactly when the JSON text of
   * [rule, status, severity, message, waiver, details] is the same.
   */
  groups(findings: readonly Finding[]): FindingGroup[] {
    const byMessage = new Map<string, FindingGroup[]>();
    let byBody: Map<string, FindingGroup> | undefined;
    const out: FindingGroup[] = [];
    for (const f of findings) {
      let g: FindingGroup | undefined;
      const { rule, status, severity, message } = f;
      if (f.waiver == null && f.details == null && typeof message === 'string' && typeof rule === 'string' && typeof status === 'string' && typeof severity === 'string') {
        let list = byMessage.get(message);
        if (list) {
          for (const c of list) if (c.rule === rule && c.status === status && c.severity === severity) { g = c; break; }
        } else byMessage.set(message, (list = []));
        if (!g) list.push((g = newGroup(f, out)));
      } else {
        const key = JSON.stringify([rule, status, severity, message, f.waiver ?? null, f.details ?? null]);
        g = (byBody ??= new Map()).get(key);
        if (!g) byBody.set(key, (g = newGroup(f, out)));
      }
      const i = this.indexOf(f);
      if (f.system) (g.system ??= []).push(i);
      else g.resources.push(i);
    }
    return out;
  }
}

/** A new group with the body of a finding (its fields but resource, source and system), added to `out`. */
function newGroup(f: Finding, out: FindingGroup[]): FindingGroup {
  const { resource: _r, source: _s, system: _y, ...body } = f;
  const g: FindingGroup = { ...body, resources: [] };
  out.push(g);
  return g;
}

/**
 * A run@4/run@5 result in its wire form (the JSON report, the stored result): findings as groups, the
 * resource table extended with the resources they name; run@5 writes every index list with runs
 * (`encodeIndexList`). Results of an earlier schema (a stored
 * run@1/2/3 written again) are returned as they are. The run is not changed; the copy shares
 * everything but the table and the controls' `findings`.
 */
export function toWire(run: RunResult): RunResult | WireRunResult {
  if (!isGroupedSchema(run.schema)) return run;
  const enc = new WireEncoder(run.resources);
  const runs = run.schema === 'eks-soc2/run@5';
  const controls = run.controls.map((c) => {
    const findings = enc.groups(c.findings);
    if (!runs) return { ...c, findings };
    for (const g of findings) encodeLists(g);
    return c.passed ? { ...c, findings, passed: c.passed.map((p) => encodeLists({ ...p })) } : { ...c, findings };
  });
  return { ...run, resources: enc.resources, controls };
}

/** A group's (own, fresh) index lists in the run@5 encoding. */
function encodeLists<G extends { resources: number[]; system?: number[] }>(g: G): G {
  g.resources = encodeIndexList(g.resources);
  if (g.system) g.system = encodeIndexList(g.system);
  return g;
}

/** A parsed group's index lists decoded in place (run@5). */
function decodeLists(g: { resources: number[]; system?: number[] }, where: string): void {
  g.resources = decodeIndexList(g.resources, where);
  if (g.system) g.system = decodeIndexList(g.system, `${where} (system)`);
}

/**
 * A run read from JSON (the store, a report file) in the in-memory shape: a run@4/run@5 result's
 * groups are expanded back into Finding objects and run@5's index lists decoded (in place: the object
 * was just parsed). Any other result, and a run@4/run@5 result already in memory, is returned unchanged. Never re-hash the expanded result:
 * the store's digests are of the stored text.
 */
export function fromWire(run: RunResult | WireRunResult): RunResult {
  if (!isGroupedSchema(run.schema)) return run as RunResult;
  const runs = run.schema === 'eks-soc2/run@5';
  for (const c of run.controls as (ControlResult | WireControlResult)[]) {
    if (runs) for (const p of c.passed ?? []) decodeLists(p, `${c.id}/${p.rule}: passed`);
    const first = c.findings[0];
    if (!first || !isGroup(first)) continue;
    const findings: Finding[] = [];
    for (const g of c.findings as FindingGroup[]) {
      if (runs) decodeLists(g, `${c.id}/${g.rule}: findings`);
      expandFindingGroup(run, c.id, g, findings);
    }
    (c as ControlResult).findings = findings;
  }
  return run as RunResult;
}

/** The findings of one group, counted ones first, each with its table entry's resource and source. */
function expandFindingGroup(run: Pick<RunResult, 'resources'>, control: string, g: FindingGroup, out: Finding[]): void {
  const { resources, system, ...body } = g;
  const make = (i: number, sys: boolean) => {
    const entry = run.resources?.[i];
    if (!entry) throw new Error(`${control}: resource index ${i} is not in the run's resource table`);
    const f = { ...body, resource: resourceOf(run, i) } as Finding;
    if (entry.source) f.source = entry.source;
    if (sys) f.system = true;
    out.push(f);
  };
  for (const i of resources) make(i, false);
  for (const i of system ?? []) make(i, true);
}
