/** A risk acceptance: findings it matches become `waived` until it expires. */
export interface Waiver {
  id: string;
  control: string;
  /** Limit to one rule of the control. */
  rule?: string;
  /** Resource selector; all fields optional, globs (`*`, `?`) allowed. Omitted = the whole control. */
  resources?: {
    namespace?: string;
    kind?: string;
    name?: string;
    labels?: Record<string, string>;
  };
  reason: string;
  approvedBy: string;
  /** ISO date (YYYY-MM-DD) or timestamp; the waiver stops applying after it. */
  expires: string;
  /** Where it was read from, for messages. */
  source?: { file: string; line?: number };
}

export interface AppliedWaiver {
  id: string;
  reason: string;
  approvedBy: string;
  expires: string;
}

export interface WaiverIssue {
  id?: string;
  control?: string;
  problem: 'expired' | 'invalid' | 'unknown-control' | 'unused';
  message: string;
  source?: { file: string; line?: number };
}

/** A person's statement that a manual (or the manual part of a partial) control operates. */
export interface Attestation {
  control: string;
  statement: string;
  attestedBy: string;
  /** ISO date the attestation was made. */
  date: string;
  /** Link to the evidence (document, ticket, export). */
  evidence?: string;
  /** sha256 of the evidence document, hex. */
  sha256?: string;
  /** ISO date after which it no longer counts. */
  validUntil: string;
  source?: { file: string; line?: number };
}

export interface AttestationIssue {
  control?: string;
  problem: 'expired' | 'invalid' | 'unknown-control' | 'not-yet-valid' | 'not-needed';
  message: string;
  source?: { file: string; line?: number };
}
