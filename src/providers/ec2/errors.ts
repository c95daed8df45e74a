// SDK failures → ProviderError: the API's error code and message, a hint for the common ones,
// never a stack. The SDK error stays attached as `cause` for debugging.

import { ProviderError } from '../types.ts';
import { PROVIDER } from './config.ts';

/** An EC2 API call answered with an error code (InvalidInstanceID.NotFound, AuthFailure, …). */
export class Ec2ApiError extends ProviderError {
  readonly code: string;
  readonly action: string;
  constructor(action: string, code: string, message: string, options?: { hint?: string; cause?: unknown }) {
    super(PROVIDER, `${action}: ${code}: ${message}`, options);
    this.code = code;
    this.action = action;
  }
}

export interface ErrorContext {
  readonly region: string;
  /** Where requests go, for "cannot reach" messages. */
  readonly endpoint: string;
  /** Per attempt, and how many attempts the SDK makes (for "no answer" messages). */
  readonly timeoutMs?: number;
  readonly attempts?: number;
}

const CREDENTIALS_HINT = 'check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the AWS profile in use (AWS_PROFILE, ~/.aws/credentials)';

function hintFor(code: string, action: string, ctx: ErrorContext): string | undefined {
  switch (code) {
    case 'AuthFailure':
    case 'InvalidClientTokenId':
    case 'SignatureDoesNotMatch':
    case 'UnrecognizedClientException':
    case 'MissingAuthenticationToken':
    case 'IncompleteSignature':
      return CREDENTIALS_HINT;
    case 'ExpiredToken':
    case 'ExpiredTokenException':
    case 'RequestExpired':
      return 'the credentials expired (renew the session, e.g. `aws sso login`) or this machine\'s clock is off';
    case 'UnauthorizedOperation':
      return `the AWS identity in use lacks the IAM permission ec2:${action}`;
    case 'OptInRequired':
      return `the account is not subscribed to EC2 in ${ctx.region}`;
    case 'InvalidAMIID.NotFound':
    case 'InvalidAMIID.Malformed':
    case 'InvalidAMIID.Unavailable':
      return `image= must be an AMI id of ${ctx.region}, or an alias such as "ubuntu 24.04"`;
    case 'InvalidInstanceID.NotFound':
    case 'InvalidInstanceID.Malformed':
      return 'the server may be gone already: hitc nodes refreshes the list';
    case 'InvalidKeyPair.NotFound':
      return `AWS_KEYPAIR_NAME must name a key pair of ${ctx.region} (aws ec2 describe-key-pairs lists them)`;
    case 'InvalidGroup.NotFound':
    case 'InvalidGroupId.Malformed':
      return `security_group= must name a security group of the default VPC in ${ctx.region}`;
    case 'InsufficientInstanceCapacity':
    case 'InsufficientCapacity':
      return 'EC2 has no capacity for this size there now: try another placement= zone, another size=, or later';
    case 'InstanceLimitExceeded':
    case 'VcpuLimitExceeded':
    case 'MaxSpotInstanceCountExceeded':
      return 'the account reached its EC2 quota: terminate servers or ask AWS for a higher limit';
    case 'InvalidParameterValue':
    case 'InvalidParameterCombination':
    case 'Unsupported':
      return 'check size=, placement= and image= (the size must exist in the zone and match the image\'s architecture)';
    case 'InvalidSpotInstanceRequestID.NotFound':
    case 'InvalidSpotInstanceRequestID.Malformed':
      return 'hitc ec2.spot_requests lists the spot requests';
    case 'RequestLimitExceeded':
    case 'Throttling':
      return 'EC2 is throttling this account\'s requests: wait a little and retry';
    default:
      return undefined;
  }
}

interface SdkServiceError {
  name: string;
  message: string;
  $fault: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

function isServiceError(error: unknown): error is SdkServiceError {
  return typeof error === 'object' && error !== null && '$fault' in error && typeof (error as { name?: unknown }).name === 'string';
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** The error to throw for a failed SDK call. */
export function ec2Error(error: unknown, action: string, ctx: ErrorContext): Error {
  if (error instanceof ProviderError) return error;
  if (isServiceError(error)) {
    const code = error.name;
    const message = error.message && error.message !== 'UnknownError' ? error.message : `HTTP ${error.$metadata?.httpStatusCode ?? '?'}`;
    const hint = hintFor(code, action, ctx);
    return new Ec2ApiError(action, code, message, { cause: error, ...(hint ? { hint } : {}) });
  }
  const e = error as { name?: string; code?: string; message?: string };
  if (e?.name === 'CredentialsProviderError' || /could not load credentials/i.test(e?.message ?? '')) {
    return new ProviderError(PROVIDER, `no usable AWS credentials: ${e.message}`, { hint: CREDENTIALS_HINT, cause: error });
  }
  if (e?.name === 'TimeoutError') {
    const within = ctx.timeoutMs ? ` within ${ctx.timeoutMs / 1000} s${ctx.attempts && ctx.attempts > 1 ? ` (${ctx.attempts} attempts)` : ''}` : '';
    return new ProviderError(PROVIDER, `${action}: no answer from EC2 at ${ctx.endpoint}${within}`, {
      hint: 'check the network, the region (AWS_REGION) and AWS_ENDPOINT_URL_EC2 if set; HITC_EC2_REQUEST_TIMEOUT_SECONDS sets the limit',
      cause: error,
    });
  }
  if (e?.code && NETWORK_CODES.has(e.code)) {
    return new ProviderError(PROVIDER, `${action}: cannot reach EC2 at ${ctx.endpoint}: ${e.code ?? e.message}`, {
      hint: 'check the network, the region (AWS_REGION) and AWS_ENDPOINT_URL_EC2 if set',
      cause: error,
    });
  }
  return new ProviderError(PROVIDER, `${action} failed: ${e?.message ?? String(error)}`, { cause: error });
}

/** Is this the API error `code` (for the "not found yet" answers of eventual consistency)? */
export function hasCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Ec2ApiError && codes.includes(error.code);
}
