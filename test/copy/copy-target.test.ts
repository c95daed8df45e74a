import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/core/errors.ts';
import { destinationProbes, entryName, parseEndpoint, resolveTarget, type PathKind } from '../../src/copy/copy-target.ts';

test('endpoints: HOST:PATH is a server, a path with / before the first : is local', () => {
  assert.deepEqual(parseEndpoint('web:/etc/app', 'SRC'), { host: 'web', path: '/etc/app', word: 'web:/etc/app' });
  assert.deepEqual(parseEndpoint('deploy@db-1:/tmp/', 'DST'), { host: 'deploy@db-1', path: '/tmp/', word: 'deploy@db-1:/tmp/' });
  assert.deepEqual(parseEndpoint('web:', 'DST'), { host: 'web', path: '.', word: 'web:' });
  assert.deepEqual(parseEndpoint('./a:b', 'SRC'), { path: './a:b', word: './a:b' });
  assert.deepEqual(parseEndpoint('/x/a:b', 'SRC'), { path: '/x/a:b', word: '/x/a:b' });
  assert.deepEqual(parseEndpoint('plain.txt', 'SRC'), { path: 'plain.txt', word: 'plain.txt' });
  assert.deepEqual(parseEndpoint('[fd00::1]:/srv', 'SRC'), { host: 'fd00::1', path: '/srv', word: '[fd00::1]:/srv' });
  assert.throws(() => parseEndpoint('', 'SRC'), (e: unknown) => e instanceof UsageError && /SRC is empty/.test(e.message));
  assert.throws(() => parseEndpoint(':/x', 'DST'), /has no host/);
  assert.throws(() => parseEndpoint('web:2222:/x', 'DST'), /HOST:PORT:PATH is not supported/);
});

test('entry names: trailing slashes go; /, . and .. name nothing', () => {
  assert.equal(entryName('/srv/app/'), 'app');
  assert.equal(entryName('f.txt'), 'f.txt');
  assert.equal(entryName('/'), '');
  assert.equal(entryName('/srv/.'), '');
  assert.equal(entryName('..'), '');
  assert.deepEqual(destinationProbes('/tmp/', 'app'), ['/tmp/', '/tmp/app', '/']);
  assert.deepEqual(destinationProbes('out/new', 'app'), ['out/new', 'out/new/app', 'out']);
});

const src = parseEndpoint('web:/srv/app', 'SRC');
const resolve = (srcKind: PathKind, dst: string, kinds: [PathKind, PathKind, PathKind], replace = false) =>
  resolveTarget({ src, dst: parseEndpoint(dst, 'DST'), srcKind, dstKinds: kinds, replace });

test('targets: into an existing directory, or under a new name in an existing one', () => {
  assert.deepEqual(resolve('dir', 'db:/tmp', ['dir', 'none', 'dir']), { dir: '/tmp', name: 'app', replacesDir: false });
  assert.deepEqual(resolve('dir', 'db:/tmp/', ['dir', 'none', 'dir']), { dir: '/tmp', name: 'app', replacesDir: false });
  assert.deepEqual(resolve('dir', 'db:/opt/app2', ['none', 'none', 'dir']), { dir: '/opt', name: 'app2', replacesDir: false });
  assert.deepEqual(resolve('file', 'db:/etc/x.conf', ['file', 'none', 'dir']), { dir: '/etc', name: 'x.conf', replacesDir: false });
  assert.deepEqual(resolve('dir', 'db:/tmp', ['dir', 'dir', 'dir'], true), { dir: '/tmp', name: 'app', replacesDir: true });
});

test('targets: every refusal is a usage error naming the argument', () => {
  const refused = (re: RegExp, ...args: Parameters<typeof resolve>) =>
    assert.throws(() => resolve(...args), (e: unknown) => e instanceof UsageError && re.test(e.message));
  refused(/web:\/srv\/app does not exist/, 'none', 'db:/tmp', ['dir', 'none', 'dir']);
  refused(/neither a file nor a directory/, 'other', 'db:/tmp', ['dir', 'none', 'dir']);
  refused(/the directory of db:\/nope\/x does not exist/, 'dir', 'db:/nope/x', ['none', 'none', 'none']);
  refused(/the directory of db:\/etc\/passwd\/x does not exist/, 'dir', 'db:/etc/passwd/x', ['none', 'none', 'file']);
  refused(/db:\/tmp\/new\/ is not a directory/, 'dir', 'db:/tmp/new/', ['none', 'none', 'dir']);
  refused(/cannot copy directory web:\/srv\/app onto file db:\/etc\/f/, 'dir', 'db:/etc/f', ['file', 'none', 'dir']);
  refused(/cannot copy directory .* onto file db:\/tmp\/app/, 'dir', 'db:/tmp', ['dir', 'file', 'dir']);
  refused(/directory db:\/tmp\/app exists/, 'dir', 'db:/tmp', ['dir', 'dir', 'dir']);
  assert.throws(() => resolveTarget({ src: parseEndpoint('web:/srv/file', 'SRC'), dst: parseEndpoint('db:/tmp', 'DST'), srcKind: 'file', dstKinds: ['dir', 'dir', 'dir'], replace: true }), /cannot copy file .* onto directory db:\/tmp\/file/);
  assert.throws(() => resolveTarget({ src: parseEndpoint('web:/', 'SRC'), dst: parseEndpoint('db:/tmp', 'DST'), srcKind: 'dir', dstKinds: ['dir', 'none', 'dir'], replace: false }), /names no entry to copy/);
});
