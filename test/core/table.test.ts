// Tables line up whatever the widths of their cells: several rows, numbers right-aligned, empty
// cells, a header wider than its column, a cell wider than its header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTable } from '../../src/core/table.ts';

test('columns line up over several rows; number and size columns are right-aligned, text ones (addresses too) left', () => {
  const lines = renderTable(['name', 'size', 'ip', 'price'], [
    ['web', '512MB', '10.0.0.5', '$0.0052'],
    ['database-primary', '16GB', '', '$0.1664'],
    ['x', '1GB', '192.168.100.200', ''],
  ]);
  assert.deepEqual(lines, [
    'name              size   ip               price',
    'web               512MB  10.0.0.5         $0.0052',
    'database-primary   16GB                   $0.1664',
    'x                   1GB  192.168.100.200',
  ]);
  // a text column starts at the same offset in every line
  assert.equal(lines[0]!.indexOf('ip'), lines[1]!.indexOf('10.0.0.5'));
  assert.equal(lines[0]!.indexOf('ip'), lines[3]!.indexOf('192.168'));
});

test('a table with no rows is its header; a mixed column stays left-aligned', () => {
  assert.deepEqual(renderTable(['name', 'count'], []), ['name  count']);
  assert.deepEqual(renderTable(['v'], [['1'], ['two']]), ['v', '1', 'two']);
});
