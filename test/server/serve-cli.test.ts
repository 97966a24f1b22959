// `eks-soc2 serve` as users run it (the built CLI in a child process): refusals with exit 2,
// the printed URL, the token hand-over, request logs without the token, graceful shutdown.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { seededStore } from './harness.js';
import type { Seeded } from './harness.js';

const TOKEN = 'cli-token-5b2f7e9a1c3d4e5f60718293a4b5c6d7';
let seeded: Seeded;

beforeAll(async () => {
  seeded = await seededStore({ end: '2025-12-31', clusters: [{ name: 'prod', accountId: '111122223333', region: 'eu-west-1', runs: 3 }] });
}, 120_000);

afterAll(async () => {
  await seeded?.close();
});

interface Served {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start `eks-soc2 serve` and wait for the URL it prints. */
function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--store', seeded.path, '--port', '0', ...args], {
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1', EKS_SOC2_TOKEN: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not print its URL within 60 s; stderr: ${err}`));
    }, 60_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /eks-soc2 dashboard: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, stdout: () => out, stderr: () => err, exited });
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before printing its URL; stderr: ${err}`));
    });
  });
}

/** Wait until the text read so far matches (output arrives in chunks). */
async function eventually(read: () => string, re: RegExp, timeout = 10_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!re.test(read())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${re} in: ${read()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('eks-soc2 serve', () => {
  it('refuses a non-loopback address without a token (exit 2, one clear message, nothing listens)', async () => {
    const r = await runCli(['serve', '--host', '0.0.0.0', '--store', seeded.path, '--port', '0'], { env: { EKS_SOC2_TOKEN: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/eks-soc2: refusing to listen on 0\.0\.0\.0 without a token/);
    expect(r.stderr).toMatch(/fix: pass --token TOKEN \(or set EKS_SOC2_TOKEN\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('refuses a short token, a bad port and an unusable store', async () => {
    const short = await runCli(['serve', '--host', '10.1.2.3', '--token', 'abc', '--store', seeded.path]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/the token is too short \(3 characters/);
    const port = await runCli(['serve', '--port', '70000', '--store', seeded.path]);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port "70000" is not a port number/);
    const missing = await runCli(['serve', '--port', '0', '--store', join(seeded.dir, 'nope.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.db/);
  });

  it('says so when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runCli(['serve', '--port', String(port), '--store', seeded.path]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
    } finally {
      blocker.close();
    }
  });

  it('prints the URL, serves, logs requests, and stops on SIGTERM with exit 0', async () => {
    const s = await serve([]);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await fetch(`${s.url}healthz`)).status).toBe(200);
    const clusters = (await (await fetch(`${s.url}api/clusters`)).json()) as { clusters: unknown[] };
    expect(clusters.clusters).toHaveLength(1);
    s.child.kill('SIGTERM');
    const { code } = await s.exited;
    expect(code).toBe(0);
    expect(s.stderr()).toMatch(/serving SQLite store .* read-only \(Ctrl-C stops\)/);
    expect(s.stderr()).toMatch(/SIGTERM: stopping/);
    expect(s.stderr()).toMatch(/\bstopped\n/);
    expect(s.stderr()).toMatch(/GET \/api\/clusters 200 /);
  });

  it('with a token: the URL carries it in the #token= fragment only when asked; logs never do', async () => {
    const quiet = await serve([], { EKS_SOC2_TOKEN: TOKEN });
    try {
      expect(quiet.url).not.toMatch(/token/);
      await eventually(quiet.stderr, /add --print-token/);
      expect(quiet.stderr()).toMatch(/the API and \/metrics require the token/);
      expect((await fetch(`${quiet.url}api/clusters`)).status).toBe(401);
    } finally {
      quiet.child.kill('SIGINT');
      expect((await quiet.exited).code).toBe(0);
    }
    const shown = await serve(['--print-token', '--token', TOKEN]);
    try {
      expect(shown.url).toMatch(new RegExp(`/#token=${TOKEN}$`));
      const base = shown.url.replace(/#.*$/, '');
      expect((await fetch(`${base}api/clusters`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      expect((await fetch(`${base}metrics`, { headers: { authorization: 'Bearer wrong-wrong-wrong-wrong' } })).status).toBe(401);
      await fetch(`${base}api/clusters?token=${TOKEN}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    } finally {
      shown.child.kill('SIGTERM');
      expect((await shown.exited).code).toBe(0);
    }
    expect(shown.stderr()).toMatch(/GET \/api\/clusters 200 /);
    expect(shown.stderr()).not.toContain(TOKEN);
  });

  it('--quiet leaves requests out of the log', async () => {
    const s = await serve(['--quiet']);
    await fetch(`${s.url}api/clusters`);
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
    expect(s.stderr()).not.toMatch(/GET \/api/);
  });

  it('is listed in the help with its flags', async () => {
    const r = await runCli(['serve', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--store', '--host', '--port', '--token', '--print-token']) expect(r.stdout).toContain(flag);
  });
});
