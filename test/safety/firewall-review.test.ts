// Review findings on the firewall, on a real Docker host: Docker (re)starting keeps the transient
// SSH rule (the drop-in only re-hooks); an apply over a left-behind unconfirmed one keeps the
// backup of the last confirmed rules and replaces the pending timer; a confirmation racing the
// timer ends in exactly one consistent outcome; a host without setsid is refused untouched.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyFirewallCommand, confirmFirewallCommand, firewallRestoreInput, parseFirewallHash, readFirewallHashScript, rollbackFirewallCommand } from '../../src/ensemble/firewall/firewall-commands.ts';
import type { ResolvedRule } from '../../src/ensemble/firewall/firewall-rules.ts';
import { bed, CLEAN_ENSEMBLE, hitc, sandbox } from '../integration/bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[] };
if (!b.dockerHosts || b.dockerHosts.length < 3) throw new Error('the test bed needs 3 Docker hosts');
const host = b.dockerHosts[2] as string;
const box = sandbox();
const run = (command: string, timeoutSec = 60) => hitc(box, ['-t', '3', '-T', String(timeoutSec), '-H', host, '--', command], { timeoutMs: 120_000 });
const CLEAN = `${CLEAN_ENSEMBLE.replace(/; true$/, '')}; rm -f /root/.hitc-fw-backup.rb /root/.hitc-fw-backup.ok; rm -f /root/.hitc-fw-timer; true`;
const STATE = "for t in iptables ip6tables; do echo \"== $t\"; $t-save -t filter | grep -v '^#' | sed -E 's/\\[[0-9]+:[0-9]+\\]/[0:0]/'; done";
const OPEN_SSH: ResolvedRule[] = [{ port: 22, protocol: 'tcp', sources: ['*'] }];
const apply = (hash: string, extraPort: number, windowSec: number): string => {
  const rules: ResolvedRule[] = [...OPEN_SSH, { port: extraPort, protocol: 'tcp', sources: ['*'] }];
  return applyFirewallCommand({
    v4: firewallRestoreInput(rules, hash, 'sf-firewall', { family: 4 }),
    v6: firewallRestoreInput(rules, hash, 'sf-firewall', { family: 6 }),
  }, windowSec).script;
};
const out = (stdout: string): string => stdout.split('\n').filter((l) => l.includes(' out: ')).map((l) => l.replace(/^.* out: /, '')).join('\n');
const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

async function state(): Promise<string> {
  const r = await run(STATE);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return out(r.stdout);
}

/** Applies and confirms (by hand) rules tagged `hash`: the last confirmed firewall. */
async function confirmed(hash: string): Promise<void> {
  const r = await run(apply(hash, 8080, 30));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const timer = Number(out(r.stdout).split('\n').pop());
  assert.equal((await run(confirmFirewallCommand(timer).script)).code, 0);
}

after(async () => {
  await run(CLEAN);
});

test('Docker (re)starting re-hooks the chains and keeps the transient SSH rule; the plan warns that only that rule admits the operator', async () => {
  assert.equal((await run(CLEAN)).code, 0);
  writeFileSync(join(box.dir, 'fw.yml'), `${host}:\n  firewall:\n    80: "*"\n    22: 10.1.0.0/16\n`);
  const up = await hitc(box, ['-t', '3', 'ensemble.up:fw', '--yes'], { timeoutMs: 120_000 });
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, new RegExp(`WARNING: ${host.replace(/\./g, '\\.')}\\.firewall: you \\(10\\.214\\.0\\.1\\) get in only through a transient rule that is not kept across reboots`));
  const before = await state();
  assert.match(before, /-A HITC-FW -s 10\.214\.0\.1\/32 -p tcp -m tcp --dport 22 -m comment --comment "hitc: the SSH path in use" -j RETURN/);
  // what Docker starting does to DOCKER-USER (a fresh chain, no jump), then the drop-in's script
  const rehook = await run('iptables -w -D DOCKER-USER -j HITC-FW-DOCKER && /etc/hitc/firewall-rehook; echo rc=$?; grep -c "firewall-restore\\|flush" /etc/hitc/firewall-rehook || true');
  assert.equal(rehook.code, 0, rehook.stdout + rehook.stderr);
  assert.match(out(rehook.stdout), /^rc=0\n0$/);
  assert.equal(await state(), before, 'hooked again, the transient rule still there');
  assert.equal((await hitc(box, ['-t', '3', 'ensemble.plan:fw,exit_code=true'], { timeoutMs: 120_000 })).code, 0, 'new logins work; nothing to change');
  assert.equal((await run(CLEAN)).code, 0);
});

