import type { ControlResult, EffectiveConfig, Remediation, RunResult, Snapshot } from '../model/index.js';
import { defaultConfig } from '../model/index.js';
import { kubectlPatch, materialise } from './apply.js';
import { FixContext } from './context.js';
import type { SnapshotIndex } from '../engine/index.js';
import { planFixes } from './plan.js';
import { sh } from './shell.js';
import { visible } from './render.js';

/**
 * The remediation a scan shows, with what the evidence knows filled in: the catalog's commands with
 * the cluster name, region and account instead of `$CLUSTER_NAME`, `$AWS_REGION`, `$ACCOUNT_ID`, and
 * for a control with failing or warning findings the exact commands `eks-soc2 fix` would give for
 * them (AWS CLI calls with the real ids, `kubectl patch` of the real objects), at most a few per
 * control. Only the commands change: the status, findings and counts are never touched (a renderer
 * never recomputes status, and neither does this).
 */

/** Exact commands shown per control; the rest is one `eks-soc2 fix` call away. */
export const MAX_COMMANDS = 12;
/** Findings planned per control for the scan's remediation (a 150,000-pod scan stays fast). */
const PLANNED_PER_CONTROL = 25;

export function fillRemediation(run: RunResult, snapshot: Snapshot, config: EffectiveConfig = defaultConfig(), index?: SnapshotIndex): RunResult {
  const ctx = new FixContext(run, snapshot, config, undefined, index);
  const values: Record<string, string | undefined> = {
    CLUSTER_NAME: ctx.cluster.name,
    AWS_REGION: ctx.cluster.region,
    ACCOUNT_ID: ctx.cluster.accountId,
  };
  let plan;
  try {
    plan = planFixes(run, snapshot, { level: 'review', config, limitPerControl: PLANNED_PER_CONTROL, context: ctx });
  } catch {
    plan = undefined; // the remediation stays the catalog's: a fixer problem never fails a scan
  }
  const patches = plan ? materialise(plan, { read: () => undefined, renderedOnly: true }).patches : [];
  for (const c of run.controls) {
    const exact: string[] = [];
    if (plan && (c.counts.fail > 0 || c.counts.warn > 0)) {
      for (const s of plan.commands) if (s.control === c.id) exact.push(s.command);
      for (const p of patches) if (p.changes.some((x) => x.control === c.id)) exact.push(kubectlPatch(p));
      // One line per command (renderers show commands line by line); JSON is YAML to kubectl.
      for (const n of plan.newObjects) if (n.control === c.id) exact.push(`echo ${sh(JSON.stringify(n.object))} | kubectl apply -f -`);
    }
    c.remediation = filled(c, values, exact);
    // The commands now hold names from the input: control and bidi characters are shown, not obeyed,
    // in every renderer (none of them escapes commands: they used to be the catalog's own text).
    if (c.remediation.commands) c.remediation.commands = c.remediation.commands.map(visible);
  }
  return run;
}

function filled(c: ControlResult, values: Record<string, string | undefined>, exact: string[]): Remediation {
  const fill = (cmd: string) => cmd.replace(/\$([A-Z][A-Z0-9_]*)/g, (m, name: string) => {
    const v = values[name];
    // Inside a double-quoted or single-quoted JSON argument a quoted value would break the quoting.
    return v === undefined ? m : sh(v);
  });
  const generic = (c.remediation.commands ?? []).map(fill);
  let commands: string[];
  if (exact.length) {
    const shown = exact.slice(0, MAX_COMMANDS);
    const more = exact.length - shown.length;
    const truncated = c.counts.fail + c.counts.warn > PLANNED_PER_CONTROL;
    commands = [...shown, ...(more > 0 || truncated ? [`# … ${more > 0 ? `${more} more, ` : ''}all of them with: eks-soc2 fix --control ${c.id} --level review`] : [])];
  } else {
    commands = generic;
  }
  return { ...c.remediation, ...(commands.length ? { commands } : {}) };
}
