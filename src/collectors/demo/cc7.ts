import type { Attestation, AwsFact, K8sObject, Waiver } from '../../model/index.js';

/** Demo fragment for CC7: objects and AWS facts its controls read (see index.ts). */
export function objects(_now: Date): K8sObject[] {
  return [];
}

export function facts(_now: Date): AwsFact[] {
  return [];
}

/** AWS operations the demo answers with nothing to report (e.g. an empty list). */
export function emptyCalls(): string[] {
  return [];
}

export function policies(_now: Date): { waivers: Waiver[]; attestations: Attestation[] } {
  return { waivers: [], attestations: [] };
}
