import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MarkerFilter } from '../../src/transport/markers.ts';
import { LineSplitter } from '../../src/transport/lines.ts';

test('sudo prompt and ready marker are found across chunk boundaries and removed', () => {
  const events: string[] = [];
  let text = '';
  const f = new MarkerFilter('[P-1]', '[R-1]', { onPrompt: () => events.push('prompt'), onReady: () => events.push('ready') }, (t) => (text += t));
  for (const chunk of ['before\n[P', '-1]', '[R-', '1]\nafter\n']) f.push(chunk);
  f.end();
  assert.deepEqual(events, ['prompt', 'ready']);
  assert.equal(text, 'before\nafter\n');
});

test('line splitter keeps multi-byte characters split across chunks', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  const bytes = Buffer.from('ünï\r\ncødé ✓\nlast');
  for (let i = 0; i < bytes.length; i++) s.push(bytes.subarray(i, i + 1));
  s.end();
  assert.deepEqual(lines, ['ünï', 'cødé ✓', 'last']);
});
