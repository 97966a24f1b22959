// Every input, environment and flag problem of issue 18 through the real CLI: one clear message
// naming the input (and the fix), the documented exit code, never "unexpected error … please
// report it", never a stack trace; where results can still be given they are.
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import type { CliResult } from '../helpers/cli.js';
import { startKubeApiServer } from '../helpers/kube-api-server.js';
import type { KubeApiServer, KubeApiServerOptions } from '../helpers/kube-api-server.js';

const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-no-unexpected-'));
const write = (name: string, text: string | Buffer) => { const p = join(dir, name); writeFileSync(p, text); return p; };

function clean(r: CliResult, label: string): void {
  expect(r.stderr, label).not.toMatch(/unexpected error|please report it/);
  expect(r.stderr, label).not.toMatch(/\n\s+at [\w.<>]+ \(/);
  expect(r.stderr, label).not.toMatch(/FATAL ERROR|heap out of memory/);
}

const privileged = 'apiVersion: v1\nkind: Pod\nmetadata: { name: priv, namespace: app }\nspec: { containers: [{ name: c, image: x, securityContext: { privileged: true } }] }\n';

let server: KubeApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
async function kubeconfig(o: KubeApiServerOptions): Promise<string> {
  server = await startKubeApiServer({ token: 't', ...o });
  return server.writeKubeconfig({ token: 't' });
}

describe('no input, environment or flag problem reaches "unexpected error" (issue 18)', () => {
  it('file inputs: malformed shapes, annotations, binary files, deep nesting, long lines, aliases in the configuration', async () => {
    const bundle = {
      schema: 'eks-soc2/snapshot@1', createdAt: '2026-11-26T00:00:00.000Z', cluster: {}, collector: { tool: 'eks-soc2', version: '0.1.0' },
      kubernetes: { source: 'live', complete: true, kinds: {}, objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', annotations: 'x' } }] },
      aws: { source: 'none', calls: {}, facts: [] }, tools: [], gaps: [],
    };
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(',')}]`)].join('\n');
    const cases: [string, string[], Record<string, string>, number, RegExp][] = [
      ['containers as a mapping (item 2)', ['scan', '-f', write('map.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: app }\nspec:\n  containers:\n    name: c\n    securityContext: { privileged: true }\n'), '--control', 'CC5-HARD-03'], {}, 2,
        /map\.yaml:1: Pod app\/p: spec\.containers is a mapping, not a list/],
      ['annotations not an object, in a manifest (item 5)', ['scan', '-f', write('ann.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: n, annotations: "x" }\n---\n' + privileged)], {}, 2, /ann\.yaml:1: Namespace n: metadata\.annotations is the string "x", not a mapping/],
      ['annotations not an object, in a bundle (item 5)', ['scan', '-f', write('b.json.gz', gzipSync(JSON.stringify(bundle))), '-f', write('ok.yaml', privileged)], {}, 2, /b\.json\.gz:1: snapshot bundle object 1: Namespace a: metadata\.annotations/],
      ['an alias bomb in --config (item 6)', ['scan', '--demo', '--config', write('bomb.yaml', `${bomb}\n`)], {}, 2, /bomb\.yaml: configuration file cannot be read \(.*alias/i],
      ['a one-line YAML past the line limit, streamed (item 8)', ['scan', '-f', write('long.yaml', `${privileged}---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\ndata: { a: "${'x'.repeat(9 * 2 ** 20)}" }\n`)], { EKS_SOC2_STREAM_THRESHOLD: '1' }, 2,
        /long\.yaml:9: line 9 is longer than 8 MiB/],
      ['nesting of 6,000 levels (item 13)', ['scan', '-f', write('deep.json', `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"},"x":${'['.repeat(6000)}${']'.repeat(6000)}}`), '-f', write('ok2.yaml', privileged), '--store', `sqlite:${join(dir, 'deep.db')}`], {}, 2,
        /deep\.json:1: ConfigMap d: x\[0\]\[0\].*….* is nested more than 512 levels deep/],
      ['a binary file beside a good one under --fail-on never (item 19)', ['scan', '-f', write('good.yaml', privileged), '-f', write('bin.yaml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0])), '--fail-on', 'never'], {}, 2, /bin\.yaml: binary file/],
      ['a scalar document beside a good one under --fail-on never (item 19)', ['scan', '-f', write('good2.yaml', `${privileged}---\njust a string\n`), '--fail-on', 'never'], {}, 2, /good2\.yaml:\d+: document is a string, not a Kubernetes object/],
      ['a CIDR that is not one (item 20)', ['scan', '--demo', '--config', write('cidr.yaml', 'approvedEndpointCidrs: ["999.1.1.1/99"]\n')], {}, 2, /approvedEndpointCidrs\.0: must be a CIDR/],
      ['more objects than the budget (item 9)', ['scan', '-f', write('many.json', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: 300 }, (_, i) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `n${i}` } })) }))], { EKS_SOC2_MAX_OBJECTS: '100' }, 2,
        /many\.json: more than 100 Kubernetes objects, the most this run can evaluate in its [\d,]+ MiB heap; stopped reading before memory ran out\n {2}fix: give the process a larger heap \(EKS_SOC2_HEAP_MB/],
      ['a flag out of range (--deadline)', ['scan', '--deadline', 'soon', '--kubeconfig', write('kc', 'apiVersion: v1\nkind: Config\n')], {}, 2, /--deadline must be a number from 1 to 86400/],
    ];
    for (const [label, args, env, code, message] of cases) {
      const r = await runCli(args, { env });
      clean(r, label);
      expect(r.stdout + r.stderr, label).toMatch(message);
      expect(r.code, `${label}: ${r.stderr.slice(0, 500)}`).toBe(code);
    }
  }, 240_000);

  it('a waiver glob that backtracks (item 10) and a FIFO in --aws-evidence (item 11): the scan completes', async () => {
    const longName = `${'a-'.repeat(120)}b`;
    const manifest = write('long-name.yaml', privileged.replace('name: priv', `name: ${longName}`));
    const waivers = write('waivers.yaml', 'waivers:\n  - id: W-1\n    control: CC5-HARD-03\n    resources: { name: "*-*-*-*-*-*-*-*-*-*-*-*-canary" }\n    reason: test\n    approvedBy: sec@example.com\n    expires: 2099-01-01\n');
    const aws = join(dir, 'aws');
    mkdirSync(aws, { recursive: true });
    cpSync(new URL('../fixtures/aws/evidence/eks-describe-cluster.json', import.meta.url).pathname, join(aws, 'eks-describe-cluster.json'));
    execFileSync('mkfifo', [join(aws, 'eks-list-addons.json')]);
    const r = await runCli(['scan', '-f', manifest, '--waivers', waivers, '--aws-evidence', aws, '--control', 'CC5-HARD-03,CC8-VER-03', '--format', 'json']);
    clean(r, 'glob and fifo');
    const run = JSON.parse(r.stdout) as { controls: { id: string; status: string }[]; gaps: { message: string; reason: string }[] };
    expect(run.controls.find((c) => c.id === 'CC5-HARD-03')!.status).toBe('fail');
    expect(run.gaps.some((g) => /eks-list-addons\.json: not a regular file/.test(g.message) && g.reason === 'skipped')).toBe(true);
  }, 60_000);

  it('stdout on a full disk (item 7): one message, exit 2', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'scan', '--demo', '--format', 'json'], { stdio: ['ignore', full, 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(r.stderr).toMatch(/^eks-soc2: cannot write to standard output: the disk is full \(ENOSPC\); the output is incomplete\n$/);
      expect(r.code).toBe(2);
    } finally {
      closeSync(full);
    }
  }, 60_000);

  it('endless stdin (item 9): objects are counted as they stream and the run stops with a clear error', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'scan', '-f', '-'], { env: { ...process.env, NO_COLOR: '1', EKS_SOC2_MAX_OBJECTS: '20000' } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.stdout.resume();
      let i = 0;
      let stopped = false;
      child.stdin.on('error', () => { stopped = true; });
      const pump = () => {
        while (!stopped) {
          const chunk = Array.from({ length: 200 }, () => `---\napiVersion: v1\nkind: Namespace\nmetadata: { name: n${i++} }\n`).join('');
          if (!child.stdin.write(chunk)) { child.stdin.once('drain', pump); return; }
        }
      };
      pump();
      child.on('close', (code) => { stopped = true; resolve({ code, stderr }); });
    });
    expect(r.stderr).toMatch(/^eks-soc2: <stdin>: more than 20,000 Kubernetes objects/);
    expect(r.code).toBe(2);
  }, 120_000);

  it('live: malformed answers (item 3), paging in a circle (item 4) and a hung API past --deadline (item 14) are gaps; the run is evaluated and written', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'priv', namespace: 'app' }, spec: { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] } };
    // Nothing read of the pods: the control cannot be decided (error, exit 3). The privileged pod
    // of the first page read before the server paged in a circle: it fails (exit 1), with the gap.
    const scenarios: [string, KubeApiServerOptions['intercept'], string[], RegExp, string, number][] = [
      ['404 on the pods list', (req) => (req.resource === 'pods' && req.verb === 'list' ? { status: 404 } : undefined), [], /listing pods \(v1\) answered 404 Not Found although API discovery lists pods/, 'error', 3],
      ['items: null', (req) => (req.resource === 'pods' && req.verb === 'list' ? { status: 200, body: { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: null } } : undefined), [], /a PodList whose items are null/, 'error', 3],
      ['the same continue token forever', (req) => (req.resource === 'pods' && req.verb === 'list' ? { status: 200, body: { kind: 'PodList', apiVersion: 'v1', metadata: { continue: 'again' }, items: [pod] } } : undefined), [], /the same continue token twice/, 'fail', 1],
      ['a hung API', (req) => (req.resource === 'pods' && req.verb === 'list' ? { delayMs: 3_600_000 } : undefined), ['--deadline', '3'], /the collection deadline passed \(--deadline 3 s\)/, 'error', 3],
    ];
    for (const [label, intercept, extra, message, status, exit] of scenarios) {
      const kc = await kubeconfig({ objects: [pod], intercept });
      const out = join(dir, `live-${label.replace(/\W+/g, '-')}`);
      const r = await runCli(['scan', '--kubeconfig', kc, '--control', 'CC5-HARD-03', '--no-aws', '--qps', '0', '--format', 'json', '-o', out, ...extra]);
      clean(r, label);
      expect(r.code, `${label}: ${r.stderr}`).toBe(exit);
      const run = JSON.parse(readFileSync(join(out, 'eks-soc2-report.json'), 'utf8')) as { controls: { status: string }[]; gaps: { message: string }[] };
      expect(run.controls[0]!.status, label).toBe(status);
      expect(run.gaps.map((g) => g.message).join('\n'), label).toMatch(message);
      await server?.close();
      server = undefined;
    }
  }, 180_000);

  it('an exec credential plugin that never answers (item 11): stopped after --timeout, exit 3', async () => {
    const plugin = write('hang-plugin', '#!/bin/sh\nexec sleep 3600\n');
    chmodSync(plugin, 0o755);
    server = await startKubeApiServer({ token: 't' });
    const kc = server.writeKubeconfig({ user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin } } });
    const r = await runCli(['scan', '--kubeconfig', kc, '--no-aws', '--timeout', '2']);
    clean(r, 'exec plugin');
    expect(r.stderr).toMatch(/the credential plugin of kubeconfig user .* did not answer within 2 s and was stopped/);
    expect(r.code).toBe(3);
  }, 60_000);

  it('a dashboard token of spaces (item 20), and an out-of-range connection cap', async () => {
    const spaces = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], { env: { EKS_SOC2_TOKEN: ' '.repeat(16) } });
    clean(spaces, 'token');
    expect(spaces.stderr).toMatch(/the token holds whitespace or control characters/);
    expect(spaces.code).toBe(2);
    const cap = await runCli(['serve', '--port', '0', '--max-connections', '0']);
    clean(cap, 'cap');
    expect(cap.stderr).toMatch(/--max-connections must be a whole number from 10 to 100000/);
    expect(cap.code).toBe(2);
  }, 60_000);
});
