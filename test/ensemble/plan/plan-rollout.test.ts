// Rolling updates in the plan: copies of a container with update: split into batches in
// manifest order (a count, copies on two servers, a share), each batch orderedAfter the one
// before, the policy on every op; what fits in one batch is not rolled; a copy never lands in
// a batch before a copy it waits for; changing update: alone plans nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planOf } from './canonical.ts';
import { manifestOf, WorldBuilder } from './world-builder.ts';
import type { ContainerOp, Op, Plan } from '../../../src/ensemble/plan/ops.ts';
import { batchSize } from '../../../src/ensemble/plan/plan-rollout.ts';
import { planText } from '../../../src/ensemble/plan/plan-text.ts';
import { planToJson } from '../../../src/ensemble/plan/plan-json.ts';
import { planGraph } from '../../../src/ensemble/plan/plan-graph-model.ts';

const counted = (count: number, update: string, mode: string) => `10.0.0.4:
  containers:
    app:
      image: httpd
      count: ${count}
      environment: {MODE: ${mode}}
      update: ${update}
    other:
      image: httpd
      environment: {MODE: ${mode}}
`;

/** The plan after every container's MODE changed from old to new. */
function changed(yaml: (mode: string) => string): Plan {
  const world = new WorldBuilder(manifestOf(yaml('old'))).deployed().build();
  return planOf(manifestOf(yaml('new')), world);
}

const copies = (plan: Plan): ContainerOp[] => plan.ops.filter((o): o is ContainerOp => (o.kind === 'replace-container' || o.kind === 'run-container') && o.rollout !== undefined);
const batches = (plan: Plan): string[][] => {
  const out: string[][] = [];
  for (const op of copies(plan)) (out[op.rollout!.batch - 1] ??= []).push(`${op.server}/${op.container}`);
  return out;
};

function assertListedInOrder(plan: Plan): void {
  const seen = new Set<string>();
  for (const op of plan.ops) {
    for (const a of [...op.after, ...(op.orderedAfter ?? [])]) assert.ok(seen.has(a), `${op.id} waits for ${a}, listed later`);
    seen.add(op.id);
  }
}

test('4 copies, batch 2: two batches in manifest order, the second orderedAfter the first, the policy on each op', () => {
  const plan = changed((m) => counted(4, '{batch: 2, wait: 5, max_fail: 1}', m));
  assert.deepEqual(batches(plan), [['10.0.0.4/app', '10.0.0.4/app-1'], ['10.0.0.4/app-2', '10.0.0.4/app-3']]);
  const byId = new Map(plan.ops.map((o) => [o.id, o]));
  const second = byId.get('replace-container:10.0.0.4/app-2') as ContainerOp;
  assert.deepEqual(second.orderedAfter, ['replace-container:10.0.0.4/app', 'replace-container:10.0.0.4/app-1']);
  assert.deepEqual(second.after, [], 'a failed copy does not skip the next batch: the budget decides');
  assert.deepEqual(second.rollout, { group: 'app', batch: 2, of: 2, size: 2, waitSeconds: 5, maxFail: 1 });
  assert.equal((byId.get('replace-container:10.0.0.4/app') as ContainerOp).orderedAfter, undefined);
  // the container without update: is not rolled and waits for nothing
  const other = byId.get('replace-container:10.0.0.4/other') as ContainerOp;
  assert.equal(other.rollout, undefined);
  assert.equal(other.orderedAfter, undefined);
  assertListedInOrder(plan);
  const text = planText(plan);
  const line = text.find((l) => l.startsWith('  app-2 (10.0.0.4):'));
  assert.match(line ?? '', /^  app-2 \(10\.0\.0\.4\): environment MODE: old → new; swapped with .* \[batch 2 of 2\]$/);
  assert.ok(text.includes('  app: 4 copies in batches of 2, 5 s apart, at most 1 failure'), text.join('\n'));
  assert.ok(text.some((l) => l.startsWith('  other (10.0.0.4): environment MODE: old → new; swapped with') && !l.includes('[batch')), text.join('\n'));
  const json = planToJson(plan).ops.find((o) => o.id === second.id) as { rollout?: unknown; orderedAfter?: unknown };
  assert.deepEqual(json.rollout, second.rollout);
  assert.deepEqual(json.orderedAfter, second.orderedAfter);
});

