// The local server image, built from templates/local-server when missing or changed (a label
// carries the hash of the template). BASE is debian:bookworm-slim unless HITC_LOCAL_BASE_IMAGE
// names another — e.g. an image imported from a debootstrap rootfs where no registry is reachable.

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../core/package-root.ts';
import { docker } from './docker-cli.ts';

export const LOCAL_IMAGE = 'hitc-local-server';

export async function ensureLocalImage(progress: (m: string) => void): Promise<string> {
  const dir = join(packageRoot(), 'templates', 'local-server');
  const base = process.env.HITC_LOCAL_BASE_IMAGE || 'debian:bookworm-slim';
  const hash = createHash('sha1');
  hash.update(base);
  for (const f of readdirSync(dir).sort()) hash.update(f).update(readFileSync(join(dir, f)));
  const wanted = hash.digest('hex').slice(0, 16);
  const have = await docker(['image', 'inspect', '-f', '{{index .Config.Labels "hitc.local.hash"}}', LOCAL_IMAGE]).catch(() => '');
  if (have.trim() === wanted) return LOCAL_IMAGE;
  progress(`building the ${LOCAL_IMAGE} image from ${base} (once; a minute or two)`);
  await docker(['build', '-q', '--build-arg', `BASE=${base}`, '--label', `hitc.local.hash=${wanted}`, '-t', LOCAL_IMAGE, dir], { timeoutMs: 20 * 60_000 });
  return LOCAL_IMAGE;
}
