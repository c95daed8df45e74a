// ensemble.unlock:NAME — clears the locks a killed run of this ensemble left on its servers.
// Only this ensemble's: a lock another ensemble holds (maybe a run going on right now) is kept
// and named. Each lock is removed by its own token, so one taken anew meanwhile stays.

import { TaskError } from '../../core/errors.ts';
import { DockerHost } from '../../docker/docker-host.ts';
import type { TaskContext } from '../../taskfile/context-types.ts';
import { lockHolderText, LOCK_NOT_OURS, LOCK_RELEASED, parseLockState, readLockCommand, releaseLockCommand } from './lock-commands.ts';
import type { LockTarget } from './lock-servers.ts';

export interface UnlockOutcome {
  readonly server: string;
  readonly result: 'removed' | 'none' | 'kept' | 'failed';
  readonly text: string;
}

export async function unlockServers(c: TaskContext, targets: readonly LockTarget[], ensemble: string): Promise<UnlockOutcome[]> {
  const outcomes = await Promise.all(targets.map((t) => unlockOne(c, t, ensemble).catch((error: unknown): UnlockOutcome => ({
    server: t.server, result: 'failed', text: `${t.server}: could not read its lock (${(error as Error)?.message ?? String(error)})`,
  }))));
  for (const o of outcomes) (o.result === 'failed' ? c.warn : c.log)(o.text);
  const removed = outcomes.filter((o) => o.result === 'removed').length;
  c.log(`unlock: removed ${removed} lock${removed === 1 ? '' : 's'} of ensemble ${ensemble} (${targets.length} server${targets.length === 1 ? '' : 's'} looked at)`);
  const failed = outcomes.filter((o) => o.result === 'failed');
  if (failed.length > 0) throw new TaskError(`${failed.length} server${failed.length === 1 ? '' : 's'} could not be unlocked: ${failed.map((f) => f.server).join(', ')}`);
  return outcomes;
}

async function unlockOne(c: TaskContext, t: LockTarget, ensemble: string): Promise<UnlockOutcome> {
  const host = new DockerHost(c.on(t.spec));
  const lock = parseLockState((await host.asRoot(readLockCommand(), { quiet: true })).stdout);
  if (lock.state !== 'held') return { server: t.server, result: 'none', text: `${t.server}: not locked` };
  const holder = lock.holder;
  if (!holder) return { server: t.server, result: 'kept', text: `${lockHolderText(t.server, holder)}: kept (whose it is is unknown; remove /var/lib/hitc/lock there if no run is taking it)` };
  if (holder.ensemble !== ensemble) return { server: t.server, result: 'kept', text: `${lockHolderText(t.server, holder)}: kept (another ensemble's)` };
  const said = (await host.asRoot(releaseLockCommand(holder.token), { quiet: true })).stdout.trim();
  if (said === LOCK_RELEASED) return { server: t.server, result: 'removed', text: `${t.server}: removed the lock of ${holder.who}${holder.from ? ` (from ${holder.from})` : ''}, pid ${holder.pid}, taken at ${holder.since}` };
  // between the read and the release it was given back, and perhaps taken again by a new run
  return said === LOCK_NOT_OURS
    ? { server: t.server, result: 'kept', text: `${t.server}: kept (given back and taken again meanwhile, by a run that is going on)` }
    : { server: t.server, result: 'none', text: `${t.server}: its lock was given back meanwhile` };
}
