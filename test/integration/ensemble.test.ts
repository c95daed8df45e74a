// ensemble.up / ensemble.plan on real Docker hosts named by their IPs (unmanaged servers):
// cross-server variables, convergence, exact replacement with reasons, a firewall that admits
// the listed internal IPs and refuses another host, SSH kept transiently without port 22, and manifest
// errors at file:line that change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, CLEAN_ENSEMBLE, hitc, sandbox } from './bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
if (!b.dockerHosts || b.dockerHosts.length < 3 || !b.appImages) throw new Error('the test bed needs 3 Docker hosts (HITC_BED_DOCKER_HOSTS=3 bash test/bed/bed.sh up)');
const [a, bb, cc] = b.dockerHosts as [string, string, string];
const app = b.appImages.httpd;
const outsider = b.hosts[44] as string;
const box = sandbox();
const run = (args: string[]) => hitc(box, args, { timeoutMs: 180_000 });

function manifest(mode: string): string {
  return `# three servers, cross-server variables; one firewall admits SSH from the bed network, one only from hitc
${a}:
  containers:
    web:
      image: ${app}
      ports: [80]
      environment:
        API: http://\${${bb}.containers.api.ip}:80
        CACHE_HOST: \${${cc}.ip}
        MODE: ${mode}
  firewall:
    80: "*"
    ssh_from_applier_only: true
${bb}:
  containers:
    api:
      image: ${app}
      ports: ["80:8081"]
      environment:
        _DEPENDS: \${${cc}.containers.cache.ip}
  firewall:
    8081: $internal_ips
    22: 10.214.0.0/16
${cc}:
  containers:
    cache:
      image: ${app}
      ports: ["80:8082"]
`;
}

async function page(host: string, port: number): Promise<string> {
  try {
    return (await (await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(3000) })).text()).trim();
  } catch {
    return 'unreachable';
  }
}

async function ids(): Promise<string> {
  const r = await run(['-P', '-H', [a, bb, cc].join(','), '--', "docker ps -q --no-trunc --filter label=hitc.ensemble | sort | tr '\\n' ' '"]);
  return r.stdout.split('\n').filter((l) => l.includes(' out: ')).sort().join('\n');
}

before(async () => {
  await run(['-P', '-H', [a, bb, cc].join(','), '--', CLEAN_ENSEMBLE]);
});
after(async () => {
  await run(['-P', '-H', [a, bb, cc].join(','), '--', CLEAN_ENSEMBLE]);
});

