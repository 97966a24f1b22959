/**
 * Progress where nobody watches a terminal (CI logs, a CronJob): on a stderr that is not a TTY (or
 * with CI set), a phase that lasts prints one plain line every EKS_SOC2_PROGRESS_INTERVAL_MS
 * (default 10 s) — the phase, what it has done so far, the time elapsed — and a last line when it
 * ends, if it printed any. Never a spinner or a carriage return; nothing for a phase shorter than
 * one interval; nothing with --quiet. On a TTY the interactive progress of each collector is kept.
 */
import { EXIT, UserError } from './errors.js';

export const PROGRESS_INTERVAL_ENV = 'EKS_SOC2_PROGRESS_INTERVAL_MS';
export const DEFAULT_PROGRESS_INTERVAL_MS = 10_000;

export function progressIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = env[PROGRESS_INTERVAL_ENV];
  if (v === undefined || v.trim() === '') return DEFAULT_PROGRESS_INTERVAL_MS;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 3_600_000) throw new UserError(`${PROGRESS_INTERVAL_ENV}="${v}" must be a whole number of milliseconds from 1 to 3600000`, EXIT.USAGE);
  return n;
}

/** True when progress goes out as periodic plain lines (stderr not a TTY, or CI), unless quiet. */
export function plainProgress(quiet: boolean | undefined, stream: { isTTY?: boolean } = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  return !quiet && (stream.isTTY !== true || Boolean(env.CI));
}

export interface Phase {
  /** Stop the ticker; print the closing line when a progress line was printed (or always, with `force`). */
  end(summary?: string, o?: { force?: boolean }): void;
}

const elapsed = (ms: number) => `${(ms / 1000).toFixed(1)} s elapsed`;

/**
 * Start a phase: `status()` says what has been done so far ("1,234 objects, 56 requests"). Returns
 * a no-op phase when progress is not plain (TTY or quiet).
 */
export function startPhase(name: string, status: () => string, o: { quiet?: boolean; stream?: { isTTY?: boolean; write(s: string): unknown }; env?: NodeJS.ProcessEnv } = {}): Phase {
  const stream = o.stream ?? process.stderr;
  const env = o.env ?? process.env;
  if (!plainProgress(o.quiet, stream, env)) return { end: () => {} };
  const interval = progressIntervalMs(env);
  const started = Date.now();
  let printed = false;
  const line = (what: string) => { stream.write(`eks-soc2: progress: ${name} — ${what}; ${elapsed(Date.now() - started)}\n`); };
  const timer = setInterval(() => {
    printed = true;
    line(status());
  }, interval);
  timer.unref();
  return {
    end: (summary, e = {}) => {
      clearInterval(timer);
      if (printed || e.force) line(`done: ${summary ?? status()}`);
    },
  };
}
