// The rollback after a failed fresh login, for real: this machine sends each new SSH connection
// to the host from alternating addresses (a NAT with two egress addresses, as carrier NATs and
// multi-address egress do). The firewall admits the address of the connection hitc applies it
// over; the fresh login then comes from the other one, is refused, and hitc restores the
// previous rules at once over the connection that still works, and says so.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, CLEAN_ENSEMBLE, hitc, sandbox } from './bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[] };
const host = (b.dockerHosts as string[])[1] as string;
const BRIDGE = 'hitc-bed0';
const EGRESS = ['10.214.250.10', '10.214.250.11'];
const box = sandbox();
const run = (args: string[]) => hitc(box, ['-t', '3', ...args], { timeoutMs: 120_000 });
const sh = (cmd: string): string => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
const NAT = [
  `-d ${host}/32 -p tcp -m tcp --dport 22 -m statistic --mode nth --every 2 --packet 0 -j SNAT --to-source ${EGRESS[0]}`,
  `-d ${host}/32 -p tcp -m tcp --dport 22 -j SNAT --to-source ${EGRESS[1]}`,
];
function unNat(): void {
  for (const rule of NAT) sh(`iptables -w -t nat -D POSTROUTING ${rule} 2>/dev/null || true`);
  for (const a of EGRESS) sh(`ip addr del ${a}/32 dev ${BRIDGE} 2>/dev/null || true`);
}
after(async () => {
  unNat();
  await run(['-H', host, '--', CLEAN_ENSEMBLE]);
});

test('a fresh login refused by the new rules rolls them back at once, over the connection still open', async () => {
  assert.equal((await run(['-H', host, '--', CLEAN_ENSEMBLE])).code, 0);
  writeFileSync(join(box.dir, 'fw.yml'), `${host}:\n  firewall:\n    80: "*"\n    ssh_from_applier_only: true\n`);
  unNat();
  for (const a of EGRESS) sh(`ip addr add ${a}/32 dev ${BRIDGE}`);
  // inserted in reverse so the nth rule comes first: connections alternate EGRESS[0], EGRESS[1], …
  for (const rule of [...NAT].reverse()) sh(`iptables -w -t nat -I POSTROUTING 1 ${rule}`);
  const up = await run(['ensemble.up:fw', '--yes']);
  unNat();
  assert.equal(up.code, 1, up.stdout + up.stderr);
  assert.match(up.stdout + up.stderr, new RegExp(`${host.replace(/\./g, '\\.')}: after the new firewall a fresh SSH login failed, so the previous rules were restored`));
  assert.doesNotMatch(up.stdout + up.stderr, /\n\s+at /);
  const left = await run(['-H', host, '--', 'iptables -S HITC-FW >/dev/null 2>&1 && echo present || echo gone; iptables -S INPUT | grep -c HITC-FW || true; ls /root/.hitc-fw-backup 2>/dev/null || echo no-backup']);
  assert.match(left.stdout, /out: gone\n.*out: 0\n.*out: no-backup/, 'no firewall before, none after, nothing left armed');
});
