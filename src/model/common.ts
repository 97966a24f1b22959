/** JSON values: everything in a Snapshot or a RunResult is plain JSON. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Result states, per control and per finding (DESIGN.md "Engine"). */
export const STATUSES = ['pass', 'fail', 'manual', 'waived', 'not-applicable', 'error'] as const;
export type Status = (typeof STATUSES)[number];

/**
 * Severity of a failure. `low` also carries the "works, but below the recommended setting" cases
 * that controls.md calls WARN; `--fail-on medium` lets them through.
 */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s); // critical = 5 … info = 1
}

/** Automation levels (controls.md §3). */
export const AUTOMATION_LEVELS = ['automated', 'partial', 'manual'] as const;
export type AutomationLevel = (typeof AUTOMATION_LEVELS)[number];
