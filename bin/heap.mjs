// Heap sizing of the eks-soc2 process (issue 18 item 9). Plain JavaScript, no dependencies: the
// launcher loads it before anything else.
//
// Node.js sizes its heap from physical memory with a cap (about 4 GB on 64-bit machines, whatever
// the machine holds), and not from a container's memory limit. A scan of a large cluster could
// then run out of heap on a 64 GB machine, or be killed by the kernel in a 2 GB container. The
// launcher gives the commands that read evidence a heap of HEAP_SHARE of the memory available (the
// container's limit when it is lower), unless told otherwise:
//   EKS_SOC2_HEAP_MB=N      that many MiB;  EKS_SOC2_HEAP_MB=off  Node.js's own default;
//   --max-old-space-size in NODE_OPTIONS or on the node command line always wins.
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

/** Share of the memory available given to the heap: the rest is for buffers, SQLite, zlib and the OS. */
export const HEAP_SHARE = 0.7;
/** Smallest heap set: below this, Node.js's default is kept. */
export const MIN_HEAP_MB = 512;
/** Commands that read evidence (the others stay on Node.js's default and start without a re-exec). */
export const HEAVY_COMMANDS = new Set(['scan', 'collect', 'report', 'verify', 'diff', 'history', 'prune']);
export const HEAP_ENV = 'EKS_SOC2_HEAP_MB';
/** Set in the re-executed process, so that it never re-executes again. */
export const HEAP_SET_ENV = 'EKS_SOC2_HEAP_SET';

const MiB = 1024 * 1024;

/** Memory this process may use: physical memory, or the cgroup's limit when it is lower. */
export function availableMemory() {
  const total = totalmem();
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  return constrained > 0 && constrained < total ? constrained : total;
}

/**
 * The --max-old-space-size (MiB) this run should have, or undefined to keep the current heap:
 * not an evidence command, the user chose, or the current limit is already within 10 %.
 */
export function desiredHeapMb(argv = process.argv.slice(2), env = process.env, execArgv = process.execArgv) {
  if (env[HEAP_SET_ENV]) return undefined;
  const command = argv.find((a) => !a.startsWith('-'));
  if (!command || !HEAVY_COMMANDS.has(command)) return undefined;
  const userFlag = /--max[-_]old[-_]space[-_]size/;
  if (execArgv.some((a) => userFlag.test(a)) || userFlag.test(env.NODE_OPTIONS ?? '')) return undefined;
  const setting = (env[HEAP_ENV] ?? '').trim().toLowerCase();
  if (setting === 'off' || setting === '0') return undefined;
  const explicit = Number(setting);
  const mb = setting && Number.isFinite(explicit) && explicit > 0 ? Math.floor(explicit) : Math.floor((availableMemory() * HEAP_SHARE) / MiB);
  if (mb < MIN_HEAP_MB && !(setting && explicit > 0)) return undefined;
  const current = getHeapStatistics().heap_size_limit / MiB;
  if (Math.abs(mb - current) <= current * 0.1) return undefined;
  return mb;
}
