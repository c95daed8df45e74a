// Safety of docker.* on a real Docker host of the bed: a typo'd, empty, short or option-looking
// container word never picks (or kills) a container, and docker.run never removes a stopped
// container before its replacement's image is there. Every case checks that all containers on the
// host (ids, names, states) are exactly as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bed, hitc, sandbox } from '../integration/bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; registry?: string; appImages?: { httpd: string } };
if (!b.dockerHosts || b.dockerHosts.length < 1 || !b.appImages || !b.registry) {
  throw new Error('the test bed has no Docker hosts: bed.json lacks dockerHosts/appImages/registry (run bash test/bed/bed.sh up)');
}
const dh = b.dockerHosts[0] as string;
const app = b.appImages.httpd;
const box = sandbox();
const run = (args: string[], timeoutMs = 90_000) => hitc(box, args, { timeoutMs });
const CLEAN = "docker rm -f $(docker ps -aq --filter name=^sf-docker-) >/dev/null 2>&1; true";

/** The lines a raw command printed on the host. */
async function outLines(command: string): Promise<string[]> {
  const r = await run(['-H', dh, '--', command]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout.split('\n').filter((l) => l.includes(' out: ')).map((l) => l.slice(l.indexOf(' out: ') + 6));
}

/** Every container on the host: full id, name, state. */
async function snapshot(): Promise<string[]> {
  return (await outLines("docker ps -a --no-trunc --format '{{.ID}} {{.Names}} {{.State}}'")).sort();
}

function idOf(snap: readonly string[], name: string): string {
  const line = snap.find((l) => l.split(' ')[1] === name);
  assert.ok(line, `${name} is on ${dh}: ${snap.join('; ')}`);
  return line.split(' ')[0] as string;
}

let shared = ''; // a one-character id prefix that two containers on the host share

before(async () => {
  await run(['-H', dh, '--', CLEAN]);
  await outLines(`docker run -d --name sf-docker-a ${app} >/dev/null && docker run -d --name sf-docker-b ${app} >/dev/null && docker create --name sf-docker-old ${app} >/dev/null && docker run -d --name sf-docker-port -p 18996:80 ${app} >/dev/null`);
  // made (not started) until two ids on the host start with the same character: 17 at most
  const found = await outLines(`i=0; while [ $i -lt 17 ]; do
  c=$(docker ps -aq --no-trunc | cut -c1 | sort | uniq -d | head -n1); [ -n "$c" ] && { echo "$c"; exit 0; }
  i=$((i+1)); docker create --name sf-docker-amb-$i ${app} >/dev/null || exit 1; done; exit 1`);
  shared = found[0] ?? '';
  assert.match(shared, /^[0-9a-f]$/);
});

after(async () => {
  await run(['-H', dh, '--', CLEAN]);
});

test('an empty container name is a usage error listing the candidates, for every task that takes a container; nothing changes', async () => {
  const before = await snapshot();
  const killed = await run(['-H', dh, 'docker.kill:']);
  assert.equal(killed.code, 2, killed.stdout + killed.stderr);
  const out = killed.stdout + killed.stderr;
  assert.match(out, new RegExp(`empty container: say which container on ${dh.replace(/\./g, '\\.')} \\(containers there: `));
  assert.match(out, new RegExp(`sf-docker-a \\(${idOf(before, 'sf-docker-a').slice(0, 12)}\\)`));
  assert.doesNotMatch(out, /Error:|at .*\.ts:\d+/); // no stack
  for (const words of [['docker.kill:container='], ['docker.logs:'], ['docker.exec:,cmd=true'], ['docker.ssh:,cmd=true'], ['docker.tunnel:,18999'], ['docker.bind:,80:18998'], ['docker.unbind:,80:18998'], ['docker.inspect:']]) {
    const r = await run(['-H', dh, ...words]);
    assert.equal(r.code, 2, `${words.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, /empty (container|target): say which container/, words.join(' '));
  }
  assert.deepEqual(await snapshot(), before);
});

test('a short id prefix shared by two containers is a usage error naming both; nothing changes', async () => {
  const before = await snapshot();
  const sharing = before.filter((l) => l.startsWith(shared)).map((l) => l.split(' ')[1] as string);
  assert.ok(sharing.length >= 2, before.join('; '));
  const r = await run(['-H', dh, `docker.kill:${shared}`]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, new RegExp(`"${shared}" is no container name on .*an id prefix needs at least 12 hex characters \\(it starts the id of: `));
  for (const name of sharing.sort().slice(0, 2)) assert.match(r.stdout + r.stderr, new RegExp(`${name} \\(${shared}`));
  assert.deepEqual(await snapshot(), before);
});

test('a word that starts one container\'s id never hits it below 12 characters; 12 characters find it', async () => {
  const before = await snapshot();
  const id = idOf(before, 'sf-docker-a');
  for (const task of ['docker.kill', 'docker.exec']) {
    const r = await run(['-H', dh, `${task}:${id.slice(0, 6)}`]);
    assert.equal(r.code, 2, `${task}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, new RegExp(`it starts the id of: sf-docker-a \\(${id.slice(0, 12)}\\)`));
  }
  assert.deepEqual(await snapshot(), before);
  const inspected = await run(['-H', dh, `docker.inspect:${id.slice(0, 12)}`]);
  assert.equal(inspected.code, 0, inspected.stdout + inspected.stderr);
  assert.match(inspected.stdout, /"Name": "\/sf-docker-a"/);
  const stopped = await run(['-H', dh, `docker.kill:${id.slice(0, 12)},rm=false`]);
  assert.equal(stopped.code, 0, stopped.stdout + stopped.stderr);
  const after = await snapshot();
  assert.ok(after.includes(`${id} sf-docker-a exited`), after.join('; '));
  assert.deepEqual(after.filter((l) => !l.includes(' sf-docker-a ')), before.filter((l) => !l.includes(' sf-docker-a ')));
});

test('values that start with "-" never reach docker: exit 2 at once (no hang), nothing changes', async () => {
  const before = await snapshot();
  for (const words of [
    ['docker.logs:container=-f'],
    ['docker.kill:container=-f'],
    ['docker.exec:container=--privileged,cmd=true'],
    ['docker.inspect:target=--help'],
    ['docker.pull:image=-a'],
    [`docker.run:image=--rm,name=sf-docker-x`],
    ['docker.bind:container=-f,ports=80:18997'],
  ]) {
    const r = await hitc(box, ['-H', dh, ...words], { timeoutMs: 20_000 });
    assert.equal(r.code, 2, `${words.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, /starts with "-", so docker would read it as an option/, words.join(' '));
    assert.ok(r.ms < 15_000, `${words.join(' ')} took ${r.ms} ms`);
  }
  assert.deepEqual(await snapshot(), before);
});

test('docker.run with a typo\'d image over a stopped container of that name: exit 1 naming host and image, the old container untouched', async () => {
  const before = await snapshot();
  const oldId = idOf(before, 'sf-docker-old');
  const typo = `${b.registry}/hitc/app-htpd:latest`;
  const r = await run(['-H', dh, `docker.run:${typo},name=sf-docker-old`]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, new RegExp(`image ${typo.replace(/[.]/g, '\\.')} is not on ${dh.replace(/\./g, '\\.')} and could not be pulled`));
  assert.doesNotMatch(r.stdout, /replacing the stopped container/);
  assert.deepEqual(await snapshot(), before);
  assert.ok((await snapshot()).some((l) => l.startsWith(`${oldId} sf-docker-old `)));

  // a flag docker refuses (made before anything is removed): the old container stays too
  const badFlag = await run(['-H', dh, `docker.run:${app},name=sf-docker-old,memory=lots`]);
  assert.equal(badFlag.code, 1, badFlag.stdout + badFlag.stderr);
  assert.match(badFlag.stdout + badFlag.stderr, /docker create/);
  assert.deepEqual(await snapshot(), before);
});

test('a replacement that cannot start (its port is taken) is removed and the stopped container keeps its name and id', async () => {
  const before = await snapshot();
  const r = await run(['-H', dh, `docker.run:${app},name=sf-docker-old,ports=80:18996`]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, new RegExp(`the new container sf-docker-old on ${dh.replace(/\./g, '\\.')} did not start: .*(port is already allocated|address already in use)`));
  assert.match(r.stdout + r.stderr, /the stopped container was kept as it was \(same id\)/);
  assert.deepEqual(await snapshot(), before);
});

test('docker.run over a stopped container replaces it once the new one exists, under the same name, with no temporary left', async () => {
  const before = await snapshot();
  const oldId = idOf(before, 'sf-docker-old');
  const r = await run(['-H', dh, `docker.run:${app},name=sf-docker-old`]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /replacing the stopped container sf-docker-old/);
  const after = await snapshot();
  const line = after.find((l) => l.split(' ')[1] === 'sf-docker-old');
  assert.ok(line && !line.startsWith(oldId) && line.endsWith(' running'), after.join('; '));
  assert.ok(!after.some((l) => l.startsWith(oldId)), 'the old container is gone');
  assert.ok(!after.some((l) => l.includes('hitc-new')), after.join('; '));
  assert.deepEqual(after.filter((l) => !l.includes(' sf-docker-old ')), before.filter((l) => !l.includes(' sf-docker-old ')));
});
