/**
 * Regression alerts (`scan --notify URL`): after a run is stored, compare it with the previous run
 * of the same cluster and, when a control newly fails or goes to `error`, POST one message to a
 * webhook — a documented generic JSON payload, or a Slack-compatible `{text, blocks}` one.
 *
 * The run is always stored first; a webhook that is down never loses it. Delivery is retried with
 * exponential backoff and full jitter within a bounded total time, and a failure is a warning on
 * stderr (exit code unchanged) unless `--notify-fatal` asks for exit 2. Payloads carry control
 * ids, titles, owners, resource names, finding messages and remediation — never Secret values, the
 * store URL or the webhook URL — and every cluster-supplied string is escaped for Slack mrkdwn.
 * See docs/continuous.md "Regression alerts".
 */
import type { Command } from 'commander';
import type { ClusterIdentity, ControlChange, ControlResult, Finding, RunResult, Status } from '../model/index.js';
import { resultSeverity } from '../model/index.js';
import type { diffRuns as DiffRuns } from '../store/diff.js';
import { EXIT, UserError } from './errors.js';
import { toolVersion } from './version.js';

export const NOTIFY_ENV = 'EKS_SOC2_NOTIFY_URL';
export const ALERT_SCHEMA = 'eks-soc2/regression-alert@1' as const;

/** At most this many controls and, per control, resources in one message. */
export const MAX_REGRESSIONS = 20;
export const MAX_RESOURCES = 10;
const MAX_TEXT = 500;

export interface NotifyOptions {
  notify?: string;
  notifyFormat?: string;
  notifyFatal?: boolean;
  quiet?: boolean;
}

export type NotifyFormat = 'generic' | 'slack';

export interface NotifyTarget {
  url: URL;
  format: NotifyFormat;
  fatal: boolean;
}

export function addNotifyOptions(cmd: Command): Command {
  return cmd
    .option('--notify <url>', `after storing the run, POST new failures and new errors (compared with the cluster's previous stored run) to this webhook (also ${NOTIFY_ENV}); needs --store`)
    .option('--notify-format <format>', 'webhook payload: generic (JSON, docs/continuous.md) or slack ({text, blocks})', 'generic')
    .option('--notify-fatal', 'exit 2 when the alert cannot be delivered (default: a warning on stderr; the run is stored either way)');
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i;

/** The webhook as it may be printed: scheme and host only (Slack and other webhook URLs carry their token in the path). */
export function redactUrl(u: URL): string {
  return `${u.protocol}//${u.host}/…`;
}

/** The webhook to notify, from `--notify` or EKS_SOC2_NOTIFY_URL; undefined when neither is set. */
export function notifyTarget(opts: NotifyOptions, env: NodeJS.ProcessEnv = process.env): NotifyTarget | undefined {
  const raw = (opts.notify ?? env[NOTIFY_ENV] ?? '').trim();
  const format = (opts.notifyFormat ?? 'generic').toLowerCase();
  if (format !== 'generic' && format !== 'slack') throw new UserError(`--notify-format must be generic or slack (got "${opts.notifyFormat}")`, EXIT.USAGE);
  if (!raw) return undefined;
  const from = opts.notify ? '--notify' : NOTIFY_ENV;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`${from} is not a URL`, EXIT.USAGE, 'give the webhook\'s full https:// URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    throw new UserError(`${from} must be an https:// URL (got ${url.protocol}//${url.host}): alerts name failing resources and must not cross the network in clear text`, EXIT.USAGE,
      'use the webhook\'s https:// address (plain http is accepted only for 127.0.0.1/localhost)');
  }
  if (url.username || url.password) throw new UserError(`${from} must not carry a user name or password`, EXIT.USAGE, 'use a webhook URL whose secret is part of the path, as Slack and most receivers do');
  return { url, format, fatal: Boolean(opts.notifyFatal) };
}

// ------------------------------------------------------------------------------------ regressions

