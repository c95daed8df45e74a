import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';

test('a manifest value or key with a NUL byte (YAML "\\0") is refused at its line', () => {
  const r = parseManifest('m.yml', 'web:\n  provider: local\n  containers:\n    app:\n      image: httpd\n      command: "httpd -f\\0; touch /tmp/x"\n');
  assert.equal(r.manifest, undefined);
  const nul = r.issues.filter((i) => /NUL byte/.test(i.message));
  assert.deepEqual(nul.map((i) => i.line), [6]);
  const k = parseManifest('m.yml', 'web:\n  provider: local\n  containers:\n    app:\n      image: httpd\n      environment:\n        "A\\0B": x\n');
  assert.deepEqual(k.issues.filter((i) => /key holds a NUL byte/.test(i.message)).map((i) => i.line), [7]);
});

// found by test/ensemble/parse-manifest.property.test.ts: `count: 1000000` overflowed the
// stack (RangeError, shown as an internal error), `count: 9007199254740992` hung the parser,
// and `count: 1000` with a bad reference took 15 s to report 2000 copies of one issue
test('a huge count is a located issue, not a stack overflow or a hang', () => {
  for (const [yaml, line] of [['web:\n  provider: local\n  count: 1000000\n', 3], ['web:\n  provider: local\n  containers:\n    app:\n      image: httpd\n      count: 9007199254740992\n', 6]] as const) {
    const started = Date.now();
    const r = parseManifest('m.yml', yaml);
    assert.ok(Date.now() - started < 2000);
    assert.equal(r.manifest, undefined);
    assert.deepEqual(r.issues.map((i) => [i.line, i.message]), [[line, 'count must be a whole number from 1 to 100']]);
  }
  assert.equal(parseManifest('m.yml', 'web:\n  provider: local\n  count: 1000\n').issues[0]?.message, 'count must be a whole number from 1 to 100');
  assert.equal(parseManifest('m.yml', 'web:\n  provider: local\n  count: 100\n').manifest?.servers.length, 100);
});

test('a bad reference or depends_on in a counted thing is one issue, found quickly', () => {
  const started = Date.now();
  const r = parseManifest('m.yml', 'web:\n  provider: local\n  count: 100\n  containers:\n    app:\n      count: 100\n      image: httpd\n      environment:\n        A: ${nope.ip}\n      depends_on: zzz\n');
  assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  assert.deepEqual(r.issues.map((i) => `${i.line}: ${i.message}`).sort(), ['10: zzz: unknown server "zzz"', '9: ${nope.ip}: unknown server "nope"'], 'each at the line of its value');
});

// found by test/ensemble/parse-manifest.property.test.ts: `provider: __proto__` (or constructor,
// toString) passed the `in` check and crashed the parser with a TypeError; a server named so
// parsed but crashed the planner, which looks servers up in plain objects by name
test('provider and server names that are Object.prototype members are located issues, not crashes', async () => {
  const { planOf } = await import('../plan/canonical.ts');
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    const p = parseManifest('m.yml', `web:\n  provider: ${name}\n  size: x\n`);
    assert.deepEqual(p.issues.map((i) => [i.line, i.message]), [[2, `unknown provider "${name}"`]]);
    const s = parseManifest('m.yml', `${name}:\n  provider: local\nweb:\n  provider: local\n  containers:\n    ${name === '__proto__' ? 'proto' : name}:\n      image: httpd\n`);
    assert.deepEqual(s.issues.map((i) => [i.line, i.message]), [[1, `"${name}" cannot be a server name (it is reserved)`]]);
  }
  // a container may still be called constructor: containers are matched by name, not by key
  const ok = parseManifest('m.yml', 'web:\n  provider: local\n  containers:\n    constructor:\n      image: httpd\n');
  assert.ok(ok.manifest);
  assert.ok(planOf(ok.manifest, { servers: {} }, { name: 'x' }).ops.length > 0);
});
