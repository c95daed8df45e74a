// The rollback planner (pure): the newest kept version comes back as up's own replace op, with
// that version's spec, hash and image id and the current secret values; a version whose secret
// values moved, or whose label does not hold together, is refused; nothing kept is said so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerInfo } from '../../../src/docker/inspect.ts';
import { Secret } from '../../../src/core/secret.ts';
import type { ManifestContainer } from '../../../src/ensemble/manifest/model.ts';
import { LABELS, type ObservedWorld } from '../../../src/ensemble/observe/observed.ts';
import { planText } from '../../../src/ensemble/plan/plan-text.ts';
import { resolveContainer } from '../../../src/ensemble/plan/resolve-container.ts';
import { selectContainers } from '../../../src/ensemble/history/select-containers.ts';
import { planRollback } from '../../../src/ensemble/rollback/plan-rollback.ts';
import { manifestOf } from '../plan/world-builder.ts';

const RETIRED = Date.UTC(2026, 11, 2, 14, 5) / 1000;
const MANIFEST = `name: shop
web:
  provider: ec2
  containers:
    app:
      image: app:v2
      command: ["httpd", "-f", "-p", "8080", "it's"]
      environment:
        MODE: two
        PW: !secret HITC_PW
      ports: [8080]
      volumes: ["/srv/app:/data"]
    cache:
      image: redis:7
`;
const manifest = (pw = 'first-pw') => manifestOf(MANIFEST, { HITC_PW: pw });
const ensemble = { name: 'shop', from: 'manifest' as const };

/** A container as ensemble.up would have made it from `mc` (changed by `over`). */
function made(mc: ManifestContainer, name: string, imageId: string, over: Partial<ManifestContainer>, facts: { by: string; running: boolean; ensemble?: string }): ContainerInfo {
  const r = resolveContainer({ ...mc, ...over }, (v) => v);
  assert.ok(r);
  return {
    id: `${name}-id`, name, image: r.run.image, imageId, ip: null, running: facts.running, state: facts.running ? 'running' : 'exited',
    created: '2026-12-01T00:00:00Z', environment: {}, command: r.argv ? [...r.argv] : ['httpd-foreground'], ports: [],
    labels: {
      [LABELS.ensemble]: facts.ensemble ?? 'shop', [LABELS.specHash]: r.hash, [LABELS.spec]: JSON.stringify(r.normal),
      [LABELS.startedAt]: '2026-12-01T10:00:00.000Z', [LABELS.startedBy]: facts.by,
    },
  };
}

function world(containers: ContainerInfo[]): ObservedWorld {
  return { servers: { web: { name: 'web', provider: 'ec2', ip: '54.0.0.1', internalIp: '10.0.0.1', options: {}, dockerInstalled: true, containers } } };
}

const appOf = (m = manifest()) => m.servers[0]?.containers.find((c) => c.name === 'app') as ManifestContainer;
const v1 = (over: Partial<ManifestContainer> = {}, mc = appOf()) =>
  made(mc, `app-hitc-prev-${RETIRED}`, 'sha256:1111eeee2222ffff0000', { image: 'app:v1', environment: { ...mc.environment, MODE: 'one' }, ...over }, { by: 'alice@laptop', running: false });
const v2 = (mc = appOf()) => made(mc, 'app', 'sha256:2222cccc3333dddd0000', {}, { by: 'bob@desk', running: true });

test('the newest kept version comes back as a replace-container op with its spec, its hash and the image id it ran', () => {
  const m = manifest();
  const previous = v1();
  const rolled = planRollback(world([v2(), previous]), { ensemble, selected: selectContainers(m, { container: 'app' }) });
  assert.deepEqual(rolled.refusals, []);
  const [op] = rolled.plan.ops;
  assert.ok(op && op.kind === 'replace-container' && op.spec);
  assert.equal(op.id, 'replace-container:web/app');
  assert.deepEqual(op.after, []);
  assert.equal(op.spec.hash, previous.labels[LABELS.specHash]);
  assert.equal(JSON.stringify(op.spec.normal), previous.labels[LABELS.spec]);
  assert.equal(op.spec.normal.image, 'app:v1');
  assert.equal(op.spec.run.image, 'sha256:1111eeee2222ffff0000', 'run by id: a moved tag cannot change what comes back');
  assert.deepEqual(op.spec.argv, ['httpd', '-f', '-p', '8080', "it's"]);
  assert.equal(op.spec.run.environment.MODE, 'one');
  assert.ok(op.spec.run.environment.PW instanceof Secret && op.spec.run.environment.PW.reveal() === 'first-pw');
  assert.deepEqual([op.spec.run.ports, op.spec.run.volumes, op.spec.run.restart], [[{ container: 8080, public: 8080, protocol: 'tcp' }], [{ host: '/srv/app', container: '/data' }], 'unless-stopped']);
  assert.deepEqual([op.swap.order, op.swap.standIn], ['stop-first', false], 'the version mounts a volume: two copies never share it');
  const withoutVolume = planRollback(world([v2(), v1({ volumes: [] })]), { ensemble, selected: selectContainers(m, { container: 'app' }) }).plan.ops[0];
  assert.deepEqual([withoutVolume?.kind === 'replace-container' && withoutVolume.swap.order, withoutVolume?.kind === 'replace-container' && withoutVolume.swap.standIn], ['start-first', true], 'the version\'s own volumes and ports decide');
  assert.equal(planText(rolled.plan).join('\n'), `Ensemble shop
The following containers will restart:
  app (web): rollback to ${previous.labels[LABELS.specHash]?.slice(0, 8)} (image app:v1 @1111eeee2222, retired 2026-12-02 14:05 by bob@desk); replaces ${v2().labels[LABELS.specHash]?.slice(0, 8)} (image app:v2 @2222cccc3333); stop-first (mounts volumes): old stopped (10 s to finish), new one started with health check (the image's HEALTHCHECK (up to 2 min), else running for 2 s), old kept for rollback
Plan: 0 to create, 1 to replace, 0 to update, 0 unchanged.`);
});

