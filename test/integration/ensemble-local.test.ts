// An ensemble whose servers hitc creates itself (the local provider: containers running sshd and
// their own dockerd), referenced from a container on an IP-named Docker host.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, localProviderEnv, sandbox } from './bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
const dh = (b.dockerHosts as string[])[2] as string;
const box = sandbox({ knownHosts: '' });
const name = `ens${process.pid % 10000}`;
const env = localProviderEnv(box);
const run = (args: string[]) => hitc(box, args, { env, timeoutMs: 600_000 });

after(async () => {
  await run(['ensemble.down:local', '--yes']); // its servers and its network (hitc-ens-local)
  await run(['-R', name, 'terminate', '--yes']);
  await run(['-H', dh, '--', 'docker rm -f probe >/dev/null 2>&1; true']);
});

test('ensemble.up creates local servers (count 2), firewalls them, and feeds their addresses to a container elsewhere', { timeout: 900_000 }, async () => {
  writeFileSync(join(box.dir, 'local.yml'), `${name}:
  provider: local
  count: 2
  firewall:
    80: "*"
    ssh_from_applier_only: true
${dh}:
  containers:
    probe:
      image: ${b.appImages?.httpd}
      environment:
        PEERS: \${${name}.ip},\${${name}-1.ip}
`);
  const plan = await run(['ensemble.plan:local']);
  assert.match(plan.stdout, new RegExp(`The following servers will be created:\\n  ${name}: no local server named ${name}\\n  ${name}-1: no local server named ${name}-1`));
  assert.match(plan.stdout, new RegExp(`probe \\(${dh.replace(/\./g, '\\.')}\\): waits for ${name}, ${name}-1`));
  const up = await run(['ensemble.up:local', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, /converged: observing again finds no changes/);
  const env2 = await run(['-H', dh, '--', 'docker inspect -f "{{range .Config.Env}}{{println .}}{{end}}" probe | grep ^PEERS=']);
  assert.match(env2.stdout, /out: PEERS=172\.\d+\.\d+\.\d+,172\.\d+\.\d+\.\d+/);
  const again = await run(['ensemble.up:local', '--yes']);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /No changes\./);
  // the created servers are reachable by role, with the firewall in place and SSH still open
  const fw = await run(['-R', name, '-P', '--', 'iptables -S HITC-FW | grep -c -- "--dport 80"']);
  assert.equal((fw.stdout.match(/out: 1/g) ?? []).length, 2, fw.stdout + fw.stderr);
});
