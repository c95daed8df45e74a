// The root-side scripts of sudo transfers, run here with /bin/sh (as root remotely they run the
// same): hostile names stay names, refusals are reported, owner and mode are kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installCommand, refusalReason, stageForGetCommand } from '../../src/transport/sudo-transfer.ts';
import type { Command } from '../../src/core/command.ts';
import { tempDir } from '../helpers/temp.ts';

const run = (c: Command) => spawnSync('/bin/sh', ['-c', c.script], { encoding: 'utf8' });
const isRoot = process.getuid?.() === 0;

test('install replaces the file atomically, keeps owner and mode, removes the staged copy', () => {
  const d = tempDir('hitc-sudo-');
  const dest = join(d, "it's $(touch pwned) a; file");
  writeFileSync(dest, 'old');
  chmodSync(dest, 0o640);
  if (isRoot) chownSync(dest, 1234, 2345);
  const staged = join(d, 'staged');
  writeFileSync(staged, 'new');
  const r = run(installCommand(staged, dest, { newMode: 0o644 }));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(dest, 'utf8'), 'new');
  assert.equal(statSync(dest).mode & 0o777, 0o640);
  if (isRoot) assert.equal(`${statSync(dest).uid}:${statSync(dest).gid}`, '1234:2345');
  assert.ok(!existsSync(staged));
  assert.ok(!existsSync(join(d, 'pwned')) && !existsSync('pwned'));
  assert.deepEqual(readdirSync(d).filter((n) => n.includes('.hitc-')), []);
});

test('install: new file gets newMode or the given mode; through a symlink to its target', () => {
  // the suite runs as root (README); a missing prerequisite is a loud failure, never a skip
  assert.ok(isRoot, 'this test needs root (it chowns to 0:0)');
  const d = tempDir('hitc-sudo-');
  writeFileSync(join(d, 's1'), 'one');
  assert.equal(run(installCommand(join(d, 's1'), join(d, 'fresh'), { newMode: 0o600 })).status, 0);
  assert.equal(statSync(join(d, 'fresh')).mode & 0o777, 0o600);
  writeFileSync(join(d, 'target'), 'old');
  symlinkSync('target', join(d, 'link'));
  writeFileSync(join(d, 's2'), 'two');
  assert.equal(run(installCommand(join(d, 's2'), join(d, 'link'), { newMode: 0o644, mode: 0o604 })).status, 0);
  assert.equal(readFileSync(join(d, 'target'), 'utf8'), 'two');
  assert.equal(statSync(join(d, 'target')).mode & 0o777, 0o604);
});

test('install refuses a directory or a missing directory with a reason; the staged copy goes', () => {
  const d = tempDir('hitc-sudo-');
  mkdirSync(join(d, 'adir'));
  for (const [dest, why] of [[join(d, 'adir'), /is a directory/], [join(d, 'nodir/f'), /directory .*nodir does not exist/]] as const) {
    writeFileSync(join(d, 'staged'), 'x');
    const r = run(installCommand(join(d, 'staged'), dest, { newMode: 0o644 }));
    assert.match(refusalReason(r.status, r.stderr) ?? '', why);
    assert.ok(!existsSync(join(d, 'staged')));
  }
});

test('install refuses a FIFO or a symlink to one, and leaves it a FIFO', () => {
  const d = tempDir('hitc-sudo-');
  assert.equal(spawnSync('mkfifo', [join(d, 'fifo')]).status, 0);
  symlinkSync('fifo', join(d, 'link'));
  for (const dest of [join(d, 'fifo'), join(d, 'link')]) {
    writeFileSync(join(d, 'staged'), 'x');
    const r = run(installCommand(join(d, 'staged'), dest, { newMode: 0o644 }));
    assert.match(refusalReason(r.status, r.stderr) ?? '', /fifo is not a regular file/);
    assert.ok(!existsSync(join(d, 'staged')));
    assert.ok(lstatSync(join(d, 'fifo')).isFIFO());
  }
  assert.deepEqual(readdirSync(d).filter((n) => n.includes('.hitc-')), []);
});

test('stage for get: a private copy owned by the user, or a refusal for a missing file', () => {
  const d = tempDir('hitc-sudo-');
  writeFileSync(join(d, 'secret'), 'shh');
  const user = String(process.getuid?.() ?? 0);
  const r = run(stageForGetCommand(join(d, 'secret'), user));
  assert.equal(r.status, 0, r.stderr);
  const temp = r.stdout.trim();
  assert.match(temp, /^\/tmp\/\.hitc-get-/);
  assert.equal(readFileSync(temp, 'utf8'), 'shh');
  assert.equal(statSync(temp).mode & 0o777, 0o600);
  const missing = run(stageForGetCommand(join(d, 'nope'), user));
  assert.match(refusalReason(missing.status, missing.stderr) ?? '', /remote file .*nope does not exist/);
});
