// Global per-host tasks on real hosts: bootstrap, upload/download, rsync, ssh (system ssh),
// ping, and the unmanaged provider's file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed();
const host = b.hosts[35] as string;
const box = sandbox();

test('bootstrap mirrors files/, renders templates, runs scripts in order, and skips unchanged files', async () => {
  const dir = join(box.dir, 'bootstrap');
  mkdirSync(join(dir, 'files/etc/hitc-demo'), { recursive: true });
  mkdirSync(join(dir, 'files/root'), { recursive: true });
  writeFileSync(join(dir, 'files/etc/hitc-demo/static.conf'), 'static\n');
  writeFileSync(join(dir, 'files/etc/hitc-demo/app.conf.tpl'), 'greeting={{ GREETING }}\nhome={{HOME}}\n');
  writeFileSync(join(dir, 'files/root/note.txt'), 'in home\n');
  writeFileSync(join(dir, '01-first.sh'), 'echo first >> /tmp/hitc-bootstrap-order\n');
  writeFileSync(join(dir, '02-second.sh'), 'echo second >> /tmp/hitc-bootstrap-order\n');
  chmodSync(join(dir, '01-first.sh'), 0o755);
  await hitc(box, ['-H', host, '--', 'rm -rf /etc/hitc-demo /root/note.txt /tmp/hitc-bootstrap-order']);
  const missing = await hitc(box, ['-H', host, 'bootstrap:use_envtpl=true']);
  assert.equal(missing.code, 2, missing.stdout + missing.stderr);
  assert.match(missing.stdout + missing.stderr, /app\.conf\.tpl:1: template variable GREETING is not set/);
  const untouched = await hitc(box, ['-H', host, '--', 'test -e /etc/hitc-demo && echo touched || echo untouched']);
  assert.match(untouched.stdout, /out: untouched/);

  const first = await hitc(box, ['-H', host, 'bootstrap:use_envtpl=true'], { env: { GREETING: 'hello world' } });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /updated \/etc\/hitc-demo\/app\.conf\n/);
  const check = await hitc(box, ['-H', host, '--', 'cat /etc/hitc-demo/app.conf /etc/hitc-demo/static.conf /root/note.txt /tmp/hitc-bootstrap-order']);
  assert.match(check.stdout, /out: greeting=hello world\n.*out: home=\S+\n.*out: static\n.*out: in home\n.*out: first\n.*out: second\n/);
  const second = await hitc(box, ['-H', host, 'bootstrap:use_envtpl=true'], { env: { GREETING: 'hello world' } });
  assert.equal(second.code, 0);
  assert.doesNotMatch(second.stdout, /updated /, 'unchanged files are skipped');
});

test('upload, download (per-host names for several hosts), rsync up and down', async () => {
  writeFileSync(join(box.dir, 'up.txt'), 'uploaded\n');
  const hosts = [host, b.hosts[36] as string];
  assert.equal((await hitc(box, ['-H', hosts.join(','), 'upload:up.txt,/tmp/hitc-up.txt'])).code, 0);
  const down = await hitc(box, ['-H', hosts.join(','), 'download:/tmp/hitc-up.txt,down.txt']);
  assert.equal(down.code, 0, down.stdout + down.stderr);
  for (const h of hosts) assert.equal(readFileSync(join(box.dir, `${h}-down.txt`), 'utf8'), 'uploaded\n');
  mkdirSync(join(box.dir, 'tree/sub'), { recursive: true });
  writeFileSync(join(box.dir, 'tree/sub/a.txt'), 'A\n');
  const up = await hitc(box, ['-H', host, 'rsync_up:tree/,/tmp/hitc-tree']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  const back = await hitc(box, ['-H', host, 'rsync_down:/tmp/hitc-tree/,tree-back']);
  assert.equal(back.code, 0, back.stdout + back.stderr);
  assert.equal(readFileSync(join(box.dir, 'tree-back/sub/a.txt'), 'utf8'), 'A\n');
});

test('ssh runs the system ssh with the same login; ping', async () => {
  const r = await hitc(box, ['-H', host, 'ssh:hostname']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /hitc-bed-light-036/);
  const p = await hitc(box, ['-H', host, 'ping']);
  assert.equal(p.code, 0, p.stdout + p.stderr);
  assert.match(p.stdout, /1 packets transmitted, 1 received/);
});

test('unmanaged_servers.txt: nodes lists it and -R selects by address', async () => {
  writeFileSync(join(box.dir, 'unmanaged_servers.txt'), `${host}\n`);
  const nodes = await hitc(box, ['nodes'], { env: { HITC_CACHE_FILE: join(box.dir, 'cache.json'), HITC_KEY_FILENAME: b.key } });
  assert.equal(nodes.code, 0, nodes.stdout + nodes.stderr);
  assert.match(nodes.stdout, new RegExp(`unmanaged\\n  ip\\n  ${host.replace(/\./g, '\\.')}`));
  const r = await hitc(box, ['-R', host, '--', 'hostname'], { env: { HITC_CACHE_FILE: join(box.dir, 'cache.json'), HITC_KEY_FILENAME: b.key } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /out: hitc-bed-light-036/);
});
