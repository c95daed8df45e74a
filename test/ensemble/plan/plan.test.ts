// Planner cases not covered by the fixtures (plan-fixtures.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import { planText } from '../../../src/ensemble/plan/plan-text.ts';
import { planOf } from './canonical.ts';

test('servers this ensemble created that the manifest dropped, or moved to another provider, are orphans', () => {
  const parsed = parseManifest('m.yml', 'api:\n  provider: digitalocean\n');
  const plan = planOf(parsed.manifest!, {
    servers: {},
    strays: [
      { id: 'stray:ec2/api', name: 'api', provider: 'ec2', state: 'running' },
      { id: 'stray:ec2/old', name: 'old', provider: 'ec2', state: 'stopped' },
    ],
  }, { name: 'm' });
  assert.equal(planText(plan).join('\n'), `Ensemble m
The following servers will be created:
  api: no digitalocean server named api
Not in the manifest (kept; remove them with prune):
  api: ec2 server created by this ensemble; the manifest now puts api on digitalocean
  old: ec2 server created by this ensemble (stopped); the manifest no longer has it
Plan: 1 to create, 0 to replace, 0 to update, 0 unchanged, 2 orphaned.`);
});

// cases found in review of the typed plan
import { manifestOf, WorldBuilder } from './world-builder.ts';
import { canonical } from './canonical.ts';

test('a pull whose image name waits for a server waits for that server too', () => {
  const m = manifestOf('db:\n  provider: ec2\nweb:\n  provider: ec2\n  containers:\n    app:\n      image: ${db.ip}:5000/app:1\n');
  const plan = planOf(m, new WorldBuilder(m).server('web').build());
  const pull = plan.ops.find((o) => o.kind === 'pull-image')!;
  assert.ok(pull.after.includes('create-server:db'), canonical(plan));
});

test('a server whose options read an unavailable server is unavailable, not an op that can never run', () => {
  const m = manifestOf('db:\n  provider: ec2\nweb:\n  provider: ec2\n  placement: ${db.placement}\n');
  const world = new WorldBuilder(m).unavailable('db', 'db could not be observed').build();
  const plan = planOf(m, world, { desired: { web: { waitsFor: ['server:db'] } } });
  assert.deepEqual(plan.ops, []);
  assert.match(plan.unavailable.map((n) => `${n.id}: ${n.reason}`).join('\n'), /server:web: its options need db/);
});

test('a firewall runs after Docker is set up, even if that fails (the host\'s own ports still get it)', () => {
  const m = manifestOf('web:\n  provider: ec2\n  containers:\n    app: {image: app}\n  firewall:\n    22: "*"\n');
  const fw = planOf(m, new WorldBuilder(m).build()).ops.find((o) => o.kind === 'put-firewall')!;
  assert.deepEqual([fw.after, fw.orderedAfter], [['create-server:web'], ['setup-docker:web']]);
});

test('orphans on a server being replaced go with it: no remove ops racing the terminate', () => {
  const m = manifestOf('web:\n  provider: ec2\n  size: t3.large\n  containers:\n    app: {image: app}\n');
  const full = manifestOf('web:\n  provider: ec2\n  size: t3.small\n  containers:\n    app: {image: app}\n    old: {image: app}\n  firewall:\n    22: "*"\n');
  const world = new WorldBuilder(full).deployed().build();
  const plan = planOf(m, world, { prune: true, name: 'web-redis' });
  assert.deepEqual(plan.ops.filter((o) => o.kind.startsWith('remove')), []);
  assert.match(plan.orphans.map((o) => o.reason).join('\n'), /goes with the server being replaced/);
});

