import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../src/ensemble/parse-manifest.ts';

test('a manifest value or key with a NUL byte (YAML "\\0") is refused at its line', () => {
  const r = parseManifest('m.yml', 'web:\n  provider: local\n  containers:\n    app:\n      image: httpd\n      command: "httpd -f\\0; touch /tmp/x"\n');
  assert.equal(r.manifest, undefined);
  assert.equal(r.issues.length, 1);
  assert.equal(r.issues[0]?.line, 6);
  assert.match(r.issues[0]?.message ?? '', /NUL byte/);
  const k = parseManifest('m.yml', 'web:\n  provider: local\n  containers:\n    app:\n      image: httpd\n      environment:\n        "A\\0B": x\n');
  assert.equal(k.issues[0]?.line, 7);
});
