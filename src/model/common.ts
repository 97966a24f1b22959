/** JSON values: everything in a Snapshot or a RunResult is plain JSON. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Result states of a control (DESIGN.md "Engine"). */
export const STATUSES = ['pass', 'fail', 'manual', 'waived', 'not-applicable', 'error'] as const;
export type Status = (typeof STATUSES)[number];

/**
 * Result states of a finding: a control's states plus `warn`, a failed *recommended* rule (hardening
 * beyond what the checklist item or the SOC 2 criterion needs). A warning is shown everywhere and
 * counted, but never makes its control fail. A finding with status `error` is a rule that could not
 * be evaluated on that resource (its evidence was not read, or a value is unknown before apply).
 */
export const FINDING_STATUSES = ['pass', 'fail', 'warn', 'manual', 'waived', 'not-applicable', 'error'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/**
 * How much a rule weighs. `required`: the checklist item or the SOC 2 criterion needs it; a failure
 * fails the control. `recommended`: hardening beyond the item; a failure is a `warn` finding.
 */
export const RULE_LEVELS = ['required', 'recommended'] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];

/**
 * Severity of a failure or a warning: how bad it is when it happens. Whether it fails the control is
 * the rule's level (`RuleLevel`), not its severity.
 */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s); // critical = 5 … info = 1
}

/** Automation levels (controls.md §3). */
export const AUTOMATION_LEVELS = ['automated', 'partial', 'manual'] as const;
export type AutomationLevel = (typeof AUTOMATION_LEVELS)[number];
