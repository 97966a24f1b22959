import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { fastify } from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StoreError } from '../store/index.js';
import { escapeTerminal } from '../report/escape.js';
import { DashboardData } from './data.js';
import { HttpError, badRequest } from './errors.js';
import { createMetrics } from './metrics.js';
import { SECURITY_HEADERS, hostName, isLoopback, tokenChecker } from './security.js';
import type { DashboardOptions, DashboardTimeouts } from './types.js';
import { resolveWindow } from './window.js';

/** Connections the dashboard holds at once by default (docs/dashboard.md "Limits"). */
export const DEFAULT_MAX_CONNECTIONS = 1_000;

/** The dashboard's HTTP timeouts (docs/dashboard.md "Limits"). */
export const DASHBOARD_TIMEOUTS: Readonly<DashboardTimeouts> = {
  headers: 10_000, request: 30_000, keepAlive: 5_000, idle: 120_000,
};

/**
 * Keep at most `max` connections open. When one more arrives, the oldest connection with no
 * request in flight is closed to make room (a new one is refused only when every connection is
 * busy answering): thousands of idle sockets can neither exhaust the process's files nor keep a
 * health probe out, and the timeouts close the idle ones soon anyway.
 */
export function capConnections(server: Server, max: number, log: (line: string) => void): { open(): number } {
  const open = new Map<Socket, { busy: number }>();
  let evicted = 0;
  let lastReport = 0;
  server.on('connection', (socket: Socket) => {
    open.set(socket, { busy: 0 });
    socket.once('close', () => open.delete(socket));
    if (open.size <= max) return;
    let victim: Socket | undefined;
    for (const [s, st] of open) if (st.busy === 0 && s !== socket) { victim = s; break; }
    (victim ?? socket).destroy();
    evicted++;
    const now = Date.now();
    if (now - lastReport > 10_000) {
      lastReport = now;
      log(`connection cap: ${max} connections open; ${evicted} idle connection(s) closed to make room so far`);
    }
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const st = open.get(req.socket);
    if (!st) return;
    st.busy++;
    res.once('close', () => { st.busy--; });
  });
  return { open: () => open.size };
}

/** The static UI shipped with the package (`web/` beside `src/` and `dist/`). */
export function defaultWebRoot(): string {
  return fileURLToPath(new URL('../../web/', import.meta.url));
}

/** Paths of the single-page UI: each answers the same HTML shell, which holds no data. */
const UI_ROUTES = ['/', '/controls', '/controls/:id', '/runs', '/runs/:id', '/diff', '/period'];

/**
 * The only routes answered without the token: the HTML shell, its static assets and the health
 * probe, none of which holds data. Authorisation is decided on the route the router resolved
 * (never on the raw request URL, which may be percent-encoded or in absolute form) and is
 * deny-by-default: a route registered later is protected unless it is added here.
 */
export const PUBLIC_ROUTES: readonly string[] = [...UI_ROUTES, '/healthz', '/assets/*'];
const PUBLIC = new Set(PUBLIC_ROUTES);

/** Routes of a dashboard as registered, each with whether it is public (for tests and audits). */
export interface DashboardRoute { method: string; url: string; public: boolean }
const ROUTES = new WeakMap<FastifyInstance, DashboardRoute[]>();
export function dashboardRoutes(app: FastifyInstance): readonly DashboardRoute[] {
  return ROUTES.get(app) ?? [];
}

/** What the router resolved a request to: its declared route, or nothing (not found). */
interface RouteConfig { public?: boolean; data?: boolean }
function routeConfig(req: FastifyRequest): RouteConfig {
  // Fastify puts the matched route's config on routeOptions; the not-found handler has none of ours.
  return (req.routeOptions.config ?? {}) as RouteConfig;
}

const CONTENT_TYPES: Record<string, string> = {
  txt: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
  'oscal.json': 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
};

/** A file-name part made of safe characters only (cluster names are hostile). */
export function fileNamePart(s: string, max = 60): string {
  const t = s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return (t || 'cluster').slice(0, max);
}

/** A URL as logged: values of parameters that look like credentials are masked. */
export function logUrl(url: string): string {
  return url.replace(/([?&][^=&]*(?:token|key|secret|password|auth)[^=&]*=)[^&]*/gi, '$1***');
}

// ---------------------------------------------------------------- query schemas

const text = (maxLength = 200) => ({ type: 'string', maxLength });
const integer = (minimum: number, maximum: number, dflt: number) => ({ type: 'integer', minimum, maximum, default: dflt });
const dateBound = { type: 'string', maxLength: 40 };
/** Cluster: its URL id or store key (keys of hostile names can be long). */
const cluster = { type: 'string', maxLength: 12_000 };
const runIdParam = { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9A-Za-z-]{8,40}$' } }, required: ['id'] };
const controlIdParam = { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } }, required: ['id'] };
const findingQuery = {
  control: text(64), status: text(20), severity: text(20), namespace: text(300), kind: text(200), rule: text(200), q: text(300),
  system: text(10), offset: integer(0, 10_000_000, 0), limit: integer(1, 500, 50),
};

