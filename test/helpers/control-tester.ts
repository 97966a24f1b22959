import { describe, expect, it } from 'vitest';
import type { Attestation, ControlDefinition, ControlResult, EffectiveConfig, Status, Waiver } from '../../src/model/index.js';
import { defaultConfig, expandControl } from '../../src/model/index.js';
import { evaluate } from '../../src/engine/index.js';
import { makeSnapshot } from './snapshot.js';
import type { SnapshotSpec } from './snapshot.js';

export interface ControlCase extends SnapshotSpec {
  name: string;
  config?: Partial<Omit<EffectiveConfig, 'thresholds'>> & { thresholds?: Partial<EffectiveConfig['thresholds']> };
  now?: string;
  waivers?: Waiver[];
  attestations?: Attestation[];
  expect?: {
    status?: Status;
    /** Rules that must have at least one failing (non-system) finding. */
    failing?: string[];
    /** Rules that must have at least one passing finding. */
    passing?: string[];
    /** Rules that must have no failing (non-system) finding. */
    notFailing?: string[];
    /** The control message must match. */
    message?: RegExp;
    /** Custom assertions on the result. */
    assert?: (r: ControlResult) => void;
  };
}

export const NOW = '2026-11-26T12:00:00Z';

/**
 * Evaluate one control against one case (no waivers unless given). The result has every finding as
 * an object (`findings`, the run@2 shape), passes included, so that cases can look for them.
 */
export function runCase(control: ControlDefinition, c: ControlCase): ControlResult {
  const config = defaultConfig();
  if (c.config) {
    const { thresholds, ...rest } = c.config;
    Object.assign(config, rest);
    if (thresholds) Object.assign(config.thresholds, thresholds);
  }
  const run = evaluate(makeSnapshot(c), [control], {
    config, toolVersion: 'test', catalogVersion: 'test', now: new Date(c.now ?? NOW),
    waivers: c.waivers ?? [], attestations: c.attestations ?? [],
  });
  return expandControl(run, run.controls[0]!);
}

function check(control: ControlDefinition, c: ControlCase, defaultStatus: Status): void {
  const r = runCase(control, c);
  const e = c.expect ?? {};
  const why = `${r.status}: ${r.message}\n${r.findings.filter((f) => f.status === 'fail').map((f) => `  ${f.rule} ${f.resource.kind}/${f.resource.name}: ${f.message}`).join('\n')}`;
  expect(r.status, why).toBe(e.status ?? defaultStatus);
  for (const rule of e.failing ?? []) {
    expect(r.findings.some((f) => f.rule === rule && f.status === 'fail' && !f.system), `expected a failing ${rule}\n${why}`).toBe(true);
  }
  for (const rule of e.passing ?? []) {
    expect(r.findings.some((f) => f.rule === rule && f.status === 'pass'), `expected a passing ${rule}\n${why}`).toBe(true);
  }
  for (const rule of e.notFailing ?? []) {
    expect(r.findings.some((f) => f.rule === rule && f.status === 'fail' && !f.system), `expected no failing ${rule}\n${why}`).toBe(false);
  }
  if (e.message) expect(r.message).toMatch(e.message);
  e.assert?.(r);
}

/**
 * ESLint-RuleTester style table for one control: `valid` cases must pass (or the status they
 * name), `invalid` cases must fail with the rules they name, `other` cases name their status.
 */
export function testControl(control: ControlDefinition, cases: { valid: ControlCase[]; invalid: ControlCase[]; other?: ControlCase[] }): void {
  describe(`${control.id} ${control.title}`, () => {
    if (control.automation !== 'manual' || control.check) {
      it('has at least one valid and one invalid case', () => {
        expect(cases.valid.length).toBeGreaterThan(0);
        expect(cases.invalid.length).toBeGreaterThan(0);
      });
    }
    for (const c of cases.valid) it(`valid: ${c.name}`, () => check(control, c, control.automation === 'automated' ? 'pass' : 'manual'));
    for (const c of cases.invalid) it(`invalid: ${c.name}`, () => {
      expect(c.expect?.failing?.length ?? (c.expect?.status && c.expect.status !== 'fail' ? 1 : 0), `invalid case "${c.name}" must name the rules it fails`).toBeGreaterThan(0);
      check(control, c, 'fail');
    });
    for (const c of cases.other ?? []) it(`${c.expect?.status ?? '?'}: ${c.name}`, () => {
      expect(c.expect?.status, `case "${c.name}" must name its expected status`).toBeDefined();
      check(control, c, c.expect!.status!);
    });
  });
}
