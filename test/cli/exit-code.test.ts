// Exit codes with warnings and rules not evaluated (README "Exit codes"): a warning never changes the
// exit code unless asked (--fail-on-warn, or failOnWarn in the configuration); every control `error`
// left by a collection gap exits 3, and the run's gaps name what was not read.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ControlDefinition, RunResult, Severity } from '../../src/model/index.js';
import { defaultConfig } from '../../src/model/index.js';
import { evaluate } from '../../src/engine/index.js';
import { loadConfig } from '../../src/cli/inputs.js';
import { EXIT } from '../../src/cli/errors.js';
import { exitCodeFor, worstExit } from '../../src/cli/exit-codes.js';
import { sampleRun } from '../report/fixtures.js';
import { makeSnapshot } from '../helpers/snapshot.js';
import { runCli } from '../helpers/cli.js';

const exitCode = (run: RunResult, failOn: Severity | 'never', failOnWarn = false) => exitCodeFor(run, { failOn, failOnWarn });

const NOW = new Date('2026-11-26T12:00:00Z');
const base = {
  section: 'CC9' as const, subheading: 'Test', tsc: ['CC6.1'], owners: { primary: ['Security Team'], supporting: [] }, automation: 'automated' as const,
  severity: 'high' as const, description: 'A synthetic control for the exit-code tests.', remediation: { summary: 'Fix it.' }, references: [{ title: 'r', url: 'https://example.com' }],
};

/** Only the control that passes with a warning, with no gap: what --fail-on-warn decides alone. */
function warningOnly(): RunResult {
  const run = sampleRun();
  run.controls = run.controls.filter((c) => c.id === 'CC4-TEST-06');
  run.gaps = [];
  return run;
}

/** Secrets encryption: the key's rotation call failed for one key (a gap), the check scoped it to the rule and the key. */
const KMS: ControlDefinition = {
  ...base, id: 'CC9-KMS-01', title: 'Secrets are encrypted with a rotated key',
  requires: [{ anyOf: ['aws:eks:DescribeCluster'], what: 'the EKS cluster description' }],
  optional: ['aws:kms:GetKeyRotationStatus'],
  rules: { rotation: { title: 'The key is rotated', severity: 'medium', level: 'required', evidence: [] } },
  check(ev, ctx) {
    const key = { provider: 'aws' as const, kind: 'AWS::KMS::Key', name: 'k-1', arn: 'arn:aws:kms:eu-west-1:111122223333:key/k-1' };
    if (ev.state('aws:kms:GetKeyRotationStatus') !== 'collected') ctx.unevaluated('rotation', 'kms:GetKeyRotationStatus failed for the key: its rotation was not read', key);
    else ctx.pass(key, 'rotation', 'rotated');
  },
};

/** A control-wide error raised by the check (no missing evidence listed). */
const WIDE: ControlDefinition = {
  ...base, id: 'CC9-WIDE-01', title: 'A check that stops on a failed call',
  requires: [{ anyOf: ['aws:eks:DescribeCluster'], what: 'the EKS cluster description' }],
  optional: ['aws:kms:DescribeKey'],
  check(ev, ctx) { if (!ev.has('aws:kms:DescribeKey')) ctx.error('kms:DescribeKey failed: the key could not be described'); },
};

function runWith(controls: ControlDefinition[], denied: Record<string, 'denied' | 'error'>): RunResult {
  const snap = makeSnapshot({
    aws: [{ service: 'eks', operation: 'DescribeCluster', region: 'eu-west-1', accountId: '111122223333', output: { name: 'prod' } }],
    awsCalls: denied,
  });
  return evaluate(snap, controls, { config: defaultConfig(), toolVersion: 'test', catalogVersion: 'test', now: NOW });
}

describe('warnings and the exit code', () => {
  it('a warning alone exits 0; --fail-on-warn (or failOnWarn) makes it 1; --fail-on never leaves it to --fail-on-warn', () => {
    const run = warningOnly();
    expect(run.controls[0]!.counts.warn).toBe(1);
    expect(exitCode(run, 'low')).toBe(EXIT.OK);
    expect(exitCode(run, 'low', false)).toBe(EXIT.OK);
    expect(exitCode(run, 'low', true)).toBe(EXIT.FAILURES);
    expect(exitCode(run, 'never', true)).toBe(EXIT.FAILURES);
  });

  it('warnings in system namespaces or covered by a waiver never count', () => {
    const run = warningOnly();
    const c = run.controls[0]!;
    c.counts.warn = 0;
    c.systemCounts.warn = 3;
    c.counts.waived = 1;
    expect(exitCode(run, 'low', true)).toBe(EXIT.OK);
  });

  it('the configuration file sets it (failOnWarn: true) and rejects a value that is not a boolean', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-failonwarn-'));
    writeFileSync(join(dir, 'on.yaml'), 'failOnWarn: true\n');
    writeFileSync(join(dir, 'bad.yaml'), 'failOnWarn: sometimes\n');
    expect((await loadConfig(join(dir, 'on.yaml'))).failOnWarn).toBe(true);
    expect((await loadConfig(undefined)).failOnWarn).toBeUndefined();
    await expect(loadConfig(join(dir, 'bad.yaml'))).rejects.toThrow(/failOnWarn/);
  });

  it('scan --help documents --fail-on-warn and that warnings alone never change the exit code', async () => {
    const r = await runCli(['scan', '--help']);
    expect(r.stdout).toContain('--fail-on-warn');
    expect(r.stdout).toContain('--no-fail-on-warn');
    expect(r.stdout).toMatch(/warnings alone never change the exit code/);
  });
});

