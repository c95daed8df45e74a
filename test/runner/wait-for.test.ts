import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskError, UsageError } from '../../src/core/errors.ts';
import type { CommandResult } from '../../src/taskfile/context-types.ts';
import { waitFor } from '../../src/runner/wait-for.ts';

const result = (ok: boolean, stderr = ''): CommandResult => ({ command: 'x', stdout: '', stderr, exitCode: ok ? 0 : 7, ok, timedOut: false, durationMs: 1 });
const signal = new AbortController().signal;

test('a command check is tried until it exits 0', async () => {
  const seen: unknown[] = [];
  let tries = 0;
  await waitFor('curl -fs localhost', { timeout: 5, interval: 0.01 }, { host: 'web', signal, probe: async (c) => { seen.push(c); return result(++tries === 3); } });
  assert.equal(tries, 3);
  assert.deepEqual(seen, ['curl -fs localhost', 'curl -fs localhost', 'curl -fs localhost']);
});

test('a function check: truthy ends it, a throw counts as not yet', async () => {
  let tries = 0;
  await waitFor(async () => { tries++; if (tries === 1) throw new Error('refused'); return tries === 3 ? 'up' : ''; }, { timeout: 5, interval: 0.01 }, { host: 'web', signal, probe: async () => result(false) });
  assert.equal(tries, 3);
});

test('time up: the error names the host, the check and the last failure', async () => {
  await assert.rejects(
    waitFor('pg_isready', { timeout: 0.05, interval: 0.01 }, { host: 'db-1', signal, probe: async () => result(false, 'no response\n') }),
    (e: unknown) => e instanceof TaskError && e.host === 'db-1' && /waited 0\.05s on db-1 for "pg_isready": not yet \(last try: exit 7: no response\)/.test(e.message),
  );
  await assert.rejects(
    waitFor(function ready() { return false; }, { timeout: 0.03, interval: 0.01 }, { host: 'localhost', signal, probe: async () => result(false) }),
    /on localhost for function ready: not yet \(last try: it returned a falsy value\)/,
  );
});

test('bad options are usage errors; an abort stops the wait', async () => {
  await assert.rejects(waitFor('true', { timeout: 0 }, { host: 'h', signal, probe: async () => result(true) }), (e: unknown) => e instanceof UsageError && /timeout must be/.test(e.message));
  await assert.rejects(waitFor('true', { interval: -1 }, { host: 'h', signal, probe: async () => result(true) }), /interval must be/);
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('interrupted')), 30);
  await assert.rejects(waitFor('false', { timeout: 30, interval: 10 }, { host: 'h', signal: controller.signal, probe: async () => result(false) }), /interrupted/);
});
