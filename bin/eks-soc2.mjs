#!/usr/bin/env node
// eks-soc2 launcher. Plain JavaScript so that it can explain itself (or hop onto the Node.js
// LTS installed in .node/ of a source checkout) when started by an old Node.js, and size the heap
// of the commands that read evidence from the machine (bin/heap.mjs).
const major = Number(process.versions.node.split('.')[0]);
if (major >= 22) {
  const { HEAP_SET_ENV, desiredHeapMb } = await import('./heap.mjs');
  const mb = desiredHeapMb();
  if (mb !== undefined) {
    // Started again with the heap it needs (the flag cannot be set once V8 runs): execve keeps the
    // process id, so signals and exit codes are the caller's as before; Node.js < 22.15 has no
    // execve and waits for a child instead.
    const argv = [`--max-old-space-size=${mb}`, ...process.execArgv, ...process.argv.slice(1)];
    const env = { ...process.env, [HEAP_SET_ENV]: String(mb) };
    if (typeof process.execve === 'function') process.execve(process.execPath, [process.execPath, ...argv], env);
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, argv, { stdio: 'inherit', env });
    process.exit(r.status ?? (r.signal ? 128 : 1));
  }
  await import('../dist/cli/main.js');
} else {
  const { runChild, suitableNode } = await import('../scripts/node-lts.mjs');
  const node = suitableNode();
  if (!node) {
    process.stderr.write(`eks-soc2 needs Node.js >= 22 (this is ${process.version}). Install a current Node.js LTS.\n`);
    process.exit(2);
  }
  const { fileURLToPath } = await import('node:url');
  // Signals reach the child (kill of `serve` stops the server) and its exit code or signal is ours.
  await runChild(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)]);
}
