import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorJson, formatError } from '../../../src/ui/format-error.ts';
import type { ObservedWorld } from '../../../src/ensemble/observe/observed.ts';
import type { Plan } from '../../../src/ensemble/plan/ops.ts';
import { planToJson } from '../../../src/ensemble/plan/plan-json.ts';
import {
  manifestDigest, observedDigest, observedFingerprints, StalePlanError, staleness, type FreshState, type SavedPlan,
} from '../../../src/ensemble/plan/saved-plan.ts';
import { appSpec, container, everyKindPlan, world } from './hand-plans.ts';

const MANIFEST = 'web:\n  provider: ec2\n';

function save(plan: Plan, observed: ObservedWorld, manifestText = MANIFEST): SavedPlan {
  const fingerprints = observedFingerprints(observed);
  return {
    format: 'hitc-plan', version: 1, created: '2026-12-02T10:00:00.000Z', ensemble: plan.ensemble.name,
    manifest: { file: 'shop.yml', digest: manifestDigest(manifestText) },
    observed: { digest: observedDigest(fingerprints), fingerprints },
    plan: planToJson(plan),
  };
}

function fresh(plan: Plan, observed: ObservedWorld, manifestText = MANIFEST): FreshState {
  return { ensemble: plan.ensemble.name, manifestDigest: manifestDigest(manifestText), fingerprints: observedFingerprints(observed), plan: planToJson(plan) };
}

const labelled = (hash: string, extra = {}) => container('app', { 'hitc.ensemble': 'shop', 'hitc.spec-hash': hash }, extra);

test('the same manifest, world and plan: the saved plan may be applied', () => {
  assert.deepEqual(staleness(save(everyKindPlan(), world()), fresh(everyKindPlan(), world())), []);
});

test('a container whose spec-hash label changed is named, with the op that changed because of it', () => {
  const before = everyKindPlan(appSpec('nginx:1.27'));
  const after: Plan = {
    ...before,
    ops: before.ops.map((o) => (o.id === 'replace-container:web/app' ? { ...o, reason: 'image nginx:1.28 → nginx:1.27', spec: appSpec('nginx:1.27') } : o)),
  };
  const lines = staleness(save(before, world([labelled('aaaa000011112222')])), fresh(after, world([labelled('bbbb000011112222')])));
  assert.deepEqual(lines, ['container web/app changed', 'op replace-container:web/app changed: image nginx:1.28 → nginx:1.27']);
});

test('an edited manifest makes the plan stale even when the plan comes out the same', () => {
  assert.deepEqual(staleness(save(everyKindPlan(), world()), fresh(everyKindPlan(), world(), `${MANIFEST}# a comment\n`)), ['the manifest shop.yml changed']);
});

test('another ensemble\'s plan is refused in one line', () => {
  const other = { ...everyKindPlan(), ensemble: { name: 'blog', from: 'manifest' as const } };
  assert.deepEqual(staleness(save(everyKindPlan(), world()), fresh(other, world(), 'other')), ['the plan is for ensemble shop, not blog']);
});

test('things that appeared, are gone, or can (no longer) be reached are named, in a fixed order', () => {
  const w = world();
  const moved: ObservedWorld = {
    servers: { web: { ...w.servers.web!, containers: [labelled('aaaa000011112222'), container('sidecar')], firewall: undefined } },
    unavailable: { far: 'Docker is not running' },
    strays: [],
  };
  assert.deepEqual(staleness(save(everyKindPlan(), w), fresh(everyKindPlan(), moved)), [
    'container web/sidecar appeared',
    'the firewall on web is gone',
    'server old on ec2 (not in the manifest) is gone',
    'server far is unavailable now',
    'server far is reachable again',
  ]);
});

test('ops planned now, no longer planned, or changed are listed by id with the new reason', () => {
  const before = everyKindPlan();
  const after: Plan = {
    ...before,
    ops: [
      ...before.ops.filter((o) => o.id !== 'setup-docker:db' && o.id !== 'remove-container:web/gone').map((o) => (o.id === 'create-server:db' ? { ...o, options: { size: 't3.large' } } : o)),
      { id: 'setup-docker:web', kind: 'setup-docker', server: 'web', reason: 'Docker is not installed', after: [] },
    ],
  };
  assert.deepEqual(staleness(save(before, world()), fresh(after, world())), [
    'op create-server:db changed',
    'op remove-container:web/gone is no longer planned',
    'op setup-docker:db is no longer planned',
    'op setup-docker:web is planned now: Docker is not installed',
  ]);
});

test('fingerprints follow what the planner reads and never the environment', () => {
  const base = observedFingerprints(world());
  assert.deepEqual(Object.keys(base), ['container:web/app', 'firewall:web', 'server:web', 'stray:ec2/old', 'unreachable:far']);
  for (const v of Object.values(base)) assert.match(v, /^[0-9a-f]{16}$/);
  // the environment (secret values in plain text) is not read
  assert.deepEqual(observedFingerprints(world([labelled('aaaa000011112222', { environment: { TOKEN: 'another' } })])), base);
  // a new address for the container (docker assigns one on restart; ${…ip} reads it) is a change
  assert.notEqual(observedFingerprints(world([labelled('aaaa000011112222', { ip: '172.17.0.9' })]))['container:web/app'], base['container:web/app']);
  // key order from docker or a provider's API changes nothing
  const w = world();
  const reverse = <T>(o: Readonly<Record<string, T>>): Record<string, T> => Object.fromEntries(Object.entries(o).reverse());
  const reordered: ObservedWorld = { ...w, servers: { web: { ...w.servers.web!, options: reverse(w.servers.web!.options), imageIds: reverse(w.servers.web!.imageIds!) } } };
  assert.notDeepEqual(Object.keys(reordered.servers.web!.options), Object.keys(w.servers.web!.options));
  assert.deepEqual(observedFingerprints(reordered), base);
  const relabelled = world([container('app', { 'hitc.spec-hash': 'aaaa000011112222', 'hitc.ensemble': 'shop' })]);
  assert.deepEqual(observedFingerprints(relabelled), base);
});

test('a stale plan is a usage error (exit 2) whose lines show under its message', () => {
  const lines = ['container web/app changed', 'op replace-container:web/app changed: image nginx:1.28 → nginx:1.27'];
  const error = new StalePlanError('plan.json', 'shop', lines);
  assert.equal(error.cliExitCode, 2);
  assert.equal(error.message, 'stale plan: 2 changes since plan.json was made; nothing was changed');
  assert.deepEqual(error.changes, lines);
  const f = formatError(error);
  assert.deepEqual(f.details, lines);
  assert.equal(f.hint, 'make and review a new plan: hitc ensemble.plan:shop,out=plan.json');
  assert.deepEqual(errorJson(error).details, lines);
});
