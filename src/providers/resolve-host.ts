// How a host word becomes a login, the same for -H and for the endpoints of `cp`.

import { parseHostSpec, type HostSpec } from '../core/host-spec.ts';
import type { Cloud } from './cloud.ts';

// A -H word that names a cloud node (or is a node's address) gets that node's address and its
// provider's login. Addresses are looked up in the cache only, so -H with an IP never waits on
// a cloud API; names may list the providers once.
export async function resolveCloudHost(cloud: Cloud, word: string): Promise<HostSpec> {
  const spec = parseHostSpec(word);
  if (spec.user || spec.port) return spec;
  const isAddress = /^[\d.]+$/.test(spec.host) || spec.host.includes(':');
  if (isAddress) {
    for (const name of cloud.providers.names) {
      const cached = cloud.cache.get(name, cloud.namePrefix) ?? [];
      const node = cached.find((n) => n.ip === spec.host);
      if (node) return cloud.hostSpec(await cloud.providers.get(name), node);
    }
    return spec;
  }
  const found = await cloud.find(spec.host).catch(() => undefined);
  // a stopped server keeps its name for provider tasks (terminate, reboot) but has no address
  return found?.node.ip ? cloud.hostSpec(found.provider, found.node) : spec;
}
