// Connection-level behaviour against real sshd: host keys (accept-new, strict, changed),
// auth failure, ProxyJump through a bastion (ssh config and -g), unreachable hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed();
const host = b.hosts[1] as string;
const [, keyB64] = b.hostKeyLine.split(' ');
const WRONG_KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIHitcHitcHitcHitcHitcHitcHitcHitcHitcHitcHitcH';

test('accept-new: an unknown host is accepted and recorded', async () => {
  const box = sandbox({ knownHosts: '' });
  const r = await hitc(box, ['-H', host, '--', 'true']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(box.knownHosts, 'utf8'), `${host} ssh-ed25519 ${keyB64}\n`);
  const again = await hitc(box, ['-H', host, '--', 'true']);
  assert.equal(again.code, 0);
  assert.equal(readFileSync(box.knownHosts, 'utf8').split('\n').length, 2, 'no duplicate line');
});

test('strict mode refuses an unknown host', async () => {
  const box = sandbox({ knownHosts: '' });
  const r = await hitc(box, ['--strict-host-keys', '-H', host, '--', 'true']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /is not in known_hosts .*strict checking refuses it/);
});

test('a changed host key is refused, naming the known_hosts file and line', async () => {
  const box = sandbox({ knownHosts: `# comment\n${host} ssh-ed25519 ${WRONG_KEY}\n` });
  const r = await hitc(box, ['-H', host, '--', 'touch /tmp/should-not-run']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /host key for .* has CHANGED/);
  assert.match(r.stdout, new RegExp(`remove line 2 of ${box.knownHosts.replace(/[.]/g, '\\.')}`));
  assert.doesNotMatch(r.stdout, /out:/);
});

test('authentication failure is reported per host, not as a crash', async () => {
  const box = sandbox();
  const r = await hitc(box, ['-H', `nobody@${host}`, '--', 'true']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /UNREACHABLE: authentication failed for nobody@/);
  assert.match(r.stdout, /hint: check the user/);
});

test('an unreachable host fails within the connect timeout while the others finish', async () => {
  const box = sandbox();
  const hosts = [b.unreachable, ...b.hosts.slice(0, 5)];
  const r = await hitc(box, ['-t', '2', '-P', '-H', hosts.join(','), '--', 'hostname']);
  assert.equal(r.code, 1);
  assert.ok(r.ms < 8000, `took ${r.ms}ms`);
  assert.match(r.stdout, /Summary: 5 ok, 0 failed, 1 unreachable/);
  assert.match(r.stdout, new RegExp(`\\[${b.unreachable.replace(/\./g, '\\.')}\\] UNREACHABLE: connection timed out after 2s`));
});

test('--skip-bad-hosts: serial run goes on past an unreachable host', async () => {
  const box = sandbox();
  const r = await hitc(box, ['-t', '1', '--skip-bad-hosts', '-H', `${b.unreachable},${host}`, '--', 'echo reached']);
  assert.match(r.stdout, new RegExp(`\\[${host}\\] out: reached`));
  assert.equal(r.code, 1, 'the unreachable host still counts as a failure');
});

test('ProxyJump from ssh config reaches a host only the bastion can see', async () => {
  const box = sandbox({ extraConfig: `Host inner\n  HostName ${b.inner}\n  ProxyJump root@${b.bastion}\n` });
  const r = await hitc(box, ['-H', 'inner', '--', 'hostname']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\[inner\] out: hitc-bed-inner/);
});

test('-g gateway works too, and the inner host is not reachable without it', async () => {
  const box = sandbox();
  const via = await hitc(box, ['-g', `root@${b.bastion}`, '-H', b.inner, '--', 'hostname']);
  assert.equal(via.code, 0, via.stdout + via.stderr);
  assert.match(via.stdout, /out: hitc-bed-inner/);
  const direct = await hitc(box, ['-t', '2', '-H', b.inner, '--', 'hostname']);
  assert.equal(direct.code, 1);
});

test('a passphrase-protected key without a terminal fails clearly instead of hanging', async () => {
  const box = sandbox();
  // no other key: the encrypted one is the only way in (another key would be used instead)
  writeFileSync(box.sshConfig, `Host *\n  User root\n  UserKnownHostsFile ${box.knownHosts}\n`);
  const r = await hitc(box, ['-i', b.passKey, '-H', host, '--', 'true']);
  assert.equal(r.code, 1);
  assert.match(r.stdout + r.stderr, /encrypted and there is no terminal/);
});
