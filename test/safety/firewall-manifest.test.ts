// Firewall manifests that could hurt a real host: sources that would inject rules into the
// iptables-restore input, and a firewall that admits SSH from no listed source (after the
// operator's address changes or a reboot, nobody logs in). Each is refused with exit 2 at
// file:line before anything changes (iptables-save, ip6tables-save and /etc/hitc compared).
// Accepted explicitly (ssh_from_applier_only), the SSH rule for hitc's address is live but
// never saved for boot; Docker's own bridges (exactly docker0 and br-+) are the only exempt ones.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, CLEAN_ENSEMBLE, hitc, sandbox } from '../integration/bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[] };
if (!b.dockerHosts || b.dockerHosts.length < 3) throw new Error('the test bed needs 3 Docker hosts');
const host = b.dockerHosts[1] as string;
const box = sandbox();
const run = (args: string[]) => hitc(box, ['-t', '3', ...args], { timeoutMs: 120_000 });
const STATE = "for t in iptables ip6tables; do echo \"== $t\"; $t-save -t filter | grep -v '^#' | sed -E 's/\\[[0-9]+:[0-9]+\\]/[0:0]/'; done; ls -la /etc/hitc 2>&1 | tail -n +2";
const state = async (): Promise<string> => {
  const r = await run(['-H', host, '--', STATE]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout;
};
const manifest = (firewall: string): void => writeFileSync(join(box.dir, 'fw.yml'), `${host}:\n  firewall:\n${firewall}`);

after(async () => {
  await run(['-H', host, '--', CLEAN_ENSEMBLE]);
});

test('sources that would inject rules (a newline, an option, a name) are refused at file:line, exit 2, nothing changed', async () => {
  assert.equal((await run(['-H', host, '--', CLEAN_ENSEMBLE])).code, 0);
  const before = await state();
  manifest('    22: "10.214.0.1\\n-A HITC-FW -j ACCEPT"\n    80: -j ACCEPT\n    443: [10.214.0.0/16, evil.example]\n');
  for (const task of ['ensemble.plan:fw', 'ensemble.up:fw']) {
    const r = await run([task, '--yes']);
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 2, out);
    assert.match(out, /fw\.yml:3\b[^\n]*firewall source "10\.214\.0\.1\\n-A HITC-FW -j ACCEPT" is not an IPv4 address or CIDR/);
    assert.match(out, /fw\.yml:4\b[^\n]*firewall source "-j ACCEPT" is not an IPv4 address or CIDR/);
    assert.match(out, /fw\.yml:5\b[^\n]*firewall source "evil\.example" is not an IPv4 address or CIDR/);
    assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
  }
  assert.equal(await state(), before);
});

test('a firewall without SSH from a listed source: a WARNING in the plan, refused by up (exit 2, nothing changed)', async () => {
  const before = await state();
  manifest('    80: "*"\n');
  const plan = await run(['ensemble.plan:fw']);
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout, new RegExp(`WARNING: ${host.replace(/\./g, '\\.')}\\.firewall admits SSH \\(port 22\\) from no listed source: only the address hitc applies it from gets in, and after that address changes or the server reboots nobody can log in`));
  const up = await run(['ensemble.up:fw', '--yes']);
  const out = up.stdout + up.stderr;
  assert.equal(up.code, 2, out);
  assert.match(out, new RegExp(`fw\\.yml:2\\b[^\\n]*${host.replace(/\./g, '\\.')}\\.firewall would admit SSH from no listed source \\(nothing was changed\\)`));
  assert.match(out, /ssh_from_applier_only: true/, 'the hint names the key');
  assert.doesNotMatch(out, /✓ apply firewall/);
  assert.equal(await state(), before);
});

test('accepted with ssh_from_applier_only: hitc\'s address is admitted live (IPv4 and IPv6 chains), never in the boot copy; Docker exempts exactly docker0 and br-+', async () => {
  manifest('    80: "*"\n    ssh_from_applier_only: true\n');
  const up = await run(['ensemble.up:fw', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.doesNotMatch(up.stdout, /WARNING/);
  const live = await run(['-H', host, '--', 'iptables -S HITC-FW; iptables -S HITC-FW-DOCKER; echo == boot; cat /etc/hitc/firewall.rules; echo == v6; ip6tables -S HITC-FW; ip6tables -S INPUT']);
  const [v4 = '', rest = ''] = live.stdout.split('out: == boot');
  const [boot = '', v6 = ''] = rest.split('out: == v6');
  assert.match(v4, /out: -A HITC-FW -s 10\.214\.[\d.]+\/32 -p tcp -m tcp --dport 22 -m comment --comment "hitc: the SSH path in use" -j RETURN/);
  assert.match(boot, /hitc-fw-hash:/, 'the boot copy has the rules');
  assert.doesNotMatch(boot, /SSH path|--dport 22/, 'but never the transient SSH rule');
  assert.match(v4, /out: -A HITC-FW-DOCKER -i docker0 -j RETURN\n.*out: -A HITC-FW-DOCKER -i br-\+ -j RETURN\n/);
  assert.doesNotMatch(v4, /-i br\+ /, 'an external br0 is filtered like any other interface');
  assert.match(v6, /out: -A HITC-FW -p ipv6-icmp -j RETURN[\s\S]*out: -A HITC-FW -p tcp -m tcp --dport 80 -j RETURN\n.*out: -A HITC-FW -j DROP[\s\S]*out: -A INPUT -j HITC-FW/);
  const again = await run(['ensemble.plan:fw,exit_code=true']);
  assert.equal(again.code, 0, `converged\n${again.stdout}${again.stderr}`);
});

test('SSH admitted from a listed range: no transient rule at all, and the rules saved for boot are the live ones', async () => {
  manifest('    80: "*"\n    22: 10.214.0.0/16\n');
  const up = await run(['ensemble.up:fw', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  const r = await run(['-H', host, '--', "iptables-save -t filter | grep -E '^-A HITC-FW(-DOCKER)? ' > /tmp/sf-firewall-live; grep -E '^-A ' /etc/hitc/firewall.rules | diff - /tmp/sf-firewall-live && echo same; grep -c 'SSH path' /tmp/sf-firewall-live; rm -f /tmp/sf-firewall-live"]);
  assert.match(r.stdout, /out: same\n.*out: 0/);
});
