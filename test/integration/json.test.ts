// --json: one document on stdout, nothing else, with per-host status, output and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed();

test('--json shape for a mixed run', async () => {
  const box = sandbox();
  const [a, c] = b.hosts as [string, string];
  const r = await hitc(box, ['--json', '-t', '2', '-P', '-H', `${a},${c},${b.unreachable}`, '--', 'test "$(hostname)" != hitc-bed-light-002 && echo fine || { echo bad >&2; exit 7; }']);
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.stdout) as Record<string, any>;
  assert.equal(doc.ok, false);
  assert.equal(doc.exitCode, 1);
  assert.deepEqual(doc.summary, { ok: 1, failed: 1, unreachable: 1, skipped: 0 });
  assert.equal(doc.tasks.length, 1);
  const byHost = Object.fromEntries(doc.tasks[0].hosts.map((h: any) => [h.host, h]));
  assert.equal(byHost[a].status, 'ok');
  assert.deepEqual(byHost[a].stdout, ['fine']);
  assert.equal(byHost[c].status, 'failed');
  assert.equal(byHost[c].error.kind, 'command');
  assert.equal(byHost[c].error.exitCode, 7);
  assert.deepEqual(byHost[c].error.stderrTail, ['bad']);
  assert.equal(byHost[b.unreachable].status, 'unreachable');
  assert.equal(byHost[b.unreachable].error.failure, 'timeout');
  assert.equal(typeof byHost[a].durationMs, 'number');
});

test('--json for a usage error is still one JSON document, exit 2', async () => {
  const box = sandbox();
  const r = await hitc(box, ['--json', 'no-such-task']);
  assert.equal(r.code, 2);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.error.kind, 'usage');
  assert.match(doc.error.message, /unknown task "no-such-task"/);
});
