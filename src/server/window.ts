import { badRequest } from './errors.js';

/** A period window as the API takes it: whole UTC days (YYYY-MM-DD) or ISO timestamps. */
export interface Window {
  /** As given (or defaulted): what reports print. */
  from: string;
  to: string;
  /** Inclusive bounds for store queries, in the store's fixed-width ISO form. */
  fromIso: string;
  toIso: string;
}

const DAY = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const STAMP = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/;

/** 2025-02-30 parses (as 2 March): only days that exist are accepted. */
function realDay(v: string): boolean {
  const t = Date.parse(`${v}T00:00:00.000Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === v;
}

/** Start of a bound: a bare date starts at 00:00 UTC. NaN when unreadable. */
export function startOf(v: string): number {
  if (DATE.test(v)) return realDay(v) ? Date.parse(`${v}T00:00:00.000Z`) : Number.NaN;
  return STAMP.test(v) ? Date.parse(v) : Number.NaN;
}

/** End of a bound: a bare date lasts until 23:59:59.999 UTC. NaN when unreadable. */
export function endOf(v: string): number {
  if (DATE.test(v)) return realDay(v) ? Date.parse(`${v}T23:59:59.999Z`) : Number.NaN;
  return STAMP.test(v) ? Date.parse(v) : Number.NaN;
}

export const dayOf = (t: number | Date) => new Date(t).toISOString().slice(0, 10);

/**
 * The window of a request: `from` and `to` when given, else the `defaultDays` days that end on
 * `defaultTo` (the newest run, so that an old store still shows its data).
 */
export function resolveWindow(q: { from?: string | undefined; to?: string | undefined }, defaultTo: Date, defaultDays = 90): Window {
  const to = q.to?.trim() || dayOf(defaultTo);
  const end = endOf(to);
  if (Number.isNaN(end)) throw badRequest(`"to" (${to.slice(0, 40)}) is not a date (YYYY-MM-DD) or an ISO timestamp`);
  const from = q.from?.trim() || dayOf(startOf(dayOf(end)) - (defaultDays - 1) * DAY);
  const start = startOf(from);
  if (Number.isNaN(start)) throw badRequest(`"from" (${from.slice(0, 40)}) is not a date (YYYY-MM-DD) or an ISO timestamp`);
  if (end < start) throw badRequest(`the window ends (${to}) before it starts (${from})`);
  return { from, to, fromIso: new Date(start).toISOString(), toIso: new Date(end).toISOString() };
}
