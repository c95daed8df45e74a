// The release op in the plan: once per manifest entry however many copies change, on the first
// server (manifest order) with a changed copy, before every one of those changes; absent when
// nothing changes; pending like the container ops when its values wait for a new server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planOf } from './canonical.ts';
import { manifestOf, WorldBuilder } from './world-builder.ts';
import { SHOP } from './release-manifest.ts';
import { opTitle, type Op, type Plan, type RunReleaseOp } from '../../../src/ensemble/plan/ops.ts';
import { planText } from '../../../src/ensemble/plan/plan-text.ts';
import { planToJson } from '../../../src/ensemble/plan/plan-json.ts';
import { planGraph } from '../../../src/ensemble/plan/plan-graph-model.ts';

const TOKEN = 'tok-5e3c-never-shown';
const shop = manifestOf(SHOP, { SHOP_TOKEN: TOKEN });
const releases = (plan: Plan): RunReleaseOp[] => plan.ops.filter((o): o is RunReleaseOp => o.kind === 'run-release');
const changes = (plan: Plan): Op[] => plan.ops.filter((o) => o.kind === 'run-container' || o.kind === 'replace-container');

/** The plan for an existing server web whose container app (with `fields`) is not there yet,
 *  and a server db that does not exist. */
function webBesideNewDb(fields: string): Plan {
  const m = manifestOf(`db:\n  provider: ec2\nweb:\n  provider: ec2\n  containers:\n    app:\n      image: hello/app\n${fields}`);
  return planOf(m, new WorldBuilder(m).server('web').build());
}

function assertOrdered(plan: Plan): void {
  const seen = new Set<string>();
  for (const op of plan.ops) {
    for (const a of [...op.after, ...(op.orderedAfter ?? [])]) assert.ok(seen.has(a), `${op.id} waits for ${a}, listed later`);
    seen.add(op.id);
  }
}

test('three changed copies on two servers: one release, on the first server, before all three', () => {
  const world = new WorldBuilder(shop).server('web').server('web-1')
    .container('web', 'app', { environment: { MODE: 'staging' } }).container('web', 'app-1', { environment: { MODE: 'staging' } }).container('web', 'cache')
    .container('web-1', 'app').container('web-1', 'app-1', { environment: { MODE: 'staging' } }).container('web-1', 'cache').build();
  const plan = planOf(shop, world);
  const [release, ...more] = releases(plan);
  assert.ok(release);
  assert.equal(more.length, 0);
  assert.equal(release.id, 'run-release:web/app');
  assert.deepEqual(release.command, ['./manage.py', 'migrate']);
  assert.equal(release.timeoutSeconds, 600);
  // in manifest order
  assert.deepEqual(release.before, ['replace-container:web/app', 'replace-container:web/app-1', 'replace-container:web-1/app-1']);
  assert.deepEqual(changes(plan).map((o) => o.id).sort(), [...release.before].sort());
  for (const op of changes(plan)) assert.ok(op.after.includes(release.id), `${op.id} waits for the release`);
  assert.ok(plan.ops.indexOf(release) < Math.min(...changes(plan).map((o) => plan.ops.indexOf(o))));
  // it runs with the new values: the spec of the copy it stands for
  assert.equal(release.spec?.normal.environment.MODE, 'prod');
  assert.equal(release.reason, 'before 3 container changes: app, app-1 on web; app-1 on web-1');
  assert.equal(opTitle(release), 'run release of app on web: ./manage.py migrate (before 3 container changes)');
  const text = planText(plan);
  assert.ok(text.includes('The following release commands will run first:'), text.join('\n'));
  assert.ok(text.includes('  app (web): ./manage.py migrate (before 3 container changes: app, app-1 on web; app-1 on web-1)'), text.join('\n'));
  assert.match(text.at(-1)!, /1 release to run/);
  assertOrdered(plan);
  const json = JSON.stringify(planToJson(plan));
  assert.ok(!json.includes(TOKEN));
  assert.ok(planGraph(shop, plan).clusters[0]!.nodes.some((n) => n.key === release.id && n.lines.includes('./manage.py migrate')));
});

