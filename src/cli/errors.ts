/** Exit codes (README "Exit codes"; DESIGN.md "Conventions"). */
export const EXIT = { OK: 0, FAILURES: 1, USAGE: 2, EVIDENCE: 3 } as const;

/** An error the user can fix: printed as one clear message, no stack trace (unless --debug). */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.USAGE, readonly fix?: string) {
    super(message);
  }
}