test("another ensemble's container under the aside name is a conflict, never given the name", () => {
  const m = manifestOf('web:\n  provider: ec2\n  containers:\n    app: {image: app}\n');
  const world = new WorldBuilder(m).server('web').container('web', 'app', { rename: 'app-hitc-replaced', ensemble: 'theirs' }).build();
  const plan = planOf(m, world);
  assert.equal(plan.ops.some((o) => o.server === 'web' && o.kind.includes('container')), false, canonical(plan));
  assert.match(plan.conflicts.map((n) => n.reason).join('\n'), /app-hitc-replaced on web is the ensemble theirs's/);
});

test('a stray moved to another provider is terminated only once its replacement can be made; op ids carry the node id', () => {
  const m = manifestOf('web:\n  provider: digitalocean\n');
  const conflicted = planOf(m, new WorldBuilder(m).conflict('web', 'another ensemble').stray('ec2', 'web').build(), { prune: true, name: 'x' });
  assert.equal(conflicted.ops.some((o) => o.kind === 'terminate-server'), false);
  assert.match(conflicted.orphans[0]!.reason, /kept until web exists on digitalocean/);
  const ok = planOf(m, new WorldBuilder(m).stray('ec2', 'web').stray('ec2', 'web').build(), { prune: true, name: 'x' });
  const ids = ok.ops.filter((o) => o.kind === 'terminate-server').map((o) => o.id);
  assert.equal(ids.length, new Set(ids).size);
  assert.ok(ok.ops.find((o) => o.kind === 'terminate-server')!.after.includes('create-server:web'));
});

test('an empty option means "the provider chooses": never a replace', () => {
  const m = manifestOf('web:\n  provider: ec2\n  placement: ""\n');
  const plan = planOf(m, new WorldBuilder(m).server('web', { options: { placement: 'us-east-1a' } }).build(), { desired: { web: { options: { placement: '' } } } });
  assert.deepEqual(plan.ops, []);
});

test('a container that keeps restarting under its policy is kept, with a warning (replacing it would never converge)', () => {
  const m = manifestOf('web:\n  provider: ec2\n  containers:\n    app: {image: app}\n');
  const world = new WorldBuilder(m).deployed().build();
  const app = world.servers.web!.containers[0]!;
  const looping = { ...world, servers: { web: { ...world.servers.web!, containers: [{ ...app, state: 'restarting' }] } } };
  const plan = planOf(m, looping);
  assert.deepEqual(plan.ops, []);
  assert.match(plan.warnings.map((w) => w.text).join('\n'), /app on web keeps restarting/);
});

test('a swap\'s stand-in and earlier copies belong to their container: no orphans, no prune ops; with the container gone from the manifest, they go with its remove', () => {
  const m = manifestOf('web:\n  provider: ec2\n  containers:\n    app: {image: app}\n');
  const kept = new WorldBuilder(m).server('web').container('web', 'app').container('web', 'app', { rename: 'app-hitc-prev-1764000000', running: false }).build();
  const plan = planOf(m, kept, { prune: true, name: 'web-redis' });
  assert.deepEqual([plan.ops, plan.orphans, plan.conflicts], [[], [], []], canonical(plan));
  const world = new WorldBuilder(m).server('web').container('web', 'app').container('web', 'app', { rename: 'app-hitc-prev-1764000000', running: false })
    .container('web', 'app', { rename: 'app-hitc-next' }).build();
  assert.deepEqual(planOf(m, world, { prune: true, name: 'web-redis' }).ops.map((o) => o.id), ['replace-container:web/app'], 'the stand-in is no orphan: the swap puts it right');
  const dropped = planOf(manifestOf('web:\n  provider: ec2\n'), world, { prune: true, name: 'web-redis' });
  assert.deepEqual(dropped.ops.map((o) => o.id), ['remove-container:web/app']);
});

test('an interrupted swap is put right by the next plan: a stand-in serving while the container is missing is kept until it is healthy; beside the container, it goes and the container is swapped again', () => {
  const m = manifestOf('web:\n  provider: ec2\n  containers:\n    app: {image: app, ports: [80]}\n');
  const missing = new WorldBuilder(m).server('web').container('web', 'app', { rename: 'app-hitc-next' }).build();
  assert.match(planOf(m, missing).ops.map((o) => `${o.id}: ${o.reason}`).join('\n'), /run-container:web\/app: an earlier swap of app was interrupted: its stand-in app-hitc-next serves until app is healthy, then goes/);
  const beside = new WorldBuilder(m).server('web').container('web', 'app').container('web', 'app', { rename: 'app-hitc-next' }).build();
  assert.match(planOf(m, beside).ops.map((o) => `${o.id}: ${o.reason}`).join('\n'), /replace-container:web\/app: an earlier swap of app was interrupted: its stand-in app-hitc-next \(and its DNAT rules\) go first/);
});

test('a container left with restart policy "no" by a swap interrupted before its health was confirmed is replaced, saying why; one the manifest wants with "no" is kept', () => {
  const m = manifestOf('web:\n  provider: ec2\n  containers:\n    app: {image: app}\n');
  const plan = planOf(m, new WorldBuilder(m).server('web').container('web', 'app', { restartPolicy: 'no' }).build());
  assert.deepEqual(plan.ops.map((o) => [o.id, o.reason]), [['replace-container:web/app', 'its restart policy is still "no", not unless-stopped: an earlier swap was interrupted before it was confirmed healthy']]);
  assert.deepEqual(planOf(m, new WorldBuilder(m).server('web').container('web', 'app', { restartPolicy: 'unless-stopped' }).build()).ops, []);
  const no = manifestOf('web:\n  provider: ec2\n  containers:\n    app: {image: app, restart: "no"}\n');
  assert.deepEqual(planOf(no, new WorldBuilder(no).server('web').container('web', 'app', { restartPolicy: 'no' }).build()).ops, []);
});
