// KeyLoader: an encrypted key is offered after the agent and unlocked only when its turn comes,
// so without a terminal it is skipped rather than aborting the connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { KeyLoader, publicKeyBlob } from '../../src/transport/keys.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir('hitc-keys-');
const enc = join(dir, 'enc');
const plain = join(dir, 'plain');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret-pass', '-f', enc]);
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', plain]);

function pubBlob(path: string): Buffer {
  const k = ssh2.utils.parseKey(readFileSync(path));
  assert.ok(!(k instanceof Error));
  return (Array.isArray(k) ? k[0] : k).getPublicSSH();
}

test('the public key of an encrypted OpenSSH key is read without its passphrase', () => {
  assert.deepEqual(publicKeyBlob(readFileSync(enc)), pubBlob(`${enc}.pub`));
  assert.equal(publicKeyBlob(Buffer.from('not a key')), undefined);
});

test('without a terminal: plain keys, then the agent, then the encrypted key whose load fails clearly', async () => {
  const attempts = await new KeyLoader().attempts({ explicit: [enc, plain], fromConfig: [], identitiesOnly: false, identityAgent: '/tmp/agent.sock' });
  assert.deepEqual(attempts.map((a) => [a.type, a.source, a.load !== undefined]), [
    ['publickey', plain, false],
    ['agent', 'ssh-agent', false],
    ['publickey', enc, true],
  ]);
  await assert.rejects(attempts[2]?.load?.() as Promise<unknown>, /is encrypted and there is no terminal to ask for its passphrase/);
});

test('with a terminal the passphrase is asked only when the encrypted key is tried, once', async () => {
  let asked = 0;
  const loader = new KeyLoader(async () => { asked++; return 'secret-pass'; });
  const attempts = await loader.attempts({ explicit: [enc], fromConfig: [], identitiesOnly: false, identityAgent: 'none' });
  assert.equal(asked, 0);
  const key = (await attempts[0]?.load?.()) as { getPublicSSH(): Buffer };
  await attempts[0]?.load?.();
  assert.equal(asked, 1);
  assert.deepEqual(key.getPublicSSH(), pubBlob(`${enc}.pub`));
});

test('IdentitiesOnly: the agent is offered only for the configured encrypted keys', async () => {
  const only = await new KeyLoader().attempts({ explicit: [], fromConfig: [enc], identitiesOnly: true, identityAgent: '/tmp/agent.sock' });
  assert.equal(only[0]?.type, 'agent');
  assert.notEqual(typeof only[0]?.agent, 'string', 'a filtering agent, not the whole agent');
  const plainOnly = await new KeyLoader().attempts({ explicit: [], fromConfig: [plain], identitiesOnly: true, identityAgent: '/tmp/agent.sock' });
  assert.deepEqual(plainOnly.map((a) => a.type), ['publickey']);
});
