import type { Command } from 'commander';
import type { Attestation, AttestationIssue, EffectiveConfig, RunResult, Severity, Snapshot, Waiver, WaiverIssue } from '../../model/index.js';
import { SEVERITIES, defaultConfig, emptySnapshot } from '../../model/index.js';
import { exitCodeFor } from '../exit-codes.js';
import { configPath } from '../config-file.js';
import { addFilterOptions, resolveFilters } from '../filters.js';
import { plainProgress, progressIntervalMs, startPhase } from '../progress.js';
import type { FilterOptions } from '../filters.js';
import type { SnapshotIndex } from '../../engine/index.js';
import { EXIT, UserError } from '../errors.js';
import { markdownBounds, parseFormats, writeOutputs } from '../output.js';
import { toolVersion } from '../version.js';
import { NoKubernetesConfigError, addKubernetesOptions, collectKubernetes } from '../sources/kubernetes.js';
import type { KubernetesOptions } from '../sources/kubernetes.js';
import { addAwsOptions, collectAws } from '../sources/aws.js';
import type { AwsOptions } from '../sources/aws.js';
import { addStoreOptions, loadFirstSeen, loadStoredSnapshot, persistRun, scanStoreTarget } from '../sources/store.js';
import type { StoreOptions } from '../sources/store.js';
import { addFleetOptions, isFleetScan } from '../fleet.js';
import type { FleetOptions } from '../fleet.js';
import { addNotifyOptions, notifyTarget } from '../notify.js';
import type { NotifyOptions } from '../notify.js';

export interface ScanOptions extends KubernetesOptions, AwsOptions, StoreOptions, FleetOptions, NotifyOptions, FilterOptions {
  file?: string[];
  demo?: boolean;
  /** `--no-kubernetes` sets this to false: the AWS account alone. */
  kubernetes?: boolean;
  completeInventory?: boolean;
  /** `--config FILE`; false: `--no-config` (no discovery). */
  config?: string | false;
  waivers?: string;
  attestations?: string;
  control?: string[];
  section?: string[];
  format?: string;
  output?: string;
  failOn: string;
  /** `--fail-on-warn` / `--no-fail-on-warn`; undefined: the configuration's `failOnWarn` (default false). */
  failOnWarn?: boolean;
  quiet?: boolean;
  color: boolean;
  now?: string;
  details?: boolean;
  chromium?: string;
  junitPerFinding?: boolean;
  /** `--expand-passing`: the JSON report writes every finding as one object (run@2 shape). */
  expandPassing?: boolean;
  maxSize?: string;
  reportUrl?: string;
  /** `--name`: the cluster's name when the evidence gives none (file scans). */
  name?: string;
  /** `--allow-empty`: inputs with nothing to evaluate exit 0 (pre-commit on a commit without manifests). */
  allowEmpty?: boolean;
}

/**
 * The cluster a scan is about, when the evidence does not say (manifests, Helm output): `--name`,
 * else `--cluster`. It keys the run in the store, so file scans of different clusters get their own
 * chains instead of all sharing "unnamed". An identity the evidence gives (ARN, context, account) wins.
 */
export function nameCluster(snapshot: Snapshot, opts: Pick<ScanOptions, 'name' | 'cluster'>): void {
  const given = opts.name ?? opts.cluster;
  if (!given) return;
  const c = snapshot.cluster;
  if (opts.name && c.name && c.name !== opts.name && (c.arn || c.accountId)) {
    throw new UserError(`--name ${opts.name} contradicts the evidence, which is about cluster ${c.name}${c.arn ? ` (${c.arn})` : ''}`, EXIT.USAGE, 'drop --name: the evidence names the cluster');
  }
  if (!c.name) snapshot.cluster = { ...c, name: given };
}

export const splitList = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

