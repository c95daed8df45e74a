// Execution modes on real hosts: runs-once, pool size, host time limit, pty and stdin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed();
const hosts = b.hosts.slice(10, 16);
const box = sandbox();
box.hitcfile(`
import { task } from 'hitc';
export const once = task({ runsOnce: true }, async (c) => { c.log('once on ' + c.host?.name + ' of ' + c.hosts.length); });
export const slow = task({ parallel: true, poolSize: 2 }, async (c) => { await c.run('sleep 1'); });
export const stuck = task(async (c) => { await c.run('sleep 30'); });
export const interactive = task(async (c) => {
  await c.run('tty', { pty: true });
  const r = await c.run('cat | tr a-z A-Z', { stdin: 'piped input\\n' });
  c.log('stdin gave ' + r.stdout.trim());
});
`);

test('runsOnce runs a single time, on the first host, seeing all hosts', async () => {
  const r = await hitc(box, ['-H', hosts.join(','), 'once']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((r.stdout.match(/once on/g) ?? []).length, 1);
  assert.match(r.stdout, new RegExp(`once on ${hosts[0]} of ${hosts.length}`));
});

test('the pool size bounds parallelism: 6 hosts, pool 2, 1 s each → about 3 s', async () => {
  const r = await hitc(box, ['-H', hosts.join(','), 'slow']);
  assert.equal(r.code, 0, r.stderr);
  const ms = Number(/Summary: 6 ok, 0 failed, 0 unreachable in ([\d.]+)s/.exec(r.stdout)?.[1]) * 1000;
  assert.ok(ms >= 2900 && ms < 6000, `run took ${ms}ms`);
  const wide = await hitc(box, ['-z', '6', '-H', hosts.join(','), 'slow']);
  const wideMs = Number(/in ([\d.]+)s/.exec(wide.stdout.split('Summary:')[1] ?? '')?.[1]) * 1000;
  assert.ok(wideMs < ms, `-z 6 (${wideMs}ms) should beat pool 2 (${ms}ms)`);
});

test('--host-timeout stops a stuck host and says so', async () => {
  const r = await hitc(box, ['--host-timeout', '2', '-H', hosts[0] as string, 'stuck'], { timeoutMs: 20_000 });
  assert.equal(r.code, 1);
  assert.ok(r.ms < 10_000, `took ${r.ms}ms`);
  assert.match(r.stdout, /host time limit of 2s reached/);
});

test('a pty on request, and stdin forwarded to the command', async () => {
  const r = await hitc(box, ['-H', hosts[0] as string, 'interactive']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /out: \/dev\/pts\/\d+/);
  assert.match(r.stdout, /stdin gave PIPED INPUT/);
});
