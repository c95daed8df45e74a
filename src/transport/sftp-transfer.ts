// File transfers over SFTP that never destroy the destination: the source is opened first, the
// bytes go to a private temporary file beside the destination, and only a complete, synced file
// is renamed over it (posix-rename). Any failure removes the temporary file.

import type { FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper, Stats } from 'ssh2';
import { isHitcError, TaskError } from '../core/errors.ts';
import { modeFromLocal, targetRefusal, tempNameBeside, writeLocalAtomically, type LocalSource } from './atomic-local.ts';

const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

type Handle = Buffer;

function call<T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

const sftpCode = (error: unknown): number | undefined => (error as { code?: number }).code;

/** The remote file a write lands on (through a symlink), and what is there now. */
async function resolveRemoteTarget(sftp: SFTPWrapper, label: string, path: string): Promise<{ target: string; existing?: Stats }> {
  let st: Stats | undefined;
  try {
    st = await call<Stats>((cb) => sftp.lstat(path, cb));
  } catch (error) {
    if (sftpCode(error) !== NO_SUCH_FILE) throw remoteProblem(label, path, error, 'write');
  }
  let target = path;
  if (st?.isSymbolicLink()) {
    try {
      target = await call<string>((cb) => sftp.realpath(path, cb));
      st = await call<Stats>((cb) => sftp.stat(target, cb));
    } catch {
      throw new TaskError(`${path} on ${label} is a symlink to a missing file`, { host: label, hint: 'point it somewhere that exists, or remove it' });
    }
  }
  const refused = st && targetRefusal(st);
  if (refused) {
    const shown = target === path ? path : `${path} (${target})`;
    throw new TaskError(`${shown} on ${label} ${refused}`, { host: label, hint: 'give the full path of a regular file to write' });
  }
  if (!st) {
    const dir = posix.dirname(target);
    const d = await call<Stats>((cb) => sftp.stat(dir, cb)).catch(() => undefined);
    if (!d?.isDirectory()) throw new TaskError(`directory ${dir} does not exist on ${label}`, { host: label, hint: 'create it first' });
  }
  return st ? { target, existing: st } : { target };
}

async function streamInto(sftp: SFTPWrapper, source: LocalSource, handle: Handle, signal?: AbortSignal): Promise<void> {
  const to = sftp.createWriteStream('', { handle, autoClose: false } as never);
  await pipeline(readChunks(source.handle), to, ...(signal ? [{ signal }] as const : []));
}

