// Apply's scheduler with a fake runner: rolled copies go batch by batch (in parallel inside a
// batch), the pause between batches is honoured, a spent failure budget skips the later
// batches and what needs them while unrelated ops finish, and the budget counts earlier
// batches only. Failing ops, slow ops and the pause are all fakes: nothing here touches a host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { runScheduled, type OpOutcome } from '../../../src/ensemble/apply/schedule.ts';
import type { ContainerOp, Op } from '../../../src/ensemble/plan/ops.ts';

/** Copies app, app-1, … of a group on server web, in batches of `size`, as the planner makes them. */
function rolled(copies: number, size: number, policy: { waitSeconds?: number; maxFail?: number } = {}): ContainerOp[] {
  const names = Array.from({ length: copies }, (_, i) => (i === 0 ? 'app' : `app-${i}`));
  const of = Math.ceil(copies / size);
  return names.map((name, i) => {
    const batch = Math.floor(i / size) + 1;
    const previous = names.slice((batch - 2) * size, (batch - 1) * size).map((n) => `replace-container:web/${n}`);
    return {
      id: `replace-container:web/${name}`, kind: 'replace-container', server: 'web', container: name, path: `web.containers.${name}`, reason: 'environment changed', after: [],
      swap: { order: 'start-first', standIn: false, stopTimeout: 10 },
      ...(batch > 1 ? { orderedAfter: previous } : {}),
      rollout: { group: 'app', batch, of, size, waitSeconds: policy.waitSeconds ?? 0, maxFail: policy.maxFail ?? 0 },
    };
  });
}

const other = (id: string, after: string[] = []): Op => ({ id: `setup-docker:${id}`, kind: 'setup-docker', server: id, reason: 'unrelated', after });

/** A runner that takes `ms` per op, fails those in `failing`, and records when each ran. */
function fakeRunner(options: { ms?: (op: Op) => number; failing?: readonly string[] } = {}) {
  const t0 = performance.now();
  const log: { id: string; start: number; end: number }[] = [];
  const pauses: number[] = [];
  const hooks = {
    run: async (op: Op) => {
      const start = performance.now() - t0;
      await sleep(options.ms?.(op) ?? 20);
      log.push({ id: op.id, start, end: performance.now() - t0 });
      if (options.failing?.includes(op.id)) throw new Error(`${op.id}: the new container exited at once`);
      return 'done';
    },
    pause: async (seconds: number) => {
      pauses.push(seconds);
      await sleep(seconds * 1000);
    },
  };
  const ran = (id: string) => log.find((l) => l.id === id)!;
  return { hooks, log, pauses, ran };
}

