// Every option from an EKS_SOC2_* variable (src/cli/env.ts, README "Environment variables"):
// precedence flag > environment > configuration file > default; booleans take true/false/1/0;
// a bad value is a usage error naming the variable.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command, Option } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { envNameOf, parseEnvBoolean } from '../../src/cli/env.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-env-'));
const clean = { EKS_SOC2_STORE: '' };

describe('the naming rule', () => {
  it('maps option attributes to variables', () => {
    expect(envNameOf('failOn')).toBe('EKS_SOC2_FAIL_ON');
    expect(envNameOf('failOnWarn')).toBe('EKS_SOC2_FAIL_ON_WARN');
    expect(envNameOf('aws')).toBe('EKS_SOC2_AWS');
    expect(envNameOf('awsEvidence')).toBe('EKS_SOC2_AWS_EVIDENCE');
  });

  it('reads booleans as true/false, 1/0, yes/no, on/off and nothing else', () => {
    for (const t of ['true', 'TRUE', '1', 'yes', 'on']) expect(parseEnvBoolean(t)).toBe(true);
    for (const f of ['false', 'False', '0', 'no', 'off']) expect(parseEnvBoolean(f)).toBe(false);
    expect(parseEnvBoolean('maybe')).toBeUndefined();
  });

  it('gives every option of every command a distinct variable (no two options of a command share one unless they are a --x/--no-x pair)', () => {
    const program = buildProgram();
    const walk = (c: Command): Command[] => [c, ...c.commands.flatMap(walk)];
    let count = 0;
    for (const c of walk(program)) {
      const byVar = new Map<string, Set<string>>();
      for (const o of c.options as readonly Option[]) {
        const v = envNameOf(o.attributeName());
        byVar.set(v, (byVar.get(v) ?? new Set()).add(o.attributeName()));
        count++;
      }
      for (const [v, attrs] of byVar) expect(attrs.size, `${c.name()} ${v}`).toBe(1);
    }
    expect(count).toBeGreaterThan(50);
  });
});

describe('through the CLI', () => {
  it('a variable sets a value option: EKS_SOC2_FAIL_ON=never turns the demo\'s exit 1 into 0', async () => {
    const base = await runCli(['scan', '--demo', '--quiet'], { env: clean });
    expect(base.code).toBe(1);
    const r = await runCli(['scan', '--demo', '--quiet'], { env: { ...clean, EKS_SOC2_FAIL_ON: 'never' } });
    expect(r.code, r.stderr).toBe(0);
  });

  it('the flag wins over the variable', async () => {
    const r = await runCli(['scan', '--demo', '--quiet', '--fail-on', 'low'], { env: { ...clean, EKS_SOC2_FAIL_ON: 'never' } });
    expect(r.code).toBe(1);
  });

  it('a list option (EKS_SOC2_CONTROL) and a boolean (EKS_SOC2_FAIL_ON_WARN=1) are read', async () => {
    const r = await runCli(['scan', '--demo', '--format', 'json', '--fail-on', 'never'], { env: { ...clean, EKS_SOC2_CONTROL: 'CC5-HARD-03', EKS_SOC2_FAIL_ON_WARN: '1' } });
    const run = JSON.parse(r.stdout) as { controls: { id: string; counts: { warn: number } }[] };
    expect(run.controls.map((c) => c.id)).toEqual(['CC5-HARD-03']);
    expect(run.controls[0]!.counts.warn).toBeGreaterThan(0);
    expect(r.code, r.stderr).toBe(1);
  });

  it('the variable wins over the configuration file; the flag wins over both', async () => {
    const cfg = join(dir, 'warn.yaml');
    writeFileSync(cfg, 'failOnWarn: true\n');
    const args = ['scan', '--demo', '--quiet', '--control', 'CC5-HARD-03', '--fail-on', 'never', '--config', cfg];
    expect((await runCli(args, { env: clean })).code).toBe(1);
    expect((await runCli(args, { env: { ...clean, EKS_SOC2_FAIL_ON_WARN: 'false' } })).code).toBe(0);
    expect((await runCli([...args, '--fail-on-warn'], { env: { ...clean, EKS_SOC2_FAIL_ON_WARN: 'false' } })).code).toBe(1);
  });

  it('a boolean variable that is not a boolean is a usage error naming the variable', async () => {
    const r = await runCli(['scan', '--demo'], { env: { ...clean, EKS_SOC2_QUIET: 'maybe' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('EKS_SOC2_QUIET="maybe" is not a boolean');
  });

  it('a bad value that a command rejects names the variable it came from', async () => {
    const r = await runCli(['scan', '--demo'], { env: { ...clean, EKS_SOC2_FAIL_ON: 'bogus' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--fail-on must be one of/);
    expect(r.stderr).toContain('--fail-on was set by EKS_SOC2_FAIL_ON="bogus"');
  });

  it('an empty variable is unset', async () => {
    const r = await runCli(['scan', '--demo', '--quiet'], { env: { ...clean, EKS_SOC2_FAIL_ON: '' } });
    expect(r.code).toBe(1);
  });

  it('every command\'s --help states the rule and the precedence', async () => {
    for (const cmd of ['scan', 'fix', 'report', 'history']) {
      const r = await runCli([cmd, '--help']);
      expect(r.stdout, cmd).toContain('EKS_SOC2_<OPTION>');
      expect(r.stdout, cmd).toContain('flag > environment variable > configuration file > default');
    }
  });
});
