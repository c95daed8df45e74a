// Apply: the plan's ops in the order schedule.ts gives them (each as soon as what it waits for
// has finished; a failure skips its dependents; rolled copies batch by batch), each done by the
// dispatcher (run-op.ts), with its progress, its audit line and what it made settled in the
// world. Which ops, in what order and why were all decided by the plan.

import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskContext } from '../../taskfile/context-types.ts';
import type { Manifest } from '../manifest/model.ts';
import type { Located, Stray } from '../observe/observe.ts';
import type { ObservedWorld } from '../observe/observed.ts';
import { opTitle, type Op, type Plan } from '../plan/ops.ts';
import { World } from '../plan/world.ts';
import { AuditTrail } from './audit-trail.ts';
import { runOp, type ApplyState } from './run-op.ts';
import { runScheduled, type OpOutcome } from './schedule.ts';

export type { OpOutcome } from './schedule.ts';

export async function applyPlan(
  c: TaskContext, manifest: Manifest, plan: Plan, observed: ObservedWorld,
  where: { located: Map<string, Located>; strays: readonly Stray[] },
): Promise<OpOutcome[]> {
  const state: ApplyState = { c, manifest, ensemble: plan.ensemble.name, world: new World(manifest, observed), located: where.located, strays: where.strays };
  // what the plan changes is not known until its op is done
  for (const op of plan.ops) for (const id of thingsOf(op)) state.world.markUnknown(id);
  const progress = c.progress(plan.ops.map((op) => ({ id: op.id, title: opTitle(op) })));
  // each op that ran leaves a line in the audit log on its server (not an op: it cannot fail one)
  const audit = new AuditTrail(state);
  try {
    return await runScheduled(plan.ops, {
      run: (op) => runOp(state, op, (text) => progress.note(op.id, text)),
      // an interrupted run does not start the next batch
      pause: (seconds) => sleep(seconds * 1000, undefined, { signal: c.signal }),
      running: (op) => progress.running(op.id),
      done: (op, detail) => {
        for (const thing of thingsOf(op)) state.world.settle(thing);
        progress.done(op.id, detail);
        audit.record(op, 'done');
      },
      failed: (op, error) => {
        progress.failed(op.id, (error as Error).message);
        audit.record(op, 'failed', error);
      },
      skipped: (op, why) => progress.skipped(op.id, why),
    });
  } finally {
    progress.end();
    await audit.finish();
  }
}

/** The manifest things an op makes (their values are known once it is done). */
function thingsOf(op: Op): string[] {
  switch (op.kind) {
    case 'create-server': case 'replace-server': return [`server:${op.server}`];
    case 'run-container': case 'replace-container': return [`container:${op.server}/${op.container}`];
    case 'put-firewall': return [`firewall:${op.server}`];
    default: return [];
  }
}
