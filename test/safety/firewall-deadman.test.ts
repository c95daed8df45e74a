// The dead man's switch survives hitc at any instant. The rules applied here admit SSH only
// from an address nobody connects from, so once they are live every new login is refused; hitc
// is then killed (SIGKILL at several instants, or its own timeout, which kills the remote
// command's whole process group right after the rules went live). Each time the host must
// take logins again once the window has passed, with iptables-save and ip6tables-save exactly
// as before. Before this fix the timer was started last, in the command's process group: a
// kill in between (or of the group) left the locking rules in place for good.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyFirewallCommand, firewallRestoreInput } from '../../src/ensemble/firewall/firewall-commands.ts';
import { bed, CLEAN_ENSEMBLE, hitc, sandbox } from '../integration/bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[] };
if (!b.dockerHosts || b.dockerHosts.length < 3) throw new Error('the test bed needs 3 Docker hosts');
const host = b.dockerHosts[2] as string;
const box = sandbox();
const run = (command: string, timeoutSec = 20) => hitc(box, ['-t', '3', '-T', String(timeoutSec), '-H', host, '--', command], { timeoutMs: 60_000 });
const WINDOW = 6;
const nobody = { transientPeer: { peer: '10.99.99.99', port: '22' } };
const rules = [{ port: 80, protocol: 'tcp' as const, sources: ['*'] }];
const locking = applyFirewallCommand({
  v4: firewallRestoreInput(rules, 'dead0001', 'sf-firewall', { family: 4, ...nobody }),
  v6: firewallRestoreInput(rules, 'dead0001', 'sf-firewall', { family: 6, ...nobody }),
}, WINDOW).script;
// the filter table of both families, without counters and timestamps
const STATE = "for t in iptables ip6tables; do echo \"== $t\"; $t-save -t filter | grep -v '^#' | sed -E 's/\\[[0-9]+:[0-9]+\\]/[0:0]/'; done";

async function state(): Promise<string> {
  const r = await run(STATE);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /== iptables[\s\S]*:INPUT ACCEPT[\s\S]*== ip6tables/);
  return r.stdout;
}

async function loginsWorkWithin(ms: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if ((await run('true')).code === 0) return Date.now() - start;
    await sleep(500);
  }
  throw new Error(`no SSH login to ${host} for ${ms} ms: the dead man's switch did not restore the rules`);
}

/** Runs the locking apply through hitc and SIGKILLs hitc `delayMs` after the remote shell began. */
function killedAfter(delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let fired = false;
    hitc(box, ['-t', '3', '-H', host, '--', `echo sf-go; ${locking}`], {
      timeoutMs: 60_000,
      onStdout: (text, child) => {
        if (fired || !text.includes('out: sf-go')) return;
        fired = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      },
    }).then((r) => (r.signal === 'SIGKILL' || r.code === 0 ? resolve() : reject(new Error(`hitc ended with ${r.code}: ${r.stdout}${r.stderr}`))), reject);
  });
}

after(async () => {
  const back = await loginsWorkWithin(3 * WINDOW * 1000).then(() => true, () => false);
  if (back) {
    await run(CLEAN_ENSEMBLE);
    return;
  }
  // locked out (a failed run): clean up from the outer Docker daemon, the bed host's console
  const names = execFileSync('docker', ['ps', '--format', '{{.Names}}', '--filter', 'network=hitc-bed'], { encoding: 'utf8' }).trim().split('\n');
  const name = names.find((n) => execFileSync('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', n], { encoding: 'utf8' }).split(' ').includes(host));
  if (name) execFileSync('docker', ['exec', name, 'sh', '-c', CLEAN_ENSEMBLE.replace(/^docker rm[^;]*; /, '')]);
});

test('setup: no hitc firewall, logins work', async () => {
  assert.equal((await run(CLEAN_ENSEMBLE)).code, 0);
});

for (const delayMs of [0, 60, 200, 600, 2500]) {
  test(`hitc SIGKILLed ${delayMs} ms into the apply: the host takes logins again and the rules are exactly the earlier ones`, async () => {
    const before = await state();
    await killedAfter(delayMs);
    await loginsWorkWithin(3 * WINDOW * 1000);
    await sleep(1000); // the timer's restore finishes before its files go
    assert.equal(await state(), before);
    assert.match((await run('ls /root/.hitc-fw-backup 2>/dev/null || echo no-backup')).stdout, /out: no-backup/, 'the switch has fired (or nothing was ever changed)');
  });
}

test('hitc\'s own timeout kills the remote command\'s process group right after the rules went live: the detached switch still restores them', async () => {
  const before = await state();
  const killed = await run(`${locking}; echo sf-rules-live; sleep 30`, 3);
  assert.notEqual(killed.code, 0, 'the timeout ended the command');
  assert.match(killed.stdout, /out: sf-rules-live/, 'the rules were live when the group was killed');
  const locked = await run('true');
  assert.notEqual(locked.code, 0, 'while the window lasts, the locking rules refuse new logins');
  await loginsWorkWithin(3 * WINDOW * 1000);
  await sleep(1000);
  assert.equal(await state(), before);
});

test('over an earlier hitc firewall, a killed apply restores exactly that firewall (both families)', async () => {
  const good = [{ port: 22, protocol: 'tcp' as const, sources: ['*'] }, { port: 8080, protocol: 'tcp' as const, sources: ['10.214.0.0/16'] }];
  const first = await run(`${applyFirewallCommand({ v4: firewallRestoreInput(good, 'c0ffee01', 'sf-firewall', { family: 4 }), v6: firewallRestoreInput(good, 'c0ffee01', 'sf-firewall', { family: 6 }) }, 30).script}`);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const timer = Number(first.stdout.trim().split(' out: ').pop());
  assert.equal((await run(`kill ${timer}; rm -f /root/.hitc-fw-backup /root/.hitc-fw-backup6 /root/.hitc-fw-hooks`)).code, 0, 'confirmed by hand');
  const before = await state();
  assert.match(before, /== iptables[\s\S]*hitc-fw-hash:c0ffee01[\s\S]*== ip6tables[\s\S]*hitc-fw-hash:c0ffee01/);
  await killedAfter(300);
  await loginsWorkWithin(3 * WINDOW * 1000);
  await sleep(1000);
  assert.equal(await state(), before);
});
