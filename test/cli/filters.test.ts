// Filters (README "Filters", src/engine/filters.ts, src/cli/filters.ts): --namespace and
// --exclude-namespace restrict namespaced findings (cluster-scoped and AWS findings are kept),
// --skip-control leaves a control out (listed, never a pass), --skip-rule is not evaluated; the same
// keys in the configuration file; recorded in the run (JSON, the store) and applied by `report`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PeriodResult, RunResult } from '../../src/model/index.js';
import { namespaceKept, ruleSkipped } from '../../src/engine/filters.js';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-filters-'));
const env = { EKS_SOC2_STORE: '', EKS_SOC2_CONFIG: '' };
async function scan(...args: string[]): Promise<RunResult> {
  const r = await runCli(['scan', '--demo', '--format', 'json', '--expand-passing', '--fail-on', 'never', '--no-config', ...args], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as RunResult;
}
const findings = (run: RunResult) => run.controls.flatMap((c) => c.findings.map((f) => ({ control: c.id, ...f })));

describe('filter helpers', () => {
  it('namespace globs: include, exclude, no namespace always kept', () => {
    expect(namespaceKept({ namespaces: ['team-*'] }, 'team-a')).toBe(true);
    expect(namespaceKept({ namespaces: ['team-*'] }, 'shop')).toBe(false);
    expect(namespaceKept({ excludeNamespaces: ['shop*'] }, 'storefront')).toBe(true);
    expect(namespaceKept({ excludeNamespaces: ['store*'] }, 'storefront')).toBe(false);
    expect(namespaceKept({ namespaces: ['team-*'], excludeNamespaces: ['team-b'] }, 'team-b')).toBe(false);
    expect(namespaceKept({ namespaces: ['team-*'] }, undefined)).toBe(true);
  });

  it('rules: RULE everywhere, CONTROL/RULE in one control', () => {
    expect(ruleSkipped({ skipRules: ['rbac-wildcard'] }, 'CC5-IAM-03', 'rbac-wildcard')).toBe(true);
    expect(ruleSkipped({ skipRules: ['cc5-iam-03/rbac-wildcard'] }, 'CC5-IAM-03', 'rbac-wildcard')).toBe(true);
    expect(ruleSkipped({ skipRules: ['CC5-IAM-03/rbac-wildcard'] }, 'P1-IAM-03', 'rbac-wildcard')).toBe(false);
  });
});

describe('scan with filters', () => {
  it('--exclude-namespace drops the namespaced findings it matches and keeps cluster-scoped and AWS ones', async () => {
    const all = await scan();
    const run = await scan('--exclude-namespace', 'store*,legacy');
    const before = findings(all);
    const after = findings(run);
    expect(before.some((f) => f.resource.namespace === 'storefront')).toBe(true);
    expect(after.some((f) => f.resource.namespace === 'storefront' || f.resource.namespace === 'legacy')).toBe(false);
    expect(after.filter((f) => !f.resource.namespace).length).toBe(before.filter((f) => !f.resource.namespace).length);
    expect(after.some((f) => f.resource.provider === 'aws')).toBe(true);
    expect(run.filters).toEqual({ excludeNamespaces: ['store*', 'legacy'] });
  });

  it('--namespace keeps only the namespaced findings in the namespaces it names (repeatable)', async () => {
    const run = await scan('--namespace', 'data', '--namespace', 'pay*');
    const namespaced = findings(run).filter((f) => f.resource.namespace);
    expect(namespaced.length).toBeGreaterThan(0);
    expect(new Set(namespaced.map((f) => f.resource.namespace))).toEqual(new Set(['data', 'payments']));
    expect(findings(run).some((f) => !f.resource.namespace)).toBe(true);
    expect(run.filters?.namespaces).toEqual(['data', 'pay*']);
  });

  it('a control left with nothing in the filtered namespaces is not applicable, and says why', async () => {
    const run = await scan('--namespace', 'no-such-namespace', '--control', 'CC5-HARD-03');
    expect(run.controls[0]!.status).toBe('not-applicable');
    expect(run.controls[0]!.message).toMatch(/with the namespace filters of this run/);
  });

  it('--skip-control: absent from the controls and the summary, listed as skipped, never a pass', async () => {
    const all = await scan();
    const run = await scan('--skip-control', 'cc5-iam-03,CC3-RA-01');
    expect(run.controls.map((c) => c.id)).not.toContain('CC5-IAM-03');
    expect(run.controls.map((c) => c.id)).not.toContain('CC3-RA-01');
    expect(run.controls.length).toBe(all.controls.length - 2);
    const total = (r: RunResult) => Object.values(r.summary.controls).reduce((a, b) => a + b, 0);
    expect(total(run)).toBe(total(all) - 2);
    expect(run.filters?.skipControls).toEqual(['CC5-IAM-03', 'CC3-RA-01']);
    const r = await runCli(['scan', '--demo', '--quiet', '--fail-on', 'never', '--no-config', '--skip-control', 'CC5-IAM-03'], { env });
    expect(r.stdout).toMatch(/skipped controls \(not evaluated, not in the score\): CC5-IAM-03/);
  });

  it('--skip-rule: no finding of the rule (in every control, or one control), never "not evaluated"', async () => {
    const all = await scan();
    expect(findings(all).some((f) => f.rule === 'rbac-wildcard')).toBe(true);
    const run = await scan('--skip-rule', 'rbac-wildcard');
    expect(findings(run).some((f) => f.rule === 'rbac-wildcard')).toBe(false);
    expect(run.controls.flatMap((c) => c.unevaluated).some((u) => u.rule === 'rbac-wildcard')).toBe(false);
    expect(run.filters?.skipRules).toEqual(['rbac-wildcard']);
    const one = await scan('--skip-rule', 'CC5-IAM-03/rbac-wildcard');
    expect(findings(one).some((f) => f.rule === 'rbac-wildcard' && f.control === 'CC5-IAM-03')).toBe(false);
  });

  it('unknown controls and rules are usage errors', async () => {
    for (const [flag, value, msg] of [['--skip-control', 'CC9-NOPE-01', /unknown control/], ['--skip-rule', 'no-such-rule', /no control has a rule/], ['--skip-rule', 'CC5-IAM-03/nope', /CC5-IAM-03 has no rule "nope"/]] as const) {
      const r = await runCli(['scan', '--demo', '--no-config', flag, value], { env });
      expect(r.code, value).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });

  it('the configuration file sets them; a flag replaces the file\'s list', async () => {
    const cfg = join(dir, 'filters.yaml');
    writeFileSync(cfg, 'skipControls: [CC5-IAM-03]\nexcludeNamespaces: [legacy]\nskipRules: [rbac-wildcard]\n');
    const r = await runCli(['scan', '--demo', '--format', 'json', '--fail-on', 'never', '--config', cfg], { env });
    const run = JSON.parse(r.stdout) as RunResult;
    expect(run.filters).toEqual({ excludeNamespaces: ['legacy'], skipControls: ['CC5-IAM-03'], skipRules: ['rbac-wildcard'] });
    expect(run.controls.some((c) => c.id === 'CC5-IAM-03')).toBe(false);
    const r2 = await runCli(['scan', '--demo', '--format', 'json', '--fail-on', 'never', '--config', cfg, '--skip-control', 'CC3-RA-01'], { env });
    const run2 = JSON.parse(r2.stdout) as RunResult;
    expect(run2.filters?.skipControls).toEqual(['CC3-RA-01']);
    expect(run2.controls.some((c) => c.id === 'CC5-IAM-03')).toBe(true);
    writeFileSync(join(dir, 'bad.yaml'), 'skipControls: [not-a-control]\n');
    expect((await runCli(['scan', '--demo', '--config', join(dir, 'bad.yaml')], { env })).code).toBe(2);
  });

  it('fix takes the same filters', async () => {
    const r = await runCli(['fix', '--demo', '--no-config', '--skip-control', 'CC5-HARD-03', '--format', 'json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('"CC5-HARD-03"');
  });
});

describe('filters in the store and in period reports', () => {
  it('a stored run keeps its filters; report --skip-control leaves the control out and records it', async () => {
    const db = join(dir, 'e.db');
    const r = await runCli(['scan', '--demo', '--quiet', '--no-config', '--store', `sqlite:${db}`, '--fail-on', 'never', '--skip-rule', 'rbac-wildcard', '--exclude-namespace', 'legacy'], { env });
    expect(r.code, r.stderr).toBe(0);
    const s = await openStore({ kind: 'sqlite', path: db }, { mode: 'read', toolVersion: 'test' });
    try {
      const [c] = await s.clusters();
      const stored = await s.loadResult(c!.head.runId!);
      expect(stored.filters).toEqual({ excludeNamespaces: ['legacy'], skipRules: ['rbac-wildcard'] });
    } finally {
      await s.close();
    }
    const all = await runCli(['report', '--store', `sqlite:${db}`, '--from', '2000-01-01', '--format', 'json', '--no-config'], { env });
    const period = JSON.parse(all.stdout) as PeriodResult;
    expect(period.clusters[0]!.controls.some((c) => c.id === 'CC5-IAM-03')).toBe(true);
    const rep = await runCli(['report', '--store', `sqlite:${db}`, '--from', '2000-01-01', '--format', 'json', '--no-config', '--skip-control', 'CC5-IAM-03'], { env });
    expect(rep.code, rep.stderr).toBeLessThan(2);
    const p = JSON.parse(rep.stdout) as PeriodResult;
    expect(p.clusters[0]!.controls.some((c) => c.id === 'CC5-IAM-03')).toBe(false);
    expect(Object.values(p.clusters[0]!.summary).reduce((a, b) => a + b, 0)).toBe(p.clusters[0]!.controls.length);
    expect(p.filters).toEqual({ skipControls: ['CC5-IAM-03'] });
    expect(rep.stderr).toContain('filters: skipped controls CC5-IAM-03');
  });
});