export interface AlertResource {
  kind: string;
  namespace?: string;
  name: string;
  arn?: string;
  rule: string;
  message: string;
}

export interface Regression {
  control: string;
  title: string;
  section: string;
  severity: string;
  /** `fail`: newly failing; `error`: the control could no longer be evaluated. */
  kind: 'fail' | 'error';
  from?: Status;
  to: Status;
  /** Primary owners: the configured owner, else the checklist role. */
  owners: string[];
  /** Why the control has its status (one line). */
  reason: string;
  resources: AlertResource[];
  resourcesTotal: number;
  fix: string;
  commands: string[];
}

const clip = (s: string, max = MAX_TEXT) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

function ownersOf(c: ControlResult): string[] {
  return c.owners.primary.map((o) => clip(o.owner ? `${o.owner} (${o.role})` : o.role, 200));
}

function resourceOf(f: Finding): AlertResource {
  const r = f.resource;
  return {
    kind: clip(r.kind, 100), ...(r.namespace ? { namespace: clip(r.namespace, 253) } : {}), name: clip(r.name, 253),
    ...(r.arn ? { arn: clip(r.arn, 300) } : {}), rule: clip(f.rule, 100), message: clip(f.message),
  };
}

function regressionOf(c: ControlResult, kind: 'fail' | 'error', from: Status | undefined): Regression {
  const failing = c.findings.filter((f) => f.status === 'fail' && !f.system);
  return {
    control: c.id, title: clip(c.title, 300), section: c.section, severity: resultSeverity(c), kind,
    ...(from ? { from } : {}), to: c.status, owners: ownersOf(c), reason: clip(c.message),
    resources: kind === 'fail' ? failing.slice(0, MAX_RESOURCES).map(resourceOf) : [],
    resourcesTotal: kind === 'fail' ? failing.length : 0,
    fix: clip(c.remediation.summary, 1000),
    commands: (c.remediation.commands ?? []).slice(0, 3).map((x) => clip(x, 400)),
  };
}

/**
 * Controls that newly fail or newly went to `error` in `current` compared with `previous` (the
 * cluster's previous stored run, through the store's `diffRuns` — passed in, so that the store is
 * only loaded when a run is compared; none: every failing or erroring control is new). Pure.
 */
export function findRegressions(previous: RunResult | undefined, current: RunResult, diffRuns?: typeof DiffRuns): Regression[] {
  if (previous && !diffRuns) throw new TypeError('findRegressions needs diffRuns to compare two runs');
  const changes: Pick<ControlChange, 'id' | 'change' | 'from' | 'to'>[] = previous && diffRuns
    ? diffRuns(previous, current).controls
    : current.controls.map((c) => ({ id: c.id, change: 'added' as const, to: c.status }));
  const byId = new Map(current.controls.map((c) => [c.id, c]));
  const out: { r: Regression; i: number }[] = [];
  for (const ch of changes) {
    const c = byId.get(ch.id);
    if (!c) continue; // removed from the catalog
    const i = current.controls.indexOf(c);
    // pass/error/... -> fail is "newly-failing"; a control new to the catalog that fails is new too.
    if (c.status === 'fail' && (ch.change === 'newly-failing' || ch.change === 'added')) out.push({ r: regressionOf(c, 'fail', ch.from), i });
    else if (c.status === 'error' && (ch.change === 'changed' || ch.change === 'added')) out.push({ r: regressionOf(c, 'error', ch.from), i });
  }
  // Newly failing first, most severe first; the catalog order otherwise.
  const rank: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
  return out
    .sort((a, b) => (a.r.kind === b.r.kind ? 0 : a.r.kind === 'fail' ? -1 : 1) || (rank[a.r.severity] ?? 5) - (rank[b.r.severity] ?? 5) || a.i - b.i)
    .map((x) => x.r);
}

// ---------------------------------------------------------------------------------------- payloads

export interface AlertContext {
  clusterKey: string;
  cluster: ClusterIdentity;
  runId?: string;
  at: string;
  score: number;
  previous?: { runId: string; at: string; score: number };
}

