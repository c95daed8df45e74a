// Surviving reboots: an ensemble brought up on a bed Docker host, then that host restarted (its
// bed container, as a server's power would be: once after Docker was shut down in order, as a
// reboot does, once with everything killed at once, as a power cut does). Every ensemble
// container runs again without hitc, keeps its id (Docker restarted it, nobody made it anew),
// and the next plan says "No changes.". docker inspect shows the policy and log rotation asked for.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
if (!b.dockerHosts || b.dockerHosts.length < 1 || !b.appImages) throw new Error('the test bed needs a Docker host (HITC_BED_DOCKER_HOSTS=3 bash test/bed/bed.sh up)');
// a host no other test uses when the bed has 10 (the first three are everyone's, [7] is the
// audit test's, [8] and [9] the lock test's): its restart must not pull the floor from under them
const host = b.dockerHosts.at(-1) as string;
const app = b.appImages.httpd;
const box = sandbox();
const run = (args: string[]) => hitc(box, args, { timeoutMs: 180_000 });
const ENSEMBLE = 'sf-restart-reboot';
const PORT = 18431;
const CLEAN = `docker rm -f $(docker ps -aq --filter label=hitc.ensemble=${ENSEMBLE}) >/dev/null 2>&1; true`;

/** The bed container that is this host, found by its address on the bed network. */
function bedContainer(): string {
  const names = execFileSync('docker', ['ps', '-a', '--format', '{{.Names}}', '--filter', 'network=hitc-bed'], { encoding: 'utf8' }).trim().split('\n');
  const name = names.find((n) => execFileSync('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', n], { encoding: 'utf8' }).split(' ').includes(host));
  assert.ok(name, `no bed container has the address ${host}`);
  return name;
}

/** A command on the host from the outside (its console, as it were): no hitc, no SSH. */
function consoleRun(container: string, command: string): string | undefined {
  try {
    return execFileSync('docker', ['exec', container, 'sh', '-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

async function on(command: string): Promise<string> {
  const r = await run(['-H', host, '--', command]);
  assert.equal(r.code, 0, `${command}\n${r.stdout}${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.includes(' out: ')).map((l) => l.replace(/^.* out: /, '')).join('\n');
}

/** `NAME ID STARTED` of the ensemble's running containers, sorted, as the host's Docker sees them. */
const RUNNING = `docker ps -q --filter label=hitc.ensemble=${ENSEMBLE} | xargs -r docker inspect -f '{{.Name}} {{.Id}} {{.State.StartedAt}}' | sed 's,^/,,' | sort`;
const parse = (text: string) => text.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string, string]);

async function page(): Promise<string> {
  try {
    return (await (await fetch(`http://${host}:${PORT}/`, { signal: AbortSignal.timeout(3000) })).text()).trim();
  } catch {
    return 'unreachable';
  }
}

before(async () => {
  assert.match(await on('docker version -f "{{.Server.Version}}"'), /^\d+\./, `dockerd answers on ${host} before the test`);
  await on(CLEAN);
});
after(async () => {
  // whatever happened above: the host and its Docker answer again (a restart brings dockerd up
  // by the bed's entrypoint), and this test leaves nothing behind
  const c = bedContainer();
  if (execFileSync('docker', ['inspect', '-f', '{{.State.Running}}', c], { encoding: 'utf8' }).trim() !== 'true') execFileSync('docker', ['start', c]);
  for (let i = 0; i < 600 && consoleRun(c, 'docker version -f "{{.Server.Version}}"') === undefined; i++) await sleep(100);
  await on(CLEAN);
});

test('restart: and logs: reach docker; up converges', { timeout: 300_000 }, async () => {
  writeFileSync(join(box.dir, `${ENSEMBLE}.yml`), `${host}:
  containers:
    sf-restart-web:
      image: ${app}
      ports: ["80:${PORT}"]
    sf-restart-worker:
      image: ${app}
      restart: always
      logs: {max_size: 1m, max_files: 2}
`);
  const up = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, /converged: observing again finds no changes/);
  const config = await on(`docker inspect -f '{{.Name}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.LogConfig.Type}} {{index .HostConfig.LogConfig.Config "max-size"}} {{index .HostConfig.LogConfig.Config "max-file"}}' sf-restart-web sf-restart-worker`);
  assert.equal(config, '/sf-restart-web unless-stopped json-file 10m 3\n/sf-restart-worker always json-file 1m 2');
});

for (const how of ['reboot', 'power cut'] as const) {
  test(`a ${how} of the host: every ensemble container runs again without hitc, same ids; the plan says "No changes."`, { timeout: 300_000 }, async () => {
    const beforeRestart = parse(await on(RUNNING));
    assert.deepEqual(beforeRestart.map(([n]) => n), ['sf-restart-web', 'sf-restart-worker']);
    assert.match(await page(), /./);
    const c = bedContainer();
    if (how === 'reboot') {
      // what a shutdown does first: Docker stops its containers and exits (they were not stopped by hand)
      assert.notEqual(consoleRun(c, 'kill $(pidof dockerd) && for i in $(seq 1 300); do pidof dockerd >/dev/null || exit 0; sleep 0.1; done; exit 1'), undefined, 'dockerd stopped in order');
    }
    // the bed host's PID 1 is sshd: when it goes, everything left on the host is killed at once
    execFileSync('docker', ['restart', '-t', '1', c], { stdio: 'ignore' });
    // the bed's entrypoint starts dockerd, as a server's init would; nothing else is asked
    let now: ReturnType<typeof parse> = [];
    // after a power cut dockerd first recovers containerd's state; on a loaded 2-core machine
    // that has taken over a minute
    for (let i = 0; i < 360; i++) {
      now = parse(consoleRun(c, RUNNING) ?? '');
      if (now.length === 2) break;
      await sleep(500);
    }
    const seen = consoleRun(c, `docker ps -a --filter label=hitc.ensemble=${ENSEMBLE} --format '{{.Names}} {{.Status}}'; tail -5 /var/log/dockerd.log 2>/dev/null`) ?? '(no answer)';
    assert.deepEqual(now.map(([n, id]) => [n, id]), beforeRestart.map(([n, id]) => [n, id]), `the same containers run again; the host says:\n${seen}`);
    for (const [i, [, , started]] of now.entries()) assert.notEqual(started, beforeRestart[i]?.[2], 'started again after the restart');
    let served = 'unreachable';
    for (let i = 0; i < 20 && served === 'unreachable'; i++) {
      served = await page();
      if (served === 'unreachable') await sleep(500);
    }
    assert.notEqual(served, 'unreachable', `port ${PORT} serves again`);

    const plan = await run([`ensemble.plan:${ENSEMBLE}`]);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /No changes\./, plan.stdout);
  });
}
