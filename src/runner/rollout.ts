// A task rolled across its hosts batch by batch: parallel inside a batch (bounded by the pool),
// a pause between batches, and no new batch once more hosts failed than the budget allows.

import { setTimeout as sleep } from 'node:timers/promises';
import type { EventSink } from '../core/events.ts';
import { formatHostSpec, type HostSpec } from '../core/host-spec.ts';
import { mapPool } from '../core/semaphore.ts';
import { batchSize, failBudget, formatAmount, splitBatches, type Rollout } from './batches.ts';
import type { HostOutcome, PlannedTask } from './plan.ts';

export interface RolloutResult {
  readonly outcomes: HostOutcome[];
  /** True when the failure budget was spent and hosts were left unstarted. */
  readonly stopped: boolean;
}

export async function runInBatches(
  planned: PlannedTask & { readonly rollout: Rollout },
  hosts: readonly HostSpec[],
  counts: (o: HostOutcome) => boolean,
  runOne: (host: HostSpec) => Promise<HostOutcome>,
  deps: { readonly emit: EventSink; readonly signal: AbortSignal },
): Promise<RolloutResult> {
  const { rollout } = planned;
  const size = rollout.batch ? batchSize(rollout.batch, hosts.length) : planned.mode === 'serial' ? 1 : hosts.length;
  const budget = failBudget(rollout.maxFail, hosts.length);
  const batches = splitBatches(hosts, size);
  const outcomes: HostOutcome[] = [];
  let failed = 0;
  for (const [i, batch] of batches.entries()) {
    if (i > 0 && rollout.batchWaitMs > 0) {
      // an interrupted pause starts nothing more: the hosts left are reported skipped below
      await sleep(rollout.batchWaitMs, undefined, { signal: deps.signal }).catch(() => undefined);
    }
    if (deps.signal.aborted) {
      // Ctrl-C between batches: what was not started is reported skipped, like a pool's queue
      for (const h of batches.slice(i).flat()) outcomes.push({ task: planned.name, host: formatHostSpec(h), status: 'skipped', durationMs: 0 });
      return { outcomes, stopped: true };
    }
    if (batches.length > 1) deps.emit({ type: 'message', host: undefined, level: 'info', text: `${planned.name}: batch ${i + 1}/${batches.length} (${batch.length} host${batch.length === 1 ? '' : 's'})` });
    const results = await mapPool(batch, Math.min(planned.poolSize, batch.length), runOne);
    outcomes.push(...results);
    failed += results.filter(counts).length;
    const left = batches.slice(i + 1).flat();
    if (failed > budget && left.length > 0) {
      const allowed = rollout.maxFail ? `--max-fail ${formatAmount(rollout.maxFail)} allows ${budget}` : 'the default --max-fail 0 allows 0';
      const reason = `not started: ${failed} host${failed === 1 ? '' : 's'} failed, ${allowed}`;
      deps.emit({ type: 'message', host: undefined, level: 'warn', text: `${planned.name}: ${failed} failed, more than ${budget} tolerated: ${left.length} host${left.length === 1 ? '' : 's'} not started` });
      for (const h of left) outcomes.push({ task: planned.name, host: formatHostSpec(h), status: 'skipped', durationMs: 0, reason });
      return { outcomes, stopped: true };
    }
  }
  // failures past the budget in the last batch stop the run as well: later tasks must not go on
  return { outcomes, stopped: failed > budget };
}
