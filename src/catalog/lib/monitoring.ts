import type { AwsFact, Evidence, K8sObject } from '../../model/index.js';
import type { EventSelector, AdvancedEventSelector, GetEventSelectorsResponse, GetTrailStatusResponse, Trail } from '@aws-sdk/client-cloudtrail';
import type { FlowLog } from '@aws-sdk/client-ec2';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { MetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import { out } from './aws.js';
import { agentEligibleNodes, condition, daemonSetReady } from './addons.js';
import { parse } from 'yaml';

/**
 * Helpers of the CC4 monitoring controls: CloudTrail trail evaluation, VPC flow log verdicts,
 * metric filter ↔ alarm matching and DaemonSet agent coverage.
 */

/** The five EKS control-plane log types (EKS API `LogType`). */
export const EKS_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

// ───────────── CloudTrail ─────────────

export interface TrailView {
  trail: Trail;
  fact: AwsFact;
  status?: GetTrailStatusResponse;
  selectors?: GetEventSelectorsResponse;
}

/** Trails from DescribeTrails (shadow copies from other regions merged by ARN), with their status and selectors. */
export function trails(ev: Evidence): TrailView[] {
  const byArn = new Map<string, TrailView>();
  for (const f of ev.aws('cloudtrail:DescribeTrails')) {
    for (const t of out<{ trailList?: Trail[] }>(f)?.trailList ?? []) {
      const key = t.TrailARN ?? `${f.region ?? ''}/${t.Name ?? ''}`;
      if (!byArn.has(key)) byArn.set(key, { trail: t, fact: f });
    }
  }
  const statuses = ev.aws('cloudtrail:GetTrailStatus');
  const selectors = ev.aws('cloudtrail:GetEventSelectors');
  for (const v of byArn.values()) {
    const names = new Set([v.trail.TrailARN, v.trail.Name].filter((x): x is string => Boolean(x)));
    const st = statuses.find((f) => names.has(String(f.params?.Name ?? '')));
    if (st) v.status = out<GetTrailStatusResponse>(st);
    const sel = selectors.find((f) => (v.trail.TrailARN && out<GetEventSelectorsResponse>(f)?.TrailARN === v.trail.TrailARN) || names.has(String(f.params?.TrailName ?? '')));
    if (sel) v.selectors = out<GetEventSelectorsResponse>(sel);
  }
  return [...byArn.values()];
}

/** Whether the selectors log all (read and write) management events; `excluded` lists excluded event sources. */
export function managementEvents(sel: GetEventSelectorsResponse): { all: boolean; partial?: string; excluded: string[] } {
  const basic: EventSelector[] = sel.EventSelectors ?? [];
  const adv: AdvancedEventSelector[] = sel.AdvancedEventSelectors ?? [];
  const excluded = basic.flatMap((s) => s.ExcludeManagementEventSources ?? []);
  if (basic.some((s) => s.IncludeManagementEvents !== false && (s.ReadWriteType ?? 'All') === 'All')) return { all: true, excluded };
  const mgmt = adv.filter((a) => (a.FieldSelectors ?? []).some((f) => f.Field === 'eventCategory' && (f.Equals ?? []).includes('Management')));
  if (mgmt.some((a) => !(a.FieldSelectors ?? []).some((f) => f.Field === 'readOnly'))) {
    const exc = mgmt.flatMap((a) => (a.FieldSelectors ?? []).filter((f) => f.Field === 'eventSource').flatMap((f) => f.NotEquals ?? []));
    return { all: true, excluded: [...excluded, ...exc] };
  }
  const readWrite = new Set(mgmt.flatMap((a) => (a.FieldSelectors ?? []).filter((f) => f.Field === 'readOnly').flatMap((f) => f.Equals ?? [])));
  if (readWrite.has('true') && readWrite.has('false')) return { all: true, excluded };
  const partial = basic.find((s) => s.IncludeManagementEvents !== false)?.ReadWriteType ?? (mgmt.length > 0 ? (readWrite.has('true') ? 'ReadOnly' : 'WriteOnly') : undefined);
  return { all: false, ...(partial ? { partial } : {}), excluded };
}

// ───────────── VPC flow logs ─────────────

export type FlowVerdict = { ok: boolean; low?: boolean; why: string };

/** An ACTIVE flow log capturing ALL traffic that delivers successfully passes; REJECT/ACCEPT-only is a warning. */
export function judgeFlowLog(fl: FlowLog): FlowVerdict {
  const dest = `${fl.LogDestinationType ?? 'cloud-watch-logs'} ${fl.LogDestination ?? fl.LogGroupName ?? ''}`.trim();
  if ((fl.FlowLogStatus ?? 'ACTIVE') !== 'ACTIVE') return { ok: false, why: `${fl.FlowLogId} is ${fl.FlowLogStatus}` };
  if (fl.DeliverLogsStatus && fl.DeliverLogsStatus !== 'SUCCESS') return { ok: false, why: `${fl.FlowLogId} delivery ${fl.DeliverLogsStatus}${fl.DeliverLogsErrorMessage ? `: ${fl.DeliverLogsErrorMessage}` : ''}` };
  if (fl.TrafficType !== 'ALL') return { ok: false, low: true, why: `${fl.FlowLogId} captures ${fl.TrafficType ?? '?'} traffic only (to ${dest}); use ALL` };
  return { ok: true, why: `${fl.FlowLogId} captures ALL traffic to ${dest}` };
}

// ───────────── metric filters and alarms ─────────────

const PATTERNS: [RegExp, string][] = [
  [/system:anonymous/i, 'anonymous access'],
  [/responseStatus\.code\s*=\s*40[13]/i, 'authorization failures'],
  [/(clusterrolebinding|rolebinding|clusterrole)/i, 'RBAC changes'],
  [/subresource\s*=\s*"?(exec|attach|portforward)/i, 'exec/attach into pods'],
  [/secrets/i, 'secret access'],
  [/privileged/i, 'privileged pods'],
  [/UnauthorizedOperation|AccessDenied/i, 'unauthorized API calls'],
  [/ConsoleLogin/i, 'console sign-in'],
  [/(Put|Delete|Stop|Update)(Trail|Logging|EventSelectors)|StopLogging/i, 'CloudTrail changes'],
  [/(AuthorizeSecurityGroup|RevokeSecurityGroup|CreateSecurityGroup|DeleteSecurityGroup)/i, 'security group changes'],
];

/** What a filter pattern watches, in words (empty when not a known security pattern). */
export function classifyPattern(pattern: string | undefined): string[] {
  return PATTERNS.filter(([re]) => re.test(pattern ?? '')).map(([, w]) => w);
}

/** Alarms on any of the filter's metrics (plain metric alarms or metric-math alarms using the metric). */
export function alarmsFor(filter: MetricFilter, alarms: readonly MetricAlarm[]): MetricAlarm[] {
  const metrics = (filter.metricTransformations ?? []).map((t) => `${t.metricNamespace}|${t.metricName}`);
  return alarms.filter((a) => metrics.includes(`${a.Namespace}|${a.MetricName}`) ||
    (a.Metrics ?? []).some((m) => m.MetricStat?.Metric && metrics.includes(`${m.MetricStat.Metric.Namespace}|${m.MetricStat.Metric.MetricName}`)));
}

/** An alarm that notifies someone: actions enabled and at least one alarm action. */
export function alarmActs(a: MetricAlarm): boolean {
  return a.ActionsEnabled !== false && (a.AlarmActions ?? []).length > 0;
}

// ───────────── DaemonSet agents ─────────────

export interface AgentCoverage {
  ok: boolean;
  ready: number;
  desired: number;
  eligible: number;
  /** Eligible nodes without a ready agent pod, when pods were collected. */
  missingNodes: string[];
  message: string;
}

/**
 * Whether a DaemonSet agent runs ready on every node it must cover (Linux EC2/Auto Mode nodes, or
 * Windows nodes): `desiredNumberScheduled` can be lower than the eligible node count when tolerations
 * or node selectors leave nodes out, so both are compared.
 */
export function agentCoverage(ev: Evidence, ds: K8sObject, opts: { os?: 'linux' | 'windows'; pods?: boolean } = {}): AgentCoverage {
  const eligible = agentEligibleNodes(ev, { os: opts.os ?? 'linux' });
  const { ready, desired } = daemonSetReady(ds);
  const missingNodes: string[] = [];
  // Pods name the nodes without an agent; only when the DaemonSet's pods are in the snapshot at all.
  const owned = opts.pods ? ev.inNamespace('core/Pod', ds.metadata.namespace ?? '').filter((p) => ev.owner(p) === ds) : [];
  if (owned.length > 0) {
    const ok = new Set<string>();
    for (const p of owned) {
      const node = (p.spec as { nodeName?: string } | undefined)?.nodeName;
      if (node && condition(p, 'Ready') === 'True') ok.add(node);
    }
    for (const n of eligible) if (!ok.has(n.metadata.name ?? '')) missingNodes.push(n.metadata.name ?? '?');
  }
  const need = eligible.length;
  const okCount = ready >= need && desired >= need && need > 0 && missingNodes.length === 0;
  const name = `${ds.metadata.namespace}/${ds.metadata.name}`;
  const message = okCount
    ? `DaemonSet ${name} ready on ${ready}/${need} eligible node(s)`
    : `DaemonSet ${name} ready on ${ready} of ${need} eligible node(s) (scheduled ${desired})${missingNodes.length ? `; missing on ${missingNodes.join(', ')}` : ''}`;
  return { ok: okCount, ready, desired, eligible: need, missingNodes, message };
}

/** Pods of the snapshot can tell which node lacks an agent only when pods were collected. */
export function podsCollected(ev: Evidence): boolean {
  return ev.has('k8s:core/Pod');
}

/** Parsed `configurationValues` of an EKS add-on or a tool's YAML config (JSON or YAML); undefined when absent or unreadable. */
export function parseConfig(v: string | undefined): Record<string, unknown> | undefined {
  if (!v) return undefined;
  try {
    const o = parse(v, { maxAliasCount: 50 }) as unknown;
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