export interface GenericAlert {
  schema: typeof ALERT_SCHEMA;
  tool: { name: 'eks-soc2'; version: string };
  cluster: { key: string; name?: string; arn?: string; accountId?: string; region?: string; context?: string };
  run: { id?: string; at: string; score: number };
  previousRun: { id: string; at: string; score: number } | null;
  summary: { newlyFailing: number; newErrors: number; reported: number };
  regressions: Regression[];
  /** Regressions beyond MAX_REGRESSIONS, counted but not listed. */
  regressionsOmitted: number;
}

/** The generic JSON payload (docs/continuous.md "Regression alerts"). */
export function genericPayload(ctx: AlertContext, regressions: Regression[]): GenericAlert {
  const c = ctx.cluster;
  const listed = regressions.slice(0, MAX_REGRESSIONS);
  return {
    schema: ALERT_SCHEMA,
    tool: { name: 'eks-soc2', version: toolVersion() },
    cluster: {
      key: ctx.clusterKey, ...(c.name ? { name: c.name } : {}), ...(c.arn ? { arn: c.arn } : {}), ...(c.accountId ? { accountId: c.accountId } : {}),
      ...(c.region ? { region: c.region } : {}), ...(c.context ? { context: c.context } : {}),
    },
    run: { ...(ctx.runId ? { id: ctx.runId } : {}), at: ctx.at, score: ctx.score },
    previousRun: ctx.previous ? { id: ctx.previous.runId, at: ctx.previous.at, score: ctx.previous.score } : null,
    summary: { newlyFailing: regressions.filter((r) => r.kind === 'fail').length, newErrors: regressions.filter((r) => r.kind === 'error').length, reported: listed.length },
    regressions: listed,
    regressionsOmitted: regressions.length - listed.length,
  };
}

const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * Escape text for Slack mrkdwn: `&`, `<` and `>` become entities (so a hostile name cannot form a
 * link, a mention such as `<!channel>`, or a user reference), and control, bidi and zero-width
 * characters become visible `\uXXXX`.
 */
export function escapeSlack(s: string, max = MAX_TEXT): string {
  const t = clip(s, max).replace(INVISIBLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code in mrkdwn: escaped, with backticks replaced so the span cannot be closed early. */
const code = (s: string, max = 200) => `\`${escapeSlack(s, max).replace(/`/g, 'ʼ')}\``;

function clusterTitle(ctx: AlertContext): string {
  const c = ctx.cluster;
  const where = [c.accountId, c.region].filter(Boolean).join(' ');
  return `${c.name ?? c.context ?? ctx.clusterKey}${where ? ` (${where})` : ''}`;
}

export interface SlackAlert {
  text: string;
  blocks: Record<string, unknown>[];
}

