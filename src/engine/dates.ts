/**
 * End of validity of a date-or-timestamp string. A bare date (YYYY-MM-DD) is valid through the end
 * of that day (UTC). Returns NaN when unparseable.
 */
export function endOf(value: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T23:59:59.999Z`);
  return Date.parse(value);
}

/** Start of validity of a date-or-timestamp string (a bare date starts at 00:00 UTC). */
export function startOf(value: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T00:00:00.000Z`);
  return Date.parse(value);
}
