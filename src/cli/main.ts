#!/usr/bin/env node
// The CLI entry point (bin/eks-soc2.mjs imports it). Everything else lives in program.ts.
import { main } from './program.js';

// `eks-soc2 … | head`: a closed pipe ends the output quietly instead of an unhandled EPIPE crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw err;
  });
}

process.exitCode = await main(process.argv);
