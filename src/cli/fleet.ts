/**
 * Fleet scans: `eks-soc2 scan --contexts a,b,c | --all-contexts | --accounts … --assume-role …`.
 *
 * Every cluster is scanned like a single `scan` (Kubernetes, then AWS, evaluate, store, outputs,
 * alert), at most `--parallel N` at a time. Each run is stored under its own cluster identity
 * (account, region, cluster ARN; else the kubeconfig context), so `history`, `report` and the
 * dashboard show one cluster or the fleet. A cluster that fails never stops the others: it is
 * reported with its reason in the per-cluster table on stderr, and the exit code is the worst of
 * all clusters by the one precedence of every scan (exit-codes.ts: 2 > 3 > 1 > 0). See
 * docs/continuous.md "Fleet scans".
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Attestation, AttestationIssue, FirstSeenLookup, RunResult, Severity, Snapshot, Status, Waiver, WaiverIssue } from '../model/index.js';
import { SEVERITIES, defaultConfig } from '../model/index.js';
import type { CredentialProvider } from '../collectors/aws/credentials.js';
import type { EksTokenAuthenticator } from '../collectors/kubernetes/index.js';
import { escapeTerminal as esc } from '../report/escape.js';
import { EXIT, UserError } from './errors.js';
import { parseFormats, writeOutputs } from './output.js';
import { toolVersion } from './version.js';
import { collectKubernetes } from './sources/kubernetes.js';
import { collectAws } from './sources/aws.js';
import { loadFirstSeen, persistRun, scanStoreTarget } from './sources/store.js';
import { exitCodeFor, worstExit } from './exit-codes.js';
import { configPath } from './config-file.js';
import { resolveFilters } from './filters.js';
import { startPhase } from './progress.js';
import type { ScanOptions } from './commands/scan.js';
import { notifyAfterStore, notifyTarget } from './notify.js';
import type { NotifyOptions } from './notify.js';

export interface FleetOptions {
  contexts?: string[];
  allContexts?: boolean;
  accounts?: string[];
  assumeRole?: string;
  externalId?: string;
  regions?: string[];
  parallel?: string;
}

export const FLEET_SCHEMA = 'eks-soc2/fleet@1' as const;

const splitList = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

export function addFleetOptions(cmd: Command): Command {
  return cmd
    .option('--contexts <names>', 'fleet: scan these kubeconfig contexts, one cluster each (comma-separated or repeated)', splitList)
    .option('--all-contexts', 'fleet: scan every context of the kubeconfig')
    .option('--accounts <ids>', 'fleet: scan every EKS cluster of these AWS accounts (eks:ListClusters in each of --regions), through --assume-role', splitList)
    .option('--assume-role <role>', 'fleet: role to assume in each account: a role name, or a role ARN with {account} where the account id goes')
    .option('--external-id <id>', 'fleet: sts:ExternalId to present when assuming --assume-role')
    .option('--regions <list>', 'fleet: regions to list clusters in with --accounts (default: --region, else AWS_REGION)', splitList)
    .option('--parallel <n>', 'fleet: clusters scanned at the same time', '2');
}

/**
 * True when the scan names a fleet (several clusters) rather than one cluster — or uses a flag
 * only a fleet scan takes, so that runFleet refuses it instead of a single scan ignoring it.
 */
export function isFleetScan(opts: FleetOptions): boolean {
  return Boolean(opts.contexts?.length || opts.allContexts || opts.accounts?.length || opts.assumeRole || opts.externalId || opts.regions?.length);
}

/** One cluster of the fleet. */
export interface FleetTarget {
  /** What tables show: the context, or account/region/name. */
  label: string;
  /** Output subdirectory (unique within the fleet). */
  slug: string;
  context?: string;
  /** Temporary kubeconfig written for a discovered cluster. */
  kubeconfig?: string;
  account?: string;
  region?: string;
  name?: string;
  arn?: string;
  credentials?: CredentialProvider;
  eksAuthenticator?: EksTokenAuthenticator;
  /** Set when the cluster could not even be discovered or prepared. */
  problem?: string;
}

