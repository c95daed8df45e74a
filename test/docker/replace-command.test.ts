// The replace script as a value: containers are looked up by exact name only, every name comes
// after `--`, and a failure line says which step failed and whether the old one was put back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from '../../src/core/command.ts';
import { parseReplaceFailure, replaceCommand } from '../../src/docker/commands.ts';

test('replaceCommand finds containers by exact name (never an image or an id prefix) and passes names after --', () => {
  const script = replaceCommand('abc123', sh`docker run -d --name abc123 -- img`).script;
  assert.match(script, /docker inspect --type container -f '\{\{\.Id\}\} \{\{\.Name\}\}' -- "\$1"/);
  assert.match(script, /\[ "\$\{o#\* \}" = "\/\$1" \]/, 'the name docker answers with must be /NAME');
  assert.doesNotMatch(script, /docker (inspect|rename|rm|kill|start|logs) (?!--|-f --|--type container|--tail 3 --)/, 'every docker call ends its options before a name');
  assert.match(script, /name='?abc123'?; aside='?abc123-hitc-replaced'?;/);
  // the new container must still run after the settle time, else the old one comes back
  assert.match(script, /sleep 2\n {2}if \[ "\$\(docker inspect --type container -f '\{\{\.State\.Running\}\} \{\{\.State\.Restarting\}\} \{\{\.RestartCount\}\}' -- "\$id" 2>\/dev\/null\)" != 'true false 0' \]/);
});

test('parseReplaceFailure reads the step, whether the old container was put back, and the code', () => {
  assert.deepEqual(parseReplaceFailure('x\nhitc-replace-failed exited yes 3\n'), { step: 'exited', restored: 'yes', code: '3' });
  assert.deepEqual(parseReplaceFailure('hitc-replace-failed run no 125'), { step: 'run', restored: 'no', code: '125' });
  assert.equal(parseReplaceFailure('[{"Id":"x"}]\n--hitc-docker-state--'), undefined);
});

// The script itself, run by sh against a stand-in docker (test/docker/fixtures/fake-docker)
const FAKE = join(import.meta.dirname, 'fixtures', 'fake-docker');
function replaceOn(containers: Record<string, string>, name: string, mode: 'ok' | 'exit3' | 'badstart' | 'restarting'): { code: number; stdout: string; stderr: string; after: Record<string, string> } {
  const state = mkdtempSync(join(tmpdir(), 'hitc-fake-docker-'));
  try {
    for (const [id, line] of Object.entries(containers)) writeFileSync(join(state, id), `${line}\n`);
    const r = spawnSync('sh', ['-c', replaceCommand(name, sh`docker run -d --name ${name} -- img ${mode}`, 0).script], { env: { ...process.env, PATH: `${FAKE}:${process.env.PATH}`, FAKE_STATE: state }, encoding: 'utf8' });
    const after = Object.fromEntries(readdirSync(state).map((id) => [containers[id] !== undefined ? id : 'new', readFileSync(join(state, id), 'utf8').trim()]));
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, after };
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

const prevAsPattern = (after: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v.replace(/-hitc-prev-\d+ /, '-hitc-prev-EPOCH ')]));

test('a new container that exits at once is removed and the old one is back under its name, running (same id)', () => {
  const r = replaceOn({ aaaa1111: 'web true 0' }, 'web', 'exit3');
  assert.equal(r.code, 3);
  assert.deepEqual(parseReplaceFailure(r.stdout), { step: 'exited', restored: 'yes', code: '3' });
  assert.match(r.stderr, /log line of [0-9a-f]{64}/, 'the new container\'s last log lines');
  assert.deepEqual(r.after, { aaaa1111: 'web true 0' });
});

test('a new container that exits and waits for its restart policy counts as stopped: the old one is back', () => {
  // docker reports a container between restarts as running; its restart count gives it away
  const r = replaceOn({ aaaa1111: 'web true 0' }, 'web', 'restarting');
  assert.deepEqual(parseReplaceFailure(r.stdout), { step: 'exited', restored: 'yes', code: '3' });
  assert.deepEqual(r.after, { aaaa1111: 'web true 0' });
});

test('the restart policy is set only once the new container has settled, never on one that stopped', () => {
  const settled = (mode: 'ok' | 'exit3') => {
    const state = mkdtempSync(join(tmpdir(), 'hitc-fake-docker-'));
    try {
      const r = spawnSync('sh', ['-c', replaceCommand('web', sh`docker run -d --name web -- img ${mode}`, 0, 'unless-stopped').script], { env: { ...process.env, PATH: `${FAKE}:${process.env.PATH}`, FAKE_STATE: state }, encoding: 'utf8' });
      let updates = '';
      try { updates = readFileSync(join(state, '.updates'), 'utf8'); } catch { /* none */ }
      return { code: r.status, updates };
    } finally { rmSync(state, { recursive: true, force: true }); }
  };
  const ok = settled('ok');
  assert.equal(ok.code, 0);
  assert.match(ok.updates, /^update --restart unless-stopped [0-9a-f]{64}\n$/);
  const bad = settled('exit3');
  assert.equal(bad.code, 3, 'its own exit code, not a restarted run\'s 0');
  assert.equal(bad.updates, '');
});

test('a run that fails puts the old container back; a good run replaces it', () => {
  const bad = replaceOn({ aaaa1111: 'web true 0' }, 'web', 'badstart');
  assert.deepEqual(parseReplaceFailure(bad.stdout), { step: 'run', restored: 'yes', code: '127' });
  assert.deepEqual(bad.after, { aaaa1111: 'web true 0' });
  const good = replaceOn({ aaaa1111: 'web true 0' }, 'web', 'ok');
  assert.equal(good.code, 0, good.stderr);
  assert.deepEqual(prevAsPattern(good.after), { aaaa1111: 'web-hitc-prev-EPOCH false 137', new: 'web true 0' }, 'the old one stopped and kept for rollback');
});

test('a hex-looking name that is a prefix of another container\'s id is no old container of that name', () => {
  const r = replaceOn({ abc123ff: 'other true 0' }, 'abc123', 'ok');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.after, { abc123ff: 'other true 0', new: 'abc123 true 0' });
});

test('an interrupted replacement (old container aside, its name free) gets the name back first, then is replaced or kept', () => {
  const r = replaceOn({ aaaa1111: 'web-hitc-replaced false 137' }, 'web', 'ok');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(prevAsPattern(r.after), { aaaa1111: 'web-hitc-prev-EPOCH false 137', new: 'web true 0' });
  const failed = replaceOn({ aaaa1111: 'web-hitc-replaced false 137' }, 'web', 'exit3');
  assert.deepEqual(failed.after, { aaaa1111: 'web false 137' }, 'the original, under its own name');
});
