// Locking the servers an ensemble.up will change, so two runs never change one server at once.
// All are taken in parallel, all or none: when any is held by another run, the ones taken are
// given back and the run fails naming the holder, or (lock_wait) tries again until its time is
// up. Locking is how apply runs, not what it changes: it is no op of the plan, and the plan
// (text and JSON) never mentions it.

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HostSpec } from '../../core/host-spec.ts';
import { TaskError } from '../../core/errors.ts';
import { localUserAtHost } from '../../core/whoami.ts';
import { DockerHost } from '../../docker/docker-host.ts';
import type { TaskContext } from '../../taskfile/context-types.ts';
import { parseSshPath, READ_SSH_PATH } from '../firewall/firewall-commands.ts';
import type { Located } from '../observe/observe.ts';
import type { Plan } from '../plan/ops.ts';
import { acquireLockCommand, lockHolderText, parseLockState, releaseLockCommand, type LockInfo } from './lock-commands.ts';

export interface LockTarget {
  readonly server: string;
  readonly spec: HostSpec;
}

/** The servers the plan changes that exist now. A server the plan creates is not locked: no
 *  other run can reach it before it exists, and by then this run holds the others it changes. A
 *  stray being terminated is not the manifest's and has no login here. A server being replaced
 *  is locked: until it is terminated another run could replace it too. */
export function lockTargets(plan: Plan, located: ReadonlyMap<string, Located>): LockTarget[] {
  const servers = new Set(plan.ops.filter((op) => op.kind !== 'create-server' && op.kind !== 'terminate-server').map((op) => op.server));
  return [...servers].sort().flatMap((server) => {
    const spec = located.get(server)?.spec;
    return spec ? [{ server, spec }] : [];
  });
}

export interface HeldLocks {
  /** Whether another run held a lock at first (the world may have changed meanwhile). */
  readonly waited: boolean;
  /** Gives the locks back (once; later calls wait for the first). Never throws: a lock that
   *  cannot be given back is a warning naming ensemble.unlock. */
  release(): Promise<void>;
}

export interface LockOptions {
  readonly ensemble: string;
  /** Seconds to wait for locks held by another run (0: fail at once). */
  readonly waitSec: number;
  /** A server that is gone (replaced) took its lock with it: nothing to give back there. */
  readonly gone?: (target: LockTarget) => boolean;
  readonly pollMs?: number;
}

const RELEASE_WITHIN_MS = 15_000;

export async function lockServers(c: TaskContext, targets: readonly LockTarget[], options: LockOptions): Promise<HeldLocks> {
  // Ctrl-C in the middle of a round (a mkdir done, its answer not back yet) must still give
  // that round back before the run closes its connections: the run waits for all of this
  let settled!: () => void;
  c.cloud.env().keep?.(new Promise<void>((resolve) => (settled = resolve)));
  try {
    return await takeLocks(c, targets, options);
  } finally {
    settled();
  }
}

async function takeLocks(c: TaskContext, targets: readonly LockTarget[], options: LockOptions): Promise<HeldLocks> {
  const info: Omit<LockInfo, 'from'> = {
    token: randomBytes(8).toString('hex'), ensemble: options.ensemble, who: localUserAtHost(), pid: process.pid, since: new Date().toISOString(),
  };
  const deadline = Date.now() + options.waitSec * 1000;
  const giveBack = (which: readonly LockTarget[]): Promise<void> => releaseAll(c, which, info.token);
  let waited = false;
  for (;;) {
    const answers = await Promise.all(targets.map(async (t) => ({ target: t, answer: await acquire(c, t, info).catch((error: unknown) => ({ error })) })));
    const held = answers.flatMap((a) => ('state' in a.answer && a.answer.state === 'held' ? [{ server: a.target.server, holder: a.answer.holder }] : []));
    const failed = answers.flatMap((a) => ('error' in a.answer ? [{ server: a.target.server, error: a.answer.error }] : []));
    if (held.length === 0 && failed.length === 0) return holding(c, targets, info.token, waited, options);
    // all or none: what this round took goes back (a held answer proves nothing of ours is there)
    await giveBack(answers.filter((a) => !('state' in a.answer && a.answer.state === 'held')).map((a) => a.target));
    if (failed.length > 0) {
      throw new TaskError(`could not lock ${failed.map((f) => `${f.server} (${(f.error as Error)?.message ?? String(f.error)})`).join(', ')}, so nothing was changed`, {
        hint: 'hitc locks a server by making /var/lib/hitc/lock as root there',
      });
    }
    const text = held.map((h) => lockHolderText(h.server, h.holder)).join('; ');
    if (Date.now() + (options.pollMs ?? 2000) > deadline) {
      const ensembles = [...new Set(held.flatMap((h) => (h.holder ? [h.holder.ensemble] : [])))];
      throw new TaskError(`${text}${waited ? ` (waited ${options.waitSec} s)` : ''}; nothing was changed`, {
        hint: `${ensembles.length > 0 ? `${ensembles.map((e) => `ensemble.unlock:${e}`).join(', ')} clears a lock left by a killed run` : `remove /var/lib/hitc/lock on ${held[0]?.server} if no run holds it`}; lock_wait=SECONDS waits for the lock`,
      });
    }
    if (!waited) c.log(`waiting up to ${options.waitSec} s: ${text}`);
    waited = true;
    await sleep(options.pollMs ?? 2000, undefined, { signal: c.signal });
  }
}

async function acquire(c: TaskContext, t: LockTarget, info: Omit<LockInfo, 'from'>) {
  const host = new DockerHost(c.on(t.spec));
  // a root shell reached through sudo has lost SSH_CLIENT: the login user reads it
  const peer = (await host.isRoot()) ? '' : parseSshPath((await host.c.run(READ_SSH_PATH, { quiet: true })).stdout)?.peer ?? '';
  return parseLockState((await host.asRoot(acquireLockCommand(info, peer), { quiet: true })).stdout);
}

/** Held until released: by the task when it ends, or at once on Ctrl-C, when the runner gives
 *  up on the task. The run waits for that release before it closes its connections (the same
 *  wait that lets an interrupted cloud create clean up). */
function holding(c: TaskContext, targets: readonly LockTarget[], token: string, waited: boolean, options: LockOptions): HeldLocks {
  let done!: () => void;
  c.cloud.env().keep?.(new Promise<void>((resolve) => (done = resolve)));
  let released: Promise<void> | undefined;
  const release = (): Promise<void> => {
    if (!released) {
      c.signal.removeEventListener('abort', release);
      released = releaseAll(c, targets.filter((t) => !options.gone?.(t)), token).finally(done);
    }
    return released;
  };
  c.signal.addEventListener('abort', release, { once: true });
  if (c.signal.aborted) void release();
  return { waited, release };
}

/** Gives back what is ours on these servers (the command checks the token): even after Ctrl-C,
 *  within a bound of its own, never throwing. */
function releaseAll(c: TaskContext, targets: readonly LockTarget[], token: string): Promise<void> {
  const work = Promise.all(targets.map(async (t) => {
    try {
      await new DockerHost(c.on(t.spec)).asRoot(releaseLockCommand(token), { quiet: true, signal: AbortSignal.timeout(RELEASE_WITHIN_MS) });
    } catch (error) {
      c.warn(`${t.server}: could not give back the lock (${(error as Error)?.message ?? String(error)}); if it stays, ensemble.unlock clears it`);
    }
  })).then(() => undefined);
  // after Ctrl-C the runner has let go of the task: the run still waits for this before it exits
  c.cloud.env().keep?.(work);
  return work;
}
