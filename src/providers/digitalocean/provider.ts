// The DigitalOcean provider on API v2 (the original used v1, which no longer exists): droplets
// named <prefix><name>, created from size/region/image slugs (or their display names) with
// the account's SSH key, listed, renamed, rebooted, terminated, and priced from /v2/sizes.

import { UsageError } from '../../core/errors.ts';
import { suggest } from '../../core/suggest.ts';
import { ensembleTag, ProviderError, type CreateRequest, type Node, type Provider, type ProviderEnv } from '../types.ts';
import { DigitalOceanApi, DigitalOceanApiError, PROVIDER } from './api-client.ts';
import type { DoDroplet, DoImage, DoRegion, DoSize, DoSshKey } from './api-types.ts';
import { checkRegionOffers, resolveImage, resolveRegion, resolveSize, resolveSshKey } from './catalog.ts';
import { missingConfig, pollIntervalMs, readConfig, requireSshKeyName, requireToken, type DigitalOceanConfig } from './config.ts';
import { dropletOptionsOf, dropletToNode, ENSEMBLE_TAG_PREFIX, hasPrefix, imageTag } from './droplet-node.ts';
import { pricingTable } from './pricing.ts';
import { HITC_TAG, waitForDroplets } from './wait-for-droplets.ts';

export interface DigitalOceanProviderOptions {
  /** API base; else $HITC_DIGITALOCEAN_API_URL; else https://api.digitalocean.com. */
  readonly apiUrl?: string;
  /** Where settings are read from (default process.env, read on each use). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Between status checks while droplets start (default $HITC_DIGITALOCEAN_POLL_INTERVAL_MS or 3 s). */
  readonly pollIntervalMs?: number;
  /** How long create waits for droplets to become active (default 10 min). */
  readonly createTimeoutMs?: number;
  /** Per API request (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Longest wait before retrying a rate-limited request (default 60 s). */
  readonly maxRetryDelayMs?: number;
}

export const DIGITALOCEAN_CREATE_DEFAULTS = { size: 's-1vcpu-1gb', placement: 'nyc1', image: 'ubuntu-24-04-x64' } as const;

/** POST /v2/droplets takes at most ten names at a time. */
const MAX_NAMES_PER_CREATE = 10;
/** What DigitalOcean accepts as a droplet name (it becomes the hostname). */
const VALID_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;

