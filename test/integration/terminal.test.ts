// What a person at a terminal sees: one no-echo prompt for a key passphrase and one for the
// sudo password, shared by every host. Runs hitc under `script` so it has a real tty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { bed, hitcUnderTty, sandbox } from './bed.ts';

const b = bed();

const underTty = (box: ReturnType<typeof sandbox>, args: string[], answers: string[]) => hitcUnderTty(box, args, answers);

test('an encrypted key asks its passphrase once for all hosts, without echo', async () => {
  const box = sandbox();
  // no other key and no agent: the passphrase is needed (a working key would be used first)
  writeFileSync(box.sshConfig, `Host *\n  User root\n  UserKnownHostsFile ${box.knownHosts}\n`);
  const hosts = b.hosts.slice(20, 24);
  const r = await underTty(box, ['-i', b.passKey, '-P', '-H', hosts.join(','), '--', 'echo in'], [b.passKeyPassphrase]);
  assert.equal(r.code, 0, r.out);
  assert.equal((r.out.match(/Passphrase for/g) ?? []).length, 1);
  assert.equal((r.out.match(/out: in/g) ?? []).length, 4);
  assert.ok(!r.out.includes(b.passKeyPassphrase), 'passphrase echoed');
});

test('sudo needing a password asks once for all hosts, and never shows it', async () => {
  const box = sandbox();
  const hosts = b.hosts.slice(24, 27).map((h) => `deploy@${h}`);
  box.hitcfile(`import { task } from 'hitc';\nexport const s = task({ parallel: true }, async (c) => { await c.sudo('id -un'); });\n`);
  const password = b.users.deploy?.password as string;
  const r = await underTty(box, ['-H', hosts.join(','), 's'], [password]);
  assert.equal(r.code, 0, r.out);
  assert.equal((r.out.match(/\[sudo\] password for the remote hosts/g) ?? []).length, 1);
  assert.equal((r.out.match(/out: root/g) ?? []).length, 3);
  assert.ok(!r.out.includes(password), 'password shown');
});
