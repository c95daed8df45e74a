import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unsafeDir, userCacheDir } from '../../src/taskfile/compile.ts';
import { tempDir } from '../helpers/temp.ts';

const root = tempDir('hitc-cache-test-');
after(() => rmSync(root, { recursive: true, force: true }));
const uid = process.getuid?.() as number;

test('the cache is ~/.cache/hitc, or $XDG_CACHE_HOME/hitc when that is absolute', () => {
  assert.equal(userCacheDir({ HOME: '/home/u' }), '/home/u/.cache/hitc');
  assert.equal(userCacheDir({ HOME: '/home/u', XDG_CACHE_HOME: '/var/cache/u' }), '/var/cache/u/hitc');
  assert.equal(userCacheDir({ HOME: '/home/u', XDG_CACHE_HOME: 'relative' }), '/home/u/.cache/hitc');
});

test('a cache directory must be a real directory of the user, writable by nobody else', () => {
  const ok = join(root, 'ok');
  mkdirSync(ok, { mode: 0o700 });
  assert.equal(unsafeDir(ok, uid), undefined);
  chmodSync(ok, 0o755);
  assert.equal(unsafeDir(ok, uid), undefined);
  chmodSync(ok, 0o775);
  assert.match(unsafeDir(ok, uid) as string, /writable by its group \(mode 775\)/);
  chmodSync(ok, 0o1777);
  assert.match(unsafeDir(ok, uid) as string, /writable by every user \(mode 1777\)/);
  chmodSync(ok, 0o700);
  assert.match(unsafeDir(ok, uid + 1) as string, new RegExp(`owned by uid ${uid}, not by you`));
  const link = join(root, 'link');
  symlinkSync(ok, link);
  assert.equal(unsafeDir(link, uid), 'is not a directory');
  writeFileSync(join(root, 'file'), '');
  assert.equal(unsafeDir(join(root, 'file'), uid), 'is not a directory');
  assert.equal(unsafeDir(join(root, 'missing'), uid), 'is missing');
});
