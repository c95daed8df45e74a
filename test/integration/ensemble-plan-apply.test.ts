// The plan a person reviews is the plan that is applied: on a new local server (a container
// with sshd and its own dockerd) the plan shown before [Y/n] has one line per typed op and the
// apply reports each op once; a saved plan applies exactly its ops; a saved plan made before
// someone changed a container by hand is refused, and nothing is touched.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, hitcUnderTty, sandbox, cacheFile } from './bed.ts';
import { opLabel } from '../../src/ensemble/plan/plan-text.ts';
import type { Op } from '../../src/ensemble/plan/ops.ts';
import type { OpJson, PlanJson } from '../../src/ensemble/plan/plan-json.ts';

const b = bed() as ReturnType<typeof bed> & { registry?: string; appImages?: { httpd: string } };
const image = b.appImages?.httpd as string;
// no trailing -<digits>: that would read as a copy number, and -R NAME would miss it
const name = `sf-e2e-p${process.pid}`;
const box = sandbox({ knownHosts: '' });

// A local server's own dockerd pulls the bed's images over plain HTTP only if it lists the bed
// registry as insecure (the bed's Docker hosts do, in their entrypoint): the local server image
// is built on a base that carries that daemon.json.
const BASE = 'hitc-bed-base:bookworm-registry';
execFileSync('docker', ['build', '-q', '-t', BASE, '-'], {
  input: `FROM hitc-bed-base:bookworm\nRUN mkdir -p /etc/docker && printf '{"insecure-registries": ["%s"]}\\n' '${b.registry}' >/etc/docker/daemon.json\n`,
  stdio: ['pipe', 'ignore', 'inherit'],
});

const env = {
  HITC_LOCAL_BASE_IMAGE: BASE,
  HITC_CACHE_FILE: cacheFile(),
  HITC_LOCAL_KEY: join(box.dir, 'local_key'),
};
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', env.HITC_LOCAL_KEY]);
const run = (args: string[]) => hitc(box, args, { env, timeoutMs: 900_000 });
/** A shell command on the local server (output lines `[ip] out: …`). */
const onServer = (command: string) => run(['-R', name, '--', command]);

after(async () => {
  const gone = await run(['-R', name, 'terminate', '--yes']);
  assert.equal(gone.code, 0, `local server ${name} left behind:\n${gone.stdout}${gone.stderr}`);
});

function manifest(greeting: string): void {
  writeFileSync(join(box.dir, 'pa.yml'), `${name}:
  provider: local
  containers:
    app:
      image: ${image}
      ports: [80]
      environment:
        GREETING: ${greeting}
  firewall:
    80: "*"
    ssh_from_applier_only: true
`);
}

/** The ensemble.plan --json task value. */
async function planJson(): Promise<PlanJson> {
  const r = await run(['ensemble.plan:pa', '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout).tasks[0].hosts[0].value as PlanJson;
}

/** The progress lines of an apply that say a step ended (done ✓ or failed ✗). */
const stepEnds = (out: string): string[] => out.split(/\r?\n/).filter((l) => /^[✓✗] /.test(l));

/** Every op reported done exactly once, and no other step ended. */
function assertReportedOnce(out: string, ops: readonly OpJson[]): void {
  const ends = stepEnds(out);
  for (const op of ops) {
    const mine = ends.filter((l) => l === `✓ ${op.title}` || l.startsWith(`✓ ${op.title}: `));
    assert.equal(mine.length, 1, `${op.id} is reported ${mine.length} times as done:\n${out}`);
  }
  assert.equal(ends.length, ops.length, `step lines other than the plan's ops:\n${ends.join('\n')}`);
}

/** The container's `docker inspect` fields on the local server: id, running, environment. */
async function inspectApp(): Promise<{ id: string; running: string; env: string[] }> {
  const r = await onServer('docker inspect -f "{{.Id}} {{.State.Running}}{{range .Config.Env}} {{.}}{{end}}" app');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const line = r.stdout.split('\n').find((l) => l.includes(' out: '));
  const [id = '', running = '', ...rest] = (line?.split(' out: ')[1] ?? '').trim().split(' ');
  return { id, running, env: rest };
}

test('the plan shown before [Y/n] lists every operation the apply then reports, one to one', { timeout: 1_500_000 }, async () => {
  manifest('hello');
  const plan = await planJson();
  const kinds = plan.ops.map((o) => o.kind);
  for (const kind of ['create-server', 'setup-docker', 'pull-image', 'run-container', 'put-firewall']) assert.ok(kinds.includes(kind as OpJson['kind']), `no ${kind} op in ${kinds.join(', ')}`);

  const up = await hitcUnderTty(box, ['ensemble.up:pa'], ['y'], { env, timeoutMs: 1_200_000 });
  assert.equal(up.code, 0, up.out);
  const lines = up.out.split(/\r?\n/);
  const start = lines.findIndex((l) => l.startsWith('Ensemble '));
  const end = lines.findIndex((l, i) => i > start && l.startsWith('Plan: '));
  assert.ok(start >= 0 && end > start, `no plan before the question:\n${up.out}`);
  assert.ok(up.out.indexOf('Do you wish to continue? [Y/n]') > up.out.indexOf(lines[end] as string), up.out);
  const items = lines.slice(start + 1, end).filter((l) => l.startsWith('  '));
  assert.deepEqual(items.sort(), plan.ops.map((op) => `  ${opLabel(op as unknown as Op)}: ${op.reason}`).sort(), `the plan shown:\n${lines.slice(start, end + 1).join('\n')}`);
  assertReportedOnce(up.out, plan.ops);

  const again = await run(['ensemble.up:pa', '--yes']);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /No changes\./);
});

test('a saved plan applies', { timeout: 600_000 }, async () => {
  manifest('saved');
  const saved = await run(['ensemble.plan:pa,out=plan.json']);
  assert.equal(saved.code, 0, saved.stdout + saved.stderr);
  const file = join(box.dir, 'plan.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const data = JSON.parse(readFileSync(file, 'utf8')) as { format: string; plan: PlanJson };
  assert.equal(data.format, 'hitc-plan');
  assert.ok(data.plan.ops.some((o) => o.kind === 'replace-container'), data.plan.ops.map((o) => o.id).join(', '));

  const up = await run(['ensemble.up:pa,plan=plan.json', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assertReportedOnce(up.stdout, data.plan.ops);
  assert.ok((await inspectApp()).env.includes('GREETING=saved'));
});

test('a saved plan after a container was changed by hand is refused', { timeout: 600_000 }, async () => {
  manifest('stale');
  const saved = await run(['ensemble.plan:pa,out=plan.json']);
  assert.equal(saved.code, 0, saved.stdout + saved.stderr);
  const stop = await onServer('docker stop app');
  assert.equal(stop.code, 0, stop.stdout + stop.stderr);
  const before = await inspectApp();
  assert.equal(before.running, 'false');

  const up = await run(['ensemble.up:pa,plan=plan.json', '--yes']);
  const out = up.stdout + up.stderr;
  assert.equal(up.code, 2, out);
  assert.match(out, /stale plan/);
  assert.match(out, new RegExp(`container ${name}/app changed`));
  assert.deepEqual(await inspectApp(), before, 'the container was touched');
});
