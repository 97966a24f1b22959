import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { Agent, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { KubeRequestError, KubernetesCollectionError } from './errors.js';
import { TokenBucket } from './rate-limit.js';

const gunzipAsync = promisify(gunzip);

export interface KubeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The parsed body, when the request asked for JSON (`json: true`) and it parsed. */
  json?: unknown;
}

export interface KubeHttpOptions {
  /** API server base URL (may carry a path prefix, e.g. a proxy's `/k8s/clusters/c-1`). */
  server: string;
  agent: Agent;
  /** Authentication (and impersonation) headers; called before every request. */
  headers: () => Promise<Record<string, string>>;
  /** Forget cached credentials (called once after a 401, before retrying). */
  refreshAuth?: () => void;
  /** Client-side rate limit: requests per second (<= 0: none) and burst. */
  qps: number;
  burst: number;
  /** Per-request timeout, milliseconds. */
  timeoutMs: number;
  /**
   * End of the whole collection (epoch ms, `--deadline`): each request's timeout shrinks to what is
   * left, no retry waits past it, and once it has passed every request fails at once (EDEADLINE).
   */
  deadline?: number;
  /** Retries for network errors, timeouts and 5xx (default 4). */
  maxRetries?: number;
  /** Retries for 429 Too Many Requests (default 8). */
  maxThrottleRetries?: number;
  /** Longest Retry-After honoured, milliseconds (default 60 s). */
  maxRetryAfterMs?: number;
  userAgent?: string;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  accept?: string;
  body?: unknown;
  /** Override the number of network retries (e.g. 0 for the reachability probe). */
  retries?: number;
  /** Parse the body as JSON; a 2xx whose body does not parse (a truncated page) is retried like a network error. */
  json?: boolean;
}

export interface HttpStats {
  requests: number;
  retries: number;
  throttled: number;
  rateLimitWaitMs: number;
  retryWaitMs: number;
  bytes: number;
}

/** The code of the KubeRequestError a request fails with once the collection deadline has passed. */
export const DEADLINE_CODE = 'EDEADLINE';

const TLS_CODES = /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_|ERR_TLS_|ERR_SSL_|EPROTO$)/;
const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

/**
 * A minimal HTTP client for the Kubernetes API: authentication from the kubeconfig (through
 * `@kubernetes/client-node`), a client-side token bucket, gzip, a timeout per request, and retries
 * with exponential backoff for network errors and 5xx, honouring `Retry-After` on 429 (API Priority
 * and Fairness) and 503. Response bodies are never logged.
 */