test('a secret whose value moved since the version ran refuses it, naming the variable and never its values', () => {
  const old = manifest('old-pw');
  const previous = v1({}, appOf(old));
  const rolled = planRollback(world([v2(), previous]), { ensemble, selected: selectContainers(manifest('new-pw'), {}) });
  assert.deepEqual(rolled.plan.ops, []);
  assert.equal(rolled.refusals.length, 1);
  assert.deepEqual({ ...rolled.refusals[0] }, { id: 'container:web/app', reason: 'its secret PW had another value than the one set now', secret: 'PW' });
  assert.ok(!JSON.stringify(rolled).includes('old-pw') && !JSON.stringify(rolled).includes('new-pw'));
  // a secret the manifest no longer has cannot be filled in either
  const plain = manifestOf(MANIFEST.replace('PW: !secret HITC_PW', 'PW: visible'));
  assert.equal(planRollback(world([v2(), previous]), { ensemble, selected: selectContainers(plain, { container: 'app' }) }).refusals[0]?.secret, 'PW');
});

test('a label that does not hold together is refused: a spec edited after its hash, a command that is not the one docker runs', () => {
  const edited = v1();
  const spec = JSON.parse(edited.labels[LABELS.spec] as string) as Record<string, unknown>;
  const tampered = { ...edited, labels: { ...edited.labels, [LABELS.spec]: JSON.stringify({ ...spec, privileged: true }) } };
  const selected = selectContainers(manifest(), { container: 'app' });
  assert.match(planRollback(world([v2(), tampered]), { ensemble, selected }).refusals[0]?.reason ?? '', /spec label does not match its spec hash/);
  const otherArgv = { ...edited, command: ['sh', '-c', 'rm -rf /data'] };
  assert.match(planRollback(world([v2(), otherArgv]), { ensemble, selected }).refusals[0]?.reason ?? '', /command does not match its spec label/);
});

test('nothing kept is said per container; another ensemble\'s version is a conflict; nothing under the name runs it again', () => {
  const m = manifest();
  const none = planRollback(world([v2()]), { ensemble, selected: selectContainers(m, {}) });
  assert.deepEqual([none.plan.ops, none.withPrevious], [[], 0]);
  assert.deepEqual(none.plan.unchanged.map((n) => `${n.id}: ${n.reason}`), ['container:web/app: no previous version kept: nothing to roll back to', 'container:web/cache: no previous version kept: nothing to roll back to']);

  const theirs = made(appOf(), `app-hitc-prev-${RETIRED}`, 'sha256:1', { image: 'app:v1' }, { by: 'eve@elsewhere', running: false, ensemble: 'other' });
  const conflict = planRollback(world([v2(), theirs]), { ensemble, selected: selectContainers(m, {}) });
  assert.deepEqual(conflict.plan.ops, []);
  assert.match(conflict.plan.conflicts[0]?.reason ?? '', /app-hitc-prev-\d+ on web is not this ensemble's/);

  const alone = planRollback(world([v1()]), { ensemble, selected: selectContainers(m, {}) });
  assert.deepEqual(alone.plan.ops.map((o) => [o.id, o.reason.replace(/^.*; /, '')]), [['run-container:web/app', 'nothing runs under its name now']]);
});

test('a server that could not be observed makes its containers unavailable, not silently skipped', () => {
  const rolled = planRollback({ servers: {}, unavailable: { web: 'web could not be observed: timeout' } }, { ensemble, selected: selectContainers(manifest(), {}) });
  assert.deepEqual(rolled.plan.unavailable.map((n) => `${n.id}: ${n.reason}`), ['container:web/app: web could not be observed: timeout', 'container:web/cache: web could not be observed: timeout']);
});

test('a kept copy of the version that runs now (it crashed and was replaced by itself) is skipped: rollback goes to the version before', () => {
  const m = manifest();
  const older = v1();
  const crashed = { ...v2(), id: 'crashed-id', name: `app-hitc-prev-${RETIRED + 60}`, running: false, state: 'exited' };
  const rolled = planRollback(world([v2(), crashed, older]), { ensemble, selected: selectContainers(m, { container: 'app' }) });
  const [op] = rolled.plan.ops;
  assert.ok(op && op.kind === 'replace-container' && op.spec);
  assert.equal(op.spec.hash, older.labels[LABELS.specHash], 'v1, not the crashed copy of v2');
  const onlySame = planRollback(world([v2(), crashed]), { ensemble, selected: selectContainers(m, { container: 'app' }) });
  assert.deepEqual(onlySame.plan.ops, []);
});