const status = (outcomes: readonly OpOutcome[]) => Object.fromEntries(outcomes.map((o) => [o.id.replace(/^replace-container:web\//, ''), o.status]));

test('batches run in order, each batch\'s copies side by side; unrelated ops do not wait', async () => {
  const ops = [...rolled(4, 2), other('db')];
  const { hooks, ran } = fakeRunner({ ms: (op) => (op.id.startsWith('setup') ? 5 : 40) });
  const outcomes = await runScheduled(ops, hooks);
  assert.deepEqual(status(outcomes), { app: 'done', 'app-1': 'done', 'app-2': 'done', 'app-3': 'done', 'setup-docker:db': 'done' });
  const first = [ran('replace-container:web/app'), ran('replace-container:web/app-1')];
  const second = [ran('replace-container:web/app-2'), ran('replace-container:web/app-3')];
  for (const b of second) for (const a of first) assert.ok(b.start >= a.end, 'batch 2 starts after batch 1 has finished');
  assert.ok(first[1]!.start < first[0]!.end && second[1]!.start < second[0]!.end, 'a batch\'s copies run in parallel');
  assert.ok(ran('setup-docker:db').end < first[0]!.end, 'an unrelated op ran beside the first batch');
});

test('the wait between batches is honoured, and only between them', async () => {
  const { hooks, pauses, ran } = fakeRunner({ ms: () => 5 });
  await runScheduled(rolled(3, 1, { waitSeconds: 0.15 }), hooks);
  assert.deepEqual(pauses, [0.15, 0.15], 'batch 1 starts at once');
  assert.ok(ran('replace-container:web/app-1').start - ran('replace-container:web/app').end >= 145);
  assert.ok(ran('replace-container:web/app-2').start - ran('replace-container:web/app-1').end >= 145);
});

test('a failure within the budget does not stop the rollout: a failed copy skips no later batch by itself', async () => {
  const { hooks } = fakeRunner({ failing: ['replace-container:web/app'] });
  const outcomes = await runScheduled(rolled(3, 1, { maxFail: 1 }), hooks);
  assert.deepEqual(status(outcomes), { app: 'failed', 'app-1': 'done', 'app-2': 'done' });
});

test('past the budget the later batches are skipped with the budget\'s reason, what needs them too; unrelated ops finish', async () => {
  const copies = rolled(4, 1, { maxFail: 1 });
  const prune: Op = { id: 'remove-container:web/old', kind: 'remove-container', server: 'web', container: 'old', reason: 'not in the manifest any more', after: [copies[3]!.id] };
  const slow = other('db');
  const skippedWhy: Record<string, string> = {};
  const { hooks, log } = fakeRunner({ failing: ['replace-container:web/app', 'replace-container:web/app-1'], ms: (op) => (op === slow ? 150 : 10) });
  const outcomes = await runScheduled([...copies, prune, slow], { ...hooks, skipped: (op, why) => void (skippedWhy[op.id] = why) });
  assert.deepEqual(status(outcomes), { app: 'failed', 'app-1': 'failed', 'app-2': 'skipped', 'app-3': 'skipped', 'remove-container:web/old': 'skipped', 'setup-docker:db': 'done' });
  assert.deepEqual(log.map((l) => l.id).sort(), ['replace-container:web/app', 'replace-container:web/app-1', 'setup-docker:db'], 'exactly two copies were attempted');
  const budget = 'the failure budget of app (max_fail 1) is spent: 2 copies failed';
  assert.equal(skippedWhy['replace-container:web/app-2'], budget);
  assert.equal(skippedWhy['replace-container:web/app-3'], budget);
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  assert.equal(byId.get('replace-container:web/app-3')?.budget, budget);
  assert.match((byId.get('replace-container:web/app-3')?.error as Error).message, /^skipped: the failure budget of app/);
  // the removal needed a copy that was never started, and says so
  assert.equal(byId.get('remove-container:web/old')?.budget, undefined);
  assert.equal(byId.get('remove-container:web/old')?.root, 'replace-container:web/app-3');
  assert.equal(skippedWhy['remove-container:web/old'], `replace container app-3 on web was skipped (${budget})`);
});

test('max_fail 0: the first failed batch stops the rest', async () => {
  const { hooks, log } = fakeRunner({ failing: ['replace-container:web/app-1'] });
  const skippedWhy: string[] = [];
  const outcomes = await runScheduled(rolled(6, 2), { ...hooks, skipped: (_op, why) => void skippedWhy.push(why) });
  assert.deepEqual(status(outcomes), { app: 'done', 'app-1': 'failed', 'app-2': 'skipped', 'app-3': 'skipped', 'app-4': 'skipped', 'app-5': 'skipped' });
  assert.equal(log.length, 2);
  assert.deepEqual([...new Set(skippedWhy)], ['the failure budget of app (max_fail 0) is spent: 1 copy failed']);
});

test('the budget counts earlier batches only: a copy of the same batch that starts late still runs', async () => {
  // app-3 also waits for a slow pull, so it starts after app-2 (same batch) has already failed
  const [a, b, c, d] = rolled(4, 2);
  const pull: Op = { id: 'pull-image:web/httpd', kind: 'pull-image', server: 'web', image: 'httpd', container: 'app-3', reason: 'not on web', after: [] };
  const late = { ...d!, after: [pull.id] };
  const { hooks, ran } = fakeRunner({ failing: ['replace-container:web/app-2'], ms: (op) => (op === pull ? 120 : 10) });
  const outcomes = await runScheduled([a!, b!, pull, c!, late], hooks);
  assert.deepEqual(status(outcomes), { app: 'done', 'app-1': 'done', 'pull-image:web/httpd': 'done', 'app-2': 'failed', 'app-3': 'done' });
  assert.ok(ran('replace-container:web/app-3').start > ran('replace-container:web/app-2').end);
});

test('an interrupted pause fails the copy that waited (it never ran); the budget then skips the rest', async () => {
  const { hooks, log } = fakeRunner();
  const outcomes = await runScheduled(rolled(3, 1, { waitSeconds: 1 }), { ...hooks, pause: async () => { throw new Error('The operation was aborted'); } });
  assert.deepEqual(status(outcomes), { app: 'done', 'app-1': 'failed', 'app-2': 'skipped' });
  assert.deepEqual(log.map((l) => l.id), ['replace-container:web/app']);
  assert.match((outcomes[1]!.error as Error).message, /aborted/);
});

test('without rollouts nothing changes: a failure skips what needs it (after), orderedAfter only orders', async () => {
  const ops: Op[] = [other('a'), other('b', ['setup-docker:a']), { ...other('c'), orderedAfter: ['setup-docker:a'] }];
  const { hooks } = fakeRunner({ failing: ['setup-docker:a'] });
  const skippedWhy: string[] = [];
  const outcomes = await runScheduled(ops, { ...hooks, skipped: (_op, why) => void skippedWhy.push(why) });
  assert.deepEqual(outcomes.map((o) => o.status), ['failed', 'skipped', 'done']);
  assert.equal(outcomes[1]!.root, 'setup-docker:a');
  assert.deepEqual(skippedWhy, ['set up Docker on a failed']);
});
