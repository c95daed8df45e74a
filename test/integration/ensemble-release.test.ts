// release: on a real Docker host through the real CLI. Two copies of a container (count: 2)
// share one volume; the release appends a line to a file in it, and each copy's command copies
// that file when it starts. So the file's lines count the releases, and what each copy saw
// proves the release ran before it started, with the new environment (a !secret too, which no
// argv on the host ever shows). A failing or hanging release leaves the old copies serving,
// untouched (same ids, running), says host, command, exit code and its last lines, and leaves
// no throwaway container behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
const host = (b.dockerHosts as string[]).at(-1) as string;
const box = sandbox();
const PASSWORD = 'rel-pw-4d1e9b0c';
const DATA = '/tmp/sf-release-data';
const run = (args: string[], timeoutMs = 180_000) => hitc(box, args, { env: { HITC_TEST_RELEASE_PW: PASSWORD }, timeoutMs });
const onHost = async (script: string): Promise<string[]> => {
  const r = await run(['-H', host, '--', script]);
  return r.stdout.split('\n').filter((l) => l.includes(' out: ')).map((l) => l.slice(l.indexOf(' out: ') + 6));
};
// only this file's things: other tests' containers on the shared host are left alone
const CLEAN = `docker rm -f $(docker ps -aq --filter name=sf-release-) >/dev/null 2>&1; rm -rf ${DATA} /tmp/sf-release-argv.log /tmp/sf-release-argv.pid; true`;
// every process's argv on the host, sampled while hitc works (see ensemble-secrets.test.ts)
const SAMPLER = "nohup sh -c 'while :; do for f in /proc/[0-9]*/cmdline; do tr \"\\0\" \" \" < $f 2>/dev/null; echo; done; done' > /tmp/sf-release-argv.log 2>/dev/null & echo $! > /tmp/sf-release-argv.pid";

function manifest(version: string, release: string, extra = ''): void {
  writeFileSync(join(box.dir, 'sf-release.yml'), `name: sf-release
${host}:
  containers:
    sf-release-app:
      image: ${b.appImages?.httpd}
      count: 2
      environment:
        VERSION: ${version}
        DB_PASSWORD: !secret HITC_TEST_RELEASE_PW
      volumes:
        ${DATA}: /data
      command: [sh, -c, "cp /data/releases /data/seen-$$(hostname) && exec sleep 100000"]
      release: ${release}
${extra}`);
}
// appends the new VERSION (one line per release run) and leaves the secret it got in a file
const APPEND = `[sh, -c, 'echo "$$VERSION" >> /data/releases; printf %s "$$DB_PASSWORD" > /data/release-secret']`;

const ids = async (): Promise<string[]> => onHost('docker inspect -f "{{.Name}} {{.Id}} {{.State.Running}}" sf-release-app sf-release-app-1');
const leftovers = async (): Promise<string[]> => onHost('docker ps -a --format "{{.Names}}" | grep -c hitc-release; true');

before(() => onHost(CLEAN));
after(() => onHost(`${CLEAN}; docker rm -f $(docker ps -aq --filter label=hitc.ensemble=sf-release) >/dev/null 2>&1; true`));

