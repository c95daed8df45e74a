// The one place that talks to @aws-sdk/client-ec2. The SDK is imported on the first API call
// (it takes ~0.5 s to load), so listing tasks, `hitc -l` or a provider that is only configured
// never pays for it. Every failure leaves here as a ProviderError (see errors.ts).

import type * as Sdk from '@aws-sdk/client-ec2';
import { ec2Error, type ErrorContext } from './errors.ts';

/** The API calls hitc makes, with the SDK's input and output types. */
export interface Ec2Actions {
  DescribeInstances: [Sdk.DescribeInstancesCommandInput, Sdk.DescribeInstancesCommandOutput];
  RunInstances: [Sdk.RunInstancesCommandInput, Sdk.RunInstancesCommandOutput];
  CreateTags: [Sdk.CreateTagsCommandInput, Sdk.CreateTagsCommandOutput];
  TerminateInstances: [Sdk.TerminateInstancesCommandInput, Sdk.TerminateInstancesCommandOutput];
  RebootInstances: [Sdk.RebootInstancesCommandInput, Sdk.RebootInstancesCommandOutput];
  DescribeImages: [Sdk.DescribeImagesCommandInput, Sdk.DescribeImagesCommandOutput];
  RequestSpotInstances: [Sdk.RequestSpotInstancesCommandInput, Sdk.RequestSpotInstancesCommandOutput];
  DescribeSpotInstanceRequests: [Sdk.DescribeSpotInstanceRequestsCommandInput, Sdk.DescribeSpotInstanceRequestsCommandOutput];
  CancelSpotInstanceRequests: [Sdk.CancelSpotInstanceRequestsCommandInput, Sdk.CancelSpotInstanceRequestsCommandOutput];
  DescribeSpotPriceHistory: [Sdk.DescribeSpotPriceHistoryCommandInput, Sdk.DescribeSpotPriceHistoryCommandOutput];
  DescribeInstanceTypeOfferings: [Sdk.DescribeInstanceTypeOfferingsCommandInput, Sdk.DescribeInstanceTypeOfferingsCommandOutput];
  DescribeAvailabilityZones: [Sdk.DescribeAvailabilityZonesCommandInput, Sdk.DescribeAvailabilityZonesCommandOutput];
  DescribeSecurityGroups: [Sdk.DescribeSecurityGroupsCommandInput, Sdk.DescribeSecurityGroupsCommandOutput];
  DescribeInstanceTypes: [Sdk.DescribeInstanceTypesCommandInput, Sdk.DescribeInstanceTypesCommandOutput];
}
export type Ec2Action = keyof Ec2Actions;
type PagedAction = { [A in Ec2Action]: Ec2Actions[A][1] extends { NextToken?: string } ? (Ec2Actions[A][0] extends { NextToken?: string } ? A : never) : never }[Ec2Action];

