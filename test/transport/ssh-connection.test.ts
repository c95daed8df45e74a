// SshConnection against an in-process ssh2 server: a slow passphrase prompt does not count
// against the connect deadline, and a server without an SFTP subsystem gives an error that
// names the host (not an internal error).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import { ConnectError, TaskError } from '../../src/core/errors.ts';
import { SshConnection, type SshEndpoint } from '../../src/transport/ssh-connection.ts';

const hostKey = ssh2.utils.generateKeyPairSync('ed25519', {}).private;
const userKey = ssh2.utils.generateKeyPairSync('ed25519', {}).private;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const clients = new Set<ssh2.Connection>();
const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
  clients.add(client);
  client.on('authentication', (ctx) => (ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey'])));
  client.on('ready', () => client.on('session', (accept) => accept().on('sftp', (_ok, reject) => reject())));
  client.on('error', () => undefined);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;
after(() => {
  for (const c of clients) c.end();
  server.close();
});

function endpoint(load: () => Promise<unknown>, connectTimeoutMs: number): SshEndpoint {
  return {
    label: `test@127.0.0.1:${port}`,
    hostname: '127.0.0.1',
    port,
    user: 'test',
    auth: [{ type: 'publickey', source: 'an encrypted key', load }],
    connectTimeoutMs,
    keepaliveIntervalMs: 0,
    keepaliveCountMax: 3,
    verifyHostKey: async () => undefined,
  };
}

test('a passphrase prompt longer than the connect timeout does not time the connection out', async () => {
  // the person takes 3x the connect timeout to type the passphrase
  const conn = await SshConnection.connect(endpoint(async () => (await sleep(1500), userKey), 500));
  await conn.close();
});

test('the deadline still applies: a host that never answers times out, and its socket is closed (the test ends)', async () => {
  const silent = (await import('node:net')).createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const e = { ...endpoint(async () => userKey, 300), port: (silent.address() as AddressInfo).port };
  await assert.rejects(SshConnection.connect(e), (err: unknown) => err instanceof ConnectError && /timed out after 0.3s/.test(err.message));
  silent.close();
});

test('a server without an SFTP subsystem: a TaskError naming the host and what is missing', async () => {
  const conn = await SshConnection.connect(endpoint(async () => userKey, 2000));
  try {
    await assert.rejects(conn.sftp(), (err: unknown) => err instanceof TaskError && err.host === `test@127.0.0.1:${port}`
      && /cannot start SFTP on test@127\.0\.0\.1:\d+/.test(err.message) && /Subsystem sftp/.test(err.hint ?? ''));
  } finally {
    await conn.close();
  }
});
