// Once a run (or a host) is aborted nothing more starts: no command, no transfer, no host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InterruptedError } from '../../src/core/errors.ts';
import { parseHostSpec } from '../../src/core/host-spec.ts';
import { createContext } from '../../src/runner/context.ts';
import { runPlan } from '../../src/runner/execute.ts';
import { task } from '../../src/taskfile/define.ts';
import type { Cloud } from '../../src/providers/cloud.ts';
import type { ExecRequest, Transport } from '../../src/transport/types.ts';

function recorder(): Transport & { calls: string[] } {
  const calls: string[] = [];
  return {
    label: 'h',
    calls,
    exec: async (r: ExecRequest) => {
      calls.push(`exec ${r.command.display}`);
      return { exitCode: 0, timedOut: false, stdout: '', stderr: '', durationMs: 0 };
    },
    put: async (l: string) => void calls.push(`put ${l}`),
    get: async (r: string) => void calls.push(`get ${r}`),
  };
}

test('a context whose signal fired starts no command and no transfer', async () => {
  const transport = recorder();
  const controller = new AbortController();
  const c = createContext({
    task: 't', host: { name: 'h', host: 'h' }, hosts: ['h'], transport, transportFor: () => transport, local: transport,
    emit: () => undefined, signal: controller.signal, warnOnly: true, yes: false, cloud: {} as Cloud, sshClientArgs: [],
  });
  await c.run('before');
  controller.abort(new InterruptedError('SIGINT'));
  for (const attempt of [() => c.run('after'), () => c.sudo('after'), () => c.local('after'), () => c.put('a', 'b'), () => c.get('a', 'b')]) {
    await assert.rejects(attempt(), InterruptedError);
  }
  assert.deepEqual(transport.calls, ['exec before']);
});

test('hosts still waiting for their turn when the run is aborted never start', async () => {
  const transport = recorder();
  const controller = new AbortController();
  const started: string[] = [];
  const t = task(async (c) => {
    started.push(c.host?.name as string);
    controller.abort(new InterruptedError('SIGINT'));
    await new Promise((r) => setTimeout(r, 10));
  });
  const hosts = ['a', 'b', 'c'].map((h) => parseHostSpec(h));
  const outcomes = await runPlan([{ name: 't', task: t, args: {}, hosts, mode: 'parallel', poolSize: 1 }], { warnOnly: false, skipBadHosts: false, yes: false }, {
    transportFor: () => transport, local: transport, emit: () => undefined, signal: controller.signal, cloud: {} as Cloud, sshClientArgs: [],
  });
  assert.deepEqual(started, ['a']);
  assert.deepEqual(outcomes.map((o) => o.status), ['failed', 'skipped', 'skipped']);
});
