import type { Command } from 'commander';
import type { PeriodExport } from '../../server/index.js';
import { EXIT, UserError } from '../errors.js';
import { addStoreUrlOption, readStoreTarget, withStore } from '../sources/store.js';
import { toolVersion } from '../version.js';

interface ServeOptions {
  store?: string;
  host: string;
  port: string;
  token?: string;
  printToken?: boolean;
  chromium?: string;
  quiet?: boolean;
  maxConnections?: string;
}

export const TOKEN_ENV = 'EKS_SOC2_TOKEN';

export function registerServe(program: Command): void {
  const cmd = program
    .command('serve')
    .description('open the evidence store in a browser: posture per section and criterion, controls and their history, runs, diffs, period reports; Prometheus /metrics')
    .option('--host <address>', 'address to listen on; any address but loopback requires a token', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8080')
    .option('--token <token>', `require "Authorization: Bearer TOKEN" for the API and /metrics (default: $${TOKEN_ENV}; prefer the variable, a command line is visible to other users)`)
    .option('--print-token', 'print the URL with the token in its #token= fragment (the browser keeps a fragment to itself: it never reaches the server or its logs)')
    .option('--chromium <path>', 'Chromium for PDF exports (default: CHROMIUM_PATH, then /usr/bin/chromium)')
    .option('--max-connections <n>', 'connections held open at once; beyond, the oldest idle one is closed (health probes always get in)', '1000')
    .option('-q, --quiet', 'do not log requests');
  addStoreUrlOption(cmd);
  cmd.addHelpText('after', `
The dashboard only reads the store. It never offers snapshots for download: pages show results
and findings. Stop it with Ctrl-C (SIGINT) or SIGTERM.

Examples:
  eks-soc2 serve                                   # http://127.0.0.1:8080/
  eks-soc2 serve --store postgres://eks_soc2@db.internal:5432/evidence --port 9090
  EKS_SOC2_TOKEN=$(openssl rand -hex 32) eks-soc2 serve --host 0.0.0.0 --print-token`)
    .action(async (opts: ServeOptions) => {
      process.exitCode = await runServe(opts);
    });
}

function parsePort(v: string): number {
  const t = v.trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || n > 65_535) throw new UserError(`--port "${v}" is not a port number (0–65535; 0 picks a free port)`);
  return n;
}

/** The CLI's period renderers as the dashboard's downloads (PDF through a local Chromium). */
export async function periodExports(chromium: string | undefined): Promise<Record<string, PeriodExport>> {
  const { PERIOD_FORMATS } = await import('../period-output.js');
  const out: Record<string, PeriodExport> = {};
  for (const [name, load] of Object.entries(PERIOD_FORMATS)) {
    const f = await load();
    out[name] = {
      ext: f.ext,
      description: f.description,
      render: (p, write, o) => f.render(p, { color: false, quiet: false, ...(chromium ? { chromium } : {}), ...(o?.signal ? { signal: o.signal } : {}) }, write),
    };
  }
  return out;
}

export async function runServe(opts: ServeOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const port = parsePort(opts.port);
  const maxConnections = Number(opts.maxConnections ?? '1000');
  if (!Number.isInteger(maxConnections) || maxConnections < 10 || maxConnections > 100_000) {
    throw new UserError(`--max-connections must be a whole number from 10 to 100000 (got "${opts.maxConnections}")`);
  }
  const host = opts.host.trim();
  if (!host) throw new UserError('--host is empty: give an address such as 127.0.0.1');
  const token = opts.token || env[TOKEN_ENV] || undefined;
  const server = await import('../../server/index.js');
  const problem = server.bindProblem(host, token);
  if (problem) throw new UserError(problem.message, EXIT.USAGE, problem.fix);

  const [{ computePeriod }, { score }, periodFormats] = await Promise.all([
    import('../../engine/period.js'), import('../../engine/evaluate.js'), periodExports(opts.chromium),
  ]);
  const target = await readStoreTarget(opts.store, env);
  const log = opts.quiet ? undefined : (line: string) => { process.stderr.write(`${new Date().toISOString()} ${line}\n`); };

  return withStore(target, 'read', async (store) => {
    let running: Awaited<ReturnType<typeof server.startDashboard>>;
    try {
      running = await server.startDashboard({
        store, computePeriod, score, periodFormats, toolVersion: toolVersion(), host, port, maxConnections,
        ...(token ? { token } : {}), ...(log ? { log } : {}),
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserError(`cannot listen on ${host}:${port}: the port is in use`, EXIT.USAGE, 'choose another with --port (0 picks a free one)');
      if (code === 'EACCES') throw new UserError(`cannot listen on ${host}:${port}: permission denied`, EXIT.USAGE, 'ports below 1024 need privileges: choose another with --port');
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UserError(`cannot listen on ${host}: no such address on this machine`, EXIT.USAGE, 'give an address of one of its interfaces, or 127.0.0.1');
      throw err;
    }
    const shown = opts.printToken && token ? `${running.url}#token=${encodeURIComponent(token)}` : running.url;
    process.stdout.write(`eks-soc2 dashboard: ${shown}\n`);
    process.stderr.write(`serving ${store.label} read-only${token ? '; the API and /metrics require the token' : ''} (Ctrl-C stops)\n`);
    if (token && !opts.printToken) process.stderr.write('open the URL and enter the token, or add --print-token to print a URL that carries it\n');

    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          process.stderr.write(`${signal} again: exiting now\n`);
          process.exit(130);
        }
        stopping = true;
        process.stderr.write(`${signal}: stopping (finishing requests in flight)\n`);
        running.close().catch(() => undefined).finally(() => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    process.stderr.write('stopped\n');
    return EXIT.OK;
  });
}
