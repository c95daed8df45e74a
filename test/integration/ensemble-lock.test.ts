// ensemble.up locks the servers it changes, on real Docker hosts: a second run fails fast naming
// the holder and changes nothing, or waits with lock_wait; success, failure and Ctrl-C leave no
// lock; ensemble.unlock:NAME clears its own ensemble's stale lock and keeps another's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { bed, hitc, sandbox } from './bed.ts';
import { acquireLockCommand, parseLockState, readLockCommand, releaseLockCommand } from '../../src/ensemble/lock/lock-commands.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
if (!b.dockerHosts || b.dockerHosts.length < 2 || !b.appImages) throw new Error('the test bed needs 2 Docker hosts (HITC_BED_DOCKER_HOSTS=3 bash test/bed/bed.sh up)');
// two hosts the other ensemble tests do not use
// the last two Docker hosts (CI's bed has three)
const [x, y] = b.dockerHosts.slice(-2) as [string, string];
const app = b.appImages.httpd;
const box = sandbox();
const run = (args: string[], opts: Parameters<typeof hitc>[2] = {}) => hitc(box, args, { timeoutMs: 120_000, ...opts });
const CLEAN = "docker rm -f $(docker ps -aq --filter name=sf-lock-) >/dev/null 2>&1; rm -rf /var/lib/hitc/lock; true";
const FAKE = { ensemble: 'sf-lock-other', who: 'alice@laptop', pid: 4242, since: new Date().toISOString() };

function manifest(image = app, name = 'sf-lock-shop'): string {
  return `name: ${name}\n${x}:\n  containers:\n    sf-lock-web:\n      image: ${image}\n${y}:\n  containers:\n    sf-lock-api:\n      image: ${app}\n`;
}

async function onHost(host: string, script: string): Promise<string> {
  const r = await run(['-H', host, '--', script]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout.split('\n').filter((l) => l.includes(' out: ')).map((l) => l.slice(l.indexOf(' out: ') + 6)).join('\n');
}

const lockOn = async (host: string): Promise<string> => parseLockState(await onHost(host, readLockCommand().script)).state;
const containers = async (host: string): Promise<string> => onHost(host, "docker ps -a --format '{{.Names}}' --filter name=sf-lock- | sort | tr '\\n' ' '; echo .");

before(async () => {
  await run(['-P', '-H', `${x},${y}`, '--', CLEAN]);
});
after(async () => {
  await run(['-P', '-H', `${x},${y}`, '--', CLEAN]);
});

test('while another run holds a server, up fails within seconds naming the holder, and changes nothing', async () => {
  writeFileSync(join(box.dir, 'shop.yml'), manifest());
  const token = 'aaaaaaaaaaaaaaa1';
  assert.match(await onHost(y, acquireLockCommand({ ...FAKE, token }).script), /hitc-lock-taken/);
  const up = await run(['ensemble.up:shop', '--yes']);
  assert.equal(up.code, 1, up.stdout + up.stderr);
  const text = up.stdout + up.stderr;
  assert.match(text, new RegExp(`${y.replace(/\./g, '\\.')} is locked by alice@laptop \\(from 10\\.214\\.0\\.1\\) for ensemble sf-lock-other since \\d\\d:\\d\\d:\\d\\d UTC \\(pid 4242\\); nothing was changed`));
  assert.match(text, /ensemble\.unlock:sf-lock-other clears a lock left by a killed run; lock_wait=SECONDS waits for the lock/);
  assert.ok(up.ms < 15_000, `failed fast (${up.ms} ms)`);
  assert.equal(await containers(x), '.', 'nothing created on the server that was free');
  assert.equal(await containers(y), '.');
  assert.equal(await lockOn(x), 'none', 'the lock taken on the free server was given back');
  assert.equal(await lockOn(y), 'held', "the other run's lock is kept");
  assert.match(await onHost(y, releaseLockCommand(token).script), /hitc-lock-released/);
});

test('with lock_wait, up waits for the holder and applies once it lets go; no lock is left after', async () => {
  const token = 'aaaaaaaaaaaaaaa2';
  assert.match(await onHost(x, acquireLockCommand({ ...FAKE, token }).script), /hitc-lock-taken/);
  const release = new Promise<void>((resolve) => setTimeout(() => void onHost(x, releaseLockCommand(token).script).then(() => resolve()), 3000));
  const up = await run(['ensemble.up:shop,lock_wait=20', '--yes']);
  await release;
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, /waiting up to 20 s: .* is locked by alice@laptop .*for ensemble sf-lock-other/);
  assert.match(up.stdout, /converged: observing again finds no changes/);
  assert.ok(up.ms >= 3000, `waited (${up.ms} ms)`);
  assert.equal(await containers(x), 'sf-lock-web .');
  assert.equal(await lockOn(x), 'none');
  assert.equal(await lockOn(y), 'none');
});

