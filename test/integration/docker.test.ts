// docker.* against real Docker hosts of the test bed (sshd + inner dockerd), with app images
// from the bed's local registry. Pages are fetched over HTTP from this machine (another host).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; bareHost?: string; registry?: string; appImages?: { httpd: string; sshd: string } };
if (!b.dockerHosts || b.dockerHosts.length < 2 || !b.appImages || !b.bareHost) {
  throw new Error('the test bed has no Docker hosts: bed.json lacks dockerHosts/appImages/bareHost (run bash test/bed/bed.sh up)');
}
const [dh1, dh2] = b.dockerHosts as [string, string];
const app = b.appImages.httpd;
const box = sandbox();
const run = (args: string[], timeoutMs = 90_000) => hitc(box, args, { timeoutMs });

async function page(host: string, port: number): Promise<string> {
  try {
    const res = await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(3000) });
    return (await res.text()).trim();
  } catch (error) {
    return `unreachable: ${(error as Error).message}`;
  }
}

test('run → ps → page answers → bind → unbind → kill leaves no container and no rule', async () => {
  await run(['-H', dh1, '--', 'docker rm -f web >/dev/null 2>&1; true']);
  const started = await run(['-H', dh1, `docker.run:${app},name=web,ports=80`]);
  assert.equal(started.code, 0, started.stdout + started.stderr);

  const ps = await run(['-H', dh1, 'docker.ps']);
  assert.match(ps.stdout, new RegExp(`\\[${dh1}\\] name +ip +ports +created +image\n`), 'the table header');
  assert.match(ps.stdout, new RegExp(`\\[${dh1}\\] web +172\\.\\d+\\.\\d+\\.\\d+ +80:80 +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +${app.replace(/[.]/g, '\\.')}`));
  assert.equal(await page(dh1, 80), '<h1>hitc test app</h1>');
  assert.match(await page(dh1, 8080), /unreachable/);

  const bound = await run(['-H', dh1, 'docker.bind:web,80:8080']);
  assert.equal(bound.code, 0, bound.stdout + bound.stderr);
  assert.equal(await page(dh1, 8080), '<h1>hitc test app</h1>');
  const again = await run(['-H', dh1, 'docker.bind:web,80:8080']); // idempotent
  assert.equal(again.code, 0);
  const ps2 = await run(['--json', '-H', dh1, 'docker.ps']);
  const rows = JSON.parse(ps2.stdout).tasks[0].hosts[0].value as { name: string; ports: string }[];
  assert.deepEqual(rows.find((r) => r.name === 'web')?.ports, '80:80, 80:8080');

  const unbound = await run(['-H', dh1, 'docker.unbind:web,80:8080']);
  assert.equal(unbound.code, 0);
  assert.match(await page(dh1, 8080), /unreachable/);
  assert.equal(await page(dh1, 80), '<h1>hitc test app</h1>');

  await run(['-H', dh1, 'docker.bind:web,80:8081']);
  const killed = await run(['-H', dh1, 'docker.kill:web']);
  assert.equal(killed.code, 0, killed.stdout + killed.stderr);
  const left = await run(['-H', dh1, '--', "docker ps -a --format '{{.Names}}' | grep -cx web; iptables -S HITC-BIND | grep -c hitc-bind:web; iptables -t nat -S HITC-BIND | grep -c hitc-bind:web; true"]);
  assert.deepEqual(left.stdout.split('\n').filter((l) => l.includes(' out: ')).map((l) => l.split(' out: ')[1]), ['0', '0', '0']);
  assert.match(await page(dh1, 8081), /unreachable/);
});

test('as a non-root user docker runs through sudo; kill rm=false keeps the container; a stopped one is replaced', async () => {
  const ub = `ubuntu@${dh2}`;
  await run(['-H', dh2, '--', 'docker rm -f keep >/dev/null 2>&1; true']);
  const r = await run(['-H', ub, `docker.run:${app},name=keep,ports=80:8090`]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /sudo: docker run -d --name keep -p 8090:80/);
  assert.equal(await page(dh2, 8090), '<h1>hitc test app</h1>');
  const k = await run(['-H', ub, 'docker.kill:keep,rm=false']);
  assert.equal(k.code, 0, k.stdout + k.stderr);
  const state = await run(['-H', dh2, '--', "docker ps -a --filter name=^keep$ --format '{{.State}}'"]);
  assert.match(state.stdout, /out: exited/);
  const replaced = await run(['-H', ub, `docker.run:${app},name=keep`]);
  assert.equal(replaced.code, 0, replaced.stdout + replaced.stderr);
  assert.match(replaced.stdout, /replacing the stopped container keep/);
  assert.equal((await run(['-H', ub, 'docker.kill:keep'])).code, 0);
});

