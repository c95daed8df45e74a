// The audit log on a real Docker host: every op an up applies leaves one line on its server
// (who, which ensemble, which op, the spec hash, the result) and no secret; a failing op leaves
// a failed line; `hitc audit` shows them (text and --json); the log is root's, 0750/0640; and
// many writers at once never interleave a line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { bed, hitc, sandbox } from './bed.ts';
import { appendAuditCommand, type AuditRecord } from '../../src/ensemble/apply/audit-commands.ts';
import type { PlanJson } from '../../src/ensemble/plan/plan-json.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string }; registry?: string };
// the last Docker host: CI's bed has 3, a developer's may have more
const host = (b.dockerHosts as string[]).at(-1) as string;
const app = b.appImages?.httpd as string;
const box = sandbox();
const TOKEN = 'sf-audit-token-5d1c93e7';
const NAME = 'sf-audit-shop';
const run = (args: string[]) => hitc(box, args, { env: { HITC_TEST_AUDIT_TOKEN: TOKEN }, timeoutMs: 180_000 });
const CLEAN = 'docker rm -f sf-audit-app >/dev/null 2>&1; rm -rf /var/log/hitc /tmp/sf-audit-atomic; true';
const BY = `${userInfo().username}@${hostname()}`;

function manifest(mode: string, image = app): void {
  writeFileSync(join(box.dir, `${NAME}.yml`), `${host}:
  containers:
    sf-audit-app:
      image: ${image}
      environment:
        MODE: ${mode}
        TOKEN: !secret HITC_TEST_AUDIT_TOKEN
`);
}

