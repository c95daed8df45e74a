// The firewall as values (restore input per family, exactly; source validation; the transient
// SSH peer), the confirm-or-roll-back flow with a fake root shell, and how the planner treats
// unhooked, orphaned and SSH-less firewalls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from '../../../src/core/command.ts';
import { applyFirewall, confirmWithinMs } from '../../../src/ensemble/firewall/firewall-apply.ts';
import { applyFirewallCommand, firewallRestoreInput, parseFirewallHash, parseSshPath, readFirewallHashScript } from '../../../src/ensemble/firewall/firewall-commands.ts';
import { persistFirewallCommand, unpersistFirewallScript } from '../../../src/ensemble/firewall/firewall-persist.ts';
import { admitsSshPort, firewallHash, resolveFirewallRules, transientPeer } from '../../../src/ensemble/firewall/firewall-rules.ts';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import { isLockoutWarning, lockoutWarning, transientOnlyWarning } from '../../../src/ensemble/plan/warnings.ts';
import { planOf } from '../plan/canonical.ts';
import { planText } from '../../../src/ensemble/plan/plan-text.ts';
import type { ObservedWorld } from '../../../src/ensemble/observe/observed.ts';
import { exampleManifest } from '../../helpers/example-manifest.ts';

const RULES = [{ port: 80, protocol: 'tcp' as const, sources: ['*'] }, { port: '*' as const, protocol: '*' as const, sources: ['10.0.0.2', '10.1.0.0/16'] }];
const HEAD = [
  '*filter', ':HITC-FW - [0:0]', ':HITC-FW-DOCKER - [0:0]', '-A HITC-FW -m comment --comment "hitc-fw-hash:abc123@my_stack"',
  '-A HITC-FW -i lo -j RETURN', '-A HITC-FW -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN',
];
const DOCKER_HEAD = ['-A HITC-FW-DOCKER -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN', '-A HITC-FW-DOCKER -i docker0 -j RETURN', '-A HITC-FW-DOCKER -i br-+ -j RETURN'];
const OPEN_80 = ['-A HITC-FW -p tcp -m tcp --dport 80 -j RETURN', '-A HITC-FW-DOCKER -p tcp -m conntrack --ctorigdstport 80 -j RETURN'];
const TAIL = ['-A HITC-FW -j DROP', '-A HITC-FW-DOCKER -j DROP', 'COMMIT', ''];

test('restore input (IPv4), exactly: tag, transient SSH rule, Docker bridges exactly docker0 and br-+, sources, final DROP', () => {
  assert.equal(firewallRestoreInput(RULES, 'abc123', 'my stack', { family: 4, transientPeer: { peer: '192.0.2.9', port: '22' } }), [
    ...HEAD, '-A HITC-FW -p icmp -j RETURN',
    '-A HITC-FW -s 192.0.2.9/32 -p tcp -m tcp --dport 22 -m comment --comment "hitc: the SSH path in use" -j RETURN',
    ...DOCKER_HEAD, ...OPEN_80,
    '-A HITC-FW -s 10.0.0.2 -p tcp -j RETURN', '-A HITC-FW-DOCKER -s 10.0.0.2 -p tcp -j RETURN',
    '-A HITC-FW -s 10.1.0.0/16 -p tcp -j RETURN', '-A HITC-FW-DOCKER -s 10.1.0.0/16 -p tcp -j RETURN',
    '-A HITC-FW -s 10.0.0.2 -p udp -j RETURN', '-A HITC-FW-DOCKER -s 10.0.0.2 -p udp -j RETURN',
    '-A HITC-FW -s 10.1.0.0/16 -p udp -j RETURN', '-A HITC-FW-DOCKER -s 10.1.0.0/16 -p udp -j RETURN',
    ...TAIL,
  ].join('\n'));
  assert.deepEqual(parseFirewallHash('abc123 my_stack hooked\n'), { specHash: 'abc123', ensemble: 'my_stack', hooked: true });
  assert.deepEqual(parseFirewallHash('abc123 my_stack hooked 192.0.2.9\n'), { specHash: 'abc123', ensemble: 'my_stack', hooked: true, peer: '192.0.2.9' });
  assert.equal(parseFirewallHash('\n'), undefined);
});

