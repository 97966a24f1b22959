// Progress in CI (src/cli/progress.ts): on a stderr that is not a TTY, a long collection prints a
// plain line every EKS_SOC2_PROGRESS_INTERVAL_MS — phase, what was done, time elapsed — and a closing
// line; never a spinner or carriage return; nothing with --quiet; a TTY keeps its interactive progress.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPhase, progressIntervalMs, plainProgress } from '../../src/cli/progress.js';
import { startKubeApiServer, writeKubeconfigFile } from '../helpers/kube-api-server.js';
import type { KubeApiServer } from '../helpers/kube-api-server.js';
import { runCli } from '../helpers/cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function sink(isTTY: boolean) {
  const lines: string[] = [];
  return { lines, stream: { isTTY, write: (s: string) => { lines.push(s); return true; } } };
}

describe('startPhase', () => {
  it('prints phase, status and elapsed time on a non-TTY stream, then a closing line', async () => {
    const s = sink(false);
    let n = 0;
    const p = startPhase('reading things', () => `${++n} things`, { stream: s.stream, env: { EKS_SOC2_PROGRESS_INTERVAL_MS: '5' } });
    await sleep(60);
    p.end('42 things');
    expect(s.lines.length).toBeGreaterThanOrEqual(2);
    expect(s.lines[0]).toMatch(/^eks-soc2: progress: reading things — \d+ things; \d+\.\d s elapsed\n$/);
    expect(s.lines.at(-1)).toMatch(/^eks-soc2: progress: reading things — done: 42 things; \d+\.\d s elapsed\n$/);
    for (const l of s.lines) expect(l).not.toMatch(/\r|\x1b/);
  });

  it('prints nothing for a phase shorter than one interval, on a TTY (without CI), or when quiet', async () => {
    const short = sink(false);
    startPhase('x', () => 'y', { stream: short.stream, env: { EKS_SOC2_PROGRESS_INTERVAL_MS: '600000' } }).end();
    const tty = sink(true);
    const a = startPhase('x', () => 'y', { stream: tty.stream, env: { EKS_SOC2_PROGRESS_INTERVAL_MS: '5' } });
    const quiet = sink(false);
    const b = startPhase('x', () => 'y', { stream: quiet.stream, quiet: true, env: { EKS_SOC2_PROGRESS_INTERVAL_MS: '5' } });
    await sleep(40);
    a.end();
    b.end();
    expect([short.lines, tty.lines, quiet.lines]).toEqual([[], [], []]);
  });

  it('a TTY in CI gets plain lines too; the interval is validated', () => {
    expect(plainProgress(false, { isTTY: true }, { CI: 'true' })).toBe(true);
    expect(plainProgress(false, { isTTY: true }, {})).toBe(false);
    expect(progressIntervalMs({})).toBe(10_000);
    expect(progressIntervalMs({ EKS_SOC2_PROGRESS_INTERVAL_MS: '250' })).toBe(250);
    expect(() => progressIntervalMs({ EKS_SOC2_PROGRESS_INTERVAL_MS: 'soon' })).toThrow(/EKS_SOC2_PROGRESS_INTERVAL_MS="soon"/);
  });
});

describe('a live scan with stderr not a terminal', () => {
  let server: KubeApiServer;
  let kubeconfig: string;
  beforeAll(async () => {
    const objects = Array.from({ length: 30 }, (_, i) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${i}` } }));
    // A slow API server (every response delayed) and small pages: the collection lasts many intervals.
    server = await startKubeApiServer({ token: 't', objects, serve: ['core/Namespace', 'core/Pod', 'apps/Deployment', 'apps/DaemonSet', 'apps/StatefulSet', 'apps/ReplicaSet', 'batch/Job', 'batch/CronJob', 'core/ReplicationController'], delayMs: 40 });
    kubeconfig = server.writeKubeconfig({ token: 't' });
  });
  afterAll(async () => { await server?.close(); });
  const args = () => ['scan', '--kubeconfig', kubeconfig, '--no-aws', '--qps', '0', '--page-size', '5', '--control', 'CC5-HARD-03', '--fail-on', 'never', '--no-store', '--no-config'];

  it('prints progress lines with the phase, the counts and the time elapsed, and a closing line', async () => {
    const r = await runCli(args(), { env: { EKS_SOC2_PROGRESS_INTERVAL_MS: '10' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^eks-soc2: progress: reading Kubernetes objects — [\d,]+ objects, [\d,]+ list requests, \d+ of \d+ kinds done; \d+\.\d s elapsed$/m);
    expect(r.stderr).toMatch(/^eks-soc2: progress: reading Kubernetes objects — done: [\d,]+ objects, \d+ requests; \d+\.\d s elapsed$/m);
    expect(r.stderr).not.toMatch(/\r|\x1b\[/);
  });

  it('a fleet scan prints how many clusters are done', async () => {
    const fleet = [
      writeKubeconfigFile({ server: server.url, caData: server.caData, token: 't', context: 'one' }),
      writeKubeconfigFile({ server: server.url, caData: server.caData, token: 't', context: 'two' }),
    ].join(':');
    const r = await runCli(['scan', '--kubeconfig', fleet, '--contexts', 'one,two', '--parallel', '1', '--no-aws', '--qps', '0', '--page-size', '5', '--control', 'CC5-HARD-03', '--fail-on', 'never', '--no-store', '--no-config'],
      { env: { EKS_SOC2_PROGRESS_INTERVAL_MS: '10' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^eks-soc2: progress: scanning clusters — [012] of 2 clusters done; \d+\.\d s elapsed$/m);
    expect(r.stderr).toMatch(/^eks-soc2: progress: scanning clusters — done: 2 of 2 clusters done; \d+\.\d s elapsed$/m);
  });

  it('--quiet silences it; a bad interval is a usage error naming the variable', async () => {
    const q = await runCli([...args(), '--quiet'], { env: { EKS_SOC2_PROGRESS_INTERVAL_MS: '10' } });
    expect(q.stderr).not.toContain('progress:');
    const bad = await runCli(args(), { env: { EKS_SOC2_PROGRESS_INTERVAL_MS: 'often' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('EKS_SOC2_PROGRESS_INTERVAL_MS="often"');
  });
});
