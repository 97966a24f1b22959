import type { ClusterIdentity, PeriodResult, StatusCounts, VerdictThresholds } from '../model/index.js';
import type { EvidenceStore, PeriodData } from '../store/index.js';

/**
 * What the dashboard needs from outside its room. The server imports store, report and model only
 * (DESIGN.md); the engine's period statistics and score, and the CLI's period renderers, are
 * injected by `eks-soc2 serve` (src/cli/commands/serve.ts).
 */

/** One cluster's stored rows, as the period computation takes them (the engine's PeriodClusterInput). */
export interface PeriodInput extends PeriodData {
  key: string;
  cluster: ClusterIdentity;
}

export interface PeriodComputeOptions {
  from: string;
  to: string;
  generatedAt: Date;
  toolVersion: string;
  thresholds?: Partial<VerdictThresholds>;
}

/** The engine's `computePeriod`. */
export type ComputePeriod = (clusters: readonly PeriodInput[], opts: PeriodComputeOptions) => PeriodResult;

/** The engine's `score`: share of applicable controls that pass or are waived, in percent. */
export type ScoreCounts = (counts: StatusCounts) => number;

/** A period report format the dashboard can export (one of the CLI's period renderers). */
export interface PeriodExport {
  /** File extension of the download (`html`, `oscal.json`...). */
  ext: string;
  description: string;
  render(period: PeriodResult, write: (chunk: string | Uint8Array) => void, opts?: { signal?: AbortSignal }): Promise<void> | void;
}

export interface DashboardOptions {
  store: EvidenceStore;
  computePeriod: ComputePeriod;
  score: ScoreCounts;
  /** Period report formats offered for download, by name (`html`, `csv`, `pdf`...). */
  periodFormats?: Record<string, PeriodExport>;
  toolVersion: string;
  /** When set, every API and metrics request must carry `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * Address the server listens on. Without a token, only requests whose Host header names a
   * loopback address are answered (a defence against DNS rebinding).
   */
  host?: string;
  /** The dashboard's clock (tests pin it). */
  now?: () => Date;
  /** One line per request (method, path, status, time) and per server problem. Never headers. */
  log?: (line: string) => void;
  /** Folder of the static UI (default: `web/` of the package). */
  webRoot?: string;
  /** Connections held open at once (default DEFAULT_MAX_CONNECTIONS); beyond, the oldest idle ones are closed. */
  maxConnections?: number;
  /** Server timeouts (ms), for tests; defaults in DASHBOARD_TIMEOUTS. */
  timeouts?: Partial<DashboardTimeouts>;
}

/** The dashboard's HTTP timeouts, milliseconds (docs/dashboard.md "Limits"). */
export interface DashboardTimeouts {
  /** To receive a request's headers, from the connection's first byte. */
  headers: number;
  /** To receive a whole request. */
  request: number;
  /** An idle keep-alive connection between requests. */
  keepAlive: number;
  /** A connection with no activity at all (covers a slow export as long as it answers within it). */
  idle: number;
}
