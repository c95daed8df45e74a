// c.waitFor on a real host: a command that starts succeeding after a while, and one that never
// does (the error names the host and the check, exit 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bed, hitc, sandbox } from './bed.ts';

const host = bed().hosts[47] as string;
const box = sandbox();
box.hitcfile(`
import { task } from 'hitc';
export const later = task(async (c) => {
  await c.run('rm -f /tmp/sf-cluster-wait; (sleep 1; touch /tmp/sf-cluster-wait) >/dev/null 2>&1 &');
  await c.waitFor('test -e /tmp/sf-cluster-wait', { timeout: 20, interval: 0.2 });
  c.log('appeared');
  await c.waitFor(async () => (await c.run('cat /tmp/sf-cluster-wait; echo ok', { quiet: true })).stdout.includes('ok'));
  await c.run('rm -f /tmp/sf-cluster-wait');
});
export const never = task(async (c) => c.waitFor('test -e /nonexistent-sf-cluster', { timeout: 1, interval: 0.3 }));
`);

test('waitFor polls until the check passes, and times out naming the host and the check', async () => {
  const ok = await hitc(box, ['-H', host, 'later']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /appeared/);
  const never = await hitc(box, ['-H', host, 'never']);
  assert.equal(never.code, 1, never.stdout + never.stderr);
  assert.match(never.stdout + never.stderr, new RegExp(`waited 1s on ${host.replace(/\./g, '\\.')} for "test -e /nonexistent-sf-cluster": not yet \\(last try: exit 1\\)`));
});