export class KubeHttp {
  readonly stats: HttpStats = { requests: 0, retries: 0, throttled: 0, rateLimitWaitMs: 0, retryWaitMs: 0, bytes: 0 };
  private readonly bucket: TokenBucket;
  private readonly base: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly opts: KubeHttpOptions) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.random ?? Math.random;
    this.bucket = new TokenBucket(opts.qps, opts.burst, undefined, this.sleep);
    this.base = opts.server.replace(/\/+$/, '');
  }

  /** The server URL requests go to. */
  get server(): string {
    return this.base;
  }

  /** Milliseconds left before the collection deadline (Infinity without one). */
  remainingMs(): number {
    return this.opts.deadline === undefined ? Infinity : this.opts.deadline - Date.now();
  }

  /** True once the collection deadline has passed. */
  expired(): boolean {
    return this.remainingMs() <= 0;
  }

  private deadlineError(): KubeRequestError {
    return new KubeRequestError('the collection deadline passed', 'timeout', DEADLINE_CODE);
  }

  /**
   * Send a request, retrying what is worth retrying. Returns the final response whatever its status
   * (429/5xx included once retries are exhausted); throws KubeRequestError when no response came.
   */
  async request(path: string, ro: RequestOptions = {}): Promise<KubeResponse> {
    const maxNet = ro.retries ?? this.opts.maxRetries ?? 4;
    const maxThrottle = this.opts.maxThrottleRetries ?? 8;
    let net = 0;
    let throttle = 0;
    let authRetried = false;
    for (;;) {
      if (this.expired()) throw this.deadlineError();
      const before = this.bucket.waitedMs;
      await this.bucket.take();
      if (this.expired()) throw this.deadlineError();
      this.stats.rateLimitWaitMs += this.bucket.waitedMs - before;
      this.stats.requests++;
      let res: KubeResponse;
      try {
        res = await this.once(path, ro);
        if (ro.json) {
          res.json = parseBody(res);
          if (res.status >= 200 && res.status < 300 && res.json === undefined) {
            throw new KubeRequestError('the response body was not complete JSON', 'network', 'EBADJSON');
          }
        }
      } catch (err) {
        if (err instanceof KubernetesCollectionError) throw err;
        const e = err instanceof KubeRequestError ? err : new KubeRequestError((err as Error).message, 'network');
        if (e.kind === 'tls' || e.kind === 'credentials' || e.code === DEADLINE_CODE || net >= maxNet) throw e;
        net++;
        await this.wait(this.backoff(net));
        continue;
      }
      if (res.status === 401 && !authRetried && this.opts.refreshAuth) {
        authRetried = true;
        this.opts.refreshAuth();
        this.stats.retries++;
        continue;
      }
      const retryAfter = parseRetryAfter(res.headers['retry-after']);
      if (res.status === 429 || (res.status === 503 && retryAfter !== undefined)) {
        this.stats.throttled++;
        if (throttle >= maxThrottle) return res;
        throttle++;
        const ms = retryAfter !== undefined && retryAfter > 0 ? Math.min(retryAfter, this.opts.maxRetryAfterMs ?? 60_000) : this.backoff(throttle);
        await this.wait(ms);
        continue;
      }
      if (RETRYABLE_STATUS.has(res.status)) {
        if (net >= maxNet) return res;
        net++;
        await this.wait(this.backoff(net));
        continue;
      }
      return res;
    }
  }

  /** Send a request and parse its JSON body (see `request`). */
  async getJson(path: string, ro: RequestOptions = {}): Promise<{ status: number; body: unknown; headers: IncomingHttpHeaders }> {
    const res = await this.request(path, { ...ro, json: true });
    return { status: res.status, headers: res.headers, body: res.json };
  }

  private async wait(ms: number): Promise<void> {
    // A wait that would outlast the deadline is not worth starting: the retry could not finish.
    if (ms >= this.remainingMs()) throw this.deadlineError();
    this.stats.retries++;
    this.stats.retryWaitMs += ms;
    await this.sleep(ms);
  }

  /** Exponential backoff with jitter: ~200 ms, 400 ms, 800 ms … capped at 10 s. */
  private backoff(attempt: number): number {
    const base = Math.min(10_000, 200 * 2 ** (attempt - 1));
    return Math.round(base / 2 + (this.random() * base) / 2);
  }

  private async once(path: string, ro: RequestOptions): Promise<KubeResponse> {
    let auth: Record<string, string>;
    try {
      auth = await this.opts.headers();
    } catch (err) {
      if (err instanceof KubernetesCollectionError) throw err;
      throw new KubeRequestError((err as Error).message, 'credentials');
    }
    const url = new URL(this.base + path);
    const payload = ro.body === undefined ? undefined : Buffer.from(JSON.stringify(ro.body));
    const headers: Record<string, string> = {
      ...auth,
      accept: ro.accept ?? 'application/json',
      'accept-encoding': 'gzip',
      'user-agent': this.opts.userAgent ?? 'eks-soc2',
    };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const raw = await new Promise<{ res: IncomingMessage; body: Buffer }>((resolve, reject) => {
      let settled = false;
      const fail = (e: KubeRequestError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(e);
      };
      const req = send(url, { method: ro.method ?? 'GET', headers, agent: this.opts.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => fail(new KubeRequestError('the connection was closed before the response was complete', 'network', 'ECONNRESET')));
        res.on('aborted', () => fail(new KubeRequestError('the connection was closed before the response was complete', 'network', 'ECONNRESET')));
        res.on('end', () => {
          if (!res.complete) return fail(new KubeRequestError('the connection was closed before the response was complete', 'network', 'ECONNRESET'));
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ res, body: Buffer.concat(chunks) });
        });
        res.on('close', () => {
          if (!res.complete) fail(new KubeRequestError('the connection was closed before the response was complete', 'network', 'ECONNRESET'));
        });
      });
      // The request's own timeout, shortened to what is left before the collection deadline.
      const left = this.remainingMs();
      const limit = Math.max(1, Math.min(this.opts.timeoutMs, left));
      const timer = setTimeout(() => {
        fail(limit < this.opts.timeoutMs
          ? this.deadlineError()
          : new KubeRequestError(`no response within ${Math.round(this.opts.timeoutMs / 1000)} s`, 'timeout', 'ETIMEDOUT'));
        req.destroy();
      }, limit);
      req.on('error', (err: NodeJS.ErrnoException) => {
        const code = err.code ?? '';
        if (TLS_CODES.test(code)) fail(new KubeRequestError(`TLS: ${err.message}`, 'tls', code));
        else fail(new KubeRequestError(err.message, code === 'ETIMEDOUT' ? 'timeout' : 'network', code || undefined));
      });
      if (payload) req.end(payload);
      else req.end();
    });
    let body = raw.body;
    this.stats.bytes += body.length;
    if (String(raw.res.headers['content-encoding'] ?? '').toLowerCase() === 'gzip') {
      try {
        body = await gunzipAsync(body);
      } catch {
        throw new KubeRequestError('the response was not valid gzip (truncated?)', 'network', 'EBADGZIP');
      }
    }
    return { status: raw.res.statusCode ?? 0, headers: raw.res.headers, body };
  }
}

/** Parse a JSON body; undefined when it is empty or not JSON (error responses from proxies). */
export function parseBody(res: KubeResponse): unknown {
  if (res.body.length === 0) return undefined;
  try {
    return JSON.parse(res.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Retry-After in milliseconds (seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s.trim() === '') return undefined;
  if (/^\d+$/.test(s.trim())) return Number(s.trim()) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

/** The `message` of a Kubernetes Status body, for error texts (never the body of an object). */
export function statusMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object' && (body as { kind?: unknown }).kind === 'Status') {
    const m = (body as { message?: unknown }).message;
    if (typeof m === 'string') return m.length > 300 ? `${m.slice(0, 300)}…` : m;
  }
  return undefined;
}
