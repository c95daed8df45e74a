// Turning what the user typed (a slug in any case, or the name the control panel shows) into
// the slugs the API takes and reports back on droplets. Lists come from the API itself, so new
// sizes and images work without a hitc release; an unknown value fails before anything is
// created, naming a few valid ones. Errors name the option (size, placement, image) as their
// argument, which the ensemble maps to the manifest line that set it.

import { UsageError } from '../../core/errors.ts';
import { suggest } from '../../core/suggest.ts';
import type { DoImage, DoRegion, DoSize, DoSshKey } from './api-types.ts';

/** How many valid values a hint lists: enough to show the form, not a wall of text. */
const HINT_COUNT = 6;

function unknown(option: string, value: string, valid: readonly string[], more = ''): UsageError {
  const close = suggest(value, valid);
  const listed = valid.slice(0, HINT_COUNT).join(', ') + (valid.length > HINT_COUNT ? `, … (${valid.length} in all)` : '');
  const hint = close.length > 0 ? `did you mean ${close.map((c) => `"${c}"`).join(' or ')}?` : `valid: ${listed || 'none'}${more}`;
  return new UsageError(`digitalocean: unknown ${option} "${value}"`, { argument: option, hint });
}

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

export function imageName(image: DoImage): string {
  return `${image.distribution} ${image.name}`;
}

export function resolveSize(value: string, sizes: readonly DoSize[]): DoSize {
  const found = sizes.find((s) => same(s.slug, value));
  if (!found) {
    const valid = sizes.filter((s) => s.available).map((s) => s.slug);
    throw unknown('size', value, valid, '; hitc pricing lists them all');
  }
  if (!found.available) {
    throw new UsageError(`digitalocean: size "${found.slug}" is no longer offered for new droplets`, { argument: 'size', hint: 'hitc pricing lists the sizes offered now' });
  }
  return found;
}

export function resolveRegion(value: string, regions: readonly DoRegion[]): DoRegion {
  const found = regions.find((r) => same(r.slug, value)) ?? regions.find((r) => same(r.name, value));
  const valid = regions.filter((r) => r.available).map((r) => r.slug);
  if (!found) throw unknown('placement', value, valid, ' (a region slug, or its name such as "New York 1")');
  if (!found.available) {
    throw new UsageError(`digitalocean: region ${found.slug} (${found.name}) does not take new droplets`, {
      argument: 'placement',
      hint: `regions that do: ${valid.slice(0, HINT_COUNT).join(', ')}`,
    });
  }
  return found;
}

export function resolveImage(value: string, images: readonly DoImage[]): DoImage {
  // an id is what validateCreateOptions gives for an image without a slug: it must resolve again
  const found = images.find((i) => i.slug !== null && same(i.slug, value)) ?? images.find((i) => same(imageName(i), value)) ?? images.find((i) => String(i.id) === value.trim());
  if (!found) {
    const valid = images.map((i) => i.slug ?? imageName(i));
    throw unknown('image', value, valid, ' (a distribution image slug, or its name such as "Ubuntu 24.04 (LTS) x64")');
  }
  return found;
}

export function resolveSshKey(name: string, keys: readonly DoSshKey[]): DoSshKey {
  const found = keys.find((k) => k.name === name) ?? keys.find((k) => same(k.name, name));
  if (found) return found;
  const close = suggest(name, keys.map((k) => k.name));
  throw new UsageError(`digitalocean: no SSH key named "${name}" in the account (DIGITAL_OCEAN_SSH_KEY_NAME)`, {
    hint:
      close.length > 0
        ? `did you mean "${close[0]}"?`
        : keys.length > 0
          ? `keys in the account: ${keys.slice(0, HINT_COUNT).map((k) => k.name).join(', ')}`
          : 'upload a public key first (control panel → Settings → Security → SSH keys)',
  });
}

/** The API refuses a size or image that a region does not carry; say so before trying. */
export function checkRegionOffers(size: DoSize, image: DoImage, region: DoRegion, sizes: readonly DoSize[]): void {
  if (!size.regions.includes(region.slug)) {
    const there = sizes.filter((s) => s.available && s.regions.includes(region.slug)).map((s) => s.slug);
    throw new UsageError(`digitalocean: size ${size.slug} is not offered in region ${region.slug}`, {
      argument: 'size',
      hint: `sizes in ${region.slug}: ${there.slice(0, HINT_COUNT).join(', ') || 'none'}; or pick another placement (${size.regions.slice(0, HINT_COUNT).join(', ')})`,
    });
  }
  if (image.regions.length > 0 && !image.regions.includes(region.slug)) {
    throw new UsageError(`digitalocean: image ${image.slug ?? imageName(image)} is not available in region ${region.slug}`, {
      argument: 'image',
      hint: `it is in: ${image.regions.slice(0, HINT_COUNT).join(', ')}`,
    });
  }
}
