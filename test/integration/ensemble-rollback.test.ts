// ensemble.history and ensemble.rollback on a real Docker host through the real CLI: two builds
// of one container go up one after the other; history lists both (image ids, who started and
// retired them); a rollback whose secret moved is refused and changes nothing (same container
// ids); with the secret as it was, the rollback brings the first build back under the real name
// (same image id and spec hash) while a client polling every 50 ms sees no failed request; the
// next plan shows the manifest's build as a change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localUserAtHost } from '../../src/core/whoami.ts';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
const host = (b.dockerHosts as string[]).at(-1) as string;
const base = b.appImages?.httpd as string;
const tag = (v: string): string => base.replace(/:latest$/, `:sf-history-${v}`);
const box = sandbox();
const NAME = 'sf-history-app';
const PORT = 18931;
const FIRST = 'sf-history-pw-1';
const run = (args: string[], secret = FIRST) => hitc(box, args, { env: { SF_HISTORY_PW: secret }, timeoutMs: 180_000 });
const CLEAN = `docker ps -a --format '{{.Names}}' | grep -E '^${NAME}(-hitc-.*)?$' | xargs -r docker rm -f >/dev/null; rm -rf /var/lib/hitc/lock/*sf-history* 2>/dev/null; true`;

/** A build of the test app that differs from the others by a label (its own image id). */
function publish(v: string): void {
  execFileSync('docker', ['build', '-q', '-t', tag(v), '-'], { input: `FROM ${base}\nLABEL sf-history.build=${v}\n`, stdio: ['pipe', 'ignore', 'inherit'] });
  execFileSync('docker', ['push', '-q', tag(v)], { stdio: 'ignore' });
}

function manifest(v: string): void {
  writeFileSync(join(box.dir, 'sfh.yml'), `name: sf-history
${host}:
  containers:
    ${NAME}:
      image: ${tag(v)}
      ports: ["80:${PORT}"]
      environment:
        BUILD: "${v}"
        PW: !secret SF_HISTORY_PW
`);
}

/** `id image spec-hash` of each container of the app on the host, by name. */
async function containers(): Promise<Record<string, string>> {
  const r = await run(['-H', host, '--', `docker ps -a --no-trunc --format '{{.Names}} {{.ID}}' | grep -E '^${NAME}(-hitc-prev-[0-9]+)? ' | while read -r n id; do echo "$n $id $(docker inspect -f '{{.Image}} {{index .Config.Labels "hitc.spec-hash"}}' $id)"; done`]);
  const lines = r.stdout.split('\n').filter((l) => l.includes(' out: ')).map((l) => l.split(' out: ')[1] as string);
  return Object.fromEntries(lines.map((l) => [l.split(' ')[0] as string, l.split(' ').slice(1).join(' ')]));
}

interface VersionJson { name: string; id: string; role: string; imageId: string; specHash: string | null; image: string; startedBy: string | null; retired: string | null; retiredBy: string | null }
function historyOf(stdout: string): VersionJson[] {
  const report = JSON.parse(stdout) as { tasks?: { hosts: { value?: { servers: { containers: { name: string; versions: VersionJson[] }[] }[] } }[] }[] };
  const value = report.tasks?.[0]?.hosts[0]?.value;
  assert.ok(value, stdout);
  return value.servers[0]?.containers.find((c) => c.name === NAME)?.versions ?? [];
}

before(async () => {
  publish('v1');
  publish('v2');
  await run(['-H', host, '--', CLEAN]);
});
after(async () => {
  await run(['-H', host, '--', `${CLEAN}; docker rmi -f ${tag('v1')} ${tag('v2')} >/dev/null 2>&1; true`]);
});

