// Configuration discovery (src/cli/config-file.ts, README "Configuration"): eks-soc2.yaml or
// .eks-soc2.yaml in the working directory or a parent, stopping at the filesystem root or at the
// first directory holding .git; announced on stderr unless --quiet; --config and --no-config win.
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configPath, discoverConfig } from '../../src/cli/config-file.js';
import { runCli } from '../helpers/cli.js';

function tree(): { root: string; a: string; b: string; c: string } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'eks-soc2-discover-')));
  const a = join(root, 'a');
  const b = join(a, 'b');
  const c = join(b, 'c');
  mkdirSync(c, { recursive: true });
  return { root, a, b, c };
}

describe('discoverConfig', () => {
  it('finds eks-soc2.yaml in a parent directory', () => {
    const t = tree();
    writeFileSync(join(t.a, 'eks-soc2.yaml'), '{}\n');
    expect(discoverConfig(t.c)).toBe(join(t.a, 'eks-soc2.yaml'));
  });

  it('finds .eks-soc2.yaml too; eks-soc2.yaml wins in the same directory; the nearest directory wins', () => {
    const t = tree();
    writeFileSync(join(t.a, 'eks-soc2.yaml'), '{}\n');
    writeFileSync(join(t.b, '.eks-soc2.yaml'), '{}\n');
    expect(discoverConfig(t.c)).toBe(join(t.b, '.eks-soc2.yaml'));
    writeFileSync(join(t.b, 'eks-soc2.yaml'), '{}\n');
    expect(discoverConfig(t.c)).toBe(join(t.b, 'eks-soc2.yaml'));
  });

  it('stops at the directory holding .git (a file there is still found, one above it is not)', () => {
    const t = tree();
    writeFileSync(join(t.a, 'eks-soc2.yaml'), '{}\n');
    mkdirSync(join(t.b, '.git'));
    expect(discoverConfig(t.c)).toBeUndefined();
    writeFileSync(join(t.b, '.eks-soc2.yaml'), '{}\n');
    expect(discoverConfig(t.c)).toBe(join(t.b, '.eks-soc2.yaml'));
  });

  it('a worktree\'s .git file stops it as well; nothing found is undefined', () => {
    const t = tree();
    writeFileSync(join(t.root, 'eks-soc2.yaml'), '{}\n');
    writeFileSync(join(t.a, '.git'), 'gitdir: /elsewhere\n');
    expect(discoverConfig(t.c)).toBeUndefined();
  });

  it('--config names the file; --no-config reads none; a discovered file is announced unless quiet', () => {
    const t = tree();
    writeFileSync(join(t.a, 'eks-soc2.yaml'), '{}\n');
    const said: string[] = [];
    const stderr = (s: string) => { said.push(s); };
    expect(configPath({ config: 'x.yaml' }, { cwd: t.c, stderr })).toBe('x.yaml');
    expect(configPath({ config: false }, { cwd: t.c, stderr })).toBeUndefined();
    expect(said).toEqual([]);
    expect(configPath({ quiet: true }, { cwd: t.c, stderr })).toBe(join(t.a, 'eks-soc2.yaml'));
    expect(said).toEqual([]);
    expect(configPath({}, { cwd: t.c, stderr })).toBe(join(t.a, 'eks-soc2.yaml'));
    expect(said.join('')).toContain(`using configuration ${join(t.a, 'eks-soc2.yaml')}`);
  });
});

describe('scan finds the configuration from its working directory', () => {
  const args = ['scan', '--demo', '--control', 'CC5-HARD-03', '--fail-on', 'never'];
  const env = { EKS_SOC2_STORE: '', EKS_SOC2_CONFIG: '' };

  it('applies it (failOnWarn: true exits 1) and says which file it used', async () => {
    const t = tree();
    writeFileSync(join(t.a, 'eks-soc2.yaml'), 'failOnWarn: true\n');
    const r = await runCli([...args, '--format', 'json'], { cwd: t.c, env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`using configuration ${join(t.a, 'eks-soc2.yaml')}`);
    const q = await runCli([...args, '--quiet'], { cwd: t.c, env });
    expect(q.code).toBe(1);
    expect(q.stderr).not.toContain('using configuration');
  });

  it('--no-config ignores it; --config names another', async () => {
    const t = tree();
    writeFileSync(join(t.a, 'eks-soc2.yaml'), 'failOnWarn: true\n');
    writeFileSync(join(t.root, 'other.yaml'), 'failOnWarn: false\n');
    expect((await runCli([...args, '--quiet', '--no-config'], { cwd: t.c, env })).code).toBe(0);
    expect((await runCli([...args, '--quiet', '--config', join(t.root, 'other.yaml')], { cwd: t.c, env })).code).toBe(0);
  });

  it('a malformed discovered file is the usage error it would be with --config', async () => {
    const t = tree();
    writeFileSync(join(t.b, '.eks-soc2.yaml'), 'failOnWarn: sometimes\n');
    const r = await runCli([...args, '--quiet'], { cwd: t.c, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(t.b, '.eks-soc2.yaml'));
  });
});
