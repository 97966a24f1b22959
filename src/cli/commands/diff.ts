import type { Command } from 'commander';
import type { FindingStatus, RunDiff } from '../../model/index.js';
import type { EvidenceStore, RunInfo } from '../../store/index.js';
import { escapeTerminal as esc } from '../../report/escape.js';
import { resourceLabel } from '../../report/terminal.js';
import { EXIT, UserError } from '../errors.js';
import { addStoreUrlOption, readStoreTarget, selectClusters, withStore } from '../sources/store.js';

interface DiffOptions {
  store?: string;
  cluster?: string;
  format: string;
  exitCode?: boolean;
  color: boolean;
}

export function registerDiff(program: Command): void {
  const cmd = program
    .command('diff')
    .description('what changed between two stored runs: controls and resources that newly fail, were fixed, or changed status (drift)')
    .argument('[runA]', 'older run id (default: the second newest run of the cluster)')
    .argument('[runB]', 'newer run id (default: the newest run of runA\'s cluster)')
    .option('--cluster <name>', 'cluster whose last two runs to compare (store key, name, ARN or context)')
    .option('--format <format>', 'terminal or json', 'terminal')
    .option('--exit-code', 'exit 1 when a control or resource newly fails (for CI drift checks)')
    .option('--no-color', 'no ANSI colours');
  addStoreUrlOption(cmd);
  cmd.addHelpText('after', `
Examples:
  eks-soc2 diff                          # the last two runs of the only cluster in the store
  eks-soc2 diff --cluster acme-prod
  eks-soc2 diff 20260101T020000Z-1a2b3c 20260201T020000Z-4d5e6f --format json`)
    .action(async (runA: string | undefined, runB: string | undefined, opts: DiffOptions) => {
      process.exitCode = await runDiff(runA, runB, opts);
    });
}

async function mustFind(store: EvidenceStore, id: string): Promise<RunInfo> {
  const r = await store.findRun(id);
  if (!r) throw new UserError(`no run "${id}" in ${store.label}`, EXIT.USAGE, '`eks-soc2 history` lists the stored runs and their ids');
  return r;
}

async function runDiff(runA: string | undefined, runB: string | undefined, opts: DiffOptions): Promise<number> {
  if (opts.format !== 'terminal' && opts.format !== 'json') throw new UserError(`--format must be terminal or json (got "${opts.format}")`);
  const target = await readStoreTarget(opts.store);
  const diff = await withStore(target, 'read', async (store) => {
    let a: RunInfo;
    let b: RunInfo;
    if (runA && runB) {
      a = await mustFind(store, runA);
      b = await mustFind(store, runB);
    } else if (runA) {
      a = await mustFind(store, runA);
      const newest = await store.runs({ clusterKey: a.clusterKey, last: 1 });
      b = newest[0]!;
      if (b.runId === a.runId) throw new UserError(`run ${a.runId} is the newest run of cluster ${a.clusterKey}: nothing newer to compare with`, EXIT.USAGE, 'name two runs: eks-soc2 diff RUN_A RUN_B');
    } else {
      const clusters = selectClusters(await store.clusters(), opts.cluster, store.label);
      if (clusters.length > 1) {
        throw new UserError(`${store.label} holds ${clusters.length} clusters: say which with --cluster`, EXIT.USAGE, `clusters: ${clusters.slice(0, 10).map((c) => c.key).join(', ')}`);
      }
      if (!clusters.length) throw new UserError(`no runs in ${store.label}`, EXIT.USAGE, 'store runs first with `eks-soc2 scan --store`');
      const two = await store.runs({ clusterKey: clusters[0]!.key, last: 2 });
      if (two.length < 2) throw new UserError(`cluster ${clusters[0]!.key} has ${two.length} stored run(s); a diff needs two`, EXIT.USAGE, 'store another run with `eks-soc2 scan --store`');
      [a, b] = [two[0]!, two[1]!];
    }
    const { diffRuns } = await import('../../store/index.js');
    const [ra, rb] = [await store.loadResult(a.runId), await store.loadResult(b.runId)];
    return diffRuns(ra, rb, {
      from: { runId: a.runId, at: a.at, clusterKey: a.clusterKey, snapshotDigest: a.snapshotDigest },
      to: { runId: b.runId, at: b.at, clusterKey: b.clusterKey, snapshotDigest: b.snapshotDigest },
    });
  });
  if (opts.format === 'json') process.stdout.write(`${JSON.stringify(diff, null, 2)}\n`);
  else {
    const color = opts.color && !process.env.NO_COLOR && (process.stdout.isTTY === true || Boolean(process.env.FORCE_COLOR));
    process.stdout.write(renderDiffTerminal(diff, color));
  }
  const newlyFailing = diff.summary.controls['newly-failing'] + diff.summary.resources['newly-failing'];
  return opts.exitCode && newlyFailing > 0 ? EXIT.FAILURES : EXIT.OK;
}

