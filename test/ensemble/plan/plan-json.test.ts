import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearSecretsForTest, registerSecret } from '../../../src/core/redact.ts';
import { SECRET_MASK } from '../../../src/core/secret.ts';
import { planToJson } from '../../../src/ensemble/plan/plan-json.ts';
import { opTitle, type Plan } from '../../../src/ensemble/plan/ops.ts';
import { appSpec, everyKindPlan, SECRET_VALUE } from './hand-plans.ts';

test('plan JSON holds neither a secret value nor its digest, even with nothing registered for redaction', () => {
  const spec = appSpec();
  const digest = spec.normal.secrets?.TOKEN as string;
  assert.match(digest, /^[0-9a-f]{32}$/);
  // masking must not depend on the redaction registry: the value and digest are left out by construction
  clearSecretsForTest();
  const text = JSON.stringify(planToJson(everyKindPlan(spec)));
  assert.ok(!text.includes(SECRET_VALUE), 'secret value in plan JSON');
  assert.ok(!text.includes(digest), 'secret digest in plan JSON');
  assert.ok(!text.includes('"run"'), 'docker run spec in plan JSON');
  registerSecret(SECRET_VALUE);
});

test('a container op shows its normalised spec and hash, secrets as the mask', () => {
  const spec = appSpec();
  const json = planToJson(everyKindPlan(spec));
  const op = json.ops.find((o) => o.id === 'replace-container:web/app');
  assert.ok(op && op.kind === 'replace-container');
  assert.deepEqual(op.spec, {
    normal: {
      image: 'nginx:1.27', command: "nginx -g 'daemon off;'", environment: { MODE: 'prod' }, ports: ['80:8080/tcp'], volumes: ['/srv/app:/data'],
      memory: '256m', hostname: null, privileged: false, restart: 'unless-stopped', logs: { maxSize: '10m', maxFiles: 3 }, secrets: { TOKEN: SECRET_MASK },
    },
    hash: spec.hash,
  });
  assert.deepEqual(Object.keys(op), ['id', 'kind', 'title', 'server', 'reason', 'after', 'container', 'path', 'spec', 'swap']);
  // how it is swapped, in one fixed field order
  assert.equal(JSON.stringify(op.swap), '{"order":"start-first","standIn":true,"health":{"kind":"http","path":"/healthz","port":80,"interval":1,"timeout":3,"retries":30},"stopTimeout":30}');
});

test('every op keeps its id, kind, server, reason, edges and kind fields; titles are opTitle', () => {
  const plan = everyKindPlan();
  const json = planToJson(plan);
  assert.deepEqual(json.ops.map((o) => [o.id, o.kind, o.server, o.reason, o.after]), plan.ops.map((o) => [o.id, o.kind, o.server, o.reason, [...o.after]]));
  assert.deepEqual(json.ops.map((o) => o.title), plan.ops.map(opTitle));
  const byId = new Map(json.ops.map((o) => [o.id, o as unknown as Record<string, unknown>]));
  assert.deepEqual(byId.get('create-server:cache')?.pending, { waitsFor: ['server:db'] });
  assert.equal(byId.get('create-server:cache')?.options, undefined);
  assert.deepEqual(byId.get('replace-server:web')?.node, { id: 'i-0abc', ip: '203.0.113.5' });
  assert.deepEqual(byId.get('put-firewall:web')?.transientPeer, { peer: '192.0.2.7', port: '22' });
  assert.equal('image' in (byId.get('pull-image:cache/app') ?? {}), false);
  assert.deepEqual(json.unchanged, plan.unchanged);
  assert.deepEqual(json.warnings, plan.warnings);
});

test('the JSON text is deterministic: option and environment key order do not matter', () => {
  const plan = everyKindPlan();
  const shuffled: Plan = {
    ...plan,
    ops: plan.ops.map((o) => (o.kind === 'create-server' && o.options ? { ...o, options: { image: 'ubuntu-24.04', size: 't3.small' } } : o)),
  };
  assert.equal(JSON.stringify(planToJson(plan)), JSON.stringify(planToJson(shuffled)));
  assert.deepEqual(Object.keys((planToJson(plan).ops[0] as { options: object }).options), ['image', 'size']);
});

test('a registered secret that reached a reason is masked too', () => {
  const plan = everyKindPlan();
  registerSecret(SECRET_VALUE);
  const json = planToJson({ ...plan, unchanged: [{ ...plan.unchanged[0]!, reason: `leaked ${SECRET_VALUE}` }] });
  assert.equal(json.unchanged[0]?.reason, `leaked ${SECRET_MASK}`);
});