export type FleetResultKind = 'ok' | 'failing' | 'incomplete' | 'not-stored' | 'error';

export interface FleetClusterResult {
  label: string;
  slug: string;
  clusterKey?: string;
  cluster?: RunResult['cluster'];
  result: FleetResultKind;
  exitCode: number;
  /** Why the cluster is not `ok`, in one line. */
  reason?: string;
  runId?: string;
  score?: number;
  controls?: RunResult['summary']['controls'];
  gaps?: number;
  outputs?: string[];
  alert?: { sent: boolean; regressions: number; error?: string };
  /** Status of each control (for the fleet's per-control roll-up). */
  statuses?: Record<string, Status>;
}

export interface FleetSummary {
  schema: typeof FLEET_SCHEMA;
  tool: { name: 'eks-soc2'; version: string };
  at: string;
  exitCode: number;
  clusters: FleetClusterResult[];
  /** Per control: in how many clusters it had each status. */
  controls: Record<string, Partial<Record<Status, number>>>;
}

/** Things a test replaces: role assumption, where temporary kubeconfigs go, the output streams. */
export interface FleetDeps {
  assumeRole?(roleArn: string, o: { externalId?: string; region: string; profile?: string }): CredentialProvider;
  tmpDir?: string;
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
}

const ACCOUNT = /^\d{12}$/;

