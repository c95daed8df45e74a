import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeSearch, searchHitcfile } from '../../src/taskfile/find.ts';
import { tempDir } from '../helpers/temp.ts';

const root = tempDir('hitc-find-');
after(() => rmSync(root, { recursive: true, force: true }));
const uid = process.getuid?.() as number;

test('the search goes up to $HOME and no further', () => {
  const home = join(root, 'a', 'home');
  mkdirSync(join(home, 'p', 'q'), { recursive: true });
  writeFileSync(join(root, 'a', 'hitcfile.ts'), '');
  const s = searchHitcfile(join(home, 'p', 'q'), { home, uid });
  assert.equal(s.found, undefined);
  assert.deepEqual(s.searched, [join(home, 'p', 'q'), join(home, 'p'), home]);
  assert.equal(describeSearch(s), `no hitcfile found (searched ${join(home, 'p', 'q')}, ${join(home, 'p')}, ${home}; stopped: ${home} is your home directory)`);
  writeFileSync(join(home, 'hitcfile.ts'), '');
  assert.equal(searchHitcfile(join(home, 'p', 'q'), { home, uid }).found, join(home, 'hitcfile.ts'));
});

test('outside $HOME it stops before a directory every user may write to', () => {
  const shared = join(root, 'b');
  mkdirSync(join(shared, 'x'), { recursive: true });
  chmodSync(shared, 0o1777);
  writeFileSync(join(shared, 'hitcfile.ts'), '');
  const s = searchHitcfile(join(shared, 'x'), { home: '/nonexistent', uid });
  assert.equal(s.found, undefined);
  assert.deepEqual(s.searched, [join(shared, 'x')]);
  assert.equal(s.stopped, `${shared} is writable by every user (mode 1777)`);
});

test('a group-writable directory stops the search too (the same rule as the compile cache)', () => {
  const team = join(root, 'g');
  mkdirSync(join(team, 'x'), { recursive: true });
  chmodSync(team, 0o775);
  writeFileSync(join(team, 'hitcfile.ts'), '');
  const s = searchHitcfile(join(team, 'x'), { home: '/nonexistent', uid });
  assert.equal(s.found, undefined);
  assert.equal(s.stopped, `${team} is writable by its group (mode 775)`);
});

test('a hitcfile that is writable by others, or not the user\'s own, is not loaded', () => {
  const d = join(root, 'f');
  mkdirSync(d, { recursive: true });
  const file = join(d, 'hitcfile.ts');
  writeFileSync(file, '');
  chmodSync(file, 0o664);
  assert.deepEqual(searchHitcfile(d, { home: '/nonexistent', uid }), { searched: [d], stopped: `${file} is writable by its group (mode 664)` });
  chmodSync(file, 0o646);
  assert.equal(searchHitcfile(d, { home: '/nonexistent', uid }).stopped, `${file} is writable by every user (mode 646)`);
  chmodSync(file, 0o644);
  assert.equal(searchHitcfile(d, { home: '/nonexistent', uid }).found, file);
  if (uid === 0) {
    chownSync(file, 65534, 65534);
    assert.equal(searchHitcfile(d, { home: '/nonexistent', uid }).stopped, `${file} is owned by uid 65534, not by you (uid 0)`);
  }
});

test('it stops before a directory owned by another user, and finds .mts too', () => {
  const theirs = join(root, 'c');
  mkdirSync(join(theirs, 'mine'), { recursive: true });
  writeFileSync(join(theirs, 'hitcfile.ts'), '');
  const s = searchHitcfile(join(theirs, 'mine'), { uid: uid + 1 });
  assert.deepEqual(s.searched, []);
  assert.match(s.stopped as string, new RegExp(`${join(theirs, 'mine')} is owned by uid ${uid}, not by you`));
  if (uid === 0) {
    chownSync(theirs, 65534, 65534);
    assert.match(searchHitcfile(join(theirs, 'mine'), { uid }).stopped as string, /is owned by uid 65534/);
  }
  writeFileSync(join(theirs, 'mine', 'hitcfile.mts'), '');
  assert.equal(searchHitcfile(join(theirs, 'mine'), { uid }).found, join(theirs, 'mine', 'hitcfile.mts'));
});
