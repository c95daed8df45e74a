// run/sudo/put/get/local, exit codes and stderr, large output, unicode, injection corpus —
// all against real sshd hosts of the test bed, through the real CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox } from './bed.ts';
import { INJECTION_CORPUS } from '../core/quote.test.ts';

const b = bed();
const host = b.hosts[0] as string;

const box = sandbox();
box.hitcfile(`
import { task, sh } from 'hitc';
import { writeFileSync } from 'node:fs';
export const files = task(async (c) => {
  const dir = '/tmp/hitc-files-' + c.host!.host;
  await c.run(sh\`rm -rf \${dir} && mkdir -p \${dir}\`);
  await c.put('payload.txt', dir + '/payload.txt', { mode: 0o640 });
  await c.run(sh\`stat -c '%a %U' \${dir}/payload.txt\`);
  await c.put('payload.txt', '/root/root-owned.txt', { sudo: true, mode: 0o600 });
  await c.sudo('stat -c "%a %U" /root/root-owned.txt');
  await c.get(dir + '/payload.txt', 'back.txt');
  await c.get('/root/root-owned.txt', 'back-sudo.txt', { sudo: true });
  const who = await c.sudo('id -un', { quiet: true });
  const local = await c.local(sh\`echo local \${c.host!.host}\`);
  writeFileSync('who.txt', who.stdout + local.stdout);
});
export const fails = task(async (c) => {
  const soft = await c.run('echo soft-fail >&2; exit 4', { warn: true });
  c.log('soft exit ' + soft.exitCode);
  await c.run('echo out-line; echo err-line >&2; exit 3');
});
export const big = task(async (c) => {
  const r = await c.run("head -c 1000000 /dev/zero | tr '\\\\0' 'x' | fold -w 100", { quiet: true });
  c.log('bytes ' + r.stdout.length);
});
export const unicode = task(async (c) => { await c.run("printf 'ünïcødé ✓ 日本\\\\n'"); });
export const corpus = task(async (c) => {
  const values: string[] = JSON.parse(${JSON.stringify(JSON.stringify(INJECTION_CORPUS))});
  await c.run('rm -f /tmp/hitc-pwned');
  for (const v of values) {
    const r = await c.run(sh\`printf '%s' \${v}\`, { quiet: true });
    if (r.stdout !== v + (v.endsWith('\\n') ? '' : '\\n') && r.stdout !== v) throw new Error('mangled: ' + JSON.stringify(v) + ' -> ' + JSON.stringify(r.stdout));
  }
  await c.run('test ! -e /tmp/hitc-pwned');
  c.log('corpus ok ' + values.length);
});
`);
writeFileSync(join(box.dir, 'payload.txt'), 'payload ✓\n');

test('put/get/sudo put/sudo get/local on a real host', async () => {
  const r = await hitc(box, ['-H', host, 'files']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`\\[${host}\\] out: 640 root`));
  assert.match(r.stdout, new RegExp(`\\[${host}\\] out: 600 root`));
  assert.equal(readFileSync(join(box.dir, 'back.txt'), 'utf8'), 'payload ✓\n');
  assert.equal(readFileSync(join(box.dir, 'back-sudo.txt'), 'utf8'), 'payload ✓\n');
  assert.equal(readFileSync(join(box.dir, 'who.txt'), 'utf8'), `root\nlocal ${host}\n`);
});

test('sudo as a passwordless non-root user, and sudo -u another user', async () => {
  const r = await hitc(box, ['-H', `ubuntu@${host}`, '--', 'sudo -n id -un && id -un']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /out: root\n.*out: ubuntu/);
});

test('a failing command: exit 1, host, command, exit code and stderr tail', async () => {
  const r = await hitc(box, ['-H', host, 'fails']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Warning: command exited with code 4/);
  assert.match(r.stdout, /soft exit 4/);
  assert.match(r.stdout, new RegExp(`\\[${host}\\] FAILED: command exited with code 3: echo out-line; echo err-line >&2; exit 3`));
  assert.match(r.stdout, /stderr \(last 1 line\):\n.*  err-line/);
  assert.doesNotMatch(r.stdout + r.stderr, /at .*\.ts:\d+/); // no stack trace for a remote failure
});

test('-w turns a failing command into a warning', async () => {
  const r = await hitc(box, ['-w', '-H', host, '--', 'exit 5']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Warning: command exited with code 5/);
});

test('1 MB of output arrives whole', async () => {
  const r = await hitc(box, ['-H', host, 'big']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /bytes 1010000/); // 10000 lines of 100 x + newline
});

test('1 MB streamed to the terminal keeps every line prefixed', async () => {
  const r = await hitc(box, ['-H', host, '--', "head -c 1000000 /dev/zero | tr '\\0' 'y' | fold -w 100"]);
  assert.equal(r.code, 0);
  const lines = r.stdout.split('\n').filter((l) => l.includes(' out: '));
  assert.equal(lines.length, 10000);
  assert.ok(lines.every((l) => l === `[${host}] out: ${'y'.repeat(100)}`));
});

test('unicode output survives', async () => {
  const r = await hitc(box, ['-H', host, 'unicode']);
  assert.match(r.stdout, /out: ünïcødé ✓ 日本/);
});

test('injection corpus is executed literally', async () => {
  const r = await hitc(box, ['-H', host, 'corpus']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /corpus ok 11/);
});

test('a command timeout (-T) kills the command and fails with a hint', async () => {
  const r = await hitc(box, ['-T', '1', '-H', host, '--', 'sleep 20']);
  assert.equal(r.code, 1);
  assert.ok(r.ms < 10_000, `took ${r.ms}ms`);
  assert.match(r.stdout, /command timed out: sleep 20/);
});
