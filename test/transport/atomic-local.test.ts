// Local side of transfers: the destination is replaced whole or not at all, new files are
// private, and a missing source is a usage error that touches nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/core/errors.ts';
import { modeFromLocal, openLocalSource, tempNameBeside, writeLocalAtomically } from '../../src/transport/atomic-local.ts';
import { LocalTransport } from '../../src/transport/local.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = (): string => tempDir('hitc-atomic-');

test('temp names sit beside the destination, hidden and unique', () => {
  const a = tempNameBeside('/etc/app/app.conf', 'posix');
  assert.match(a, /^\/etc\/app\/\.app\.conf\.hitc-[0-9a-f]{12}\.tmp$/);
  assert.notEqual(a, tempNameBeside('/etc/app/app.conf', 'posix'));
  assert.equal(modeFromLocal(0o100775), 0o755);
  assert.equal(modeFromLocal(0o100600), 0o600);
});

test('a failure while writing leaves the old file and no temp file', async () => {
  const d = dir();
  const dest = join(d, 'app.conf');
  writeFileSync(dest, 'old\n');
  await assert.rejects(writeLocalAtomically(dest, async (file) => {
    await file.write('half');
    throw new Error('connection lost');
  }), /connection lost/);
  assert.equal(readFileSync(dest, 'utf8'), 'old\n');
  assert.deepEqual(readdirSync(d), ['app.conf']);
});

test('new files are 0600 unless a mode is given; a replaced file keeps its mode', async () => {
  const d = dir();
  const fresh = join(d, 'fresh');
  await writeLocalAtomically(fresh, async (f) => void (await f.write('x')));
  assert.equal(statSync(fresh).mode & 0o777, 0o600);
  await writeLocalAtomically(fresh, async (f) => void (await f.write('y')), 0o640);
  assert.equal(statSync(fresh).mode & 0o777, 0o640);
  await writeLocalAtomically(fresh, async (f) => void (await f.write('z')));
  assert.equal(statSync(fresh).mode & 0o777, 0o640);
  assert.equal(readFileSync(fresh, 'utf8'), 'z');
});

test('a symlinked destination is written through to its target; a directory is refused', async () => {
  const d = dir();
  writeFileSync(join(d, 'target'), 'old');
  symlinkSync('target', join(d, 'link'));
  await writeLocalAtomically(join(d, 'link'), async (f) => void (await f.write('new')));
  assert.equal(readFileSync(join(d, 'target'), 'utf8'), 'new');
  assert.ok(statSync(join(d, 'link')).isFile());
  await assert.rejects(writeLocalAtomically(d, async () => undefined), (e: unknown) => e instanceof UsageError && /is a directory/.test(e.message));
  await assert.rejects(writeLocalAtomically(join(d, 'no/such/dir/f'), async () => undefined), /local directory .* does not exist/);
});

// a FIFO stands for any non-regular file: a regression here must not replace the real /dev/null
test('a FIFO or a symlink to one is refused and stays what it was', async () => {
  const d = dir();
  assert.equal(spawnSync('mkfifo', [join(d, 'fifo')]).status, 0);
  symlinkSync('fifo', join(d, 'fifo-link'));
  for (const dest of [join(d, 'fifo'), join(d, 'fifo-link')]) {
    await assert.rejects(writeLocalAtomically(dest, async (f) => void (await f.write('x'))),
      (e: unknown) => e instanceof UsageError && e.cliExitCode === 2 && /is not a regular file/.test(e.message), dest);
  }
  assert.ok(lstatSync(join(d, 'fifo')).isFIFO());
  assert.ok(lstatSync(join(d, 'fifo-link')).isSymbolicLink());
  assert.deepEqual(readdirSync(d).sort(), ['fifo', 'fifo-link']);
});

test('a missing source is a usage error naming it; the destination is untouched', async () => {
  const d = dir();
  await assert.rejects(openLocalSource(join(d, 'missing')), (e: unknown) => e instanceof UsageError && e.cliExitCode === 2 && /local file .*missing does not exist/.test(e.message));
  const dest = join(d, 'dest');
  writeFileSync(dest, 'keep');
  await assert.rejects(new LocalTransport().put(join(d, 'missing'), dest), UsageError);
  assert.equal(readFileSync(dest, 'utf8'), 'keep');
  writeFileSync(join(d, 'src'), 'copied', { mode: 0o664 });
  await new LocalTransport().put(join(d, 'src'), join(d, 'copy'));
  assert.equal(readFileSync(join(d, 'copy'), 'utf8'), 'copied');
  assert.equal(statSync(join(d, 'copy')).mode & 0o777, 0o644);
});