/** The role ARN to assume in `account`: `{account}` substituted in an ARN, or a role name (path allowed) made into an ARN. */
export function roleArnFor(role: string, account: string, partition = 'aws'): string {
  if (role.startsWith('arn:')) return role.replace(/\{account\}/g, account);
  const name = role.replace(/^role\//, '');
  return `arn:${partition}:iam::${account}:role/${name}`;
}

/** A directory name for a cluster's outputs: letters, digits, `.`, `_`, `-`. */
export function slugOf(label: string, taken: Set<string>): string {
  let base = label.replace(/^arn:aws[\w-]*:eks:/, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 120) || 'cluster';
  if (base === '..' || base === '.') base = 'cluster';
  let slug = base;
  for (let i = 2; taken.has(slug); i++) slug = `${base}-${i}`;
  taken.add(slug);
  return slug;
}

function defaultAssumeRole(roleArn: string, o: { externalId?: string; region: string; profile?: string }): CredentialProvider {
  // Loaded lazily: the credential providers package is only needed for --accounts.
  let provider: CredentialProvider | undefined;
  return async () => {
    if (!provider) {
      const { fromNodeProviderChain, fromTemporaryCredentials } = await import('@aws-sdk/credential-providers');
      provider = fromTemporaryCredentials({
        params: { RoleArn: roleArn, RoleSessionName: 'eks-soc2-fleet', DurationSeconds: 3600, ...(o.externalId ? { ExternalId: o.externalId } : {}) },
        masterCredentials: fromNodeProviderChain(o.profile ? { profile: o.profile } : {}),
        clientConfig: { region: o.region },
      }) as CredentialProvider;
    }
    return provider();
  };
}

function contextsOfKubeconfig(docs: unknown[]): string[] {
  const names: string[] = [];
  for (const d of docs) {
    const list = (d as { contexts?: { name?: unknown }[] } | null)?.contexts;
    for (const c of Array.isArray(list) ? list : []) if (typeof c?.name === 'string' && !names.includes(c.name)) names.push(c.name);
  }
  return names;
}

async function kubeconfigContexts(kubeconfig: string | undefined): Promise<string[]> {
  const { kubeconfigFiles } = await import('../collectors/aws/kubeconfig.js');
  const { readFile } = await import('node:fs/promises');
  const { parse } = await import('yaml');
  const docs: unknown[] = [];
  const files = kubeconfigFiles(kubeconfig);
  for (const f of files) {
    try {
      docs.push(parse(await readFile(f, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !kubeconfig) continue;
      throw new UserError(`--all-contexts: cannot read kubeconfig ${f} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, EXIT.USAGE);
    }
  }
  const names = contextsOfKubeconfig(docs);
  if (!names.length) throw new UserError(`--all-contexts: the kubeconfig (${files.join(', ')}) has no contexts`, EXIT.USAGE, 'pass --kubeconfig FILE, or add clusters with `aws eks update-kubeconfig --name CLUSTER`');
  return names;
}

const errText = (err: unknown) => (err instanceof Error ? `${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}` : String(err)).split('\n')[0]!.slice(0, 300);

/**
 * The EKS client of cluster discovery, with the same read-only guard as every client of the AWS
 * collector: only eks:ListClusters and eks:DescribeCluster can leave the process.
 */
export async function discoveryClient(region: string, credentials: CredentialProvider) {
  const { EKSClient } = await import('@aws-sdk/client-eks');
  const { readOnlyMiddleware, READ_ONLY_MIDDLEWARE_OPTIONS } = await import('../collectors/aws/readonly.js');
  const eks = new EKSClient({ region, credentials, maxAttempts: 5, retryMode: 'adaptive' });
  (eks.middlewareStack as unknown as { add(m: unknown, o: unknown): void })
    .add(readOnlyMiddleware('eks', new Set(['eks:ListClusters', 'eks:DescribeCluster'])), { ...READ_ONLY_MIDDLEWARE_OPTIONS });
  return eks;
}

/** Discover the EKS clusters of the accounts and regions, each with its assumed-role credentials and a kubeconfig. */
async function discoverAccounts(opts: ScanOptions & FleetOptions, deps: FleetDeps, tmp: string, taken: Set<string>): Promise<FleetTarget[]> {
  if (!opts.assumeRole) throw new UserError('--accounts needs --assume-role: the role eks-soc2 assumes in each account', EXIT.USAGE, 'e.g. --assume-role eks-soc2-audit (a role name) or --assume-role arn:aws:iam::{account}:role/eks-soc2-audit');
  const accounts = [...new Set(opts.accounts ?? [])];
  for (const a of accounts) if (!ACCOUNT.test(a)) throw new UserError(`--accounts: "${a}" is not a 12-digit AWS account id`, EXIT.USAGE);
  if (opts.assumeRole.startsWith('arn:') && accounts.length > 1 && !opts.assumeRole.includes('{account}')) {
    throw new UserError('--assume-role names one role ARN for several accounts', EXIT.USAGE, 'write {account} where the account id goes (arn:aws:iam::{account}:role/NAME), or pass the role name only');
  }
  const regions = [...new Set(opts.regions?.length ? opts.regions : [opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION].filter((r): r is string => Boolean(r)))];
  if (!regions.length) throw new UserError('--accounts needs the regions to list clusters in', EXIT.USAGE, 'pass --regions eu-west-1,us-east-1 (or --region, or set AWS_REGION)');
  const { ListClustersCommand, DescribeClusterCommand } = await import('@aws-sdk/client-eks');
  const { EksTokenAuthenticator } = await import('../collectors/kubernetes/index.js');
  const assume = deps.assumeRole ?? defaultAssumeRole;
  const targets: FleetTarget[] = [];
  for (const account of accounts) {
    const partition = regions[0]!.startsWith('cn-') ? 'aws-cn' : regions[0]!.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    const roleArn = roleArnFor(opts.assumeRole, account, partition);
    for (const region of regions) {
      const credentials = assume(roleArn, { region, ...(opts.externalId ? { externalId: opts.externalId } : {}), ...(opts.profile ? { profile: opts.profile } : {}) });
      const eks = await discoveryClient(region, credentials);
      let names: string[] = [];
      try {
        let token: string | undefined;
        do {
          const page = await eks.send(new ListClustersCommand({ ...(token ? { nextToken: token } : {}) }));
          names.push(...(page.clusters ?? []));
          token = page.nextToken;
        } while (token);
        names = [...new Set(names)].sort();
      } catch (err) {
        targets.push({ label: `${account}/${region}`, slug: slugOf(`${account}-${region}`, taken), account, region, problem: `cannot list the EKS clusters as ${roleArn}: ${errText(err)}` });
        eks.destroy();
        continue;
      }
      for (const name of names) {
        const label = `${account}/${region}/${name}`;
        const t: FleetTarget = { label, slug: slugOf(`${account}-${region}-${name}`, taken), account, region, name, credentials };
        try {
          const d = await eks.send(new DescribeClusterCommand({ name }));
          const c = d.cluster;
          if (!c?.endpoint || !c.certificateAuthority?.data) throw new Error(`the cluster has no endpoint yet (status ${c?.status ?? 'unknown'})`);
          t.arn = c.arn ?? `arn:${partition}:eks:${region}:${account}:cluster/${name}`;
          const file = join(tmp, `${t.slug}.kubeconfig`);
          const cfg = {
            apiVersion: 'v1', kind: 'Config', 'current-context': t.arn,
            clusters: [{ name: t.arn, cluster: { server: c.endpoint, 'certificate-authority-data': c.certificateAuthority.data } }],
            users: [{ name: 'eks-soc2', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: ['--region', region, 'eks', 'get-token', '--cluster-name', name, '--output', 'json'] } } }],
            contexts: [{ name: t.arn, context: { cluster: t.arn, user: 'eks-soc2' } }],
          };
          await writeFile(file, JSON.stringify(cfg), { mode: 0o600 });
          t.kubeconfig = file;
          t.context = t.arn;
          // EKS tokens signed in-process with the assumed role's credentials.
          t.eksAuthenticator = new EksTokenAuthenticator(async () => credentials);
        } catch (err) {
          t.problem = `cannot describe the cluster: ${errText(err)}`;
        }
        targets.push(t);
      }
      eks.destroy();
    }
  }
  return targets;
}

/** Everything a cluster's scan shares with the others: selection, policies, formats. */
interface Prepared {
  formats: string[];
  failOn: Severity | 'never';
  failOnWarn: boolean;
  now: Date;
  keys: ReadonlySet<string>;
  evaluate(snapshot: Snapshot, firstSeen?: FirstSeenLookup): RunResult;
}

async function prepare(opts: ScanOptions): Promise<Prepared> {
  const formats = parseFormats(opts.format);
  const failOn = opts.failOn.toLowerCase();
  if (failOn !== 'never' && !(SEVERITIES as readonly string[]).includes(failOn)) {
    throw new UserError(`--fail-on must be one of ${SEVERITIES.join(', ')}, never (got "${opts.failOn}")`);
  }
  const now = opts.now ? new Date(opts.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new UserError(`--now "${opts.now}" is not a date or time`);
  const { catalog, CATALOG_VERSION, evidenceKeys } = await import('../catalog/index.js');
  const known = new Set(catalog.map((c) => c.id));
  for (const id of opts.control ?? []) if (!known.has(id.toUpperCase())) throw new UserError(`unknown control "${id}"; \`eks-soc2 controls\` lists them`);
  const sections = new Set(catalog.map((c) => c.section as string));
  for (const s of opts.section ?? []) if (!sections.has(s.toUpperCase())) throw new UserError(`unknown section "${s}"; sections are ${[...sections].join(', ')}`);
  const configFile = configPath(opts);
  const inputs = configFile || opts.waivers || opts.attestations ? await import('./inputs.js') : undefined;
  const config = inputs ? await inputs.loadConfig(configFile) : defaultConfig();
  const w: { waivers: Waiver[]; issues: WaiverIssue[] } = inputs && opts.waivers ? await inputs.loadWaivers(opts.waivers) : { waivers: [], issues: [] };
  const a: { attestations: Attestation[]; issues: AttestationIssue[] } = inputs && opts.attestations ? await inputs.loadAttestations(opts.attestations) : { attestations: [], issues: [] };
  const engine = await import('../engine/index.js');
  const { fillRemediation } = await import('../fix/remediation.js');
  const selection = { ...(opts.control ? { controls: opts.control } : {}), ...(opts.section ? { sections: opts.section } : {}) };
  const filters = resolveFilters(opts, config, catalog);
  const keys = evidenceKeys(engine.selectControls(catalog, selection).filter((c) => !engine.controlSkipped(filters, c.id)));
  return {
    formats, failOn: failOn as Severity | 'never', failOnWarn: opts.failOnWarn ?? config.failOnWarn ?? false, now, keys,
    evaluate: (snapshot, firstSeen) => {
      const index = new engine.SnapshotIndex(snapshot);
      return fillRemediation(engine.evaluate(snapshot, catalog, {
        config, toolVersion: toolVersion(), catalogVersion: CATALOG_VERSION, now, index, ...(firstSeen ? { firstSeen } : {}),
        waivers: w.waivers, attestations: a.attestations, waiverIssues: w.issues, attestationIssues: a.issues,
        ...(opts.control?.length ? { controls: opts.control } : {}),
        ...(opts.section?.length ? { sections: opts.section } : {}),
        ...(filters ? { filters } : {}),
      }), snapshot, config, index);
    },
  };
}

/** The first evidence gaps of a run, as the reason a cluster is incomplete. */
function gapReason(run: RunResult): string {
  const gaps = run.gaps.filter((g) => g.source !== 'files');
  const first = gaps[0];
  if (!first) return 'controls could not be evaluated';
  return `${gaps.length} evidence gap${gaps.length === 1 ? '' : 's'}, e.g. ${first.message}${first.permission ? ` [needs: ${first.permission}]` : ''}`.slice(0, 400);
}

async function scanOne(t: FleetTarget, opts: ScanOptions & FleetOptions & NotifyOptions, p: Prepared, deps: FleetDeps): Promise<FleetClusterResult> {
  const base: FleetClusterResult = { label: t.label, slug: t.slug, result: 'error', exitCode: EXIT.EVIDENCE };
  if (t.problem) return { ...base, reason: t.problem };
  // Per-cluster copies of the flags: this cluster's context, kubeconfig, name and region; no progress bars in parallel.
  const copts: ScanOptions = {
    ...opts, quiet: true,
    ...(t.context ? { context: t.context } : {}),
    ...(t.kubeconfig ? { kubeconfig: t.kubeconfig, eksToken: true } : {}),
    ...(t.name ? { cluster: t.name } : {}),
    ...(t.region ? { region: t.region } : {}),
  };
  let run: RunResult;
  let snapshot: Snapshot;
  try {
    snapshot = await collectKubernetes(copts, p.keys, toolVersion(), t.eksAuthenticator ? { eksAuthenticator: t.eksAuthenticator } : {});
    snapshot = await collectAws(copts, snapshot, p.keys, { liveKubernetes: true, ...(t.credentials ? { credentials: t.credentials } : {}) });
    if (t.account) {
      // The discovered identity is authoritative for the store key, even when AWS evidence was not read.
      snapshot.cluster = { ...snapshot.cluster, name: t.name!, region: t.region!, accountId: t.account, ...(t.arn ? { arn: t.arn } : {}) };
    }
    // The store's first sight of each vulnerability of this cluster ages CC3-RA-03 (as in a single scan).
    run = p.evaluate(snapshot, await loadFirstSeen({ ...opts, quiet: true }, snapshot, p.now));
  } catch (err) {
    if (err instanceof UserError) return { ...base, exitCode: err.exitCode, reason: `${err.message}${err.fix ? ` (fix: ${err.fix})` : ''}`.slice(0, 600) };
    return { ...base, exitCode: EXIT.USAGE, reason: `unexpected error: ${errText(err)}` };
  }

  const persisted = await persistRun({ ...opts, quiet: true }, snapshot, run, { label: t.label });
  if (persisted.runId) run.runId = persisted.runId;
  const { clusterKey } = await import('../store/index.js');
  const out: FleetClusterResult = {
    ...base,
    clusterKey: clusterKey({ ...snapshot.cluster, ...run.cluster }),
    cluster: run.cluster,
    score: run.summary.score,
    controls: run.summary.controls,
    gaps: run.gaps.length,
    statuses: Object.fromEntries(run.controls.map((c) => [c.id, c.status])),
    ...(persisted.runId ? { runId: persisted.runId } : {}),
  };
  if (opts.output) {
    try {
      out.outputs = await writeOutputs(run, p.formats, join(opts.output, t.slug), {
        color: false, quiet: Boolean(opts.quiet), ...(opts.details ? { details: true } : {}),
        ...(opts.chromium ? { chromium: opts.chromium } : {}), ...(opts.junitPerFinding ? { junitPerFinding: true } : {}),
        ...(opts.expandPassing ? { expandPassing: true } : {}),
      });
    } catch (err) {
      return { ...out, result: 'error', exitCode: EXIT.USAGE, reason: `the outputs were not written: ${err instanceof UserError ? err.message : errText(err)}` };
    }
  }
  if (persisted.failure) return { ...out, result: 'not-stored', exitCode: persisted.failure.exitCode, reason: persisted.failure.message };
  const nt = notifyTarget(opts);
  if (nt && persisted.runId) {
    const n = await notifyAfterStore(nt, opts.store, run, { quiet: Boolean(opts.quiet), label: t.label, stderr: deps.stderr ?? ((s) => { process.stderr.write(s); }) });
    out.alert = { sent: n.sent, regressions: n.regressions, ...(n.error ? { error: n.error } : {}) };
    if (n.failure) return { ...out, result: 'error', exitCode: n.failure.exitCode, reason: n.failure.message };
  }
  const code = exitCodeFor(run, { failOn: p.failOn, failOnWarn: Boolean(p.failOnWarn) });
  if (code === EXIT.OK) return { ...out, result: 'ok', exitCode: code };
  if (code === EXIT.FAILURES && !run.controls.some((c) => c.status === 'fail')) {
    const warned = run.controls.filter((c) => c.counts.warn > 0).map((c) => c.id);
    return { ...out, result: 'failing', exitCode: code, reason: `warnings (--fail-on-warn) in ${warned.length} control${warned.length === 1 ? '' : 's'}: ${warned.slice(0, 6).join(', ')}${warned.length > 6 ? ', …' : ''}` };
  }
  if (code === EXIT.FAILURES) {
    const failing = run.controls.filter((c) => c.status === 'fail').map((c) => c.id);
    return { ...out, result: 'failing', exitCode: code, reason: `${failing.length} failing control${failing.length === 1 ? '' : 's'}: ${failing.slice(0, 6).join(', ')}${failing.length > 6 ? ', …' : ''}` };
  }
  return { ...out, result: 'incomplete', exitCode: code, reason: gapReason(run) };
}

/** Run `fn` over `items` with at most `limit` in flight; results in input order. */
async function pool<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, Math.max(1, items.length)) }, worker));
  return out;
}