test('a share of the copies, rounded up, at least 1: 25% of 4 is 1, 25% of 8 is 2, 1% of 8 is 1', () => {
  assert.deepEqual(batches(changed((m) => counted(4, '{batch: "25%"}', m))), [['10.0.0.4/app'], ['10.0.0.4/app-1'], ['10.0.0.4/app-2'], ['10.0.0.4/app-3']]);
  assert.deepEqual([batchSize({ batch: { percent: 25 } }, 8), batchSize({ batch: { percent: 1 } }, 8), batchSize({ batch: { percent: 30 } }, 8), batchSize({}, 8)], [2, 1, 3, 8]);
  // a share is of all the copies, changed or not: 3 of 8 changed with 25% roll 2, then 1
  const world = new WorldBuilder(manifestOf(counted(8, '{batch: "25%"}', 'old'))).deployed().build();
  const some = { ...world, servers: { ...world.servers, '10.0.0.4': { ...world.servers['10.0.0.4']!, containers: world.servers['10.0.0.4']!.containers.filter((c) => !['app-2', 'app-5', 'app-7'].includes(c.name)) } } };
  const plan = planOf(manifestOf(counted(8, '{batch: "25%"}', 'old')), some);
  assert.deepEqual(batches(plan), [['10.0.0.4/app-2', '10.0.0.4/app-5'], ['10.0.0.4/app-7']]);
  assert.equal(copies(plan)[0]!.kind, 'run-container', 'a missing copy is created in its batch');
  assert.ok(planText(plan).includes('  app: 3 copies in batches of 2, no failure tolerated'));
});

test('copies on two servers (a server count) roll across both, in manifest order', () => {
  const yaml = (m: string) => `web:
  provider: ec2
  count: 2
  containers:
    app:
      image: httpd
      count: 2
      environment: {MODE: ${m}}
      update: {batch: 1, max_fail: 1}
`;
  const plan = changed(yaml);
  assert.deepEqual(batches(plan), [['web/app'], ['web/app-1'], ['web-1/app'], ['web-1/app-1']]);
  assert.deepEqual(copies(plan).map((o) => o.rollout!.of), [4, 4, 4, 4]);
  assertListedInOrder(plan);
});

test('the same key under two servers is one group; a copy that waits for another is never in an earlier batch', () => {
  // 10.0.0.5's app reads the address of 10.0.0.4's, which is being replaced: it must come after
  const yaml = (m: string) => `10.0.0.5:
  containers:
    app:
      image: httpd
      environment: {MODE: ${m}, PEER: "\${10.0.0.4.containers.app.ip}"}
      update: {batch: 1}
10.0.0.4:
  containers:
    app:
      image: httpd
      count: 2
      environment: {MODE: ${m}}
      update: {batch: 1}
`;
  // deployed in the order the address is known in
  const world = new WorldBuilder(manifestOf(yaml('old'))).server('10.0.0.5').server('10.0.0.4')
    .container('10.0.0.4', 'app').container('10.0.0.4', 'app-1').container('10.0.0.5', 'app').build();
  const plan = planOf(manifestOf(yaml('new')), world);
  assert.deepEqual(plan.ops.find((o) => o.id === 'replace-container:10.0.0.5/app')?.after, ['replace-container:10.0.0.4/app']);
  assert.deepEqual(batches(plan), [['10.0.0.4/app'], ['10.0.0.5/app'], ['10.0.0.4/app-1']]);
  assertListedInOrder(plan);
});

test('copies that fit in one batch are not rolled (that is all at once); update: alone plans nothing', () => {
  const plan = changed((m) => counted(2, '{batch: 2, max_fail: 1}', m));
  assert.deepEqual(copies(plan), []);
  assert.ok(!planText(plan).some((l) => l.includes('copies in batches')));
  const noPolicy = changed((m) => counted(4, '{}', m));
  assert.deepEqual(copies(noPolicy), [], 'update: without batch is all at once');
  const world = new WorldBuilder(manifestOf(counted(4, '{batch: 1}', 'old'))).deployed().build();
  assert.deepEqual(planOf(manifestOf(counted(4, '{batch: "50%", wait: 9, max_fail: 2}', 'old')), world).ops, []);
});

test('a rolled plan is deterministic', () => {
  const a = changed((m) => counted(5, '{batch: 2}', m));
  const b = changed((m) => counted(5, '{batch: 2}', m));
  assert.deepEqual(a, b);
  assert.deepEqual(batches(a).map((x) => x.length), [2, 2, 1]);
  const last = a.ops.find((o: Op) => o.id === 'replace-container:10.0.0.4/app-4') as ContainerOp;
  assert.deepEqual(last.orderedAfter, ['replace-container:10.0.0.4/app-2', 'replace-container:10.0.0.4/app-3']);
});

test('the plan graph draws each batch after the one before, and says each copy\'s batch', () => {
  const manifest = manifestOf(counted(4, '{batch: 2}', 'new'));
  const graph = planGraph(manifest, changed((m) => counted(4, '{batch: 2}', m)));
  const key = (n: string) => `container:10.0.0.4/${n}`;
  assert.deepEqual(graph.edges.map((e) => `${e.from} → ${e.to}`).sort(), [
    `${key('app')} → ${key('app-2')}`, `${key('app')} → ${key('app-3')}`, `${key('app-1')} → ${key('app-2')}`, `${key('app-1')} → ${key('app-3')}`,
  ]);
  const nodes = graph.clusters.flatMap((c) => c.nodes);
  assert.deepEqual(nodes.find((n) => n.key === key('app-3'))?.lines, ['app-3', 'httpd', 'batch 2 of 2', 'replace']);
  assert.deepEqual(nodes.find((n) => n.key === key('other'))?.lines, ['other', 'httpd', 'replace']);
});
