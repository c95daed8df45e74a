// Which providers are enabled. A hitcfile enables them by name (settings.providers), as the
// original enabled them by import; with no such setting, every provider whose configuration
// is present is enabled. An enabled but misconfigured provider says what is missing.

import { existsSync } from 'node:fs';
import { UsageError } from '../core/errors.ts';
import { suggest } from '../core/suggest.ts';
import type { Provider } from './types.ts';
import { createUnmanagedProvider, UNMANAGED_FILE } from './unmanaged/index.ts';

export const PROVIDER_NAMES = ['ec2', 'digitalocean', 'unmanaged', 'local'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Construct a provider by name (loaded lazily: an SDK is only imported when used). */
export async function makeProvider(name: string): Promise<Provider> {
  switch (name) {
    case 'ec2':
      return (await import('./ec2/index.ts')).createEc2Provider();
    case 'digitalocean':
      return (await import('./digitalocean/index.ts')).createDigitalOceanProvider();
    case 'unmanaged':
      return createUnmanagedProvider();
    case 'local':
      return (await import('./local/index.ts')).createLocalProvider();
    default: {
      const close = suggest(name, PROVIDER_NAMES);
      throw new UsageError(`unknown provider "${name}"`, {
        argument: name,
        hint: close.length > 0 ? `did you mean ${close.join(' or ')}?` : `providers: ${PROVIDER_NAMES.join(', ')}`,
      });
    }
  }
}

/** Provider names whose configuration is present here (the no-hitcfile default). */
export function detectProviders(env: NodeJS.ProcessEnv = process.env): ProviderName[] {
  const found: ProviderName[] = [];
  if ((env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) || env.AWS_PROFILE || env.AWS_ENDPOINT_URL_EC2) found.push('ec2');
  if (env.DIGITALOCEAN_TOKEN || env.DIGITALOCEAN_ACCESS_TOKEN) found.push('digitalocean');
  if (existsSync(UNMANAGED_FILE)) found.push('unmanaged');
  if (existsSync('/var/run/docker.sock') || env.DOCKER_HOST) found.push('local');
  return found;
}

export class ProviderSet {
  readonly #cache = new Map<string, Promise<Provider>>();
  /** `explicit`: the hitcfile chose the providers; otherwise they were detected. */
  constructor(readonly names: readonly string[], readonly explicit = true) {}

  /** An enabled provider, configured, or a UsageError saying what is missing. */
  async get(name: string): Promise<Provider> {
    if (!this.names.includes(name)) {
      const provider = await makeProvider(name); // an unknown name throws the did-you-mean error
      const missing = provider.missingConfig();
      if (!this.explicit && missing) throw new UsageError(`provider ${name} is not configured: ${missing}`, { argument: name });
      if (!this.explicit) return provider; // detected late (e.g. a file appeared): usable
      throw new UsageError(`provider "${name}" is not enabled`, {
        argument: name,
        hint: this.names.length > 0 ? `enabled: ${this.names.join(', ')}; enable it in the hitcfile: configure({ providers: [...] })` : 'enable it in the hitcfile: configure({ providers: [...] })',
      });
    }
    let p = this.#cache.get(name);
    if (!p) {
      p = makeProvider(name).then((provider) => {
        const missing = provider.missingConfig();
        if (missing) throw new UsageError(`provider ${name} is not configured: ${missing}`, { argument: name });
        return provider;
      });
      this.#cache.set(name, p);
    }
    return p;
  }

  /** Every enabled provider that is configured (misconfigured ones are reported by `onSkip`). */
  async all(onSkip?: (name: string, why: string) => void): Promise<Provider[]> {
    const out: Provider[] = [];
    for (const name of this.names) {
      try {
        out.push(await this.get(name));
      } catch (error) {
        onSkip?.(name, (error as Error).message);
      }
    }
    return out;
  }
}
