// The swap script, as text and run by sh against a stand-in docker and iptables
// (test/docker/fixtures/fake-docker): the old container is never stopped before a new copy is
// healthy (start-first), or is started again (stop-first); the old one is kept as a prev copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from '../../src/core/command.ts';
import { dockerRun } from '../../src/docker/commands.ts';
import { parseSwapFailure, swapCommand } from '../../src/docker/swap-script.ts';
import type { Swap } from '../../src/ensemble/plan/ops.ts';
import type { HealthCheck } from '../../src/ensemble/manifest/healthcheck.ts';

const PORTS = [{ container: 80, public: 8080, protocol: 'tcp' as const }];
const START_FIRST: Swap = { order: 'start-first', standIn: true, stopTimeout: 3 };
const FAKE = join(import.meta.dirname, 'fixtures', 'fake-docker');

function script(swap: Swap, mode: string, restart?: string) {
  const spec = { image: 'img', name: 'web', environment: {}, ports: swap.standIn ? PORTS : [], volumes: [], restart: 'no' };
  return swapCommand({
    name: 'web', swap, ports: spec.ports, run: sh`${dockerRun(spec)} ${mode}`,
    ...(swap.standIn ? { runStandIn: sh`${dockerRun({ ...spec, name: 'web-hitc-next' }, {}, { loopbackPorts: true })} ${mode}` } : {}),
    ...(restart ? { restart } : {}), drainSeconds: 0,
  });
}

