// An error that is not hitc's own: a bug in the user's task keeps its stack (they need it), one
// inside hitc is one line that says it is a bug in hitc (its stack means nothing to the user).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatError, isHitcFrame } from '../../src/ui/format-error.ts';
import { packageRoot } from '../../src/core/package-root.ts';

const root = packageRoot();

test("frames in hitc's sources, compiled cache or dependencies are hitc's; a hitcfile's are not", () => {
  assert.equal(isHitcFrame(`at parse (${root}/src/ensemble/observe/observe.ts:80:3)`), true);
  assert.equal(isHitcFrame(`at x (file://${root}/node_modules/.cache/hitc-build/abc/main.mjs:1:2)`), true);
  assert.equal(isHitcFrame(`at deploy (${root}/hitcfile.example.ts:12:5)`), false);
  assert.equal(isHitcFrame('at deploy (/home/me/ops/hitcfile.ts:12:5)'), false);
  assert.equal(isHitcFrame(undefined), false);
});

test('an internal error is one line with a hint, no stack; a user task bug keeps its frames', () => {
  const internal = new TypeError("Cannot read properties of undefined (reading 'id')");
  internal.stack = `TypeError: ${internal.message}\n    at JSON.parse (<anonymous>)\n    at plan (${root}/src/ensemble/plan/plan.ts:132:9)\n    at node:internal/process/task_queues:95:5`;
  const f = formatError(internal);
  assert.equal(f.headline, `internal error in hitc: ${internal.message}`);
  assert.deepEqual(f.details, []);
  assert.match(f.hint ?? '', /bug in hitc/);

  const mine = new Error('boom');
  mine.stack = `Error: boom\n    at deploy (/home/me/ops/hitcfile.ts:12:5)\n    at run (${root}/src/runner/execute.ts:40:3)`;
  const g = formatError(mine);
  assert.equal(g.headline, 'boom');
  assert.match(g.details[0] ?? '', /hitcfile\.ts:12:5/);
});
