// Redaction of a `!secret` manifest value on a real Docker host. The same value also reaches
// the container's command (through `!env`) and a plain environment entry, the way a careless
// manifest might: the plan (text and --json, whose spec lists the command and environment), the
// failure of `up` (docker's error quotes the command, in the stderr tail) and the plan of the
// change that follows must all show the mask, never the value.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox, type CliResult } from '../integration/bed.ts';

const MASK = '••••••';
const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
const host = (b.dockerHosts as string[])[2] as string;
const image = b.appImages?.httpd as string;
const ENSEMBLE = 'sf-redact-app';
const CONTAINER = 'sf-redact-web';
const PW = 'sfredactpw4b9e1c7d';
const box = sandbox();
// a missing program whose path holds the secret: docker run fails and quotes it
const cmd = (n: number) => `/opt/${PW}/run${n}`;
const run = (args: string[], n = 1) => hitc(box, args, { env: { SF_REDACT_PW: PW, SF_REDACT_CMD: cmd(n) }, timeoutMs: 180_000 });
// only this test's containers: by ensemble label and by name
const CLEAN = `docker rm -f $(docker ps -aq --filter label=hitc.ensemble=${ENSEMBLE}) >/dev/null 2>&1; docker rm -f ${CONTAINER} >/dev/null 2>&1; true`;

before(async () => {
  writeFileSync(join(box.dir, `${ENSEMBLE}.yml`), `${host}:
  containers:
    ${CONTAINER}:
      image: ${image}
      command: !env SF_REDACT_CMD
      environment:
        SF_REDACT_PW: !secret
        SF_PLAIN: !env SF_REDACT_PW
`);
  const r = await run(['-H', host, '--', CLEAN]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});
after(async () => {
  const r = await run(['-H', host, '--', CLEAN]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const left = await run(['-H', host, '--', `docker ps -aq --filter label=hitc.ensemble=${ENSEMBLE} | wc -l`]);
  assert.match(left.stdout, /out: 0$/m, 'no container of this test is left');
});

function assertClean(r: CliResult, what: string): void {
  const both = `${r.stdout}\n${r.stderr}`;
  assert.ok(!both.includes(PW), `${what}: the secret leaked:\n${both}`);
}

test('plan, up and the next plan never show a !secret value, even where the manifest repeats it', async () => {
  const plan = await run([`ensemble.plan:${ENSEMBLE}`]);
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assertClean(plan, 'plan');
  assert.match(plan.stdout, new RegExp(`${CONTAINER} \\(${host.replace(/\./g, '\\.')}\\): no such container`));

  const json = await run([`ensemble.plan:${ENSEMBLE}`, '--json']);
  assertClean(json, 'plan --json');
  assert.ok(json.stdout.includes(`/opt/${MASK}/run1`), `the spec's command is listed, masked:\n${json.stdout}`);
  assert.ok(json.stdout.includes(`"SF_PLAIN": "${MASK}"`), `the plain copy is masked:\n${json.stdout}`);

  const up = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  assert.equal(up.code, 1, up.stdout + up.stderr);
  assertClean(up, 'up');
  assert.ok(up.stdout.includes(`/opt/${MASK}/run1`), `docker's error is shown, masked:\n${up.stdout}`);

  const upJson = await run([`ensemble.up:${ENSEMBLE}`, '--yes', '--json']);
  assert.equal(upJson.code, 1, upJson.stdout + upJson.stderr);
  assertClean(upJson, 'up --json');
  assert.ok(upJson.stdout.includes(`/opt/${MASK}/run1`), upJson.stdout);

  // the container that could not start was removed (nothing is left half done); the plan of
  // the changed manifest lists the new command, masked, in text and --json
  const next = await run([`ensemble.plan:${ENSEMBLE}`], 2);
  assertClean(next, 'plan after a change');
  assert.match(next.stdout, new RegExp(`${CONTAINER} \\(${host.replace(/\./g, '\\.')}\\): no such container`));
  const nextJson = await run([`ensemble.plan:${ENSEMBLE}`, '--json'], 2);
  assertClean(nextJson, 'plan --json after a change');
  assert.ok(nextJson.stdout.includes(`/opt/${MASK}/run2`), nextJson.stdout);
});
