// LineSplitter: whole lines from chunks, UTF-8 split across chunks, and a cap per line so an
// unterminated line cannot grow without bound.
import { clearSecretsForTest, registerSecret } from '../../src/core/redact.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineSplitter, MAX_LINE_BYTES, completeUtf8Length, truncationNote } from '../../src/transport/lines.ts';

function split(chunks: (string | Buffer)[], max?: number): string[] {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l), max);
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c);
  s.end();
  return lines;
}

test('lines from chunks, CRLF, a last line without newline, empty lines', () => {
  assert.deepEqual(split(['a', 'b\nc\r\n', '\n', 'tail']), ['ab', 'c', '', 'tail']);
  assert.deepEqual(split([]), []);
});

test('a multi-byte character split across chunks decodes whole', () => {
  const e = Buffer.from('é\n');
  assert.deepEqual(split([e.subarray(0, 1), e.subarray(1)]), ['é']);
});

test('the default cap is 64 KiB per line', () => {
  assert.equal(MAX_LINE_BYTES, 65536);
  const long = 'x'.repeat(MAX_LINE_BYTES + 10);
  assert.deepEqual(split([long, '\nnext\n']), [`${'x'.repeat(MAX_LINE_BYTES)}${truncationNote(10)}`, 'next']);
});

test('an unterminated line keeps only the cap in memory and says how much was dropped', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l), 16);
  for (let i = 0; i < 1000; i++) s.push(Buffer.from('0123456789'));
  s.end();
  assert.deepEqual(lines, [`0123456789012345${truncationNote(10_000 - 16)}`]);
});

test('the cut never splits a character', () => {
  // 'é' is 2 bytes: a cap of 5 after 'abcd' would cut it in half
  assert.deepEqual(split(['abcdé\n'], 5), [`abcd${truncationNote(2)}`]);
  assert.equal(completeUtf8Length(Buffer.from('aé')), 3);
  assert.equal(completeUtf8Length(Buffer.from('a€').subarray(0, 3)), 1);
  assert.equal(completeUtf8Length(Buffer.from('😀')), 4);
});

test('property: below the cap, lines are exactly the input split on newlines', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\n') && !s.endsWith('\r')), { maxLength: 8 }), fc.integer({ min: 1, max: 7 }), (parts, cut) => {
      const text = Buffer.from(parts.map((p) => `${p}\n`).join(''));
      const chunks: Buffer[] = [];
      for (let i = 0; i < text.length; i += cut) chunks.push(text.subarray(i, i + cut));
      assert.deepEqual(split(chunks), parts);
    }),
  );
});

test('a secret cut in two by the cap shows no part of itself', () => {
  registerSecret('hunter2-s3cret');
  try {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), 20);
    s.push(Buffer.from('0123456789abcdhunter2-s3cret and more\n'));
    assert.equal(lines.length, 1);
    assert.ok(!/hun/.test(lines[0] ?? ''), lines[0]);
    assert.match(lines[0] ?? '', /^0123456789abcd … \[line truncated: 23 more bytes\]$/);
  } finally {
    clearSecretsForTest();
  }
});
