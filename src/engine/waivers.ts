import type { AppliedWaiver, ResourceRef, Waiver, WaiverIssue } from '../model/index.js';
import { endOf } from './dates.js';
import { globMatch } from './glob.js';

export interface WaiverSet {
  /** Waivers in force at evaluation time, by control id. */
  byControl: Map<string, Waiver[]>;
  issues: WaiverIssue[];
  used: Set<string>;
}

/** Split waivers into those in force and those reported (expired, unknown control). */
export function prepareWaivers(waivers: readonly Waiver[], knownControls: ReadonlySet<string>, now: Date): WaiverSet {
  const byControl = new Map<string, Waiver[]>();
  const issues: WaiverIssue[] = [];
  for (const w of waivers) {
    const end = endOf(w.expires);
    if (!knownControls.has(w.control)) {
      issues.push({ id: w.id, control: w.control, problem: 'unknown-control', message: `waiver ${w.id} names control ${w.control}, which is not in the catalog; not applied`, source: w.source });
      continue;
    }
    if (Number.isNaN(end)) {
      issues.push({ id: w.id, control: w.control, problem: 'invalid', message: `waiver ${w.id} has an unreadable expiry "${w.expires}"; not applied`, source: w.source });
      continue;
    }
    if (end < now.getTime()) {
      issues.push({ id: w.id, control: w.control, problem: 'expired', message: `waiver ${w.id} for ${w.control} expired on ${w.expires}; not applied (renew it or fix the findings)`, source: w.source });
      continue;
    }
    const list = byControl.get(w.control);
    if (list) list.push(w);
    else byControl.set(w.control, [w]);
  }
  return { byControl, issues, used: new Set() };
}

/** The first waiver in force that matches a failing finding, if any. */
export function matchWaiver(
  set: WaiverSet,
  controlId: string,
  rule: string,
  resource: ResourceRef,
  labels: Readonly<Record<string, string>> | undefined,
): AppliedWaiver | undefined {
  const list = set.byControl.get(controlId);
  if (!list) return undefined;
  for (const w of list) {
    if (w.rule && w.rule !== rule) continue;
    const sel = w.resources;
    if (sel) {
      if (sel.namespace !== undefined && !globMatch(sel.namespace, resource.namespace ?? '')) continue;
      if (sel.kind !== undefined && !globMatch(sel.kind, resource.kind)) continue;
      if (sel.name !== undefined && !globMatch(sel.name, resource.name) && !(resource.arn && globMatch(sel.name, resource.arn))) continue;
      if (sel.labels) {
        const ok = Object.entries(sel.labels).every(([k, v]) => labels?.[k] !== undefined && globMatch(v, labels[k]!));
        if (!ok) continue;
      }
    }
    set.used.add(w.id);
    return { id: w.id, reason: w.reason, approvedBy: w.approvedBy, expires: w.expires };
  }
  return undefined;
}

/** Waivers in force that matched nothing: worth a reminder, never an error. */
export function unusedWaiverIssues(set: WaiverSet, evaluatedControls: ReadonlySet<string>): WaiverIssue[] {
  const out: WaiverIssue[] = [];
  for (const [control, list] of set.byControl) {
    if (!evaluatedControls.has(control)) continue;
    for (const w of list) {
      if (!set.used.has(w.id)) out.push({ id: w.id, control, problem: 'unused', message: `waiver ${w.id} for ${control} matched no failing finding`, source: w.source });
    }
  }
  return out;
}
