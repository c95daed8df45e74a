// ensemble.rollback: bring back each selected container's newest kept previous version through
// the path ensemble.up replaces containers with. Like up: observe, plan (planRollback, pure),
// show, ask, lock the servers it changes, plan again under the lock (it must be the plan shown),
// apply (audited on each server), report. A version that cannot come back as it was (a secret
// whose value moved) refuses the whole run before anything changes.

import { UsageError } from '../../core/errors.ts';
import type { TaskContext } from '../../taskfile/context-types.ts';
import { applyPlan, type OpOutcome } from '../apply/apply.ts';
import { thingLabel, type Manifest } from '../manifest/model.ts';
import { locateServers, observe } from '../observe/observe.ts';
import type { Plan } from '../plan/ops.ts';
import { confirmPlan, guarded, incompleteError, loadManifest, reportOutcomes, show, underLock, type Planned } from '../run-ensemble.ts';
import { nonEmpty } from '../history/history-task.ts';
import { selectContainers, type Selected } from '../history/select-containers.ts';
import { planRollback, type RolledBackPlan } from './plan-rollback.ts';

export interface RollbackArgs { name: string; container?: string; server?: string; lock_wait: number }

export function rollbackTask(c: TaskContext, args: RollbackArgs): Promise<OpOutcome[]> {
  return guarded('ensemble.rollback', () => rollbackBody(c, args));
}

async function rollbackBody(c: TaskContext, { name, container, server, lock_wait }: RollbackArgs): Promise<OpOutcome[]> {
  if (!Number.isFinite(lock_wait) || lock_wait < 0) throw new UsageError(`lock_wait must be a number of seconds, 0 or more (got ${lock_wait})`, { argument: `lock_wait=${lock_wait}` });
  const { manifest, ensemble } = loadManifest(name);
  const selected = selectContainers(manifest, { ...(nonEmpty(container) ? { container } : {}), ...(nonEmpty(server) ? { server } : {}) });
  c.log('Calculating the rollback...');
  const first = await observeRollback(c, manifest, ensemble, selected);
  // what has nothing to roll back to is said too, not only with verbose
  show(c, first.plan, true);
  refuse(first.rolled);
  if (first.plan.ops.length === 0) {
    const incomplete = incompleteError(first.plan, 'ensemble.rollback');
    if (incomplete) throw incomplete;
    if (first.rolled.withPrevious === 0) {
      throw new UsageError(`no selected container has a previous version to roll back to`, {
        argument: name, hint: `ensemble.up keeps the version it replaces; ensemble.history:${name} lists what is kept`,
      });
    }
    return [];
  }
  await confirmPlan(c);
  const again = (): Promise<Planned> => observeRollback(c, manifest, ensemble, selected);
  return underLock(c, ensemble, first, { lockWait: lock_wait, verbose: true, again }, async (current) => {
    const outcomes = await applyPlan(c, manifest, current.plan, current.observed, { located: current.located, strays: [] });
    reportOutcomes(c, outcomes, 'ensemble.rollback');
    const incomplete = incompleteError(current.plan, 'ensemble.rollback');
    if (incomplete) throw incomplete;
    c.log(`rolled back; ensemble.plan:${name} now shows the manifest's version as a change, and ensemble.up:${name} brings it back`);
    return outcomes;
  });
}

type RollbackPlanned = Planned & { readonly rolled: RolledBackPlan };

async function observeRollback(c: TaskContext, manifest: Manifest, ensemble: Plan['ensemble'], selected: readonly Selected[]): Promise<RollbackPlanned> {
  const { located, conflicts } = await locateServers(c, manifest, ensemble.name);
  const observed = await observe(c, manifest, located, { conflicts });
  const rolled = planRollback(observed, { ensemble, selected });
  return { located, strays: [], observed, plan: rolled.plan, rolled };
}

/** Any version that cannot come back as it was stops the run: nothing has changed yet. */
function refuse(rolled: RolledBackPlan): void {
  if (rolled.refusals.length === 0) return;
  const secret = rolled.refusals.find((r) => r.secret !== undefined);
  throw new UsageError(`cannot roll back ${rolled.refusals.map((r) => `${thingLabel(r.id)}: ${r.reason}`).join('; ')} (nothing was changed)`, {
    hint: secret
      ? `a previous version comes back only with the secret values it had: set ${secret.secret} to its old value to roll back, or leave it and run ensemble.up`
      : 'roll back the other containers with container=NAME, or run ensemble.up',
  });
}
