// image=: an AMI id, or an alias such as "ubuntu 24.04" (optionally "ubuntu 24.04 arm64").
// The original hard-coded AMI ids per release, which went stale; aliases are resolved at create
// time to Canonical's newest matching build in the client's region.

import { UsageError } from '../../core/errors.ts';
import type { Ec2Api } from './client.ts';

/** Canonical's AWS account: only its images answer an alias (look-alikes from others never do). */
export const CANONICAL_OWNER = '099720011419';
export const UBUNTU_VERSIONS = ['20.04', '22.04', '24.04'] as const;
export const IMAGE_ALIASES = UBUNTU_VERSIONS.map((v) => `ubuntu ${v}`);

export type ImageRef =
  | { readonly kind: 'ami'; readonly id: string }
  | { readonly kind: 'alias'; readonly alias: string; readonly version: string; readonly arch: 'amd64' | 'arm64' };

const AMI = /^ami-[0-9a-f]{8,17}$/;
const ALIAS = /^ubuntu[\s-]+(\d{2}\.\d{2})(?:\s+(amd64|x86_64|arm64|aarch64))?$/;
const ALIAS_HINT = `image= takes an AMI id (ami-…) or one of: ${IMAGE_ALIASES.map((a) => `"${a}"`).join(', ')} (add " arm64" for Graviton sizes)`;

/** What image= names, or a UsageError (no API call). */
export function parseImage(text: string): ImageRef {
  const value = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (value.startsWith('ami-')) {
    if (!AMI.test(value)) throw new UsageError(`"${text}" is not a valid AMI id`, { argument: 'image', hint: 'AMI ids look like ami-0123456789abcdef0' });
    return { kind: 'ami', id: value };
  }
  const m = ALIAS.exec(value);
  const version = m?.[1];
  if (!m || !version || !(UBUNTU_VERSIONS as readonly string[]).includes(version)) {
    throw new UsageError(`unknown image "${text}"`, { argument: 'image', hint: ALIAS_HINT });
  }
  const arch = m[2] === 'arm64' || m[2] === 'aarch64' ? 'arm64' : 'amd64';
  return { kind: 'alias', alias: `ubuntu ${version}${arch === 'arm64' ? ' arm64' : ''}`, version, arch };
}

/** The newest available Canonical build for an alias (DescribeImages), or a UsageError. */
export async function resolveAlias(api: Ec2Api, ref: Extract<ImageRef, { kind: 'alias' }>, signal?: AbortSignal): Promise<string> {
  // Canonical names its builds ubuntu/images/hvm-ssd[-gp3]/ubuntu-<codename>-<version>-<arch>-server-<date>
  const input = {
    Owners: [CANONICAL_OWNER],
    Filters: [
      { Name: 'name', Values: [`ubuntu/images/hvm-ssd*/ubuntu-*-${ref.version}-${ref.arch}-server-*`] },
      { Name: 'architecture', Values: [ref.arch === 'arm64' ? 'arm64' : 'x86_64'] },
      { Name: 'state', Values: ['available'] },
    ],
  };
  let best: { id: string; created: string } | undefined;
  for await (const page of api.pages('DescribeImages', input, signal)) {
    for (const image of page.Images ?? []) {
      if (!image.ImageId || image.OwnerId !== CANONICAL_OWNER) continue;
      const created = image.CreationDate ?? '';
      if (!best || created > best.created) best = { id: image.ImageId, created };
    }
  }
  if (!best) {
    throw new UsageError(`no Canonical image found for "${ref.alias}" in ${await api.region()}`, {
      argument: 'image',
      hint: 'pass an AMI id (image=ami-…) available in this region',
    });
  }
  return best.id;
}
