import type { CheckContext, K8sObject, ResourceRef } from '../../model/index.js';
import { clusterScope, listSome, pct } from './scanners.js';

/** One object a coverage ratio counts (a workload with a vulnerability report, an image with a signature). */
export interface CoverageItem {
  resource: K8sObject | ResourceRef;
  message: string;
  /** How the item is named in the cluster-wide summary. */
  label: string;
  /** A system-namespace object: judged and reported separately, kept out of the ratio. */
  system?: boolean;
}

/**
 * A coverage ratio against a threshold (rule `rule`, required, reported once on the cluster) and every
 * object judged on its own (rule `itemRule`, recommended: a gap is a warning however high the ratio,
 * so owners see it and auditors can sample it). `unknown` items could be covered or not (their
 * evidence was not read): the ratio is proven below the threshold only if it stays below when every
 * unknown item is counted as covered, and proven above it only when it holds with none of them;
 * otherwise the ratio is not evaluated. System-namespace items get their findings and count in neither.
 */
export function judgeCoverage(
  ctx: CheckContext,
  opts: {
    rule: string;
    itemRule: string;
    what: string;
    threshold: number;
    covered: CoverageItem[];
    missing: CoverageItem[];
    unknown?: (CoverageItem & { reason: string })[];
  },
): void {
  const unknown = opts.unknown ?? [];
  for (const c of opts.covered) ctx.pass(c.resource, opts.itemRule, c.message);
  for (const m of opts.missing) ctx.fail(m.resource, opts.itemRule, m.message);
  for (const u of unknown) ctx.unevaluated(opts.itemRule, u.reason, u.resource);

  const counted = (list: readonly CoverageItem[]) => list.filter((x) => !x.system);
  const covered = counted(opts.covered);
  const missing = counted(opts.missing);
  const open = counted(unknown);
  const total = covered.length + missing.length + open.length;
  const low = pct(covered.length, total);
  const high = pct(covered.length + open.length, total);
  const summary = `${covered.length} of ${total} ${opts.what} (${low} %, threshold ${opts.threshold} %)`;
  const details = { covered: covered.length, total, unknown: open.length, percent: low, threshold: opts.threshold, missing: missing.map((m) => m.label).slice(0, 50) };
  if (high < opts.threshold) {
    ctx.fail(clusterScope(ctx), opts.rule, `${summary}; missing: ${listSome(missing.map((m) => m.label))}${open.length ? ` (${open.length} more not known either way)` : ''}`, { details });
  } else if (low >= opts.threshold) {
    ctx.pass(clusterScope(ctx), opts.rule, summary, details);
  } else {
    ctx.unevaluated(opts.rule, `${summary}; ${open.length} not known either way (${listSome(open.map((u) => u.label))}) decide whether the threshold is met`);
  }
}
