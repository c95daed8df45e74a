// Apply: every op of the plan starts as soon as the ops it waits for are done (no waves); a
// failure marks its dependents skipped while independent branches finish. Which ops, in what
// order and why were all decided by the plan; doing each one is the dispatcher's job (run-op.ts).

import { TaskError } from '../../core/errors.ts';
import type { TaskContext } from '../../runner/context-types.ts';
import type { Manifest } from '../manifest/model.ts';
import type { Located, Stray } from '../observe/observe.ts';
import type { ObservedWorld } from '../observe/observed.ts';
import { opTitle, type Op, type Plan } from '../plan/ops.ts';
import { World } from '../plan/world.ts';
import { AuditTrail } from './audit-trail.ts';
import { runOp, type ApplyState } from './run-op.ts';

export interface OpOutcome {
  /** The op's id, as in the plan. */
  readonly id: string;
  readonly title: string;
  readonly status: 'done' | 'failed' | 'skipped';
  readonly detail?: string;
  readonly error?: unknown;
  /** For a skipped op: the failed op that caused it (through any chain of skips). */
  readonly root?: string;
  /** When it started (ms after apply began) and how long it took; what it waited for. Lets a
   *  benchmark compare the wall time with the critical path of the real durations. */
  readonly startedMs?: number;
  readonly durationMs?: number;
  readonly dependsOn?: readonly string[];
}

export async function applyPlan(
  c: TaskContext, manifest: Manifest, plan: Plan, observed: ObservedWorld,
  where: { located: Map<string, Located>; strays: readonly Stray[] },
): Promise<OpOutcome[]> {
  const state: ApplyState = { c, manifest, ensemble: plan.ensemble.name, world: new World(manifest, observed), located: where.located, strays: where.strays };
  // what the plan changes is not known until its op is done
  for (const op of plan.ops) for (const id of thingsOf(op)) state.world.markUnknown(id);
  const ops = new Map(plan.ops.map((op) => [op.id, op]));
  const outcomes = new Map<string, OpOutcome>();
  const running = new Map<string, Promise<void>>();
  const progress = c.progress(plan.ops.map((op) => ({ id: op.id, title: opTitle(op) })));
  const began = performance.now();
  // each op that ran leaves a line in the audit log on its server (not an op: it cannot fail one)
  const audit = new AuditTrail(state);

  const start = (id: string): Promise<void> => {
    let p = running.get(id);
    if (p) return p;
    p = (async () => {
      const op = ops.get(id) as Op;
      await Promise.all([...op.after, ...(op.orderedAfter ?? [])].filter((d) => ops.has(d)).map(start));
      const blocked = op.after.map((d) => outcomes.get(d)).find((o) => o?.status === 'failed' || o?.status === 'skipped');
      if (blocked) {
        const root = blocked.root ?? blocked.id;
        const rootTitle = opTitle(ops.get(root) as Op);
        outcomes.set(id, { id, title: opTitle(op), status: 'skipped', root, error: new TaskError(`skipped: ${rootTitle} failed`) });
        progress.skipped(id, `${rootTitle} failed`);
        return;
      }
      progress.running(id);
      const t0 = performance.now();
      const timing = (): Pick<OpOutcome, 'startedMs' | 'durationMs' | 'dependsOn'> => ({ startedMs: Math.round(t0 - began), durationMs: Math.round(performance.now() - t0), dependsOn: op.after });
      try {
        const detail = await runOp(state, op, (text) => progress.note(id, text));
        for (const thing of thingsOf(op)) state.world.settle(thing);
        outcomes.set(id, { id, title: opTitle(op), status: 'done', detail, ...timing() });
        progress.done(id, detail);
        audit.record(op, 'done');
      } catch (error) {
        outcomes.set(id, { id, title: opTitle(op), status: 'failed', error, ...timing() });
        progress.failed(id, (error as Error).message);
        audit.record(op, 'failed', error);
      }
    })();
    running.set(id, p);
    return p;
  };
  try {
    await Promise.all(plan.ops.map((op) => start(op.id)));
    return plan.ops.map((op) => outcomes.get(op.id) as OpOutcome);
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