test('the first server with a changed copy runs it (not the first server of the manifest)', () => {
  const world = new WorldBuilder(shop).server('web').server('web-1').deployed().build();
  const changed = new WorldBuilder(shop).server('web').server('web-1')
    .container('web', 'app').container('web', 'app-1').container('web', 'cache')
    .container('web-1', 'app', { environment: { MODE: 'staging' } }).container('web-1', 'app-1', { running: false }).container('web-1', 'cache').build();
  assert.equal(releases(planOf(shop, world)).length, 0);
  const plan = planOf(shop, changed);
  assert.deepEqual(releases(plan).map((r) => [r.id, r.before.join(' ')]), [['run-release:web-1/app', 'replace-container:web-1/app replace-container:web-1/app-1']]);
  assertOrdered(plan);
});

test('nothing changed, no release; a change to another container, no release; adding release: alone, no change', () => {
  assert.equal(planOf(shop, new WorldBuilder(shop).deployed().build()).ops.length, 0);
  const deployed = new WorldBuilder(shop).deployed().build();
  const web = deployed.servers.web!;
  const cacheOnly = { ...deployed, servers: { ...deployed.servers, web: { ...web, containers: web.containers.filter((c) => c.name !== 'cache') } } };
  const plan = planOf(shop, cacheOnly);
  assert.deepEqual(plan.ops.map((o) => o.id), ['run-container:web/cache']);
  const without = manifestOf(SHOP.replace('      release: ./manage.py migrate\n', ''), { SHOP_TOKEN: TOKEN });
  assert.equal(planOf(shop, new WorldBuilder(without).deployed().build()).ops.length, 0);
});

test('on new servers: after the server, Docker and the pull on its server, before every copy', () => {
  const plan = planOf(shop, new WorldBuilder(shop).build());
  const [release] = releases(plan);
  assert.ok(release);
  assert.equal(releases(plan).length, 1);
  assert.deepEqual(release.after, ['create-server:web', 'setup-docker:web', 'pull-image:web/hello/app']);
  assert.equal(release.before.length, 4);
  for (const op of changes(plan).filter((o) => 'container' in o && o.container.startsWith('app'))) assert.ok(op.after.includes(release.id), op.id);
  for (const op of changes(plan).filter((o) => 'container' in o && o.container === 'cache')) assert.ok(!op.after.includes(release.id), op.id);
  assertOrdered(plan);
});

test('pending: values that wait for a server being created make the release pending too, waiting for it', () => {
  const plan = webBesideNewDb('      environment:\n        DB: ${db.ip}\n      release: migrate --host ${db.internal_ip}\n      release_timeout: 30\n');
  const [release] = releases(plan);
  assert.ok(release);
  assert.deepEqual(release.pending?.waitsFor, ['server:db']);
  assert.equal(release.spec, undefined);
  assert.deepEqual(release.command, ['migrate', '--host', '${db.internal_ip}']);
  assert.equal(release.timeoutSeconds, 30);
  assert.ok(release.after.includes('create-server:db'), release.after.join(' '));
  assert.ok(changes(plan)[0]!.after.includes(release.id));
  assertOrdered(plan);
});

test('a release word that reads a server being created waits for it even when the container values do not', () => {
  const plan = webBesideNewDb('      release: migrate --host ${db.ip}\n');
  const [release] = releases(plan);
  assert.ok(release?.pending, JSON.stringify(release));
  assert.ok(release.after.includes('create-server:db'));
  assertOrdered(plan);
});

test('a release with a rolling update: one release before the first batch, batches after it', () => {
  const m = manifestOf(`web:\n  provider: ec2\n  containers:\n    app:\n      image: hello/app\n      count: 4\n      release: migrate\n      update: {batch: 2}\n`);
  const world = new WorldBuilder(m).server('web').container('web', 'app', { environment: { OLD: '1' } }).container('web', 'app-1', { environment: { OLD: '1' } })
    .container('web', 'app-2', { environment: { OLD: '1' } }).container('web', 'app-3', { environment: { OLD: '1' } }).build();
  const plan = planOf(m, world);
  assertOrdered(plan);
  const [release, ...more] = releases(plan);
  assert.ok(release && more.length === 0, 'one release');
  const copies = changes(plan);
  assert.equal(copies.length, 4);
  for (const c of copies) assert.ok(c.after.includes(release.id), `${c.id} waits for the release`);
  assert.deepEqual(copies.map((c) => (c as { rollout?: { batch: number } }).rollout?.batch), [1, 1, 2, 2]);
});
