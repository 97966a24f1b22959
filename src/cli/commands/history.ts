import type { Command } from 'commander';
import type { ClusterInfo, RunInfo } from '../../store/index.js';
import { escapeTerminal as esc } from '../../report/escape.js';
import { UserError } from '../errors.js';
import { addStoreUrlOption, readStoreTarget, selectClusters, withStore } from '../sources/store.js';

interface HistoryOptions {
  store?: string;
  cluster?: string;
  last?: string;
  from?: string;
  to?: string;
  format: string;
}

export interface HistoryJson {
  store: string;
  clusters: (ClusterInfo & { history: RunInfo[] })[];
}

export function registerHistory(program: Command): void {
  const cmd = program
    .command('history')
    .description('list the stored runs of each cluster, with score and control counts')
    .option('--cluster <name>', 'only this cluster (store key, name, ARN or kubeconfig context)')
    .option('--last <n>', 'only the newest N runs per cluster')
    .option('--from <date>', 'only runs at or after this date/time')
    .option('--to <date>', 'only runs at or before this date/time (a date includes the whole day)')
    .option('--format <format>', 'terminal or json', 'terminal');
  addStoreUrlOption(cmd);
  cmd.action(async (opts: HistoryOptions) => {
    process.exitCode = await runHistory(opts);
  });
}

function bound(v: string | undefined, flag: string, end: boolean): string | undefined {
  if (!v) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T${end ? '23:59:59.999' : '00:00:00.000'}Z`) : Date.parse(v);
  if (Number.isNaN(ms)) throw new UserError(`${flag} "${v}" is not a date (YYYY-MM-DD) or an ISO timestamp`);
  return new Date(ms).toISOString();
}

async function runHistory(opts: HistoryOptions): Promise<number> {
  if (opts.format !== 'terminal' && opts.format !== 'json') throw new UserError(`--format must be terminal or json (got "${opts.format}")`);
  let last: number | undefined;
  if (opts.last !== undefined) {
    last = Number(opts.last);
    if (!Number.isInteger(last) || last < 1) throw new UserError(`--last must be a positive whole number (got "${opts.last}")`);
  }
  const from = bound(opts.from, '--from', false);
  const to = bound(opts.to, '--to', true);
  const target = await readStoreTarget(opts.store);
  const out = await withStore(target, 'read', async (store) => {
    const clusters = selectClusters(await store.clusters(), opts.cluster, store.label);
    const result: HistoryJson = { store: store.label, clusters: [] };
    for (const c of clusters) {
      const history = await store.runs({ clusterKey: c.key, ...(from ? { from } : {}), ...(to ? { to } : {}), ...(last ? { last } : {}) });
      result.clusters.push({ ...c, history });
    }
    return result;
  });
  if (opts.format === 'json') {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [];
  if (!out.clusters.length) lines.push(`no runs in ${out.store}`);
  else lines.push('PASS … ERR: controls by status; GAPS: evidence not collected; WARN: warning findings (failed recommended rules)', '');
  for (const c of out.clusters) {
    const id = c.cluster;
    lines.push(`${esc(id.name ?? id.context ?? c.key, 120)}  ${[id.accountId, id.region].filter(Boolean).map((x) => esc(String(x), 40)).join(' · ')}  (store key ${esc(c.key, 200)})`);
    lines.push(`  ${c.runs} run(s) stored; chain head #${c.head.seq} ${c.head.hash}`);
    if (!c.history.length) {
      lines.push('  no run matches the filter');
      lines.push('');
      continue;
    }
    lines.push(`  ${'RUN'.padEnd(24)} ${'AT (UTC)'.padEnd(16)} ${'SCORE'.padStart(6)} ${'PASS'.padStart(5)} ${'FAIL'.padStart(5)} ${'MAN'.padStart(4)} ${'WAIV'.padStart(5)} ${'N/A'.padStart(4)} ${'ERR'.padStart(4)} ${'GAPS'.padStart(5)} ${'WARN'.padStart(5)}  SNAPSHOT`);
    for (const r of c.history) {
      const k = r.controls;
      const redated = Math.abs(Date.parse(r.storedAt) - Date.parse(r.at)) > 86_400_000 ? `  (stored ${r.storedAt.slice(0, 16).replace('T', ' ')})` : '';
      lines.push(`  ${r.runId.padEnd(24)} ${r.at.slice(0, 16).replace('T', ' ').padEnd(16)} ${`${r.score}%`.padStart(6)} ${String(k.pass).padStart(5)} ${String(k.fail).padStart(5)} ${String(k.manual).padStart(4)} ${String(k.waived).padStart(5)} ${String(k['not-applicable']).padStart(4)} ${String(k.error).padStart(4)} ${String(r.gaps).padStart(5)} ${String(r.findings.warn).padStart(5)}  ${r.snapshotDigest.slice(0, 19)}…${redated}`);
    }
    lines.push('');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
