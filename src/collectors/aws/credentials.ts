import { fromNodeProviderChain } from '@aws-sdk/credential-providers';

/** An AWS credential provider (the SDK's AwsCredentialIdentityProvider, structurally). */
export type CredentialProvider = () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;

/**
 * The standard credential chain of the AWS SDK for JavaScript v3, in its order: environment
 * variables, SSO (IAM Identity Center) and shared config/credentials files (with `--profile` /
 * AWS_PROFILE, role chaining and `credential_process`), web identity (IRSA:
 * AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE), container credentials (EKS Pod Identity and ECS:
 * AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI), then EC2 instance metadata (not reached
 * when AWS_EC2_METADATA_DISABLED=true). Resolved once and cached by the SDK until expiry.
 */
export function credentialProvider(profile?: string): CredentialProvider {
  return fromNodeProviderChain({ ...(profile ? { profile } : {}) }) as CredentialProvider;
}

/** One clear message for "no usable credentials", saying exactly what to set. */
export function missingCredentialsMessage(err: unknown, profile?: string): { message: string; fix: string } {
  const detail = err instanceof Error ? err.message.split('\n')[0]!.trim() : String(err);
  const name = err instanceof Error ? err.name : '';
  const p = profile ?? process.env.AWS_PROFILE;
  if (/sso|token.*(expired|refresh)|session.*expired/i.test(detail)) {
    return {
      message: `the AWS SSO session${p ? ` of profile "${p}"` : ''} is missing or expired (${detail})`,
      fix: `run \`aws sso login${p ? ` --profile ${p}` : ''}\`, then scan again`,
    };
  }
  if (/ExpiredToken|InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch|AuthFailure/.test(name + detail)) {
    return {
      message: `the AWS credentials were rejected (${name ? `${name}: ` : ''}${detail})`,
      fix: 'refresh them: a new session token, `aws sso login`, or the right AWS_PROFILE / --profile',
    };
  }
  if (p) {
    return {
      message: `no usable AWS credentials for profile "${p}" (${detail})`,
      fix: `check that [profile ${p}] exists in ~/.aws/config (or AWS_CONFIG_FILE) with credentials, SSO (then \`aws sso login --profile ${p}\`) or a role to assume; or unset AWS_PROFILE / drop --profile to use the other credential sources`,
    };
  }
  return {
    message: 'no AWS credentials found (tried environment variables, the shared config and credentials files, SSO, web identity, container credentials and instance metadata)',
    fix: [
      'provide one of: --profile NAME or AWS_PROFILE=NAME (a profile in ~/.aws/config);',
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary keys);',
      '`aws sso login --profile NAME` for IAM Identity Center;',
      'in a pod: IRSA (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, set by the eks.amazonaws.com/role-arn annotation) or EKS Pod Identity (AWS_CONTAINER_CREDENTIALS_FULL_URI);',
      'or scan offline with --aws-evidence DIR, or skip AWS with --no-aws',
    ].join(' '),
  };
}
