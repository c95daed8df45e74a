// The dead man's switch, for real: rules that would lock hitc out (the SSH peer they admit is not
// the one connecting) really do refuse new SSH logins — and the armed timer restores hitc's
// previous chains by itself (none, or the earlier rules), after which logins work again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyFirewallCommand, confirmFirewallCommand, firewallRestoreInput } from '../../src/ensemble/firewall/firewall-commands.ts';
import { bed, CLEAN_ENSEMBLE, hitc, sandbox } from './bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[] };
const host = (b.dockerHosts as string[])[2] as string;
const box = sandbox();
const run = (command: string, timeoutSec = 10) => hitc(box, ['-t', '3', '-T', String(timeoutSec), '-H', host, '--', command], { timeoutMs: 60_000 });
// pretend hitc's SSH peer is an address nobody connects from: the rules then admit no real path
const nobody = { transientPeer: { peer: '10.99.99.99', port: '22' } };
const both = (rules: Parameters<typeof firewallRestoreInput>[0], hash: string) => ({ v4: firewallRestoreInput(rules, hash, 'lockout', { family: 4, ...nobody }), v6: firewallRestoreInput(rules, hash, 'lockout', { family: 6, ...nobody }) });
const lockingOut = (sec: number) => applyFirewallCommand(both([{ port: 80, protocol: 'tcp', sources: ['*'] }], 'feedface'), sec).script;

after(() => run(CLEAN_ENSEMBLE));

async function loginsWorkWithin(ms: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if ((await run('true')).code === 0) return Date.now() - start;
    await sleep(500);
  }
  throw new Error(`no SSH login to ${host} for ${ms} ms`);
}

test('rules that would lock hitc out are undone by the timer when nothing confirms them', async () => {
  await run(CLEAN_ENSEMBLE);
  const applied = await run(lockingOut(5));
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  const locked = await run('true');
  assert.notEqual(locked.code, 0, 'a new login is refused while the rules are in place');
  assert.match(locked.stdout + locked.stderr, /time|refused|connect/i);
  await loginsWorkWithin(20_000);
  const left = await run('iptables -S HITC-FW >/dev/null 2>&1 && echo present || echo gone; iptables -S INPUT | grep -c HITC-FW || true');
  assert.match(left.stdout, /out: gone\n.*out: 0/, 'no hitc firewall before, none after');
});

test('over an earlier firewall, the timer restores exactly the earlier rules', async () => {
  const first = await run(applyFirewallCommand(both([{ port: 8080, protocol: 'tcp', sources: ['*'] }, { port: 22, protocol: 'tcp', sources: ['*'] }], 'c0ffee'), 30).script);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const timer = Number(first.stdout.split(' out: ')[1]);
  assert.equal((await run(confirmFirewallCommand(timer).script)).code, 0);
  const before = (await run('iptables -S HITC-FW; iptables -S HITC-FW-DOCKER')).stdout;
  assert.match(before, /hitc-fw-hash:c0ffee@lockout/);

  assert.equal((await run(lockingOut(5))).code, 0);
  assert.notEqual((await run('true')).code, 0);
  await loginsWorkWithin(20_000);
  assert.equal((await run('iptables -S HITC-FW; iptables -S HITC-FW-DOCKER')).stdout, before);
});
