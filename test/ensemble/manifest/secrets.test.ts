// `!secret NAME` environment values: read from hitc's environment, kept as Secret values, and
// visible in plans only as "changed" — never as text, not even inside the stored spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import { planOf } from '../plan/canonical.ts';
import { planToJson } from '../../../src/ensemble/plan/plan-json.ts';
import type { ContainerOp } from '../../../src/ensemble/plan/ops.ts';
import { planText } from '../../../src/ensemble/plan/plan-text.ts';
import { Secret } from '../../../src/core/secret.ts';
import { dockerRun } from '../../../src/docker/commands.ts';
import { secretStdin } from '../../../src/core/command.ts';
import { resolveContainer } from '../../../src/ensemble/plan/resolve-container.ts';
import type { ObservedWorld } from '../../../src/ensemble/observe/observed.ts';

const MANIFEST = `10.0.0.5:
  containers:
    db:
      image: postgres:16
      environment:
        POSTGRES_PASSWORD: !secret DB_PASSWORD
        API_TOKEN: !secret
        MODE: !env APP_MODE
`;
const ENV = { DB_PASSWORD: 'correct horse battery', API_TOKEN: 'tok-123456', APP_MODE: 'prod' };

function observedWith(labels: Record<string, string>): ObservedWorld {
  return { servers: { '10.0.0.5': { name: '10.0.0.5', provider: 'unmanaged', ip: '10.0.0.5', internalIp: '10.0.0.5', options: {}, dockerInstalled: true, firewall: undefined as never, containers: [{ id: 'x', name: 'db', image: 'postgres:16', imageId: 'sha256:1', ip: '172.17.0.2', running: true, state: 'running', created: '', environment: {}, command: [], labels, ports: [] } as never] } } };
}

test('!secret and !env read hitc\'s environment; secrets stay Secret values', () => {
  const { manifest, issues } = parseManifest('m.yml', MANIFEST, ENV);
  assert.deepEqual(issues, []);
  const env = manifest!.servers[0]!.containers[0]!.environment;
  assert.ok(env.POSTGRES_PASSWORD instanceof Secret);
  assert.equal((env.POSTGRES_PASSWORD as Secret).reveal(), 'correct horse battery');
  assert.equal((env.API_TOKEN as Secret).label, 'API_TOKEN', 'an empty name means the key');
  assert.equal(env.MODE, 'prod');
});

test('missing variables, unknown tags and misplaced !secret are manifest issues at their lines', () => {
  const { issues } = parseManifest('m.yml', `${MANIFEST}    other:
      image: !secret IMG
      environment:
        X: !vault x
`, { APP_MODE: 'x', IMG: 'y' });
  assert.deepEqual(issues.map((i) => [i.line, i.message]), [
    [6, 'secret DB_PASSWORD is not set (!secret DB_PASSWORD)'],
    [7, 'secret API_TOKEN is not set (!secret API_TOKEN)'],
    [10, '!secret is only for container environment values'],
    [12, 'unknown tag !vault'],
  ]);
});

test('the plan, its JSON and the stored spec never contain a secret; a changed secret is named, not shown', () => {
  const { manifest } = parseManifest('m.yml', MANIFEST, ENV);
  const fresh = planOf(manifest!, { servers: { '10.0.0.5': { ...observedWith({}).servers['10.0.0.5']!, containers: [] } } }, { name: 'm' });
  const op = fresh.ops.find((o) => o.kind === 'run-container') as ContainerOp;
  const json = JSON.stringify(planToJson(fresh));
  for (const v of [ENV.DB_PASSWORD, ENV.API_TOKEN]) assert.ok(!json.includes(v), 'plan JSON');
  assert.match(json, /"secrets":\{"API_TOKEN":"••••••","POSTGRES_PASSWORD":"••••••"\}/, 'not even digests in the plan');

  // what the container's label stores: digests (a slow salted hash), never values
  const stored = resolveContainer(manifest!.servers[0]!.containers[0]!, (v) => v)!;
  assert.match(JSON.stringify(stored.normal), /"secrets":\{"API_TOKEN":"[0-9a-f]{32}","POSTGRES_PASSWORD":"[0-9a-f]{32}"\}/);
  assert.equal(stored.hash, op.spec?.hash);
  for (const d of Object.values(stored.normal.secrets ?? {})) assert.ok(!json.includes(d), 'no digest in the plan JSON');
  const labels = { 'hitc.ensemble': 'm', 'hitc.spec-hash': stored.hash, 'hitc.spec': JSON.stringify(stored.normal) };
  const same = planOf(manifest!, observedWith(labels), { name: 'm' });
  assert.match(planText(same).join('\n'), /^No changes\./m);

  const rotated = parseManifest('m.yml', MANIFEST, { ...ENV, DB_PASSWORD: 'rotated-password' }).manifest!;
  const text = planText(planOf(rotated, observedWith(labels), { name: 'm' })).join('\n');
  assert.match(text, /db \(10\.0\.0\.5\): environment POSTGRES_PASSWORD: secret value changed/);
  assert.ok(!text.includes('rotated-password') && !text.includes(ENV.DB_PASSWORD));
});

test('docker run gets secrets through its environment from stdin, never in argv', () => {
  const { manifest } = parseManifest('m.yml', MANIFEST, ENV);
  const resolved = resolveContainer(manifest!.servers[0]!.containers[0]!, (v) => v)!;
  const command = dockerRun(resolved.run, { 'hitc.spec': JSON.stringify(resolved.normal) });
  for (const v of [ENV.DB_PASSWORD, ENV.API_TOKEN]) assert.ok(!command.script.includes(v) && !command.display.includes(v));
  assert.match(command.script, /-e POSTGRES_PASSWORD /);
  assert.equal(secretStdin(command), `${ENV.DB_PASSWORD}\n${ENV.API_TOKEN}\n`);
});

test('a !secret cannot be read into another value through ${…environment}', () => {
  const { issues } = parseManifest('m.yml', `${MANIFEST}    app:
      image: app
      environment:
        A: \${10.0.0.5.containers.db.environment[POSTGRES_PASSWORD]}
        B: \${10.0.0.5.containers.db.environment}
        C: \${10.0.0.5.containers.db.environment[MODE]}
`, ENV);
  assert.deepEqual(issues.map((i) => i.message.replace(/^\$\{[^}]*\}: /, '')), [
    'POSTGRES_PASSWORD is a !secret and cannot be used in another value',
    'the environment holds !secret values (POSTGRES_PASSWORD, API_TOKEN) and cannot be used in another value',
  ]);
});

test('an environment template may hold a !secret', () => {
  const { manifest, issues } = parseManifest('m.yml', `templates:
  creds:
    DB: !secret DB_PASSWORD
10.0.0.5:
  containers:
    db:
      image: postgres
      environment:
        template: creds
        MODE: x
`, ENV);
  assert.deepEqual(issues, []);
  const env = manifest!.servers[0]!.containers[0]!.environment;
  assert.ok(env.DB instanceof Secret);
  assert.equal(env.MODE, 'x');
});
