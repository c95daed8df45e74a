// The fleet flags: batches, failure budget, retries, rerun, slices, completion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../src/cli/args.ts';
import { helpText } from '../../src/cli/help.ts';
import { UsageError } from '../../src/core/errors.ts';

const usage = (argv: string[], flag: string, message: RegExp, hint?: RegExp): void => {
  assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && e.argument === flag && message.test(e.message) && (!hint || hint.test(e.hint ?? '')));
};

test('batch, max-fail, batch-wait, retries and slice parse into the request', () => {
  const r = parseArgs(['--batch', '25%', '--max-fail=2', '--batch-wait', '1.5', '--retries', '3', '--retry-delay', '0', '--slice', '2/4', 'deploy']);
  assert.deepEqual(r.batch, { percent: 25 });
  assert.deepEqual(r.maxFail, { count: 2 });
  assert.equal(r.batchWaitSec, 1.5);
  assert.equal(r.retries, 3);
  assert.equal(r.retryDelaySec, 0);
  assert.deepEqual(r.slice, { index: 2, count: 4 });
  assert.deepEqual(parseArgs(['--batch', '5', '--max-fail', '10%', 'x']).batch, { count: 5 });
  assert.deepEqual(parseArgs(['--max-fail', '0', 'x']).maxFail, { count: 0 });
});

test('bad batch, max-fail, retries and slice values are usage errors naming the flag', () => {
  usage(['--batch', '0', 'x'], '--batch', /--batch needs a whole number ≥ 1 .*got "0"/, /--batch 5 or --batch 25%/);
  usage(['--batch', '150%', 'x'], '--batch', /got "150%"/);
  usage(['--batch', '0%', 'x'], '--batch', /got "0%"/);
  usage(['--batch', '2.5', 'x'], '--batch', /got "2.5"/);
  usage(['--max-fail', 'x', 'x'], '--max-fail', /--max-fail needs a whole number ≥ 0 .*got "x"/, /--max-fail 10%/);
  usage(['--max-fail', '-1', 'x'], '--max-fail', /got "-1"/);
  usage(['--retries', '-1', 'x'], '--retries', /whole number ≥ 0/);
  usage(['--batch-wait', 'soon', 'x'], '--batch-wait', /a number ≥ 0/);
  usage(['--slice', '0/4', 'x'], '--slice', /I\/N with 1 ≤ I ≤ N, got "0\/4"/, /--slice 2\/4/);
  usage(['--slice', '5/4', 'x'], '--slice', /got "5\/4"/);
  usage(['--slice', '1/0', 'x'], '--slice', /got "1\/0"/);
  usage(['--slice', 'half', 'x'], '--slice', /got "half"/);
});

test('--rerun-failed runs without tasks and refuses -H/-R', () => {
  const r = parseArgs(['--rerun-failed']);
  assert.equal(r.action, 'run');
  assert.equal(r.rerunFailed, true);
  usage(['--rerun-failed', '-H', 'a', 'x'], '--rerun-failed', /drop -H\/-R/);
  assert.deepEqual(parseArgs(['--rerun-failed', '-x', 'a']).exclude, ['a']);
});

test('hitc completion SHELL is its own action; --complete is hidden from --help', () => {
  const r = parseArgs(['completion', 'bash']);
  assert.equal(r.action, 'completion');
  assert.equal(r.completionShell, 'bash');
  assert.deepEqual(r.tasks, []);
  usage(['completion'], 'completion', /completion needs one shell: bash, zsh, fish/);
  usage(['completion', 'tcsh'], 'completion', /got "tcsh"/);
  assert.equal(parseArgs(['--complete', 'tasks']).action, 'complete');
  usage(['--complete', 'hosts'], '--complete', /tasks, roles, nodes, manifests/);
  assert.ok(!helpText().includes('--complete '));
  assert.match(helpText(), /--batch N\|P%/);
});
