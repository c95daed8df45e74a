// Safety of manifest values on real Docker hosts: a command is an argv (shell syntax in a
// string is refused; a variable's value with `;` and `$(…)` stays one literal argument; a list
// is the argv), environment names are checked before anything runs (and a secret never shows),
// and a tag that cannot be pulled fails its step while the old container keeps running.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox } from '../integration/bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
if (!b.dockerHosts || b.dockerHosts.length < 1 || !b.appImages) throw new Error('the test bed needs Docker hosts (HITC_BED_DOCKER_HOSTS=3 bash test/bed/bed.sh up)');
const a = b.dockerHosts[0] as string;
const app = b.appImages.httpd;
const box = sandbox();
const run = (args: string[], env?: Record<string, string>) => hitc(box, args, { timeoutMs: 180_000, ...(env ? { env } : {}) });
const ENSEMBLE = 'sf-ensemble-values';
const FILE = `${ENSEMBLE}.yml`;
const PWNED = '/tmp/sf-ensemble-pwned';
// only this test's containers and files: other helpers share the host
const CLEAN = `docker rm -f $(docker ps -aq --filter label=hitc.ensemble=${ENSEMBLE}) >/dev/null 2>&1; rm -f ${PWNED}*; true`;

async function on(command: string): Promise<string> {
  const r = await run(['-H', a, '--', command]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout.split('\n').filter((l) => l.includes(' out: ')).map((l) => l.replace(/^.* out: /, '')).join('\n');
}
/** name → "id running" for this ensemble's containers. */
async function containers(): Promise<Record<string, string>> {
  const out = await on(`docker ps -a --no-trunc --filter label=hitc.ensemble=${ENSEMBLE} --format '{{.Names}} {{.ID}} {{.State}}'`);
  return Object.fromEntries(out.split('\n').filter((l) => l.trim() !== '').map((l) => { const [n, ...rest] = l.trim().split(' '); return [n, rest.join(' ')]; }));
}
const noStack = (text: string): void => assert.doesNotMatch(text, /(^|\n)\s*at .*(\.(ts|js|mjs):\d+|<anonymous>)/, 'no stack trace');

// the payload is a value another container holds: it reaches the command through ${…}
const PAYLOAD = `x; touch ${PWNED}-1 $$(touch ${PWNED}-2) \`touch ${PWNED}-3\` | touch ${PWNED}-4`;
const PAYLOAD_VALUE = PAYLOAD.replace('$$', '$');

function manifest(o: { argv?: string; list?: string; extra?: string; tagImage?: string; tagCommand?: string; mode?: string } = {}): string {
  return `${a}:
  containers:
    sf-ensemble-src:
      image: ${app}
      environment:
        PAYLOAD: "${PAYLOAD.replace(/"/g, '\\"')}"
    sf-ensemble-argv:
      image: ${app}
      command: ${o.argv ?? `sh -c 'touch /tmp/in-container; exec httpd -f -p 8081 -h /www' sf "\${${a}.containers.sf-ensemble-src.environment[PAYLOAD]}"`}
    sf-ensemble-list:
      image: ${app}
      command: ${o.list ?? '[/bin/busybox, httpd, -f, -p, "8082", -h, /www]'}
    sf-ensemble-tag:
      image: ${o.tagImage ?? app}
${o.tagCommand ? `      command: ${o.tagCommand}\n` : ''}    sf-ensemble-dependent:
      image: ${app}
      environment:
        MODE: ${o.mode ?? 'one'}
        _DEPENDS: \${${a}.containers.sf-ensemble-tag.ip}
${o.extra ?? ''}`;
}

before(async () => {
  await on(CLEAN);
});
after(async () => {
  await on(CLEAN);
});

test('a command is an argv: a value with ; $(…) ` | stays one literal argument, nothing runs on the host; a list is the argv; string and list hash alike', async () => {
  writeFileSync(join(box.dir, FILE), manifest());
  const up = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, /converged: observing again finds no changes/);
  assert.equal(await on(`ls ${PWNED}* 2>/dev/null | wc -l`), '0', 'nothing ran on the host');
  const cmd = JSON.parse(await on("docker inspect -f '{{json .Config.Cmd}}' sf-ensemble-argv")) as string[];
  assert.deepEqual(cmd, ['sh', '-c', 'touch /tmp/in-container; exec httpd -f -p 8081 -h /www', 'sf', PAYLOAD_VALUE]);
  assert.equal(await on('docker exec sf-ensemble-argv ls /tmp/in-container'), '/tmp/in-container', 'the quoted ; ran inside the container, where it was written');
  assert.equal(await on(`docker exec sf-ensemble-argv sh -c 'ls ${PWNED}* 2>/dev/null | wc -l'`), '0', 'and the payload ran nowhere');
  assert.deepEqual(JSON.parse(await on("docker inspect -f '{{json .Config.Cmd}}' sf-ensemble-list")), ['/bin/busybox', 'httpd', '-f', '-p', '8082', '-h', '/www']);
  assert.equal(await on("docker inspect -f '{{.State.Running}}' sf-ensemble-list"), 'true');

  // the same argv written the other way round is the same spec: nothing is replaced
  const before = await containers();
  writeFileSync(join(box.dir, FILE), manifest({ list: '/bin/busybox httpd -f -p "8082" -h /www', argv: `[sh, -c, "touch /tmp/in-container; exec httpd -f -p 8081 -h /www", sf, "\${${a}.containers.sf-ensemble-src.environment[PAYLOAD]}"]` }));
  const again = await run([`ensemble.plan:${ENSEMBLE}`]);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /No changes\./);
  assert.deepEqual(await containers(), before);
});