/** What a command printed on the host (the text after " out: " on each line). */
async function remote(command: string): Promise<string[]> {
  const r = await run(['-H', host, '--', command]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout.split('\n').filter((l) => l.includes(' out: ')).map((l) => l.slice(l.indexOf(' out: ') + 6));
}

/** This ensemble's records on the host, parsed straight from the file. */
async function records(): Promise<AuditRecord[]> {
  return (await remote(`grep -F '"ensemble":"${NAME}"' /var/log/hitc/audit.log || true`)).map((l) => JSON.parse(l) as AuditRecord);
}

async function planOps(): Promise<string[]> {
  const r = await run([`ensemble.plan:${NAME}`, '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return (JSON.parse(r.stdout).tasks[0].hosts[0].value as PlanJson).ops.map((o) => o.id);
}

before(() => remote(CLEAN));
after(() => remote(CLEAN));

test('an up that creates and then replaces a container writes one line per op, with its spec hash and no secret', async () => {
  manifest('one');
  const first = await planOps();
  assert.ok(first.includes(`run-container:${host}/sf-audit-app`), first.join(' '));
  const t0 = Date.now();
  const up = await run([`ensemble.up:${NAME}`, '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  const created = await records();
  assert.deepEqual(created.map((r) => r.op), first, 'one line per op of the plan, in order');
  const hash1 = (await remote('docker inspect -f \'{{index .Config.Labels "hitc.spec-hash"}}\' sf-audit-app'))[0];
  const runLine = created.find((r) => r.kind === 'run-container') as AuditRecord;
  assert.deepEqual({ ...runLine, time: '' }, {
    time: '', by: BY, ensemble: NAME, op: `run-container:${host}/sf-audit-app`, kind: 'run-container', reason: 'no such container', spec: hash1, result: 'done',
  });
  const at = Date.parse(runLine.time);
  assert.ok(at >= t0 - 5000 && at <= Date.now() + 5000 && runLine.time.endsWith('Z'), runLine.time);

  manifest('two');
  const second = await planOps();
  assert.deepEqual(second, [`replace-container:${host}/sf-audit-app`]);
  const replaced = await run([`ensemble.up:${NAME}`, '--yes']);
  assert.equal(replaced.code, 0, replaced.stdout + replaced.stderr);
  const after2 = await records();
  assert.equal(after2.length, created.length + 1);
  const hash2 = (await remote('docker inspect -f \'{{index .Config.Labels "hitc.spec-hash"}}\' sf-audit-app'))[0];
  assert.notEqual(hash2, hash1);
  assert.deepEqual({ ...after2.at(-1), time: '' }, {
    time: '', by: BY, ensemble: NAME, op: `replace-container:${host}/sf-audit-app`, kind: 'replace-container', reason: 'environment MODE: one → two', spec: hash2, result: 'done',
  });

  // neither the secret nor its digest (kept in the container's spec label) is in the log
  const label = (await remote('docker inspect -f \'{{index .Config.Labels "hitc.spec"}}\' sf-audit-app'))[0] as string;
  const digest = (JSON.parse(label) as { secrets: { TOKEN: string } }).secrets.TOKEN;
  assert.match(digest, /^[0-9a-f]{32}$/);
  assert.deepEqual(await remote(`grep -c -e '${TOKEN}' -e '${digest}' /var/log/hitc/audit.log || true`), ['0']);
  assert.deepEqual(await remote('stat -c "%a %U %G %n" /var/log/hitc /var/log/hitc/audit.log'), ['750 root root /var/log/hitc', '640 root root /var/log/hitc/audit.log']);
});

test('a failing op writes a failed line with the first line of its error; the ops it blocked write nothing', async () => {
  manifest('two', `${b.registry}/hitc/sf-audit-nope:missing`);
  const before1 = (await records()).length;
  const up = await run([`ensemble.up:${NAME}`, '--yes']);
  assert.notEqual(up.code, 0, up.stdout + up.stderr);
  const now = await records();
  assert.equal(now.length, before1 + 1, 'only the pull wrote: the replace it blocked was skipped');
  const failed = now.at(-1) as AuditRecord;
  assert.equal(failed.op, `pull-image:${host}/${b.registry}/hitc/sf-audit-nope:missing`);
  assert.equal(failed.result, 'failed');
  assert.ok(failed.error && failed.error.length > 0 && !failed.error.includes('\n'), JSON.stringify(failed));
  manifest('two');
});

test('hitc audit shows the records per host as lines; --json gives them parsed; bad lines are skipped and counted', async () => {
  assert.deepEqual(await remote('echo "not a record" >> /var/log/hitc/audit.log; echo ok'), ['ok']);
  const text = await run(['-H', host, 'audit']);
  assert.equal(text.code, 0, text.stdout + text.stderr);
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  assert.match(text.stdout, new RegExp(`\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  ${esc(BY)}  ${NAME}  run-container:${esc(host)}/sf-audit-app  done`));
  assert.match(text.stdout, new RegExp(`${NAME}  replace-container:${esc(host)}/sf-audit-app  done`));
  assert.match(text.stdout, new RegExp(`${NAME}  pull-image:${esc(host)}/\\S+sf-audit-nope:missing  failed: `));
  assert.match(text.stdout + text.stderr, /1 line of \/var\/log\/hitc\/audit\.log is not an audit record \(skipped\)/);

  const json = await run(['--json', '-H', host, `audit:lines=2,ensemble=${NAME}`]);
  assert.equal(json.code, 0, json.stdout + json.stderr);
  const value = JSON.parse(json.stdout).tasks[0].hosts[0].value as { records: AuditRecord[]; badLines: number };
  assert.deepEqual(value.records.map((r) => [r.op.split(':')[0], r.result]), [['replace-container', 'done'], ['pull-image', 'failed']]);
  assert.equal(value.badLines, 0, 'the filter reads only this ensemble\'s lines');

  const bad = await run(['-H', host, 'audit:lines=0']);
  assert.equal(bad.code, 2, bad.stdout + bad.stderr);
  assert.match(bad.stdout + bad.stderr, /lines must be a whole number from 1 to 10000/);
});

test('logged in as a sudo user, the line is written through sudo: the log stays root\'s and unreadable to that user', async () => {
  manifest('three');
  const asUbuntu = await hitc(box, [`ensemble.up:${NAME}`, '--yes'], { env: { HITC_TEST_AUDIT_TOKEN: TOKEN, HITC_SSH_USER: 'ubuntu' }, timeoutMs: 180_000 });
  assert.equal(asUbuntu.code, 0, asUbuntu.stdout + asUbuntu.stderr);
  assert.doesNotMatch(asUbuntu.stdout + asUbuntu.stderr, /could not write the audit log/);
  const last = (await records()).at(-1) as AuditRecord;
  assert.deepEqual([last.op, last.reason, last.result], [`replace-container:${host}/sf-audit-app`, 'environment MODE: two → three', 'done']);
  assert.deepEqual(await remote('stat -c "%a %U %G" /var/log/hitc/audit.log; su ubuntu -s /bin/sh -c "cat /var/log/hitc/audit.log" >/dev/null 2>&1 && echo readable || echo unreadable'), ['640 root root', 'unreadable']);
  const shown = await hitc(box, ['-H', host, `audit:lines=1,ensemble=${NAME}`], { env: { HITC_SSH_USER: 'ubuntu' } });
  assert.equal(shown.code, 0, shown.stdout + shown.stderr);
  assert.match(shown.stdout, /replace-container:\S+  done/);
});

test('50 writers at once, each a line near the size limit: every line arrives whole', async () => {
  const append = appendAuditCommand().script.replaceAll('/var/log/hitc', '/tmp/sf-audit-atomic');
  const writer = `i=$1; printf '{"n":%s,"pad":"%s"}\\n' "$i" "$(head -c 3300 /dev/zero | tr '\\0' x)" | sh -c '${append.replace(/'/g, `'\\''`)}'`;
  const counts = await remote(`for i in $(seq 50); do sh -c '${writer.replace(/'/g, `'\\''`)}' w $i & done; wait; wc -l < /tmp/sf-audit-atomic/audit.log; grep -c '^{"n":[0-9]*,"pad":"x*"}$' /tmp/sf-audit-atomic/audit.log`);
  assert.deepEqual(counts, ['50', '50']);
});
