// The root step of a sudo transfer runs with the transfer's abort signal, so Ctrl-C or a task
// timeout stops it like any command (a fake connection records what it was asked to run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SshTransport } from '../../src/transport/ssh-transport.ts';
import type { SshConnection } from '../../src/transport/ssh-connection.ts';
import type { ExecRequest } from '../../src/transport/types.ts';

test('a sudo get passes its signal to the root copy step', async () => {
  const seen: ExecRequest[] = [];
  const conn = {
    endpoint: { connectTimeoutMs: 1000, user: 'deploy' },
    sftp: async () => ({}),
    exec: async (request: ExecRequest) => {
      seen.push(request);
      return { exitCode: 3, stdout: '', stderr: 'hitc: remote file /x does not exist\n', sudoNeedsPassword: false };
    },
  } as unknown as SshConnection;
  const t = new SshTransport('deploy@h', async () => conn, async () => undefined, async () => { throw new Error('no nesting'); });
  const controller = new AbortController();
  await assert.rejects(t.get('/x', '/tmp/never-written', { sudo: true, signal: controller.signal }), /remote file \/x does not exist on deploy@h/);
  assert.equal(seen.length, 1);
  assert.ok(seen[0]?.sudo);
  assert.equal(seen[0]?.signal, controller.signal);
});
