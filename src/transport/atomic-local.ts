// Local files for transfers. A download is written to a private temporary file beside the
// destination, flushed, and renamed over it: a reader (or a crash, or a kill of hitc) sees the
// old bytes or all of the new ones, never a truncated or half-written file.

import { randomBytes } from 'node:crypto';
import { lstat, open, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { posix } from 'node:path';
import { isHitcError, UsageError } from '../core/errors.ts';

/** `dir/.name.hitc-<random>.tmp`: same directory (so the rename is atomic), hidden, unique. */
export function tempNameBeside(path: string, flavour: 'local' | 'posix' = 'local'): string {
  const p = flavour === 'posix' ? posix : { dirname, basename, join };
  return p.join(p.dirname(path), `.${p.basename(path)}.hitc-${randomBytes(6).toString('hex')}.tmp`);
}

/** A mode for a new remote file made from a local one: its permission bits minus group/other
 *  write (what scp and sftp give with the usual umask 022). */
export function modeFromLocal(localMode: number): number {
  return localMode & 0o777 & ~0o022;
}

/** What an existing destination needs to be replaced by a rename: only a regular file may be.
 *  A rename over a device, FIFO or socket (/dev/null, /dev/stdout's target) would put a plain
 *  file in its place. One rule for the local, SFTP and sudo targets; the sudo script checks
 *  the same with `[ -d ]` then `[ -f ]`. Returns why it is refused, or undefined. */
export function targetRefusal(st: { isDirectory(): boolean; isFile(): boolean }): string | undefined {
  if (st.isDirectory()) return 'is a directory';
  if (!st.isFile()) return 'is not a regular file (a device, FIFO or socket)';
  return undefined;
}

export interface LocalSource {
  readonly handle: FileHandle;
  readonly size: number;
  readonly mode: number;
}

/** Opens a file to send before anything is touched on the other side; a missing or unreadable
 *  file is the user's mistake (exit 2), reported by its name. */
export async function openLocalSource(path: string): Promise<LocalSource> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw localProblem(path, error, 'read');
  }
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw new UsageError(`local path ${path} is not a regular file`, { argument: path, hint: 'give the path of a file (use rsync_up for directories)' });
  }
  return { handle, size: st.size, mode: st.mode };
}

/** Where a write to `path` should land: through a symlink to its target, never onto a directory. */
async function resolveLocalTarget(path: string): Promise<{ target: string; existing?: Stats }> {
  let st: Stats | undefined;
  try {
    st = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw localProblem(path, error, 'write');
  }
  let target = path;
  if (st?.isSymbolicLink()) {
    try {
      target = await realpath(path);
      st = await stat(target);
    } catch {
      throw new UsageError(`local path ${path} is a symlink to a missing file`, { argument: path, hint: 'point it somewhere that exists, or remove it' });
    }
  }
  const refused = st && targetRefusal(st);
  if (refused) {
    const shown = target === path ? path : `${path} (${target})`;
    throw new UsageError(`local path ${shown} ${refused}`, { argument: path, hint: 'give the full path of a regular file to write' });
  }
  if (!st) {
    const dir = dirname(target);
    const d = await stat(dir).catch(() => undefined);
    if (!d?.isDirectory()) throw new UsageError(`local directory ${dir} does not exist`, { argument: path, hint: 'create it first' });
  }
  return st ? { target, existing: st } : { target };
}

/**
 * Writes `path` atomically: `fill` writes into a temporary file (mode 0600 while written), which
 * is synced, given its final mode and renamed into place. Any failure removes the temp file and
 * leaves the destination as it was. Final mode: `mode`, else the old file's, else `newMode`.
 */
export async function writeLocalAtomically(path: string, fill: (file: FileHandle) => Promise<void>, mode?: number, newMode = 0o600): Promise<void> {
  const { target, existing } = await resolveLocalTarget(path);
  const temp = tempNameBeside(target);
  let file: FileHandle;
  try {
    file = await open(temp, 'wx', 0o600);
  } catch (error) {
    throw localProblem(dirname(target), error, 'write');
  }
  let done = false;
  try {
    await fill(file);
    await file.sync();
    await file.chmod(mode ?? (existing ? existing.mode & 0o7777 : newMode));
    await file.close();
    await rename(temp, target);
    done = true;
    await syncDir(dirname(target));
  } catch (error) {
    // a full disk or a failed rename is named by its path, not shown as an internal error
    if (isHitcError(error) || (error as { name?: string }).name === 'AbortError') throw error;
    throw localProblem(target, error, 'write');
  } finally {
    if (!done) {
      await file.close().catch(() => undefined);
      await rm(temp, { force: true }).catch(() => undefined);
    }
  }
}

// the rename itself is durable only once its directory is flushed; best effort (not every
// file system allows opening a directory for this)
async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r').catch(() => undefined);
  if (!d) return;
  await d.sync().catch(() => undefined);
  await d.close().catch(() => undefined);
}

function localProblem(path: string, error: unknown, op: 'read' | 'write'): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UsageError(`local file ${path} does not exist`, { argument: path, hint: 'check the path (it is relative to where hitc runs)' });
  if (code === 'EACCES' || code === 'EPERM') return new UsageError(`cannot ${op} local path ${path}: permission denied`, { argument: path });
  if (code === 'EISDIR') return new UsageError(`local path ${path} is a directory`, { argument: path, hint: 'give the path of a file' });
  return new UsageError(`cannot ${op} local path ${path}: ${(error as Error).message}`, { argument: path });
}
