import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchSize, failBudget, parseAmount, splitBatches } from '../../src/runner/batches.ts';

test('batch sizes: counts as given, percentages round up, never below one host', () => {
  assert.equal(batchSize({ count: 5 }, 20), 5);
  assert.equal(batchSize({ count: 50 }, 20), 20);
  assert.equal(batchSize({ percent: 25 }, 20), 5);
  assert.equal(batchSize({ percent: 25 }, 10), 3);
  assert.equal(batchSize({ percent: 1 }, 10), 1);
  assert.equal(batchSize({ percent: 100 }, 7), 7);
});

test('failure budgets: percentages round down, absent means none', () => {
  assert.equal(failBudget(undefined, 20), 0);
  assert.equal(failBudget({ count: 2 }, 20), 2);
  assert.equal(failBudget({ percent: 10 }, 15), 1);
  assert.equal(failBudget({ percent: 0 }, 15), 0);
  assert.equal(failBudget({ percent: 100 }, 15), 15);
});

test('batches are consecutive, in order, and cover every item once', () => {
  const items = Array.from({ length: 11 }, (_, i) => i);
  const batches = splitBatches(items, 4);
  assert.deepEqual(batches, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10]]);
  assert.deepEqual(batches.flat(), items);
  assert.deepEqual(splitBatches([], 3), []);
});

test('task option values: numbers and percent strings', () => {
  assert.deepEqual(parseAmount('task t: batch', 3, 1), { count: 3 });
  assert.deepEqual(parseAmount('task t: maxFail', '10%', 0), { percent: 10 });
  assert.throws(() => parseAmount('task t: batch', 0, 1), /task t: batch needs a whole number ≥ 1/);
  assert.throws(() => parseAmount('task t: batch', -2, 1), /got "-2"/);
});
