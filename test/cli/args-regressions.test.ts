import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../src/cli/args.ts';
import { UsageError } from '../../src/core/errors.ts';

test('a CLI argument with a NUL byte is a usage error naming its position', () => {
  for (const argv of [['-H', 'h', 'deploy:a\0b'], ['-H', 'h\0', 'x'], ['-H', 'h', '--', 'echo', 'a\0']]) {
    assert.throws(() => parseArgs(argv), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /^argument \d contains a NUL byte/);
      assert.ok(!e.argument?.includes('\0'), 'the argument is shown escaped');
      return true;
    });
  }
});

// found by test/cli/args.property.test.ts: keys named after Object.prototype members were
// "given twice" (the `in` check saw the prototype), and bindArgs took Object.prototype.toString
// for a declared parameter
test('task arguments named constructor, __proto__ or toString are ordinary names', async () => {
  const { parseTaskInvocation } = await import('../../src/cli/task-invocation.ts');
  const { bindArgs } = await import('../../src/taskfile/params.ts');
  for (const key of ['constructor', '__proto__', 'toString']) {
    const inv = parseTaskInvocation(`t:${key}=1`);
    assert.deepEqual(Object.keys(inv.named), [key]);
    assert.equal(Object.getOwnPropertyDescriptor(inv.named, key)?.value, '1');
    const bound = bindArgs('t', { name: { type: 'string' } }, inv.positional, inv.named, true) as { extra: Record<string, string> };
    assert.equal(Object.getOwnPropertyDescriptor(bound.extra, key)?.value, '1');
    assert.throws(() => bindArgs('t', { name: { type: 'string' } }, inv.positional, inv.named, false), (e: unknown) => e instanceof UsageError && e.message === `task t has no argument "${key}"`);
    assert.throws(() => parseTaskInvocation(`t:${key}=1,${key}=2`), /given twice/);
  }
});
