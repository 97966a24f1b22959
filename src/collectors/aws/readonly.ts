/**
 * The read-only guard. The collector may send only commands whose IAM action is on the allowlist
 * (the operations of the plan registry) and is a read: Describe*, List*, Get*, BatchGet*, plus two
 * documented exceptions. The guard runs before every command is sent — in the collector's own
 * send path (which paginators also go through, via `withCommand`) and again as the first
 * middleware of every SDK client — so a write can never leave the process, even by a bug in a plan.
 */

/** Actions that start work but change no resource, needed by a control (controls.md §4.2). */
export const READ_EXCEPTIONS: ReadonlySet<string> = new Set([
  // Starts generating the IAM credential report (no resource change); needed before GetCredentialReport.
  'iam:GenerateCredentialReport',
  // Reads the CloudTrail event history; not a Describe/List/Get by name.
  'cloudtrail:LookupEvents',
]);

/**
 * Actions that must never be called or granted, even though some look like reads: they read
 * secret values or image content, decrypt, or start an operation (controls.md §4.2).
 */
export const FORBIDDEN_ACTIONS: ReadonlySet<string> = new Set([
  'secretsmanager:GetSecretValue',
  'secretsmanager:BatchGetSecretValue',
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:GetAuthorizationToken',
  'cloudformation:DetectStackDrift',
  'cloudformation:DetectStackResourceDrift',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'lambda:GetFunction',
]);

const READ_VERB = /^(Describe|List|Get|BatchGet)[A-Z]/;

/** True when `service:Action` is a read the collector is allowed to make (by name, not by allowlist). */
export function isReadOnlyAction(action: string): boolean {
  if (FORBIDDEN_ACTIONS.has(action)) return false;
  if (READ_EXCEPTIONS.has(action)) return true;
  const colon = action.indexOf(':');
  if (colon <= 0) return false;
  const name = action.slice(colon + 1);
  return READ_VERB.test(name);
}

export class ReadOnlyViolation extends Error {
  constructor(readonly action: string, why: string) {
    super(`eks-soc2 refused to send ${action}: ${why}. The collector only reads (Describe/List/Get); this is a bug, please report it.`);
    this.name = 'ReadOnlyViolation';
  }
}

/** The IAM action name of an SDK command object (`DescribeClusterCommand` → `DescribeCluster`). */
export function commandAction(service: string, command: unknown): string {
  const name = (command as { constructor?: { name?: string } } | null)?.constructor?.name ?? '';
  return `${service}:${name.replace(/Command$/, '')}`;
}

/** Throws ReadOnlyViolation unless `action` is allowlisted and a read. */
export function assertAllowed(action: string, allowlist: ReadonlySet<string>): void {
  if (!isReadOnlyAction(action)) throw new ReadOnlyViolation(action, 'it is not a read-only action');
  if (!allowlist.has(action)) throw new ReadOnlyViolation(action, 'it is not on the collector\'s allowlist');
}

/**
 * An SDK middleware (step `initialize`, highest priority) that checks the command about to be sent
 * against the allowlist. `context.commandName` is set by every SDK v3 command.
 */
export function readOnlyMiddleware(service: string, allowlist: ReadonlySet<string>) {
  return (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown): Promise<unknown> => {
    const action = `${service}:${(context.commandName ?? '').replace(/Command$/, '')}`;
    assertAllowed(action, allowlist);
    return next(args);
  };
}

export const READ_ONLY_MIDDLEWARE_OPTIONS = { step: 'initialize', priority: 'high', name: 'eksSoc2ReadOnlyGuard', override: true } as const;
