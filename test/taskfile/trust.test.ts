// One trust rule for code hitc imports: src/core/trust.ts (hitcfile search, compile cache) and
// bin/compiled.mjs (the build cache, plain JS) refuse exactly the same modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trustProblem, WRITABLE_BY_OTHERS } from '../../src/core/trust.ts';

test('group- or world-writable is refused, the owner must be the user; bin/compiled.mjs agrees', async () => {
  const compiled = (await import('../../bin/compiled.mjs' as string)) as { WRITABLE_BY_OTHERS: number };
  assert.equal(compiled.WRITABLE_BY_OTHERS, WRITABLE_BY_OTHERS);
  for (let mode = 0; mode <= 0o777; mode++) {
    const refused = trustProblem({ uid: 7, mode }, 7) !== undefined;
    assert.equal(refused, (mode & compiled.WRITABLE_BY_OTHERS) !== 0, mode.toString(8));
  }
  assert.match(trustProblem({ uid: 8, mode: 0o700 }, 7) as string, /owned by uid 8, not by you \(uid 7\)/);
  assert.equal(trustProblem({ uid: 8, mode: 0o755 }, undefined), undefined);
});