test('an apply over a left-behind unconfirmed one keeps the last confirmed backup and replaces the pending timer; rolling back gives the confirmed rules', async () => {
  assert.equal((await run(CLEAN)).code, 0);
  await confirmed('aaaa0001');
  const lastConfirmed = await state();
  // hitc killed after these rules went live: their timer is pending, their backup left behind
  const left = await run(apply('bbbb0002', 8081, 120));
  assert.equal(left.code, 0, left.stdout + left.stderr);
  const oldTimer = Number(out(left.stdout).split('\n').pop());
  const backup = out((await run('md5sum /root/.hitc-fw-backup; grep -c aaaa0001 /root/.hitc-fw-backup')).stdout);
  assert.match(backup, /\n1$/, 'the backup holds the confirmed rules');
  assert.deepEqual(parseFirewallHash(out((await run(readFirewallHashScript())).stdout)), { specHash: 'bbbb0002', ensemble: 'sf-firewall', hooked: true, pending: true }, 'the probe sees it pending');
  const again = await run(apply('cccc0003', 8082, 120));
  assert.equal(again.code, 0, again.stdout + again.stderr);
  const newTimer = Number(out(again.stdout).split('\n').pop());
  assert.notEqual(newTimer, oldTimer);
  assert.equal(out((await run('md5sum /root/.hitc-fw-backup; grep -c aaaa0001 /root/.hitc-fw-backup')).stdout), backup, 'the backup is unchanged');
  assert.equal(out((await run(`kill -0 ${oldTimer} 2>/dev/null && echo old-alive || echo old-gone; kill -0 ${newTimer} && echo new-alive`)).stdout), 'old-gone\nnew-alive');
  assert.match(await state(), /hitc-fw-hash:cccc0003/);
  assert.equal((await run(rollbackFirewallCommand(newTimer).script)).code, 0);
  assert.equal(await state(), lastConfirmed, 'the rollback gives the last confirmed rules, not the unconfirmed ones');
  assert.equal(out((await run(`ls /root/.hitc-fw-backup* 2>/dev/null; kill -0 ${newTimer} 2>/dev/null && echo alive || echo gone`)).stdout), 'gone');
  assert.equal((await run(CLEAN)).code, 0);
});

test('a confirmation racing the timer: either confirmed with the new rules kept, or refused (exit 4) with the previous ones back; never half', async () => {
  assert.equal((await run(CLEAN)).code, 0);
  await confirmed('aaaa0001');
  const confirm = confirmFirewallCommand(4242).script.replace('4242', '$timer');
  for (const delay of ['0.6', '0.8', '0.9', '1.0', '1.1', '1.3']) {
    const r = await run(`timer=$(sh -c ${quote(apply('dddd0004', 8083, 1))} | tail -1); sleep ${delay}; (${confirm}); echo rc=$?; sleep 1.5; iptables -S HITC-FW | grep -o 'hitc-fw-hash:[0-9a-f]*'; ls /root/.hitc-fw-backup* 2>/dev/null; true`);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const seen = out(r.stdout);
    assert.ok(seen === 'rc=0\nhitc-fw-hash:dddd0004' || seen === 'rc=4\nhitc-fw-hash:aaaa0001', `after ${delay} s: ${seen}`);
    if (seen.startsWith('rc=0')) await confirmed('aaaa0001');
  }
  assert.equal((await run(CLEAN)).code, 0);
});

test('a host without setsid refuses the apply before anything changes, since the timer would die with the connection', async () => {
  assert.equal((await run(CLEAN)).code, 0);
  await confirmed('aaaa0001');
  const before = await state();
  // the same ensemble as the rules in place (another ensemble's firewall is never replaced)
  writeFileSync(join(box.dir, 'fw.yml'), `name: sf-firewall\n${host}:\n  firewall:\n    22: "*"\n    8084: "*"\n`);
  const where = out((await run('command -v setsid')).stdout);
  assert.match(where, /^\/[a-z/]+\/setsid$/);
  assert.equal((await run(`mv ${where} ${where}.sf-firewall`)).code, 0);
  let up;
  try {
    up = await hitc(box, ['-t', '3', 'ensemble.up:fw', '--yes'], { timeoutMs: 120_000 });
  } finally {
    assert.equal((await run(`mv ${where}.sf-firewall ${where}`)).code, 0);
  }
  assert.equal(up.code, 1, up.stdout + up.stderr);
  assert.match(up.stdout + up.stderr, /this host has no setsid, so the rollback timer could not outlive this connection; nothing was changed/);
  assert.equal(await state(), before);
  assert.equal(out((await run('ls /root/.hitc-fw-backup* 2>/dev/null; true')).stdout), '');
  assert.equal((await run(CLEAN)).code, 0);
});