export interface Ec2ClientOptions {
  /** Overrides AWS_REGION / AWS_DEFAULT_REGION / the profile's region. */
  readonly region?: string;
  /** Overrides the endpoint (the SDK itself honours AWS_ENDPOINT_URL_EC2 and AWS_ENDPOINT_URL). */
  readonly endpoint?: string;
  /** Per HTTP attempt, answer included (default $HITC_EC2_REQUEST_TIMEOUT_SECONDS or 30 s). */
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_REGION = 'us-east-1';
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Reaching the endpoint at all: a black-holed address fails in this, not the request timeout. */
const CONNECT_TIMEOUT_MS = 10_000;
/** The SDK retries a timed-out or throttled call; three tries bound a dead endpoint's wait. */
const MAX_ATTEMPTS = 3;

export function requestTimeoutMs(options: Ec2ClientOptions, env: NodeJS.ProcessEnv = process.env): number {
  if (options.requestTimeoutMs !== undefined) return options.requestTimeoutMs;
  const seconds = Number(env.HITC_EC2_REQUEST_TIMEOUT_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_REQUEST_TIMEOUT_MS;
}

let sdkPromise: Promise<typeof Sdk> | undefined;
function loadSdk(): Promise<typeof Sdk> {
  // The SDK warns on every Node < 22 run (support ends in 2027); hitc supports Node 20, and a
  // warning on each command would only be noise. The SDK's own switch; an explicit value wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  sdkPromise ??= import('@aws-sdk/client-ec2');
  return sdkPromise;
}

export class Ec2Api {
  readonly #options: Ec2ClientOptions;
  #client: Promise<Sdk.EC2Client> | undefined;
  #region: Promise<string> | undefined;

  constructor(options: Ec2ClientOptions = {}) {
    this.#options = options;
  }

  /** options.region ?? AWS_REGION ?? AWS_DEFAULT_REGION ?? the SDK's chain (profile) ?? us-east-1
   *  (the original always used boto's default, us-east-1). */
  region(): Promise<string> {
    this.#region ??= (async () => {
      const explicit = this.#options.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
      if (explicit) return explicit;
      const sdk = await loadSdk();
      try {
        return await new sdk.EC2Client({}).config.region();
      } catch {
        return DEFAULT_REGION; // "Region is missing": nothing configured anywhere
      }
    })();
    return this.#region;
  }

  /** Where requests go, as shown in "cannot reach" errors. */
  async endpoint(): Promise<string> {
    return this.#options.endpoint || process.env.AWS_ENDPOINT_URL_EC2 || process.env.AWS_ENDPOINT_URL || `https://ec2.${await this.region()}.amazonaws.com`;
  }

  async #sdkClient(): Promise<Sdk.EC2Client> {
    this.#client ??= (async () => {
      const [sdk, region] = await Promise.all([loadSdk(), this.region()]);
      // Credentials: the SDK's default chain (env keys, profiles, SSO, web identity, IMDS).
      // Without timeouts the SDK waits forever on an endpoint that accepts and never answers.
      const timeout = requestTimeoutMs(this.#options);
      return new sdk.EC2Client({
        region,
        ...(this.#options.endpoint ? { endpoint: this.#options.endpoint } : {}),
        maxAttempts: MAX_ATTEMPTS,
        requestHandler: { connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, timeout), requestTimeout: timeout, throwOnRequestTimeout: true },
      });
    })();
    return this.#client;
  }

  /** One API call. Aborting `signal` aborts the HTTP request and rethrows the signal's reason. */
  async call<A extends Ec2Action>(action: A, input: Ec2Actions[A][0], signal?: AbortSignal): Promise<Ec2Actions[A][1]> {
    const [sdk, client] = await Promise.all([loadSdk(), this.#sdkClient()]);
    // Commands are looked up by name so the SDK stays a lazy import; the types come from Ec2Actions.
    const Command = (sdk as unknown as Record<string, (new (input: unknown) => object) | undefined>)[`${action}Command`];
    if (!Command) throw new Error(`@aws-sdk/client-ec2 has no ${action}Command`);
    const send = client.send.bind(client) as (command: object, options: { abortSignal?: AbortSignal }) => Promise<unknown>;
    try {
      return (await send(new Command(input), signal ? { abortSignal: signal } : {})) as Ec2Actions[A][1];
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      throw ec2Error(error, action, await this.#context());
    }
  }

  /** Every page of a paginated call (NextToken), in order. */
  async *pages<A extends PagedAction>(action: A, input: Ec2Actions[A][0], signal?: AbortSignal): AsyncGenerator<Ec2Actions[A][1]> {
    let token: string | undefined;
    do {
      const page = (await this.call(action, { ...input, ...(token ? { NextToken: token } : {}) }, signal)) as Ec2Actions[A][1] & { NextToken?: string };
      yield page;
      token = page.NextToken || undefined;
    } while (token);
  }

  async #context(): Promise<ErrorContext> {
    return { region: await this.region(), endpoint: await this.endpoint(), timeoutMs: requestTimeoutMs(this.#options), attempts: MAX_ATTEMPTS };
  }
}