/** The options naming the evidence and the selection, shared by `scan` and `fix`. */
export function addSourceOptions(cmd: Command, help: { completeInventory?: string; waivers?: string } = {}): Command {
  return addFilterOptions(cmd
    .option('-f, --file <path>', 'read manifests, kubectl dumps, Helm/kustomize output, snapshot bundles, Terraform plans (terraform show -json), .tf directories and tfvars files (file, directory, or - for stdin); repeatable', splitList)
    .option('--demo', 'evaluate the built-in demo environment (no cluster, no credentials)')
    .option('--no-kubernetes', 'read no cluster: evaluate the AWS account alone (--cluster NAME, or --aws-evidence DIR); the Kubernetes controls report their evidence as not collected')
    .option('--complete-inventory', help.completeInventory ?? 'treat the -f input as the cluster\'s whole inventory: kinds absent from it are absent from the cluster')
    .option('-c, --config <file>', 'configuration file: system namespaces, thresholds, owners, scope, filters (default: eks-soc2.yaml or .eks-soc2.yaml in the working directory or a parent, up to the repository root)')
    .option('--no-config', 'read no configuration file, not even one found in the working directory or its parents')
    .option('--waivers <file>', help.waivers ?? 'YAML file of accepted risks (control, rule, resources, reason, approvedBy, expires)')
    .option('--attestations <file>', 'YAML file of attestations for manual and partial controls')
    .option('--control <ids>', 'only these controls (comma-separated or repeated), e.g. CC5-HARD-03', splitList)
    .option('--section <ids>', 'only these checklist sections, e.g. CC5,CC6', splitList));
}

export function registerScan(program: Command): void {
  const cmd = addSourceOptions(program
    .command('scan')
    .description('collect evidence and evaluate every control (or the ones selected)'))
    .option('--name <cluster>', 'the cluster\'s name for the report and the store when the evidence gives none (file scans; default --cluster): keeps each cluster\'s runs in their own chain')
    .option('--allow-empty', 'exit 0, with a note, when the -f inputs hold nothing to evaluate (a pre-commit hook on a commit without manifests); default: exit 2')
    .option('--format <list>', 'output format(s), comma-separated: terminal, json, markdown, markdown-summary, csv, html, pdf, sarif, junit, oscal (see `eks-soc2 formats`)', 'terminal')
    .option('-o, --output <dir>', 'write each format to DIR/eks-soc2-report.<ext> instead of stdout')
    .option('--fail-on <severity>', `exit 1 when a failing control has this severity or higher: ${SEVERITIES.join(', ')}, or never`, 'low')
    .option('--fail-on-warn', 'exit 1 also when a warning (a failed recommended rule) is found outside the system namespaces (config: failOnWarn: true)')
    .option('--no-fail-on-warn', 'warnings never change the exit code, whatever the configuration says (the default)')
    .option('--chromium <path>', 'Chromium executable for --format pdf (default: CHROMIUM_PATH, then /usr/bin/chromium)')
    .option('--junit-per-finding', 'JUnit: one test case per finding as well as one per control')
    .option('--expand-passing', 'JSON: every finding as one object, passes included (the superseded run@2 shape); default: resources once, findings by resource index, passes per rule and message, the others in groups, index lists with runs (run@5)')
    .option('--max-size <chars>', 'markdown, markdown-summary: at most this many characters (markdown-summary: 65000), failing controls first, then a line saying what was left out')
    .option('--report-url <url>', 'markdown, markdown-summary: link to the full report in the line that says what was left out')
    .option('--details', 'list every finding, passing ones included (default when 3 controls or fewer are selected)')
    .option('-q, --quiet', 'print only the summary and the controls that do not pass')
    .option('--no-color', 'no ANSI colours (also when NO_COLOR is set or output is not a terminal)')
    .option('--now <time>', 'evaluate as of this time (ISO date/time): waiver expiry, attestation validity, evidence age');
  addKubernetesOptions(cmd);
  addAwsOptions(cmd);
  addStoreOptions(cmd);
  addNotifyOptions(cmd);
  addFleetOptions(cmd);
  cmd
    .addHelpText('after', `
Exit codes: 0 no control fails at or above --fail-on and no collection gap;
1 a control fails at or above --fail-on (or, with --fail-on-warn, a warning outside the system
  namespaces; warnings alone never change the exit code otherwise);
2 usage or input error, whatever --fail-on says (bad flag, unreadable or malformed input, objects the
  API server would refuse — results for the rest are still shown; docs/limits.md);
3 required evidence could not be collected (a permission, network or service gap left a control
  error; also no AWS credentials at all: the Kubernetes side is still evaluated — set AWS_PROFILE or
  --profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run \`aws sso login\`, or use IRSA / EKS Pod
  Identity; or pass --aws-evidence DIR or --no-aws; see docs/aws.md).
When several apply, the most fundamental wins: 2 > 3 > 1 > 0 (a run with missing evidence is not a
complete gate, so a gap exits 3 even when controls fail; the failures are printed all the same).
A fleet scan exits with the worst of its clusters by the same order.

AWS evidence: read live for the kubeconfig context's EKS cluster (or --cluster NAME), offline
with --aws-evidence DIR, never with --no-aws; -f scans read it only with --cluster or --aws-evidence.
The AWS account alone: --no-kubernetes with --cluster NAME or --aws-evidence DIR (also what a scan
with AWS evidence does, with a note, on a machine with no Kubernetes configuration).

Examples:
  eks-soc2 scan --demo
  eks-soc2 scan -f k8s/ --format json -o reports/
  eks-soc2 scan k8s/deployment.yaml k8s/rbac.yaml --fail-on high                  # paths as arguments, as -f
  helm template my-chart | eks-soc2 scan -f - --section CC5
  eks-soc2 scan -f cluster-dump/ --aws-evidence aws-json/
  terraform show -json tfplan > plan.json && eks-soc2 scan -f plan.json --format sarif   # Terraform (docs/terraform.md)
  eks-soc2 scan -f infra/ -f prod.tfvars                                    # a .tf directory with a variables file
  eks-soc2 scan --no-kubernetes --cluster acme-prod --region eu-west-1       # the AWS account alone
  eks-soc2 scan --contexts prod,staging --store postgres://… -o reports/     # a fleet (docs/continuous.md)
  eks-soc2 scan --accounts 111122223333,444455556666 --assume-role eks-soc2-audit --regions eu-west-1,us-east-1 --store`)
    .argument('[paths...]', 'files or directories to read, as with -f (what pre-commit and CI pass)')
    .action(async (paths: string[], opts: ScanOptions) => {
      if (paths.length) opts.file = [...(opts.file ?? []), ...paths];
      process.exitCode = await runScan(opts);
    });
}

