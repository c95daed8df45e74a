// A droplet as hitc shows it. Names carry the prefix in the cloud and lose it here.

import type { Node } from '../types.ts';
import type { DoDroplet } from './api-types.ts';
import { PROVIDER } from './api-client.ts';

export function publicIpv4(droplet: DoDroplet): string | null {
  return droplet.networks.v4?.find((n) => n.type === 'public')?.ip_address ?? null;
}

/** Droplet tag naming the ensemble that created it (DO tags: letters, digits, _ - :). */
export const ENSEMBLE_TAG_PREFIX = 'hitc-ensemble:';

export function dropletToNode(droplet: DoDroplet, namePrefix: string): Node {
  const ip = publicIpv4(droplet);
  const privateIp = droplet.networks.v4?.find((n) => n.type === 'private')?.ip_address ?? null;
  const ensemble = droplet.tags?.find((t) => t.startsWith(ENSEMBLE_TAG_PREFIX))?.slice(ENSEMBLE_TAG_PREFIX.length);
  const image = droplet.image.slug ?? (droplet.image.distribution ? `${droplet.image.distribution} ${droplet.image.name}` : droplet.image.name);
  return {
    provider: PROVIDER,
    id: String(droplet.id),
    name: droplet.name.slice(namePrefix.length),
    size: droplet.size_slug || null,
    ip,
    // the original had no private networking and used the public address; keep that fallback
    // for droplets without a VPC address
    internalIp: privateIp ?? ip,
    state: droplet.status,
    running: droplet.status === 'active',
    created: droplet.created_at || null,
    extra: { region: droplet.region.slug, image },
    ...(ensemble ? { ensemble } : {}),
  };
}

export function hasPrefix(droplet: DoDroplet, namePrefix: string): boolean {
  return droplet.name.startsWith(namePrefix);
}