test('restore input (IPv6), exactly: ICMPv6, only rules open to everyone (IPv4 sources admit nobody over v6), the peer only if it is v6', () => {
  const v6 = [...HEAD, '-A HITC-FW -p ipv6-icmp -j RETURN', ...DOCKER_HEAD, ...OPEN_80, ...TAIL].join('\n');
  assert.equal(firewallRestoreInput(RULES, 'abc123', 'my stack', { family: 6, transientPeer: { peer: '192.0.2.9', port: '22' } }), v6);
  assert.equal(firewallRestoreInput(RULES, 'abc123', 'my stack', { family: 6, transientPeer: { peer: 'fd00::7', port: '2222' } }), v6.replace(
    '-A HITC-FW -p ipv6-icmp -j RETURN\n',
    '-A HITC-FW -p ipv6-icmp -j RETURN\n-A HITC-FW -s fd00::7/128 -p tcp -m tcp --dport 2222 -m comment --comment "hitc: the SSH path in use" -j RETURN\n',
  ));
  // without a transient peer there is no SSH rule at all
  assert.doesNotMatch(firewallRestoreInput(RULES, 'abc123', 'm', { family: 4 }), /SSH path/);
});

test('nothing but an address reaches the restore input: newlines, options, names are refused', () => {
  for (const bad of ['10.0.0.1\n-A INPUT -j ACCEPT', '-j ACCEPT', '10.0.0.0/33', '999.0.0.1', 'example.com', '10.0.0.1 -j ACCEPT', '']) {
    assert.throws(() => firewallRestoreInput([{ port: 22, protocol: 'tcp', sources: [bad] }], 'abc', 'm'), /is not an IPv4 address or CIDR/, JSON.stringify(bad));
  }
  assert.throws(() => firewallRestoreInput(RULES, 'abc', 'm', { transientPeer: { peer: '10.0.0.1', port: '22\n-A' } }), /not a port/);
  assert.throws(() => firewallRestoreInput(RULES, 'ab"c', 'm'), /not hex/);
  assert.equal(parseSshPath('10.0.0.1 1 22\n10.0.0.1 1 10.0.0.5 22;reboot\n'), undefined);
  assert.equal(parseSshPath('-j 1 22\n-j 1 10.0.0.5 22\n'), undefined);
  assert.deepEqual(parseSshPath('10.0.0.1 5000 22\n10.0.0.1 5000 10.0.0.5 2222\n'), { peer: '10.0.0.1', port: '2222' });
});

test('resolved sources are validated again: a remote value that is not an address fails, naming it', () => {
  const rule = { port: 22, protocol: 'tcp' as const, sources: ['$internal_ips'], line: 3 };
  const specials = (ips: string[]) => ({ internalIps: () => ips, servers: () => ({}) });
  assert.deepEqual(resolveFirewallRules([rule], () => undefined, specials(['10.0.0.3', '10.0.0.2', ''])), [{ port: 22, protocol: 'tcp', sources: ['10.0.0.2', '10.0.0.3'] }]);
  assert.throws(() => resolveFirewallRules([rule], () => undefined, specials(['10.0.0.3\n-A INPUT -j ACCEPT'])), /source "\$internal_ips" gave "10\.0\.0\.3\\n-A INPUT -j ACCEPT", which is not an IPv4 address or CIDR/);
  assert.throws(() => resolveFirewallRules([{ ...rule, sources: ['${db.ip}'] }], () => '-j ACCEPT', specials([])), /gave "-j ACCEPT"/);
});

test('the transient peer: needed only when no rule admits it; part of the hash', () => {
  const rules = [{ port: 22, protocol: 'tcp' as const, sources: ['10.1.0.0/16'] }];
  assert.equal(transientPeer(rules, { peer: '10.1.2.3', port: '22' }), undefined);
  assert.deepEqual(transientPeer(rules, { peer: '10.2.0.1', port: '22' }), { peer: '10.2.0.1', port: '22' });
  assert.deepEqual(transientPeer(rules, { peer: '10.1.2.3', port: '2222' }), { peer: '10.1.2.3', port: '2222' }, 'another sshd port');
  assert.deepEqual(transientPeer(rules, { peer: 'fd00::1', port: '22' }), { peer: 'fd00::1', port: '22' }, 'IPv4 sources never admit a v6 peer');
  assert.equal(transientPeer([{ port: '*', protocol: '*', sources: ['*'] }], { peer: 'fd00::1', port: '22' }), undefined);
  assert.equal(firewallHash(rules), firewallHash(rules, undefined));
  assert.notEqual(firewallHash(rules, '10.2.0.1'), firewallHash(rules, '10.2.0.2'));
});

