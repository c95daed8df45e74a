import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import { exampleManifest } from '../../helpers/example-manifest.ts';

test('the example manifest hitc init writes parses as is, and once uncommented', () => {
  const { text, uncommented } = exampleManifest();
  assert.deepEqual(parseManifest('ensemble.yml', text).issues, []);
  const parsed = parseManifest('ensemble.yml', uncommented, { DB_PASSWORD: 'x' });
  assert.deepEqual(parsed.issues, []);
  assert.deepEqual(parsed.manifest?.servers.map((s) => s.name), ['web', 'web-1', 'redis']);
});
