import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';

test('the example manifest hitc init writes parses as is, and once uncommented', () => {
  const text = readFileSync(join(import.meta.dirname, '../../../templates/ensemble.example.yml'), 'utf8');
  assert.deepEqual(parseManifest('ensemble.yml', text).issues, []);
  const uncommented = text.split('\n').filter((l) => l.startsWith('# ') && /^# [ a-z"]/.test(l) && !/^# (An ensemble|shows|in dependency)/.test(l)).map((l) => l.slice(2)).join('\n');
  const parsed = parseManifest('ensemble.yml', uncommented, { DB_PASSWORD: 'x' });
  assert.deepEqual(parsed.issues, []);
  assert.deepEqual(parsed.manifest?.servers.map((s) => s.name), ['web', 'web-1', 'redis']);
});
