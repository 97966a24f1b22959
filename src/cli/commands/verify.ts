import type { Command } from 'commander';
import type { VerifyReport } from '../../store/index.js';
import { escapeTerminal as esc } from '../../report/escape.js';
import { EXIT, UserError } from '../errors.js';
import { addStoreUrlOption, readStoreTarget, selectClusters, withStore } from '../sources/store.js';

interface VerifyOptions {
  store?: string;
  cluster?: string;
  expectHead?: string;
  depth: string;
  format: string;
}

export function registerVerify(program: Command): void {
  const cmd = program
    .command('verify')
    .description('check the evidence store: recompute every run\'s hash chain, result and snapshot digest; report edited, deleted or reordered runs')
    .option('--cluster <name>', 'only this cluster (store key, name, ARN or context)')
    .option('--expect-head <hash>', 'a chain head recorded earlier (printed after each stored run): fail unless it is still in the chain')
    .option('--depth <depth>', 'full: every record, stored result, per-control row and snapshot; rows: chains, records and the per-control rows against the digest each record commits to (what period reports read; results re-read only for runs stored before records had that digest, snapshots not read)', 'full')
    .option('--format <format>', 'terminal or json', 'terminal');
  addStoreUrlOption(cmd);
  cmd.addHelpText('after', `
Exit codes: 0 the store verifies; 1 a run was edited, deleted or reordered, a snapshot changed, or
--expect-head is not in the chain; 2 the store cannot be opened.

What it proves: no stored run, result, per-control row or snapshot was changed, removed or
reordered inside the chain since it was written. What it cannot prove on its own: that the whole
store was not replaced by a consistent forgery, or that the newest runs were not removed together
with the head. Record the head hash elsewhere (a ticket, a log, an object-locked bucket) and pass it
with --expect-head to close that gap. See docs/store.md.`)
    .action(async (opts: VerifyOptions) => {
      process.exitCode = await runVerify(opts);
    });
}

async function runVerify(opts: VerifyOptions): Promise<number> {
  if (opts.format !== 'terminal' && opts.format !== 'json') throw new UserError(`--format must be terminal or json (got "${opts.format}")`);
  if (opts.depth !== 'full' && opts.depth !== 'rows') throw new UserError(`--depth must be full or rows (got "${opts.depth}")`);
  const depth = opts.depth;
  if (opts.expectHead !== undefined) {
    const { normaliseDigest } = await import('../../store/index.js');
    if (!normaliseDigest(opts.expectHead)) throw new UserError(`--expect-head "${opts.expectHead}" is not a sha256 hash (64 hex digits, optionally prefixed sha256:)`);
  }
  const target = await readStoreTarget(opts.store);
  const report = await withStore(target, 'read', async (store) => {
    let clusterKey: string | undefined;
    if (opts.cluster) clusterKey = selectClusters(await store.clusters(), opts.cluster, store.label)[0]!.key;
    return store.verify({ ...(clusterKey ? { clusterKey } : {}), ...(opts.expectHead ? { expectHead: opts.expectHead } : {}), depth });
  });
  if (opts.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(renderVerify(report));
  return report.ok ? EXIT.OK : EXIT.FAILURES;
}

export function renderVerify(r: VerifyReport): string {
  const lines = [r.depth === 'rows'
    ? `verified ${r.store} (depth rows): ${r.runsChecked} run(s) in ${r.clusters.length} cluster(s); snapshots not read`
    : `verified ${r.store}: ${r.runsChecked} run(s) in ${r.clusters.length} cluster(s), ${r.snapshotsChecked} snapshot(s)`];
  for (const c of r.clusters) {
    const state = c.ok ? 'chain intact' : 'CHAIN BROKEN';
    const anchor = c.anchor ? `, starts after prune checkpoint #${c.anchor.seq} (${c.anchor.hash})` : '';
    lines.push(`  ${esc(c.key, 200)}: ${c.runs} run(s), ${state}${anchor}`);
    if (c.head) lines.push(`    head #${c.head.seq} ${c.head.hash} (run ${c.head.runId})`);
  }
  if (r.expectHead) {
    const e = r.expectHead;
    lines.push(e.found
      ? `  expected head ${e.hash} found: run ${e.runId} (#${e.seq}) of ${esc(e.clusterKey ?? '', 200)}${e.pruned ? ', since pruned and sealed in a checkpoint' : ''}`
      : `  expected head ${e.hash} NOT FOUND`);
  }
  if (r.ok && r.depth === 'rows') {
    lines.push('OK: every record and per-control row matches its hash, and every chain is unbroken (stored results and snapshots were not all re-read: --depth full checks them).');
  } else if (r.ok) {
    lines.push('OK: every record, result, per-control row and snapshot matches its hash, and every chain is unbroken.');
  } else {
    lines.push(`BROKEN: ${r.problems.length} problem(s):`);
    for (const p of r.problems) lines.push(`  ${p.kind.padEnd(11)} ${esc(p.message, 500)}`);
  }
  return `${lines.join('\n')}\n`;
}
