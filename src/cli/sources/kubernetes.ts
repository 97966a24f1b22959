import type { Command } from 'commander';
import type { Snapshot } from '../../model/index.js';
import type { EksTokenAuthenticator, ProgressEvent } from '../../collectors/kubernetes/index.js';
import { emptySnapshot } from '../../model/index.js';
import { escapeTerminal } from '../../report/escape.js';
import { EXIT, UserError } from '../errors.js';
import { startPhase } from '../progress.js';

/** No kubeconfig, no KUBECONFIG, no ~/.kube/config and not in a cluster: nothing to connect to. */
export class NoKubernetesConfigError extends UserError {}

/** Flags of live Kubernetes collection (issue 4; docs/kubernetes.md). */
export interface KubernetesOptions {
  kubeconfig?: string;
  context?: string;
  qps?: string;
  burst?: string;
  concurrency?: string;
  timeout?: string;
  deadline?: string;
  pageSize?: string;
  secretsMetadata?: boolean;
  eksToken?: boolean;
  quiet?: boolean;
  /** Shared with the AWS options (--cluster, --region, --profile): used by --eks-token when the kubeconfig does not say. */
  cluster?: string;
  region?: string;
  profile?: string;
}

export function addKubernetesOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file(s), separated by ":" (default: $KUBECONFIG, then ~/.kube/config, then the in-cluster service account)')
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('--eks-token', 'sign EKS tokens in-process with the AWS credential chain instead of running `aws eks get-token` (automatic when that binary is missing)')
    .option('--qps <n>', 'client-side rate limit, requests per second to the API server (0: none)', '10')
    .option('--burst <n>', 'requests allowed in a burst above --qps', '20')
    .option('--concurrency <n>', 'resource kinds listed in parallel', '4')
    .option('--timeout <seconds>', 'timeout of each API request, and of the kubeconfig\'s credential plugin', '60')
    .option('--page-size <n>', 'objects per LIST page (limit)', '500')
    .option('--deadline <seconds>', 'longest the whole Kubernetes collection may take; what is not read by then is reported as not collected, and the run is still evaluated', '900')
    .option('--secrets-metadata', 'list Secret metadata (names, labels, annotations; never values) for controls that inventory Secrets; needs `list secrets` (docs/kubernetes.md)');
}

function num(value: string | undefined, flag: string, def: number, min: number, max: number): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new UserError(`${flag} must be a number from ${min} to ${max} (got "${value}")`, EXIT.USAGE);
  return n;
}

/** Progress on stderr, per resource kind with counts: only on a terminal, never with --quiet or in CI. */
export function progressReporter(quiet: boolean | undefined, stream: NodeJS.WriteStream = process.stderr): ((e: ProgressEvent) => void) | undefined {
  if (quiet || process.env.CI || !stream.isTTY) return undefined;
  const active = new Map<string, number>();
  const fmt = (n: number) => n.toLocaleString('en-US');
  const line = () => {
    const parts = [...active].slice(0, 4).map(([k, n]) => `${escapeTerminal(k, 60)} ${fmt(n)}`);
    stream.write(`\r\x1b[K${parts.length ? `  listing ${parts.join(' · ')}${active.size > 4 ? ` (+${active.size - 4})` : ''}` : ''}`);
  };
  return (e) => {
    if (e.type === 'start') active.set(e.key, 0);
    else if (e.type === 'page') active.set(e.key, e.count);
    else {
      active.delete(e.key);
      const mark = e.state === 'collected' ? '✓' : e.state === 'absent' ? '-' : '!';
      stream.write(`\r\x1b[K  ${mark} ${escapeTerminal(e.key, 80).padEnd(48)} ${e.state === 'absent' ? 'not served' : `${fmt(e.count).padStart(9)}${e.state !== 'collected' ? ` (${e.state})` : ''}`}\n`);
    }
    line();
  };
}

/**
 * Collect a snapshot of the Kubernetes evidence `keys` from a live cluster. `extra.eksAuthenticator`
 * signs EKS tokens with other credentials (fleet scans of assumed roles, src/cli/fleet.ts).
 */
