// The spec hash covers the restart policy and log rotation, and explainDifference names each
// change; a label written before either existed reads as "no restart policy, docker's logs".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainDifference, normalSpec, specHash, type NormalSpec, type StoredSpec } from '../../../src/ensemble/plan/container-spec-hash.ts';

const spec = (over: Partial<Parameters<typeof normalSpec>[0]> = {}): NormalSpec => normalSpec({
  image: 'httpd', environment: {}, ports: [], volumes: [], privileged: false, restart: 'unless-stopped', logs: { maxSize: '10m', maxFiles: 3 }, ...over,
});

test('restart and logs are part of the hash', () => {
  const base = specHash(spec());
  assert.equal(specHash(spec()), base);
  assert.notEqual(specHash(spec({ restart: 'always' })), base);
  assert.notEqual(specHash(spec({ logs: { maxSize: '20m', maxFiles: 3 } })), base);
  assert.notEqual(specHash(spec({ logs: { maxSize: '10m', maxFiles: 4 } })), base);
});

test('a restart or logs change is explained field by field', () => {
  assert.deepEqual(explainDifference(spec({ restart: 'no' }), spec()), ['restart no → unless-stopped']);
  assert.deepEqual(explainDifference(spec(), spec({ restart: 'on-failure:5' })), ['restart unless-stopped → on-failure:5']);
  assert.deepEqual(explainDifference(spec(), spec({ logs: { maxSize: '50m', maxFiles: 5 } })), ['logs 10m × 3 files → 50m × 5 files']);
  assert.deepEqual(explainDifference(spec({ image: 'httpd:2' }), spec({ restart: 'always' })), ['image httpd:2 → httpd', 'restart unless-stopped → always']);
});

test('a label from a hitc without restart policies reads as restart no and docker\'s logs, and says so', () => {
  const { restart: _r, logs: _l, ...older } = spec();
  const stored: StoredSpec = older;
  assert.deepEqual(explainDifference(stored, spec()), [
    'restart no → unless-stopped', "logs docker's default → 10m × 3 files", 'made by an older hitc, which set no restart policy or log rotation',
  ]);
  // asking for no restart policy: only the logs differ, and the reason still says why
  assert.deepEqual(explainDifference(stored, spec({ restart: 'no' })), ["logs docker's default → 10m × 3 files", 'made by an older hitc, which set no restart policy or log rotation']);
  // the old label's hash is not the new one: such a container is replaced once
  assert.notEqual(specHash(older as NormalSpec), specHash(spec()));
});
