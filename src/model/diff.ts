import type { FindingStatus, Severity, Status } from './common.js';
import type { ClusterIdentity } from './snapshot.js';
import type { ResourceRef } from './result.js';
import type { SectionId } from './control.js';

/**
 * What changed between two runs (`eks-soc2 diff`): configuration drift seen at the level of
 * controls and of the resources they judged. Renderers draw it; they never recompute it.
 */
export const DIFF_SCHEMA = 'eks-soc2/diff@1' as const;

export interface RunDiffSide {
  runId?: string;
  /** Time the evidence describes. */
  at: string;
  cluster: ClusterIdentity;
  clusterKey?: string;
  score: number;
  snapshotDigest?: string;
  catalogVersion: string;
  toolVersion: string;
}

/**
 * - `newly-failing`: fails now, did not before (or did not exist before);
 * - `fixed`: failed before, passes now (for a resource: or is gone); never when the failures only became
 *   warnings (fail → warn is a re-classification of the rule: `changed`);
 * - `changed`: any other change of status (e.g. pass → waived, fail → waived, pass → error, fail → warn);
 * - `added` / `removed`: the control was evaluated in only one of the two runs.
 */
export type DiffChange = 'newly-failing' | 'fixed' | 'changed' | 'added' | 'removed';

export interface ControlChange {
  id: string;
  title: string;
  section: SectionId;
  severity: Severity;
  change: DiffChange;
  from?: Status;
  to?: Status;
  /** Failing (non-system) findings in each run. */
  failingFrom: number;
  failingTo: number;
  /**
   * Resources that failed before and only warn now (their rule is recommended in the newer run):
   * a re-classification, not a fix, so such a control reads `changed`, never `fixed`.
   */
  reclassified?: number;
}

export interface ResourceChange {
  control: string;
  rule: string;
  resource: ResourceRef;
  change: Exclude<DiffChange, 'added' | 'removed'>;
  /** Status of the resource under this rule in each run; absent when it was not reported. */
  from?: FindingStatus;
  to?: FindingStatus;
  severity?: Severity;
  /** Message of the newer finding (or of the older one when the resource is gone). */
  message: string;
  /** In a system namespace: reported, not counted in the control's status. */
  system?: boolean;
}

export interface RunDiff {
  schema: typeof DIFF_SCHEMA;
  from: RunDiffSide;
  to: RunDiffSide;
  /** False when the two runs are of different clusters (allowed, but worth saying). */
  sameCluster: boolean;
  summary: {
    controls: Record<DiffChange, number> & { unchanged: number };
    resources: Record<Exclude<DiffChange, 'added' | 'removed'>, number>;
    scoreDelta: number;
  };
  controls: ControlChange[];
  resources: ResourceChange[];
}