export async function collectKubernetes(opts: KubernetesOptions, keys: ReadonlySet<string>, toolVersion: string,
  extra: { eksAuthenticator?: EksTokenAuthenticator } = {}): Promise<Snapshot> {
  const qps = num(opts.qps, '--qps', 10, 0, 10_000);
  const burst = num(opts.burst, '--burst', 20, 1, 10_000);
  const concurrency = Math.floor(num(opts.concurrency, '--concurrency', 4, 1, 64));
  const timeoutMs = num(opts.timeout, '--timeout', 60, 1, 3600) * 1000;
  const pageSize = Math.floor(num(opts.pageSize, '--page-size', 500, 1, 10_000));
  const deadlineMs = num(opts.deadline, '--deadline', 900, 1, 86_400) * 1000;
  const k8s = await import('../../collectors/kubernetes/index.js');
  const tty = progressReporter(opts.quiet);
  // Not a terminal (CI): a plain line every few seconds instead (src/cli/progress.ts).
  const kinds = { started: 0, done: 0, objects: 0, pages: 0 };
  const listed = new Map<string, number>();
  const phase = tty ? undefined : startPhase('reading Kubernetes objects', () => {
    let inFlight = 0;
    for (const n of listed.values()) inFlight += n;
    return `${(kinds.objects + inFlight).toLocaleString('en-US')} objects, ${kinds.pages.toLocaleString('en-US')} list requests, ${kinds.done} of ${kinds.started} kinds done`;
  }, { quiet: opts.quiet });
  const onProgress = tty ?? (opts.quiet ? undefined : (e: ProgressEvent) => {
    if (e.type === 'start') { kinds.started++; listed.set(e.key, 0); } else if (e.type === 'page') { kinds.pages++; listed.set(e.key, e.count); } else { kinds.done++; kinds.objects += e.count; listed.delete(e.key); }
  });
  let result;
  try {
    result = await k8s.collectLive({
      keys,
      qps, burst, concurrency, timeoutMs, pageSize, deadlineMs,
      ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
      ...(opts.context ? { context: opts.context } : {}),
      ...(opts.eksToken ? { eksToken: true } : {}),
      ...(opts.cluster ? { clusterName: opts.cluster } : {}),
      ...(opts.region ? { region: opts.region } : {}),
      ...(opts.profile ? { profile: opts.profile } : {}),
      ...(opts.secretsMetadata ? { secretsMetadata: true } : {}),
      ...(onProgress ? { onProgress } : {}),
      ...(extra.eksAuthenticator ? { eksAuthenticator: extra.eksAuthenticator } : {}),
    });
  } catch (err) {
    phase?.end('stopped');
    if (tty) process.stderr.write('\r\x1b[K');
    if (err instanceof k8s.KubernetesCollectionError) {
      if (err.reason === 'no-config') throw new NoKubernetesConfigError(err.message, EXIT.USAGE, err.fix);
      throw new UserError(err.message, err.exit === 'usage' ? EXIT.USAGE : EXIT.EVIDENCE, err.fix);
    }
    throw err;
  }
  phase?.end(`${result.kubernetes.objects.length.toLocaleString('en-US')} objects, ${result.stats.requests} requests${result.gaps.length ? `, ${result.gaps.length} gap(s)` : ''}`);
  if (tty) {
    process.stderr.write(`\r\x1b[K  ${result.kubernetes.objects.length.toLocaleString('en-US')} objects from ${escapeTerminal(result.cluster.context ?? '', 120)} in ${(result.stats.ms / 1000).toFixed(1)} s (${result.stats.requests} requests${result.gaps.length ? `, ${result.gaps.length} gap(s)` : ''})\n`);
  }
  const snap = emptySnapshot(toolVersion);
  snap.cluster = result.cluster;
  snap.collector.identity = result.identity ?? 'unknown';
  snap.collector.inputs = result.inputs;
  snap.kubernetes = result.kubernetes;
  snap.gaps.push(...result.gaps);
  return snap;
}
