// waitForSsh retries only what a booting server answers (refused, timed out, dropped) and gives
// up at once, with the transport's own error, on what will never fix itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectError, TaskError, type ConnectFailure } from '../../src/core/errors.ts';
import type { TaskContext } from '../../src/taskfile/context-types.ts';
import { isStillStarting, waitForSsh } from '../../src/runner/wait-ssh.ts';

/** A context whose hosts answer with the given failures, in turn, then succeed. */
function context(answers: (ConnectFailure | 'ok')[], signal = new AbortController().signal): { c: TaskContext; tries: () => number } {
  let tries = 0;
  const c = {
    signal,
    log: () => undefined,
    on: () => ({
      run: async () => {
        const a = answers[Math.min(tries++, answers.length - 1)];
        if (a !== 'ok') throw new ConnectError('10.0.0.9', a as ConnectFailure, `failure ${a}`);
        return { exitCode: 0 };
      },
    }),
  } as unknown as TaskContext;
  return { c, tries: () => tries };
}

test('refused, timed out and dropped connections are retried until the server answers', async () => {
  const { c, tries } = context(['refused', 'timeout', 'closed', 'ok']);
  await waitForSsh(c, [{ host: '10.0.0.9' }], { intervalMs: 1 });
  assert.equal(tries(), 4);
});

for (const failure of ['host-key-changed', 'host-key-unknown', 'auth'] as const) {
  test(`${failure} fails at once with the transport's error`, async () => {
    const { c, tries } = context([failure, 'ok']);
    await assert.rejects(waitForSsh(c, [{ host: '10.0.0.9' }], { intervalMs: 1 }), (e: unknown) => e instanceof ConnectError && e.failure === failure);
    assert.equal(tries(), 1);
    assert.equal(isStillStarting(new ConnectError('h', failure, 'x')), false);
  });
}

test('the time limit names each host with its last reason', async () => {
  const { c } = context(['refused']);
  await assert.rejects(waitForSsh(c, [{ host: '10.0.0.9' }], { intervalMs: 1, timeoutMs: 20 }), (e: unknown) => e instanceof TaskError && /never accepted SSH: 10\.0\.0\.9 \(failure refused\)/.test(e.message));
});

test('an abort ends the wait with the abort reason', async () => {
  const controller = new AbortController();
  const { c } = context(['refused'], controller.signal);
  setTimeout(() => controller.abort(new Error('interrupted by SIGINT')), 20);
  await assert.rejects(waitForSsh(c, [{ host: '10.0.0.9' }], { intervalMs: 5 }), /interrupted by SIGINT/);
});
