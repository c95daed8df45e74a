import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindArgs } from '../../src/taskfile/params.ts';
import { UsageError } from '../../src/core/errors.ts';

const params = {
  container: { type: 'string', required: true },
  rm: { type: 'boolean', default: true },
  count: { type: 'number', default: 1 },
} as const;

test('rm=False is a real false (parity bug 12)', () => {
  const args = bindArgs('docker.kill', params, ['web'], { rm: 'False' }, false);
  assert.equal(args.rm, false);
  assert.equal(args.container, 'web');
  assert.equal(args.count, 1);
});

test('numbers and booleans by position, defaults filled', () => {
  const args = bindArgs('t', params, ['web', 'yes', '3'], {}, false);
  assert.deepEqual({ ...args, extra: undefined }, { container: 'web', rm: true, count: 3, extra: undefined });
});

test('undeclared key=value goes to extra only when the task accepts it', () => {
  assert.deepEqual(bindArgs('t', params, ['w'], { zone: 'a' }, true).extra, { zone: 'a' });
  assert.throws(() => bindArgs('t', params, ['w'], { cuont: '2' }, false), (e: unknown) => e instanceof UsageError && /did you mean count/.test(e.hint ?? ''));
});

test('errors: missing required, bad boolean, bad number, too many positionals', () => {
  assert.throws(() => bindArgs('t', params, [], {}, false), /needs argument container/);
  assert.throws(() => bindArgs('t', params, ['w'], { rm: 'maybe' }, false), /must be true or false/);
  assert.throws(() => bindArgs('t', params, ['w'], { count: 'x' }, false), /must be a number/);
  assert.throws(() => bindArgs('t', params, ['a', 'b', '1', 'd'], {}, false), /at most 3 positional/);
});
