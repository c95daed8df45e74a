import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../src/cli/args.ts';
import { parseTaskInvocation } from '../../src/cli/task-invocation.ts';
import { UsageError } from '../../src/core/errors.ts';

test('Fabric grammar: hosts, roles, flags, several tasks in order', () => {
  const r = parseArgs(['-H', 'a,b', '-R', 'web', '-x', 'b', '-Pw', '-z', '5', 'deploy:v1,restart=false', 'logs']);
  assert.deepEqual(r.hosts, ['a', 'b']);
  assert.deepEqual(r.roles, ['web']);
  assert.deepEqual(r.exclude, ['b']);
  assert.equal(r.parallel, true);
  assert.equal(r.warnOnly, true);
  assert.equal(r.poolSize, 5);
  assert.deepEqual(r.tasks.map((t) => t.name), ['deploy', 'logs']);
  assert.deepEqual(r.tasks[0]?.positional, ['v1']);
  assert.deepEqual(r.tasks[0]?.named, { restart: 'false' });
});

test('inline values: -Ha,b --hosts=c -i twice', () => {
  const r = parseArgs(['-Ha,b', '--hosts=c', '-i', 'k1', '-i', 'k2', 'x']);
  assert.deepEqual(r.hosts, ['a', 'b', 'c']);
  assert.deepEqual(r.identities, ['k1', 'k2']);
});

test('-- COMMAND takes the rest of argv', () => {
  const r = parseArgs(['-H', 'h', '--', 'uname', '-a']);
  assert.equal(r.adhoc, 'uname -a');
  assert.equal(r.action, 'run');
});

test('escapes keep , and = inside values', () => {
  const t = parseTaskInvocation('docker.run:img,environment=A=1\\,B\\=2,name=x\\\\y');
  assert.equal(t.name, 'docker.run');
  assert.deepEqual(t.positional, ['img']);
  assert.deepEqual(t.named, { environment: 'A=1,B=2', name: 'x\\y' });
});

test('the first = splits key from value', () => {
  assert.deepEqual(parseTaskInvocation('t:env=K=V').named, { env: 'K=V' });
});

test('no task and no command shows help; -l lists; -V version', () => {
  assert.equal(parseArgs([]).action, 'help');
  assert.equal(parseArgs(['-l']).action, 'list');
  assert.equal(parseArgs(['-V']).action, 'version');
  assert.equal(parseArgs(['-d', 'deploy']).display, 'deploy');
});

for (const [argv, pattern] of [
  [['--hsots', 'a'], /unknown option --hsots/],
  [['-H'], /-H needs a value/],
  [['-z', 'zero', 'x'], /-z needs a whole number/],
  [['-z', '0', 'x'], /-z needs a whole number ≥ 1/],
  [['--output', 'fancy', 'x'], /must be "stream" or "grouped"/],
  [['--'], /nothing after --/],
  [['t', '--', 'ls'], /either tasks or "-- COMMAND"/],
  [['t:a=1,b'], /positional argument "b" after a key=value/],
  [['bad name'], /is not a task name/],
  [['t:a=1,a=2'], /given twice/],
] as const) {
  test(`usage error: ${argv.join(' ')}`, () => {
    assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && pattern.test(e.message));
  });
}

test('a misspelt long option suggests the right one', () => {
  assert.throws(() => parseArgs(['--paralel']), (e: unknown) => e instanceof UsageError && /--parallel/.test(e.hint ?? ''));
});