test('history lists both builds; a rollback with a moved secret changes nothing; one with the secret as it was brings v1 back with no failed request', async () => {
  manifest('v1');
  const up1 = await run(['ensemble.up:sfh', '--yes']);
  assert.equal(up1.code, 0, up1.stdout + up1.stderr);
  manifest('v2');
  const up2 = await run(['ensemble.up:sfh', '--yes']);
  assert.equal(up2.code, 0, up2.stdout + up2.stderr);

  const json = await run(['--json', `ensemble.history:sfh,container=${NAME}`]);
  assert.equal(json.code, 0, json.stdout + json.stderr);
  const [current, previous] = historyOf(json.stdout);
  const me = localUserAtHost();
  const ids = (await containers());
  assert.ok(current && previous, json.stdout);
  assert.deepEqual([current.role, current.image, current.startedBy, `${current.id} ${current.imageId} ${current.specHash}`], ['current', tag('v2'), me, ids[NAME]]);
  assert.deepEqual([previous.role, previous.image, previous.startedBy, previous.retiredBy, `${previous.id} ${previous.imageId} ${previous.specHash}`], ['previous', tag('v1'), me, me, ids[previous.name]]);
  assert.match(previous.name, new RegExp(`^${NAME}-hitc-prev-\\d+$`));
  assert.notEqual(current.imageId, previous.imageId);

  const text = await run([`ensemble.history:sfh`]);
  assert.equal(text.code, 0, text.stdout + text.stderr);
  assert.match(text.stdout, new RegExp(`${NAME}: current, 1 previous version kept`));
  assert.match(text.stdout, new RegExp(`previous +exited +\\S+:sf-history-v1 +${previous.imageId.slice(7, 19)} +${previous.specHash?.slice(0, 8)} .*${me}`));

  // a server that does not answer is a failure of its own; the others are still listed
  writeFileSync(join(box.dir, 'sfh-down.yml'), `name: sf-history\n${b.unreachable}:\n  containers:\n    ${NAME}: {image: ${tag('v1')}}\n${host}:\n  containers:\n    ${NAME}: {image: ${tag('v1')}}\n`);
  const down = await run(['-t', '2', 'ensemble.history:sfh-down']);
  assert.equal(down.code, 1, down.stdout + down.stderr);
  assert.match(down.stdout, new RegExp(`${host.replace(/\./g, '\\.')}\\]? ${NAME}: current, 1 previous version kept`));
  assert.match(down.stdout + down.stderr, new RegExp(`1 of 2 servers could not be read: ${b.unreachable.replace(/\./g, '\\.')} \\(`));

  const unknown = await run(['ensemble.history:sfh,container=sf-history-ap']);
  assert.equal(unknown.code, 2, unknown.stdout + unknown.stderr);
  assert.match(unknown.stdout + unknown.stderr, new RegExp(`did you mean ${NAME}\\?`));

  // the secret moved since v1 ran: refused before anything changes
  const before = await containers();
  const refused = await run(['ensemble.rollback:sfh', '--yes'], 'sf-history-pw-2');
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stdout + refused.stderr, /cannot roll back .*its secret PW had another value than the one set now \(nothing was changed\)/);
  assert.ok(!(refused.stdout + refused.stderr).includes('sf-history-pw-'), 'no secret value in the output');
  assert.deepEqual(await containers(), before, 'no container was touched');

  // a client polling every 50 ms through the published port during the rollback
  let requests = 0;
  const failures: string[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      requests++;
      try {
        const r = await fetch(`http://${host}:${PORT}/`, { signal: AbortSignal.timeout(2000) });
        if (r.status !== 200) failures.push(`HTTP ${r.status}`);
        await r.arrayBuffer();
      } catch (error) {
        failures.push((error as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const rolled = await run(['ensemble.rollback:sfh', '--yes']);
  polling = false;
  await poller;
  assert.equal(rolled.code, 0, rolled.stdout + rolled.stderr);
  assert.match(rolled.stdout, new RegExp(`The following containers will restart:\\n.*${NAME} \\([\\d.]+\\): rollback to ${previous.specHash?.slice(0, 8)} \\(image \\S+:sf-history-v1 @${previous.imageId.slice(7, 19)}, retired \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d by ${me}\\)`));
  assert.ok(requests > 10, `the client polled during the rollback (${requests} requests)`);
  assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed during the rollback`);
  const after = await containers();
  assert.equal(after[NAME]?.split(' ').slice(1).join(' '), `${previous.imageId} ${previous.specHash}`, 'v1 runs under the real name, same image id and spec');

  const audit = await run(['-H', host, 'audit:ensemble=sf-history,lines=1']);
  assert.match(audit.stdout, new RegExp(`${me} +sf-history +replace-container:${host.replace(/\./g, '\\.')}/${NAME} +done`));

  const plan = await run(['ensemble.plan:sfh,exit_code=true']);
  assert.equal(plan.code, 3, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /image \S+:sf-history-v1 → \S+:sf-history-v2; environment BUILD: v1 → v2/);
});

test('a container with nothing kept says so, and is an error when no selected container has anything to roll back to', async () => {
  await run(['-H', host, '--', CLEAN]);
  manifest('v1');
  assert.equal((await run(['ensemble.up:sfh', '--yes'])).code, 0);
  const none = await run(['ensemble.rollback:sfh', '--yes']);
  assert.equal(none.code, 2, none.stdout + none.stderr);
  assert.match(none.stdout, new RegExp(`${NAME} \\([\\d.]+\\): no previous version kept: nothing to roll back to`));
  assert.match(none.stdout + none.stderr, /no selected container has a previous version to roll back to/);
});