const pad = (s: string, n: number) => (s.length >= n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));

/** The per-cluster table (stderr): result, exit code, score, counts, and why a cluster is not ok. */
export function renderClusterTable(results: FleetClusterResult[]): string {
  const lines = [`${pad('cluster', 44)} ${pad('result', 11)} exit  score  fail error  run`];
  for (const r of results) {
    const c = r.controls;
    lines.push(`${pad(esc(r.label, 200), 44)} ${pad(r.result, 11)} ${String(r.exitCode).padEnd(5)} ${(r.score === undefined ? '—' : `${r.score}%`).padStart(5)}  ${String(c?.fail ?? '—').padStart(4)} ${String(c?.error ?? '—').padStart(5)}  ${r.runId ?? (r.result === 'error' ? '—' : 'not stored')}`);
    if (r.reason) lines.push(`  ${esc(r.label, 120)}: ${esc(r.reason, 600)}`);
    if (r.alert?.error) lines.push(`  ${esc(r.label, 120)}: alert not sent: ${esc(r.alert.error, 300)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The combined summary (stdout): totals, then the controls failing in the most clusters. */
export function renderFleetSummary(s: FleetSummary): string {
  const by = (k: FleetResultKind) => s.clusters.filter((c) => c.result === k).length;
  const lines = [
    `eks-soc2 fleet scan: ${s.clusters.length} cluster${s.clusters.length === 1 ? '' : 's'} — ${by('ok')} ok, ${by('failing')} with failing controls, ${by('incomplete')} incomplete, ${by('not-stored')} not stored, ${by('error')} not scanned; exit code ${s.exitCode}`,
  ];
  for (const c of s.clusters) {
    const counts = c.controls ? `score ${c.score}%  pass ${c.controls.pass}  fail ${c.controls.fail}  error ${c.controls.error}  manual ${c.controls.manual}` : esc(c.reason ?? '', 200);
    lines.push(`  ${pad(esc(c.clusterKey ?? c.label, 200), 52)} ${pad(c.result, 11)} ${counts}`);
  }
  const failing = Object.entries(s.controls).filter(([, v]) => (v.fail ?? 0) > 0).sort((a, b) => (b[1].fail ?? 0) - (a[1].fail ?? 0) || a[0].localeCompare(b[0]));
  if (failing.length) {
    lines.push('', 'controls failing across the fleet:');
    for (const [id, v] of failing.slice(0, 25)) lines.push(`  ${pad(id, 13)} fails in ${v.fail} of ${s.clusters.length} cluster${s.clusters.length === 1 ? '' : 's'}${v.error ? ` (error in ${v.error})` : ''}`);
    if (failing.length > 25) lines.push(`  … and ${failing.length - 25} more`);
  }
  return `${lines.join('\n')}\n`;
}

/** Scan every cluster of the fleet; the exit code is the worst of all clusters. */
export async function runFleet(opts: ScanOptions & FleetOptions & NotifyOptions, deps: FleetDeps = {}): Promise<number> {
  const stdout = deps.stdout ?? ((s: string) => { process.stdout.write(s); });
  const stderr = deps.stderr ?? ((s: string) => { process.stderr.write(s); });
  if (opts.demo || opts.file?.length || opts.run) throw new UserError('fleet scans (--contexts, --all-contexts, --accounts) read live clusters: drop --demo, -f and --run', EXIT.USAGE);
  if (!opts.contexts?.length && !opts.allContexts && !opts.accounts?.length) throw new UserError('--assume-role, --external-id and --regions go with --accounts', EXIT.USAGE, 'e.g. --accounts 111122223333,444455556666 --assume-role eks-soc2-audit --regions eu-west-1');
  if ((opts.contexts?.length || opts.allContexts) && opts.accounts?.length) throw new UserError('choose one way to name the fleet: kubeconfig contexts (--contexts/--all-contexts) or AWS accounts (--accounts)', EXIT.USAGE);
  if (opts.context) throw new UserError('--context names one cluster: use --contexts for several', EXIT.USAGE);
  if (opts.cluster) throw new UserError('--cluster names one cluster: a fleet scan finds each cluster\'s name itself', EXIT.USAGE);
  if (!opts.accounts?.length && (opts.assumeRole || opts.externalId || opts.regions?.length)) throw new UserError('--assume-role, --external-id and --regions go with --accounts', EXIT.USAGE);
  const parallel = Number(opts.parallel ?? '2');
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 32) throw new UserError(`--parallel must be a whole number from 1 to 32 (got "${opts.parallel}")`, EXIT.USAGE);
  const p = await prepare(opts);
  if (!opts.output && p.formats.some((f) => f !== 'terminal' && f !== 'json')) {
    throw new UserError(`a fleet scan writes --format ${p.formats.join(',')} per cluster: add -o DIR (one subdirectory per cluster)`, EXIT.USAGE);
  }
  // Fail fast on settings every cluster shares (the store URL, the webhook), before any cluster is read.
  const storeTarget = await scanStoreTarget(opts);
  if (notifyTarget(opts) && !storeTarget) throw new UserError('--notify compares each run with the cluster\'s previous stored run: add --store (or set EKS_SOC2_STORE)', EXIT.USAGE);

  const tmp = await mkdtemp(join(deps.tmpDir ?? tmpdir(), 'eks-soc2-fleet-'));
  try {
    const taken = new Set<string>();
    let targets: FleetTarget[];
    if (opts.accounts?.length) {
      targets = await discoverAccounts(opts, deps, tmp, taken);
    } else {
      const names = opts.allContexts ? await kubeconfigContexts(opts.kubeconfig) : [...new Set(opts.contexts ?? [])];
      targets = names.map((n) => ({ label: n, slug: slugOf(n, taken), context: n }));
    }
    if (!targets.length) throw new UserError('the fleet is empty: no EKS cluster was found in the accounts and regions given', EXIT.EVIDENCE, 'check --accounts and --regions, and that the role may call eks:ListClusters');
    if (!opts.quiet) stderr(`scanning ${targets.length} cluster${targets.length === 1 ? '' : 's'}, ${Math.min(parallel, targets.length)} at a time\n`);
    // In CI (stderr not a terminal), a plain line every few seconds: clusters done so far (src/cli/progress.ts).
    let finished = 0;
    const phase = startPhase('scanning clusters', () => `${finished} of ${targets.length} clusters done`, { quiet: opts.quiet });
    const results = await pool(targets, parallel, async (t) => {
      try {
        return await scanOne(t, opts, p, deps);
      } catch (err) {
        // Nothing in one cluster may stop the others.
        return { label: t.label, slug: t.slug, result: 'error' as const, exitCode: EXIT.USAGE, reason: `unexpected error: ${errText(err)}` };
      } finally {
        finished++;
      }
    });
    phase.end();
    const controls: FleetSummary['controls'] = {};
    for (const r of results) for (const [id, st] of Object.entries(r.statuses ?? {})) { const c = (controls[id] ??= {}); c[st] = (c[st] ?? 0) + 1; }
    const worst = worstExit(results.map((r) => r.exitCode));
    const summary: FleetSummary = {
      schema: FLEET_SCHEMA, tool: { name: 'eks-soc2', version: toolVersion() }, at: p.now.toISOString(), exitCode: worst,
      clusters: results.map(({ statuses: _s, ...r }) => r), controls,
    };
    stderr(renderClusterTable(results));
    if (opts.output) {
      const { makeDirectory } = await import('../store/dirs.js');
      try {
        makeDirectory(opts.output);
      } catch (err) {
        throw new UserError(`cannot create the output directory ${opts.output}: ${(err as Error).message}`, EXIT.USAGE, 'choose a writable directory with -o');
      }
      const file = join(opts.output, 'eks-soc2-fleet.json');
      await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
      if (!opts.quiet) stderr(`wrote ${file}\n`);
    }
    if (!opts.output && p.formats.length === 1 && p.formats[0] === 'json') stdout(`${JSON.stringify(summary, null, 2)}\n`);
    else stdout(renderFleetSummary(summary));
    return worst;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
