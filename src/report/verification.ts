/**
 * The evidence check of a period report: the store's own `verify` (src/store) run on the clusters
 * the report uses, and the words every period format prints about it — at the top, so that a
 * report built on edited or deleted runs never reads as if nothing happened.
 */
import type { PeriodResult, PeriodVerification } from '../model/index.js';

/**
 * What a period report needs of a store's chain check (`EvidenceStore.verify`'s report), written
 * out here so that renderers import the model only (DESIGN.md "Rooms").
 */
export interface ChainCheck {
  ok: boolean;
  /** What was checked (`EvidenceStore.verify`'s depth). */
  depth?: 'full' | 'rows';
  runsChecked: number;
  clusters: { key: string; runs: number; ok: boolean; head?: { seq: number; hash: string; runId: string }; anchor?: { seq: number; hash: string } }[];
  problems: { kind: string; clusterKey?: string; runId?: string; message: string }[];
}

/** What a period report needs of a store: its label and its chain check. */
export interface VerifiableStore {
  readonly label: string;
  verify(opts: { clusterKeys: readonly string[]; depth?: 'full' | 'rows' }): Promise<ChainCheck>;
}

const MAX_PROBLEMS = 20;

/**
 * Verify the hash chains of the given clusters (each chain as a whole: a chain can only be checked
 * from its anchor to its head, whatever window the report covers). By default in `rows` depth: the
 * chains, the records and the per-control rows a period report is computed from, against the rows
 * digest each record commits to (stored results are re-read only for runs whose record has none);
 * `full` re-reads every stored result and snapshot as `eks-soc2 verify` does.
 */
export async function verifyPeriodEvidence(store: VerifiableStore, clusterKeys: readonly string[], now: Date, depth: 'full' | 'rows' = 'rows'): Promise<PeriodVerification> {
  const v: PeriodVerification = { ok: true, store: store.label, checkedAt: now.toISOString(), depth, runsChecked: 0, clusters: [], problems: [], problemCount: 0 };
  const keys = [...new Set(clusterKeys)];
  // One pass over all the clusters: the store's storage integrity check runs once, not per cluster.
  if (keys.length) {
    const r = await store.verify({ clusterKeys: keys, depth });
    v.ok = r.ok;
    v.runsChecked = r.runsChecked;
    for (const c of r.clusters) {
      v.clusters.push({ key: c.key, ok: c.ok, runs: c.runs, ...(c.head ? { head: c.head } : {}), ...(c.anchor ? { anchor: c.anchor } : {}) });
    }
    // A problem found outside the clusters' chains (storage integrity) counts too.
    if (!r.ok && r.clusters.every((c) => c.ok) && !r.problems.length) v.problemCount++;
    for (const p of r.problems) {
      v.problemCount++;
      if (v.problems.length < MAX_PROBLEMS) {
        v.problems.push({ kind: p.kind, message: p.message, ...(p.clusterKey ? { clusterKey: p.clusterKey } : {}), ...(p.runId ? { runId: p.runId } : {}) });
      }
    }
  }
  return v;
}

export interface VerificationText {
  ok: boolean;
  /** One sentence for the top of a report. */
  headline: string;
  /** One line per cluster: its chain state and head. */
  heads: string[];
  /** One line per problem (the first 20), then "… N more" when there were more. */
  problems: string[];
}

/** The words every format prints about a period's evidence check; undefined when it was not checked. */
export function verificationText(p: Pick<PeriodResult, 'verification'>): VerificationText | undefined {
  const v = p.verification;
  if (!v) return undefined;
  const heads = v.clusters.map((c) => `${c.key}: ${c.runs} run(s), ${c.ok ? 'chain intact' : 'CHAIN BROKEN'}${c.head ? `, head #${c.head.seq} ${c.head.hash} (run ${c.head.runId})` : ''}${c.anchor ? `, from prune checkpoint #${c.anchor.seq}` : ''}`);
  const problems = v.problems.map((x) => `${x.kind}: ${x.message}`);
  if (v.problemCount > v.problems.length) problems.push(`… ${v.problemCount - v.problems.length} more (run \`eks-soc2 verify\`)`);
  const checked = `${v.store}, checked ${v.checkedAt.replace('T', ' ').slice(0, 19)} UTC`;
  const headline = v.ok
    ? v.depth === 'rows'
      ? `Evidence verified: the hash chain of ${v.runsChecked} stored run(s) in ${v.clusters.length} cluster(s) recomputes, and so do the per-control rows this report is computed from (${checked}). \`eks-soc2 verify\` also re-reads every stored result and snapshot.`
      : `Evidence verified: the hash chain of ${v.runsChecked} stored run(s) in ${v.clusters.length} cluster(s) recomputes (${checked}).`
    : `EVIDENCE NOT VERIFIED: the evidence store's hash chain does not verify (${v.problemCount} problem(s) in ${v.store}); stored runs were edited, deleted or reordered, and the figures in this report cannot be trusted. Run \`eks-soc2 verify\` for the details.`;
  return { ok: v.ok, headline, heads, problems };
}