test('the apply script arms the detached timer before the first rule changes, and mirrors to ip6tables', () => {
  const script = applyFirewallCommand({ v4: 'V4', v6: 'V6' }, 45).script;
  const at = (text: string): number => {
    const i = script.indexOf(text);
    assert.ok(i >= 0, text);
    return i;
  };
  assert.ok(at('setsid nohup sh -c') < at("printf '%s' V4 | iptables-restore"), 'armed first');
  assert.ok(at('while [ $n -lt 30 ]') < at('setsid nohup sh -c'), 'the wait for Docker comes before the timer');
  assert.ok(at("printf '%s' V4 | iptables-restore") < at("printf '%s' V6 | ip6tables-restore"));
  assert.match(script, /echo 'this host has a global IPv6 address but no working ip6tables, so hitc cannot close its ports over IPv6' >&2; exit 3/);
  assert.match(script, /sleep 45; if mv \/root\/\.hitc-fw-backup \/root\/\.hitc-fw-backup\.rb 2>\/dev\/null; then ok=yes; if \[ -s \/root\/\.hitc-fw-backup\.rb \]; then iptables-restore -w --noflush < \/root\/\.hitc-fw-backup\.rb /, 'the timer claims the backup before restoring from it');
  assert.ok(confirmWithinMs(45) <= 30_000 && confirmWithinMs(45) >= 10_000);
});

function shell(failOn: RegExp | undefined = undefined, stdout = (script: string): string => (script.startsWith('set -e') ? '4242\n' : '')) {
  const ran: string[] = [];
  return {
    ran,
    async asRoot(command: Command) {
      ran.push(command.script);
      if (failOn?.test(command.script)) throw new Error('connection lost');
      return { stdout: stdout(command.script) };
    },
  };
}

const INPUT = { v4: 'input', v6: 'input6' };

test('a fresh login that works confirms the rules and disarms the timer', async () => {
  const host = shell();
  await applyFirewall(host, async () => undefined, 'web', INPUT);
  assert.equal(host.ran.length, 3);
  assert.equal(host.ran[1], 'mv /root/.hitc-fw-backup /root/.hitc-fw-backup.ok 2>/dev/null || { echo "the rollback timer had already restored the previous rules" >&2; exit 4; }; kill 4242 2>/dev/null; rm -f /root/.hitc-fw-backup.ok /root/.hitc-fw-backup6 /root/.hitc-fw-hooks');
  assert.match(host.ran[2] as string, /^umask 022; mkdir -p \/etc\/hitc\n/, 'then keep the rules across reboots');
  assert.match(host.ran[2] as string, /\| grep -vF 'hitc: the SSH path in use' > \/etc\/hitc\/firewall\.rules\.new/, 'never the transient rule');
});

test('a fresh login that fails restores the previous rules at once and says so', async () => {
  const host = shell();
  await assert.rejects(applyFirewall(host, async () => { throw new Error('connect timed out'); }, 'web', INPUT), (e: Error) => {
    assert.match(e.message, /^web: after the new firewall a fresh SSH login failed, so the previous rules were restored \(connect timed out\)$/);
    return true;
  });
  assert.match(host.ran[1] as string, /^if mv \/root\/\.hitc-fw-backup \/root\/\.hitc-fw-backup\.rb 2>\/dev\/null; then ok=yes; .*iptables-restore -w --noflush < \/root\/\.hitc-fw-backup\.rb.*ip6tables-restore -w --noflush < \/root\/\.hitc-fw-backup6.*; if \[ \$ok = yes \]; then rm -f \/root\/\.hitc-fw-backup\.rb \/root\/\.hitc-fw-backup6 \/root\/\.hitc-fw-hooks; else mv \/root\/\.hitc-fw-backup\.rb \/root\/\.hitc-fw-backup; fi; fi; \[ ! -e \/root\/\.hitc-fw-backup \] && \[ ! -e \/root\/\.hitc-fw-backup\.rb \] && \{ kill 4242 2>\/dev\/null; true; \}$/, 'claims the backup; never kills a timer that is restoring');
});

