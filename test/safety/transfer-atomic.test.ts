// Transfers never destroy the destination (issue 9, confirmed bug 2): a missing source, a missing
// directory or a kill of hitc mid-transfer leaves the old bytes in place, in both directions,
// with and without sudo (NOPASSWD and password sudo). New local files from a get are 0600.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox, type CliResult } from '../integration/bed.ts';

const b = bed();
const host = b.hosts[44] as string;
const password = b.users.deploy?.password as string;
const box = sandbox();
box.hitcfile(`
import { task } from 'hitc';
const flags = { sudo: { type: 'boolean', default: false }, mode: { type: 'string' } } as const;
export const put = task({ params: { from: { type: 'string', required: true }, to: { type: 'string', required: true }, ...flags } }, async (c, a) => {
  await c.put(a.from, a.to, { sudo: a.sudo, ...(a.mode ? { mode: parseInt(a.mode, 8) } : {}) });
  c.log('transfer done');
});
export const get = task({ params: { from: { type: 'string', required: true }, to: { type: 'string', required: true }, ...flags } }, async (c, a) => {
  await c.get(a.from, a.to, { sudo: a.sudo, ...(a.mode ? { mode: parseInt(a.mode, 8) } : {}) });
  c.log('transfer done');
});
`);

const OLD = 'old bytes: must survive\n';
const DIR = '/root/sf-transfer';
const sudoEnv = { HITC_SUDO_PASSWORD: password };

function out(r: CliResult): string[] {
  return r.stdout.split('\n').flatMap((l) => /\] out: (.*)$/.exec(l)?.[1] ?? []);
}

async function onHost(cmd: string): Promise<string[]> {
  const r = await hitc(box, ['-H', host, '--', cmd]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return out(r);
}

async function remoteBytes(path: string): Promise<string> {
  return (await onHost(`base64 -w0 ${path}; echo`)).join('');
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

after(async () => {
  await hitc(box, ['-H', host, '--', `rm -rf ${DIR}`]);
  rmSync(box.dir, { recursive: true, force: true }); // the large test files
});

test('setup: a directory only root can write, with an old file in it', async () => {
  await onHost(`rm -f /tmp/.hitc-get-* /tmp/.hitc-put-*; rm -rf ${DIR} && mkdir -m 755 ${DIR} && printf %s '${OLD}' > ${DIR}/app.conf && chmod 640 ${DIR}/app.conf && chown 0:0 ${DIR}/app.conf`);
});

for (const login of ['root', 'ubuntu', 'deploy']) {
  const sudo = login !== 'root';
  const who = sudo ? `${login} with sudo` : 'root';
  test(`upload of a missing local file (${who}): exit 2, names the file, remote file unchanged`, async () => {
    const r = await hitc(box, ['-H', `${login}@${host}`, `put:from=/no/such/file,to=${DIR}/app.conf,sudo=${sudo}`], { env: sudoEnv });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /local file \/no\/such\/file does not exist/);
    assert.doesNotMatch(r.stdout + r.stderr, /channel closed|at .*\.ts:\d+/);
    assert.equal(await remoteBytes(`${DIR}/app.conf`), b64(OLD));
  });

  test(`download of a missing remote file (${who}): exit 1, names host and path, local file unchanged`, async () => {
    const local = join(box.dir, `keep-${login}.conf`);
    writeFileSync(local, OLD);
    const r = await hitc(box, ['-H', `${login}@${host}`, `get:from=${DIR}/missing.conf,to=${local},sudo=${sudo}`], { env: sudoEnv });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, new RegExp(`remote file ${DIR}/missing\\.conf does not exist on ${login}@${host.replace(/\./g, '\\.')}`));
    assert.equal(readFileSync(local, 'utf8'), OLD);
    assert.deepEqual(readdirSync(box.dir).filter((n) => n.includes('.hitc-')), [], 'no temp file left behind');
  });

  test(`upload into a missing remote directory (${who}): exit 1, names it`, async () => {
    writeFileSync(join(box.dir, 'new.conf'), 'new\n');
    const r = await hitc(box, ['-H', `${login}@${host}`, `put:from=new.conf,to=${DIR}/nodir/app.conf,sudo=${sudo}`], { env: sudoEnv });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, new RegExp(`directory ${DIR}/nodir does not exist on `));
  });
}

test('the built-in upload and download tasks, as in the issue: clear errors, nothing changed', async () => {
  await onHost(`printf %s '${OLD}' > ${DIR}/app.conf`);
  const up = await hitc(box, ['-H', host, `upload:/no/such/file,${DIR}/app.conf`]);
  assert.equal(up.code, 2, up.stdout + up.stderr);
  assert.match(up.stdout + up.stderr, /local file \/no\/such\/file does not exist/);
  assert.equal(await remoteBytes(`${DIR}/app.conf`), b64(OLD));
  writeFileSync(join(box.dir, 'down.conf'), OLD);
  const down = await hitc(box, ['-H', host, `download:${DIR}/nope.conf,down.conf`]);
  assert.equal(down.code, 1, down.stdout + down.stderr);
  assert.match(down.stdout + down.stderr, /remote file \/root\/sf-transfer\/nope\.conf does not exist on /);
  assert.equal(readFileSync(join(box.dir, 'down.conf'), 'utf8'), OLD);
});

test('without sudo, a directory the login user cannot write: exit 1, hint to use sudo, file unchanged', async () => {
  writeFileSync(join(box.dir, 'new.conf'), 'new\n');
  const r = await hitc(box, ['-H', `ubuntu@${host}`, `put:from=new.conf,to=${DIR}/app.conf`]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /permission denied/);
  assert.match(r.stdout + r.stderr, /use sudo: true/);
  assert.match(r.stdout + r.stderr, /without sudo the destination directory must be writable by the login user/);
  assert.equal(await remoteBytes(`${DIR}/app.conf`), b64(OLD));
});

