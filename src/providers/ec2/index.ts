// The ec2 provider: Amazon EC2 through @aws-sdk/client-ec2 (the only code that imports it,
// lazily, in client.ts).
//
// Environment: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or any source of the SDK's default
// chain (AWS_PROFILE, ~/.aws/credentials, SSO); AWS_KEYPAIR_NAME (the key pair new servers get)
// and AWS_SSH_KEY_FILENAME (its private key); region from AWS_REGION, AWS_DEFAULT_REGION or the
// profile, else us-east-1; AWS_ENDPOINT_URL_EC2 (the SDK's endpoint override, used by the
// tests); HITC_EC2_SSH_USER overrides the login user (default ubuntu).

import { UsageError } from '../../core/errors.ts';
import type { CreateRequest, Node, Provider, ProviderEnv } from '../types.ts';
import { accountChecks } from './account-checks.ts';
import { Ec2Api, type Ec2ClientOptions } from './client.ts';
import { CREATE_DEFAULTS, NODE_COLUMNS, PROVIDER, ec2Ssh, missingEc2Config } from './config.ts';
import { createEc2Servers } from './create.ts';
import { parseImage, resolveAlias } from './images.ts';
import { listEc2Nodes } from './nodes.ts';
import { checkCreateOptions, ec2OptionsOf } from './options.ts';
import { DEFAULT_TIMING, type PollTiming } from './poll.ts';
import { spotPricing, type Ec2PricingTable } from './pricing.ts';
import { cancelSpotRequest, listSpotRequests, type CancelledSpotRequest, type SpotRequestRow } from './spot.ts';

export { Ec2ApiError } from './errors.ts';
export { IMAGE_ALIASES, CANONICAL_OWNER } from './images.ts';
export { missingEc2Config, CREATE_DEFAULTS as EC2_CREATE_DEFAULTS } from './config.ts';
export { SPOT_REQUEST_COLUMNS, type SpotRequestRow, type CancelledSpotRequest } from './spot.ts';
export type { Ec2PricingTable } from './pricing.ts';

export interface Ec2ProviderOptions extends Ec2ClientOptions {
  /** Poll interval while creating (default 2 s; tests use ~100 ms). */
  readonly pollIntervalMs?: number;
  /** Overall create timeout (default 10 min). */
  readonly timeoutMs?: number;
  /** How long a running instance may lack a public IP before create fails (default 60 s). */
  readonly noAddressGraceMs?: number;
}

/** The Provider contract plus what the ec2.* tasks and `pricing zone=` need. */
export interface Ec2Provider extends Provider {
  /** The region requests go to (resolved once). */
  region(): Promise<string>;
  pricing(sort: string | undefined, env: ProviderEnv, options?: { zone?: string }): Promise<Ec2PricingTable>;
  spotRequests(env: ProviderEnv): Promise<SpotRequestRow[]>;
  cancelSpotRequest(id: string, env: ProviderEnv): Promise<CancelledSpotRequest>;
}

export function createEc2Provider(options: Ec2ProviderOptions = {}): Ec2Provider {
  const api = new Ec2Api(options);
  const timing: PollTiming = {
    intervalMs: options.pollIntervalMs ?? DEFAULT_TIMING.intervalMs,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMING.timeoutMs,
    noAddressGraceMs: options.noAddressGraceMs ?? DEFAULT_TIMING.noAddressGraceMs,
  };
  const account = accountChecks(api);
  // alias → AMI id, once per provider (the region is fixed for its lifetime)
  const resolved = new Map<string, Promise<string>>();
  const resolveImage = (image: string, signal?: AbortSignal): Promise<string> => {
    const ref = parseImage(image);
    if (ref.kind === 'ami') return Promise.resolve(ref.id);
    let p = resolved.get(ref.alias);
    if (!p) {
      p = resolveAlias(api, ref, signal);
      const architecture = ref.arch === 'arm64' ? 'arm64' : 'x86_64';
      void p.then((id) => account.imageSeen(id, architecture), () => undefined);
      resolved.set(ref.alias, p);
      p.catch(() => resolved.delete(ref.alias)); // a failure is not remembered
    }
    return p;
  };

  return {
    name: PROVIDER,
    createDefaults: CREATE_DEFAULTS,
    nodeColumns: NODE_COLUMNS,
    missingConfig: () => missingEc2Config(),
    ssh: () => ec2Ssh(),
    region: () => api.region(),

    listNodes: (env: ProviderEnv): Promise<Node[]> => listEc2Nodes(api, env),
    optionsOf: (node: Node) => ec2OptionsOf(node),

    async validateCreateOptions(opts: Readonly<Record<string, string>>, env: ProviderEnv): Promise<Record<string, string>> {
      const merged = checkCreateOptions(opts, await api.region());
      // an AMI id is kept (lowercased); an alias costs one DescribeImages (an unknown one, none)
      const ami = await resolveImage(merged.image ?? '', env.signal);
      // then what only the account knows (reads, each once): size offered, zone, AMI, group
      await account.check({ ...merged, image: ami }, env.signal);
      // compared as asked for: an alias ("ubuntu 24.04") stays the alias, so Canonical's next
      // build of it does not replace the server; creating resolves it again (memoised)
      const ref = parseImage(merged.image ?? '');
      merged.image = ref.kind === 'ami' ? ref.id : ref.alias;
      return merged;
    },

    createServers: (request: CreateRequest, env: ProviderEnv): Promise<Node[]> => createEc2Servers(api, request, env, timing, (image) => resolveImage(image, env.signal)),

    async terminate(node: Node, env: ProviderEnv): Promise<void> {
      env.progress(`terminating EC2 instance ${node.id} (${node.name})`);
      await api.call('TerminateInstances', { InstanceIds: [node.id] }, env.signal);
    },

    async reboot(node: Node, env: ProviderEnv): Promise<void> {
      env.progress(`rebooting EC2 instance ${node.id} (${node.name})`);
      await api.call('RebootInstances', { InstanceIds: [node.id] }, env.signal);
    },

    async rename(node: Node, newName: string, env: ProviderEnv): Promise<void> {
      if (newName.trim() === '') throw new UsageError('the new name is empty', { argument: 'new_name' });
      await api.call('CreateTags', { Resources: [node.id], Tags: [{ Key: 'Name', Value: env.namePrefix + newName }] }, env.signal);
    },

    pricing: (sort: string | undefined, env: ProviderEnv, opts?: { zone?: string }): Promise<Ec2PricingTable> => spotPricing(api, sort, env, opts?.zone),

    spotRequests: (env: ProviderEnv) => listSpotRequests(api, env.signal),
    cancelSpotRequest: (id: string, env: ProviderEnv) => cancelSpotRequest(api, id, env.signal),
  };
}