export function createDigitalOceanProvider(options: DigitalOceanProviderOptions = {}): Provider {
  const config = (): DigitalOceanConfig => readConfig(options.env ?? process.env, options.apiUrl);
  const api = (): DigitalOceanApi => {
    const c = config();
    return new DigitalOceanApi({
      baseUrl: c.apiUrl,
      token: requireToken(c),
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
      ...(options.maxRetryDelayMs === undefined ? {} : { maxRetryDelayMs: options.maxRetryDelayMs }),
    });
  };

  // Sizes, regions, images and keys change rarely: fetch each once per hitc run (per API and
  // token), as the original cached them. A failed fetch is forgotten so the next call retries.
  const lists = new Map<string, Promise<unknown[]>>();
  const catalog = <T>(path: string, key: string, signal: AbortSignal): Promise<T[]> => {
    const c = config();
    const memoKey = `${c.apiUrl}\n${c.token ?? ''}\n${path}`;
    let list = lists.get(memoKey);
    if (!list) {
      list = api().listAll<T>(path, key, signal);
      list.catch(() => lists.delete(memoKey));
      lists.set(memoKey, list);
    }
    return list as Promise<T[]>;
  };
  const sizes = (env: ProviderEnv) => catalog<DoSize>('/v2/sizes', 'sizes', env.signal);
  const regions = (env: ProviderEnv) => catalog<DoRegion>('/v2/regions', 'regions', env.signal);
  const images = (env: ProviderEnv) => catalog<DoImage>('/v2/images?type=distribution', 'images', env.signal);
  const sshKeys = (env: ProviderEnv) => catalog<DoSshKey>('/v2/account/keys', 'ssh_keys', env.signal);

  const sshKey = async (env: ProviderEnv): Promise<DoSshKey> => resolveSshKey(requireSshKeyName(config()), await sshKeys(env));

  const checkName = (name: string): void => {
    if (!VALID_NAME.test(name)) {
      throw new UsageError(`digitalocean: "${name}" is not a valid droplet name`, {
        argument: name,
        hint: 'droplet names become hostnames: letters, digits, "-" and "."',
      });
    }
  };

  const dropletAction = async (node: Node, action: Record<string, string>, env: ProviderEnv): Promise<void> => {
    await api().request('POST', `/v2/droplets/${encodeURIComponent(node.id)}/actions`, { body: action, signal: env.signal });
  };

  return {
    name: PROVIDER,
    createDefaults: DIGITALOCEAN_CREATE_DEFAULTS,
    nodeColumns: ['name', 'size', 'ip', 'state'],

    missingConfig: () => missingConfig(config()),

    ssh() {
      const keyFile = config().sshKeyFile;
      return keyFile ? { user: 'root', keyFile } : { user: 'root' };
    },

    async listNodes(env) {
      const droplets = await api().listAll<DoDroplet>('/v2/droplets', 'droplets', env.signal);
      return droplets.filter((d) => hasPrefix(d, env.namePrefix)).map((d) => dropletToNode(d, env.namePrefix));
    },

    optionsOf: (node) => dropletOptionsOf(node),

    async validateCreateOptions(given, env) {
      const valid = Object.keys(DIGITALOCEAN_CREATE_DEFAULTS);
      for (const name of Object.keys(given)) {
        if (!valid.includes(name)) {
          const close = suggest(name, valid);
          throw new UsageError(`digitalocean: unknown create option "${name}"`, {
            argument: name,
            hint: `${close.length > 0 ? `did you mean ${close.join(' or ')}? ` : ''}valid options: ${valid.join(', ')}`,
          });
        }
      }
      // an empty value means "not given": fall back to the default rather than ask the API for "".
      // Values come back as the catalogue spells them (NYC3 → nyc3), as droplets report them.
      const pick = (name: keyof typeof DIGITALOCEAN_CREATE_DEFAULTS): string => given[name] || DIGITALOCEAN_CREATE_DEFAULTS[name];
      // both settings are checked before the first API call, so a missing one costs nothing
      requireToken(config());
      requireSshKeyName(config());
      const [sizeList, regionList, imageList] = await Promise.all([sizes(env), regions(env), images(env), sshKey(env)]);
      const size = resolveSize(pick('size'), sizeList);
      const region = resolveRegion(pick('placement'), regionList);
      const image = resolveImage(pick('image'), imageList);
      checkRegionOffers(size, image, region, sizeList);
      return { size: size.slug, placement: region.slug, image: image.slug ?? String(image.id) };
    },

    async createServers(request: CreateRequest, env) {
      const names = request.names.map((n) => env.namePrefix + n);
      names.forEach(checkName);
      const opts = { ...DIGITALOCEAN_CREATE_DEFAULTS, ...request.options };
      const key = await sshKey(env);
      const client = api();
      env.progress(`creating ${names.length} DigitalOcean ${opts.size} ${names.length === 1 ? 'droplet' : 'droplets'} in ${opts.placement}`);
      const ids: number[] = [];
      const tags = [HITC_TAG, ...(request.ensemble ? [`${ENSEMBLE_TAG_PREFIX}${ensembleTag(request.ensemble)}`] : []), ...imageTag(opts.image)];
      // an image without a slug is named by its id, which the API takes as a number
      const image = /^\d+$/.test(opts.image) ? Number(opts.image) : opts.image;
      for (let i = 0; i < names.length; i += MAX_NAMES_PER_CREATE) {
        const batch = names.slice(i, i + MAX_NAMES_PER_CREATE);
        try {
          const created = await client.request<{ droplet?: DoDroplet; droplets?: DoDroplet[] }>('POST', '/v2/droplets', {
            body: { names: batch, region: opts.placement, size: opts.size, image, ssh_keys: [key.id], tags },
            signal: env.signal,
          });
          const droplets = created?.droplets ?? (created?.droplet ? [created.droplet] : []);
          if (droplets.length !== batch.length) {
            throw new ProviderError(PROVIDER, `POST /v2/droplets asked for ${batch.length} droplets and got ${droplets.length} back`);
          }
          ids.push(...droplets.map((d) => d.id));
        } catch (error) {
          // droplets from earlier batches exist and cost money: say so instead of losing them
          if (ids.length > 0 && error instanceof ProviderError) {
            throw new ProviderError(PROVIDER, `${error.message.replace(/^digitalocean: /, '')} (after ${ids.length} of ${names.length} droplets were created: ids ${ids.join(', ')})`, {
              hint: 'hitc nodes shows them; hitc terminate removes them',
              cause: error,
            });
          }
          throw error;
        }
      }
      const droplets = await waitForDroplets(client, ids, {
        intervalMs: pollIntervalMs(options.pollIntervalMs, options.env ?? process.env),
        timeoutMs: options.createTimeoutMs ?? 10 * 60_000,
        progress: env.progress,
        signal: env.signal,
      });
      return droplets.map((d) => dropletToNode(d, env.namePrefix));
    },

    async terminate(node, env) {
      env.progress(`terminating DigitalOcean droplet ${node.name} (${node.id})`);
      try {
        await api().request('DELETE', `/v2/droplets/${encodeURIComponent(node.id)}`, { signal: env.signal });
      } catch (error) {
        // already gone (a stale cache, or someone was quicker): the goal is reached
        if (error instanceof DigitalOceanApiError && error.status === 404) return;
        throw error;
      }
    },

    async reboot(node, env) {
      env.progress(`rebooting DigitalOcean droplet ${node.name} (${node.id})`);
      await dropletAction(node, { type: 'reboot' }, env);
    },

    async rename(node, newName, env) {
      const name = env.namePrefix + newName;
      checkName(name);
      await dropletAction(node, { type: 'rename', name }, env);
    },

    async pricing(sort, env) {
      // check the column before spending an API call on a request that cannot succeed
      pricingTable([], sort);
      return pricingTable(await sizes(env), sort);
    },
  };
}
