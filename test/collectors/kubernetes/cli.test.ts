import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/program.js';
import { snapshotChunks, writeSnapshotBundle } from '../../../src/cli/commands/collect.js';
import { progressReporter } from '../../../src/cli/sources/kubernetes.js';
import { snapshotProblem } from '../../../src/model/schema.js';
import { emptySnapshot } from '../../../src/model/index.js';
import type { Snapshot } from '../../../src/model/index.js';
import { startKubeApiServer } from '../../helpers/kube-api-server.js';
import type { KubeApiServer, KubeApiServerOptions } from '../../helpers/kube-api-server.js';

const TOKEN = 'cli-token';
const hardened = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop', uid: 'u1' },
  spec: { template: { spec: {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'api', image: 'repo/api:1', securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } }],
  } } },
};
const root = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'shop', uid: 'u2' },
  spec: { containers: [{ name: 'sh', image: 'busybox', securityContext: { privileged: true } }] },
  status: { phase: 'Running', podIP: '10.1.1.1' },
};

let server: KubeApiServer | undefined;
let stderr: string[];
let stdout: string[];
beforeEach(() => {
  stderr = [];
  stdout = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => { stderr.push(String(c)); return true; });
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { stdout.push(typeof c === 'string' ? c : Buffer.from(c).toString('latin1')); return true; });
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await server?.close();
  server = undefined;
});

async function start(o: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  server = await startKubeApiServer({ token: TOKEN, objects: [hardened, root], serve: ['apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet', 'batch/Job', 'batch/CronJob', 'core/ReplicationController'], ...o });
  return server;
}

const cli = (...args: string[]) => main(['node', 'eks-soc2', ...args]);
const tmp = () => mkdtempSync(join(tmpdir(), 'eks-soc2-cli-'));
const report = (dir: string) => JSON.parse(readFileSync(join(dir, 'eks-soc2-report.json'), 'utf8')) as { sources: { kubernetes: string }; collectorIdentity?: string; controls: { id: string; status: string; findings: { rule: string; status: string; resource: { kind: string; name: string } }[] }[] };

describe('eks-soc2 scan (live) and eks-soc2 collect', () => {
  it('scan without -f/--demo collects from the cluster and evaluates', async () => {
    const s = await start({ username: 'auditor@example.com' });
    const out = tmp();
    const code = await cli('scan', '--kubeconfig', s.writeKubeconfig({ token: TOKEN }), '--control', 'CC5-HARD-03', '--format', 'json', '--expand-passing', '-o', out, '--qps', '0');
    const r = report(out);
    expect(r.sources.kubernetes).toBe('live');
    expect(r.collectorIdentity).toBe('auditor@example.com');
    const c = r.controls.find((x) => x.id === 'CC5-HARD-03')!;
    expect(c.status).toBe('fail');
    expect(c.findings.some((f) => f.resource.name === 'debug' && f.rule === 'no-privileged' && f.status === 'fail')).toBe(true);
    expect(c.findings.some((f) => f.resource.name === 'api' && f.status === 'pass')).toBe(true);
    expect(code).toBe(1);
    // Only workload kinds were read for this control.
    expect(s.requests.filter((q) => q.verb === 'list').map((q) => q.resource).sort()).toEqual(['cronjobs', 'daemonsets', 'deployments', 'jobs', 'pods', 'replicasets', 'replicationcontrollers', 'statefulsets']);
  });

  it('a 403 on pods makes the control error and the scan exit 3', async () => {
    const s = await start({ forbidden: ['core/pods'] });
    const out = tmp();
    const code = await cli('scan', '--kubeconfig', s.writeKubeconfig({ token: TOKEN }), '--control', 'CC5-HARD-03', '--format', 'json', '--expand-passing', '-o', out, '--qps', '0');
    const c = report(out).controls.find((x) => x.id === 'CC5-HARD-03')!;
    expect(c.status).toBe('error');
    expect(code).toBe(3);
  });

  it('collect -o writes a gzip bundle that scan -f evaluates to the same result', async () => {
    const s = await start();
    const dir = tmp();
    const bundle = join(dir, 'evidence.json.gz');
    const kc = s.writeKubeconfig({ token: TOKEN });
    expect(await cli('collect', '--kubeconfig', kc, '--control', 'CC5-HARD-03', '-o', bundle, '--qps', '0')).toBe(0);
    const raw = readFileSync(bundle);
    expect(raw[0]).toBe(0x1f);
    const snap = JSON.parse(gunzipSync(raw).toString('utf8')) as Snapshot;
    expect(snapshotProblem(snap)).toBeUndefined();
    expect(snap.kubernetes.source).toBe('live');
    expect(snap.kubernetes.objects).toHaveLength(2);
    expect(stderr.join('')).toMatch(/wrote .*evidence\.json\.gz: 2 Kubernetes objects/);
    expect(readdirSync(dir)).toEqual(['evidence.json.gz']); // no temporary file left behind

    const liveOut = tmp();
    const fileOut = tmp();
    await cli('scan', '--kubeconfig', kc, '--control', 'CC5-HARD-03', '--format', 'json', '--expand-passing', '-o', liveOut, '--qps', '0');
    await cli('scan', '-f', bundle, '--control', 'CC5-HARD-03', '--format', 'json', '--expand-passing', '-o', fileOut);
    const strip = (r: ReturnType<typeof report>) => r.controls.map((c) => ({ id: c.id, status: c.status, findings: c.findings.map((f) => `${f.rule}|${f.status}|${f.resource.kind}|${f.resource.name}`).sort() }));
    expect(strip(report(fileOut))).toEqual(strip(report(liveOut)));
    expect(report(fileOut).sources.kubernetes).toBe('live');
  });

  it('collect exits 3 (bundle still written) when evidence is missing, and lists the gaps', async () => {
    const s = await start({ forbidden: ['core/pods'] });
    const dir = tmp();
    const code = await cli('collect', '--kubeconfig', s.writeKubeconfig({ token: TOKEN }), '--control', 'CC5-HARD-03', '-o', join(dir, 'b.json'), '--qps', '0');
    expect(code).toBe(3);
    const snap = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')) as Snapshot;
    expect(snap.gaps).toMatchObject([{ key: 'core/Pod', reason: 'forbidden' }]);
    expect(stderr.join('')).toContain('needs: list pods (core)');
  });

  it('collect -o - writes the bundle to stdout', async () => {
    const s = await start();
    expect(await cli('collect', '--kubeconfig', s.writeKubeconfig({ token: TOKEN }), '--control', 'CC5-HARD-03', '-o', '-', '--no-gzip', '-q', '--qps', '0')).toBe(0);
    const snap = JSON.parse(stdout.join('')) as Snapshot;
    expect(snap.schema).toBe('eks-soc2/snapshot@1');
    expect(stderr.join('')).toBe('');
  });

  it('usage errors exit 2 with one message: missing context, bad flag values, no -o', async () => {
    const s = await start();
    const kc = s.writeKubeconfig({ token: TOKEN, context: 'dev' });
    expect(await cli('scan', '--kubeconfig', kc, '--context', 'prod', '--control', 'CC5-HARD-03')).toBe(2);
    expect(stderr.join('')).toMatch(/eks-soc2: context "prod" is not in the kubeconfig .*available: dev\n {2}fix: /);
    expect(stderr.join('')).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    stderr.length = 0;
    expect(await cli('scan', '--kubeconfig', kc, '--qps', 'fast')).toBe(2);
    expect(stderr.join('')).toContain('--qps must be a number');
    expect(await cli('collect', '--kubeconfig', kc)).toBe(2);
    expect(s.requests).toHaveLength(0);
  });

  it('an unreachable server or an expired token exits 3 with the fix', async () => {
    const s = await start();
    const expired = s.writeKubeconfig({ token: 'expired' });
    expect(await cli('scan', '--kubeconfig', expired, '--control', 'CC5-HARD-03')).toBe(3);
    expect(stderr.join('')).toMatch(/401 Unauthorized/);
    const port = s.port;
    const unreachable = s.writeKubeconfig({ token: TOKEN, server: `https://127.0.0.1:${port}` });
    await s.close();
    server = undefined;
    stderr.length = 0;
    expect(await cli('collect', '--kubeconfig', unreachable, '-o', join(tmp(), 'x.json.gz'))).toBe(3);
    expect(stderr.join('')).toMatch(/cannot reach the API server .*\n {2}fix: .*private/);
  });
});

