/**
 * Regression alerts (src/cli/notify.ts): what counts as a regression, the generic and Slack
 * payloads (bounds, escaping of hostile names, no secret values), delivery with retries to a
 * loopback webhook, and the CLI end to end: the run is stored first, an unreachable webhook is a
 * warning (or exit 2 with --notify-fatal), never a lost run.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deliver, escapeSlack, findRegressions, genericPayload, notifyTarget, redactUrl, slackPayload, MAX_REGRESSIONS, MAX_RESOURCES } from '../../src/cli/notify.js';
import type { AlertContext, Regression } from '../../src/cli/notify.js';
import { UserError } from '../../src/cli/errors.js';
import type { ControlResult, RunResult, Status } from '../../src/model/index.js';
import { demoSnapshot } from '../../src/collectors/demo/index.js';
import { evaluate } from '../../src/engine/index.js';
import { catalog, CATALOG_VERSION } from '../../src/catalog/index.js';
import { defaultConfig } from '../../src/model/index.js';
import { runCli } from '../helpers/cli.js';
import { diffRuns, openStore } from '../../src/store/index.js';

async function storedRuns(path: string): Promise<number> {
  const s = await openStore({ kind: 'sqlite', path }, { mode: 'read', toolVersion: 'test' });
  try {
    return (await s.runs()).length;
  } finally {
    await s.close();
  }
}

const NOW = new Date('2026-11-26T12:00:00Z');

function demoRun(): RunResult {
  return evaluate(demoSnapshot('test', NOW), catalog, { config: defaultConfig(), toolVersion: 'test', catalogVersion: CATALOG_VERSION, now: NOW, waivers: [], attestations: [], waiverIssues: [], attestationIssues: [] });
}

function withStatus(run: RunResult, statuses: Record<string, Status>): RunResult {
  const r = structuredClone(run);
  for (const c of r.controls) if (statuses[c.id]) c.status = statuses[c.id]!;
  return r;
}

interface Hook { server: Server; url: string; bodies: unknown[]; statuses: number[] }

/** A loopback webhook answering `plan` in turn (then 200). */
async function webhook(plan: (number | { status: number; headers?: Record<string, string> } | 'hang')[] = []): Promise<Hook> {
  const bodies: unknown[] = [];
  const statuses: number[] = [];
  let i = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let b = '';
    req.setEncoding('utf8').on('data', (d: string) => { b += d; }).on('end', () => {
      const step = plan[i++] ?? 200;
      if (step === 'hang') return; // never answers
      bodies.push(JSON.parse(b));
      const s = typeof step === 'number' ? { status: step } : step;
      statuses.push(s.status);
      res.writeHead(s.status, { 'content-type': 'text/plain', ...(s.headers ?? {}) });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/services/T000/B000/secret-token`, bodies, statuses };
}

async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const hooks: Hook[] = [];
afterEach(async () => {
  for (const h of hooks.splice(0)) { h.server.closeAllConnections(); await new Promise<void>((r) => h.server.close(() => r())); }
});
const hook = async (plan?: Parameters<typeof webhook>[0]) => { const h = await webhook(plan); hooks.push(h); return h; };
const fast = { baseDelayMs: 1, maxDelayMs: 5, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

describe('the webhook setting', () => {
  it('accepts https, and plain http only on loopback', () => {
    expect(notifyTarget({ notify: 'https://hooks.slack.com/services/T/B/x', notifyFormat: 'slack' })).toMatchObject({ format: 'slack', fatal: false });
    expect(notifyTarget({ notify: 'http://127.0.0.1:9/x' })?.url.port).toBe('9');
    expect(notifyTarget({}, { EKS_SOC2_NOTIFY_URL: 'https://example.com/hook' })?.url.host).toBe('example.com');
    expect(notifyTarget({}, {})).toBeUndefined();
    expect(() => notifyTarget({ notify: 'http://hooks.example.com/x' })).toThrow(/must be an https:\/\/ URL/);
    expect(() => notifyTarget({ notify: 'not a url' })).toThrow(UserError);
    expect(() => notifyTarget({ notify: 'https://user:pw@example.com/x' })).toThrow(/user name or password/);
    expect(() => notifyTarget({ notify: 'https://example.com/x', notifyFormat: 'teams' })).toThrow(/generic or slack/);
  });

  it('never prints the path or query of the webhook (where its secret lives)', () => {
    expect(redactUrl(new URL('https://hooks.slack.com/services/T1/B2/s3cr3t?x=1'))).toBe('https://hooks.slack.com/…');
  });
});

describe('regressions', () => {
  const current = demoRun();
  const failing = current.controls.filter((c) => c.status === 'fail');
  const erroring = current.controls.filter((c) => c.status === 'error');

  it('are controls that newly fail or newly go to error', () => {
    expect(failing.length).toBeGreaterThan(1);
    const prev = withStatus(current, { [failing[0]!.id]: 'pass', ...(erroring[0] ? { [erroring[0].id]: 'pass' } : {}) });
    const r = findRegressions(prev, current, diffRuns);
    expect(r.map((x) => [x.control, x.kind, x.from, x.to])).toEqual([
      [failing[0]!.id, 'fail', 'pass', 'fail'],
      ...(erroring[0] ? [[erroring[0].id, 'error', 'pass', 'error']] : []),
    ]);
    expect(findRegressions(current, current, diffRuns)).toEqual([]);
    expect(() => findRegressions(current, current)).toThrow(TypeError);
    // fail -> error is a new error; error -> fail is a new failure.
    const swapped = findRegressions(withStatus(current, { [failing[1]!.id]: 'error' }), current, diffRuns);
    expect(swapped.map((x) => [x.control, x.kind, x.from])).toEqual([[failing[1]!.id, 'fail', 'error']]);
  });

  it('on the first stored run are every failing and erroring control, failures first, most severe first', () => {
    const r = findRegressions(undefined, current);
    expect(r.filter((x) => x.kind === 'fail')).toHaveLength(failing.length);
    expect(r.filter((x) => x.kind === 'error')).toHaveLength(erroring.length);
    const kinds = r.map((x) => x.kind);
    expect(kinds.indexOf('error') === -1 || kinds.lastIndexOf('fail') < kinds.indexOf('error')).toBe(true);
    const rank: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
    const sev = r.filter((x) => x.kind === 'fail').map((x) => rank[x.severity]!);
    expect([...sev].sort((a, b) => a - b)).toEqual(sev);
  });

  it('name the owner, a bounded list of resources and the fix', () => {
    const c = failing.find((x) => x.findings.filter((f) => f.status === 'fail').length > 0)!;
    const big: ControlResult = { ...c, findings: Array.from({ length: 25 }, (_, i) => ({ ...c.findings.find((f) => f.status === 'fail')!, resource: { provider: 'kubernetes' as const, kind: 'Pod', namespace: 'ns', name: `p${i}` } })) };
    const run = { ...current, controls: [big] };
    const [r] = findRegressions(undefined, run);
    expect(r!.owners.length).toBeGreaterThan(0);
    expect(r!.resources).toHaveLength(MAX_RESOURCES);
    expect(r!.resourcesTotal).toBe(25);
    expect(r!.fix).toBe(c.remediation.summary);
  });
});

const ctx: AlertContext = { clusterKey: 'eks:111122223333:eu-west-1:prod', cluster: { name: 'prod', accountId: '111122223333', region: 'eu-west-1' }, runId: '20261126T120000Z-abcdef', at: NOW.toISOString(), score: 80, previous: { runId: '20261125T120000Z-123456', at: '2026-11-25T12:00:00.000Z', score: 90 } };

function regression(i: number, name = `pod-${i}`): Regression {
  return {
    control: `CC5-HARD-0${i % 9}`, title: 'Pods run with restrictive security contexts', section: 'CC5', severity: 'high', kind: 'fail', from: 'pass', to: 'fail',
    owners: ['Platform Team (Platform)'], reason: '1 failing', fix: 'Set runAsNonRoot.', commands: ['kubectl get pods'],
    resources: [{ kind: 'Pod', namespace: 'shop', name, rule: 'run-as-non-root', message: `${name} runs as root` }], resourcesTotal: 1,
  };
}

describe('payloads', () => {
  it('generic: schema, cluster, runs, counts, at most MAX_REGRESSIONS listed', () => {
    const p = genericPayload(ctx, Array.from({ length: 30 }, (_, i) => regression(i)));
    expect(p.schema).toBe('eks-soc2/regression-alert@1');
    expect(p.cluster).toEqual({ key: ctx.clusterKey, name: 'prod', accountId: '111122223333', region: 'eu-west-1' });
    expect(p.run).toEqual({ id: ctx.runId, at: ctx.at, score: 80 });
    expect(p.previousRun).toEqual({ id: '20261125T120000Z-123456', at: '2026-11-25T12:00:00.000Z', score: 90 });
    expect(p.regressions).toHaveLength(MAX_REGRESSIONS);
    expect(p.regressionsOmitted).toBe(10);
    expect(p.summary).toEqual({ newlyFailing: 30, newErrors: 0, reported: 20 });
  });

  it('slack: {text, blocks} within Block Kit limits', () => {
    const p = slackPayload(ctx, Array.from({ length: 60 }, (_, i) => regression(i)));
    expect(p.text).toBe('eks-soc2: 60 new failures in prod (111122223333 eu-west-1)');
    expect(p.blocks.length).toBeLessThanOrEqual(50);
    expect(p.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    for (const b of p.blocks) {
      const t = (b as { text?: { text: string } }).text?.text;
      if (t) expect(t.length).toBeLessThanOrEqual(3000);
    }
    expect(JSON.stringify(p.blocks.at(-1))).toContain('40 more not listed');
  });

  it('slack: hostile names cannot mention, link or break out of code spans', () => {
    const evil = '<!channel> & <https://evil.example|click here> `x` *bold*\u202e\u0007';
    const p = slackPayload({ ...ctx, cluster: { name: '<!here>' } }, [regression(1, evil)]);
    const all = JSON.stringify(p);
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<!here>');
    expect(all).not.toContain('<https://evil');
    expect(all).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt;');
    expect(all).not.toMatch(/\u202e|\u0007/);
    const section = p.blocks.find((b) => b.type === 'section') as { text: { text: string } };
    // The resource name sits in one code span: its own backticks were replaced.
    expect((section.text.text.match(/`/g) ?? []).length % 2).toBe(0);
    expect(escapeSlack('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });
});

