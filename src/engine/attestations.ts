import type { Attestation, AttestationIssue } from '../model/index.js';
import { endOf, startOf } from './dates.js';

export interface AttestationSet {
  inForce: Map<string, Attestation>;
  issues: AttestationIssue[];
}

/** Attestations valid at `now`, the latest per control; expired and unknown ones are reported. */
export function prepareAttestations(list: readonly Attestation[], knownControls: ReadonlySet<string>, now: Date): AttestationSet {
  const inForce = new Map<string, Attestation>();
  const issues: AttestationIssue[] = [];
  const t = now.getTime();
  for (const a of list) {
    if (!knownControls.has(a.control)) {
      issues.push({ control: a.control, problem: 'unknown-control', message: `attestation for ${a.control}: no such control in the catalog`, source: a.source });
      continue;
    }
    const start = startOf(a.date);
    const end = endOf(a.validUntil);
    if (Number.isNaN(start) || Number.isNaN(end)) {
      issues.push({ control: a.control, problem: 'invalid', message: `attestation for ${a.control} has an unreadable date or validUntil`, source: a.source });
      continue;
    }
    if (end < t) {
      issues.push({ control: a.control, problem: 'expired', message: `attestation for ${a.control} by ${a.attestedBy} expired on ${a.validUntil}; the control needs a new one`, source: a.source });
      continue;
    }
    if (start > t) {
      issues.push({ control: a.control, problem: 'not-yet-valid', message: `attestation for ${a.control} is dated ${a.date}, in the future`, source: a.source });
      continue;
    }
    const prev = inForce.get(a.control);
    if (!prev || startOf(prev.date) < start) inForce.set(a.control, a);
  }
  return { inForce, issues };
}