const ARROW = (from: FindingStatus | undefined, to: FindingStatus | undefined) => `${from ?? '(none)'} → ${to ?? '(gone)'}`;

/** The diff for a terminal (escaping everything that came from the cluster). */
export function renderDiffTerminal(d: RunDiff, color: boolean): string {
  const paint = (code: number, s: string) => (color ? `\u001b[${code}m${s}\u001b[39m` : s);
  const lines: string[] = [];
  const name = (s: RunDiff['from']) => esc(s.cluster.name ?? s.cluster.context ?? s.clusterKey ?? 'cluster', 120);
  lines.push(`from run ${esc(d.from.runId ?? '?', 40)}  ${d.from.at.slice(0, 16).replace('T', ' ')} UTC  ${name(d.from)}  score ${d.from.score}%`);
  lines.push(`to   run ${esc(d.to.runId ?? '?', 40)}  ${d.to.at.slice(0, 16).replace('T', ' ')} UTC  ${name(d.to)}  score ${d.to.score}% (${d.summary.scoreDelta >= 0 ? '+' : ''}${d.summary.scoreDelta})`);
  if (!d.sameCluster) lines.push(paint(33, 'note: the two runs are of different clusters'));
  if (d.from.catalogVersion !== d.to.catalogVersion) lines.push(paint(33, `note: catalog ${esc(d.from.catalogVersion, 30)} → ${esc(d.to.catalogVersion, 30)}: some changes may come from the controls themselves`));
  const c = d.summary.controls;
  const r = d.summary.resources;
  lines.push(`controls: ${c['newly-failing']} newly failing, ${c.fixed} fixed, ${c.changed} changed, ${c.added} added, ${c.removed} removed, ${c.unchanged} unchanged`);
  lines.push(`resources: ${r['newly-failing']} newly failing, ${r.fixed} fixed, ${r.changed} changed`);
  const style = { 'newly-failing': 31, fixed: 32, changed: 33, added: 36, removed: 90 } as const;
  if (d.controls.length) lines.push('');
  for (const ch of d.controls) {
    lines.push(`  ${paint(style[ch.change], ch.change.toUpperCase().padEnd(14))}${ch.id.padEnd(12)} ${esc(ch.title, 100)}  ${ARROW(ch.from, ch.to)}${ch.failingFrom || ch.failingTo ? `  (failing resources ${ch.failingFrom} → ${ch.failingTo})` : ''}${ch.reclassified ? `  (${ch.reclassified} failure(s) now warnings: rule re-classified as recommended, not fixed)` : ''}`);
  }
  const shown = d.resources.filter((x) => !x.system);
  const sys = d.resources.length - shown.length;
  if (shown.length) lines.push('');
  for (const x of shown.slice(0, 200)) {
    lines.push(`  ${paint(style[x.change], x.change.padEnd(14))}${x.control.padEnd(12)} ${esc(resourceLabel(x.resource), 120)}  ${esc(x.rule, 60)}  ${ARROW(x.from, x.to)}`);
    lines.push(`  ${' '.repeat(26)} ${esc(x.message, 300)}`);
  }
  if (shown.length > 200) lines.push(`  … ${shown.length - 200} more (see --format json)`);
  if (sys) lines.push(`  + ${sys} change(s) in system namespaces (see --format json)`);
  if (!d.controls.length && !d.resources.length) lines.push('no change');
  return `${lines.join('\n')}\n`;
}
