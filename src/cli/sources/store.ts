import type { Command } from 'commander';
import type { Attestation, FirstSeenLookup, RunResult, Snapshot } from '../../model/index.js';
import type { ClusterInfo, EvidenceStore, StoreTarget } from '../../store/index.js';
import { EXIT, UserError } from '../errors.js';
import { toolVersion } from '../version.js';

/** Flags of the evidence store (owned by the evidence-store work, issue 5). */
export interface StoreOptions {
  /** `--store [url]`: true = the default SQLite file; false = `--no-store`. */
  store?: string | boolean;
  /** `--run ID`: re-evaluate the snapshot of a stored run. */
  run?: string;
  // Read from the scan's own flags:
  now?: string;
  quiet?: boolean;
  demo?: boolean;
  file?: string[];
}

export const STORE_ENV = 'EKS_SOC2_STORE';

export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option('--store [url]', `append the run to the evidence store: sqlite:PATH, postgres://USER:PASSWORD@HOST:5432/DB, or no value for the default file (also enabled by ${STORE_ENV})`)
    .option('--no-store', `do not store the run, even when ${STORE_ENV} is set`)
    .option('--run <id>', 're-perform a stored run: evaluate the snapshot it stored (read from --store URL, else $EKS_SOC2_STORE, else the default store); not stored again');
}

/** `--store <url>` of the commands that read the store (history, diff, verify, report, prune). */
export function addStoreUrlOption(cmd: Command): Command {
  return cmd.option('--store <url>', `evidence store: sqlite:PATH or postgres://USER:PASSWORD@HOST:5432/DB (default: $${STORE_ENV}, else the default SQLite file)`);
}

async function storeModule() {
  return import('../../store/index.js');
}

/** An error from the store as the one clear message the CLI prints (exit 2: cannot use the store). */
export async function asUserError(err: unknown, prefix = ''): Promise<UserError> {
  if (err instanceof UserError) return prefix ? new UserError(`${prefix}${err.message}`, err.exitCode, err.fix) : err;
  const { StoreError } = await storeModule();
  if (err instanceof StoreError) return new UserError(`${prefix}${err.message}`, EXIT.USAGE, err.fix);
  return new UserError(`${prefix}${err instanceof Error ? err.message : String(err)}`, EXIT.USAGE);
}

/** Where `scan` stores its run, if anywhere: `--store [url]`, else EKS_SOC2_STORE; `--no-store` wins. */
export async function scanStoreTarget(opts: StoreOptions, env: NodeJS.ProcessEnv = process.env): Promise<StoreTarget | undefined> {
  if (opts.store === false) return undefined;
  // Nothing asks for a store: do not load it (start-up of every scan).
  if (opts.store === undefined && !env[STORE_ENV]) return undefined;
  const m = await storeModule();
  try {
    if (opts.store === true) return env[STORE_ENV] ? m.parseStoreUrl(env[STORE_ENV]) : { kind: 'sqlite', path: m.defaultStorePath(env) };
    if (typeof opts.store === 'string') return m.parseStoreUrl(opts.store);
    if (env[STORE_ENV]) return m.parseStoreUrl(env[STORE_ENV]);
  } catch (err) {
    throw await asUserError(err);
  }
  return undefined;
}

