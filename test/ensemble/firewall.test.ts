// The firewall as values (restore input, probe parsing), the confirm-or-roll-back flow with a
// fake root shell, and how the planner treats unhooked and orphaned firewalls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from '../../src/core/command.ts';
import { applyFirewall } from '../../src/ensemble/firewall-apply.ts';
import { firewallRestoreInput, parseFirewallHash } from '../../src/ensemble/firewall-commands.ts';
import { parseManifest } from '../../src/ensemble/parse-manifest.ts';
import { planEnsemble } from '../../src/ensemble/plan.ts';
import { planText } from '../../src/ensemble/plan-text.ts';
import type { ObservedWorld } from '../../src/ensemble/observed.ts';

test('restore input: hash and ensemble tagged, SSH path first, host and Docker chains, final DROP', () => {
  const text = firewallRestoreInput([{ port: 80, protocol: 'tcp', sources: ['*'] }, { port: '*', protocol: '*', sources: ['10.0.0.2'] }], 'abc123', 'my stack');
  const lines = text.split('\n');
  assert.equal(lines[0], '*filter');
  assert.ok(lines.includes('-A HITC-FW -m comment --comment "hitc-fw-hash:abc123@my_stack"'));
  assert.ok(lines.indexOf('-A HITC-FW -s @SSH_PEER@ -p tcp -m tcp --dport @SSH_PORT@ -m comment --comment "hitc: the SSH path in use" -j RETURN') < lines.indexOf('-A HITC-FW -j DROP'));
  for (const l of ['-A HITC-FW -p tcp -m tcp --dport 80 -j RETURN', '-A HITC-FW-DOCKER -p tcp -m conntrack --ctorigdstport 80 -j RETURN',
    '-A HITC-FW -s 10.0.0.2 -p udp -j RETURN', '-A HITC-FW-DOCKER -j DROP']) assert.ok(lines.includes(l), l);
  assert.deepEqual(parseFirewallHash('abc123 my_stack hooked\n'), { specHash: 'abc123', ensemble: 'my_stack', hooked: true });
  assert.equal(parseFirewallHash('\n'), undefined);
});

function shell(failOn: RegExp | undefined = undefined) {
  const ran: string[] = [];
  return {
    ran,
    async asRoot(command: Command) {
      ran.push(command.script);
      if (failOn?.test(command.script)) throw new Error('connection lost');
      return { stdout: command.script.includes('iptables-restore -w --noflush\n') || command.script.startsWith('set -e') ? '4242\n' : '' };
    },
  };
}

test('a fresh login that works confirms the rules and disarms the timer', async () => {
  const host = shell();
  await applyFirewall(host, async () => undefined, 'web', 'input');
  assert.equal(host.ran.length, 3);
  assert.match(host.ran[1] as string, /^kill 4242 2>\/dev\/null; rm -f \/root\/\.hitc-fw-backup \/root\/\.hitc-fw-hooks; true$/);
  assert.match(host.ran[2] as string, /^umask 022; mkdir -p \/etc\/hitc\n/, 'then keep the rules across reboots');
});

test('a fresh login that fails restores the previous rules at once and says so', async () => {
  const host = shell();
  await assert.rejects(applyFirewall(host, async () => { throw new Error('connect timed out'); }, 'web', 'input'), (e: Error) => {
    assert.match(e.message, /^web: after the new firewall a fresh SSH login failed, so the previous rules were restored \(connect timed out\)$/);
    return true;
  });
  assert.match(host.ran[1] as string, /iptables-restore -w --noflush < \/root\/\.hitc-fw-backup.* && \{ kill 4242/);
});

test('when even the restore fails, the error says the timer brings the rules back', async () => {
  const host = shell(/kill 4242/);
  await assert.rejects(applyFirewall(host, async () => { throw new Error('refused'); }, 'web', 'input', { rollbackSec: 30 }), /restoring the previous rules failed; they come back by themselves within 30 s/);
});

const MANIFEST = `10.0.0.5:
  containers:
    app: {image: app}
`;
const observed = (firewall: object): ObservedWorld => ({ servers: { '10.0.0.5': { name: '10.0.0.5', provider: 'unmanaged', ip: '10.0.0.5', internalIp: '10.0.0.5', options: {}, dockerInstalled: true, containers: [], firewall } } });

test('a firewall this ensemble applied but no longer declares is an orphan; another ensemble\'s is not touched', () => {
  const m = parseManifest('m.yml', MANIFEST).manifest!;
  assert.match(planText(planEnsemble(m, observed({ specHash: 'aa', ensemble: 'm', hooked: true }), { ensemble: 'm' })).join('\n'), /Not in the manifest \(kept; remove them with prune\):\n {2}10\.0\.0\.5 firewall: the manifest has no firewall for it any more/);
  assert.doesNotMatch(planText(planEnsemble(m, observed({ specHash: 'aa', ensemble: 'other', hooked: true }), { ensemble: 'm' })).join('\n'), /firewall/);
});

test('chains that INPUT no longer jumps to are re-applied', () => {
  const m = parseManifest('m.yml', `${MANIFEST}  firewall:\n    80: "*"\n`).manifest!;
  const plan = planEnsemble(m, observed({ specHash: 'whatever', ensemble: 'm', hooked: false }), { ensemble: 'm' });
  assert.match(planText(plan).join('\n'), /updated firewalls:\n {2}10\.0\.0\.5 \(1 rules total\): the rules are no longer hooked into INPUT\/DOCKER-USER/);
});