export async function runScan(opts: ScanOptions): Promise<number> {
  if (isFleetScan(opts)) return (await import('../fleet.js')).runFleet(opts);
  const formats = parseFormats(opts.format);
  const bounds = markdownBounds(opts);
  const failOn = opts.failOn.toLowerCase();
  if (failOn !== 'never' && !(SEVERITIES as readonly string[]).includes(failOn)) {
    throw new UserError(`--fail-on must be one of ${SEVERITIES.join(', ')}, never (got "${opts.failOn}")`);
  }
  const notify = notifyTarget(opts);
  if (notify && !opts.run && !(await scanStoreTarget(opts))) throw new UserError('--notify compares the run with the cluster\'s previous stored run: add --store (or set EKS_SOC2_STORE)');

  const evaluated = await collectAndEvaluate(opts);
  if (!evaluated) return EXIT.OK;
  const { run, snapshot, config, index } = evaluated;
  const { fillRemediation } = await import('../../fix/remediation.js');
  fillRemediation(run, snapshot, config, index);

  const persisted = await persistRun(opts, snapshot, run);
  if (persisted.runId) run.runId = persisted.runId;

  const color = opts.color && !process.env.NO_COLOR && (process.stdout.isTTY === true || Boolean(process.env.FORCE_COLOR));
  const written = await writeOutputs(run, formats, opts.output, {
    color, quiet: Boolean(opts.quiet), ...(opts.details ? { details: true } : {}),
    ...(opts.chromium ? { chromium: opts.chromium } : {}), ...(opts.junitPerFinding ? { junitPerFinding: true } : {}),
    ...(opts.expandPassing ? { expandPassing: true } : {}),
    ...bounds,
  });
  for (const p of written) process.stderr.write(`wrote ${p}\n`);
  // A store failure is reported after the report, so the scan's output is never lost to it.
  if (persisted.failure) throw persisted.failure;
  // Alert after storing (never instead of it); a delivery problem is a warning unless --notify-fatal.
  if (notify && persisted.runId) {
    const { notifyAfterStore } = await import('../notify.js');
    const n = await notifyAfterStore(notify, opts.store, run, { quiet: Boolean(opts.quiet) });
    if (n.failure) throw n.failure;
  }
  return exitCodeFor(run, { failOn: failOn as Severity | 'never', failOnWarn: opts.failOnWarn ?? config.failOnWarn ?? false });
}