test('a failed up gives its locks back', async () => {
  writeFileSync(join(box.dir, 'shop.yml'), manifest(`10.214.0.1:5000/sf-lock/missing:1`));
  const up = await run(['ensemble.up:shop', '--yes']);
  assert.equal(up.code, 1, up.stdout + up.stderr);
  assert.match(up.stdout + up.stderr, /operation.* failed/);
  assert.equal(await lockOn(x), 'none');
  assert.equal(await lockOn(y), 'none');
});

test('Ctrl-C during apply gives the locks back before hitc exits', async () => {
  // a registry that accepts connections and never answers: the pull hangs until interrupted
  const held: Socket[] = [];
  const server = createServer((s) => held.push(s));
  await new Promise<void>((resolve) => server.listen(0, '10.214.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    writeFileSync(join(box.dir, 'shop.yml'), manifest(`10.214.0.1:${port}/sf-lock/slow:1`));
    let sent = false;
    let poll: NodeJS.Timeout | undefined;
    const up = await run(['ensemble.up:shop', '--yes'], {
      onStdout: (_text, child) => {
        // once docker is connected to the registry, the pull (inside the lock) is under way
        poll ??= setInterval(() => {
          if (sent || held.length === 0) return;
          sent = true;
          child.kill('SIGINT');
        }, 100);
      },
    });
    clearInterval(poll);
    assert.ok(sent, `never saw the pull start\n${up.stdout}${up.stderr}`);
    assert.equal(up.code, 130, up.stdout + up.stderr);
    assert.equal(await lockOn(x), 'none');
    assert.equal(await lockOn(y), 'none');
  } finally {
    for (const s of held) s.destroy();
    server.close();
  }
});

test('ensemble.unlock:NAME removes a stale lock of that ensemble and keeps another ensemble\'s', async () => {
  writeFileSync(join(box.dir, 'shop.yml'), manifest());
  assert.match(await onHost(x, acquireLockCommand({ ...FAKE, ensemble: 'sf-lock-shop', token: 'aaaaaaaaaaaaaaa3' }).script), /hitc-lock-taken/);
  assert.match(await onHost(y, acquireLockCommand({ ...FAKE, token: 'aaaaaaaaaaaaaaa4' }).script), /hitc-lock-taken/);
  const unlock = await run(['ensemble.unlock:shop']);
  assert.equal(unlock.code, 0, unlock.stdout + unlock.stderr);
  assert.match(unlock.stdout, new RegExp(`${x.replace(/\./g, '\\.')}: removed the lock of alice@laptop \\(from 10\\.214\\.0\\.1\\), pid 4242`));
  assert.match(unlock.stdout, new RegExp(`${y.replace(/\./g, '\\.')} is locked by alice@laptop .*for ensemble sf-lock-other .*: kept \\(another ensemble's\\)`));
  assert.match(unlock.stdout, /unlock: removed 1 lock of ensemble sf-lock-shop \(2 servers looked at\)/);
  assert.equal(await lockOn(x), 'none');
  assert.equal(await lockOn(y), 'held');
  assert.match(await onHost(y, releaseLockCommand('aaaaaaaaaaaaaaa4').script), /hitc-lock-released/);
});

test('ensemble.plan takes no lock, and up with nothing to change takes none either', async () => {
  writeFileSync(join(box.dir, 'shop.yml'), manifest());
  await onHost(x, 'docker rm -f sf-lock-web >/dev/null');
  assert.match(await onHost(x, acquireLockCommand({ ...FAKE, token: 'aaaaaaaaaaaaaaa5' }).script), /hitc-lock-taken/);
  const plan = await run(['ensemble.plan:shop,exit_code=true']);
  assert.equal(plan.code, 3, `planned while another run holds the lock\n${plan.stdout}${plan.stderr}`);
  const up = await run(['ensemble.up:shop', '--yes']);
  assert.equal(up.code, 1, up.stdout + up.stderr);
  assert.match(await onHost(x, releaseLockCommand('aaaaaaaaaaaaaaa5').script), /hitc-lock-released/);
  const applied = await run(['ensemble.up:shop', '--yes']);
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(await onHost(x, acquireLockCommand({ ...FAKE, token: 'aaaaaaaaaaaaaaa6' }).script), /hitc-lock-taken/);
  const again = await run(['ensemble.up:shop', '--yes']);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /No changes\./);
  assert.match(await onHost(x, releaseLockCommand('aaaaaaaaaaaaaaa6').script), /hitc-lock-released/);
});
