// Replacing a container keeps the old one unless the new one really runs; containers are found
// by exact name (an image of the same name is not "the old container"); a replacement that was
// interrupted after the old container stepped aside is put right by the next run, never pruned.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox } from '../integration/bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
if (!b.dockerHosts || b.dockerHosts.length < 1 || !b.appImages) throw new Error('the test bed needs a Docker host (HITC_BED_DOCKER_HOSTS=3 bash test/bed/bed.sh up)');
const host = b.dockerHosts[0] as string;
const app = b.appImages.httpd;
const box = sandbox();
const run = (args: string[]) => hitc(box, args, { timeoutMs: 180_000 });
const ENSEMBLE = 'sf-ensemble-swap';
const NAME = 'sf-ensemble-swap-web';
const ASIDE = `${NAME}-hitc-replaced`;
const CLEAN = `docker rm -f $(docker ps -aq --filter label=hitc.ensemble=${ENSEMBLE}) >/dev/null 2>&1; docker rmi ${NAME} >/dev/null 2>&1; true`;

async function on(command: string): Promise<string> {
  const r = await run(['-H', host, '--', command]);
  assert.equal(r.code, 0, `${command}\n${r.stdout}${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.includes(' out: ')).map((l) => l.replace(/^.* out: /, '')).join('\n');
}
const state = () => on(`docker ps -a --filter label=hitc.ensemble=${ENSEMBLE} --format '{{.Names}} {{.ID}} {{.State}}' --no-trunc | sort`);
const manifest = (command?: string): void => writeFileSync(join(box.dir, `${ENSEMBLE}.yml`), `${host}:
  containers:
    ${NAME}:
      image: ${app}
${command ? `      command: ${command}\n` : ''}`);

before(async () => { await on(CLEAN); });
after(async () => { await on(CLEAN); });

test('a new container that exits at once fails the step; the old one keeps its id and runs; an image named like the container is no old container', { timeout: 300_000 }, async () => {
  // an image whose name is the container's: a loose `docker inspect NAME` would take it for the old container
  await on(`docker pull -q ${app} >/dev/null && docker tag ${app} ${NAME}`);
  manifest();
  const first = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const before = await state();
  assert.match(before, new RegExp(`^${NAME} [0-9a-f]{64} running$`));

  manifest(`sh -c 'echo going away >&2; exit 3'`);
  const bad = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  const out = bad.stdout + bad.stderr;
  assert.equal(bad.code, 1, out);
  // no ports: the old one stepped aside by name, still running, and got its name back
  assert.match(out, new RegExp(`✗ replace container ${NAME} on [^:]+: \\[[^\\]]+\\] the new ${NAME} is not healthy: it stopped \\(exit code 3\\); the old container was put back as it was \\(same id\\)\n {4}going away\n`));
  assert.doesNotMatch(out, /(^|\n)\s*at .*\.ts:\d+/, 'no stack trace');
  assert.equal(await state(), before, 'the old container keeps its id and runs; nothing else is left');
});

test('an interrupted replacement (old container aside, its name free) is planned as that container, not an orphan, and put back by up with prune', { timeout: 300_000 }, async () => {
  manifest();
  const up = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  // where Ctrl-C leaves a replacement that had just moved the old container aside
  await on(`docker rename ${NAME} ${ASIDE} && docker kill ${ASIDE} >/dev/null`);

  const plan = await run([`ensemble.plan:${ENSEMBLE}`]);
  assert.match(plan.stdout, new RegExp(`${NAME} \\([^)]+\\): an earlier replacement of ${NAME} was interrupted: its old container ${ASIDE} gets the name back, then is replaced`));
  assert.doesNotMatch(plan.stdout, /Not in the manifest/, plan.stdout);

  const fixed = await run([`ensemble.up:${ENSEMBLE},prune=true`, '--yes']);
  assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
  assert.doesNotMatch(fixed.stdout, /✓ remove container/);
  // the old one was replaced (its spec is older), and is kept stopped for rollback
  assert.match(await state(), new RegExp(`^${NAME} [0-9a-f]{64} running\n${NAME}-hitc-prev-\\d+ [0-9a-f]{64} exited$`), 'one container under its own name, running, and the old one kept');
});
