#!/usr/bin/env node
// The CLI entry point (bin/eks-soc2.mjs imports it). Everything else lives in program.ts.

// `eks-soc2 … | head`: a closed pipe ends the output quietly instead of an unhandled EPIPE crash;
// stdout on a full disk (`> report.json`) is one clear message and exit 2, not a stack trace.
for (const [name, stream] of [['standard output', process.stdout], ['standard error', process.stderr]] as const) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    const what = err.code === 'ENOSPC' ? 'the disk is full (ENOSPC)' : err.code === 'EDQUOT' ? 'the disk quota is exhausted (EDQUOT)' : err.code ?? err.message;
    if (stream !== process.stderr) process.stderr.write(`eks-soc2: cannot write to ${name}: ${what}; the output is incomplete\n`);
    process.exit(2);
  });
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // The one question that needs none of the commands: answer it without loading them (start-up).
  const { toolVersion } = await import('./version.js');
  process.stdout.write(`${toolVersion()}\n`);
} else {
  const { main } = await import('./program.js');
  process.exitCode = await main(process.argv);
}
