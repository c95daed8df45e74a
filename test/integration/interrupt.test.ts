// Ctrl-C: exit 130, every connection closed, remote commands stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed();

test('SIGINT exits 130 and closes the connections', async () => {
  const box = sandbox();
  const hosts = b.hosts.slice(5, 8);
  const marker = `hitc-sigint-${process.pid}`;
  let sent = false;
  const r = await hitc(box, ['-P', '-H', hosts.join(','), '--', `echo started; exec -a ${marker} sleep 60`], {
    timeoutMs: 20_000,
    onStdout: (text, child) => {
      if (!sent && (text.match(/out: started/g) ?? []).length === hosts.length) {
        sent = true;
        child.kill('SIGINT');
      }
    },
  });
  assert.ok(sent, 'never saw the commands start');
  assert.equal(r.code, 130, r.stdout + r.stderr);
  assert.match(r.stderr, /interrupted; connections closed/);
  // the remote commands are gone, and no session of ours is left on the hosts
  await new Promise((res) => setTimeout(res, 500));
  const check = await hitc(sandbox(), ['-P', '-H', hosts.join(','), '--', `pgrep -f ${marker.slice(0, -1)}[${marker.slice(-1)}] || echo none-left`]);
  assert.equal((check.stdout.match(/out: none-left/g) ?? []).length, hosts.length, check.stdout);
});
