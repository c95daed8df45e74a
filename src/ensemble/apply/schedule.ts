// When each op of a plan runs: as soon as the ops it waits for have finished (no waves). A
// failure skips the ops that need it (`after`) while independent branches finish; `orderedAfter`
// only orders. A rolled copy (op.rollout) also waits the plan's pause after the batch before,
// and is skipped once more copies of its group have failed than the plan's budget allows. That
// count is the only thing decided here; what each op does is the caller's `run`.

import { TaskError } from '../../core/errors.ts';
import { opTitle, type Op, type Rollout } from '../plan/ops.ts';

export interface OpOutcome {
  /** The op's id, as in the plan. */
  readonly id: string;
  readonly title: string;
  readonly status: 'done' | 'failed' | 'skipped';
  readonly detail?: string;
  readonly error?: unknown;
  /** For a skipped op: the op that caused it (through any chain of skips): one that failed, or
   *  a copy its rollout's failure budget skipped. */
  readonly root?: string;
  /** For a copy its rollout's failure budget skipped: that budget, spent. */
  readonly budget?: string;
  /** When it started (ms after apply began) and how long it took; what it waited for. Lets a
   *  benchmark compare the wall time with the critical path of the real durations. */
  readonly startedMs?: number;
  readonly durationMs?: number;
  readonly dependsOn?: readonly string[];
}

export interface ScheduleHooks {
  /** Does the op; returns a short detail for its progress line. */
  readonly run: (op: Op) => Promise<string>;
  /** The pause between batches of a rollout (may reject, e.g. when the run is interrupted). */
  readonly pause: (seconds: number) => Promise<void>;
  readonly running?: (op: Op) => void;
  readonly done?: (op: Op, detail: string) => void;
  readonly failed?: (op: Op, error: unknown) => void;
  readonly skipped?: (op: Op, why: string) => void;
}

/** Runs the plan's ops; one outcome per op, in the plan's order. */
export async function runScheduled(ops: readonly Op[], hooks: ScheduleHooks): Promise<OpOutcome[]> {
  const byId = new Map(ops.map((op) => [op.id, op]));
  const outcomes = new Map<string, OpOutcome>();
  const running = new Map<string, Promise<void>>();
  const began = performance.now();

  const skip = (op: Op, why: string, extra: Pick<OpOutcome, 'root' | 'budget'>): void => {
    outcomes.set(op.id, { id: op.id, title: opTitle(op), status: 'skipped', ...extra, error: new TaskError(`skipped: ${why}`) });
    hooks.skipped?.(op, why);
  };
  /** Why the ops that needed `root` cannot run. */
  const rootWhy = (root: string): string => {
    const title = opTitle(byId.get(root) as Op);
    const budget = outcomes.get(root)?.budget;
    return budget ? `${title} was skipped (${budget})` : `${title} failed`;
  };

  const start = (id: string): Promise<void> => {
    let p = running.get(id);
    if (p) return p;
    p = (async () => {
      const op = byId.get(id) as Op;
      await Promise.all([...op.after, ...(op.orderedAfter ?? [])].filter((d) => byId.has(d)).map(start));
      const blocked = op.after.map((d) => outcomes.get(d)).find((o) => o?.status === 'failed' || o?.status === 'skipped');
      if (blocked) {
        const root = blocked.root ?? blocked.id;
        return skip(op, rootWhy(root), { root });
      }
      const t0 = performance.now();
      const timing = (): Pick<OpOutcome, 'startedMs' | 'durationMs' | 'dependsOn'> => ({ startedMs: Math.round(t0 - began), durationMs: Math.round(performance.now() - t0), dependsOn: op.after });
      try {
        const rollout = rolloutOf(op);
        if (rollout) {
          const spent = spentBudget(rollout, [...outcomes.values()], byId);
          if (spent) return skip(op, spent, { budget: spent });
          if (rollout.batch > 1 && rollout.waitSeconds > 0) await hooks.pause(rollout.waitSeconds);
        }
        hooks.running?.(op);
        const detail = await hooks.run(op);
        outcomes.set(id, { id, title: opTitle(op), status: 'done', detail, ...timing() });
        hooks.done?.(op, detail);
      } catch (error) {
        outcomes.set(id, { id, title: opTitle(op), status: 'failed', error, ...timing() });
        hooks.failed?.(op, error);
      }
    })();
    running.set(id, p);
    return p;
  };
  await Promise.all(ops.map((op) => start(op.id)));
  return ops.map((op) => outcomes.get(op.id) as OpOutcome);
}

function rolloutOf(op: Op): Rollout | undefined {
  return op.kind === 'run-container' || op.kind === 'replace-container' ? op.rollout : undefined;
}

/** The budget's message once more copies of the group's earlier batches have failed than it
 *  allows. Those batches have all finished (this op is orderedAfter them), so every op of a
 *  batch gets the same answer, whatever its own batch's ops are doing meanwhile. */
function spentBudget(rollout: Rollout, finished: readonly OpOutcome[], byId: ReadonlyMap<string, Op>): string | undefined {
  const earlier = (o: OpOutcome): boolean => {
    const r = rolloutOf(byId.get(o.id) as Op);
    return r?.group === rollout.group && r.batch < rollout.batch;
  };
  const failed = finished.filter((o) => o.status === 'failed' && earlier(o)).length;
  if (failed <= rollout.maxFail) return undefined;
  return `the failure budget of ${rollout.group} (max_fail ${rollout.maxFail}) is spent: ${failed} ${failed === 1 ? 'copy' : 'copies'} failed`;
}