/** The options `scan` and `fix` share: where the evidence comes from, what to evaluate, and as of when. */
export type SourceOptions = Omit<ScanOptions, 'format' | 'output' | 'failOn' | 'color' | 'chromium' | 'junitPerFinding' | 'expandPassing' | 'details' | 'maxSize' | 'reportUrl'>;

/**
 * Collect the evidence the options name (files, the demo, a stored run, a live cluster and its AWS
 * account) and evaluate the selected controls: the part of a scan that `fix` shares. Undefined when
 * the inputs hold nothing and `--allow-empty` says that is fine.
 */
export async function collectAndEvaluate(opts: SourceOptions): Promise<{ run: RunResult; snapshot: Snapshot; config: EffectiveConfig; index: SnapshotIndex } | undefined> {
  let now = opts.now ? new Date(opts.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new UserError(`--now "${opts.now}" is not a date or time`);
  if (opts.demo && opts.file?.length) throw new UserError('--demo and -f are exclusive: scan the demo environment or your files');
  if (opts.kubernetes === false && (opts.demo || opts.file?.length || opts.run)) throw new UserError('--no-kubernetes scans the AWS account alone: drop -f, --demo or --run');
  if (opts.kubernetes === false && (opts.aws === false || (!opts.cluster && !opts.awsEvidence))) {
    throw new UserError('--no-kubernetes leaves nothing to scan without AWS evidence', EXIT.USAGE, 'add --cluster NAME (and --region) to read the AWS account, or --aws-evidence DIR');
  }
  const { catalog, CATALOG_VERSION, evidenceKeys } = await import('../../catalog/index.js');
  const known = new Set(catalog.map((c) => c.id));
  for (const id of opts.control ?? []) if (!known.has(id.toUpperCase())) throw new UserError(`unknown control "${id}"; \`eks-soc2 controls\` lists them`);
  const sections = new Set(catalog.map((c) => c.section as string));
  for (const s of opts.section ?? []) if (!sections.has(s.toUpperCase())) throw new UserError(`unknown section "${s}"; sections are ${[...sections].join(', ')}`);

  // zod and the YAML parser are loaded only when there is a file to validate (fast start-up).
  const configFile = configPath(opts);
  const inputs = configFile || opts.waivers || opts.attestations ? await import('../inputs.js') : undefined;
  const config = inputs ? await inputs.loadConfig(configFile) : defaultConfig();
  const w: { waivers: Waiver[]; issues: WaiverIssue[] } = inputs && opts.waivers ? await inputs.loadWaivers(opts.waivers) : { waivers: [], issues: [] };
  const a: { attestations: Attestation[]; issues: AttestationIssue[] } = inputs && opts.attestations ? await inputs.loadAttestations(opts.attestations) : { attestations: [], issues: [] };

  const filters = resolveFilters(opts, config, catalog);
  const { selectControls, controlSkipped } = await import('../../engine/index.js');
  const keys = evidenceKeys(selectControls(catalog, { ...(opts.control ? { controls: opts.control } : {}), ...(opts.section ? { sections: opts.section } : {}) }).filter((c) => !controlSkipped(filters, c.id)));
  let snapshot: Snapshot;
  const stored = await loadStoredSnapshot(opts);
  if (stored) {
    // Re-performing a stored run: the same evidence, as of the time it describes, with the
    // attestations that were in force (unless overridden on the command line).
    snapshot = stored.snapshot;
    if (!opts.now) now = new Date(stored.at);
    if (!opts.attestations) a.attestations.push(...stored.attestations);
  } else if (opts.demo) {
    const demo = await import('../../collectors/demo/index.js');
    snapshot = demo.demoSnapshot(toolVersion(), now);
    if (!opts.waivers && !opts.attestations) {
      const p = demo.demoPolicies(now);
      w.waivers.push(...p.waivers);
      a.attestations.push(...p.attestations);
    }
  } else if (opts.file?.length) {
    const { collectFiles } = await import('../../collectors/files/read.js');
    const phase = startPhase('reading files', () => `${(opts.file ?? []).length} input(s)`, { quiet: opts.quiet });
    try {
      snapshot = await collectFiles(opts.file ?? [], { toolVersion: toolVersion(), ...(opts.completeInventory ? { completeInventory: true } : {}) });
    } finally {
      phase.end();
    }
    const nothing = snapshot.kubernetes.objects.length === 0 && snapshot.aws.facts.length === 0 && snapshot.tools.length === 0;
    if (nothing && opts.allowEmpty && !opts.awsEvidence) {
      const why = snapshot.gaps.filter((g) => g.source === 'files').slice(0, 5).map((g) => `\n  ${g.message}`).join('');
      process.stderr.write(`eks-soc2: nothing to evaluate in ${(opts.file ?? []).join(', ')} (--allow-empty: exit 0)${why}\n`);
      return undefined;
    }
    if (nothing && snapshot.gaps.some((g) => g.source === 'files')) {
      const msgs = snapshot.gaps.filter((g) => g.source === 'files').slice(0, 5).map((g) => `  ${g.message}`).join('\n');
      throw new UserError(`no readable input:\n${msgs}`, EXIT.USAGE);
    }
    // An empty directory is not a clean cluster: evaluating nothing would only print errors.
    if (nothing && !opts.awsEvidence) {
      throw new UserError(`no input: nothing to evaluate in ${(opts.file ?? []).join(', ')} (no Kubernetes object, snapshot bundle or tool report in any .yaml, .yml or .json file, optionally gzipped, and no Terraform resource eks-soc2 translates in any .tf file or plan)`, EXIT.USAGE, 'pass the manifests, kubectl dumps, snapshot bundles or tool reports to scan');
    }
    snapshot = await collectAws(opts, snapshot, keys);
  } else {
    let live: Snapshot | undefined;
    if (opts.kubernetes !== false) {
      try {
        live = await collectKubernetes(opts, keys, toolVersion());
      } catch (err) {
        // AWS evidence asked for and no cluster configured at all: scan the AWS side alone, and say so.
        if (!(err instanceof NoKubernetesConfigError) || opts.aws === false || (!opts.cluster && !opts.awsEvidence)) throw err;
        process.stderr.write('eks-soc2: no Kubernetes configuration found: evaluating the AWS evidence alone (the Kubernetes controls report their evidence as not collected; pass --kubeconfig to read the cluster too, or --no-kubernetes to say this is intended)\n');
      }
    }
    snapshot = live
      ? await collectAws(opts, live, keys, { liveKubernetes: true })
      : await collectAws(opts, emptySnapshot(toolVersion(), now), keys);
  }

  if (!stored) nameCluster(snapshot, opts);

  const { evaluate, SnapshotIndex } = await import('../../engine/index.js');
  // One index of the snapshot for the evaluation and the filled-in remediation that follows it.
  const index = new SnapshotIndex(snapshot);
  const firstSeen = await loadFirstSeen(opts, snapshot, now);
  const evaluating = Date.now();
  const run = evaluate(snapshot, catalog, {
    config, toolVersion: toolVersion(), catalogVersion: CATALOG_VERSION, now, index, ...(firstSeen ? { firstSeen } : {}),
    waivers: w.waivers, attestations: a.attestations, waiverIssues: w.issues, attestationIssues: a.issues,
    ...(opts.control?.length ? { controls: opts.control } : {}),
    ...(opts.section?.length ? { sections: opts.section } : {}),
    ...(filters ? { filters } : {}),
  });
  // The evaluation is synchronous (no line can be printed while it runs): one line after it, when it lasted.
  const took = Date.now() - evaluating;
  if (plainProgress(opts.quiet) && took >= progressIntervalMs()) {
    process.stderr.write(`eks-soc2: progress: evaluating controls — done: ${run.controls.length} controls over ${snapshot.kubernetes.objects.length.toLocaleString('en-US')} objects; ${(took / 1000).toFixed(1)} s elapsed\n`);
  }
  return { run, snapshot, config, index };
}

