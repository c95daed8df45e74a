// schema/plan.schema.json against what the code writes: every op kind and every note list, a
// whole saved plan file, and broken files that must fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { OpKind } from '../../../src/ensemble/plan/ops.ts';
import { planToJson } from '../../../src/ensemble/plan/plan-json.ts';
import { manifestDigest, observedDigest, observedFingerprints, type SavedPlan } from '../../../src/ensemble/plan/saved-plan.ts';
import { everyKindPlan, world } from './hand-plans.ts';

const schema = JSON.parse(readFileSync(new URL('../../../schema/plan.schema.json', import.meta.url), 'utf8')) as { $id: string };
// strict: a misspelt keyword or a keyword on the wrong type is an error in the schema, not ignored
const ajv = new Ajv2020({ strict: true, allErrors: true });
ajv.addSchema(schema);
const validateFile = ajv.getSchema(schema.$id)!;
const validatePlan = ajv.getSchema(`${schema.$id}#/$defs/PlanJson`)!;

const ALL_KINDS: readonly OpKind[] = [
  'create-server', 'replace-server', 'terminate-server', 'setup-docker', 'pull-image',
  'run-container', 'replace-container', 'run-release', 'remove-container', 'put-firewall', 'remove-firewall',
];

function savedFile(): SavedPlan {
  const fingerprints = observedFingerprints(world());
  return {
    format: 'hitc-plan', version: 1, created: new Date().toISOString(), ensemble: 'shop',
    manifest: { file: 'shop.yml', digest: manifestDigest('web: {}\n') },
    observed: { digest: observedDigest(fingerprints), fingerprints },
    plan: planToJson(everyKindPlan()),
  };
}

const errors = (v: typeof validateFile): string => JSON.stringify(v.errors, null, 2);

test('the hand-built plan covers every op kind and every note list', () => {
  const json = planToJson(everyKindPlan());
  assert.deepEqual([...new Set(json.ops.map((o) => o.kind))].sort(), [...ALL_KINDS].sort());
  for (const list of ['unchanged', 'unavailable', 'conflicts', 'orphans', 'warnings'] as const) assert.ok(json[list].length > 0, list);
});

test('planToJson output (what ensemble.plan --json prints) matches the schema', () => {
  const json = JSON.parse(JSON.stringify(planToJson(everyKindPlan())));
  assert.ok(validatePlan(json), errors(validatePlan));
  for (const op of json.ops) assert.ok(validatePlan({ ...json, ops: [op] }), `${op.kind}: ${errors(validatePlan)}`);
});

test('a whole saved plan file matches the schema', () => {
  const file = JSON.parse(JSON.stringify(savedFile()));
  assert.ok(validateFile(file), errors(validateFile));
});

test('broken files fail: a missing field, a wrong kind, an unknown field, a leaked secret digest', () => {
  const broken: [string, (f: any) => void][] = [
    ['no observed', (f) => delete f.observed],
    ['no op reason', (f) => delete f.plan.ops[0].reason],
    ['unknown op kind', (f) => { f.plan.ops[0].kind = 'reboot-server'; }],
    ['kind that does not match the id', (f) => { f.plan.ops[0].kind = 'setup-docker'; }],
    ['a field of another kind', (f) => { f.plan.ops.find((o: any) => o.kind === 'setup-docker').container = 'app'; }],
    ['run-container without its path', (f) => { delete f.plan.ops.find((o: any) => o.kind === 'run-container').path; }],
    ['a rollout without its failure budget', (f) => { delete f.plan.ops.find((o: any) => o.rollout).rollout.maxFail; }],
    ['a rollout batch 0', (f) => { f.plan.ops.find((o: any) => o.rollout).rollout.batch = 0; }],
    ['a rollout on another kind', (f) => { f.plan.ops.find((o: any) => o.kind === 'remove-container').rollout = f.plan.ops.find((o: any) => o.rollout).rollout; }],
    ['secret digest instead of the mask', (f) => { f.plan.ops.find((o: any) => o.spec).spec.normal.secrets.TOKEN = 'a'.repeat(32); }],
    ['the docker run spec', (f) => { f.plan.ops.find((o: any) => o.spec).spec.run = { image: 'x' }; }],
    ['wrong format', (f) => { f.format = 'terraform-plan'; }],
    ['newer version', (f) => { f.version = 2; }],
    ['a note of an unknown kind', (f) => { f.plan.unchanged[0].kind = 'volume'; }],
    ['a bad fingerprint id', (f) => { f.observed.fingerprints['volume:x'] = '0123456789abcdef'; }],
  ];
  for (const [what, breakIt] of broken) {
    const file = JSON.parse(JSON.stringify(savedFile()));
    breakIt(file);
    assert.equal(validateFile(file), false, `${what} passed the schema`);
  }
});

test('plans the planner makes validate too: fresh, changed, replaced, pruned, conflicting', async () => {
  const { manifestOf, WorldBuilder } = await import('./world-builder.ts');
  const { planOf } = await import('./canonical.ts');
  const m = manifestOf(readFileSync(new URL('./graph-fixtures/web-redis.yml', import.meta.url), 'utf8'));
  const rolled = (mode: string) => manifestOf(`10.0.0.4:\n  containers:\n    app: {image: httpd, count: 3, environment: {MODE: ${mode}}, update: {batch: 1, wait: 2, max_fail: 1}}\n`);
  const plans = [
    planOf(m, new WorldBuilder(m).build()),
    planOf(m, new WorldBuilder(m).server('web').server('redis').container('web', 'web', { environment: { MODE: 'x' } }).deployed().build()),
    planOf(m, new WorldBuilder(m).deployed().stray('ec2', 'old').build(), { desired: { redis: { options: { size: 't3.large' } } }, prune: true, name: 'web-redis' }),
    planOf(m, new WorldBuilder(m).server('web').conflict('redis', 'another ensemble').build()),
    planOf(rolled('new'), new WorldBuilder(rolled('old')).deployed().build()),
  ];
  for (const plan of plans) assert.ok(validatePlan(planToJson(plan)), errors(validatePlan));
  assert.ok(plans.flatMap((p) => p.ops).some((o) => o.kind === 'put-firewall' && o.update === undefined));
  assert.equal(plans.flatMap((p) => p.ops).filter((o) => o.kind === 'replace-container' && o.rollout).length, 3);
});