// Plain reads on the handle: a FileHandle stream would hold the handle open until it is destroyed
async function* readChunks(file: FileHandle): AsyncGenerator<Buffer> {
  let position = 0;
  for (;;) {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

async function fsync(sftp: SFTPWrapper, handle: Handle): Promise<void> {
  try {
    await call((cb) => sftp.ext_openssh_fsync(handle, cb));
  } catch {
    // a server without fsync@openssh.com: the rename is still atomic, only not yet durable
  }
}

// The replaced file's owner and group, as far as the login user may set them: root keeps both;
// anyone else keeps the group when a member of it (the file then belongs to the login user).
// A group that cannot be kept refuses the upload: silently regrouping a 0640 file would lock out
// the service that reads it.
async function keepOwner(sftp: SFTPWrapper, label: string, handle: Handle, existing: Stats, shown: string): Promise<void> {
  try {
    await call((cb) => sftp.fchown(handle, existing.uid, existing.gid, cb));
    return;
  } catch {
    // not root: try the login user's own uid with the old group
  }
  const mine = await call<Stats>((cb) => sftp.fstat(handle, cb));
  if (mine.gid === existing.gid) return;
  try {
    await call((cb) => sftp.fchown(handle, mine.uid, existing.gid, cb));
  } catch {
    throw new TaskError(`cannot keep group ${existing.gid} of ${shown} on ${label}: the login user may not give files that group; the destination is unchanged`, {
      host: label,
      hint: 'use sudo: true to replace a file of another user or group',
    });
  }
}

/**
 * Uploads an opened local file to `remotePath` atomically. Final mode: `mode`, else the old
 * file's, else the local file's minus group/other write. The old file's owner is kept when the
 * login user may set it (root); otherwise the file belongs to the login user and keeps its old
 * group (refused when the login user is not in that group). The directory must be writable by
 * the login user.
 */
export async function sftpPut(sftp: SFTPWrapper, label: string, source: LocalSource, remotePath: string, opts: { mode?: number; signal?: AbortSignal } = {}): Promise<void> {
  const { target, existing } = await resolveRemoteTarget(sftp, label, remotePath);
  const temp = tempNameBeside(target, 'posix');
  let handle: Handle;
  try {
    handle = await call<Handle>((cb) => sftp.open(temp, 'wx', { mode: 0o600 }, cb));
  } catch (error) {
    throw remoteProblem(label, posix.dirname(target), error, 'write', true);
  }
  let open = true;
  let renamed = false;
  try {
    await streamInto(sftp, source, handle, opts.signal);
    await fsync(sftp, handle);
    const mode = opts.mode ?? (existing ? existing.mode & 0o7777 : modeFromLocal(source.mode));
    if (existing) await keepOwner(sftp, label, handle, existing, remotePath);
    await call((cb) => sftp.fchmod(handle, mode, cb));
    open = false;
    await call((cb) => sftp.close(handle, cb));
    await renameOver(sftp, temp, target);
    renamed = true;
  } catch (error) {
    throw transferFailed(label, `put ${remotePath}`, error);
  } finally {
    if (open) await call((cb) => sftp.close(handle, cb)).catch(() => undefined);
    if (!renamed) await call((cb) => sftp.unlink(temp, cb)).catch(() => undefined);
  }
}

/** Writes an opened local file to a new remote path that must not exist (a private staging file). */
export async function sftpPutNew(sftp: SFTPWrapper, label: string, source: LocalSource, remotePath: string, signal?: AbortSignal): Promise<void> {
  let handle: Handle;
  try {
    handle = await call<Handle>((cb) => sftp.open(remotePath, 'wx', { mode: 0o600 }, cb));
  } catch (error) {
    throw remoteProblem(label, remotePath, error, 'write');
  }
  let ok = false;
  try {
    await streamInto(sftp, source, handle, signal);
    ok = true;
  } catch (error) {
    throw transferFailed(label, `put ${remotePath}`, error);
  } finally {
    await call((cb) => sftp.close(handle, cb)).catch(() => undefined);
    if (!ok) await call((cb) => sftp.unlink(remotePath, cb)).catch(() => undefined);
  }
}

/** Downloads `remotePath` into `localPath` atomically; the remote file is opened first, so a
 *  missing one leaves the local file untouched. `shownPath` names it in errors. */
export async function sftpGet(sftp: SFTPWrapper, label: string, remotePath: string, localPath: string, opts: { mode?: number; signal?: AbortSignal; shownPath?: string } = {}): Promise<void> {
  const shown = opts.shownPath ?? remotePath;
  let handle: Handle;
  try {
    handle = await call<Handle>((cb) => sftp.open(remotePath, 'r', cb));
  } catch (error) {
    throw remoteProblem(label, shown, error, 'read');
  }
  try {
    const st = await call<Stats>((cb) => sftp.fstat(handle, cb)).catch((error: unknown) => {
      throw remoteProblem(label, shown, error, 'read');
    });
    if (!st.isFile()) throw new TaskError(`${shown} on ${label} is not a regular file`, { host: label, hint: 'give the path of a file (use rsync_down for directories)' });
    await writeLocalAtomically(localPath, async (file) => {
      const from = sftp.createReadStream('', { handle, autoClose: false } as never);
      try {
        await pipeline(from, async (chunks: AsyncIterable<Buffer>) => {
          for await (const chunk of chunks) await file.write(chunk);
        }, ...(opts.signal ? [{ signal: opts.signal }] as const : []));
      } catch (error) {
        throw transferFailed(label, `get ${shown}`, error);
      }
    }, opts.mode);
  } finally {
    await call((cb) => sftp.close(handle, cb)).catch(() => undefined);
  }
}

async function renameOver(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  let supported = true;
  try {
    await call((cb) => sftp.ext_openssh_rename(from, to, cb));
  } catch (error) {
    // ssh2 throws at once (before any request) when the server lacks posix-rename@openssh.com
    if (!/does not support/.test((error as Error).message)) throw error;
    supported = false;
  }
  // plain SFTP rename refuses an existing target, so this works only for a new file
  if (!supported) await call((cb) => sftp.rename(from, to, cb));
}

function remoteProblem(label: string, path: string, error: unknown, op: 'read' | 'write', inDir = false): TaskError {
  const code = sftpCode(error);
  if (code === NO_SUCH_FILE) {
    return op === 'read'
      ? new TaskError(`remote file ${path} does not exist on ${label}`, { host: label, hint: 'check the path (relative paths start in the login user\'s home)' })
      : new TaskError(`directory ${inDir ? path : posix.dirname(path)} does not exist on ${label}`, { host: label, hint: 'create it first' });
  }
  if (code === PERMISSION_DENIED) {
    const what = inDir ? `cannot create a file in ${path} on ${label}` : `cannot ${op} ${path} on ${label}`;
    return new TaskError(`${what}: permission denied`, { host: label, hint: op === 'write' ? 'without sudo the destination directory must be writable by the login user; use sudo: true to write where it is not' : 'use sudo: true to read what the login user cannot' });
  }
  return new TaskError(`cannot ${op} ${path} on ${label}: ${(error as Error).message}`, { host: label, cause: error });
}

function transferFailed(label: string, what: string, error: unknown): Error {
  if (isHitcError(error) || (error as { name?: string }).name === 'AbortError') return error as Error;
  return new TaskError(`${what} on ${label} failed: ${(error as Error).message}; the destination is unchanged`, { host: label, cause: error });
}
