// IPv6: a firewall that only set iptables left every port open over v6. A bed Docker host is
// given a global IPv6 address (a v6-enabled network on the outer Docker daemon); sshd listens
// on 22 and on two more ports there. With a firewall that admits 2201 to everyone and 22 and
// 2202 to an IPv4 range only, over IPv6 only 2201 answers (over IPv4 this machine still gets
// 22 and 2202). A host with a global v6 address but no working ip6tables is refused, nothing
// changed. The network, the extra sshd and the rules are removed afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { bed, CLEAN_ENSEMBLE, hitc, sandbox } from '../integration/bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[] };
if (!b.dockerHosts || b.dockerHosts.length < 3) throw new Error('the test bed needs 3 Docker hosts');
const host = b.dockerHosts[0] as string;
const NET = 'sf-firewall-v6';
const SUBNET = 'fd00:5f:f1::/64';
const box = sandbox();
const run = (args: string[]) => hitc(box, ['-t', '3', ...args], { timeoutMs: 120_000 });
const onHost = (command: string) => run(['-H', host, '--', command]);
const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const STATE = "for t in iptables ip6tables; do echo \"== $t\"; $t-save -t filter | grep -v '^#' | sed -E 's/\\[[0-9]+:[0-9]+\\]/[0:0]/'; done; ls /etc/hitc 2>&1";
const EXTRA_SSHD = 'for p in 2201 2202; do /usr/sbin/sshd -p $p -o PidFile=/run/sf-firewall-sshd-$p.pid; done';
const STOP_SSHD = 'for p in 2201 2202; do [ -f /run/sf-firewall-sshd-$p.pid ] && kill $(cat /run/sf-firewall-sshd-$p.pid); rm -f /run/sf-firewall-sshd-$p.pid; done; true';
let container = '';
let v6 = '';

/** Whether an SSH banner comes back from address:port within 2.5 s (a dropped SYN never answers). */
function answers(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 2500);
    socket.on('data', (d: Buffer) => {
      clearTimeout(timer);
      done(d.toString().startsWith('SSH-'));
    });
    socket.on('error', () => {
      clearTimeout(timer);
      done(false);
    });
  });
}

before(async () => {
  container = docker('ps', '--format', '{{.Names}}', '--filter', 'network=hitc-bed').split('\n')
    .find((name) => docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', name).split(' ').includes(host)) ?? '';
  if (!container) throw new Error(`no container on the outer Docker daemon has the bed address ${host}`);
  execFileSync('sh', ['-c', `docker network disconnect -f ${NET} ${container} 2>/dev/null; docker network rm ${NET} 2>/dev/null; true`]);
  docker('network', 'create', '--ipv6', '--subnet', SUBNET, NET);
  docker('network', 'connect', NET, container);
  v6 = docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${NET}").GlobalIPv6Address}}`, container);
  assert.match(v6, /^fd00:5f:f1::/);
  assert.equal((await onHost(CLEAN_ENSEMBLE)).code, 0);
  const started = await onHost(EXTRA_SSHD);
  assert.equal(started.code, 0, started.stdout + started.stderr);
});

after(async () => {
  await onHost(`[ -e /usr/sbin/ip6tables.sf-firewall ] && mv /usr/sbin/ip6tables.sf-firewall /usr/sbin/ip6tables; ${STOP_SSHD}; ${CLEAN_ENSEMBLE}`);
  execFileSync('sh', ['-c', `docker network disconnect -f ${NET} ${container} 2>/dev/null; docker network rm ${NET} 2>/dev/null; true`]);
});

test('without a firewall the host answers over IPv6 on every port (the premise)', async () => {
  for (const port of [22, 2201, 2202]) assert.equal(await answers(v6, port), true, `[${v6}]:${port}`);
});

test('with ip6tables missing, a host with a global IPv6 address is refused: exit 1, the reason, nothing changed', async () => {
  const before = (await onHost(STATE)).stdout;
  writeFileSync(join(box.dir, 'fw.yml'), `${host}:\n  firewall:\n    2201: "*"\n    22: 10.214.0.0/16\n`);
  assert.equal((await onHost('mv /usr/sbin/ip6tables /usr/sbin/ip6tables.sf-firewall')).code, 0);
  let up;
  try {
    up = await run(['ensemble.up:fw', '--yes']);
  } finally {
    assert.equal((await onHost('mv /usr/sbin/ip6tables.sf-firewall /usr/sbin/ip6tables')).code, 0);
  }
  const out = up.stdout + up.stderr;
  assert.equal(up.code, 1, out);
  assert.match(out, /this host has a global IPv6 address but no working ip6tables, so hitc cannot close its ports over IPv6/);
  assert.doesNotMatch(out, /\n\s+at /);
  assert.equal((await onHost(STATE)).stdout, before);
  assert.match((await onHost('[ -e /root/.hitc-fw-backup ] && echo armed || echo not-armed')).stdout, /out: not-armed/, 'refused before the dead man\'s switch was even armed');
});

test('the rules are mirrored to IPv6: over v6 only the port open to everyone answers; over v4 the listed range still gets in', async () => {
  writeFileSync(join(box.dir, 'fw.yml'), `${host}:\n  firewall:\n    2201: "*"\n    22: 10.214.0.0/16\n    2202: 10.214.0.0/16\n`);
  const up = await run(['ensemble.up:fw', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.equal(await answers(v6, 2201), true, 'admitted to everyone');
  assert.equal(await answers(v6, 22), false, 'IPv4 sources admit nobody over v6');
  assert.equal(await answers(v6, 2202), false);
  assert.equal(await answers(host, 22), true);
  assert.equal(await answers(host, 2202), true, 'this machine is in 10.214.0.0/16');
  const saved = await onHost('grep -c -- "-A HITC-FW " /etc/hitc/firewall6.rules');
  assert.match(saved.stdout, /out: [1-9]/, 'the v6 rules are kept for boot too');
  const plan = await run(['ensemble.plan:fw,exit_code=true']);
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
});

test('an IPv4-only firewall left by an older hitc counts as not hooked, so up mirrors it to v6', async () => {
  assert.equal((await onHost('ip6tables -w -D INPUT -j HITC-FW; ip6tables -w -F HITC-FW; ip6tables -w -X HITC-FW')).code, 0);
  assert.equal(await answers(v6, 2202), true, 'open over v6 again');
  const plan = await run(['ensemble.plan:fw']);
  assert.match(plan.stdout, /updated firewalls:\n.*the rules are no longer hooked into INPUT\/DOCKER-USER/);
  assert.equal((await run(['ensemble.up:fw', '--yes'])).code, 0);
  assert.equal(await answers(v6, 2202), false);
});
