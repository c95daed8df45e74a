// `!secret` environment values on a real Docker host: the container gets the value, while hitc's
// output (text and --json), the container's labels and every process's argv on the host never
// see it; rotating the secret replaces the container with a reason that names, not shows, it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, CLEAN_ENSEMBLE, hitc, sandbox } from './bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
const host = (b.dockerHosts as string[])[1] as string;
const box = sandbox();
const FIRST = 'pw-first-7f3a9c';
const SECOND = 'pw-second-2b8e41';
const run = (args: string[], secret = FIRST) => hitc(box, args, { env: { HITC_TEST_DB_PASSWORD: secret }, timeoutMs: 120_000 });
// samples every process's argv on the host while hitc works, to prove the secret is not in one
const SAMPLER = "nohup sh -c 'while :; do for f in /proc/[0-9]*/cmdline; do tr \"\\0\" \" \" < $f 2>/dev/null; echo; done; done' > /tmp/argv.log 2>/dev/null & echo $! > /tmp/argv.pid";

before(() => run(['-H', host, '--', CLEAN_ENSEMBLE]));
after(() => run(['-H', host, '--', `${CLEAN_ENSEMBLE}; kill $(cat /tmp/argv.pid) 2>/dev/null; rm -f /tmp/argv.log /tmp/argv.pid`]));

test('a !secret value reaches the container and nothing else', async () => {
  writeFileSync(join(box.dir, 'db.yml'), `${host}:
  containers:
    db:
      image: ${b.appImages?.httpd}
      environment:
        DB_PASSWORD: !secret HITC_TEST_DB_PASSWORD
        MODE: plain
`);
  await run(['-H', host, '--', SAMPLER]);
  const up = await run(['ensemble.up:db', '--yes']);
  const json = await run(['ensemble.plan:db', '--json']);
  // the pattern is written so that this command's own argv (also sampled) does not match it
  const sampled = await run(['-H', host, '--', `kill $(cat /tmp/argv.pid); sleep 0.2; wc -l < /tmp/argv.log; grep -c "docker run" /tmp/argv.log; grep -c "${FIRST.replace(/-/, '[-]')}" /tmp/argv.log`]);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, /converged/);
  for (const r of [up, json]) assert.ok(!(r.stdout + r.stderr).includes(FIRST), 'hitc output');
  const [lines, runs, leaks] = sampled.stdout.split('\n').filter((l) => l.includes(' out: ')).map((l) => Number(l.split(' out: ')[1]));
  assert.ok((lines ?? 0) > 100 && (runs ?? 0) > 0, `the sampler saw the docker run (${lines} lines, ${runs} runs)`);
  assert.equal(leaks, 0, 'no argv on the host held the secret');

  const inside = await run(['-H', host, '--', 'docker inspect -f "{{range .Config.Env}}{{println .}}{{end}}" db | grep ^DB_PASSWORD=; docker inspect -f "{{json .Config.Labels}}" db']);
  assert.match(inside.stdout, new RegExp(`out: DB_PASSWORD=${FIRST}`));
  const labels = inside.stdout.split('\n').find((l) => l.includes('hitc.spec')) ?? '';
  assert.ok(labels.includes('secrets') && !labels.includes(FIRST), labels);

  const rotated = await run(['ensemble.up:db', '--yes'], SECOND);
  assert.equal(rotated.code, 0, rotated.stdout + rotated.stderr);
  assert.match(rotated.stdout, /db \([\d.]+\): environment DB_PASSWORD: secret value changed/);
  assert.ok(!(rotated.stdout + rotated.stderr).includes(SECOND) && !(rotated.stdout + rotated.stderr).includes(FIRST));
  assert.match((await run(['-H', host, '--', 'docker inspect -f "{{range .Config.Env}}{{println .}}{{end}}" db | grep ^DB_PASSWORD='])).stdout, new RegExp(`out: DB_PASSWORD=${SECOND}`));

  const missing = await hitc(box, ['ensemble.plan:db'], { timeoutMs: 60_000 });
  assert.equal(missing.code, 2);
  assert.match(missing.stdout + missing.stderr, /db\.yml:6: .*secret HITC_TEST_DB_PASSWORD is not set/);
});
