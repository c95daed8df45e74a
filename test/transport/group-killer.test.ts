import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { GroupKiller, killScript, type KillBatch } from '../../src/transport/group-killer.ts';

test('kills asked for in one turn go out as one batch; sudo if any of them needs it', async () => {
  const sent: KillBatch[] = [];
  const killer = new GroupKiller(async (b) => void sent.push(b));
  for (let pid = 100; pid < 114; pid++) killer.kill(pid, pid === 105);
  killer.kill(100, false);
  await killer.idle();
  assert.deepEqual(sent, [{ pids: Array.from({ length: 14 }, (_, i) => 100 + i), sudo: true }]);
});

test('one kill channel at a time: kills asked for while one runs wait for it, then go together', async () => {
  const sent: KillBatch[] = [];
  let open = 0;
  let most = 0;
  let release: () => void = () => undefined;
  const killer = new GroupKiller(async (b) => {
    open++;
    most = Math.max(most, open);
    sent.push(b);
    if (sent.length === 1) await new Promise<void>((r) => (release = r));
    open--;
  });
  killer.kill(10, false);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  killer.kill(11, false);
  killer.kill(12, true);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(sent.length, 1);
  release();
  await killer.idle();
  assert.equal(most, 1);
  assert.deepEqual(sent, [{ pids: [10], sudo: false }, { pids: [11, 12], sudo: true }]);
});

test('a failed kill does not stop later ones', async () => {
  let calls = 0;
  const killer = new GroupKiller(async () => {
    calls++;
    throw new Error('channel refused');
  });
  killer.kill(5, false);
  await killer.idle();
  killer.kill(6, false);
  await killer.idle();
  assert.equal(calls, 2);
});

test('the kill script refuses anything but process ids', () => {
  assert.throws(() => killScript([1]), RangeError);
  assert.throws(() => killScript([0]), RangeError);
  assert.throws(() => killScript([1.5]), RangeError);
  assert.throws(() => killScript([Number.NaN]), RangeError);
  assert.match(killScript([42, 43]), /for p in 42 43; do kill -KILL -- -\$p/);
});

test('the kill script kills the whole tree, also a child in a session of its own (sudo use_pty)', async () => {
  const child = spawn('/bin/sh', ['-c', 'setsid sh -c "sleep 7791; true" & sleep 7792; true'], { detached: true, stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  // live ones only: the killed processes stay zombies until their parents reap them
  const running = (): string =>
    execFileSync('ps', ['-eo', 'stat=,args='], { encoding: 'utf8' }).split('\n').filter((l) => /sleep 779[12]/.test(l) && !l.trim().startsWith('Z')).join('\n');
  assert.ok(running().split('\n').length >= 2, 'the tree did not start');
  execFileSync('/bin/sh', ['-c', killScript([child.pid as number])]);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(running(), '');
});
