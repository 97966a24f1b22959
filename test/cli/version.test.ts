import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('eks-soc2 --version', () => {
  it('prints the package version alone, with -V too, without loading the commands', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${pkg.version}\n`);
      expect(r.stderr).toBe('');
    }
    // Which modules it loads: a load hook reports them on exit.
    const hook = "import{registerHooks}from'node:module';const s=[];registerHooks({load(u,c,n){s.push(u);return n(u,c)}});process.on('exit',()=>process.stderr.write(s.join('\\n')))";
    const traced = await runCli(['--version'], { env: { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(hook)}` } });
    expect(traced.stdout).toBe(`${pkg.version}\n`);
    expect(traced.stderr).toMatch(/cli\/version\.js/);
    expect(traced.stderr).not.toMatch(/cli\/program\.js|commander|catalog/);
    // With anything else on the line it is commander's --version, still the same answer.
    const r = await runCli(['--debug', '--version']);
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });
});
