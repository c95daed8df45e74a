// After create, hitc waits for each new server to accept SSH. A changed host key or a refused
// login will never fix itself: the wait must end at once with the real reason (not retry it
// for five minutes and then blame the firewall), and known_hosts must stay as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox } from '../integration/bed.ts';
import { ec2Bed, wrongKnownHosts } from './provider-helpers.ts';
import { tempDir } from '../helpers/temp.ts';

const host = bed().hosts[45] as string;

test('create against a host whose key differs from known_hosts: fails within seconds naming the known_hosts line, known_hosts unchanged', async () => {
  const box = sandbox({ knownHosts: wrongKnownHosts(host) });
  const before = readFileSync(box.knownHosts);
  const { fake, env } = await ec2Bed({ box });
  const r = await hitc(box, ['create:provider=ec2,name=sf-providers-hostkey'], { env, timeoutMs: 120_000 });
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 1, out);
  assert.equal(fake.instances[0]?.ip, host, 'the new server got the bed host as its address');
  assert.match(out, new RegExp(`created: sf-providers-hostkey \\(${fake.instances[0]?.id}, ${host.replace(/\./g, '\\.')}\\); waiting for SSH`), 'the user learns the server exists');
  assert.match(out, new RegExp(`host key for ${host.replace(/\./g, '\\.')}:22 has CHANGED \\(now [\\w-]+ SHA256:[\\w+/]+\\); refusing to connect`));
  assert.match(out, new RegExp(`remove line [123] of ${box.knownHosts.replace(/[.]/g, '\\.')}`));
  assert.doesNotMatch(out, /never accepted SSH/);
  assert.ok(r.ms < 30_000, `took ${r.ms} ms (a retry loop would take minutes)`);
  assert.deepEqual(readFileSync(box.knownHosts), before, 'known_hosts unchanged');
});

test('create whose key pair the new server does not accept: fails at once saying the login was refused', async () => {
  const box = sandbox();
  // an ssh config without the bed's key: only the (unauthorised) provider key is offered
  writeFileSync(box.sshConfig, `Host *\n  User root\n  IdentitiesOnly yes\n  UserKnownHostsFile ${box.knownHosts}\n`);
  const { env } = await ec2Bed({ box });
  const stranger = join(tempDir('sf-providers-key-'), 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
  const r = await hitc(box, ['create:provider=ec2,name=sf-providers-auth'], { env: { ...env, AWS_SSH_KEY_FILENAME: stranger }, timeoutMs: 120_000 });
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 1, out);
  assert.match(out, new RegExp(`authentication failed for root@${host.replace(/\./g, '\\.')}:22 \\(tried [^)]*${stranger.replace(/[.]/g, '\\.')}`));
  assert.doesNotMatch(out, /never accepted SSH/);
  assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
});

test('the normal path still works: a new server that accepts the login is ready', async () => {
  // (retrying a server that is still starting is covered by test/runner/wait-ssh.test.ts)
  const { env, box } = await ec2Bed();
  const r = await hitc(box, ['create:provider=ec2,name=sf-providers-ok'], { env, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`ready: sf-providers-ok \\(${host.replace(/\./g, '\\.')}\\)`));
});
