// A changed container is swapped without an outage: a client opening a new connection every
// 50 ms sees no failed request while v1 becomes v2, and a broken build never takes the traffic
// (the old container keeps serving, same id). The old one is kept for rollback; nothing of the
// swap (stand-in, DNAT rules) is left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string; httpdV2?: string; broken?: string } };
if (!b.dockerHosts || b.dockerHosts.length < 1 || !b.appImages) throw new Error('the test bed needs a Docker host (HITC_BED_DOCKER_HOSTS=3 bash test/bed/bed.sh up)');
const host = b.dockerHosts.at(-1) as string;
const app = b.appImages.httpd;
const box = sandbox();
const run = (args: string[]) => hitc(box, args, { timeoutMs: 240_000 });
const ENSEMBLE = 'sf-swap-e';
const NAME = 'sf-swap-web';
const PORT = 28573;
const V1 = '<h1>hitc test app</h1>';
const CLEAN = `docker rm -f $(docker ps -aq --filter label=hitc.ensemble=${ENSEMBLE}) >/dev/null 2>&1; iptables -w -t nat -S HITC-BIND 2>/dev/null | grep -F 'hitc-swap:${NAME}"' | sed 's/^-A /-D /' | while read -r r; do eval "iptables -w -t nat $r"; done; true`;

