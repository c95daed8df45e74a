// ssh-agent: keys from the agent authenticate, -A forwards the agent to the host, and -u/-p
// defaults apply to hosts that name no user or port.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed();
const host = b.hosts[30] as string;
const agentOut = execFileSync('ssh-agent', ['-s'], { encoding: 'utf8' });
const sock = /SSH_AUTH_SOCK=([^;]+);/.exec(agentOut)?.[1] as string;
const pid = /SSH_AGENT_PID=(\d+);/.exec(agentOut)?.[1] as string;
execFileSync('ssh-add', [b.key], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
after(() => process.kill(Number(pid)));

// an ssh config without IdentityFile: only the agent holds the key
function agentBox() {
  const box = sandbox();
  writeFileSync(box.sshConfig, `Host *\n  User root\n  UserKnownHostsFile ${box.knownHosts}\n`);
  return box;
}

test('a key held by ssh-agent authenticates', async () => {
  const r = await hitc(agentBox(), ['-H', host, '--', 'echo via-agent'], { env: { SSH_AUTH_SOCK: sock } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /out: via-agent/);
});

test('-A forwards the agent to the host', async () => {
  const box = agentBox();
  const without = await hitc(box, ['-H', host, '--', 'ssh-add -l || echo no-agent'], { env: { SSH_AUTH_SOCK: sock } });
  assert.match(without.stdout, /out: no-agent/);
  const withA = await hitc(box, ['-A', '-H', host, '--', 'ssh-add -l'], { env: { SSH_AUTH_SOCK: sock } });
  assert.equal(withA.code, 0, withA.stdout + withA.stderr);
  assert.match(withA.stdout, /out: 256 SHA256:\S+ .*\(ED25519\)/);
});

test('-u and -p are defaults for hosts that name neither', async () => {
  const box = sandbox();
  writeFileSync(join(box.dir, 'ssh_config'), `Host *\n  IdentityFile ${b.key}\n  UserKnownHostsFile ${box.knownHosts}\n`);
  const r = await hitc(box, ['-u', 'ubuntu', '-H', `${host},root@${b.hosts[31]}`, '--', 'id -un']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`\\[${host}\\] out: ubuntu`));
  assert.match(r.stdout, new RegExp(`\\[root@${b.hosts[31]}\\] out: root`));
  const p = await hitc(box, ['-p', '2222', '-H', host, '--', 'true']);
  assert.equal(p.code, 1);
  assert.match(p.stdout, /connection refused by [\d.]+:2222/);
});
