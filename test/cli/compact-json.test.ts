// `scan --format json` writes run@5 (passing findings as resource indices, the other findings as
// groups by resource index); `--expand-passing` writes the run@2 shape, one object per finding, with
// the same findings.
import { describe, expect, it } from 'vitest';
import type { Finding, RunResult } from '../../src/model/index.js';
import { eachFinding, fromWire } from '../../src/model/index.js';
import { runCli } from '../helpers/cli.js';

const key = (f: Finding) => JSON.stringify([f.rule, f.status, f.severity, f.resource, f.source ?? null, f.message, f.system ?? false]);

describe('scan --format json', () => {
  it('is run@5 by default; --expand-passing gives run@2 with the same findings; --help names the switch', async () => {
    const [a, b, help] = await Promise.all([
      runCli(['scan', '--demo', '--format', 'json', '--fail-on', 'never', '--now', '2026-11-26T12:00:00Z']),
      runCli(['scan', '--demo', '--format', 'json', '--expand-passing', '--fail-on', 'never', '--now', '2026-11-26T12:00:00Z']),
      runCli(['scan', '--help']),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const compact = fromWire(JSON.parse(a.stdout) as RunResult);
    const expanded = JSON.parse(b.stdout) as RunResult;
    expect(compact.schema).toBe('eks-soc2/run@5');
    expect(expanded.schema).toBe('eks-soc2/run@2');
    expect(a.stdout.length).toBeLessThan(b.stdout.length);
    const all = (run: RunResult) => run.controls.flatMap((c) => [...eachFinding(run, c)].map((f) => `${c.id} ${key(f)}`)).sort();
    expect(all(compact)).toEqual(all(expanded));
    expect(expanded.controls.some((c) => c.findings.some((f) => f.status === 'pass'))).toBe(true);
    expect(compact.summary).toEqual(expanded.summary);
    expect(help.stdout).toContain('--expand-passing');
  });
});
