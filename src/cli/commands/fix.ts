import { mkdirSync, readFileSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import type { Command } from 'commander';
import type { K8sObject, RunResult, Snapshot } from '../../model/index.js';
import type { FixPlan, Materialised } from '../../fix/index.js';
import type * as FixModuleNs from '../../fix/index.js';
import { EXIT, UserError } from '../errors.js';
import { addKubernetesOptions } from '../sources/kubernetes.js';
import { addAwsOptions } from '../sources/aws.js';
import type { SourceOptions } from './scan.js';
import { addSourceOptions, splitList } from './scan.js';
import { exitCodeFor } from '../exit-codes.js';

export interface FixOptions extends SourceOptions {
  rule?: string[];
  level: string;
  write?: boolean;
  out?: string;
  includeSystem?: boolean;
  waive?: boolean;
  approver?: string;
  expires?: string;
  format: string;
}

export function registerFix(program: Command): void {
  const cmd = addSourceOptions(program
    .command('fix')
    .description('turn failing findings into changes to review: patched manifests, new policies, patches for rendered and live objects, exact AWS CLI commands (never writes to a cluster or an AWS account)'), {
    completeInventory: 'the -f input is the cluster\'s whole inventory (Pod Security enforce labels then count as safe)',
    waivers: 'waivers to apply first (waived findings are not fixed); with --waive, the file the new entries are appended to',
  })
    .option('--rule <ids>', 'only these rules: RULE or CONTROL/RULE (comma-separated or repeated), e.g. read-only-root-fs', splitList)
    .option('--level <risk>', 'the riskiest changes to include: safe (cannot change what runs) or review (may break a workload; read each caution)', 'safe')
    .option('--write', 'apply the changes to the manifest files in place, and add new files next to them')
    .option('--out <dir>', 'write the edited files, new files, patches with a kustomization.yaml, commands.sh, fix.diff and plan.json to DIR')
    .option('--include-system', 'also fix findings in system namespaces (scan reports them separately)')
    .option('--waive', 'instead of fixing, write waiver entries (control, rule, resource, reason and approver to fill in, expiry) for the selected findings: appended to --waivers FILE, or printed')
    .option('--approver <who>', 'with --waive: the approver to write (default: a placeholder the waiver loader refuses until replaced)')
    .option('--expires <date>', 'with --waive: expiry of the new waivers (YYYY-MM-DD; default 90 days from now)')
    .option('--format <format>', 'text (diff, commands, decisions) or json (the plan)', 'text')
    .option('--run <id>', 'fix from a stored run: evaluate the snapshot it stored (patches only; files are not edited)')
    .option('--store <url>', 'the evidence store --run reads (default: $EKS_SOC2_STORE, else the default SQLite file)')
    .option('-q, --quiet', 'no progress messages')
    .option('--now <time>', 'evaluate as of this time (ISO date/time)');
  addKubernetesOptions(cmd);
  addAwsOptions(cmd);
  cmd.addHelpText('after', `
What it does: scans like \`scan\` (same sources; read-only, nothing is written to the cluster or to AWS),
then, for each failing finding and each warning of the selected controls and rules:
  - a manifest file that holds the object is edited in place (comments, key order, quoting and
    untouched lines kept): printed as a unified diff, written with --write or into --out DIR;
  - an object that came from the cluster, stdin, Helm output or a cluster dump gets a strategic
    merge patch (--out DIR/kustomize, with a kustomization.yaml for kubectl apply -k or a Helm
    post-renderer) and the equivalent kubectl patch command;
  - AWS findings get the exact AWS CLI commands, with the real names, ids and region, in a safe order;
  - a fix that needs a value or a judgement (resource requests, an image digest, a TLS certificate,
    which capabilities a process uses) is listed as a decision, never invented.

Risk levels: safe changes cannot change what runs (audit/warn labels, an enforce level every workload
in a complete inventory meets, encryption of volumes created later); review changes may break a
workload (non-root, read-only root filesystem, dropped capabilities, no privilege escalation,
RuntimeDefault seccomp, host namespaces off, no token automount, default-deny ingress). Default: safe.

Exit codes: 0 the plan was made (or written); 2 usage or input error; 3 evidence could not be
collected (a permission, network or credential gap left a control undecided: the plan misses it).
2 wins over 3 (README "Exit codes").

Examples:
  eks-soc2 fix -f k8s/                                   # diff of the safe changes
  eks-soc2 fix -f k8s/ --level review --write            # apply every mechanical change in place
  helm template my-chart | eks-soc2 fix -f - --level review --out fixes/   # patches + kustomization
  eks-soc2 fix --demo --level review                     # diff of the demo objects and AWS commands
  eks-soc2 fix -f k8s/ --rule no-host-path --waive --waivers waivers.yaml  # accept instead of fixing`);
  cmd.argument('[paths...]', 'files or directories to read, as with -f');
  cmd.action(async (paths: string[], opts: FixOptions) => {
    if (paths.length) opts.file = [...(opts.file ?? []), ...paths];
    process.exitCode = await runFix(opts);
  });
}

export async function runFix(opts: FixOptions): Promise<number> {
  const level = opts.level.toLowerCase();
  if (level !== 'safe' && level !== 'review') throw new UserError(`--level must be safe or review (got "${opts.level}")`);
  if (opts.format !== 'text' && opts.format !== 'json') throw new UserError(`--format must be text or json (got "${opts.format}")`);
  if (opts.waive && (opts.write || opts.out)) throw new UserError('--waive writes waivers instead of fixes: drop --write and --out');
  if (!opts.waive && (opts.approver || opts.expires)) throw new UserError('--approver and --expires go with --waive');
  if (opts.expires && !/^\d{4}-\d{2}-\d{2}$/.test(opts.expires)) throw new UserError(`--expires must be a date (YYYY-MM-DD), got "${opts.expires}"`);
  if (opts.write && opts.run) throw new UserError('--write edits manifest files; a stored run has none: use --out DIR for its patches');
  const { collectAndEvaluate } = await import('./scan.js');
  const evaluated = await collectAndEvaluate({ ...opts, ...(opts.run ? { store: opts.store ?? true } : {}) } as SourceOptions);
  if (!evaluated) return EXIT.OK;
  const { run, snapshot, config } = evaluated;
  const known = new Set(run.controls.flatMap((c) => c.rules.map((r) => r.id)));
  for (const r of opts.rule ?? []) {
    const id = r.includes('/') ? r.split('/').pop()! : r.includes(':') ? r.split(':').pop()! : r;
    if (!known.has(id)) throw new UserError(`unknown rule "${r}" in the selected controls; \`eks-soc2 controls --format markdown\` lists the rules`);
  }
  // Failures are what fix works on, never an exit reason; input problems (2) and evidence that
  // could not be collected (3: the plan misses what was not read) are, by the precedence of scan.
  const code = exitCodeFor(run, { failOn: 'never' });
  if (opts.waive) {
    await writeWaivers(opts, run);
    return code;
  }
  const fix = await import('../../fix/index.js');
  const plan = fix.planFixes(run, snapshot, { level: level as 'safe' | 'review', config, ...(opts.rule ? { rules: opts.rule } : {}), ...(opts.includeSystem ? { includeSystem: true } : {}) });
  const renderedOnly = snapshot.kubernetes.source !== 'files' || Boolean(opts.run);
  const m = fix.materialise(plan, { read: readInput, renderedOnly });
  if (!opts.run) {
    // Terraform blocks are edited in their .tf files, checked with the HCL parser (asynchronous).
    const tf = await fix.materialiseTerraform(plan, readInput);
    m.files.push(...tf.files);
    m.notes.push(...tf.notes);
  }
  if (opts.format === 'json') {
    process.stdout.write(`${JSON.stringify(fix.planJson(plan, m), null, 2)}\n`);
  } else {
    process.stdout.write(fix.renderText(plan, m, { level: level as 'safe' | 'review', writing: Boolean(opts.write) }));
  }
  if (opts.write) writeInPlace(m, Boolean(opts.quiet));
  if (opts.out) writeOut(fix, opts.out, plan, m, snapshot, Boolean(opts.quiet));
  for (const n of m.notes) process.stderr.write(`eks-soc2: ${n}\n`);
  return code;
}

function readInput(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function writeInPlace(m: Materialised, quiet: boolean): void {
  for (const f of m.files) {
    writeFileSync(f.file, f.after);
    if (!quiet) process.stderr.write(`wrote ${f.file}\n`);
  }
  for (const n of m.newFiles) {
    if (!n.path) continue;
    if (existsSync(n.path)) { process.stderr.write(`eks-soc2: ${n.path} exists; not overwritten (the new object is in the diff above)\n`); continue; }
    writeFileSync(n.path, n.text);
    if (!quiet) process.stderr.write(`wrote ${n.path}\n`);
  }
  const unplaced = m.newFiles.filter((n) => !n.path).length;
  if (m.patches.length || unplaced) {
    process.stderr.write(`eks-soc2: ${m.patches.length} object(s) from rendered or live sources${unplaced ? ` and ${unplaced} new object(s) without a manifest directory` : ''} cannot be changed in place: pass --out DIR for their patches and kustomization\n`);
  }
}

/** A path inside DIR for an input path (absolute or with `..` parts kept inside). */
function inside(dir: string, file: string): string {
  const rel = normalize(isAbsolute(file) ? file.slice(1) : file).split(/[\\/]+/).filter((p) => p !== '..' && p !== '.' && p !== '').join('/');
  return join(dir, rel);
}

function put(path: string, text: string, quiet: boolean): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  if (!quiet) process.stderr.write(`wrote ${path}\n`);
}

type FixModule = typeof FixModuleNs;

function writeOut(fix: FixModule, dir: string, plan: FixPlan, m: Materialised, snapshot: Snapshot, quiet: boolean): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UserError(`cannot create --out directory ${dir}: ${(err as Error).message}`);
  }
  for (const f of m.files) put(inside(join(dir, 'files'), f.file), f.after, quiet);
  for (const n of m.newFiles) if (n.path) put(inside(join(dir, 'files'), n.path), n.text, quiet);
  if (m.patches.length || m.newFiles.some((n) => !n.path)) {
    const patchedKeys = new Set(m.patches.map((p) => fix.objectKey(p.object)));
    // Rendered input (stdin, Helm output): the whole of it, so the kustomization renders all of it.
    // Objects read from a cluster: only the patched ones (applying a whole inventory would be a different change).
    const resources: K8sObject[] = snapshot.kubernetes.source === 'files'
      ? snapshot.kubernetes.objects.filter((o) => !o.$source || o.$source.file === '<stdin>' || m.patches.some((p) => p.object.$source?.file === o.$source?.file))
      : snapshot.kubernetes.objects.filter((o) => patchedKeys.has(fix.objectKey(o)));
    const unplaced = { ...m, newFiles: m.newFiles.filter((n) => !n.path) };
    for (const f of fix.kustomization(unplaced, resources)) put(join(dir, 'kustomize', f.path), f.text, quiet);
    chmodSync(join(dir, 'kustomize', 'post-render.sh'), 0o755);
  }
  put(join(dir, 'commands.sh'), fix.commandsScript(plan, m), quiet);
  chmodSync(join(dir, 'commands.sh'), 0o644);
  put(join(dir, 'fix.diff'), fix.allDiffs(m), quiet);
  put(join(dir, 'plan.json'), `${JSON.stringify(fix.planJson(plan, m), null, 2)}\n`, quiet);
}