test('up converges a 3-server manifest; a second up changes nothing; an edit replaces exactly one container', async () => {
  writeFileSync(join(box.dir, 'stack.yml'), manifest('prod'));
  const plan = await run(['ensemble.plan:stack']);
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /The following containers will be created:\n.*cache \(10\.214\.253\.4\): no such container/);
  assert.match(plan.stdout, /api \(10\.214\.253\.3\): waits for cache \(10\.214\.253\.4\)/);

  const up = await run(['ensemble.up:stack', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, /converged: observing again finds no changes/);
  assert.equal(await page(a, 80), '<h1>hitc test app</h1>');
  // the web container got the api container's address and the cache server's address
  const env = await run(['-H', a, '--', 'docker inspect -f "{{range .Config.Env}}{{println .}}{{end}}" web | grep -E "^(API|CACHE_HOST)="']);
  assert.match(env.stdout, /out: API=http:\/\/172\.17\.\d+\.\d+:80/);
  assert.match(env.stdout, new RegExp(`out: CACHE_HOST=${cc.replace(/\./g, '\\.')}`));

  const before2 = await ids();
  const again = await run(['ensemble.up:stack', '--yes']);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /No changes\./);
  assert.equal(await ids(), before2, 'no container was touched');

  writeFileSync(join(box.dir, 'stack.yml'), manifest('staging'));
  const edited = await run(['ensemble.plan:stack,exit_code=true']);
  assert.equal(edited.code, 3);
  assert.match(edited.stdout, /The following containers will restart:\n.*web \(10\.214\.253\.2\): environment MODE: prod → staging; swapped with health check \(the image's HEALTHCHECK \(up to 2 min\), else running for 2 s\), traffic switched to it before the old one stops \(10 s to finish\), old kept for rollback\nPlan: 0 to create, 1 to replace, 0 to update, 7 unchanged\./);
  const applied = await run(['ensemble.up:stack', '--yes']);
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  const after2 = await ids();
  const changed = before2.split('\n').filter((l) => !after2.includes(l.split(' out: ')[1] ?? '')).length;
  assert.equal(changed, 1, 'only the web host has a new container id');
  const clean = await run(['ensemble.plan:stack,exit_code=true']);
  assert.equal(clean.code, 0);
});

test('a container removed from the manifest is an orphan: reported, kept, and removed only with prune=true', async () => {
  writeFileSync(join(box.dir, 'stack.yml'), manifest('staging').replace(/\n    cache:\n      image: .*\n      ports: \["80:8082"\]\n/, '\n    cache:\n      image: ' + app + '\n      ports: ["80:8082"]\n    extra:\n      image: ' + app + '\n'));
  assert.equal((await run(['ensemble.up:stack', '--yes'])).code, 0);
  writeFileSync(join(box.dir, 'stack.yml'), manifest('staging'));
  const kept = await run(['ensemble.up:stack', '--yes']);
  assert.equal(kept.code, 0, kept.stdout + kept.stderr);
  assert.match(kept.stdout, /Not in the manifest \(kept; remove them with prune\):\n.*extra \(10\.214\.253\.4\): not in the manifest any more\nNo changes\. \(1 orphaned, kept\)/);
  const pruned = await run(['ensemble.up:stack,prune=true', '--yes']);
  assert.equal(pruned.code, 0, pruned.stdout + pruned.stderr);
  const left = await run(['-H', cc, '--', "docker ps -a --format '{{.Names}}' | grep -cx extra || true"]);
  assert.match(left.stdout, /out: 0/);
});

test('the firewall admits the listed internal IPs, refuses another host, and never cuts SSH', async () => {
  // 8081 on bb is open to the manifest's servers only
  const fromA = await run(['-H', a, '--', `curl -s -m 3 http://${bb}:8081/ || echo refused`]);
  assert.match(fromA.stdout, /out: <h1>hitc test app<\/h1>/);
  assert.equal(await page(bb, 8081), 'unreachable', 'this machine is not listed');
  const fromOutsider = await run(['-H', outsider, '--', `curl -s -m 3 http://${bb}:8081/ || echo refused`]);
  assert.match(fromOutsider.stdout, /out: refused/);
  // a's firewall does not open 22 (only hitc's address, transiently), yet new SSH logins still work
  const ssh = await run(['-P', '-H', [a, bb].join(','), '--', 'echo still-in']);
  assert.equal((ssh.stdout.match(/out: still-in/g) ?? []).length, 2);
});

test('the firewall survives a reboot: saved with a restore script that puts chains and hooks back', async () => {
  const saved = await run(['-H', bb, '--', 'grep -c "hitc-fw-hash" /etc/hitc/firewall.rules; test -x /etc/hitc/firewall-restore && echo restorable']);
  assert.match(saved.stdout, /out: 1\n.*out: restorable/);
  // what a reboot does to iptables: everything hitc put there is gone
  const wipe = 'iptables -w -D INPUT -j HITC-FW; iptables -w -D DOCKER-USER -j HITC-FW-DOCKER; iptables -w -F HITC-FW; iptables -w -X HITC-FW; iptables -w -F HITC-FW-DOCKER; iptables -w -X HITC-FW-DOCKER';
  assert.equal((await run(['-H', bb, '--', wipe])).code, 0);
  assert.equal(await page(bb, 8081) === 'unreachable', false, 'open while the rules are gone');
  // what the boot unit (or Docker's drop-in) runs
  assert.equal((await run(['-H', bb, '--', '/etc/hitc/firewall-restore'])).code, 0);
  assert.equal(await page(bb, 8081), 'unreachable', 'closed to this machine again');
  const plan = await run(['ensemble.plan:stack,exit_code=true']);
  assert.equal(plan.code, 0, `the restored rules are exactly the applied ones\n${plan.stdout}`);
});

test('a firewall dropped from the manifest is an orphan: kept, then taken off with prune=true', async () => {
  writeFileSync(join(box.dir, 'stack.yml'), manifest('staging').replace('  firewall:\n    8081: $internal_ips\n    22: 10.214.0.0/16\n', ''));
  const kept = await run(['ensemble.up:stack', '--yes']);
  assert.equal(kept.code, 0, kept.stdout + kept.stderr);
  assert.match(kept.stdout, new RegExp(`Not in the manifest \\(kept; remove them with prune\\):\n  ${bb.replace(/\./g, '\\.')} firewall: the manifest has no firewall for it any more`));
  assert.match((await run(['-H', bb, '--', 'iptables -S INPUT | grep -c HITC-FW'])).stdout, /out: 1/);
  const pruned = await run(['ensemble.up:stack,prune=true', '--yes']);
  assert.equal(pruned.code, 0, pruned.stdout + pruned.stderr);
  assert.match((await run(['-H', bb, '--', 'iptables -S INPUT | grep -c HITC-FW; iptables -S HITC-FW 2>/dev/null | wc -l; ls /etc/hitc/ 2>/dev/null | wc -l'])).stdout, /out: 0\n.*out: 0\n.*out: 0/);
  assert.equal(await page(bb, 8081), '<h1>hitc test app</h1>', 'no firewall: open again');
  writeFileSync(join(box.dir, 'stack.yml'), manifest('staging'));
});

test('logged in as a sudo user, the firewall goes on and keeps the SSH path hitc uses', async () => {
  // the previous test took bb's firewall off; the manifest has it again; a's goes on again too
  assert.equal((await run(['-H', a, '--', 'for t in iptables ip6tables; do $t -w -D INPUT -j HITC-FW; $t -w -D DOCKER-USER -j HITC-FW-DOCKER; done 2>/dev/null; true'])).code, 0);
  const asUbuntu = await hitc(box, ['ensemble.up:stack', '--yes'], { env: { HITC_SSH_USER: 'ubuntu' }, timeoutMs: 180_000 });
  assert.equal(asUbuntu.code, 0, asUbuntu.stdout + asUbuntu.stderr);
  assert.match(asUbuntu.stdout, /✓ apply firewall on 10\.214\.253\.3 \(2 rules\): 2 rules in place, fresh SSH login confirmed/);
  assert.match(asUbuntu.stdout, /✓ apply firewall on 10\.214\.253\.2 \(1 rule\): 1 rule in place, fresh SSH login confirmed/);
  const rules = await run(['-H', a, '--', 'iptables -S HITC-FW | grep "the SSH path in use"']);
  assert.match(rules.stdout, /out: -A HITC-FW -s 10\.214\.[\d.]+\/32 -p tcp -m tcp --dport 22 .* -j RETURN/);
  assert.match((await hitc(box, ['ensemble.plan:stack'], { env: { HITC_SSH_USER: 'ubuntu' } })).stdout, /No changes\./);
});

test('manifest errors: a cycle, unknown server/container/template, a bad port spec — file:line, exit 2, nothing changed', async () => {
  const beforeIds = await ids();
  writeFileSync(join(box.dir, 'bad.yml'), `${a}:
  containers:
    web:
      image: ${app}
      ports: ["80:http"]
      environment:
        X: \${nosuch.ip}
        Y: \${${bb}.containers.nope.ip}
  firewall:
    template: missing
${bb}:
  containers:
    one:
      image: ${app}
      environment: {T: '\${${bb}.containers.two.ip}'}
    two:
      image: ${app}
      environment: {O: '\${${bb}.containers.one.ip}'}
`);
  const r = await run(['ensemble.up:bad', '--yes']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  const text = r.stdout + r.stderr;
  assert.match(text, /bad\.yml:5: .*ports\[0\]: invalid port spec "80:http"/);
  assert.match(text, /bad\.yml:7: .*unknown server "nosuch"/);
  assert.match(text, /bad\.yml:8: .*unknown container "nope" on server 10\.214\.253\.3/);
  assert.match(text, /bad\.yml:10: .*unknown template "missing"/);
  assert.match(text, /bad\.yml:(13|16): .*dependency cycle: 10\.214\.253\.3\.containers\.(one|two) → /);
  assert.doesNotMatch(text, /\n\s+at /);
  assert.equal(await ids(), beforeIds, 'nothing changed on any host');
});