test('a fresh login slower than two thirds of the window counts as failed: the rollback is never raced', async () => {
  const host = shell();
  const started = Date.now();
  await assert.rejects(applyFirewall(host, () => new Promise(() => undefined), 'web', INPUT, { rollbackSec: 3 }), /fresh SSH login failed, so the previous rules were restored \(no fresh SSH login within 2 s\)/);
  assert.ok(Date.now() - started < 3000);
  assert.equal(host.ran.length, 2, 'rolled back, never confirmed');
});

test('a confirmation the timer has beaten is an error, not a success', async () => {
  const host = shell(/^mv \/root\/\.hitc-fw-backup \/root\/\.hitc-fw-backup\.ok/);
  await assert.rejects(applyFirewall(host, async () => undefined, 'web', INPUT), /web: the new firewall was confirmed too late; the previous rules are back/);
});

test('when even the restore fails, the error says the timer brings the rules back', async () => {
  const host = shell(/kill 4242/);
  await assert.rejects(applyFirewall(host, async () => { throw new Error('refused'); }, 'web', INPUT, { rollbackSec: 30 }), /restoring the previous rules failed; they come back by themselves within 30 s/);
});

const MANIFEST = `10.0.0.5:
  containers:
    app: {image: app}
`;
const observed = (firewall: object): ObservedWorld => ({ servers: { '10.0.0.5': { name: '10.0.0.5', provider: 'unmanaged', ip: '10.0.0.5', internalIp: '10.0.0.5', options: {}, dockerInstalled: true, containers: [], firewall } } });

test('a firewall this ensemble applied but no longer declares is an orphan; another ensemble\'s is not touched', () => {
  const m = parseManifest('m.yml', MANIFEST).manifest!;
  assert.match(planText(planOf(m, observed({ specHash: 'aa', ensemble: 'm', hooked: true }), { name: 'm' })).join('\n'), /Not in the manifest \(kept; remove them with prune\):\n {2}10\.0\.0\.5 firewall: the manifest has no firewall for it any more/);
  assert.doesNotMatch(planText(planOf(m, observed({ specHash: 'aa', ensemble: 'other', hooked: true }), { name: 'm' })).join('\n'), /firewall/);
});

test('chains that INPUT no longer jumps to are re-applied', () => {
  const m = parseManifest('m.yml', `${MANIFEST}  firewall:\n    80: "*"\n`).manifest!;
  const plan = planOf(m, observed({ specHash: 'whatever', ensemble: 'm', hooked: false }), { name: 'm' });
  assert.match(planText(plan).join('\n'), /updated firewalls:\n {2}10\.0\.0\.5 \(1 rules total\): the rules are no longer hooked into INPUT\/DOCKER-USER/);
});

test('manifest sources: only "*", IPv4 addresses / CIDRs, $internal_ips and variables; anything else at file:line', () => {
  const { issues } = parseManifest('m.yml', `10.0.0.5:
  firewall:
    22: "10.0.0.1\\n-A INPUT -j ACCEPT"
    80: -j ACCEPT
    443: [10.0.0.0/8, example.com]
    8080: 10.0.0.1, 10.0.0.300
    9000: ["*", $internal_ips, "\${db.ip}", 192.0.2.0/24]
    ssh_from_applier_only: maybe
db:
  provider: local
`);
  assert.deepEqual(issues.map((i) => `${i.line} ${i.path}: ${i.message}`), [
    '3 10.0.0.5.firewall.22: firewall source "10.0.0.1\\n-A INPUT -j ACCEPT" is not an IPv4 address or CIDR',
    '4 10.0.0.5.firewall.80: firewall source "-j ACCEPT" is not an IPv4 address or CIDR',
    '5 10.0.0.5.firewall.443: firewall source "example.com" is not an IPv4 address or CIDR',
    '6 10.0.0.5.firewall.8080: firewall source "10.0.0.300" is not an IPv4 address or CIDR',
    '8 10.0.0.5.firewall.ssh_from_applier_only: ssh_from_applier_only must be true or false',
  ]);
});

