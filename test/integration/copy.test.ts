// `cp` on real hosts: local → server → server → local keeps bytes, modes and mtimes (the second
// hop logs in as users who reach root by sudo, with and without a password), refusals
// change nothing, and a copy interrupted mid-stream leaves the target as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed();
const [one, two] = [b.hosts[48] as string, b.hosts[49] as string];
const box = sandbox();
const dir = '/tmp/sf-cluster-cp';
const password = { HITC_SUDO_PASSWORD: (b.users as Record<string, { password?: string }>).deploy?.password ?? '' };

async function on(host: string, command: string): Promise<string> {
  const r = await hitc(box, ['-H', host, '--', command]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout;
}

/** Path, mode, mtime and checksum of every entry under a local directory, sorted. */
function listing(root: string): string[] {
  const out = execFileSync('sh', ['-c', 'cd "$1" && find . -printf "%p %m %T@ %y\\n" | sort && find . -type f -print0 | sort -z | xargs -0 sha256sum', 'sh', root]);
  return out.toString().trim().split('\n').map((l) => l.replace(/(\d+)\.\d+ /, '$1 '));
}

test('cp: local → server → server → local keeps bytes, modes and mtimes', async () => {
  await on(`${one},${two}`, `rm -rf ${dir}; mkdir ${dir}`);
  const src = join(box.dir, 'tree');
  mkdirSync(join(src, 'bin'), { recursive: true });
  writeFileSync(join(src, 'app.conf'), 'secret=1\n');
  chmodSync(join(src, 'app.conf'), 0o640);
  writeFileSync(join(src, 'bin/run'), '#!/bin/sh\necho ran\n');
  chmodSync(join(src, 'bin/run'), 0o755);
  writeFileSync(join(src, 'blob'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256)));
  utimesSync(join(src, 'app.conf'), new Date('2021-02-03T04:05:06Z'), new Date('2021-02-03T04:05:06Z'));

  const up = await hitc(box, ['cp:tree,' + `${one}:${dir}/`]);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(await on(one, `stat -c '%a %Y %U' ${dir}/tree/app.conf ${dir}/tree/bin/run; ${dir}/tree/bin/run`), /out: 640 1612325106 root\n.*out: 755 \d+ root\n.*out: ran\n/s);

  // server → server through this machine, as two logins that reach root by sudo: NOPASSWD on the
  // source, a password on the destination (whose stdin must stay unread until sudo let it in)
  const across = await hitc(box, [`cp:ubuntu@${one}:${dir}/tree,deploy@${two}:${dir}/copied`], { env: password });
  assert.equal(across.code, 0, across.stdout + across.stderr);
  const back = await hitc(box, [`cp:${two}:${dir}/copied,back`]);
  assert.equal(back.code, 0, back.stdout + back.stderr);
  assert.deepEqual(listing(join(box.dir, 'back')), listing(src));
  assert.deepEqual(readdirSync(box.dir).filter((n) => n.startsWith('.hitc-cp-')), []);
});

test('cp refuses a missing source, a missing parent and a directory onto a file, changing nothing', async () => {
  await on(one, `mkdir -p ${dir} && printf keep > ${dir}/file && rm -rf ${dir}/gone`);
  writeFileSync(join(box.dir, 'f'), 'new\n');
  mkdirSync(join(box.dir, 'd'), { recursive: true });
  const cases: [string, RegExp][] = [
    [`cp:${one}:${dir}/gone,x`, /FAILED: .*\/gone does not exist/],
    [`cp:f,${one}:${dir}/nope/f`, /the directory of .*\/nope\/f does not exist/],
    [`cp:d,${one}:${dir}/file`, /cannot copy directory d onto file .*\/file/],
    [`cp:f,${one}:${dir}/file/`, /\/file\/ is not a directory/],
  ];
  for (const [args, message] of cases) {
    const r = await hitc(box, [args]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, message);
  }
  assert.match(await on(one, `cat ${dir}/file; echo; ls -a ${dir} | grep -c hitc-cp || true; test -e x || echo no-x`), /out: keep\n.*out: 0\n/s);
  // a failure on the far side names the host, the command, its exit code and stderr
  const ro = await hitc(box, [`cp:f,${one}:/proc/`]);
  assert.equal(ro.code, 1, ro.stdout + ro.stderr);
  assert.match(ro.stdout + ro.stderr, new RegExp(`unpacking at the destination on ${one.replace(/\./g, '\\.')} failed \\(exit 1\\); the target is unchanged: t=\\$\\(mktemp -d /proc/\\.hitc-cp-XXXXXX\\)[\\s\\S]*mktemp`));
});

test('a copy interrupted mid-stream leaves the target as it was and no private directory', async () => {
  await on(one, `mkdir -p ${dir} && printf old > ${dir}/big`);
  execFileSync('truncate', ['-s', '3G', join(box.dir, 'big')]);
  let sent = false;
  const r = await hitc(box, [`cp:big,${one}:${dir}/`], {
    timeoutMs: 120_000,
    onStdout: (text, child) => {
      if (sent || !text.includes('copying big')) return;
      sent = true;
      setTimeout(() => child.kill('SIGINT'), 700);
    },
  });
  assert.equal(r.code, 130, r.stdout + r.stderr);
  assert.match(await on(one, `cat ${dir}/big; echo; ls -a ${dir} | grep -c hitc-cp || true`), /out: old\n.*out: 0\n/s);
  assert.equal(statSync(join(box.dir, 'big')).size, 3 * 1024 ** 3);
  await on(`${one},${two}`, `rm -rf ${dir}`);
});
