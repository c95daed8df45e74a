// The operator's address changes: the transient SSH rule admitted the address hitc applied the
// firewall from, so a plan made from another address must show the firewall as changed (the
// address is part of its hash), and up then replaces the transient rule. This machine's new
// address is made with a SNAT rule on the bed bridge (as a new office or VPN exit would be).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, CLEAN_ENSEMBLE, hitc, sandbox } from '../integration/bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[] };
if (!b.dockerHosts || b.dockerHosts.length < 3) throw new Error('the test bed needs 3 Docker hosts');
const host = b.dockerHosts[1] as string;
const BRIDGE = 'hitc-bed0';
const NEW_ADDRESS = '10.214.250.20';
const NAT = `-d ${host}/32 -p tcp -m tcp --dport 22 -j SNAT --to-source ${NEW_ADDRESS}`;
const box = sandbox();
const run = (args: string[]) => hitc(box, ['-t', '3', ...args], { timeoutMs: 120_000 });
const local = (cmd: string): string => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
const moveOperator = (): void => {
  local(`ip addr add ${NEW_ADDRESS}/32 dev ${BRIDGE} && iptables -w -t nat -I POSTROUTING 1 ${NAT}`);
};
const moveBack = (): void => {
  local(`iptables -w -t nat -D POSTROUTING ${NAT} 2>/dev/null; ip addr del ${NEW_ADDRESS}/32 dev ${BRIDGE} 2>/dev/null; true`);
};

after(async () => {
  // cleaned from whichever address still gets in, then this machine's address is put back
  const clean = await run(['-H', host, '--', CLEAN_ENSEMBLE]);
  moveBack();
  if (clean.code !== 0) await run(['-H', host, '--', CLEAN_ENSEMBLE]);
});

test('a plan made from a new operator address shows the firewall as changed; up moves the transient SSH rule there', async () => {
  moveBack();
  assert.equal((await run(['-H', host, '--', CLEAN_ENSEMBLE])).code, 0);
  writeFileSync(join(box.dir, 'fw.yml'), `${host}:\n  firewall:\n    80: "*"\n    ssh_from_applier_only: true\n`);
  const up = await run(['ensemble.up:fw', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  const first = await run(['-H', host, '--', 'iptables -S HITC-FW | grep "SSH path"']);
  assert.match(first.stdout, /out: -A HITC-FW -s 10\.214\.0\.1\/32 -p tcp -m tcp --dport 22 /);
  assert.equal((await run(['ensemble.plan:fw,exit_code=true'])).code, 0, 'unchanged from the same address');

  moveOperator();
  try {
    // the earlier rule admits only 10.214.0.1: from the new address a new login is refused,
    // which is the lock-out the manifest accepted, so this plan runs over a rule admitting both
    assert.equal((await hitc(box, ['-t', '3', '-H', host, '--', 'true'], { timeoutMs: 30_000 })).code !== 0, true, 'the new address is not admitted');
  } finally {
    moveBack();
  }
  // admit the new address by hand (as an operator with console access would), then plan from it
  assert.equal((await run(['-H', host, '--', `iptables -w -I HITC-FW 1 -s ${NEW_ADDRESS}/32 -p tcp --dport 22 -j RETURN`])).code, 0);
  moveOperator();
  try {
    const plan = await run(['ensemble.plan:fw,exit_code=true']);
    assert.equal(plan.code, 3, plan.stdout + plan.stderr);
    assert.match(plan.stdout, new RegExp(`updated firewalls:\\n {2}${host.replace(/\./g, '\\.')} \\(1 rules total\\): SSH is admitted from 10\\.214\\.0\\.1; hitc now connects from 10\\.214\\.250\\.20`));
    const moved = await run(['ensemble.up:fw', '--yes']);
    assert.equal(moved.code, 0, moved.stdout + moved.stderr);
    const rules = await run(['-H', host, '--', 'iptables -S HITC-FW | grep -c 10.214.0.1/32; iptables -S HITC-FW | grep "SSH path"']);
    assert.match(rules.stdout, /out: 0\n.*out: -A HITC-FW -s 10\.214\.250\.20\/32 -p tcp -m tcp --dport 22 /);
    assert.equal((await run(['ensemble.plan:fw,exit_code=true'])).code, 0);
    assert.equal((await run(['-H', host, '--', CLEAN_ENSEMBLE])).code, 0);
  } finally {
    moveBack();
  }
});