/** A Slack-compatible payload: `text` (notification fallback) and Block Kit `blocks` (at most 50). */
export function slackPayload(ctx: AlertContext, regressions: Regression[]): SlackAlert {
  const fails = regressions.filter((r) => r.kind === 'fail').length;
  const errors = regressions.length - fails;
  const parts = [fails ? `${fails} new failure${fails === 1 ? '' : 's'}` : '', errors ? `${errors} control${errors === 1 ? '' : 's'} no longer evaluated` : ''].filter(Boolean);
  const headline = `eks-soc2: ${parts.join(', ')} in ${clusterTitle(ctx)}`;
  const blocks: Record<string, unknown>[] = [
    // plain_text is not parsed for mentions or links; it is still bounded (150 characters).
    // Angle brackets become look-alikes there too, so no client ever sees `<!here>`.
    { type: 'header', text: { type: 'plain_text', text: clip(headline.replace(INVISIBLE, ' ').replace(/</g, '‹').replace(/>/g, '›'), 150), emoji: false } },
    {
      type: 'context',
      elements: [{
        type: 'mrkdwn',
        text: `cluster ${code(ctx.clusterKey, 300)} · run ${code(ctx.runId ?? 'not stored', 40)} at ${escapeSlack(ctx.at, 40)} · score ${ctx.score}%${ctx.previous ? ` (was ${ctx.previous.score}% in ${code(ctx.previous.runId, 40)})` : ' · first stored run of this cluster'}`,
      }],
    },
  ];
  const listed = regressions.slice(0, MAX_REGRESSIONS);
  for (const r of listed) {
    const lines = [
      `*${escapeSlack(r.control, 40)}* ${escapeSlack(r.title, 300)} — *${escapeSlack(r.severity, 20)}* · ${r.kind === 'fail' ? `${r.from ?? 'new'} → fail` : `${r.from ?? 'new'} → error (could not be evaluated)`}`,
      `Owner: ${r.owners.length ? r.owners.map((o) => escapeSlack(o, 200)).join(', ') : 'unassigned'}`,
    ];
    if (r.kind === 'fail' && r.resources.length) {
      const shown = r.resources.slice(0, 5).map((x) => `• ${code([x.kind, x.namespace, x.name].filter(Boolean).join('/'), 300)} ${escapeSlack(x.message, 200)}`);
      lines.push(...shown);
      if (r.resourcesTotal > shown.length) lines.push(`…and ${r.resourcesTotal - shown.length} more`);
    } else {
      lines.push(`Why: ${escapeSlack(r.reason, 400)}`);
    }
    lines.push(`Fix: ${escapeSlack(r.fix, 600)}`);
    const text = lines.join('\n');
    blocks.push({ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: text.length > 2900 ? `${text.slice(0, 2899)}…` : text } });
  }
  if (regressions.length > listed.length) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${regressions.length - listed.length} more not listed: \`eks-soc2 diff --cluster …\` shows them all` }] });
  }
  return { text: escapeSlack(headline, 300), blocks: blocks.slice(0, 50) };
}

// ---------------------------------------------------------------------------------------- delivery

export interface DeliverOptions {
  /** Attempts in all (default 5). */
  maxAttempts?: number;
  /** First backoff ceiling (default 500 ms), doubled per attempt up to maxDelayMs (default 8 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Total time for every attempt and wait (default 30 s). */
  deadlineMs?: number;
  /** Timeout of one attempt (default 10 s). */
  attemptTimeoutMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export type DeliveryResult = { ok: true; attempts: number; status: number } | { ok: false; attempts: number; error: string };

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/** POST `body` as JSON to `url`, retrying transient failures with exponential backoff and full jitter. Never throws. */
export async function deliver(url: URL, body: unknown, o: DeliverOptions = {}): Promise<DeliveryResult> {
  const maxAttempts = Math.max(1, o.maxAttempts ?? 5);
  const base = o.baseDelayMs ?? 500;
  const cap = o.maxDelayMs ?? 8_000;
  const now = o.now ?? (() => Date.now());
  const deadline = now() + (o.deadlineMs ?? 30_000);
  const random = o.random ?? Math.random;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const text = JSON.stringify(body);
  let last = 'not attempted';
  let attempts = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let retryAfterMs: number | undefined;
    const remaining = deadline - now();
    if (remaining <= 0) break;
    attempts = attempt;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': `eks-soc2/${toolVersion()}` },
        body: text,
        redirect: 'manual',
        signal: AbortSignal.timeout(Math.min(o.attemptTimeoutMs ?? 10_000, remaining)),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ok: true, attempts: attempt, status: res.status };
      last = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
      if (res.status >= 300 && res.status < 400) return { ok: false, attempts: attempt, error: `${last}: the webhook redirected, and alerts are not sent on to another address` };
      if (!RETRYABLE.has(res.status)) return { ok: false, attempts: attempt, error: last };
      const ra = Number(res.headers.get('retry-after'));
      if (Number.isFinite(ra) && ra >= 0) retryAfterMs = ra * 1000;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      last = e.name === 'TimeoutError' ? 'no answer in time' : (e.cause?.code ?? e.message);
    }
    if (attempt === maxAttempts) break;
    const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
    const wait = Math.min(cap, Math.max(retryAfterMs ?? 0, random() * ceiling));
    if (now() + wait >= deadline) break;
    await sleep(wait);
  }
  return { ok: false, attempts, error: last };
}

