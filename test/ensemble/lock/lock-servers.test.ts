// lockServers with a fake context whose "servers" are scratch directories run by a local shell:
// all or none (what was taken goes back when one server is held), the holder named, lock_wait
// polling until the holder lets go, and release on Ctrl-C through a signal of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { toCommand } from '../../../src/runner/context.ts';
import type { CommandInput, CommandResult, RunOptions, TaskContext } from '../../../src/taskfile/context-types.ts';
import type { HostSpec } from '../../../src/core/host-spec.ts';
import { acquireLockCommand, releaseLockCommand } from '../../../src/ensemble/lock/lock-commands.ts';
import { lockServers, type LockTarget } from '../../../src/ensemble/lock/lock-servers.ts';
import { tempDir } from '../../helpers/temp.ts';

const root = tempDir('hitc-locks-');

function shell(host: string, input: CommandInput, options: RunOptions, log: string[]): CommandResult {
  (options.signal)?.throwIfAborted();
  log.push(host);
  const script = toCommand(input).script.replaceAll('/var/lib/hitc', join(root, host));
  let stdout = '';
  let exitCode = 0;
  try {
    stdout = execFileSync('sh', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SSH_CLIENT: '192.0.2.1 5000 22' } }).toString();
  } catch (error) {
    exitCode = (error as { status: number }).status;
  }
  return { command: script, stdout, stderr: '', exitCode, ok: exitCode === 0, timedOut: false, durationMs: 0 };
}

function fakeContext(signal: AbortSignal, kept: Promise<unknown>[], warnings: string[], log: string[]): TaskContext {
  const on = (spec: string | HostSpec): TaskContext => {
    const host = typeof spec === 'string' ? spec : spec.host;
    const run = async (input: CommandInput, options: RunOptions = {}): Promise<CommandResult> => {
      if (!options.signal) signal.throwIfAborted();
      return shell(host, input, options, log);
    };
    return { ...base, host: { name: host, host }, run, sudo: run };
  };
  const base = {
    host: undefined, hosts: [], task: 'ensemble.up', signal, yes: true, sshClientArgs: [],
    cloud: { env: () => ({ keep: (work: Promise<unknown>) => kept.push(work) }) },
    log: () => undefined, warn: (text: string) => warnings.push(text), on,
  } as unknown as TaskContext;
  return base;
}

const info = { ensemble: 'other', who: 'bob@desk', pid: 7, since: '2026-12-02T12:01:03.000Z' };
const targets = (...hosts: string[]): LockTarget[] => hosts.map((h) => ({ server: `s-${h}`, spec: { host: h } }));
const locked = (host: string): boolean => existsSync(join(root, host, 'lock'));

test('all or none: one server held by another run fails the lot, names the holder, and gives back the rest', async () => {
  shell('held1', acquireLockCommand({ ...info, token: 'cccccccccccccccc' }), {}, []);
  const c = fakeContext(new AbortController().signal, [], [], []);
  await assert.rejects(lockServers(c, targets('free1', 'held1'), { ensemble: 'shop', waitSec: 0 }), (error: Error) => {
    assert.match(error.message, /^s-held1 is locked by bob@desk \(from 192\.0\.2\.1\) for ensemble other since .* \(pid 7\); nothing was changed$/);
    assert.match((error as Error & { hint: string }).hint, /ensemble\.unlock:other clears a lock left by a killed run/);
    return true;
  });
  assert.equal(locked('free1'), false, 'what was taken went back');
  assert.equal(locked('held1'), true, "the other run's lock stays");
});

test('lock_wait: polls until the holder lets go, then holds every server until released', async () => {
  shell('held2', acquireLockCommand({ ...info, token: 'dddddddddddddddd' }), {}, []);
  const kept: Promise<unknown>[] = [];
  const c = fakeContext(new AbortController().signal, kept, [], []);
  setTimeout(() => shell('held2', releaseLockCommand('dddddddddddddddd'), {}, []), 300);
  const locks = await lockServers(c, targets('free2', 'held2'), { ensemble: 'shop', waitSec: 5, pollMs: 100 });
  assert.equal(locks.waited, true);
  assert.equal(locked('free2') && locked('held2'), true);
  await locks.release();
  await locks.release(); // once
  assert.equal(locked('free2') || locked('held2'), false);
  await Promise.all(kept); // the run's wait before it closes connections ends
});

test('Ctrl-C gives the locks back at once, with a signal of its own, and the run waits for it', async () => {
  const controller = new AbortController();
  const kept: Promise<unknown>[] = [];
  const log: string[] = [];
  const c = fakeContext(controller.signal, kept, [], log);
  const locks = await lockServers(c, targets('free3', 'free4'), { ensemble: 'shop', waitSec: 0 });
  assert.equal(locks.waited, false);
  assert.equal(locked('free3') && locked('free4'), true);
  controller.abort(new Error('SIGINT'));
  await Promise.all(kept);
  assert.equal(locked('free3') || locked('free4'), false, 'released though the task signal is aborted');
  const before = log.length;
  await locks.release(); // the task's finally: nothing more to do
  assert.equal(log.length, before);
});
