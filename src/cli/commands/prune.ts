import type { Command } from 'commander';
import { escapeTerminal as esc } from '../../report/escape.js';
import { UserError } from '../errors.js';
import { addStoreUrlOption, readStoreTarget, selectClusters, withStore } from '../sources/store.js';

interface PruneOptions {
  keepDays?: string;
  store?: string;
  cluster?: string;
  dryRun?: boolean;
  format: string;
  now?: string;
}

export function registerPrune(program: Command): void {
  const cmd = program
    .command('prune')
    .description('retention: remove runs older than N days, sealing them in a checkpoint so the hash chain still verifies')
    .requiredOption('--keep-days <n>', 'keep the runs of the last N days (N ≥ 1)')
    .option('--cluster <name>', 'only this cluster (store key, name, ARN or context)')
    .option('--dry-run', 'show what would be removed; change nothing')
    .option('--format <format>', 'terminal or json', 'terminal')
    .option('--now <time>', 'count the N days back from this time instead of now');
  addStoreUrlOption(cmd);
  cmd.addHelpText('after', `
Runs are removed oldest first, per cluster, and only as an unbroken start of the chain: a run that
must be kept stops the removal there, even if older-looking runs follow it. The hash of the last
removed run becomes the chain's anchor, kept in a checkpoint record with the ids and hashes of the
removed runs; \`eks-soc2 verify\` accepts it. A cluster whose chain does not verify is not pruned.
Snapshots no longer used by any run are deleted. On SQLite the file does not shrink by itself:
run \`sqlite3 FILE 'VACUUM'\` afterwards if disk space matters.`)
    .action(async (opts: PruneOptions) => {
      process.exitCode = await runPrune(opts);
    });
}

async function runPrune(opts: PruneOptions): Promise<number> {
  if (opts.format !== 'terminal' && opts.format !== 'json') throw new UserError(`--format must be terminal or json (got "${opts.format}")`);
  const days = Number(opts.keepDays);
  if (!Number.isInteger(days) || days < 1) throw new UserError(`--keep-days must be a whole number of days, 1 or more (got "${opts.keepDays}")`);
  const now = opts.now ? new Date(opts.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new UserError(`--now "${opts.now}" is not a date or time`);
  const before = new Date(now.getTime() - days * 86_400_000);
  const target = await readStoreTarget(opts.store);
  const report = await withStore(target, opts.dryRun ? 'read' : 'write', async (store) => {
    let clusterKey: string | undefined;
    if (opts.cluster) clusterKey = selectClusters(await store.clusters(), opts.cluster, store.label)[0]!.key;
    return { store: store.label, ...(await store.prune({ before, now, ...(clusterKey ? { clusterKey } : {}), ...(opts.dryRun ? { dryRun: true } : {}) })) };
  });
  if (opts.format === 'json') {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const verb = report.dryRun ? 'would remove' : 'removed';
  const lines = [`${report.dryRun ? 'dry run: ' : ''}runs before ${report.cutoff} in ${report.store}`];
  for (const c of report.clusters) {
    lines.push(`  ${esc(c.key, 200)}: ${verb} ${c.removed} run(s), kept ${c.kept}`);
    if (c.checkpoint) lines.push(`    chain anchor (hash of run #${c.checkpoint.seq}): ${c.checkpoint.hash}`);
  }
  if (!report.clusters.length) lines.push('  no cluster in the store');
  lines.push(`${verb} ${report.removedRuns} run(s)${report.dryRun ? '' : ` and ${report.removedSnapshots} snapshot(s) no run uses any more`}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