test('a firewall that admits SSH from no listed source is a WARNING in the plan, unless the manifest says ssh_from_applier_only', () => {
  const plan = (fw: string, obs: object = {}) => planText(planOf(parseManifest('m.yml', `${MANIFEST}  firewall:\n${fw}`).manifest!, observed(obs), { name: 'm' })).join('\n');
  assert.match(plan('    80: "*"\n'), /\nWARNING: 10\.0\.0\.5\.firewall admits SSH \(port 22\) from no listed source: only the address hitc applies it from gets in, and after that address changes or the server reboots nobody can log in\n/);
  assert.doesNotMatch(plan('    80: "*"\n    ssh_from_applier_only: true\n'), /WARNING/);
  assert.doesNotMatch(plan('    80: "*"\n    22: 10.0.0.0/8\n'), /WARNING/);
  assert.doesNotMatch(plan('    "*/*": $internal_ips\n'), /WARNING/);
  assert.match(plan('    "*/udp": "*"\n'), /WARNING/, 'UDP admits no SSH');
});

test('the address hitc connects from is part of the firewall: a new one shows as an update', () => {
  const m = parseManifest('m.yml', `${MANIFEST}  firewall:\n    80: "*"\n    ssh_from_applier_only: true\n`).manifest!;
  const rules = resolveFirewallRules(m.servers[0]!.firewall!.rules, () => undefined, { internalIps: () => [], servers: () => ({}) })!;
  const world = (now: string): ObservedWorld => {
    const o = observed({ specHash: firewallHash(rules, '10.9.9.9'), ensemble: 'm', hooked: true, peer: '10.9.9.9' });
    return { servers: { '10.0.0.5': { ...o.servers['10.0.0.5']!, sshPath: { peer: now, port: '22' } } } };
  };
  assert.match(planText(planOf(m, world('10.9.9.9'), { name: 'm' })).join('\n'), /0 to update, 2 unchanged/);
  assert.match(planText(planOf(m, world('10.9.9.8'), { name: 'm' })).join('\n'), /updated firewalls:\n {2}10\.0\.0\.5 \(1 rules total\): SSH is admitted from 10\.9\.9\.9; hitc now connects from 10\.9\.9\.8/);
});

test('the example manifest hitc init writes admits SSH from a listed source on every firewall', () => {
  const { uncommented } = exampleManifest();
  const m = parseManifest('ensemble.yml', uncommented, { DB_PASSWORD: 'x' }).manifest!;
  const firewalls = m.servers.filter((s) => s.firewall);
  assert.equal(firewalls.length, 3);
  for (const s of firewalls) {
    assert.ok(admitsSshPort(s.firewall!.rules, 22), s.name);
    assert.ok(s.firewall!.rules.some((r) => r.port === 22 && r.sources.every((x) => x !== '*')), `${s.name}: SSH from listed addresses, not everyone`);
    assert.equal(s.firewall!.sshFromApplierOnly, undefined);
  }
});

test('an apply over a left-behind unconfirmed one keeps its backup (the last confirmed rules) and replaces its pending timer', () => {
  const script = applyFirewallCommand({ v4: 'V4', v6: 'V6' }, 45).script;
  const pending = [
    'if [ -e /root/.hitc-fw-backup ]; then pending=yes',
    '  old=$(cat /root/.hitc-fw-timer 2>/dev/null || true)',
    '  if [ -n "$old" ] && grep -qsF /root/.hitc-fw-timer /proc/$old/cmdline; then kill $old 2>/dev/null || true; fi',
    'else pending=no',
    "  if iptables -w -S HITC-FW >/dev/null 2>&1; then { echo '*filter';",
  ].join('\n');
  assert.ok(script.includes(pending), 'the backup is taken only when none is pending');
  assert.ok(script.indexOf(pending) < script.indexOf('setsid nohup sh -c'), 'decided before the new timer starts');
  assert.ok(script.includes('    for t in iptables:docker ip6tables:docker6; do ${t%%:*} -w -C DOCKER-USER -j HITC-FW-DOCKER 2>/dev/null && echo ${t##*:} || true; done; } > /root/.hitc-fw-hooks\nfi\n'), 'the hooks too');
});