describe('bundle writing and progress', () => {
  it('streams the snapshot as valid JSON, identical to JSON.stringify', async () => {
    const snap = emptySnapshot('test', new Date('2026-11-26T00:00:00Z'));
    snap.kubernetes = { source: 'live', complete: false, kinds: { 'core/Pod': { state: 'collected', count: 600 } }, objects: [] };
    for (let i = 0; i < 600; i++) snap.kubernetes.objects.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'x' } });
    expect([...snapshotChunks(snap, 7)].join('')).toBe(JSON.stringify(snap));
    const empty = emptySnapshot('test');
    expect([...snapshotChunks(empty)].join('')).toBe(JSON.stringify(empty));
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    await writeSnapshotBundle(snap, '-', true, sink);
    expect(JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8'))).toEqual(snap);
  });

  it('shows per-kind progress with counts only on a terminal, never with --quiet or in CI', () => {
    const written: string[] = [];
    const tty = { isTTY: true, write: (s: string) => { written.push(s); return true; } } as unknown as NodeJS.WriteStream;
    const savedCi = process.env.CI;
    delete process.env.CI;
    try {
      const p = progressReporter(false, tty)!;
      expect(p).toBeDefined();
      p({ type: 'start', key: 'core/Pod' });
      p({ type: 'page', key: 'core/Pod', count: 1500 });
      expect(written.join('')).toContain('core/Pod 1,500');
      p({ type: 'done', key: 'core/Pod', state: 'collected', count: 2000, pages: 4 });
      expect(written.join('')).toMatch(/✓ core\/Pod\s+2,000\n/);
      p({ type: 'done', key: 'kyverno.io/ClusterPolicy', state: 'absent', count: 0, pages: 0 });
      expect(written.join('')).toContain('not served');
      p({ type: 'done', key: 'evil/\u001b[31mKind', state: 'denied', count: 0, pages: 1 });
      expect(written.join('')).not.toContain('\u001b[31m');
      expect(progressReporter(true, tty)).toBeUndefined();
      expect(progressReporter(false, { isTTY: false } as unknown as NodeJS.WriteStream)).toBeUndefined();
      process.env.CI = 'true';
      expect(progressReporter(false, tty)).toBeUndefined();
    } finally {
      if (savedCi === undefined) delete process.env.CI; else process.env.CI = savedCi;
    }
  });
});
