// An encrypted key on disk, no terminal, and an agent that holds the key (issue 9, review):
// the agent authenticates; the "no terminal" error comes only when nothing else works.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox } from '../integration/bed.ts';

const b = bed();
const host = b.hosts[47] as string;
const agentOut = execFileSync('ssh-agent', ['-s'], { encoding: 'utf8' });
const sock = /SSH_AUTH_SOCK=([^;]+);/.exec(agentOut)?.[1] as string;
const pid = /SSH_AGENT_PID=(\d+);/.exec(agentOut)?.[1] as string;
after(() => process.kill(Number(pid)));
// no IdentityFile in the config: only -i and the agent can authenticate
const box = sandbox();
writeFileSync(box.sshConfig, `Host *\n  User root\n  UserKnownHostsFile ${box.knownHosts}\n`);
const askpass = join(box.dir, 'askpass.sh');
writeFileSync(askpass, `#!/bin/sh\necho '${b.passKeyPassphrase}'\n`);
chmodSync(askpass, 0o700);
execFileSync('ssh-add', [b.passKey], { env: { ...process.env, SSH_AUTH_SOCK: sock, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' }, stdio: ['ignore', 'ignore', 'inherit'] });

test('-i an encrypted key held by the agent, no terminal: the agent authenticates', async () => {
  const r = await hitc(box, ['-i', b.passKey, '-H', host, '--', 'echo via-agent'], { env: { SSH_AUTH_SOCK: sock } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /out: via-agent/);
});

test('IdentitiesOnly with an encrypted IdentityFile the agent holds: the agent signs for that key', async () => {
  const only = sandbox();
  writeFileSync(only.sshConfig, `Host *\n  User root\n  IdentityFile ${b.passKey}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${only.knownHosts}\n`);
  const r = await hitc(only, ['-H', host, '--', 'echo only-that-key'], { env: { SSH_AUTH_SOCK: sock } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /out: only-that-key/);
});

test('no agent and no terminal: the clear passphrase error, exit 1, nothing run', async () => {
  const r = await hitc(box, ['-i', b.passKey, '-H', host, '--', 'echo should-not-run']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /private key \S+ is encrypted and there is no terminal to ask for its passphrase/);
  assert.doesNotMatch(r.stdout, /out: should-not-run/);
});