test('shell syntax in a string command is refused at file:line (exit 2): nothing runs on the host, nothing changes', async () => {
  const before = await containers();
  assert.equal(Object.keys(before).length, 5, JSON.stringify(before));
  writeFileSync(join(box.dir, FILE), manifest({ list: `"httpd -f -p 8082; touch ${PWNED}-5"` }));
  for (const task of ['ensemble.plan', 'ensemble.up']) {
    const r = await run([`${task}:${ENSEMBLE}`, '--yes']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr + r.stdout, new RegExp(`${FILE}:12: ${a.replace(/\./g, '\\.')}\\.containers\\.sf-ensemble-list\\.command: ";" in command "httpd -f -p 8082; touch ${PWNED}-5": hitc runs no shell for a command \\(to run a shell inside the container, write the command as a list: \\["sh", "-c", "…"\\]\\)`));
    noStack(r.stdout + r.stderr);
  }
  assert.equal(await on(`ls ${PWNED}* 2>/dev/null | wc -l`), '0');
  assert.deepEqual(await containers(), before);
});

test('an environment name that is not a name is refused at file:line (exit 2); the secret never shows; nothing changes', async () => {
  const before = await containers();
  const secret = 'sf-ensemble-hunter2-s3cret';
  writeFileSync(join(box.dir, FILE), manifest({ mode: 'two' }).replace('        MODE: two\n', '        MODE: two\n        DB-PASS: !secret\n'));
  for (const task of ['ensemble.plan', 'ensemble.up']) {
    const r = await run([`${task}:${ENSEMBLE}`, '--yes'], { 'DB-PASS': secret });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr + r.stdout, new RegExp(`${FILE}:19: ${a.replace(/\./g, '\\.')}\\.containers\\.sf-ensemble-dependent\\.environment\\.DB-PASS: "DB-PASS" is not an environment variable name`));
    assert.ok(!(r.stdout + r.stderr).includes(secret), 'the secret never shows');
    noStack(r.stdout + r.stderr);
  }
  assert.deepEqual(await containers(), before);
});

test('a tag that cannot be pulled fails its step (exit 1) with host, command, exit code and what docker said; the old container keeps running; its dependent is skipped', async () => {
  const before = await containers();
  assert.match(before['sf-ensemble-tag'] ?? '', / running$/);
  const typo = app.replace(/:latest$/, ':latset');
  writeFileSync(join(box.dir, FILE), manifest({ tagImage: typo, mode: 'three' }));
  const plan = await run([`ensemble.plan:${ENSEMBLE}`]);
  assert.match(plan.stdout, /sf-ensemble-tag \([^)]*\): image .* → .*:latset/);
  const up = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  assert.equal(up.code, 1, up.stdout + up.stderr);
  const all = up.stdout + up.stderr;
  assert.match(all, new RegExp(`\\[${a.replace(/\./g, '\\.')}\\] image ${typo.replace(/[.]/g, '\\.')} is not on ${a.replace(/\./g, '\\.')} and could not be pulled: .*(manifest unknown|not found)`));
  assert.match(all, /sf-ensemble-dependent[^\n]*skipped \((pull [^\n]*:latset|replace container sf-ensemble-tag) on [\d.]+ failed\)/);
  // the pull is its own step: it fails, and the container and its dependent are skipped
  assert.match(all, /0 done, 1 failed, 2 skipped/);
  noStack(all);
  assert.deepEqual(await containers(), before, 'same ids, still running');
});

test('a replacement that cannot start (a typo in its command) puts the old container back: same id, running again (exit 1)', async () => {
  const before = await containers();
  assert.match(before['sf-ensemble-tag'] ?? '', / running$/);
  writeFileSync(join(box.dir, FILE), manifest({ tagCommand: '[/bin/sf-ensemble-no-such-program]', mode: 'four' }));
  const up = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  assert.equal(up.code, 1, up.stdout + up.stderr);
  const all = up.stdout + up.stderr;
  assert.match(all, new RegExp(`\\[${a.replace(/\./g, '\\.')}\\] docker run for sf-ensemble-tag exited with code \\d+: .*sf-ensemble-no-such-program`));
  assert.match(all, /sf-ensemble-dependent[^\n]*skipped \((pull [^\n]*:latset|replace container sf-ensemble-tag) on [\d.]+ failed\)/);
  noStack(all);
  assert.deepEqual(await containers(), before, 'same ids, running again, nothing left aside');

  // and a replacement that does start replaces: only the changed container has a new id
  writeFileSync(join(box.dir, FILE), manifest({ mode: 'five' }));
  const fixed = await run([`ensemble.up:${ENSEMBLE}`, '--yes']);
  assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
  assert.match(fixed.stdout, /converged: observing again finds no changes/);
  // the replaced copy is kept, stopped, for rollback (NAME-hitc-prev-EPOCH); nothing else is left
  const listed = await containers();
  const kept = Object.keys(listed).filter((n) => /-hitc-prev-\d+$/.test(n));
  assert.ok(kept.every((n) => / exited$/.test(listed[n] as string)), 'kept copies are stopped');
  const now = Object.fromEntries(Object.entries(listed).filter(([n]) => !kept.includes(n)));
  assert.deepEqual(Object.keys(now).sort(), Object.keys(before).sort(), 'nothing left aside');
  for (const [name, state] of Object.entries(now)) {
    assert.match(state, / running$/, name);
    if (name === 'sf-ensemble-dependent') assert.notEqual(state, before[name]);
    else assert.equal(state, before[name], name);
  }
});
