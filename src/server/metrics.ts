import { Gauge, Registry } from 'prom-client';
import type { StatusCounts } from '../model/index.js';
import { STATUSES, emptyCounts } from '../model/index.js';
import { escapeTerminal } from '../report/escape.js';
import type { DashboardData } from './data.js';
import type { ScoreCounts } from './types.js';

/**
 * Prometheus metrics of the newest run of every cluster, read from the store at each scrape, in a
 * registry of their own (never prom-client's global one). Label values are bounded: clusters,
 * checklist sections, control ids, severities and statuses — never resource names.
 */

const CLUSTER = ['cluster', 'cluster_key'] as const;

/** A label value from the cluster: control and bidi characters made visible, length bounded. */
export function labelValue(v: string): string {
  return escapeTerminal(v, 120);
}

/** A percentage (one decimal) as a ratio without floating-point noise (33.3 → 0.333). */
const ratio = (percent: number) => Number((percent / 100).toFixed(4));

export interface Metrics {
  readonly contentType: string;
  /** Read the store and render the exposition text (scrapes are serialised). */
  render(): Promise<string>;
}

export function createMetrics(data: DashboardData, deps: { toolVersion: string; score: ScoreCounts; log?: (line: string) => void }): Metrics {
  const registry = new Registry();
  const gauge = <T extends string>(name: string, help: string, labelNames: readonly T[]) => new Gauge<T>({ name, help, labelNames, registers: [registry] });

  const info = gauge('eks_soc2_info', 'The eks-soc2 dashboard serving these metrics (always 1)', ['version']);
  const up = gauge('eks_soc2_store_up', '1 when the evidence store answered this scrape, 0 when it did not', []);
  const scrape = gauge('eks_soc2_scrape_duration_seconds', 'Time taken to read these metrics from the evidence store', []);
  const clusters = gauge('eks_soc2_clusters', 'Clusters in the evidence store', []);
  const perCluster = {
    runs: gauge('eks_soc2_runs_stored', 'Runs stored for the cluster', CLUSTER),
    lastRun: gauge('eks_soc2_last_run_timestamp_seconds', 'Time the evidence of the newest run describes (Unix seconds)', CLUSTER),
    lastStored: gauge('eks_soc2_last_run_stored_timestamp_seconds', 'Time the newest run was written to the store (Unix seconds)', CLUSTER),
    duration: gauge('eks_soc2_last_run_duration_seconds', 'How long the newest run took to collect and evaluate', CLUSTER),
    score: gauge('eks_soc2_score_ratio', 'Share (0-1) of applicable controls that pass or are waived in the newest run', CLUSTER),
    gaps: gauge('eks_soc2_evidence_gaps', 'Evidence the newest run could not collect (permission, network or service gaps)', CLUSTER),
    findings: gauge('eks_soc2_findings', 'Findings of the newest run by status: pass, fail, warn (a failed recommended rule, never a failure), waived (system namespaces excluded)', [...CLUSTER, 'status']),
    sectionScore: gauge('eks_soc2_section_score_ratio', 'Share (0-1) of applicable controls of the checklist section that pass or are waived in the newest run', [...CLUSTER, 'section']),
    controls: gauge('eks_soc2_controls', 'Controls of the newest run by checklist section and status', [...CLUSTER, 'section', 'status']),
    controlStatus: gauge('eks_soc2_control_status', 'Status of each control in the newest run: 1 for its status, 0 for the others', [...CLUSTER, 'control', 'section', 'severity', 'status']),
    controlFailing: gauge('eks_soc2_control_failing_findings', 'Failing findings of each control in the newest run', [...CLUSTER, 'control', 'section']),
    controlWarnings: gauge('eks_soc2_control_warning_findings', 'Warning findings (failed recommended rules) of each control in the newest run', [...CLUSTER, 'control', 'section']),
  };

  async function collect(): Promise<string> {
    const t0 = performance.now();
    for (const g of Object.values(perCluster)) g.reset();
    clusters.reset();
    info.set({ version: deps.toolVersion }, 1);
    try {
      const all = await data.metrics();
      clusters.set(all.length);
      for (const c of all) {
        const l = { cluster: labelValue(c.ref.label), cluster_key: labelValue(c.ref.key) };
        perCluster.runs.set(l, c.runs);
        const r = c.latest;
        if (!r) continue;
        perCluster.lastRun.set(l, Date.parse(r.at) / 1000);
        perCluster.lastStored.set(l, Date.parse(r.storedAt) / 1000);
        perCluster.duration.set(l, r.durationSeconds);
        perCluster.score.set(l, ratio(r.score));
        perCluster.gaps.set(l, r.gaps);
        for (const s of ['pass', 'fail', 'warn', 'waived'] as const) perCluster.findings.set({ ...l, status: s }, r.findings[s]);
        const bySection = new Map<string, StatusCounts>();
        for (const ctl of c.controls) {
          let counts = bySection.get(ctl.section);
          if (!counts) bySection.set(ctl.section, (counts = emptyCounts()));
          counts[ctl.status]++;
          const cl = { ...l, control: labelValue(ctl.id), section: ctl.section };
          for (const s of STATUSES) perCluster.controlStatus.set({ ...cl, severity: ctl.severity, status: s }, s === ctl.status ? 1 : 0);
          perCluster.controlFailing.set(cl, ctl.failing);
          perCluster.controlWarnings.set(cl, ctl.warnings);
        }
        for (const [section, counts] of bySection) {
          perCluster.sectionScore.set({ ...l, section }, ratio(deps.score(counts)));
          for (const s of STATUSES) perCluster.controls.set({ ...l, section, status: s }, counts[s]);
        }
      }
      up.set(1);
    } catch (err) {
      up.set(0);
      deps.log?.(`metrics: the evidence store did not answer: ${err instanceof Error ? err.message : String(err)}`);
    }
    scrape.set((performance.now() - t0) / 1000);
    return registry.metrics();
  }

  let chain: Promise<unknown> = Promise.resolve();
  return {
    contentType: registry.contentType,
    render() {
      const next = chain.then(collect, collect);
      chain = next.catch(() => undefined);
      return next;
    },
  };
}
