import { expect } from 'vitest';
import type { ControlResult } from '../../src/model/index.js';

/**
 * Assertions for rule levels (issue 13): a failing recommended rule is a `warn` finding that never
 * fails its control; a rule whose evidence was not read is listed as not evaluated.
 */

/** Each rule has at least one `warn` finding (outside system namespaces unless `system` is set). */
export function expectWarning(r: ControlResult, ...rules: string[]): void {
  for (const rule of rules) {
    expect(r.findings.some((f) => f.rule === rule && f.status === 'warn'), `expected a warning for ${rule}\n${describe(r)}`).toBe(true);
  }
}

/** No finding of the rules is `fail` or `warn`. */
export function expectNoFinding(r: ControlResult, ...rules: string[]): void {
  for (const rule of rules) {
    expect(r.findings.filter((f) => f.rule === rule && (f.status === 'fail' || f.status === 'warn')).map((f) => f.message), `expected no fail/warn for ${rule}`).toEqual([]);
  }
}

/** The rule is listed as not evaluated (its evidence was not read, or the check could not decide it). */
export function expectUnevaluated(r: ControlResult, rule: string, reason?: RegExp): void {
  const u = r.unevaluated.find((x) => x.rule === rule);
  const onResource = r.findings.filter((f) => f.rule === rule && f.status === 'error');
  expect(u !== undefined || onResource.length > 0, `expected ${rule} not evaluated\n${describe(r)}`).toBe(true);
  if (reason) expect([u?.reason ?? '', ...onResource.map((f) => f.message)].join(' | ')).toMatch(reason);
}

/** Every rule declares its level (the catalog's classification is complete for these controls). */
export function expectClassified(control: { id: string; rules?: Record<string, { level?: string; evidence?: unknown }> }): void {
  for (const [id, rule] of Object.entries(control.rules ?? {})) {
    expect(rule.level, `${control.id} rule ${id} has no level`).toMatch(/^(required|recommended)$/);
  }
}

function describe(r: ControlResult): string {
  return `${r.status}: ${r.message}\n${r.findings.map((f) => `  ${f.status} ${f.rule} ${f.resource.kind}/${f.resource.name}: ${f.message}`).join('\n')}\nunevaluated: ${JSON.stringify(r.unevaluated)}\nnotes: ${r.notes.join(' | ')}`;
}
