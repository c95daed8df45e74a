// `hitc cp:SRC,DST`: files and directories between this machine and servers, or between two
// servers through this machine (no keys between them). Both sides run as root (sudo where the
// login is not root); a tar stream flows over hitc's own connections into a private directory
// beside the target, which is renamed into place only after both ends succeeded.

import { PassThrough } from 'node:stream';
import type { Command } from '../core/command.ts';
import { CommandError, TaskError } from '../core/errors.ts';
import { DockerHost } from '../docker/docker-host.ts';
import { resolveCloudHost } from '../providers/resolve-host.ts';
import type { CommandResult, RunOptions, TaskContext } from '../taskfile/context-types.ts';
import { task } from '../taskfile/define.ts';
import { commitCommand, discardCommand, packCommand, parseProbe, probeCommand, stageCommand, stagedPath } from './copy-commands.ts';
import { destinationProbes, entryName, parseEndpoint, resolveTarget, type CopyEndpoint, type PathKind } from './copy-target.ts';

/** One end of a copy: this machine (as the user running hitc) or a server (as root). */
interface CopySide {
  readonly label: string;
  run(command: Command, options: RunOptions): Promise<CommandResult>;
}

/** Long enough for a rm -rf of a large unpacked tree after Ctrl-C. */
const CLEANUP_WITHIN_MS = 30_000;

async function sideFor(c: TaskContext, endpoint: CopyEndpoint): Promise<CopySide> {
  if (endpoint.host === undefined) return { label: 'localhost', run: (command, options) => c.local(command, options) };
  const server = new DockerHost(c.on(await resolveCloudHost(c.cloud, endpoint.host)));
  return { label: server.name, run: (command, options) => server.asRoot(command, options) };
}

async function probe(side: CopySide, paths: readonly string[]): Promise<PathKind[]> {
  const result = await side.run(probeCommand(paths), { quiet: true });
  try {
    return parseProbe(result.stdout, paths.length);
  } catch (error) {
    throw new TaskError(`${side.label}: ${(error as Error).message}`, { host: side.label });
  }
}

function failure(side: CopySide, command: Command, result: CommandResult, what: string): CommandError {
  return new CommandError({
    host: side.label,
    command: command.display,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    stdout: result.stdout,
    stderr: result.stderr,
    reason: `${what} on ${side.label} failed (exit ${result.exitCode ?? 'none'}); the target is unchanged`,
  });
}

export async function copy(c: TaskContext, src: CopyEndpoint, dst: CopyEndpoint, options: { replace?: boolean } = {}): Promise<void> {
  const [from, to] = await Promise.all([sideFor(c, src), sideFor(c, dst)]);
  const name = entryName(src.path);
  const [srcKinds, dstKinds] = await Promise.all([probe(from, [src.path]), probe(to, destinationProbes(dst.path, name))]);
  const target = resolveTarget({ src, dst, srcKind: srcKinds[0] as PathKind, dstKinds: dstKinds as [PathKind, PathKind, PathKind], replace: options.replace === true });
  const targetPath = `${target.dir}/${target.name}`;
  c.log(`copying ${src.word} (${from.label}) to ${targetPath} (${to.label})`);

  let committing: Promise<unknown> = Promise.resolve();
  let committed = false;
  let staged: string | undefined;
  // The private directory is the only thing a copy cut short leaves. On Ctrl-C the runner
  // abandons this task at once, so the removal is kept alive like a provider's clean-up: it
  // waits for the unpack to be killed and for a commit in flight, then runs on a signal of its own.
  let discarding: Promise<unknown> | undefined;
  const discard = (): Promise<unknown> => (discarding ??= Promise.allSettled([unpacking, committing]).then(async () => {
    if (staged === undefined || committed) return;
    await to.run(discardCommand(staged, targetPath), { quiet: true, warn: true, signal: AbortSignal.timeout(CLEANUP_WITHIN_MS) });
  }).catch(() => undefined));
  const onAbort = (): void => {
    const keep = c.cloud.env().keep;
    if (keep) keep(discard());
    else void discard();
  };
  c.signal.addEventListener('abort', onAbort, { once: true });
  const stream = new PassThrough();
  const stop = new AbortController();
  const signal = AbortSignal.any([c.signal, stop.signal]);
  let ready!: () => void;
  const readyOrEnded = new Promise<void>((resolve) => (ready = resolve));
  const stage = stageCommand(target.dir);
  const pack = packCommand(src.path, name);
  // the source starts only once the destination printed its private directory: until then stdin
  // must stay empty (a sudo that needs a password is retried, and must find the stream unread)
  const unpacking = to.run(stage, {
    quiet: true, warn: true, stdin: stream, signal,
    onLine: (kind, line) => {
      if (kind === 'out' && staged === undefined) staged = stagedPath(line, target.dir);
      if (staged !== undefined) ready();
    },
  }).finally(ready);
  const packing = readyOrEnded.then(async () => {
    if (staged === undefined) return undefined;
    try {
      return await from.run(pack, { quiet: true, warn: true, stdout: stream, signal });
    } finally {
      stream.end();
    }
  });
  // whichever end fails first stops the other (a dead reader would leave the writer blocked)
  const [unpacked, packed] = await Promise.allSettled([
    unpacking.then((r) => { if (!r.ok) stop.abort(); return r; }, (e: unknown) => { stop.abort(); throw e; }),
    packing.then((r) => { if (r && !r.ok) stop.abort(); return r; }, (e: unknown) => { stop.abort(); throw e; }),
  ]);
  try {
    c.signal.throwIfAborted();
    if (packed.status === 'rejected') throw packed.reason;
    if (packed.value && !packed.value.ok) throw failure(from, pack, packed.value, 'reading the source');
    if (unpacked.status === 'rejected') throw unpacked.reason;
    if (!unpacked.value.ok || staged === undefined) throw failure(to, stage, unpacked.value, 'unpacking at the destination');
    const commit = commitCommand(staged, name, targetPath, target.replacesDir);
    // two renames that Ctrl-C must not split: bounded by a signal of their own
    const renaming = to.run(commit, { quiet: true, warn: true, signal: AbortSignal.timeout(CLEANUP_WITHIN_MS) })
      .then((r) => { committed = r.ok; return r; });
    committing = renaming;
    const result = await renaming;
    if (!result.ok) throw failure(to, commit, result, 'renaming into place');
  } catch (error) {
    if (!c.signal.aborted) await discard();
    throw error;
  } finally {
    c.signal.removeEventListener('abort', onAbort);
  }
  c.log(`copied ${src.word} to ${dst.host ? `${dst.host}:` : ''}${targetPath}`);
}

export const cp = task(
  {
    description: 'Copy a file or directory: local to server, server to local or server to server (HOST:PATH), as root, keeping modes and mtimes; the target changes only when the copy is complete\ncp:./dist,web:/srv/  cp:web:/etc/app,db-1:/tmp/  cp:db-1:/var/log/app.log,.  (a path with no HOST: is local)\nDST that is a directory (or ends in /) receives SRC under its own name; otherwise DST is the new name.\nreplace=true swaps an existing target directory whole (without it that is refused).',
    local: true,
    params: {
      src: { type: 'string', required: true, description: 'PATH or HOST:PATH (HOST as for -H: ssh_config alias, address, node name)' },
      dst: { type: 'string', required: true, description: 'PATH or HOST:PATH' },
      replace: { type: 'boolean', default: false, description: 'replace an existing directory target whole' },
    },
  },
  async (c, { src, dst, replace }) => copy(c, parseEndpoint(src, 'SRC'), parseEndpoint(dst, 'DST'), { replace }),
);
