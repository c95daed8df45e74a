// Batches carried out with a stand-in for running a host: order, parallelism, budget, pauses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostSpec, type HostSpec } from '../../src/core/host-spec.ts';
import type { RunEvent } from '../../src/core/events.ts';
import { runInBatches } from '../../src/runner/rollout.ts';
import type { HostOutcome, PlannedTask } from '../../src/runner/plan.ts';
import type { Rollout } from '../../src/runner/batches.ts';
import { task } from '../../src/taskfile/define.ts';

const hosts = Array.from({ length: 10 }, (_, i) => parseHostSpec(`h${i}`));

async function roll(rollout: Rollout, failing: string[], opts: { mode?: PlannedTask['mode']; poolSize?: number; signal?: AbortSignal } = {}) {
  const events: RunEvent[] = [];
  const started: string[][] = [];
  let inFlight = 0;
  let peak = 0;
  const planned = { name: 't', task: task(() => undefined), args: {}, hosts, mode: opts.mode ?? 'parallel', poolSize: opts.poolSize ?? 10, rollout } as const;
  const result = await runInBatches(planned, hosts, (o) => o.status === 'failed', async (h: HostSpec): Promise<HostOutcome> => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    started.push([h.host, String(Date.now())]);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    return { task: 't', host: h.host, status: failing.includes(h.host) ? 'failed' : 'ok', durationMs: 5, startedAt: 0, endedAt: Date.now() };
  }, { emit: (e) => events.push(e), signal: opts.signal ?? new AbortController().signal });
  return { ...result, events, started: started.map(([h]) => h), times: started, peak };
}

test('a spent budget starts no further batch; the rest are skipped with the reason', async () => {
  const r = await roll({ batch: { count: 3 }, maxFail: { count: 0 }, batchWaitMs: 0 }, ['h1']);
  assert.equal(r.stopped, true);
  assert.deepEqual(r.started, ['h0', 'h1', 'h2']);
  const skipped = r.outcomes.filter((o) => o.status === 'skipped');
  assert.deepEqual(skipped.map((o) => o.host), ['h3', 'h4', 'h5', 'h6', 'h7', 'h8', 'h9']);
  assert.match(skipped[0]?.reason ?? '', /1 host failed, --max-fail 0 allows 0/);
});

test('failures within the budget: every batch runs', async () => {
  const r = await roll({ batch: { percent: 25 }, maxFail: { percent: 20 }, batchWaitMs: 0 }, ['h1', 'h5']);
  assert.equal(r.stopped, false);
  assert.equal(r.outcomes.length, 10);
  assert.equal(r.outcomes.filter((o) => o.status === 'skipped').length, 0);
  assert.equal(r.events.filter((e) => e.type === 'message' && /batch \d\/4/.test(e.text)).length, 4);
});

test('the budget counts across batches: the batch that passes it is the last', async () => {
  const r = await roll({ batch: { count: 2 }, maxFail: { count: 1 }, batchWaitMs: 0 }, ['h1', 'h4']);
  assert.deepEqual(r.started, ['h0', 'h1', 'h2', 'h3', 'h4', 'h5']);
  assert.equal(r.outcomes.filter((o) => o.status === 'skipped').length, 4);
});

test('parallel inside a batch, bounded by the pool; pauses between batches', async () => {
  const r = await roll({ batch: { count: 5 }, batchWaitMs: 120 }, [], { poolSize: 2 });
  assert.equal(r.peak, 2);
  const second = Number(r.times[5]?.[1]);
  const firstEnd = Number(r.times[4]?.[1]) + 5;
  assert.ok(second - firstEnd >= 110, `batches ${second - firstEnd}ms apart`);
});

test('max-fail alone in serial mode: one host at a time, going on past tolerated failures', async () => {
  const r = await roll({ maxFail: { count: 2 }, batchWaitMs: 0 }, ['h0', 'h1', 'h2'], { mode: 'serial' });
  assert.equal(r.peak, 1);
  assert.deepEqual(r.started, ['h0', 'h1', 'h2']);
  assert.equal(r.outcomes.filter((o) => o.status === 'skipped').length, 7);
});

test('a budget spent in the last batch (or the only one) still stops the run: later tasks must not go on', async () => {
  const last = await roll({ batch: { count: 5 }, maxFail: { count: 0 }, batchWaitMs: 0 }, ['h7']);
  assert.equal(last.stopped, true);
  assert.equal(last.outcomes.filter((o) => o.status === 'skipped').length, 0, 'nothing was left to skip');
  const only = await roll({ batch: { count: 10 }, maxFail: { count: 1 }, batchWaitMs: 0 }, ['h2', 'h3']);
  assert.equal(only.stopped, true);
  const within = await roll({ batch: { count: 10 }, maxFail: { count: 1 }, batchWaitMs: 0 }, ['h2']);
  assert.equal(within.stopped, false);
});
