// A user whose sudo needs a password: asked once per run (here from HITC_SUDO_PASSWORD, as a
// terminal prompt would be), never in argv or output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed();
const hosts = b.hosts.slice(2, 5).map((h) => `deploy@${h}`);
const password = b.users.deploy?.password as string;
const box = sandbox();
box.hitcfile(`
import { task } from 'hitc';
export const rootly = task({ parallel: true }, async (c) => {
  await c.sudo('id -un');
  await c.sudo('cat /etc/shadow | head -c 0 && echo read-shadow');
  // the password must not reach the command's stdin, arguments or environment
  await c.sudo('ps -eo args | grep -c "${password.slice(0, -1)}[${password.slice(-1)}]" || true; env | grep -c "${password.slice(0, -1)}[${password.slice(-1)}]" || true');
});
`);

test('sudo with a password on several hosts in parallel', async () => {
  const r = await hitc(box, ['-H', hosts.join(','), 'rootly'], { env: { HITC_SUDO_PASSWORD: password } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  for (const h of hosts) {
    assert.match(r.stdout, new RegExp(`\\[${h}\\] out: root`));
    assert.match(r.stdout, new RegExp(`\\[${h}\\] out: read-shadow`));
  }
  assert.ok(!r.stdout.includes(password) && !r.stderr.includes(password), 'password leaked into output');
  assert.doesNotMatch(r.stdout, /out: [1-9]/, 'password visible in a process argv or environment');
});

test('a wrong sudo password fails with a clear message', async () => {
  const r = await hitc(box, ['-H', hosts[0] as string, '--', 'true; sudo -n true || echo needs-password'], { env: { HITC_SUDO_PASSWORD: 'wrong' } });
  assert.match(r.stdout, /needs-password/);
  const s = await hitc(box, ['-H', hosts[0] as string, 'rootly'], { env: { HITC_SUDO_PASSWORD: 'wrong-pw' } });
  assert.equal(s.code, 1);
  assert.match(s.stdout, /sudo rejected the password/);
});

test('no password and no terminal: a clear error, not a hang', async () => {
  const r = await hitc(box, ['-H', hosts[0] as string, 'rootly'], { timeoutMs: 20_000 });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /a password is required/);
  assert.match(r.stdout, /HITC_SUDO_PASSWORD/);
});
