import type { CoverageState, GapReason } from '../../model/index.js';

/** An AWS error reduced to what a gap needs. */
export interface AwsErrorInfo {
  reason: GapReason;
  /** Coverage state of the call: denied (permission) or error (everything else). */
  state: Extract<CoverageState, 'denied' | 'error'>;
  /** Error code (`AccessDeniedException`, `ECONNREFUSED`, ...). */
  code: string;
  /** The service's own message, without credentials (AWS messages never carry secrets). */
  detail: string;
  httpStatus?: number;
}

const ACCESS_DENIED = new Set([
  'AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedException', 'AuthorizationError',
  'AuthorizationErrorException', 'Forbidden', 'ForbiddenException', 'AccessDeniedFault', 'NotAuthorized', 'NotAuthorizedException',
]);
const THROTTLED = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled',
  'RequestThrottledException', 'ProvisionedThroughputExceededException', 'SlowDown', 'LimitExceededException', 'BandwidthLimitExceeded',
  'EC2ThrottledException', 'PriorRequestNotComplete', 'TransactionInProgressException',
]);
const UNAUTHENTICATED = new Set([
  'CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException',
  'InvalidSignatureException', 'SignatureDoesNotMatch', 'AuthFailure', 'MissingAuthenticationToken', 'MissingAuthenticationTokenException',
  'IncompleteSignature', 'InvalidAccessKeyId', 'TokenRefreshRequired', 'RequestExpired',
]);
const NOT_ENABLED = new Set(['OptInRequired', 'SubscriptionRequiredException', 'InvalidAccessException', 'NoSuchOrganizationConfigRuleException']);
const NOT_FOUND_SUFFIX = /(NotFound|NotFoundException|NoSuchEntity|NoSuchEntityException|DoesNotExist|NotExist|NotPresent)$/;
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED', 'EPROTO', 'CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);
const TIMEOUT = new Set(['TimeoutError', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Classify an error thrown by an SDK v3 command (or the credential chain, or the network). */
export function classifyAwsError(err: unknown): AwsErrorInfo {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; Code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number }; cause?: unknown; errors?: unknown };
  // Node network errors surface with `code`; AggregateError (happy eyeballs) carries them in `errors`.
  let nodeCode = str(e.code);
  if (!nodeCode && Array.isArray(e.errors)) nodeCode = str((e.errors[0] as { code?: unknown } | undefined)?.code);
  if (!nodeCode && e.cause && typeof e.cause === 'object') nodeCode = str((e.cause as { code?: unknown }).code);
  const name = str(e.name) ?? 'Error';
  const code = nodeCode && (NETWORK.has(nodeCode) || TIMEOUT.has(nodeCode)) ? nodeCode : str(e.Code) ?? (name !== 'Error' ? name : nodeCode ?? name);
  const detail = (str(e.message) ?? code).replace(/\s+/g, ' ').trim();
  const httpStatus = e.$metadata?.httpStatusCode;
  const base = { code, detail, ...(httpStatus ? { httpStatus } : {}) };
  if (ACCESS_DENIED.has(code) || (httpStatus === 403 && !UNAUTHENTICATED.has(code))) return { ...base, reason: 'access-denied', state: 'denied' };
  if (UNAUTHENTICATED.has(code) || /Could not load credentials|Unable to locate credentials|token .*expired|SSO session/i.test(detail)) return { ...base, reason: 'unauthenticated', state: 'error' };
  if (THROTTLED.has(code) || httpStatus === 429) return { ...base, reason: 'throttled', state: 'error' };
  if (NETWORK.has(code)) return { ...base, reason: 'network', state: 'error' };
  if (TIMEOUT.has(code)) return { ...base, reason: 'timeout', state: 'error' };
  if (NOT_ENABLED.has(code)) return { ...base, reason: 'not-enabled', state: 'error' };
  if (NOT_FOUND_SUFFIX.test(code) || code === 'ResourceNotFoundException') return { ...base, reason: 'not-found', state: 'error' };
  return { ...base, reason: 'error', state: 'error' };
}

/** What to do about a gap of this reason, in one sentence. */
export function fixFor(reason: GapReason, action: string, identity: string | undefined): string {
  const who = identity ? ` to ${identity}` : '';
  switch (reason) {
    case 'access-denied': return `grant ${action}${who} (deploy/aws/iam-policy.json lists every action eks-soc2 needs; see docs/aws.md)`;
    case 'unauthenticated': return 'refresh the AWS credentials (aws sso login, a new session token, or check AWS_PROFILE / --profile)';
    case 'throttled': return 'the account\'s API rate limit for this call was exhausted after retries: run the scan again later or outside busy hours';
    case 'network': return 'check network access to the AWS endpoint from where eks-soc2 runs (proxy, VPC endpoints, DNS)';
    case 'timeout': return 'the AWS endpoint did not answer in time: check network access, then run again';
    case 'not-enabled': return 'enable the service or region in the account (or accept that this evidence is not available)';
    case 'not-found': return 'check the cluster name and region (--cluster, --region) and that the resource still exists';
    default: return 'run again with --debug and report the error if it persists';
  }
}