test('a rollback timer that does not start leaves no backup behind (or, over a pending apply, restores the last confirmed rules)', () => {
  const script = applyFirewallCommand({ v4: 'V4', v6: 'V6' }, 45).script;
  assert.ok(script.includes('timer=$(cat /root/.hitc-fw-timer 2>/dev/null || true)\nif [ -z "$timer" ]; then\n  if [ $pending = yes ]; then set +e; if mv /root/.hitc-fw-backup /root/.hitc-fw-backup.rb 2>/dev/null; then ok=yes;'));
  assert.ok(script.includes('fi; echo "the rollback timer did not start; the last confirmed rules were restored" >&2; exit 3; fi\n  rm -f /root/.hitc-fw-backup /root/.hitc-fw-backup6 /root/.hitc-fw-hooks; echo "the rollback timer did not start; nothing was changed" >&2; exit 3\nfi\n'));
});

test('without setsid the apply is refused before anything changes (the timer would share the killed process group)', () => {
  const script = applyFirewallCommand({ v4: 'V4', v6: 'V6' }, 45).script;
  const refuse = "command -v setsid >/dev/null 2>&1 || { echo 'this host has no setsid, so the rollback timer could not outlive this connection; nothing was changed' >&2; exit 3; }";
  assert.ok(script.includes(refuse));
  assert.ok(script.indexOf(refuse) < script.indexOf('if [ -e /root/.hitc-fw-backup ]'), 'before any backup is written');
  assert.ok(script.includes('\n( setsid nohup sh -c '), 'always in its own session');
  assert.doesNotMatch(script, /else nohup/, 'no fallback into the apply\'s process group');
});

test('a failed apply claims the backup like the timer and keeps the timer armed when its restore fails', () => {
  const script = applyFirewallCommand({ v4: 'V4', v6: 'V6' }, 45).script;
  assert.match(script, /\nfail\(\) \{ echo "\$1" >&2; if mv \/root\/\.hitc-fw-backup \/root\/\.hitc-fw-backup\.rb 2>\/dev\/null; then .*; \[ -e \/root\/\.hitc-fw-backup \] \|\| kill \$timer 2>\/dev\/null; exit 3; \}\n/);
});

test('Docker (re)starting only re-hooks the chains (never flushing the transient SSH rule), and its failure never fails docker.service', () => {
  const script = persistFirewallCommand().script;
  assert.ok(script.includes("'[Service]\nExecStartPost=-/etc/hitc/firewall-rehook\n' > /etc/systemd/system/docker.service.d/hitc-firewall.conf"));
  const rehook = [
    '#!/bin/sh',
    '# Written by hitc ensemble.up: hooks this server\'\\\'\'s firewall chains back in when Docker starts.',
    '# hitc removes it when the manifest no longer has a firewall for this server (prune=true).',
    'for t in iptables ip6tables; do',
    '  $t -w -S HITC-FW >/dev/null 2>&1 || continue',
    '  $t -w -C INPUT -j HITC-FW 2>/dev/null || $t -w -I INPUT -j HITC-FW',
    '  if $t -w -S HITC-FW-DOCKER >/dev/null 2>&1 && $t -w -L DOCKER-USER -n >/dev/null 2>&1; then',
    '    $t -w -C DOCKER-USER -j HITC-FW-DOCKER 2>/dev/null || $t -w -I DOCKER-USER -j HITC-FW-DOCKER',
    '  fi',
    'done',
    'exit 0',
    '',
  ].join('\n');
  assert.ok(script.includes(`printf '%s' '${rehook}' > /etc/hitc/firewall-rehook && chmod 755 /etc/hitc/firewall-rehook\n`), script);
  assert.ok(script.includes('ExecStart=/etc/hitc/firewall-restore\n'), 'the full restore stays for boot');
  assert.match(unpersistFirewallScript(), /rm -f \/etc\/hitc\/firewall\.rules \/etc\/hitc\/firewall6\.rules \/etc\/hitc\/firewall-restore \/etc\/hitc\/firewall-rehook; true$/);
});

