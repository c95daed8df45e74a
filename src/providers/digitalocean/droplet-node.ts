// A droplet as hitc shows it. Names carry the prefix in the cloud and lose it here.

import type { Node } from '../types.ts';
import type { DoDroplet } from './api-types.ts';
import { PROVIDER } from './api-client.ts';

export function publicIpv4(droplet: DoDroplet): string | null {
  return droplet.networks.v4?.find((n) => n.type === 'public')?.ip_address ?? null;
}

/** Droplet tag naming the ensemble that created it (DO tags: letters, digits, _ - :). */
export const ENSEMBLE_TAG_PREFIX = 'hitc-ensemble:';
/** Droplet tag naming the image it was created from, as validateCreateOptions spelt it. */
export const IMAGE_TAG_PREFIX = 'hitc-image:';
const TAG_TEXT = /^[A-Za-z0-9:_-]+$/;

/** The tag recording `image`, or none when the value cannot be a tag. */
export function imageTag(image: string): string[] {
  return TAG_TEXT.test(image) && IMAGE_TAG_PREFIX.length + image.length <= 255 ? [`${IMAGE_TAG_PREFIX}${image}`] : [];
}

/**
 * The image as validateCreateOptions spells it: its slug, else its id. A distribution slug
 * moves to each new build and the droplet's old image loses it (slug null), so the slug
 * recorded at creation stands in for a lost one: otherwise every image update would read as
 * "created from another image" and get the droplet replaced. Its slug wins over the record so a
 * droplet rebuilt by hand from another image shows as that image.
 */
function imageOption(droplet: DoDroplet): string {
  const recorded = droplet.tags?.find((t) => t.startsWith(IMAGE_TAG_PREFIX))?.slice(IMAGE_TAG_PREFIX.length);
  // a slug of the image it runs now, when its image has one, beats an older record; with neither
  // (a droplet made before hitc recorded it, whose slug moved on) the image is unknown: '' is
  // "not compared", never a reason to replace the droplet
  return droplet.image.slug ?? recorded ?? '';
}

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
    // image is for people (a name when there is no slug); image_option is for comparing
    extra: { region: droplet.region.slug, image, image_option: imageOption(droplet) },
    ...(ensemble ? { ensemble } : {}),
  };
}

/** What a droplet was created with, in validateCreateOptions' keys and spelling. A node cached
 *  by an older hitc has no image_option: its image is then unknown, not guessed. */
export function dropletOptionsOf(node: Node): Record<string, string> {
  const facts: Record<string, string> = { size: node.size ?? '', placement: node.extra.region ?? '', image: node.extra.image_option ?? '' };
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== ''));
}

export function hasPrefix(droplet: DoDroplet, namePrefix: string): boolean {
  return droplet.name.startsWith(namePrefix);
}
