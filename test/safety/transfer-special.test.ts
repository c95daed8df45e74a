// A transfer never lays a plain file over a device, FIFO or socket (review of issue 9): upload
// onto /dev/null or onto a symlink to it is refused, as root over SFTP and through sudo, and
// /dev/null stays a character device. An upload without sudo keeps the replaced file's group
// when the login user is in it, and is refused (file unchanged) when not. The after() hook repairs /dev/null should a regression
// have replaced it, so a failing run does not break the bed host.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox, type CliResult } from '../integration/bed.ts';

const b = bed();
const host = b.hosts[44] as string;
const password = b.users.deploy?.password as string;
const box = sandbox();
box.hitcfile(`
import { task } from 'hitc';
export const put = task({ params: { from: { type: 'string', required: true }, to: { type: 'string', required: true }, sudo: { type: 'boolean', default: false } } }, async (c, a) => {
  await c.put(a.from, a.to, { sudo: a.sudo });
  c.log('transfer done');
});
`);
const DIR = '/tmp/sf-transfer-special';
const GDIR = '/tmp/sf-transfer-group';
const IN = 'sf-transfer-in'; // ubuntu is a member
const OUT = 'sf-transfer-out'; // ubuntu is not
const REPAIR = '[ -c /dev/null ] || { rm -f /dev/null; mknod -m 666 /dev/null c 1 3; }';

const out = (r: CliResult): string[] => r.stdout.split('\n').flatMap((l) => /\] out: (.*)$/.exec(l)?.[1] ?? []);

async function devNullKind(): Promise<string> {
  const r = await hitc(box, ['-H', host, '--', 'stat -c %F:%t:%T /dev/null']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return out(r).join('');
}

after(async () => {
  await hitc(box, ['-H', host, '--', `${REPAIR}; rm -rf ${DIR} ${GDIR}; (groupdel ${IN} || delgroup ${IN}; groupdel ${OUT} || delgroup ${OUT}) >/dev/null 2>&1; true`]);
  rmSync(box.dir, { recursive: true, force: true });
});

test('setup: a symlink to /dev/null', async () => {
  const r = await hitc(box, ['-H', host, '--', `rm -rf ${DIR} && mkdir -m 755 ${DIR} && ln -s /dev/null ${DIR}/null-link`]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  writeFileSync(join(box.dir, 'x'), 'not for /dev/null\n');
  assert.equal(await devNullKind(), 'character special file:1:3');
});

for (const [dest, shown] of [['/dev/null', /\/dev\/null on root@/], [`${DIR}/null-link`, /null-link \(\/dev\/null\) on root@/]] as const) {
  test(`root: the built-in upload onto ${dest} is refused, exit 1, /dev/null still a device`, async () => {
    const r = await hitc(box, ['-H', `root@${host}`, `upload:x,${dest}`]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, shown);
    assert.match(r.stdout + r.stderr, /is not a regular file/);
    assert.equal(await devNullKind(), 'character special file:1:3');
  });
}

for (const login of ['ubuntu', 'deploy']) {
  for (const dest of ['/dev/null', `${DIR}/null-link`]) {
    test(`${login} with sudo: upload onto ${dest} is refused naming the host, /dev/null still a device`, async () => {
      const r = await hitc(box, ['-H', `${login}@${host}`, `put:from=x,to=${dest},sudo=true`], { env: { HITC_SUDO_PASSWORD: password } });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, new RegExp(`/dev/null is not a regular file \\(a device, FIFO or socket\\) on ${login}@`));
      assert.equal(await devNullKind(), 'character special file:1:3');
      const left = await hitc(box, ['-H', host, '--', 'ls -a /dev /tmp | grep -c hitc || true']);
      assert.deepEqual(out(left), ['0'], 'no staged or temp file left behind');
    });
  }
}

test('without sudo: the replaced file keeps a group the login user is in; another group is refused, file unchanged', async () => {
  const setup = await hitc(box, ['-H', host, '--', [
    `rm -rf ${GDIR} && mkdir -m 755 ${GDIR} && chown ubuntu ${GDIR}`,
    `for g in ${IN} ${OUT}; do groupadd $g 2>/dev/null || addgroup $g; done`,
    `usermod -aG ${IN} ubuntu 2>/dev/null || addgroup ubuntu ${IN}`,
    `printf old > ${GDIR}/in.conf && chown root:${IN} ${GDIR}/in.conf && chmod 640 ${GDIR}/in.conf`,
    `printf old > ${GDIR}/out.conf && chown ubuntu:${OUT} ${GDIR}/out.conf && chmod 640 ${GDIR}/out.conf`,
  ].join(' && ')]);
  assert.equal(setup.code, 0, setup.stdout + setup.stderr);
  const kept = await hitc(box, ['-H', `ubuntu@${host}`, `put:from=x,to=${GDIR}/in.conf`]);
  assert.equal(kept.code, 0, kept.stdout + kept.stderr);
  const refused = await hitc(box, ['-H', `ubuntu@${host}`, `put:from=x,to=${GDIR}/out.conf`]);
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout + refused.stderr, /cannot keep group \d+ of \/tmp\/sf-transfer-group\/out\.conf on ubuntu@.*the destination is unchanged/);
  assert.match(refused.stdout + refused.stderr, /use sudo: true/);
  const r = await hitc(box, ['-H', host, '--', `stat -c '%U:%G:%a' ${GDIR}/in.conf ${GDIR}/out.conf; cat ${GDIR}/out.conf; echo; ls -a ${GDIR} | grep -c hitc || true`]);
  assert.deepEqual(out(r), [`ubuntu:${IN}:640`, `ubuntu:${OUT}:640`, 'old', '0']);
});