describe('delivery', () => {
  it('retries 5xx with backoff, then succeeds', async () => {
    const h = await hook([500, 503, 200]);
    const r = await deliver(new URL(h.url), { hello: 'world' }, fast);
    expect(r).toEqual({ ok: true, attempts: 3, status: 200 });
    expect(h.statuses).toEqual([500, 503, 200]);
    expect(h.bodies).toEqual([{ hello: 'world' }, { hello: 'world' }, { hello: 'world' }]);
  });

  it('honours Retry-After on 429 within the time budget', async () => {
    const h = await hook([{ status: 429, headers: { 'retry-after': '0' } }, 200]);
    expect(await deliver(new URL(h.url), {}, fast)).toMatchObject({ ok: true, attempts: 2 });
  });

  it('does not retry a client error or follow a redirect', async () => {
    const h = await hook([404]);
    expect(await deliver(new URL(h.url), {}, fast)).toEqual({ ok: false, attempts: 1, error: 'HTTP 404 Not Found' });
    const h2 = await hook([{ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } }]);
    const r = await deliver(new URL(h2.url), {}, fast);
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.error).toMatch(/redirected/);
    expect(h2.statuses).toEqual([302]);
  });

  it('gives up on a server that is down after the attempts, without throwing', async () => {
    const port = await closedPort();
    const r = await deliver(new URL(`http://127.0.0.1:${port}/x`), {}, { ...fast, maxAttempts: 3 });
    expect(r).toEqual({ ok: false, attempts: 3, error: 'ECONNREFUSED' });
  });

  it('stays within its total time when the server never answers', async () => {
    const h = await hook(['hang', 'hang', 'hang', 'hang', 'hang']);
    let t = 0;
    const r = await deliver(new URL(h.url), {}, { ...fast, attemptTimeoutMs: 50, deadlineMs: 10_000, maxAttempts: 3, now: () => t, sleep: async (ms) => { t += ms; } });
    expect(r).toMatchObject({ ok: false, attempts: 3, error: 'no answer in time' });
  });

  it('stops waiting when the next wait would pass the deadline', async () => {
    const h = await hook([500, 500, 500, 500, 500]);
    let t = 0;
    const r = await deliver(new URL(h.url), {}, { baseDelayMs: 1000, maxDelayMs: 8000, deadlineMs: 2500, random: () => 1, now: () => t, sleep: async (ms) => { t += ms; } });
    // Waits 1 s and 2 s would end past 2.5 s: two attempts, then it gives up.
    expect(r).toEqual({ ok: false, attempts: 2, error: 'HTTP 500 Internal Server Error' });
    expect(h.statuses).toEqual([500, 500]);
  });
});

