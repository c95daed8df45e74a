// bootstrap's scripts run from a private directory made by mktemp -d, never from a fixed
// /tmp path that another user can create (or fill with symlinks) first; it is removed
// afterwards, also when a script fails.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox } from '../integration/bed.ts';

const b = bed();
const host = b.hosts[40] as string;
const box = sandbox();
const victim = '/etc/sf-runner-victim';
const marker = '/root/sf-runner-bootstrap-ran';

async function sh(command: string): Promise<string> {
  const r = await hitc(box, ['-H', host, '--', command]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout;
}

after(async () => {
  await sh(`rm -rf /tmp/bootstrap_scripts ${victim} ${marker}; rm -rf /tmp/hitc-bootstrap.*; true`);
});

test('bootstrap ignores a planted /tmp/bootstrap_scripts and leaves no script directory behind', async () => {
  const dir = join(box.dir, 'bootstrap');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '01-x.sh'), `echo "ran from $(dirname "$(readlink -f "$0" 2>/dev/null || echo x)")" >/dev/null; touch ${marker}; echo bootstrap-ran\n`);
  // another user (uid 65534) got there first: a world-writable directory whose script name
  // points at a file of root's
  await sh([
    `rm -rf /tmp/bootstrap_scripts /tmp/hitc-bootstrap.* ${marker}`,
    `printf 'precious\\n' > ${victim}`,
    'mkdir -m 0777 /tmp/bootstrap_scripts',
    `ln -s ${victim} /tmp/bootstrap_scripts/01-x.sh`,
    'chown -h 65534:65534 /tmp/bootstrap_scripts /tmp/bootstrap_scripts/01-x.sh',
  ].join(' && '));
  const r = await hitc(box, ['-H', host, 'bootstrap']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /out: bootstrap-ran/);
  const after = await sh(`cat ${victim}; ls -l /tmp/bootstrap_scripts | tail -n +2 | wc -l; ls -d /tmp/hitc-bootstrap.* 2>/dev/null | wc -l; test -e ${marker} && echo marker-made`);
  // the victim keeps its bytes, the planted directory is untouched, no private dir is left
  assert.match(after, /out: precious\n.*out: 1\n.*out: 0\n.*out: marker-made/s);
});

test('a failing bootstrap script still removes the private directory', async () => {
  const dir = join(box.dir, 'bootstrap-fail');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '01-fail.sh'), 'echo failing; false && true; exit 3\n');
  const r = await hitc(box, ['-H', host, 'bootstrap:directory=bootstrap-fail']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /hitc-bootstrap\.\w+\/01-fail\.sh/);
  assert.match(r.stdout, /exit (code|status) 3|exited 3|code 3/);
  assert.match(await sh('ls -d /tmp/hitc-bootstrap.* 2>/dev/null | wc -l'), /out: 0\n/);
});