async function writeWaivers(opts: FixOptions, run: RunResult): Promise<void> {
  const { waiverEntries, appendWaivers } = await import('../../fix/waive.js');
  const existing = opts.waivers && existsSync(opts.waivers) ? readFileSync(opts.waivers, 'utf8') : undefined;
  const ids = new Set<string>();
  if (existing) for (const m of existing.matchAll(/^\s*-?\s*id:\s*["']?([^"'\s#]+)/gm)) ids.add(m[1]!);
  const entries = waiverEntries(run, {
    now: opts.now ? new Date(opts.now) : new Date(), ...(opts.approver ? { approver: opts.approver } : {}), ...(opts.expires ? { expires: opts.expires } : {}),
    ...(opts.rule ? { rules: opts.rule } : {}), ...(opts.includeSystem ? { includeSystem: true } : {}), existingIds: ids,
  });
  if (entries.length === 0) { process.stderr.write('eks-soc2: no failing or warning finding in the selection (or a waiver for each is in the file already): nothing to waive\n'); return; }
  let text: string;
  try {
    text = appendWaivers(opts.waivers ? existing : undefined, entries);
  } catch (err) {
    throw new UserError(`${opts.waivers}: ${(err as Error).message}`);
  }
  if (opts.waivers) {
    writeFileSync(opts.waivers, text);
    process.stderr.write(`wrote ${entries.length} waiver entr${entries.length === 1 ? 'y' : 'ies'} to ${opts.waivers}: fill in each reason${opts.approver ? '' : ' and approver'} (the loader refuses them until then)\n`);
  } else {
    process.stdout.write(text);
  }
}