interface Run { code: number; stdout: string; stderr: string; after: Record<string, string>; nat: string; restores: string; standInRun: string }
function swapOn(containers: Record<string, string>, swap: Swap, mode: string, options: { nat?: string; restart?: string } = {}): Run {
  const state = mkdtempSync(join(tmpdir(), 'hitc-fake-docker-'));
  try {
    for (const [id, line] of Object.entries(containers)) writeFileSync(join(state, id), `${line}\n`);
    if (options.nat) writeFileSync(join(state, '.nat'), options.nat);
    const r = spawnSync('sh', ['-c', script(swap, mode, options.restart).script], { env: { ...process.env, PATH: `${FAKE}:${process.env.PATH}`, FAKE_STATE: state }, encoding: 'utf8' });
    const read = (f: string) => (existsSync(join(state, f)) ? readFileSync(join(state, f), 'utf8') : '');
    const after = Object.fromEntries(readdirSync(state).filter((f) => !f.startsWith('.')).map((id) => [containers[id] !== undefined ? id : 'new', readFileSync(join(state, id), 'utf8').trim().replace(/-hitc-prev-\d+ /, '-hitc-prev-EPOCH ')]));
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, after, nat: read('.nat'), restores: read('.restores'), standInRun: read('.standin-run') };
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

test('start-first with ports: stand-in on loopback ports, one atomic DNAT switch, old stopped and kept, NAME with its real ports, rules gone', () => {
  const r = swapOn({ aaaa1111: 'web true 0' }, START_FIRST, 'ok', { restart: 'unless-stopped' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(r.after, { aaaa1111: 'web-hitc-prev-EPOCH false 137', new: 'web true 0' }, 'the stand-in is gone, the old one kept stopped');
  assert.match(r.standInRun, /--name web-hitc-next .*-p 127\.0\.0\.1::80 /);
  const [add, del] = r.restores.split('--\n');
  assert.match(add!, /^\*nat\n-A HITC-BIND -p tcp -m tcp --dport 8080 -m comment --comment hitc-swap:web -j DNAT --to-destination 172\.17\.0\.\d+:80\nCOMMIT\n$/);
  assert.match(del!, /^\*nat\n-D HITC-BIND -p tcp .*hitc-swap:web .*\nCOMMIT\n$/);
  assert.equal(r.nat.trim(), '', 'no DNAT rule left');
  assert.match(r.stdout, /--hitc-docker-state--/);
});

test('a stand-in that is not healthy is removed with its logs shown; the old container is untouched (same id, never stopped), no rule added', () => {
  const r = swapOn({ aaaa1111: 'web true 0' }, START_FIRST, 'exit3');
  assert.equal(r.code, 1);
  const f = parseSwapFailure(r.stdout);
  assert.deepEqual(f && { ...f, logs: f.logs.map((l) => l.replace(/[0-9a-f]{64}/, 'ID')) }, { step: 'stand-in', serving: 'old', why: 'it stopped (exit code 3)', logs: ['log line of ID'] });
  assert.deepEqual(r.after, { aaaa1111: 'web true 0' });
  assert.equal(r.restores, '');
});

test('a final copy that is not healthy leaves the stand-in serving through its DNAT rule; the next run keeps it until NAME is healthy', () => {
  const checked: Swap = { ...START_FIRST, health: { kind: 'cmd', command: ['true'], interval: 0.1, timeout: 1, retries: 2 } };
  // the stand-in is healthy, the final copy is not: make only the final one unhealthy
  const state: Record<string, string> = { aaaa1111: 'web true 0' };
  const r = swapOnSplit(state, checked);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(parseSwapFailure(r.stdout)?.serving, 'stand-in');
  assert.deepEqual(Object.values(r.after).sort(), ['web-hitc-next true 0', 'web-hitc-prev-EPOCH false 137']);
  assert.match(r.nat, /hitc-swap:web -j DNAT/);
  // what the next up finds: NAME missing, the stand-in serving; a good run takes over
  const again = swapOn({ bbbb2222: 'web-hitc-next true 0', aaaa1111: 'web-hitc-prev-100 false 137' }, START_FIRST, 'ok', { nat: r.nat });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.deepEqual(again.after, { aaaa1111: 'web-hitc-prev-EPOCH false 137', new: 'web true 0' });
  assert.equal(again.standInRun, '', 'no second stand-in');
  assert.equal(again.nat.trim(), '');
});

function swapOnSplit(containers: Record<string, string>, swap: Swap): Run {
  // the final copy's run carries "unhealthy", the stand-in's does not
  const state = mkdtempSync(join(tmpdir(), 'hitc-fake-docker-'));
  try {
    for (const [id, line] of Object.entries(containers)) writeFileSync(join(state, id), `${line}\n`);
    const spec = { image: 'img', name: 'web', environment: {}, ports: PORTS, volumes: [], restart: 'no' };
    const cmd = swapCommand({ name: 'web', swap, ports: PORTS, run: sh`${dockerRun(spec)} unhealthy`, runStandIn: sh`${dockerRun({ ...spec, name: 'web-hitc-next' }, {}, { loopbackPorts: true })} ok`, drainSeconds: 0 });
    const r = spawnSync('sh', ['-c', cmd.script], { env: { ...process.env, PATH: `${FAKE}:${process.env.PATH}`, FAKE_STATE: state }, encoding: 'utf8' });
    const after = Object.fromEntries(readdirSync(state).filter((f) => !f.startsWith('.')).map((id) => [id, readFileSync(join(state, id), 'utf8').trim().replace(/-hitc-prev-\d+ /, '-hitc-prev-EPOCH ')]));
    const nat = existsSync(join(state, '.nat')) ? readFileSync(join(state, '.nat'), 'utf8') : '';
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, after, nat, restores: '', standInRun: '' };
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

test('an earlier attempt\'s stand-in is removed (its rules first) while the old one serves, then the swap runs', () => {
  const r = swapOn({ aaaa1111: 'web true 0', cccc3333: 'web-hitc-next true 0' }, START_FIRST, 'ok', { nat: '-A HITC-BIND -p tcp -m tcp --dport 8080 -m comment --comment hitc-swap:web -j DNAT --to-destination 172.17.0.9:80\n' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(r.after, { aaaa1111: 'web-hitc-prev-EPOCH false 137', new: 'web true 0' });
  assert.equal(r.nat.trim(), '');
});

test('stop-first: the old one stops first; an unhealthy new one is removed and the old one runs again under its name (same id)', () => {
  const stopFirst: Swap = { order: 'stop-first', standIn: false, stopTimeout: 3 };
  const bad = swapOn({ aaaa1111: 'web true 0' }, stopFirst, 'exit3');
  assert.equal(bad.code, 1);
  assert.deepEqual([parseSwapFailure(bad.stdout)?.step, parseSwapFailure(bad.stdout)?.serving], ['final', 'old-back']);
  assert.deepEqual(bad.after, { aaaa1111: 'web true 0' });
  const good = swapOn({ aaaa1111: 'web true 0' }, stopFirst, 'ok');
  assert.equal(good.code, 0, good.stderr);
  assert.deepEqual(good.after, { aaaa1111: 'web-hitc-prev-EPOCH false 137', new: 'web true 0' });
});

test('start-first without ports: the old one steps aside still running; a failed new one gives it its name back, never stopped', () => {
  const noPorts: Swap = { order: 'start-first', standIn: false, stopTimeout: 3 };
  const bad = swapOn({ aaaa1111: 'web true 0' }, noPorts, 'restarting');
  assert.deepEqual(parseSwapFailure(bad.stdout)?.serving, 'old-back');
  assert.deepEqual(bad.after, { aaaa1111: 'web true 0' });
  const good = swapOn({ aaaa1111: 'web true 0' }, noPorts, 'ok', { restart: 'always' });
  assert.equal(good.code, 0, good.stderr);
  assert.deepEqual(good.after, { aaaa1111: 'web-hitc-prev-EPOCH false 137', new: 'web true 0' });
});

test('a first start (no old container) is health-checked too; a run that fails says so', () => {
  const bad = swapOn({}, START_FIRST, 'badstart');
  assert.deepEqual(parseSwapFailure(bad.stdout), { step: 'final', serving: 'none', why: 'docker run of web exited with code 127', logs: [] });
  assert.deepEqual(bad.after, {});
});

test('an interrupted replacement of an older hitc (old container aside, its name free) gets the name back first', () => {
  const r = swapOn({ aaaa1111: 'web-hitc-replaced false 137' }, START_FIRST, 'exit3');
  assert.deepEqual(r.after, { aaaa1111: 'web false 137' }, 'the original, under its own name');
});

test('containers are found by exact name; every docker call ends its options before a name; the probes are bounded', () => {
  const http: HealthCheck = { kind: 'http', path: "/x'y", port: 80, interval: 1, timeout: 3, retries: 5 };
  const text = script({ ...START_FIRST, health: http }, 'ok').script;
  assert.match(text, /\[ "\$\{o#\* \}" = "\/\$1" \]/);
  assert.doesNotMatch(text, /docker (inspect|rename|rm|kill|start|stop|logs|update|exec) (?!--|-f --|--type container|--tail 50 --|-t 3 --|--restart \S+ --)/);
  assert.match(text, /curl -s -o \/dev\/null --connect-timeout 3 --max-time 3 -w '%\{http_code\}' -- "\$url"/);
  assert.match(text, /url="http:\/\/\$ip:"80'\/x'\\''y'/);
  assert.match(script({ ...START_FIRST, health: { kind: 'cmd', command: ['pg_isready', '-U', 'a b'], interval: 1, timeout: 2, retries: 5 } }, 'ok').script, /timeout 2 docker exec -- "\$1" pg_isready -U 'a b'/);
});