/** A validated query string: strings, and the integers and booleans the schemas coerce. */
type Query = Record<string, string | number | boolean | undefined>;
const query = (req: FastifyRequest) => req.query as Query;
const str = (q: Query, k: string) => (typeof q[k] === 'string' ? q[k] : undefined);
const int = (q: Query, k: string) => Number(q[k]);
const strings = (q: Query, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, str(q, k)]));
const FINDING_FILTERS = ['control', 'status', 'severity', 'namespace', 'kind', 'rule', 'q', 'system'];
const CONTROL_FILTERS = ['section', 'tsc', 'owner', 'status', 'automation', 'severity', 'q'];

/**
 * Build the dashboard: the read-only JSON API over the evidence store, `/metrics`, `/healthz` and
 * the static UI, with security headers on every answer and, when a token is set, bearer
 * authentication on everything that reads the store.
 */
export async function buildDashboard(opts: DashboardOptions): Promise<FastifyInstance> {
  const log = opts.log ?? (() => undefined);
  const now = opts.now ?? (() => new Date());
  const data = new DashboardData(opts.store, { computePeriod: opts.computePeriod, score: opts.score, toolVersion: opts.toolVersion, now });
  const metrics = createMetrics(data, { toolVersion: opts.toolVersion, score: opts.score, log });
  const webRoot = opts.webRoot ?? defaultWebRoot();
  if (!existsSync(`${webRoot}/index.html`)) throw new Error(`the dashboard UI is missing: no index.html in ${webRoot}`);
  const checkToken = opts.token ? tokenChecker(opts.token) : undefined;
  const formats = opts.periodFormats ?? {};

  let pdfQueue: Promise<unknown> = Promise.resolve();
  const t: DashboardTimeouts = { ...DASHBOARD_TIMEOUTS, ...opts.timeouts };
  const app = fastify({
    logger: false, trustProxy: false, bodyLimit: 1024, return503OnClosing: true, routerOptions: { maxParamLength: 120 },
    requestTimeout: t.request, keepAliveTimeout: t.keepAlive, connectionTimeout: t.idle,
    // headersTimeout and the interval at which Node.js enforces it are fixed when the server is made.
    serverFactory: (handler) => createServer({ headersTimeout: t.headers, requestTimeout: t.request, keepAliveTimeout: t.keepAlive, connectionsCheckingInterval: Math.min(1_000, t.headers) }, handler),
  });
  capConnections(app.server, opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS, log);
  const routes: DashboardRoute[] = [];
  ROUTES.set(app, routes);
  // Every route (ours and the static plugin's) is marked at registration from its declared URL.
  app.addHook('onRoute', (route) => {
    const isPublic = PUBLIC.has(route.url ?? '');
    route.config = { ...(route.config as object | undefined), public: isPublic, data: !isPublic && route.url !== undefined };
    for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url ?? '', public: isPublic });
  });

  // ------------------------------------------------------------ every request
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    const route = routeConfig(req);
    const isPublic = route.public === true;
    reply.header('cache-control', !isPublic || req.routeOptions.url === '/healthz' ? 'no-store' : 'no-cache');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply.header('allow', 'GET, HEAD');
      return reply.code(405).send({ error: { status: 405, message: `${escapeTerminal(req.method, 20)} is not allowed: the dashboard is read-only (GET and HEAD only)` } });
    }
    if (!checkToken) {
      // Without a token only loopback names are answered: a web page that rebinds its own host
      // name to 127.0.0.1 must not read the store through the user's browser.
      const host = req.headers.host;
      if (host !== undefined && !isLoopback(hostName(host))) {
        return reply.code(421).send({ error: { status: 421, message: 'this dashboard answers only requests addressed to localhost or a loopback address' } });
      }
    } else if (!isPublic && !checkToken(req.headers.authorization)) {
      // Deny by default: anything the router did not resolve to a public route needs the token,
      // including paths that resolve to nothing (their 404 would otherwise confirm what exists).
      reply.header('www-authenticate', 'Bearer realm="eks-soc2"');
      return reply.code(401).send({ error: { status: 401, message: 'missing or wrong token: send the header "Authorization: Bearer TOKEN"' } });
    }
    return undefined;
  });

  app.addHook('onResponse', async (req, reply) => {
    log(`${req.method} ${escapeTerminal(logUrl(req.url), 200)} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`);
  });

  app.setErrorHandler(async (err: FastifyError | Error, req, reply) => {
    if (err instanceof HttpError) return reply.code(err.status).send({ error: { status: err.status, message: err.message, ...(err.fix ? { fix: err.fix } : {}) } });
    if ('validation' in err && err.validation) return reply.code(400).send({ error: { status: 400, message: err.message } });
    if (err instanceof StoreError) {
      const status = err.kind === 'unreachable' || err.kind === 'busy' || err.kind === 'auth' ? 503 : 500;
      log(`store error on ${escapeTerminal(logUrl(req.url), 200)}: ${err.message}`);
      return reply.code(status).send({ error: { status, message: err.message, ...(err.fix ? { fix: err.fix } : {}) } });
    }
    const status = 'statusCode' in err && typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) log(`internal error on ${escapeTerminal(logUrl(req.url), 200)}: ${err.message}`);
    return reply.code(status).send({ error: { status, message: status === 500 ? 'internal error (the server log has the details)' : err.message } });
  });

  app.setNotFoundHandler(async (req, reply) => reply.code(404).send({ error: { status: 404, message: `nothing at ${escapeTerminal(req.url.split('?')[0]!, 120)}` } }));

  // ------------------------------------------------------------ UI and probes
  await app.register(fastifyStatic, {
    root: webRoot, prefix: '/assets/', index: false, list: false, dotfiles: 'deny', cacheControl: false, etag: true, lastModified: true,
  });
  for (const url of UI_ROUTES) app.get(url, async (_req, reply) => reply.type('text/html; charset=utf-8').sendFile('index.html'));

  app.get('/healthz', async (_req, reply) => {
    try {
      await data.healthy();
      return reply.type('text/plain; charset=utf-8').send('ok\n');
    } catch (err) {
      log(`healthz: the evidence store did not answer: ${err instanceof Error ? err.message : String(err)}`);
      return reply.code(503).type('text/plain; charset=utf-8').send('the evidence store does not answer\n');
    }
  });

  app.get('/metrics', async (_req, reply) => reply.type(metrics.contentType).send(await metrics.render()));

  // ------------------------------------------------------------ JSON API
  app.get('/api/meta', async () => ({
    tool: { name: 'eks-soc2', version: opts.toolVersion },
    store: opts.store.label.replace(/^(SQLite|PostgreSQL) store .*$/, '$1'),
    tokenRequired: Boolean(checkToken),
    now: now().toISOString(),
    formats: Object.entries(formats).map(([name, f]) => ({ name, ext: f.ext, description: f.description })),
  }));

  app.get('/api/clusters', async () => ({ clusters: await data.clusters() }));

  app.get('/api/overview', { schema: { querystring: { type: 'object', properties: { cluster, days: integer(0, 3660, 90) } } } },
    async (req) => data.overview(str(query(req), 'cluster'), int(query(req), 'days')));

  app.get('/api/controls', {
    schema: { querystring: { type: 'object', properties: { cluster, history: integer(1, 366, 30), section: text(20), tsc: text(20), owner: text(300), status: text(20), automation: text(20), severity: text(20), q: text(300) } } },
  }, async (req) => {
    const q = query(req);
    return data.controls(str(q, 'cluster'), int(q, 'history'), strings(q, CONTROL_FILTERS));
  });

  app.get('/api/controls/:id', {
    schema: { params: controlIdParam, querystring: { type: 'object', properties: { cluster, from: dateBound, to: dateBound } } },
  }, async (req) => {
    const q = query(req);
    return data.control(str(q, 'cluster'), (req.params as { id: string }).id, { from: str(q, 'from'), to: str(q, 'to') });
  });

  app.get('/api/runs', {
    schema: { querystring: { type: 'object', properties: { cluster, from: dateBound, to: dateBound, offset: integer(0, 10_000_000, 0), limit: integer(1, 500, 50) } } },
  }, async (req) => {
    const q = query(req);
    let w: { fromIso?: string; toIso?: string } | undefined;
    if (str(q, 'from') || str(q, 'to')) {
      const r = resolveWindow({ from: str(q, 'from') ?? '1970-01-01', to: str(q, 'to') ?? '9999-12-31' }, now());
      w = { fromIso: r.fromIso, toIso: r.toIso };
    }
    return data.runs(str(q, 'cluster'), int(q, 'offset'), int(q, 'limit'), w);
  });

  app.get('/api/runs/:id', { schema: { params: runIdParam } }, async (req) => data.run((req.params as { id: string }).id));

  app.get('/api/runs/:id/findings', { schema: { params: runIdParam, querystring: { type: 'object', properties: findingQuery } } }, async (req) => {
    const q = query(req);
    return data.findings((req.params as { id: string }).id, strings(q, FINDING_FILTERS), int(q, 'offset'), int(q, 'limit'));
  });

  app.get('/api/findings', { schema: { querystring: { type: 'object', properties: { cluster, ...findingQuery } } } }, async (req) => {
    const q = query(req);
    const c = await data.cluster(str(q, 'cluster'));
    const [latest] = await opts.store.runs({ clusterKey: c.key, last: 1 });
    if (!latest) throw new HttpError(404, `cluster ${c.key.slice(0, 200)} has no stored runs`);
    return data.findings(latest.runId, strings(q, FINDING_FILTERS), int(q, 'offset'), int(q, 'limit'));
  });

  app.get('/api/diff', {
    schema: { querystring: { type: 'object', properties: { cluster, from: text(40), to: text(40), offset: integer(0, 10_000_000, 0), limit: integer(1, 500, 100) } } },
  }, async (req) => {
    const q = query(req);
    return data.diffPage(strings(q, ['from', 'to', 'cluster']), int(q, 'offset'), int(q, 'limit'));
  });

  app.get('/api/period', {
    schema: { querystring: { type: 'object', properties: { cluster, from: dateBound, to: dateBound, timeline: { type: 'string', enum: ['0', '1', 'false', 'true'] }, verify: { type: 'string', enum: ['0', '1', 'false', 'true'] } } } },
  }, async (req) => {
    const q = query(req);
    return data.periodView(str(q, 'cluster'), { from: str(q, 'from'), to: str(q, 'to') }, q.timeline === '1' || q.timeline === 'true', q.verify !== '0' && q.verify !== 'false');
  });

  // The chain check of the period's clusters on its own (the page shows the period first, then this).
  app.get('/api/period/verification', {
    schema: { querystring: { type: 'object', properties: { cluster, from: dateBound, to: dateBound } } },
  }, async (req) => {
    const q = query(req);
    const { period, window } = await data.period(str(q, 'cluster'), { from: str(q, 'from'), to: str(q, 'to') }, false);
    return { window, verification: await data.verification(period.clusters.map((c) => c.key)) };
  });

  app.get('/api/period/export', {
    schema: { querystring: { type: 'object', properties: { cluster, from: dateBound, to: dateBound, format: text(20) }, required: ['format'] } },
  }, async (req, reply) => {
    const q = query(req);
    const name = str(q, 'format') ?? '';
    const f = Object.hasOwn(formats, name) ? formats[name] : undefined;
    if (!f) throw badRequest(`unknown period report format "${name.slice(0, 20)}"`, `available: ${Object.keys(formats).join(', ') || 'none'}`);
    // A client that goes away cancels its export: a queued PDF is never started, a running one
    // closes its browser (Chromium otherwise printed on for minutes for nobody). Listened for from
    // the start: the period is computed and its chain checked first, which takes seconds for a year.
    const gone = new AbortController();
    const onClose = () => { if (!reply.raw.writableFinished) gone.abort(); };
    reply.raw.once('close', onClose);
    if (reply.raw.socket?.destroyed) gone.abort();
    let prepared: Awaited<ReturnType<typeof data.period>>;
    try {
      prepared = await data.period(str(q, 'cluster'), { from: str(q, 'from'), to: str(q, 'to') });
    } catch (err) {
      reply.raw.off('close', onClose);
      throw err;
    }
    const { period, window } = prepared;
    const chunks: Buffer[] = [];
    const render = () => {
      if (gone.signal.aborted) return undefined;
      return f.render(period, (c) => { chunks.push(typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c)); }, { signal: gone.signal });
    };
    try {
      if (f.ext === 'pdf') {
        // One browser at a time: printing starts a Chromium, which a burst of clicks must not multiply.
        const mine = pdfQueue.then(render, render);
        pdfQueue = mine.catch(() => undefined);
        await mine;
      } else {
        await render();
      }
    } catch (err) {
      if (gone.signal.aborted) {
        log(`export ${name} cancelled: the client went away`);
        return reply.code(499).send({ error: { status: 499, message: 'the client closed the connection; the export was cancelled' } });
      }
      log(`export ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      throw new HttpError(500, `the ${name} export failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      reply.raw.off('close', onClose);
    }
    if (gone.signal.aborted) {
      log(`export ${name} cancelled: the client went away`);
      return reply.code(499).send({ error: { status: 499, message: 'the client closed the connection; the export was cancelled' } });
    }
    const who = period.clusters.length === 1 ? fileNamePart(period.clusters[0]!.cluster.name ?? period.clusters[0]!.key) : 'all-clusters';
    const file = `eks-soc2-period-${who}-${fileNamePart(window.from, 30)}-to-${fileNamePart(window.to, 30)}.${f.ext}`;
    return reply
      .type(CONTENT_TYPES[f.ext] ?? 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${file}"`)
      .send(Buffer.concat(chunks));
  });

  return app;
}