test('successful uploads replace the file and keep its owner and mode; new files get the local mode minus g/o write', async () => {
  writeFileSync(join(box.dir, 'new.conf'), 'new content\n', { mode: 0o664 });
  for (const [login, sudo] of [['root', false], ['ubuntu', true], ['deploy', true]] as const) {
    await onHost(`printf %s '${OLD}' > ${DIR}/app.conf && chown 1000:1000 ${DIR}/app.conf && chmod 640 ${DIR}/app.conf; rm -f ${DIR}/fresh.conf`);
    for (const to of ['app.conf', 'fresh.conf']) {
      const r = await hitc(box, ['-H', `${login}@${host}`, `put:from=new.conf,to=${DIR}/${to},sudo=${sudo}`], { env: sudoEnv });
      assert.equal(r.code, 0, r.stdout + r.stderr);
    }
    assert.deepEqual(await onHost(`cat ${DIR}/app.conf; stat -c '%u:%g %a' ${DIR}/app.conf ${DIR}/fresh.conf; ls -a ${DIR} | grep -c hitc || true`), ['new content', '1000:1000 640', '0:0 644', '0'], login);
  }
});

test('downloads with sudo land 0600 locally unless mode says otherwise; a replaced file keeps its mode', async () => {
  await onHost(`printf 'secret\\n' > ${DIR}/secret && chmod 600 ${DIR}/secret`);
  const fresh = join(box.dir, 'secret-down');
  const r = await hitc(box, ['-H', `ubuntu@${host}`, `get:from=${DIR}/secret,to=${fresh},sudo=true`]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(fresh, 'utf8'), 'secret\n');
  assert.equal(statSync(fresh).mode & 0o777, 0o600);
  const shared = join(box.dir, 'secret-shared');
  const m = await hitc(box, ['-H', `deploy@${host}`, `get:from=${DIR}/secret,to=${shared},sudo=true,mode=640`], { env: sudoEnv });
  assert.equal(m.code, 0, m.stdout + m.stderr);
  assert.equal(statSync(shared).mode & 0o777, 0o640);
  writeFileSync(shared, OLD, { mode: 0o644 });
  statSync(shared);
  const again = await hitc(box, ['-H', host, `get:from=${DIR}/secret,to=${shared}`]);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.equal(readFileSync(shared, 'utf8'), 'secret\n');
  assert.equal(statSync(shared).mode & 0o777, 0o640, 'a replaced file keeps its mode');
  assert.deepEqual(await onHost('ls -a /tmp | grep -c hitc-get || true'), ['0'], 'the staged copy is removed');
});

// kills hitc with SIGKILL once the transfer has visibly started, so nothing can clean up
async function killMidTransfer(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  let killed = false;
  return hitc(box, args, {
    env,
    timeoutMs: 120_000,
    onStdout: (text, child) => {
      if (killed || !/\] (put|get): /.test(text)) return;
      killed = true;
      setTimeout(() => child.kill('SIGKILL'), 700);
    },
  });
}

const BIG = 160 * 1024 * 1024;
const md5 = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

for (const login of ['root', 'ubuntu']) {
  test(`SIGKILL during a large upload (${login}${login === 'root' ? '' : ' with sudo'}): the remote file keeps its old bytes`, async () => {
    const big = join(box.dir, 'big.bin');
    writeFileSync(big, randomBytes(BIG));
    await onHost(`printf %s '${OLD}' > ${DIR}/app.conf; rm -f ${DIR}/.app.conf.hitc-* /tmp/.hitc-put-*`);
    const r = await killMidTransfer(['-H', `${login}@${host}`, `put:from=big.bin,to=${DIR}/app.conf,sudo=${login !== 'root'}`]);
    assert.equal(r.signal, 'SIGKILL', `hitc finished before it was killed: ${r.stdout}`);
    assert.doesNotMatch(r.stdout, /transfer done/);
    assert.equal(await remoteBytes(`${DIR}/app.conf`), b64(OLD));
    // the partial data went to a temporary file (proof that the kill came mid-transfer)
    const partial = login === 'root' ? `${DIR}/.app.conf.hitc-*` : '/tmp/.hitc-put-*';
    const [size] = await onHost(`stat -c %s ${partial}; rm -f ${partial}`);
    assert.ok(Number(size) > 0 && Number(size) < BIG, `partial temp file of ${size} bytes`);
  });
}

test('SIGKILL during a large download: the local file keeps its old bytes', async () => {
  await onHost(`head -c ${BIG} /dev/urandom > ${DIR}/big.bin`);
  const local = join(box.dir, 'local-old.bin');
  writeFileSync(local, OLD);
  const r = await killMidTransfer(['-H', host, `get:from=${DIR}/big.bin,to=${local}`]);
  assert.equal(r.signal, 'SIGKILL', `hitc finished before it was killed: ${r.stdout}`);
  assert.equal(md5(readFileSync(local)), md5(OLD));
  const temps = readdirSync(box.dir).filter((n) => n.startsWith('.local-old.bin.hitc-'));
  assert.equal(temps.length, 1, 'the partial download went to a temporary file');
  const size = statSync(join(box.dir, temps[0] as string)).size;
  assert.ok(size < BIG, `partial temp file of ${size} bytes`);
  assert.equal(statSync(join(box.dir, temps[0] as string)).mode & 0o777, 0o600, 'the temp file is private while written');
});
