// The copy's commands run by a real /bin/sh in a temporary directory: what they print, what they
// leave behind when they fail, and that hostile names stay single words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../../src/core/command.ts';
import { commitCommand, discardCommand, packCommand, parseProbe, probeCommand, stageCommand, stagedPath } from '../../src/copy/copy-commands.ts';

const sh = (command: Command, input?: Buffer) => spawnSync('/bin/sh', ['-c', command.script], { ...(input ? { input } : {}) });

test('probe: one kind per path, names with spaces, quotes and a leading dash included', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hitc-cp-'));
  mkdirSync(join(dir, "-d 'x'"));
  writeFileSync(join(dir, 'f $(touch pwned)'), '');
  const paths = [join(dir, "-d 'x'"), join(dir, 'f $(touch pwned)'), join(dir, 'none'), '/dev/null'];
  const out = sh(probeCommand(paths)).stdout.toString();
  assert.deepEqual(parseProbe(out, 4), ['dir', 'file', 'none', 'other']);
  assert.equal(existsSync('pwned'), false);
  assert.throws(() => parseProbe('dir\n', 2), /unexpected probe output/);
});

test('pack, stage and commit move a tree with modes and mtimes; a failed stage leaves nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hitc-cp-'));
  mkdirSync(join(dir, 'src/-app/bin'), { recursive: true });
  writeFileSync(join(dir, 'src/-app/secret'), 's');
  chmodSync(join(dir, 'src/-app/secret'), 0o640);
  writeFileSync(join(dir, 'src/-app/bin/run'), '#!/bin/sh\n');
  chmodSync(join(dir, 'src/-app/bin/run'), 0o755);
  execFileSync('touch', ['-d', '2021-02-03 04:05:06', join(dir, 'src/-app/secret')]);
  mkdirSync(join(dir, 'dst'));
  const tar = sh(packCommand(join(dir, 'src/-app/'), '-app')).stdout;
  const staged = sh(stageCommand(join(dir, 'dst')), tar);
  assert.equal(staged.status, 0, staged.stderr.toString());
  const path = stagedPath(staged.stdout.toString().trim(), join(dir, 'dst')) as string;
  assert.ok(path, staged.stdout.toString());
  assert.equal(stagedPath('/elsewhere/.hitc-cp-abcdef', join(dir, 'dst')), undefined);
  assert.equal(sh(commitCommand(path, '-app', join(dir, 'dst/app'), false)).status, 0);
  assert.deepEqual(readdirSync(join(dir, 'dst')), ['app']);
  assert.equal(statSync(join(dir, 'dst/app/secret')).mode & 0o777, 0o640);
  assert.equal(statSync(join(dir, 'dst/app/bin/run')).mode & 0o777, 0o755);
  assert.equal(statSync(join(dir, 'dst/app/secret')).mtime.toISOString().slice(0, 10), '2021-02-03');

  // (GNU tar takes a stream cut at a block boundary as complete: that is why the rename is a step
  // of its own, run only when the source's tar succeeded too)
  const broken = sh(stageCommand(join(dir, 'dst')), Buffer.alloc(2048, 'x'));
  assert.notEqual(broken.status, 0, 'a stream that is no archive fails the unpack');
  assert.deepEqual(readdirSync(join(dir, 'dst')), ['app'], 'and leaves no private directory behind');
});

test('commit replaces a directory whole, and puts it back when the second rename fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hitc-cp-'));
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app/old'), 'old');
  const staged = join(dir, '.hitc-cp-abcdef');
  mkdirSync(join(staged, 'new/app'), { recursive: true });
  writeFileSync(join(staged, 'new/app/new'), 'new');
  const missing = sh(commitCommand(staged, 'other', join(dir, 'app'), true));
  assert.notEqual(missing.status, 0);
  assert.equal(readFileSync(join(dir, 'app/old'), 'utf8'), 'old', 'the old directory is back');
  assert.equal(sh(commitCommand(staged, 'app', join(dir, 'app'), true)).status, 0);
  assert.deepEqual(readdirSync(join(dir, 'app')), ['new']);
  assert.equal(existsSync(staged), false);
  // a commit cut between its two renames: the discard puts the old directory back
  mkdirSync(join(staged, 'old'), { recursive: true });
  writeFileSync(join(staged, 'old/kept'), 'k');
  assert.equal(sh(discardCommand(staged, join(dir, 'gone'))).status, 0);
  assert.equal(readFileSync(join(dir, 'gone/kept'), 'utf8'), 'k');
  assert.equal(existsSync(staged), false);
  assert.match(discardCommand("/tmp/.hitc-cp-x'y", '/tmp/t').script, /rm -rf '\/tmp\/\.hitc-cp-x'.*y'$/);
});
