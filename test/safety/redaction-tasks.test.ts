// Redaction on every output path of a task run, on real hosts: the sudo password (deploy's sudo
// needs one), a secret() value and a DIGITALOCEAN_TOKEN from the environment are printed by a
// task on stdout and stderr, logged, put in progress steps and a returned value, left in a failed
// command's stderr tail and thrown in an Error. None of them may appear anywhere in hitc's
// stdout or stderr, in text mode or with --json; the mask shows where each was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bed, hitc, sandbox, type CliResult } from '../integration/bed.ts';

const MASK = '••••••';
const b = bed();
const SUDO_PW = b.users.deploy?.password as string;
const SECRET = 'sf-redact-secret-6d1f0a';
const TOKEN = 'dop_v1_sfredact_93c2e7b4a1';
const VALUES = [SUDO_PW, SECRET, TOKEN];
const hosts = [b.hosts[40], b.hosts[41]].map((h) => `deploy@${h}`);
const env = {
  HITC_SUDO_PASSWORD: SUDO_PW,
  DIGITALOCEAN_TOKEN: TOKEN,
  // never reach a real cloud, should anything try
  HITC_DIGITALOCEAN_API_URL: 'http://127.0.0.1:9',
};

const box = sandbox();
box.hitcfile(`
import { task, secret, sh } from 'hitc';
const api = secret('${SECRET}', 'API_KEY');
const all = () => [process.env.HITC_SUDO_PASSWORD, api.reveal(), process.env.DIGITALOCEAN_TOKEN].join(' ');

export const shout = task(async (c) => {
  await c.sudo('id -un');
  await c.run(\`echo "out \${all()}"; echo "err \${all()}" >&2\`);
  await c.sudo(sh\`echo "sudo-out $(id -un)" \${api}\`);
  c.log(\`log \${all()}\`);
  c.warn(\`warn \${all()}\`);
  console.error(\`console \${all()}\`);
  const steps = c.progress([{ id: 'step', title: \`step \${all()}\` }]);
  steps.running('step', \`running \${all()}\`);
  steps.done('step', \`done \${all()}\`);
  steps.end();
  return { value: all() };
});

export const tail = task(async (c) => {
  await c.run(\`echo "tail \${all()}" >&2; exit 7\`);
});

export const boom = task(async () => {
  throw new Error(\`boom \${all()}\`);
});
`);

function assertClean(r: CliResult, what: string): void {
  const both = `${r.stdout}\n${r.stderr}`;
  for (const v of VALUES) assert.ok(!both.includes(v), `${what}: ${JSON.stringify(v)} leaked:\n${both}`);
  assert.ok(both.includes(MASK), `${what}: the mask shows where the values were:\n${both}`);
}

const masked = `${MASK} ${MASK} ${MASK}`;

test('text mode: output lines, commands, logs, progress, console, stderr tails, exceptions and the summary are masked', async () => {
  const ok = await hitc(box, ['-H', hosts.join(','), 'shout'], { env, timeoutMs: 120_000 });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assertClean(ok, 'shout');
  for (const h of hosts) {
    assert.ok(ok.stdout.includes(`[${h}] out: out ${masked}`), ok.stdout);
    assert.ok(ok.stdout.includes(`[${h}] err: err ${masked}`), ok.stdout);
    assert.ok(ok.stdout.includes(`[${h}] out: sudo-out deploy ${MASK}`) || ok.stdout.includes(`[${h}] out: sudo-out root ${MASK}`), ok.stdout);
    assert.ok(ok.stdout.includes(`[${h}] log ${masked}`), ok.stdout);
    assert.ok(ok.stdout.includes(`step ${masked}: done ${masked}`), ok.stdout);
  }
  assert.ok(ok.stderr.includes(`console ${masked}`), ok.stderr);

  const failed = await hitc(box, ['-H', hosts.join(','), 'tail'], { env, timeoutMs: 120_000 });
  assert.equal(failed.code, 1, failed.stdout + failed.stderr);
  assertClean(failed, 'tail');
  assert.match(failed.stdout, /exited with code 7/);
  assert.ok(failed.stdout.includes(`tail ${masked}`), failed.stdout);

  const thrown = await hitc(box, ['-H', hosts.join(','), 'boom'], { env, timeoutMs: 120_000 });
  assert.equal(thrown.code, 1, thrown.stdout + thrown.stderr);
  assertClean(thrown, 'boom');
  assert.ok(thrown.stdout.includes(`FAILED: boom ${masked}`), thrown.stdout);
  assert.match(thrown.stdout, /Summary: 0 ok, 1 failed/); // the other host is skipped: a failure stops the run
});

test('--json: output arrays, task values, error objects, stderr tails and commands are masked', async () => {
  const ok = await hitc(box, ['-H', hosts[0] as string, 'shout', '--json'], { env, timeoutMs: 120_000 });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assertClean(ok, 'shout --json');
  const doc = JSON.parse(ok.stdout) as { tasks: { hosts: { stdout: string[]; stderr: string[]; value?: { value: string } }[] }[] };
  const host = doc.tasks[0]?.hosts[0];
  assert.ok(host?.stdout.includes(`out ${masked}`), ok.stdout);
  assert.ok(host?.stderr.includes(`err ${masked}`), ok.stdout);
  assert.equal(host?.value?.value, masked);

  const failed = await hitc(box, ['-H', hosts[0] as string, 'tail', '--json'], { env, timeoutMs: 120_000 });
  assert.equal(failed.code, 1, failed.stdout + failed.stderr);
  assertClean(failed, 'tail --json');
  const fdoc = JSON.parse(failed.stdout) as { tasks: { hosts: { error: { kind: string; command: string; exitCode: number; stderrTail: string[] } }[] }[] };
  const error = fdoc.tasks[0]?.hosts[0]?.error;
  assert.equal(error?.kind, 'command');
  assert.equal(error?.exitCode, 7);
  assert.deepEqual(error?.stderrTail, [`tail ${masked}`]);
  assert.ok(error?.command.includes(MASK), error?.command);

  const thrown = await hitc(box, ['-H', hosts[0] as string, 'boom', '--json'], { env, timeoutMs: 120_000 });
  assert.equal(thrown.code, 1, thrown.stdout + thrown.stderr);
  assertClean(thrown, 'boom --json');
  const tdoc = JSON.parse(thrown.stdout) as { tasks: { hosts: { error: { message: string } }[] }[] };
  assert.equal(tdoc.tasks[0]?.hosts[0]?.error.message, `boom ${masked}`);
});

test('an error before the run (the hitcfile throws while loading) is masked too, text and --json', async () => {
  const early = sandbox();
  early.hitcfile(`
import { secret } from 'hitc';
const api = secret('${SECRET}');
throw new Error(\`cannot start: \${api.reveal()} \${process.env.DIGITALOCEAN_TOKEN} \${process.env.HITC_SUDO_PASSWORD}\`);
`);
  for (const args of [['-H', hosts[0] as string, 'x'], ['-H', hosts[0] as string, 'x', '--json']]) {
    const r = await hitc(early, args, { env, timeoutMs: 60_000 });
    assert.notEqual(r.code, 0, r.stdout + r.stderr);
    assertClean(r, args.join(' '));
  }
});