describe('scan --notify (CLI, end to end)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-notify-'));

  it('stores first, then alerts the first run\'s failures after retries; a second identical run sends nothing', async () => {
    const h = await hook([500, 500, 200]);
    const store = `sqlite:${join(dir, 'a.db')}`;
    const plain = await runCli(['scan', '--demo', '--no-store', '--quiet']);
    const r = await runCli(['scan', '--demo', '--store', store, '--notify', h.url]);
    expect(r.code, r.stderr).toBe(plain.code);
    expect(r.stderr).toMatch(/stored run \S+ in SQLite store/);
    expect(r.stderr).toMatch(/alerted http:\/\/127\.0\.0\.1:\d+\/…: \d+ regressions \(after 3 attempts\)/);
    expect(r.stderr).not.toContain('secret-token');
    expect(r.stderr.indexOf('stored run')).toBeLessThan(r.stderr.indexOf('alerted'));
    expect(h.statuses).toEqual([500, 500, 200]);
    const body = h.bodies[2] as { schema: string; cluster: { key: string }; previousRun: unknown; regressions: Regression[] };
    expect(body.schema).toBe('eks-soc2/regression-alert@1');
    expect(body.cluster.key).toBe('eks:111122223333:eu-west-1:acme-prod');
    expect(body.previousRun).toBeNull();
    expect(body.regressions.length).toBeGreaterThan(0);
    expect(body.regressions[0]).toMatchObject({ kind: 'fail', to: 'fail' });

    const again = await runCli(['scan', '--demo', '--store', store, '--notify', h.url]);
    expect(again.code).toBe(plain.code);
    expect(again.stderr).toContain('no new failures since the previous run: no alert sent');
    expect(h.bodies).toHaveLength(3);
  }, 60_000);

  it('a webhook that is down is a warning: same exit code, the run is stored; --notify-fatal exits 2, still stored', async () => {
    const port = await closedPort();
    const store = `sqlite:${join(dir, 'b.db')}`;
    const plain = await runCli(['scan', '--demo', '--no-store', '--quiet']);
    const r = await runCli(['scan', '--demo', '--store', store, '--notify', `http://127.0.0.1:${port}/hook/secret`, '--quiet']);
    expect(r.code).toBe(plain.code);
    expect(r.stderr).toMatch(/warning: regression alert not sent: http:\/\/127\.0\.0\.1:\d+\/… answered ECONNREFUSED after 5 attempts \(the run was stored\)/);
    expect(r.stderr).not.toContain('secret');
    const store2 = `sqlite:${join(dir, 'c.db')}`;
    const f2 = await runCli(['scan', '--demo', '--store', store2, '--notify', `http://127.0.0.1:${port}/hook`, '--quiet', '--notify-fatal']);
    expect(f2.code).toBe(2);
    expect(f2.stderr).toMatch(/eks-soc2: regression alert not sent: .*ECONNREFUSED/);
    expect(await storedRuns(join(dir, 'c.db'))).toBe(1);
    expect(await storedRuns(join(dir, 'b.db'))).toBe(1);
  }, 90_000);

  it('slack payload of a scan of hostile manifests: escaped names, no secret values', async () => {
    const h = await hook();
    const file = join(dir, 'hostile.yaml');
    writeFileSync(file, `apiVersion: v1
kind: Pod
metadata:
  name: "evil-<!channel>-<https://evil.example|x>"
  namespace: shop
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext: { privileged: true }
      env:
        - name: DB_PASSWORD
          value: hunter2-do-not-leak
`);
    const r = await runCli(['scan', '-f', file, '--store', `sqlite:${join(dir, 'd.db')}`, '--notify', h.url, '--notify-format', 'slack', '--quiet']);
    expect(r.code, r.stderr).toBe(1);
    expect(h.bodies).toHaveLength(1);
    const text = JSON.stringify(h.bodies[0]);
    expect(text).toContain('"text":"eks-soc2: ');
    expect(text).toContain('evil-&lt;!channel&gt;-&lt;https://evil.example|x&gt;');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('hunter2');
  }, 60_000);

  it('refuses --notify without a store, before reading anything', async () => {
    const r = await runCli(['scan', '--demo', '--no-store', '--notify', 'https://hooks.example.com/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--notify compares the run with the cluster's previous stored run: add --store/);
  });
});