// ------------------------------------------------------------------------------------ after storing

export interface StoredRunRef {
  runId: string;
}

/** What `notifyAfterStore` did, for the caller (and the fleet summary). */
export interface NotifyOutcome {
  sent: boolean;
  regressions: number;
  error?: string;
}

/**
 * Compare the stored run with the previous run of its cluster and alert on regressions. Reads the
 * store (never writes). Returns a UserError only when the alert was not delivered and the target
 * is fatal; otherwise problems are a warning on stderr.
 */
export async function notifyAfterStore(target: NotifyTarget, storeUrl: string | boolean | undefined, run: RunResult,
  o: DeliverOptions & { quiet?: boolean; stderr?: (s: string) => void; label?: string } = {}): Promise<NotifyOutcome & { failure?: UserError }> {
  const write = o.stderr ?? ((s: string) => { process.stderr.write(s); });
  const prefix = o.label ? `${o.label}: ` : '';
  const warn = (msg: string): NotifyOutcome & { failure?: UserError } => {
    const m = `${prefix}regression alert not sent: ${msg}`;
    if (target.fatal) return { sent: false, regressions: 0, error: msg, failure: new UserError(m, EXIT.USAGE, 'the run itself was stored; check the webhook and send the alert again with `eks-soc2 diff`') };
    write(`eks-soc2: warning: ${m} (the run was stored)\n`);
    return { sent: false, regressions: 0, error: msg };
  };
  if (!run.runId) return warn('the run was not stored, so there is nothing to compare it with');
  let ctx: AlertContext;
  let regressions: Regression[];
  try {
    const { readStoreTarget, withStore } = await import('./sources/store.js');
    const { diffRuns } = await import('../store/diff.js');
    const storeTarget = await readStoreTarget(typeof storeUrl === 'string' ? storeUrl : undefined);
    const runId = run.runId;
    ({ ctx, regressions } = await withStore(storeTarget, 'read', async (store) => {
      const info = await store.findRun(runId);
      if (!info) throw new Error(`run ${runId} is not in ${store.label}`);
      const all = await store.runs({ clusterKey: info.clusterKey });
      const prev = all.filter((r) => r.seq < info.seq).sort((a, b) => b.seq - a.seq)[0];
      const previous = prev ? await store.loadResult(prev.runId) : undefined;
      return {
        ctx: {
          clusterKey: info.clusterKey, cluster: run.cluster, runId, at: info.at, score: run.summary.score,
          ...(prev ? { previous: { runId: prev.runId, at: prev.at, score: prev.score } } : {}),
        },
        regressions: findRegressions(previous, run, diffRuns),
      };
    }));
  } catch (err) {
    return warn(`could not read the previous run from the store (${err instanceof Error ? err.message : String(err)})`);
  }
  if (regressions.length === 0) {
    if (!o.quiet) write(`${prefix}no new failures since the previous run: no alert sent\n`);
    return { sent: false, regressions: 0 };
  }
  const body = target.format === 'slack' ? slackPayload(ctx, regressions) : genericPayload(ctx, regressions);
  const r = await deliver(target.url, body, o);
  if (!r.ok) {
    const out = warn(`${redactUrl(target.url)} answered ${r.error} after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`);
    return { ...out, regressions: regressions.length };
  }
  if (!o.quiet) write(`${prefix}alerted ${redactUrl(target.url)}: ${regressions.length} regression${regressions.length === 1 ? '' : 's'}${r.attempts > 1 ? ` (after ${r.attempts} attempts)` : ''}\n`);
  return { sent: true, regressions: regressions.length };
}
