// With the Docker daemon stopped on one server of a manifest, that server is reported by its
// address (never "Unexpected end of JSON input" and a stack), the other server is planned and
// brought up, and what depends on the stopped server is skipped with the reason. dockerd is
// started again afterwards exactly as the bed's entrypoint starts it, even if the test fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox } from '../integration/bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
if (!b.dockerHosts || b.dockerHosts.length < 3 || !b.appImages) throw new Error('the test bed needs 3 Docker hosts (HITC_BED_DOCKER_HOSTS=3 bash test/bed/bed.sh up)');
const up = b.dockerHosts[0] as string;
const down = b.dockerHosts[2] as string;
const app = b.appImages.httpd;
const box = sandbox();
const run = (args: string[]) => hitc(box, args, { timeoutMs: 180_000 });
const ENSEMBLE = 'sf-ensemble-down';
const CLEAN = `docker rm -f $(docker ps -aq --filter label=hitc.ensemble=${ENSEMBLE}) >/dev/null 2>&1; true`;
// what test/bed/images/common/priv-entrypoint does, detached from this SSH session
const START_DOCKERD = `if ! pidof dockerd >/dev/null; then setsid /usr/sbin/dockerd >>/var/log/dockerd.log 2>&1 </dev/null & fi
for i in $(seq 1 600); do curl -fs -m 1 --unix-socket /run/docker.sock http://docker/_ping >/dev/null 2>&1 && exit 0; sleep 0.1; done
echo 'dockerd did not answer within 60 s' >&2; tail -5 /var/log/dockerd.log >&2; exit 1`;
const STOP_DOCKERD = `kill $(pidof dockerd) || exit 1
for i in $(seq 1 300); do pidof dockerd >/dev/null || exit 0; sleep 0.1; done
echo 'dockerd did not stop within 30 s' >&2; exit 1`;

async function on(host: string, command: string): Promise<string> {
  const r = await run(['-H', host, '--', command]);
  assert.equal(r.code, 0, `${command}\n${r.stdout}${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.includes(' out: ')).map((l) => l.replace(/^.* out: /, '')).join('\n');
}
const mine = (host: string) => on(host, `docker ps -a --filter label=hitc.ensemble=${ENSEMBLE} --format '{{.Names}}' | sort`);

let stopped = false;
before(async () => {
  for (const h of [up, down]) {
    assert.match(await on(h, 'docker version -f "{{.Server.Version}}"'), /^\d+\./, `dockerd answers on ${h} before the test`);
    await on(h, CLEAN);
  }
});
after(async () => {
  // whatever happened above: dockerd runs again on that host, and this test leaves nothing
  if (stopped) await on(down, START_DOCKERD);
  assert.match(await on(down, 'docker version -f "{{.Server.Version}}"'), /^\d+\./, 'dockerd answers again');
  for (const h of [up, down]) await on(h, CLEAN);
});

test('Docker stopped on one server: it is reported by address, the other is planned and brought up, its dependents are skipped; no stack', { timeout: 300_000 }, async () => {
  writeFileSync(join(box.dir, `${ENSEMBLE}.yml`), `${up}:
  containers:
    sf-ensemble-alone:
      image: ${app}
    sf-ensemble-needs:
      image: ${app}
      environment:
        DB: \${${down}.containers.sf-ensemble-db.ip}
${down}:
  containers:
    sf-ensemble-db:
      image: ${app}
`);
  stopped = true;
  await on(down, STOP_DOCKERD);
  const noStack = (text: string): void => {
    assert.doesNotMatch(text, /(^|\n)\s*at .*(\.(ts|js|mjs):\d+|<anonymous>)/, 'no stack trace');
    assert.doesNotMatch(text, /Unexpected end of JSON|internal error/);
  };
  const downRe = down.replace(/\./g, '\\.');

  const plan = await run([`ensemble.plan:${ENSEMBLE}`]);
  assert.equal(plan.code, 1, plan.stdout + plan.stderr);
  noStack(plan.stdout + plan.stderr);
  assert.match(plan.stdout, /The following containers will be created:\n {2}sf-ensemble-alone \([^)]+\): no such container\n/);
  assert.match(plan.stdout, /\n {2}sf-ensemble-needs \([^)]+\): needs sf-ensemble-db \([^)]+\), which is unavailable\n/);
  assert.doesNotMatch(plan.stdout, /will be created:\n[^]*sf-ensemble-needs[^]*These are unavailable/, 'what needs the stopped Docker is no operation');
  assert.match(plan.stdout, new RegExp(`These are unavailable[^\\n]*\\n {2}${downRe}: Docker is not running on ${downRe} \\([^\\n]*\\); start it \\(e\\.g\\. systemctl start docker\\) and run again`));
  assert.match(plan.stdout + plan.stderr, new RegExp(`FAILED: 1 server could not be planned: Docker is not running on ${downRe}`));
  assert.match(plan.stdout + plan.stderr, /hint: the plan above covers the rest; ensemble\.up changes nothing on those and skips what depends on them/);

  const apply = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  assert.equal(apply.code, 1, apply.stdout + apply.stderr);
  noStack(apply.stdout + apply.stderr);
  assert.match(apply.stdout, /✓ create container sf-ensemble-alone on /);
  // the plan made no operation of what could not be planned: apply reports only the rest
  assert.doesNotMatch(apply.stdout, /create container sf-ensemble-needs/);
  assert.match(apply.stdout + apply.stderr, new RegExp(`FAILED: 1 server could not be planned: Docker is not running on ${downRe}`));
  assert.equal(await mine(up), 'sf-ensemble-alone');

  await on(down, START_DOCKERD);
  stopped = false;
  assert.equal(await mine(down), '', 'nothing was made on the server whose Docker was stopped');
});
