// The local server image, built from templates/local-server when missing or changed (a label
// carries the hash of the template and base).

import { createHash } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../core/package-root.ts';
import { docker } from './docker-cli.ts';
import { ProviderError } from '../types.ts';

export const LOCAL_IMAGE = 'hitc-local-server';

export const ROOTFS_BASE_IMAGE = 'hitc-local-base:bookworm';

/** The base image: as configured; else debian:bookworm-slim from a registry; else (offline) one
 *  imported from a debootstrap rootfs, made once and kept as hitc-local-base:bookworm. */
async function baseImage(progress: (m: string) => void): Promise<string> {
  if (process.env.HITC_LOCAL_BASE_IMAGE) return process.env.HITC_LOCAL_BASE_IMAGE;
  const present = async (image: string): Promise<boolean> => docker(['image', 'inspect', image]).then(() => true, () => false);
  if (await present('debian:bookworm-slim')) return 'debian:bookworm-slim';
  if (await present(ROOTFS_BASE_IMAGE)) return ROOTFS_BASE_IMAGE;
  if (await docker(['pull', '-q', 'debian:bookworm-slim'], { timeoutMs: 120_000 }).then(() => true, () => false)) return 'debian:bookworm-slim';
  progress('no registry answered: building a Debian base image with debootstrap (once; about a minute)');
  await importRootfs(ROOTFS_BASE_IMAGE);
  return ROOTFS_BASE_IMAGE;
}

async function importRootfs(tag: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hitc-rootfs-'));
  try {
    await new Promise<void>((resolve, reject) => {
      execFile('debootstrap', ['--variant=minbase', 'bookworm', dir, process.env.HITC_DEBIAN_MIRROR || 'http://deb.debian.org/debian'], { timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, _out, err) => {
        if (!error) return resolve();
        reject(new ProviderError('local', `debootstrap failed: ${(err || error.message).trim().split('\n').slice(-2).join(' / ')}`, {
          hint: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'install debootstrap (apt-get install debootstrap), or set HITC_LOCAL_BASE_IMAGE to a Debian image you have' : 'is the Debian mirror reachable?',
        }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      const tar = spawn('tar', ['--numeric-owner', '-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const imp = spawn('docker', ['import', '-', tag], { stdio: ['pipe', 'ignore', 'inherit'] });
      tar.stdout.pipe(imp.stdin);
      imp.on('close', (code) => (code === 0 ? resolve() : reject(new ProviderError('local', `docker import of the rootfs failed (exit ${code})`))));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function ensureLocalImage(progress: (m: string) => void): Promise<string> {
  const dir = join(packageRoot(), 'templates', 'local-server');
  const base = await baseImage(progress);
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
