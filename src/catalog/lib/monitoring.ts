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

/** The event source of Amazon EKS management events (CreateCluster, UpdateClusterConfig, AssociateAccessPolicy, ...). */
export const EKS_EVENT_SOURCE = 'eks.amazonaws.com';
/** A source named by no selector: stands for "any other service" when asking whether all management events are logged. */
const ANY_SOURCE = 'any-other-service.amazonaws.com';

type FieldSelector = NonNullable<AdvancedEventSelector['FieldSelectors']>[number];

/**
 * Whether one advanced field selector admits a value: the positive operators (Equals, StartsWith,
 * EndsWith) are alternatives (one must hold when any is given), the negative ones (NotEquals,
 * NotStartsWith, NotEndsWith) must all hold. A field the event does not carry fails any positive
 * condition (the selector narrows on something else) and passes the negative ones.
 */
function fieldAdmits(f: FieldSelector, value: string | undefined): boolean {
  const positive = [...(f.Equals ?? []).map((x) => value === x), ...(f.StartsWith ?? []).map((x) => value?.startsWith(x) === true), ...(f.EndsWith ?? []).map((x) => value?.endsWith(x) === true)];
  if (positive.length > 0 && !positive.some(Boolean)) return false;
  if (value === undefined) return true;
  if ((f.NotEquals ?? []).includes(value)) return false;
  if ((f.NotStartsWith ?? []).some((x) => value.startsWith(x))) return false;
  if ((f.NotEndsWith ?? []).some((x) => value.endsWith(x))) return false;
  return true;
}

/** Whether a trail's selectors record the management events of `source` that are read-only (`true`) or write (`false`). */
export function logsManagementEvents(sel: GetEventSelectorsResponse, source: string, readOnly: boolean): boolean {
  const basic: EventSelector[] = sel.EventSelectors ?? [];
  const adv: AdvancedEventSelector[] = sel.AdvancedEventSelectors ?? [];
  const rw = (t: string | undefined) => t === undefined || t === 'All' || (readOnly ? t === 'ReadOnly' : t === 'WriteOnly');
  if (basic.some((s) => s.IncludeManagementEvents !== false && rw(s.ReadWriteType) && !(s.ExcludeManagementEventSources ?? []).includes(source))) return true;
  const event: Record<string, string> = { eventCategory: 'Management', eventSource: source, readOnly: String(readOnly) };
  // Selectors are alternatives; the field selectors of one selector must all admit the event.
  return adv.some((a) => (a.FieldSelectors ?? []).length > 0 && (a.FieldSelectors ?? []).every((f) => fieldAdmits(f, f.Field ? event[f.Field] : undefined)));
}

/**
 * Whether the selectors log all (read and write) management events; `partial` names the half that is
 * logged when only one is; `excluded` lists event sources the selectors leave out (notes: KMS and RDS
 * Data API exclusions are common); `eksExcluded` says that Amazon EKS management events in particular are
 * not recorded although other services' are; `eks` that they are recorded (read and write); `selected` that
 * management events of named services only are recorded.
 */
export function managementEvents(sel: GetEventSelectorsResponse): { all: boolean; partial?: string; excluded: string[]; eksExcluded: boolean; eks: boolean; selected: boolean } {
  const read = logsManagementEvents(sel, ANY_SOURCE, true);
  const write = logsManagementEvents(sel, ANY_SOURCE, false);
  const eksRead = logsManagementEvents(sel, EKS_EVENT_SOURCE, true);
  const eksWrite = logsManagementEvents(sel, EKS_EVENT_SOURCE, false);
  const eksExcluded = (read && !eksRead) || (write && !eksWrite);
  // Management events of named services only (an eventSource Equals/StartsWith list).
  const selected = !read && !write && (sel.AdvancedEventSelectors ?? []).some((a) => (a.FieldSelectors ?? []).some((f) => f.Field === 'eventCategory' && (f.Equals ?? []).includes('Management')));
  const excluded = [...new Set([
    ...(sel.EventSelectors ?? []).flatMap((s) => s.ExcludeManagementEventSources ?? []),
    ...(sel.AdvancedEventSelectors ?? []).flatMap((a) => (a.FieldSelectors ?? []).filter((f) => f.Field === 'eventSource').flatMap((f) => [...(f.NotEquals ?? []), ...(f.NotStartsWith ?? []).map((x) => `${x}*`)])),
  ])];
  const partial = read && !write ? 'ReadOnly' : write && !read ? 'WriteOnly' : undefined;
  return { all: read && write, ...(partial ? { partial } : {}), excluded, eksExcluded, eks: eksRead && eksWrite, selected };
}

// ───────────── VPC flow logs ─────────────

/**
 * `delivering`: the flow log is ACTIVE and its delivery succeeds (it records something); `ok`: it also
 * captures ALL traffic; `low`: it delivers but captures ACCEPT or REJECT traffic only (a warning).
 */
export type FlowVerdict = { ok: boolean; delivering: boolean; low?: boolean; why: string };

/** An ACTIVE flow log capturing ALL traffic that delivers successfully passes; REJECT/ACCEPT-only is a warning. */
export function judgeFlowLog(fl: FlowLog): FlowVerdict {
  const dest = `${fl.LogDestinationType ?? 'cloud-watch-logs'} ${fl.LogDestination ?? fl.LogGroupName ?? ''}`.trim();
  if ((fl.FlowLogStatus ?? 'ACTIVE') !== 'ACTIVE') return { ok: false, delivering: false, why: `${fl.FlowLogId} is ${fl.FlowLogStatus}` };
  if (fl.DeliverLogsStatus && fl.DeliverLogsStatus !== 'SUCCESS') return { ok: false, delivering: false, why: `${fl.FlowLogId} delivery ${fl.DeliverLogsStatus}${fl.DeliverLogsErrorMessage ? `: ${fl.DeliverLogsErrorMessage}` : ''}` };
  if (fl.TrafficType !== 'ALL') return { ok: false, delivering: true, low: true, why: `${fl.FlowLogId} captures ${fl.TrafficType ?? '?'} traffic only (to ${dest}); use ALL` };
  return { ok: true, delivering: true, why: `${fl.FlowLogId} captures ALL traffic to ${dest}` };
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
export function agentCoverage(ev: Evidence, ds: K8sObject, opts: { os?: 'linux' | 'windows'; pods?: boolean; includeHybrid?: boolean } = {}): AgentCoverage {
  const eligible = agentEligibleNodes(ev, { os: opts.os ?? 'linux', ...(opts.includeHybrid ? { includeHybrid: true } : {}) });
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
