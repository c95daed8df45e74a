// A container's earlier copies: named NAME-hitc-prev-EPOCH, only the newest KEEP_PREVIOUS kept,
// all of them removed with the container; names that merely look alike are never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { raw, sh, type Command } from '../../src/core/command.ts';
import { removeContainerCommand, swapShell } from '../../src/docker/swap-commands.ts';
import { KEEP_PREVIOUS, nextName, prevName, previousOf, swapRole } from '../../src/docker/swap-names.ts';

test('swapRole reads the stand-in and earlier-copy names, and nothing else', () => {
  assert.deepEqual(swapRole('web-hitc-next'), { of: 'web', role: 'next' });
  assert.deepEqual(swapRole(prevName('my-web.1', 1764000000)), { of: 'my-web.1', role: 'prev', epoch: 1764000000 });
  assert.equal(swapRole('web-hitc-prev-'), undefined);
  assert.equal(swapRole('web-hitc-prev-12a'), undefined);
  assert.equal(swapRole('web-hitc-replaced'), undefined);
  assert.equal(swapRole('-hitc-next'), undefined);
  assert.equal(nextName('web'), 'web-hitc-next');
});

test('previousOf lists one container\'s earlier copies, newest first', () => {
  const names = ['web', 'web-hitc-prev-100', 'web-hitc-prev-300', 'web-2-hitc-prev-200', 'web-hitc-prev-200', 'web-hitc-next'];
  assert.deepEqual(previousOf('web', names).map((p) => p.name), ['web-hitc-prev-300', 'web-hitc-prev-200', 'web-hitc-prev-100']);
  assert.deepEqual(previousOf('web-2', names).map((p) => p.epoch), [200]);
});

// run against the stand-in docker of test/docker/fixtures/fake-docker
const FAKE = join(import.meta.dirname, 'fixtures', 'fake-docker');
function runOn(containers: Record<string, string>, command: Command): { code: number; stderr: string; names: string[] } {
  const state = mkdtempSync(join(tmpdir(), 'hitc-fake-docker-'));
  try {
    for (const [id, line] of Object.entries(containers)) writeFileSync(join(state, id), `${line}\n`);
    // no iptables here: unswap finds no rules
    const r = spawnSync('sh', ['-c', command.script], { env: { ...process.env, PATH: `${FAKE}:${process.env.PATH}`, FAKE_STATE: state }, encoding: 'utf8' });
    const names = readdirSync(state).filter((f) => !f.startsWith('.')).map((id) => readFileSync(join(state, id), 'utf8').trim()).sort();
    return { code: r.status ?? -1, stderr: r.stderr, names };
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

test(`the replaced container is stopped and kept; only the ${KEEP_PREVIOUS} newest earlier copies stay, of that container only`, () => {
  const r = runOn({
    a1: 'web true 0', a2: 'web-hitc-prev-100 false 0', a3: 'web-hitc-prev-200 false 0', a4: 'web-2-hitc-prev-50 false 0', a5: 'web-hitc-prev-x false 0', a6: 'other true 0',
  }, sh`${raw(swapShell())}
docker stop -t 5 -- a1 && docker rename -- a1 "web-hitc-prev-$(date +%s)" && keep_prevs web ${String(KEEP_PREVIOUS)}`);
  assert.equal(r.code, 0, r.stderr);
  const kept = r.names.map((n) => n.replace(/^web-hitc-prev-1\d{9} /, 'web-hitc-prev-NOW ')).sort();
  assert.deepEqual(kept, ['other true 0', 'web-2-hitc-prev-50 false 0', 'web-hitc-prev-200 false 0', 'web-hitc-prev-NOW false 137', 'web-hitc-prev-x false 0']);
});

test('removing a container removes its stand-in and every earlier copy, nothing of another container', () => {
  const r = runOn({ a1: 'web true 0', a2: 'web-hitc-prev-100 false 0', a3: 'web-hitc-next true 0', a4: 'web-2-hitc-prev-50 false 0', a5: 'webx true 0' }, removeContainerCommand('web'));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.names, ['web-2-hitc-prev-50 false 0', 'webx true 0']);
});

test('names reach the swap functions quoted', () => {
  assert.match(removeContainerCommand("a'b").script, /unswap 'a'"'"'b'|unswap 'a'\\''b'/);
});
