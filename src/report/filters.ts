/**
 * What a report left out (README "Filters"), in the same words in every format. A run records its
 * filters (`RunResult.filters`: skipped controls and rules, namespace globs); a period report
 * records the controls and rules it leaves out of what it shows (`PeriodResult.filters`). Each
 * renderer puts these items where its reader looks and escapes the values for its medium: a
 * control id or rule id comes from a flag or the configuration file and is checked against the
 * catalog when the run is made, but a stored or hand-fed result may hold anything.
 */
import type { PeriodResult, RunFilters, SectionId } from '../model/index.js';
import { SECTIONS } from '../model/index.js';

export type LeftOutKind = 'skipControls' | 'skipRules' | 'namespaces' | 'excludeNamespaces';

export interface LeftOutItem {
  /** The `RunFilters` key it comes from. */
  kind: LeftOutKind;
  /** "skipped controls", "skipped rules", "only namespaces", "excluding namespaces". */
  label: string;
  /** What it means for the results, in brackets after the label. */
  note: string;
  /** The ids or globs, raw: escape them for the medium. */
  values: string[];
  /** Skipped controls and rules hide a verdict (warning); a namespace filter narrows one (note). */
  level: 'warning' | 'note';
}

/** Heading of the list in a run report. */
export const RUN_LEFT_OUT = 'Left out of this run';
/** Heading of the list in a period report. */
export const PERIOD_LEFT_OUT = 'Left out of this report';

const NAMESPACE_NOTE = 'namespaced findings only; cluster-scoped and AWS findings kept';

/** What the run left out, in the order the terminal lists it; [] for a run without filters. */
export function runLeftOut(f: RunFilters | undefined): LeftOutItem[] {
  if (!f) return [];
  const items: LeftOutItem[] = [];
  if (f.skipControls?.length) items.push({ kind: 'skipControls', label: 'skipped controls', note: 'not evaluated, not in the score', values: f.skipControls, level: 'warning' });
  if (f.skipRules?.length) items.push({ kind: 'skipRules', label: 'skipped rules', note: 'not evaluated', values: f.skipRules, level: 'warning' });
  if (f.namespaces?.length) items.push({ kind: 'namespaces', label: 'only namespaces', note: NAMESPACE_NOTE, values: f.namespaces, level: 'note' });
  if (f.excludeNamespaces?.length) items.push({ kind: 'excludeNamespaces', label: 'excluding namespaces', note: NAMESPACE_NOTE, values: f.excludeNamespaces, level: 'note' });
  return items;
}

/** What a period report left out of what it shows (`report --skip-control` / `--skip-rule`); [] without. */
export function periodLeftOut(f: PeriodResult['filters']): LeftOutItem[] {
  if (!f) return [];
  const items: LeftOutItem[] = [];
  if (f.skipControls?.length) items.push({ kind: 'skipControls', label: 'skipped controls', note: 'no verdict shown, not in the summaries', values: f.skipControls, level: 'warning' });
  if (f.skipRules?.length) items.push({ kind: 'skipRules', label: 'skipped rules', note: 'left out of the warnings shown', values: f.skipRules, level: 'warning' });
  return items;
}

/** One item as plain text, `esc` applied to each value: "skipped rules (not evaluated): a, b". */
export function leftOutText(item: LeftOutItem, esc: (s: string) => string = (s) => s): string {
  return `${item.label} (${item.note}): ${item.values.map(esc).join(', ')}`;
}

/** The checklist section of a control id (`CC5-HARD-03` → `CC5`), when it names one. */
export function sectionOfControlId(id: string): SectionId | undefined {
  const s = id.slice(0, Math.max(0, id.indexOf('-')));
  return Object.hasOwn(SECTIONS, s) ? (s as SectionId) : undefined;
}
