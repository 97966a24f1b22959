import type { Command } from 'commander';
import { FORMATS } from '../output.js';

/** Formats of `eks-soc2 report` (period), when that command's table is present. */
async function periodFormats(): Promise<Record<string, { description: string }> | undefined> {
  try {
    const mod = (await import('../period-output.js' as string)) as { PERIOD_FORMATS?: Record<string, () => Promise<{ description: string }>> };
    if (!mod.PERIOD_FORMATS) return undefined;
    const out: Record<string, { description: string }> = {};
    for (const [name, load] of Object.entries(mod.PERIOD_FORMATS)) out[name] = await load();
    return out;
  } catch {
    return undefined;
  }
}

export function registerFormats(program: Command): void {
  program
    .command('formats')
    .description('list the report formats (--format) with what each is for')
    .option('--json', 'machine-readable list')
    .action(async (opts: { json?: boolean }) => {
      const scan: { name: string; ext: string; description: string }[] = [];
      for (const [name, load] of Object.entries(FORMATS)) {
        const f = await load();
        scan.push({ name, ext: name === 'terminal' ? 'txt' : f.ext, description: f.description });
      }
      const period = await periodFormats();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ scan, report: period ? Object.entries(period).map(([name, f]) => ({ name, description: f.description })) : [] }, null, 2)}\n`);
        return;
      }
      const width = Math.max(...scan.map((f) => f.name.length), ...Object.keys(period ?? {}).map((n) => n.length)) + 2;
      process.stdout.write('Formats of `eks-soc2 scan --format a,b,c` (with -o DIR each is written to DIR/eks-soc2-report.<ext>):\n\n');
      for (const f of scan) process.stdout.write(`  ${f.name.padEnd(width)}${`.${f.ext}`.padEnd(12)}${f.description}\n`);
      if (period) {
        process.stdout.write('\nFormats of `eks-soc2 report` (an audit period):\n\n');
        for (const [name, f] of Object.entries(period)) process.stdout.write(`  ${name.padEnd(width)}${f.description}\n`);
      }
      process.stdout.write('\nSee docs/reports.md for what each format contains, how it is validated and its limits.\n');
    });
}
