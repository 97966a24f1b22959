/**
 * Run filters (README "Filters"): `--namespace` / `--exclude-namespace` globs, `--skip-control`,
 * `--skip-rule`. Pure helpers shared by the engine (which applies them as findings are made) and the
 * period report (which applies them to what it shows).
 *
 * - Namespace filters restrict *namespaced* findings: a finding on an object in a namespace that no
 *   `namespaces` glob matches, or that an `excludeNamespaces` glob matches, is not made, so it
 *   neither fails nor passes its control. Cluster-scoped objects and AWS resources have no namespace:
 *   their findings are always kept. Checks that judge the cluster as a whole (coverage percentages,
 *   counts) still read every namespace: their findings are cluster-scoped.
 * - A skipped control is not evaluated: it is absent from `controls` and listed in `filters.skipControls`.
 * - A skipped rule (`RULE` for every control that has it, or `CONTROL/RULE`) is not evaluated: no
 *   finding is made for it and it is never "not evaluated" either; listed in `filters.skipRules`.
 */
import type { RunFilters } from '../model/index.js';
import { globMatch } from './glob.js';

export function hasFilters(f: RunFilters | undefined): f is RunFilters {
  return Boolean(f && (f.namespaces?.length || f.excludeNamespaces?.length || f.skipControls?.length || f.skipRules?.length));
}

/** True when a finding in `namespace` is kept (undefined: cluster-scoped or AWS, always kept). */
export function namespaceKept(f: RunFilters | undefined, namespace: string | undefined): boolean {
  if (!f || namespace === undefined || namespace === '') return true;
  if (f.namespaces?.length && !f.namespaces.some((g) => globMatch(g, namespace))) return false;
  return !f.excludeNamespaces?.some((g) => globMatch(g, namespace));
}

/** True when `rule` of `control` is skipped (`RULE` or `CONTROL/RULE`, control ids case-insensitive). */
export function ruleSkipped(f: RunFilters | undefined, control: string, rule: string): boolean {
  if (!f?.skipRules?.length) return false;
  const c = control.toUpperCase();
  return f.skipRules.some((s) => {
    const i = s.indexOf('/');
    return i < 0 ? s === rule : s.slice(0, i).toUpperCase() === c && s.slice(i + 1) === rule;
  });
}

/** True when the control is skipped. */
export function controlSkipped(f: RunFilters | undefined, control: string): boolean {
  return Boolean(f?.skipControls?.some((s) => s.toUpperCase() === control.toUpperCase()));
}
