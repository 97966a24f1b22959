import type { FastifyInstance } from 'fastify';
import { buildDashboard } from './app.js';
import { isLoopback, tokenWeakness } from './security.js';
import type { DashboardOptions } from './types.js';

export { DASHBOARD_TIMEOUTS, DEFAULT_MAX_CONNECTIONS, PUBLIC_ROUTES, buildDashboard, capConnections, dashboardRoutes, defaultWebRoot, fileNamePart } from './app.js';
export type { DashboardRoute } from './app.js';
export { CSP, MIN_TOKEN_DISTINCT, MIN_TOKEN_LENGTH, SECURITY_HEADERS, isLoopback, tokenChecker, tokenWeakness } from './security.js';
export type { ComputePeriod, DashboardOptions, DashboardTimeouts, PeriodComputeOptions, PeriodExport, PeriodInput, ScoreCounts } from './types.js';

/** Default port of `eks-soc2 serve` (documented in docs/dashboard.md). */
export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

/** The dashboard refuses to start as configured (a non-loopback address without a token, a short token). */
export class DashboardConfigError extends Error {
  readonly fix: string;
  constructor(message: string, fix: string) {
    super(message);
    this.name = 'DashboardConfigError';
    this.fix = fix;
  }
}

/** Why the dashboard may not listen as asked, or undefined when it may. */
export function bindProblem(host: string, token: string | undefined): DashboardConfigError | undefined {
  const weak = token !== undefined ? tokenWeakness(token) : undefined;
  if (weak) return new DashboardConfigError(`the token ${weak}`, 'generate one, e.g. EKS_SOC2_TOKEN=$(openssl rand -hex 32)');
  if (!isLoopback(host) && !token) {
    return new DashboardConfigError(`refusing to listen on ${host} without a token: anyone who can reach that address could read the evidence store`,
      'pass --token TOKEN (or set EKS_SOC2_TOKEN), or keep the default --host 127.0.0.1 and reach it through an SSH tunnel or kubectl port-forward');
  }
  return undefined;
}

export interface RunningDashboard {
  app: FastifyInstance;
  /** Base URL, e.g. http://127.0.0.1:8080/ (never with the token). */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Build the dashboard and listen; `port` 0 picks a free port. */
export async function startDashboard(opts: DashboardOptions & { host: string; port: number }): Promise<RunningDashboard> {
  const problem = bindProblem(opts.host, opts.token);
  if (problem) throw problem;
  const app = await buildDashboard(opts);
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const shownHost = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;
  return { app, url: `http://${shownHost}:${port}/`, host: opts.host, port, close: () => app.close() };
}