test('a transient SSH rule the live chains lost (a reboot restored the saved copy) is planned as an update, not kept', () => {
  const m = parseManifest('m.yml', `${MANIFEST}  firewall:\n    80: "*"\n    22: 10.1.0.0/16\n`).manifest!;
  const rules = resolveFirewallRules(m.servers[0]!.firewall!.rules, () => undefined, { internalIps: () => [], servers: () => ({}) })!;
  const world = (livePeer: string | undefined): ObservedWorld => {
    const o = observed({ specHash: firewallHash(rules, '10.9.9.9'), ensemble: 'm', hooked: true, ...(livePeer ? { peer: livePeer } : {}) });
    return { servers: { '10.0.0.5': { ...o.servers['10.0.0.5']!, sshPath: { peer: '10.9.9.9', port: '22' } } } };
  };
  assert.match(planText(planOf(m, world('10.9.9.9'), { name: 'm' })).join('\n'), /0 to update, 2 unchanged/);
  assert.match(planText(planOf(m, world(undefined), { name: 'm' })).join('\n'), /updated firewalls:\n {2}10\.0\.0\.5 \(2 rules total\): the transient SSH rule for 10\.9\.9\.9 is missing from the live rules\n/);
});

test('rules that admit SSH, but not from the operator, are a WARNING: the transient rule is gone after a reboot', () => {
  const plan = (fw: string, peer: string) => {
    const o = observed({});
    return planText(planOf(parseManifest('m.yml', `${MANIFEST}  firewall:\n${fw}`).manifest!, { servers: { '10.0.0.5': { ...o.servers['10.0.0.5']!, sshPath: { peer, port: '22' } } } }, { name: 'm' })).join('\n');
  };
  assert.match(plan('    80: "*"\n    22: 10.1.0.0/16\n', '192.0.2.7'), /\nWARNING: 10\.0\.0\.5\.firewall: you \(192\.0\.2\.7\) get in only through a transient rule that is not kept across reboots; add your address to the SSH rule's sources\n/);
  assert.doesNotMatch(plan('    80: "*"\n    22: 10.1.0.0/16\n', '10.1.2.3'), /WARNING/, 'the rules admit the operator');
  assert.doesNotMatch(plan('    80: "*"\n    22: 10.1.0.0/16\n    ssh_from_applier_only: true\n', '192.0.2.7'), /WARNING/);
  assert.doesNotMatch(plan('    80: "*"\n    22: "*"\n', '192.0.2.7'), /WARNING/);
});

test('an earlier apply that was never confirmed (its backup left behind) is read by the probe and planned as an update', () => {
  assert.match(readFirewallHashScript(), /^h=\$\(.* && echo hooked \|\| echo unhooked\); \[ -e \/root\/\.hitc-fw-backup \] && h=\$h\+pending; p=/);
  assert.deepEqual(parseFirewallHash('abc123 my_stack hooked+pending 192.0.2.9\n'), { specHash: 'abc123', ensemble: 'my_stack', hooked: true, pending: true, peer: '192.0.2.9' });
  assert.deepEqual(parseFirewallHash('abc123 my_stack unhooked+pending\n'), { specHash: 'abc123', ensemble: 'my_stack', hooked: false, pending: true });
  const m = parseManifest('m.yml', `${MANIFEST}  firewall:\n    80: "*"\n    22: "*"\n`).manifest!;
  const rules = resolveFirewallRules(m.servers[0]!.firewall!.rules, () => undefined, { internalIps: () => [], servers: () => ({}) })!;
  const obs = (pending: boolean) => observed({ specHash: firewallHash(rules), ensemble: 'm', hooked: true, ...(pending ? { pending: true } : {}) });
  assert.match(planText(planOf(m, obs(false), { name: 'm' })).join('\n'), /0 to update, 2 unchanged/);
  assert.match(planText(planOf(m, obs(true), { name: 'm' })).join('\n'), /updated firewalls:\n {2}10\.0\.0\.5 \(2 rules total\): an earlier apply was never confirmed\n/);
});

test('only the lock-out warning stops ensemble.up; the transient-only one is said, not refused', () => {
  assert.equal(isLockoutWarning(lockoutWarning('web', 22)), true);
  assert.equal(isLockoutWarning(transientOnlyWarning('web', '192.0.2.7')), false);
});
