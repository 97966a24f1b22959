#!/usr/bin/env node
// The CLI entry point (bin/eks-soc2.mjs imports it). Everything else lives in program.ts.

// `eks-soc2 … | head`: a closed pipe ends the output quietly instead of an unhandled EPIPE crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw err;
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
