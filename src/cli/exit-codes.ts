/**
 * The one exit-code policy of every command that evaluates or collects (README "Exit codes").
 *
 * Precedence, most fundamental problem first: 2 (usage or input error) > 3 (evidence not
 * collected: a collection gap left a control `error`, no AWS credentials) > 1 (a failure at or
 * above --fail-on, or a warning with --fail-on-warn) > 0. A run with missing evidence cannot be a
 * complete gate, so it says so (3) even when some controls fail; its failures are printed anyway.
 * Fleet scans combine their clusters' codes with the same order (`worstExit`).
 */
import type { RunResult, Severity } from '../model/index.js';
import { severityRank } from '../model/index.js';
import { EXIT } from './errors.js';

/** Rank of each code in the precedence (higher wins); an unknown code ranks above all (it is not ours). */
const RANK: Record<number, number> = { [EXIT.OK]: 0, [EXIT.FAILURES]: 1, [EXIT.EVIDENCE]: 2, [EXIT.USAGE]: 3 };

/** The code that wins among several (several clusters of a fleet, several problems of one run): 2 > 3 > 1 > 0. */
export function worstExit(codes: Iterable<number>): number {
  let worst: number = EXIT.OK;
  for (const c of codes) if ((RANK[c] ?? 4) > (RANK[worst] ?? 4)) worst = c;
  return worst;
}

/** True when an input file could not be read as it should: the run exits 2 (README "Exit codes"). */
export function hasInputProblems(run: Pick<RunResult, 'gaps'>): boolean {
  return run.gaps.some((g) => g.source === 'files' && g.reason !== 'skipped');
}

/**
 * True when a collection gap (a permission, network, credential or service gap, which `gaps`
 * names) left a control undecided: whether the check said what was missing, scoped it to a rule or
 * to one resource (error findings), or stopped on a failed call. A control whose evidence is simply
 * not among the -f input files is not a collection gap.
 */
export function hasEvidenceGaps(run: Pick<RunResult, 'gaps' | 'controls'>): boolean {
  return run.gaps.some((g) => g.source !== 'files') && run.controls.some((c) => c.status === 'error');
}

export interface ExitPolicy {
  failOn: Severity | 'never';
  /** Warnings outside the system namespaces count as failures (--fail-on-warn, config failOnWarn). */
  failOnWarn?: boolean;
}

/** True when the run fails the gate: a failing control at or above `failOn`, or (with failOnWarn) a warning. */
export function hasGateFailures(run: Pick<RunResult, 'controls'>, policy: ExitPolicy): boolean {
  if (policy.failOn !== 'never') {
    const threshold = severityRank(policy.failOn);
    if (run.controls.some((c) => c.status === 'fail' && c.failSeverity && severityRank(c.failSeverity) >= threshold)) return true;
  }
  // `counts` leaves out the system namespaces; a waived warning is `waived`, not `warn`.
  return Boolean(policy.failOnWarn) && run.controls.some((c) => c.counts.warn > 0);
}

/** Exit code of one evaluated run, by the precedence above. */
export function exitCodeFor(run: Pick<RunResult, 'gaps' | 'controls'>, policy: ExitPolicy): number {
  // Unreadable or malformed input is an input error whatever --fail-on says: binary or undecodable
  // files, documents that are not objects, objects of a shape the API server refuses. Documents
  // that are not Kubernetes objects at all and skipped template sources are only reported ('skipped').
  if (hasInputProblems(run)) return EXIT.USAGE;
  if (hasEvidenceGaps(run)) return EXIT.EVIDENCE;
  if (hasGateFailures(run, policy)) return EXIT.FAILURES;
  return EXIT.OK;
}
