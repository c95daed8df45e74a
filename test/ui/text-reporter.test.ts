import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextReporter } from '../../src/ui/text-reporter.ts';
import { createStyle, colorWanted } from '../../src/ui/style.ts';
import { summaryLines } from '../../src/ui/summary.ts';
import { CommandError } from '../../src/core/errors.ts';

function capture(mode: 'stream' | 'grouped', color = false) {
  const writes: string[] = [];
  const reporter = new TextReporter({ write: (t: string) => writes.push(t) }, createStyle(color), mode);
  return { reporter, writes };
}

test('stream mode: Fabric-style prefixes, one whole line per write', () => {
  const { reporter, writes } = capture('stream');
  reporter.handle({ type: 'host-start', task: 'deploy', host: 'web1' });
  reporter.handle({ type: 'command', host: 'web1', kind: 'sudo', display: 'systemctl restart app' });
  reporter.handle({ type: 'output', host: 'web1', stream: 'out', line: 'ok' });
  reporter.handle({ type: 'output', host: 'web1', stream: 'err', line: 'warn' });
  assert.deepEqual(writes, ["[web1] Executing task 'deploy'\n", '[web1] sudo: systemctl restart app\n', '[web1] out: ok\n', '[web1] err: warn\n']);
});

test('grouped mode holds a host block until the host ends', () => {
  const { reporter, writes } = capture('grouped');
  reporter.handle({ type: 'output', host: 'a', stream: 'out', line: '1' });
  reporter.handle({ type: 'output', host: 'b', stream: 'out', line: '2' });
  reporter.handle({ type: 'output', host: 'a', stream: 'out', line: '3' });
  assert.equal(writes.length, 0);
  reporter.handle({ type: 'host-end', task: 't', host: 'b', status: 'ok', durationMs: 1 });
  reporter.handle({ type: 'host-end', task: 't', host: 'a', status: 'ok', durationMs: 1 });
  assert.deepEqual(writes, ['[b] out: 2\n', '[a] out: 1\n[a] out: 3\n']);
});

test('a failure prints host, command, exit code, stderr tail and hint', () => {
  const { reporter, writes } = capture('stream');
  const error = new CommandError({ host: 'db', command: 'pg_dump app', exitCode: 2, stdout: '', stderr: 'a\nb\nconnection refused\n', hint: 'is postgres up?' });
  reporter.handle({ type: 'host-end', task: 'backup', host: 'db', status: 'failed', durationMs: 5, error });
  assert.equal(writes.join(''), '[db] FAILED: command exited with code 2: pg_dump app\n[db] stderr (last 3 lines):\n[db]   a\n[db]   b\n[db]   connection refused\n[db] hint: is postgres up?\n');
});

test('colour per host when enabled, none when disabled or NO_COLOR is set', () => {
  const coloured = capture('stream', true);
  coloured.reporter.handle({ type: 'output', host: 'web1', stream: 'out', line: 'x' });
  assert.match(coloured.writes[0] ?? '', /\u001b\[\d+m\[web1\]/);
  const saved = process.env.NO_COLOR;
  process.env.NO_COLOR = '1';
  try {
    assert.equal(colorWanted(undefined, { isTTY: true } as NodeJS.WriteStream), false);
    assert.equal(colorWanted(true, { isTTY: false } as NodeJS.WriteStream), true);
  } finally {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
  }
});

test('summary counts statuses and lists failures first', () => {
  const lines = summaryLines([
    { task: 't', host: 'a', status: 'ok', durationMs: 1200 },
    { task: 't', host: 'b', status: 'unreachable', durationMs: 10000, error: new Error('connection timed out') },
    { task: 't', host: 'c', status: 'failed', durationMs: 300, error: new Error('boom') },
  ], 10100, createStyle(false));
  assert.equal(lines[0], 'Summary: 1 ok, 1 failed, 1 unreachable in 10.10s');
  assert.match(lines[1] ?? '', /^  unreachable t +b +10\.00s  connection timed out$/);
  assert.match(lines[2] ?? '', /^  failed +t +c +0\.30s  boom$/);
  assert.match(lines[3] ?? '', /^  ok +t +a +1\.20s$/);
});
