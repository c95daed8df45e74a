// The ssh and rsync tasks hand the user's settings to the system tools (issue 9, review): a
// stricter StrictHostKeyChecking in the user's ssh config is respected (accept-new only when the
// config is silent), and an rsync path starting with `-` is a path, never an option.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox } from '../integration/bed.ts';

const b = bed();
const host = b.hosts[46] as string;

after(async () => {
  await hitc(sandbox(), ['-H', host, '--', 'rm -rf /tmp/sf-transfer-rsync']);
});

test('ssh task: StrictHostKeyChecking yes in the ssh config refuses an unknown host key (known_hosts unchanged)', async () => {
  const box = sandbox({ knownHosts: '', extraConfig: 'Host *\n  StrictHostKeyChecking yes\n' });
  const r = await hitc(box, ['-H', host, 'ssh:cmd=hostname']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /Host key verification failed/);
  assert.doesNotMatch(r.stdout, /out: |hitc-bed-light/);
  assert.equal(readFileSync(box.knownHosts, 'utf8'), '', 'the unknown key was not added');
});

test('ssh task: a config that says nothing keeps hitc\'s accept-new default; --strict-host-keys refuses', async () => {
  const box = sandbox({ knownHosts: '' });
  const strict = await hitc(box, ['--strict-host-keys', '-H', host, 'ssh:cmd=hostname']);
  assert.equal(strict.code, 1, strict.stdout + strict.stderr);
  assert.match(strict.stdout + strict.stderr, /Host key verification failed/);
  assert.equal(readFileSync(box.knownHosts, 'utf8'), '');
  const r = await hitc(box, ['-H', host, 'ssh:cmd=hostname']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.notEqual(readFileSync(box.knownHosts, 'utf8'), '', 'accept-new recorded the key');
});

test('rsync_up/rsync_down: a path starting with - is a file, not an option', async () => {
  const box = sandbox();
  mkdirSync(join(box.dir, 'src'));
  writeFileSync(join(box.dir, '--remove-source-files'), 'keep me\n');
  const setup = await hitc(box, ['-H', host, '--', 'rm -rf /tmp/sf-transfer-rsync && mkdir /tmp/sf-transfer-rsync']);
  assert.equal(setup.code, 0, setup.stdout + setup.stderr);
  const up = await hitc(box, ['-H', host, 'rsync_up:local_path=--remove-source-files,remote_path=/tmp/sf-transfer-rsync/']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.ok(existsSync(join(box.dir, '--remove-source-files')), 'the local file is still there');
  const check = await hitc(box, ['-H', host, '--', 'cat /tmp/sf-transfer-rsync/--remove-source-files']);
  assert.match(check.stdout, /out: keep me/);
  const down = await hitc(box, ['-H', host, 'rsync_down:remote_path=/tmp/sf-transfer-rsync/--remove-source-files,local_path=-copy']);
  assert.equal(down.code, 0, down.stdout + down.stderr);
  assert.equal(readFileSync(join(box.dir, '-copy'), 'utf8'), 'keep me\n');
});
