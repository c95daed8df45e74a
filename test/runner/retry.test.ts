import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectError, InterruptedError, TaskError } from '../../src/core/errors.ts';
import { retryCause, retryPolicyOf } from '../../src/runner/retry.ts';

const exec = (exitCode: number | null, more: { timedOut?: boolean; signal?: string } = {}) => ({ exitCode, timedOut: more.timedOut ?? false, stdout: '', stderr: '', durationMs: 1, ...(more.signal ? { signal: more.signal } : {}) });

test('failed commands and connections are retried, with the cause said', () => {
  assert.equal(retryCause(exec(7), false), 'exit 7');
  assert.equal(retryCause(exec(null, { timedOut: true }), false), 'timeout');
  assert.equal(retryCause(exec(null, { signal: 'KILL' }), false), 'signal KILL');
  assert.equal(retryCause(new ConnectError('h', 'refused', 'refused'), false), 'connection failure (refused)');
  assert.equal(retryCause(new ConnectError('h', 'timeout', 'slow'), false), 'connection failure (timeout)');
});

test('never retried: Ctrl-C, a changed or unknown host key, a rejected login, other errors, success', () => {
  assert.equal(retryCause(exec(7), true), undefined);
  assert.equal(retryCause(new ConnectError('h', 'refused', 'x'), true), undefined);
  assert.equal(retryCause(new ConnectError('h', 'host-key-changed', 'x'), false), undefined);
  assert.equal(retryCause(new ConnectError('h', 'host-key-unknown', 'x'), false), undefined);
  assert.equal(retryCause(new ConnectError('h', 'auth', 'x'), false), undefined);
  assert.equal(retryCause(new InterruptedError('SIGINT'), false), undefined);
  assert.equal(retryCause(new Error('bug'), false), undefined);
  assert.equal(retryCause(exec(0), false), undefined);
});

test("a task's own retry options are checked", () => {
  assert.deepEqual(retryPolicyOf('x', 3, 0.5), { retries: 3, delayMs: 500 });
  assert.throws(() => retryPolicyOf('x', -1, 1), (e: unknown) => e instanceof TaskError && /retries must be a whole number/.test(e.message));
  assert.throws(() => retryPolicyOf('x', 1.5, 1), TaskError);
  assert.throws(() => retryPolicyOf('x', 1, -1), /retryDelay must be seconds/);
});
