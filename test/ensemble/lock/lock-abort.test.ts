// Ctrl-C while a lock round is in flight: the remote mkdir happened, its answer never came.
// The run must have something to wait for at that moment (it closes its connections after),
// and what it waits for gives the lock back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { toCommand } from '../../../src/runner/context.ts';
import { lockServers } from '../../../src/ensemble/lock/lock-servers.ts';
import type { TaskContext } from '../../../src/taskfile/context-types.ts';
import type { HostSpec } from '../../../src/core/host-spec.ts';
import { tempDir } from '../../helpers/temp.ts';

test('Ctrl-C between the mkdir and its answer: the run waits for the give-back, and no lock is left', async () => {
  const root = tempDir('hitc-lock-abort-');
  const ac = new AbortController();
  const kept: Promise<unknown>[] = [];
  const on = (spec: HostSpec) => {
    const run = async (input: Parameters<typeof toCommand>[0], options: { signal?: AbortSignal } = {}) => {
      (options.signal ?? ac.signal).throwIfAborted();
      // the server is a scratch directory; the lock commands run in a local shell against it
      const script = toCommand(input).script.replaceAll('/var/lib/hitc', join(root, spec.host));
      const stdout = execFileSync('sh', ['-c', script], { env: { PATH: process.env.PATH ?? '', SSH_CLIENT: '192.0.2.1 5000 22' } }).toString();
      if (script.includes('mkdir') && !options.signal) {
        ac.abort(new Error('SIGINT'));
        throw new Error('killed by Ctrl-C');
      }
      return { command: script, stdout, stderr: '', exitCode: 0, ok: true, timedOut: false, durationMs: 0 };
    };
    return { ...base, host: { name: spec.host, host: spec.host }, run, sudo: run };
  };
  const base = {
    hosts: [], task: 'ensemble.up', signal: ac.signal, yes: true, sshClientArgs: [],
    cloud: { env: () => ({ keep: (w: Promise<unknown>) => void kept.push(w) }) }, log: () => undefined, warn: () => undefined, on,
  } as unknown as TaskContext;
  const taking = lockServers(base, [{ server: 'a', spec: { host: 'a' } as HostSpec }], { ensemble: 'shop', waitSec: 0 }).catch((e: unknown) => e);
  await new Promise<void>((resolve) => ac.signal.addEventListener('abort', () => resolve(), { once: true }));
  assert.ok(kept.length > 0, 'the run has the lock round to wait for when it is interrupted');
  await Promise.all(kept);
  assert.ok((await taking) instanceof Error);
  assert.equal(existsSync(join(root, 'a', 'lock')), false, 'the lock was given back');
});