test('logs, inspect, exec and pull', async () => {
  await run(['-H', dh1, '--', 'docker rm -f lg >/dev/null 2>&1; true']);
  // the tag goes (the image may stay for containers using it): pull must bring the tag back
  assert.equal((await run(['-H', dh1, '--', `docker rmi -f ${app} >/dev/null; docker image inspect ${app} >/dev/null 2>&1 && echo still-tagged || echo untagged`])).stdout.match(/out: (\S+)/)?.[1], 'untagged');
  const pulled = await run(['-H', dh1, `docker.pull:${app}`]);
  assert.equal(pulled.code, 0, pulled.stdout + pulled.stderr);
  assert.match((await run(['-H', dh1, '--', `docker image inspect -f '{{.Id}}' ${app}`])).stdout, /out: sha256:[0-9a-f]{64}\n/, 'the tag is on the host again');
  assert.equal((await run(['-H', dh1, `docker.run:${app},name=lg,command=sh -c "echo hello-logs; sleep 600"`])).code, 0);
  await new Promise((r) => setTimeout(r, 500));
  assert.match((await run(['-H', dh1, 'docker.logs:lg'])).stdout, /out: hello-logs/);
  assert.match((await run(['-H', dh1, 'docker.inspect:lg'])).stdout, /"Name": "\/lg"/);
  assert.match((await run(['-H', dh1, 'docker.exec:lg,cmd=cat /www/index.html'])).stdout, /out: <h1>hitc test app<\/h1>/);
  await run(['-H', dh1, 'docker.kill:lg']);
});

test('clear errors naming the host: missing image, unknown container, bad port spec (exit 2, nothing changed)', async () => {
  const missing = await run(['-H', dh1, `docker.run:${b.registry}/hitc/no-such-image,name=ghost`]);
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, new RegExp(`\\[${dh1}\\] FAILED: image ${b.registry}/hitc/no-such-image is not on ${dh1} and could not be pulled: .*not found`));
  const unknown = await run(['-H', dh1, 'docker.kill:nope']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stdout, new RegExp(`no container named "nope" on ${dh1}`));
  const bad = await run(['-H', dh1, `docker.run:${app},name=badport,ports=80:http`]);
  assert.equal(bad.code, 2);
  assert.match(bad.stdout + bad.stderr, /invalid port spec "80:http" in ports/);
  const none = await run(['-H', dh1, '--', "docker ps -a --format '{{.Names}}' | grep -c -e badport -e ghost || true"]);
  assert.match(none.stdout, /out: 0/);
});

test('docker.setup installs and starts Docker on a bare host; a second setup changes nothing', { timeout: 600_000 }, async () => {
  const bare = b.bareHost as string;
  const before = await run(['-H', bare, '--', 'command -v docker || echo no-docker']);
  assert.match(before.stdout, /out: no-docker/);
  const first = await run(['-H', bare, 'docker.setup'], 540_000);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /installing docker\.io/);
  const info = await run(['-H', bare, '--', "docker info --format '{{.ServerVersion}}'"]);
  assert.match(info.stdout, /out: \d+\.\d+/);
  const second = await run(['-H', bare, 'docker.setup']);
  assert.equal(second.code, 0);
  assert.match(second.stdout, /docker is already set up: nothing to do/);
  assert.doesNotMatch(second.stdout, /installing|apt-get update|service docker start/);
});

test('docker.ssh runs a command in a container with sshd, through the host; docker.tunnel forwards a local port', async () => {
  const sshImage = (b.appImages as { sshd: string }).sshd;
  await run(['-H', dh2, '--', 'docker rm -f sshbox tun >/dev/null 2>&1; true']);
  assert.equal((await run(['-H', dh2, `docker.run:${sshImage},name=sshbox`])).code, 0);
  // key auth (the bed key), host key accepted under a per-container alias
  let viaKey = await run(['-H', dh2, 'docker.ssh:sshbox,cmd=hostname; id -un']);
  for (let i = 0; i < 10 && viaKey.code !== 0; i++) {
    await new Promise((r) => setTimeout(r, 500)); // sshd in the new container may still be starting
    viaKey = await run(['-H', dh2, 'docker.ssh:sshbox,cmd=hostname; id -un']);
  }
  assert.equal(viaKey.code, 0, viaKey.stdout + viaKey.stderr);
  assert.match(viaKey.stdout, new RegExp(`\\[${dh2}>root@172\\.[\\d.]+\\] out: root`));
  // password auth, as the original's docker.ssh did; the password never shows
  const noKeys = sandbox();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(noKeys.sshConfig, `Host ${dh2}\n  User root\n  IdentityFile ${b.key}\nHost *\n  IdentitiesOnly yes\n  UserKnownHostsFile ${noKeys.knownHosts}\n`);
  const viaPassword = await hitc(noKeys, ['-H', dh2, 'docker.ssh:sshbox,cmd=echo pw-ok,password=root']);
  assert.equal(viaPassword.code, 0, viaPassword.stdout + viaPassword.stderr);
  assert.match(viaPassword.stdout, /out: pw-ok/);

  assert.equal((await run(['-H', dh2, `docker.run:${app},name=tun`])).code, 0);
  const local = 18000 + (process.pid % 1000);
  let answered = '';
  const tunnel = await hitc(box, ['-H', dh2, `docker.tunnel:tun,${local},80`], {
    timeoutMs: 30_000,
    onStdout: (text, child) => {
      if (answered === '' && text.includes('forwarding localhost')) {
        answered = 'pending';
        page('127.0.0.1', local).then((body) => {
          answered = body;
          child.kill('SIGINT');
        });
      }
    },
  });
  assert.equal(answered, '<h1>hitc test app</h1>');
  assert.equal(tunnel.code, 130);
  await run(['-H', dh2, 'docker.kill:sshbox']);
  await run(['-H', dh2, 'docker.kill:tun']);
});
