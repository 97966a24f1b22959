import type { RunResult } from '../../src/model/index.js';
import { expandRun } from '../../src/model/index.js';
import { evaluate as evaluateCompact } from '../../src/engine/index.js';

/**
 * `evaluate`, with the result in the one-object-per-finding shape (run@2: every finding, passes
 * included, in `findings`), for tests that look for passing findings of a check.
 */
export function evaluate(...args: Parameters<typeof evaluateCompact>): RunResult {
  return expandRun(evaluateCompact(...args));
}
