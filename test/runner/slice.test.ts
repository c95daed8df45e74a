import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatHostSpec, parseHostSpec } from '../../src/core/host-spec.ts';
import { parseSlice, sliceHosts } from '../../src/runner/slice.ts';

const names = (hosts: string[], i: number, n: number): string[] => sliceHosts(hosts.map((h) => parseHostSpec(h)), { index: i, count: n }).map(formatHostSpec);

test('slices are disjoint, cover every host, balanced, and ignore the order given', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9.-]{0,12}$/), { maxLength: 40 }), fc.integer({ min: 1, max: 9 }), (hosts, n) => {
      const shares = Array.from({ length: n }, (_, i) => names(hosts, i + 1, n));
      const all = shares.flat();
      assert.equal(all.length, hosts.length);
      assert.deepEqual([...all].sort(), [...hosts].sort());
      const sizes = shares.map((s) => s.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `unbalanced ${sizes}`);
      const reversed = [...hosts].reverse();
      for (let i = 1; i <= n; i++) assert.deepEqual(new Set(names(reversed, i, n)), new Set(shares[i - 1]));
    }),
  );
});

test('a share keeps the selection order', () => {
  assert.deepEqual(names(['c', 'a', 'd', 'b'], 1, 2), ['c', 'a']);
  assert.deepEqual(names(['c', 'a', 'd', 'b'], 2, 2), ['d', 'b']);
});

test('I/N parsing', () => {
  assert.deepEqual(parseSlice('1/1'), { index: 1, count: 1 });
  assert.deepEqual(parseSlice(' 3/8 '), { index: 3, count: 8 });
  for (const bad of ['0/1', '2/1', '1/0', '1/', '/2', 'a/b', '1-2', '1.5/3']) assert.throws(() => parseSlice(bad), /--slice needs I\/N/);
});