/** The store a reading command uses: `--store URL`, else EKS_SOC2_STORE, else the default file. */
export async function readStoreTarget(url: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<StoreTarget> {
  const m = await storeModule();
  try {
    if (url) return m.parseStoreUrl(url);
    if (env[STORE_ENV]) return m.parseStoreUrl(env[STORE_ENV]);
    return { kind: 'sqlite', path: m.defaultStorePath(env) };
  } catch (err) {
    throw await asUserError(err);
  }
}

/** Open the store, run `fn`, close it; store problems become one clear UserError (exit 2). */
export async function withStore<T>(target: StoreTarget, mode: 'read' | 'write', fn: (store: EvidenceStore) => Promise<T>): Promise<T> {
  const m = await storeModule();
  let store: EvidenceStore;
  try {
    store = await m.openStore(target, { mode, toolVersion: toolVersion() });
  } catch (err) {
    throw await asUserError(err);
  }
  try {
    return await fn(store);
  } catch (err) {
    throw await asUserError(err);
  } finally {
    await store.close();
  }
}

/**
 * Clusters chosen by `--cluster`: its store key, name, ARN or kubeconfig context (all when not
 * given). An unknown value lists what the store holds.
 */
export function selectClusters(all: readonly ClusterInfo[], wanted: string | undefined, label: string): ClusterInfo[] {
  if (!wanted) return [...all];
  const w = wanted.trim();
  const hit = all.filter((c) => c.key === w || c.cluster.name === w || c.cluster.arn === w || c.cluster.context === w);
  if (!hit.length) {
    const known = all.map((c) => c.key);
    throw new UserError(`no cluster "${w}" in ${label}`, EXIT.USAGE,
      known.length ? `stored clusters: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}` : 'the store holds no runs yet');
  }
  return hit;
}

/** The snapshot of a stored run (`scan --run ID`), or undefined when not asked for. */
/** A stored run to re-perform: its snapshot, the time its evidence describes, the attestations it had in force. */
export interface StoredEvidence {
  snapshot: Snapshot;
  at: string;
  attestations: Attestation[];
}

export async function loadStoredSnapshot(opts: StoreOptions): Promise<StoredEvidence | undefined> {
  if (!opts.run) return undefined;
  if (opts.demo || opts.file?.length) {
    throw new UserError('--run re-evaluates the snapshot of a stored run: drop --demo and -f', EXIT.USAGE);
  }
  const target = await readStoreTarget(typeof opts.store === 'string' ? opts.store : undefined);
  const runId = opts.run;
  return withStore(target, 'read', async (store) => {
    const info = await store.findRun(runId);
    if (!info) throw new UserError(`no run "${runId}" in ${store.label}`, EXIT.USAGE, '`eks-soc2 history` lists the stored runs and their ids');
    const snapshot = await store.loadSnapshot(info.snapshotDigest);
    const result = await store.loadResult(info.runId);
    if (!opts.quiet) {
      process.stderr.write(`re-performing run ${info.runId}: snapshot ${info.snapshotDigest} (evidence of ${info.at}, digest verified)\n`);
      if (!opts.now) process.stderr.write(`  evaluated as of the run (${info.at}); pass --now to evaluate the same evidence at another time\n`);
      const waived = [...new Set(result.controls.flatMap((c) => c.waivers.map((w) => w.id)))];
      if (waived.length) process.stderr.write(`  note: the run applied waiver(s) ${waived.slice(0, 8).join(', ')}${waived.length > 8 ? ', …' : ''}: pass the same --waivers file to apply them again\n`);
      if (result.attestations.inForce.length) process.stderr.write(`  the ${result.attestations.inForce.length} attestation(s) in force at the time are applied again (pass --attestations to use others)\n`);
    }
    // A snapshot stored before credentials were redacted by value is redacted before it is evaluated
    // again, so a re-performed run never shows one in a report (the stored digest was verified above).
    const { redactSnapshot } = await import('../../collectors/sanitize.js');
    return { snapshot: redactSnapshot(snapshot), at: info.at, attestations: result.attestations.inForce };
  });
}

/**
 * Append the run (and its snapshot) to the store when asked for. Never throws: the scan's report
 * must not be lost to a store problem, so a failure is returned for the caller to report after
 * the outputs are written (exit 2).
 */
export async function persistRun(opts: StoreOptions, snapshot: Snapshot, run: RunResult, o: { label?: string } = {}): Promise<{ runId?: string; failure?: UserError }> {
  let target: StoreTarget | undefined;
  try {
    target = await scanStoreTarget(opts);
  } catch (err) {
    return { failure: await asUserError(err, 'the run was not stored: ') };
  }
  if (!target) return {};
  if (opts.run) {
    if (!opts.quiet) process.stderr.write(`note: a re-performed run (--run ${opts.run}) is not stored again\n`);
    return {};
  }
  try {
    const at = opts.now ? new Date(opts.now) : undefined;
    const stored = await withStore(target, 'write', (store) => store.appendRun(run, snapshot, at && !Number.isNaN(at.getTime()) ? { at } : {}));
    if (!opts.quiet) {
      const { describeTarget } = await storeModule();
      process.stderr.write(`stored run ${stored.runId} in ${describeTarget(target)} (cluster ${stored.clusterKey}, #${stored.seq}${stored.snapshotDeduplicated ? ', snapshot unchanged since an earlier run' : ''})\n`);
    }
    // The head the docs say to anchor outside the store (docs/store.md): printed even with --quiet.
    process.stderr.write(`chain head: ${stored.hash}${o.label ? ` (${o.label})` : ''}\n`);
    return { runId: stored.runId };
  } catch (err) {
    return { failure: await asUserError(err, 'the run was not stored: ') };
  }
}

/**
 * When the store first saw each CRITICAL vulnerability of the scanned cluster (CC3-RA-03 ages them from
 * it), read before evaluation when the run uses a store and the snapshot holds vulnerability reports.
 * Dates after `now` (a re-performed run) are left out. A store that cannot be read is a warning: the
 * ages then come from the reports alone, and storing the run reports the problem.
 */
export async function loadFirstSeen(opts: StoreOptions, snapshot: Snapshot, now: Date): Promise<FirstSeenLookup | undefined> {
  const { isVulnerabilityReport } = await import('../../model/index.js');
  if (!snapshot.kubernetes.objects.some(isVulnerabilityReport)) return undefined;
  let target: StoreTarget | undefined;
  try {
    target = opts.run ? await readStoreTarget(typeof opts.store === 'string' ? opts.store : undefined) : await scanStoreTarget(opts);
  } catch {
    return undefined;
  }
  if (!target) return undefined;
  const { clusterKey } = await storeModule();
  try {
    const { lookup } = await withStore(target, opts.run ? 'read' : 'write', (store) => store.firstSeen(clusterKey(snapshot.cluster)));
    const limit = now.toISOString();
    return (workload, image, vulnerability) => {
      const at = lookup(workload, image, vulnerability);
      return at !== undefined && at <= limit ? at : undefined;
    };
  } catch (err) {
    if (!opts.quiet) process.stderr.write(`eks-soc2: warning: the first sight of vulnerabilities could not be read from the store (${err instanceof Error ? err.message : String(err)}): CRITICAL vulnerabilities are aged from the reports alone\n`);
    return undefined;
  }
}
