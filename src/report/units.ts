/**
 * Units of the period reports, shared by the terminal and the HTML (and PDF) renderings so that an
 * auditor reading both sees the same figures: rates as percentages with one decimal, rounded
 * down (99.95% is never shown as 100%), and durations in hours below two days, in days above.
 */

/** A rate 0–1 as a percentage with one decimal, rounded down: 0.6667 → "66.6%". */
export function pct(rate: number): string {
  return `${(Math.floor(rate * 1000 + 1e-9) / 10).toFixed(1)}%`;
}

/** Hours as a short duration: 36 h, 4.5 d. */
export function duration(hours: number): string {
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round((hours / 24) * 10) / 10} d`;
}
