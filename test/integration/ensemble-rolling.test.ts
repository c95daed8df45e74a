// A rolling update on two real Docker hosts through the CLI: two copies of a container on each
// host with update: {batch: 1, max_fail: 1}. A good change replaces the 4 copies one after the
// other, in manifest order (each started after the one before had settled). A change whose new
// copies fail their health check (an http check of a page that is not there) fails those copies:
// the 1st failure is within the budget, the 2nd spends it, and the other 2 copies are never
// touched; the attempted ones kept serving too (same ids, same start time, still the old spec:
// a start-first swap never stops the old copy for an unhealthy new one); up exits 1 and says the
// budget stopped it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
// the last two Docker hosts: CI's bed has 3, a developer's may have more
const hosts = (b.dockerHosts as string[]).slice(-2);
const app = b.appImages?.httpd as string;
const box = sandbox();
const NAME = 'sf-rolling-web';
const C = 'sf-rolling-app';
const run = (args: string[]) => hitc(box, args, { timeoutMs: 240_000 });
// only this test's containers (the bed's hosts are shared), their kept and stand-in copies too
const CLEAN = `docker rm -f $(docker ps -aq --filter name=^/${C}) >/dev/null 2>&1; true`;

/** Two copies on each host, rolled one at a time, one failure tolerated. */
function manifest(mode: string, health?: string): void {
  const container = `    ${C}:
      image: ${app}
      count: 2
${health ? `      healthcheck: ${health}\n` : ''}      environment: {MODE: ${mode}}
      update: {batch: 1, max_fail: 1}
`;
  writeFileSync(join(box.dir, `${NAME}.yml`), `name: ${NAME}\n${hosts.map((h) => `${h}:\n  containers:\n${container}`).join('')}`);
}

/** What a command printed on a host (the text after " out: " on each line). */
async function remote(host: string, command: string): Promise<string[]> {
  const r = await run(['-H', host, '--', command]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout.split('\n').filter((l) => l.includes(' out: ')).map((l) => l.slice(l.indexOf(' out: ') + 6));
}

interface Copy { readonly where: string; readonly id: string; readonly started: string; readonly running: boolean; readonly mode: string }

/** The 4 copies in manifest order: id, start time, running, the MODE they run with. */
async function copies(): Promise<Copy[]> {
  const out: Copy[] = [];
  for (const host of hosts) {
    // one line per copy (its environment joined onto it)
    const lines = await remote(host, `for n in ${C} ${C}-1; do docker inspect -f '{{.Name}} {{.Id}} {{.State.StartedAt}} {{.State.Running}} {{range .Config.Env}}{{println .}}{{end}}' $n | tr '\\n' ' '; echo; done`);
    for (const name of [C, `${C}-1`]) {
      const line = lines.find((l) => l.startsWith(`/${name} `)) ?? '';
      const [, id = '', started = '', running = ''] = line.split(' ');
      out.push({ where: `${host}/${name}`, id, started, running: running === 'true', mode: /MODE=(\S+)/.exec(line)?.[1] ?? '' });
    }
  }
  return out;
}

before(async () => {
  for (const h of hosts) await remote(h, CLEAN);
});
after(async () => {
  for (const h of hosts) await remote(h, CLEAN);
});

test('update: batch 1, max_fail 1 on 2 copies × 2 hosts: a good change rolls through all 4 in order; a failing one stops after the 2nd failure', async () => {
  assert.equal(hosts.length, 2, 'the bed needs 2 Docker hosts');
  manifest('one');
  const created = await run([`ensemble.up:${NAME}`, '--yes']);
  assert.equal(created.code, 0, created.stdout + created.stderr);
  assert.ok((await copies()).every((c) => c.running && c.mode === 'one'));

  // a good change: one copy at a time, in manifest order
  manifest('two');
  const plan = await run([`ensemble.plan:${NAME}`]);
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout, new RegExp(`${C}-1 \\(${hosts[1]!.replace(/\./g, '\\.')}\\): environment MODE: one → two; swapped with .* \\[batch 4 of 4\\]\n`));
  assert.match(plan.stdout, new RegExp(`\n {2}${C}: 4 copies in batches of 1, at most 1 failure\n`));
  const good = await run([`ensemble.up:${NAME}`, '--yes']);
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /converged/);
  const rolled = await copies();
  assert.deepEqual(rolled.map((c) => [c.where, c.running, c.mode]), rolled.map((c) => [c.where, true, 'two']));
  // each copy started once the one before had settled (the replacement checks it 2 s)
  for (let i = 1; i < rolled.length; i++) {
    const gap = Date.parse(rolled[i]!.started) - Date.parse(rolled[i - 1]!.started);
    assert.ok(gap >= 1900, `${rolled[i]!.where} started ${gap} ms after ${rolled[i - 1]!.where}`);
  }

  // a change whose new copies fail their health check: the 1st failure is tolerated, the 2nd spends the budget
  manifest('three', '{http: /no-such-page, port: 80, interval: 0.5, retries: 3}');
  const failing = await run([`ensemble.up:${NAME}`, '--yes']);
  const output = failing.stdout + failing.stderr;
  assert.equal(failing.code, 1, output);
  assert.match(output, new RegExp(`the failure budget of ${C} \\(max_fail 1\\) is spent: 2 copies failed`));
  assert.match(output, /2 operations failed: replace container sf-rolling-app on [\d.]+ [\s\S]*; replace container sf-rolling-app-1 on /);
  assert.match(output, /applied: 0 done, 2 failed, 2 skipped \(of 4 operations\)/);
  assert.match(output, /so 2 copies were not touched/);
  assert.match(output, /is not healthy/);
  // the 2 attempted copies kept running all along, and the other 2 were never touched
  assert.deepEqual(await copies(), rolled);
});
