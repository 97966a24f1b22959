#!/usr/bin/env node
// eks-soc2 launcher. Plain JavaScript so that it can explain itself (or hop onto the Node.js
// LTS installed in .node/ of a source checkout) when started by an old Node.js.
const major = Number(process.versions.node.split('.')[0]);
if (major >= 22) {
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