test('the release runs once for two new copies, before they start, with the new environment; again once when both change', async () => {
  manifest('v1', APPEND);
  const plan = await run(['ensemble.plan:sf-release']);
  assert.match(plan.stdout, /The following release commands will run first:\n {2}sf-release-app \([\d.]+\): sh -c .*echo .*\(before 2 container changes: sf-release-app, sf-release-app-1 on [\d.]+\)/);
  const first = await run(['ensemble.up:sf-release', '--yes']);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /converged/);
  assert.deepEqual(await onHost(`cat ${DATA}/releases`), ['v1']);
  // both copies found the release's line when they started (they would have failed to start without it)
  assert.deepEqual(await onHost(`cat ${DATA}/seen-* | sort | uniq -c | sed 's/^ *//'`), ['2 v1']);

  manifest('v2', APPEND);
  await onHost(`rm -f ${DATA}/seen-*; ${SAMPLER}`);
  const second = await run(['ensemble.up:sf-release', '--yes']);
  const sampled = await onHost(`kill $(cat /tmp/sf-release-argv.pid); sleep 0.2; wc -l < /tmp/sf-release-argv.log; grep -c "docker create" /tmp/sf-release-argv.log; grep -c "${PASSWORD.replace(/-/, '[-]')}" /tmp/sf-release-argv.log`);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.match(second.stdout, /converged/);
  assert.deepEqual(await onHost(`cat ${DATA}/releases`), ['v1', 'v2'], 'exactly one more release, with the new VERSION');
  assert.deepEqual(await onHost(`tail -qn 1 ${DATA}/seen-* | sort | uniq -c | sed 's/^ *//'`), ['2 v2'], 'both new copies started after it');
  // the secret reached the release, yet never an argv on the host, nor hitc's output
  assert.deepEqual(await onHost(`cat ${DATA}/release-secret; echo`), [PASSWORD]);
  const [lines, creates, leaks] = sampled.map(Number);
  assert.ok((lines ?? 0) > 100 && (creates ?? 0) > 0, `the sampler saw the release's docker create (${sampled.join(', ')})`);
  assert.equal(leaks, 0, 'no argv on the host held the secret');
  for (const r of [plan, first, second]) assert.ok(!(r.stdout + r.stderr).includes(PASSWORD), 'hitc output');
  assert.deepEqual(await leftovers(), ['0']);

  // no change, no release
  const again = await run(['ensemble.up:sf-release', '--yes']);
  assert.match(again.stdout, /No changes\./);
  assert.equal((await onHost(`cat ${DATA}/releases`)).length, 2);
});

test('a failing release switches nothing: the old copies keep serving, the error shows host, command, exit code and its last lines', async () => {
  const before = await ids();
  assert.equal(before.length, 2, before.join('\n'));
  assert.ok(before.every((l) => l.endsWith(' true')));
  manifest('v3', `[sh, -c, 'for i in $$(seq 1 60); do echo migration-line-$$i; done; exit 3']`);
  const failed = await run(['ensemble.up:sf-release', '--yes']);
  const out = failed.stdout + failed.stderr;
  assert.equal(failed.code, 1, out);
  assert.match(out, new RegExp(`\\[${host.replace(/\./g, '\\.')}\\] release of sf-release-app \\(sh -c .*\\) failed with exit code 3; nothing of sf-release-app was switched; its last 50 lines:`));
  assert.match(out, /migration-line-60/);
  assert.match(out, /migration-line-11\b/);
  assert.doesNotMatch(out, /migration-line-10\b/, 'only the last 50 lines');
  assert.match(out, /skipped/);
  assert.deepEqual(await ids(), before, 'same containers, still running');
  assert.deepEqual(await leftovers(), ['0'], 'no throwaway container left');
  assert.deepEqual(await onHost(`cat ${DATA}/releases`), ['v1', 'v2']);
});

test('a release that hangs is killed at release_timeout and removed; the old copies keep serving', async () => {
  const before = await ids();
  manifest('v4', `[sh, -c, 'echo starting; sleep 300']\n      release_timeout: 3`);
  const started = Date.now();
  const hung = await run(['ensemble.up:sf-release', '--yes']);
  const out = hung.stdout + hung.stderr;
  assert.equal(hung.code, 1, out);
  assert.ok(Date.now() - started < 60_000, `gave up after its limit, not after the sleep (${Date.now() - started} ms)`);
  assert.match(out, /release of sf-release-app \(sh -c .*\) timed out after 3s \(release_timeout\) and was killed \(exit code 137\); nothing of sf-release-app was switched; its last line:\n {2}\| starting\n/);
  assert.match(out, /starting/);
  assert.deepEqual(await ids(), before);
  assert.deepEqual(await leftovers(), ['0']);
});
