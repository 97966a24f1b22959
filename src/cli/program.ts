import { Command, CommanderError } from 'commander';
import { EXIT, UserError } from './errors.js';
import { ObjectBudgetExceeded } from '../collectors/limits.js';
import { toolVersion } from './version.js';
import { registerScan } from './commands/scan.js';
import { registerControls } from './commands/controls.js';
import { registerHistory } from './commands/history.js';
import { registerDiff } from './commands/diff.js';
import { registerVerify } from './commands/verify.js';
import { registerReport } from './commands/report.js';
import { registerPrune } from './commands/prune.js';
import { registerCollect } from './commands/collect.js';
import { registerFormats } from './commands/formats.js';
import { registerServe } from './commands/serve.js';
import { registerFix } from './commands/fix.js';
import { appliedEnv, installEnv, parseEnvBoolean } from './env.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('eks-soc2')
    .description('Prove an Amazon EKS environment meets SOC 2 (Type II) controls: collect evidence read-only, evaluate every control, keep the history, report.')
    .version(toolVersion(), '-V, --version')
    .option('--debug', 'print stack traces for errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerScan(program);
  registerFix(program);
  registerControls(program);
  registerHistory(program);
  registerDiff(program);
  registerVerify(program);
  registerReport(program);
  registerPrune(program);
  registerCollect(program);
  registerFormats(program);
  registerServe(program);
  installEnv(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug') || parseEnvBoolean(process.env.EKS_SOC2_DEBUG ?? '') === true;
  if (debug) {
    // The heap the launcher gave this run (bin/heap.mjs) and the objects it can evaluate (docs/limits.md).
    const { getHeapStatistics } = await import('node:v8');
    const { objectBudget } = await import('../collectors/limits.js');
    const mb = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
    process.stderr.write(`eks-soc2: heap limit ${mb} MiB${process.env.EKS_SOC2_HEAP_SET ? ' (sized by the launcher)' : ''}, object budget ${objectBudget().toLocaleString('en-US')}\n`);
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return EXIT.USAGE;
    }
    if (err instanceof ObjectBudgetExceeded) {
      // More input than the heap holds: one message with the fix, before V8 runs out of memory.
      process.stderr.write(`eks-soc2: ${err.message}\n  fix: ${err.fix}\n`);
      return EXIT.USAGE;
    }
    if (err instanceof UserError) {
      process.stderr.write(`eks-soc2: ${err.message}\n${err.fix ? `  fix: ${err.fix}\n` : ''}`);
      // A bad value that came from the environment: name the variable, not only the flag.
      for (const e of appliedEnv()) if (err.message.includes(e.flag)) process.stderr.write(`  note: ${e.flag} was set by ${e.name}="${e.value}"\n`);
      if (debug) process.stderr.write(`${err.stack}\n`);
      return err.exitCode;
    }
    process.stderr.write(`eks-soc2: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.stderr.write(debug && err instanceof Error ? `${err.stack}\n` : '  (run with --debug for details, and please report it)\n');
    return EXIT.USAGE;
  }
}