async function on(command: string): Promise<string> {
  const r = await run(['-H', host, '--', command]);
  assert.equal(r.code, 0, `${command}\n${r.stdout}${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.includes(' out: ')).map((l) => l.replace(/^.* out: /, '')).join('\n');
}
const state = () => on(`docker ps -a --filter label=hitc.ensemble=${ENSEMBLE} --format '{{.Names}} {{.ID}} {{.State}} {{.Image}}' --no-trunc | sort`);
const swapRules = () => on(`iptables -w -t nat -S HITC-BIND 2>/dev/null | grep -c 'hitc-swap:${NAME}' || true`);

/** The bed's second and broken builds, or (a bed from before they existed) the same made on
 *  the host from the httpd image: another page, and a command that prints and exits 1. */
async function images(): Promise<{ v2: string; broken: string }> {
  if (b.appImages?.httpdV2 && b.appImages.broken) return { v2: b.appImages.httpdV2, broken: b.appImages.broken };
  const mk = 'sf-swap-mk';
  await on(`docker pull -q ${app} >/dev/null; docker rm -f ${mk} >/dev/null 2>&1; docker run --name ${mk} ${app} sh -c "echo '<html><body>hitc app v2</body></html>' > /www/index.html" \
&& docker commit --change 'CMD ["/bin/busybox", "httpd", "-f", "-v", "-p", "80", "-h", "/www"]' ${mk} sf-swap/app-httpd:v2 >/dev/null \
&& docker commit --change 'CMD ["/bin/sh", "-c", "echo broken build starting; echo cannot read /etc/app.conf >&2; exit 1"]' ${mk} sf-swap/app-httpd:broken >/dev/null; docker rm -f ${mk} >/dev/null`);
  return { v2: 'sf-swap/app-httpd:v2', broken: 'sf-swap/app-httpd:broken' };
}

/** The web container's manifest entry, checked by GET / on its port. */
const web = (image: string): string => `    ${NAME}:
      image: ${image}
      ports: [80:${PORT}]
      stop_timeout: 2
      healthcheck:
        http: /
        interval: 0.5
        retries: 20
`;
const manifest = (image: string): void => writeFileSync(join(box.dir, `${ENSEMBLE}.yml`), `${host}:\n  containers:\n${web(image)}`);

/** GET / on a new connection every 50 ms until stopped: every answer's body, every failure. */
function client(): { stop: () => Promise<{ bodies: string[]; failures: string[] }> } {
  const bodies: string[] = [];
  const failures: string[] = [];
  let going = true;
  const once = () => new Promise<void>((done) => {
    const req = request({ host, port: PORT, path: '/', agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => { if (res.statusCode === 200) bodies.push(body.trim()); else failures.push(`status ${res.statusCode}`); done(); });
      res.on('error', (e) => { failures.push(e.message); done(); });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => { failures.push(`${new Date().toISOString()} ${e.message}`); done(); });
    req.end();
  });
  const loop = (async () => {
    const pending: Promise<void>[] = [];
    while (going) {
      pending.push(once());
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all(pending);
  })();
  return { stop: async () => { going = false; await loop; return { bodies, failures }; } };
}

let built: { v2: string; broken: string };
before(async () => {
  await on(CLEAN);
  built = await images();
});
after(async () => { await on(CLEAN); });

test('v1 → v2 with a client every 50 ms: zero failed requests, v2 afterwards, the old one stopped and kept, nothing of the swap left; then no changes', { timeout: 300_000 }, async (t) => {
  manifest(app);
  const first = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const v1 = (await state()).split('\n');
  assert.equal(v1.length, 1, v1.join('\n'));
  const oldId = (v1[0] as string).split(' ')[1];

  manifest(built.v2);
  const plan = await run([`ensemble.plan:${ENSEMBLE}`]);
  assert.match(plan.stdout, new RegExp(`${NAME} \\([^)]+\\): image .*; swapped with health check \\(http / on 80\\), traffic switched to it before the old one stops \\(2 s to finish\\), old kept for rollback`), plan.stdout);
  const c = client();
  await new Promise((r) => setTimeout(r, 500));
  const up = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  await new Promise((r) => setTimeout(r, 500));
  const seen = await c.stop();
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.deepEqual(seen.failures, [], `${seen.failures.length} of ${seen.failures.length + seen.bodies.length} requests failed`);
  assert.ok(seen.bodies.length > 20, `only ${seen.bodies.length} requests`);
  t.diagnostic(`swap v1 → v2: ${seen.bodies.length} requests every 50 ms, ${seen.failures.length} failed`);
  assert.equal(seen.bodies[0], V1);
  assert.match(seen.bodies.at(-1) as string, /hitc app v2/);

  const after = (await state()).split('\n');
  assert.equal(after.length, 2, after.join('\n'));
  assert.match(after.join('\n'), new RegExp(`^${NAME} [0-9a-f]{64} running ${built.v2.replace(/[.]/g, '\\.')}$`, 'm'));
  assert.match(after.join('\n'), new RegExp(`^${NAME}-hitc-prev-\\d+ ${oldId} exited ${app.replace(/[.]/g, '\\.')}$`, 'm'), 'the old container, stopped and kept');
  assert.equal(await swapRules(), '0', 'no DNAT rule of the swap left');

  const again = await run([`ensemble.plan:${ENSEMBLE}`]);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /No changes\./, again.stdout);
});

test('a broken build never takes the traffic: zero failed requests, exit 1 with its log tail, nothing of it left, the old one same id and running', { timeout: 300_000 }, async (t) => {
  const before = await state();
  const current = before.split('\n').find((l) => l.startsWith(`${NAME} `));
  assert.ok(current && / running /.test(current), before);
  manifest(built.broken);
  const c = client();
  await new Promise((r) => setTimeout(r, 300));
  const bad = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  const seen = await c.stop();
  const out = bad.stdout + bad.stderr;
  assert.equal(bad.code, 1, out);
  // Docker copies stdout and stderr on separate goroutines, so the two log lines may come in either order.
  assert.match(out, new RegExp(`the new ${NAME} \\(stand-in ${NAME}-hitc-next\\) is not healthy: it stopped \\(exit code 1\\); the old container keeps serving, untouched \\(same id\\)\\n {4}(broken build starting\\n {4}cannot read /etc/app.conf|cannot read /etc/app.conf\\n {4}broken build starting)\\n`));
  assert.doesNotMatch(out, /(^|\n)\s*at .*\.ts:\d+/, 'no stack trace');
  assert.deepEqual(seen.failures, []);
  t.diagnostic(`broken build refused: ${seen.bodies.length} requests every 50 ms, ${seen.failures.length} failed`);
  assert.ok(seen.bodies.length > 5 && seen.bodies.every((x) => /hitc app v2/.test(x)), 'every answer from the old container');
  assert.equal(await state(), before, 'the old container keeps its id and runs; nothing of the new one is left');
  assert.equal(await swapRules(), '0');
});

test('with volumes the swap is stop-first: a broken build is removed and the old container runs again (same id); a good one replaces it', { timeout: 300_000 }, async () => {
  const DATA = 'sf-swap-data';
  const withVolume = (image: string): void => writeFileSync(join(box.dir, `${ENSEMBLE}.yml`), `${host}:
  containers:
${web(built.v2)}    ${DATA}:
      image: ${image}
      volumes: ["/tmp/${DATA}:/data"]
      stop_timeout: 1
`);
  withVolume(app);
  const first = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const was = (await state()).split('\n').find((l) => l.startsWith(`${DATA} `));
  assert.ok(was && / running /.test(was), await state());

  withVolume(built.broken);
  const plan = await run([`ensemble.plan:${ENSEMBLE}`]);
  assert.match(plan.stdout, new RegExp(`${DATA} \\([^)]+\\): image .*; stop-first \\(mounts volumes\\): old stopped \\(1 s to finish\\), new one started with health check \\(the image's HEALTHCHECK \\(up to 2 min\\), else running for 2 s\\), old kept for rollback`), plan.stdout);
  const bad = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout + bad.stderr, new RegExp(`the new ${DATA} is not healthy: it stopped \\(exit code 1\\); the old container was put back as it was \\(same id\\)\\n {4}(broken build starting\\n {4}cannot read /etc/app.conf|cannot read /etc/app.conf\\n {4}broken build starting)\\n`));
  assert.equal((await state()).split('\n').find((l) => l.startsWith(`${DATA} `)), was, 'the old one under its name, same id, running again');

  withVolume(built.v2);
  const good = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  assert.equal(good.code, 0, good.stdout + good.stderr);
  const now = await state();
  assert.match(now, new RegExp(`^${DATA} [0-9a-f]{64} running `, 'm'));
  assert.match(now, new RegExp(`^${DATA}-hitc-prev-\\d+ ${(was as string).split(' ')[1]} exited `, 'm'));
});
