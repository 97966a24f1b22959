#!/usr/bin/env node
// Run a Node.js script under Node.js >= 22: the running node when it is new enough, otherwise the
// LTS binary that scripts/ensure-node.mjs installed into .node/. Used by the npm scripts so that
// `npm test` and `npm run build` work as written on machines whose default node is older.
import { dirname } from 'node:path';
import { MIN_MAJOR, runChild, suitableNode } from './node-lts.mjs';

const node = suitableNode();
if (!node) {
  console.error(`Node.js >= ${MIN_MAJOR} is required (this is ${process.version}). Run \`node scripts/ensure-node.mjs\` or install a current LTS.`);
  process.exit(2);
}
const [script, ...args] = process.argv.slice(2);
const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` };
await runChild(node, [script, ...args], env);