describe('every control error left by a collection gap exits 3, the gap named', () => {
  it('a rule not evaluated on one resource (its call failed): error, exit 3, and the gap names the call', () => {
    const run = runWith([KMS], { 'kms:GetKeyRotationStatus': 'error' });
    const c = run.controls[0]!;
    expect(c.status).toBe('error');
    expect(c.findings.map((f) => f.status)).toEqual(['error']);
    expect(exitCode(run, 'low')).toBe(EXIT.EVIDENCE);
    expect(run.gaps.map((g) => g.key)).toContain('kms:GetKeyRotationStatus');
  });

  it('a control-wide error the check raised on a failed call: exit 3 (it was 0: no missing evidence was listed)', () => {
    const run = runWith([WIDE], { 'kms:DescribeKey': 'denied' });
    expect(run.controls[0]!.status).toBe('error');
    expect(run.controls[0]!.evidence.missing).toEqual([]);
    expect(exitCode(run, 'low')).toBe(EXIT.EVIDENCE);
    expect(run.gaps.map((g) => g.key)).toContain('kms:DescribeKey');
  });

  it('a control error with no collection gap (evidence not among the input files) leaves the exit code alone', () => {
    const run = runWith([WIDE], {});
    run.controls[0]!.status = 'error';
    run.gaps = [{ source: 'files', target: 'k8s/', reason: 'skipped', message: 'a template source was skipped' }];
    expect(exitCode(run, 'low')).toBe(EXIT.OK);
  });

  it('a gap together with a failing control exits 3: the gap is not hidden by the failure (it was 1)', () => {
    const run = runWith([KMS, WIDE], { 'kms:GetKeyRotationStatus': 'error', 'kms:DescribeKey': 'denied' });
    run.controls[0]!.status = 'fail';
    run.controls[0]!.failSeverity = 'high';
    expect(run.controls[1]!.status).toBe('error');
    expect(exitCode(run, 'low')).toBe(EXIT.EVIDENCE);
    // Without the gap the same failure is 1.
    run.controls[1]!.status = 'pass';
    expect(exitCode(run, 'low')).toBe(EXIT.FAILURES);
  });

  it('an input problem outranks both the gap and the failure: exit 2', () => {
    const run = runWith([KMS, WIDE], { 'kms:GetKeyRotationStatus': 'error', 'kms:DescribeKey': 'denied' });
    run.controls[0]!.status = 'fail';
    run.controls[0]!.failSeverity = 'high';
    run.gaps.push({ source: 'files', target: 'bad.yaml', reason: 'parse-error', message: 'not YAML' } as RunResult['gaps'][number]);
    expect(exitCode(run, 'low')).toBe(EXIT.USAGE);
  });
});

describe('one precedence: 2 > 3 > 1 > 0 (worstExit, also for fleets)', () => {
  it('combines codes by precedence, not numerically', () => {
    expect(worstExit([])).toBe(0);
    expect(worstExit([0, 0])).toBe(0);
    expect(worstExit([0, 1])).toBe(1);
    expect(worstExit([1, 3])).toBe(3);
    expect(worstExit([3, 1])).toBe(3);
    expect(worstExit([2, 1])).toBe(2);
    expect(worstExit([3, 2])).toBe(2);
    expect(worstExit([2, 3, 1, 0])).toBe(2);
  });

  it('exitCodeFor is what scan\'s exitCode returns', () => {
    const run = runWith([KMS], { 'kms:GetKeyRotationStatus': 'error' });
    expect(exitCodeFor(run, { failOn: 'low' })).toBe(exitCode(run, 'low'));
    expect(exitCodeFor(run, { failOn: 'never' })).toBe(EXIT.EVIDENCE);
  });

  it('scan --help states the precedence', async () => {
    const r = await runCli(['scan', '--help']);
    expect(r.stdout).toContain('2 > 3 > 1 > 0');
  });
});
