// update: in the manifest: defaults, the share form, templates and server copies, every bad
// value at its file:line with a hint, copies that disagree, and that it is no part of the spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import { resolveContainer } from '../../../src/ensemble/plan/resolve-container.ts';
import type { ManifestIssue } from '../../../src/core/errors.ts';

const parse = (yaml: string) => parseManifest('m.yml', yaml);
const containers = (yaml: string) => {
  const r = parse(yaml);
  assert.deepEqual(r.issues, [], JSON.stringify(r.issues));
  return r.manifest!.servers.flatMap((s) => s.containers);
};
const problems = (yaml: string): ManifestIssue[] => {
  const r = parse(yaml);
  assert.equal(r.manifest, undefined);
  return r.issues;
};
const one = (update: string) => `10.0.0.4:\n  containers:\n    app:\n      image: httpd\n      count: 4\n      update:${update}\n`;

test('update: each key optional; batch as copies or a share; the group is the key as written, for every copy', () => {
  const cs = containers(one(' {batch: 2, wait: 5, max_fail: 1}'));
  assert.deepEqual(cs.map((c) => c.name), ['app', 'app-1', 'app-2', 'app-3']);
  for (const c of cs) assert.deepEqual(c.update, { group: 'app', line: 6, batch: { copies: 2 }, waitSeconds: 5, maxFail: 1 });
  assert.deepEqual(containers(one('\n        batch: "25%"\n'))[0]!.update, { group: 'app', line: 6, batch: { percent: 25 }, waitSeconds: 0, maxFail: 0 });
  assert.deepEqual(containers(one(' {wait: 0.5}'))[0]!.update, { group: 'app', line: 6, waitSeconds: 0.5, maxFail: 0 });
  assert.deepEqual(containers(one(' {batch: 100%}'))[0]!.update?.batch, { percent: 100 });
  assert.equal(containers('10.0.0.4:\n  containers:\n    app: {image: httpd}\n')[0]!.update, undefined);
});

test('a template\'s update: and a server count give every copy the same group', () => {
  const cs = containers(`templates:
  rolled:
    image: httpd
    update: {batch: 1, max_fail: 1}
web:
  provider: ec2
  count: 2
  containers:
    app: {template: rolled}
`);
  assert.deepEqual(cs.map((c) => `${c.server}/${c.name} ${c.update?.group} ${c.update?.line}`), ['web/app app 4', 'web-1/app app 4']);
});

test('bad values: batch 0, a share over 100%, a negative or huge wait, a fraction of a failure, unknown keys, not a mapping', () => {
  const cases: [string, RegExp, number][] = [
    [' {batch: 0}', /batch "0" is neither a number of copies \(1 or more\) nor a share from 1% to 100%/, 6],
    [' {batch: "150%"}', /batch "150%" is neither/, 6],
    [' {batch: "0%"}', /batch "0%" is neither/, 6],
    [' {batch: two}', /batch "two" is neither/, 6],
    [' {batch: [1]}', /batch must be a single value/, 6],
    [' {wait: -1}', /wait must be a number of seconds from 0 to 3600 \(got "-1"\)/, 6],
    [' {wait: 5s}', /wait must be a number of seconds/, 6],
    [' {wait: 86400}', /wait must be a number of seconds from 0 to 3600/, 6],
    [' {max_fail: 1.5}', /max_fail must be a whole number, 0 or more \(got "1.5"\)/, 6],
    [' {max_fail: -1}', /max_fail must be a whole number/, 6],
    ['\n        batch: 1\n        max_fails: 2\n', /unknown update field "max_fails"/, 8],
    [' rolling', /update is a mapping of batch, wait and max_fail/, 6],
    ['', /update is a mapping/, 6],
  ];
  for (const [update, message, line] of cases) {
    const [issue, ...more] = problems(one(update));
    assert.equal(more.length, 0, update);
    assert.match(issue!.message, message, update);
    assert.equal(issue!.line, line, update);
    assert.match(issue!.path, /^10\.0\.0\.4\.containers\.app\.update/, update);
    assert.ok(issue!.hint, update);
  }
  assert.match(problems(one('\n        batch: 1\n        max_fails: 2\n'))[0]!.hint!, /did you mean max_fail\?/);
  assert.match(problems('10.0.0.4:\n  containers:\n    app: {image: httpd, updates: {batch: 1}}\n')[0]!.hint!, /did you mean update\?/);
});

test('the same key on two servers rolls as one: both state the same update:, or it is an issue at the second', () => {
  const same = containers('10.0.0.4:\n  containers:\n    app: {image: httpd, update: {batch: 1}}\n10.0.0.5:\n  containers:\n    app: {image: httpd, update: {batch: 1}}\n');
  assert.deepEqual(same.map((c) => c.update?.group), ['app', 'app']);
  const [issue, ...more] = problems('10.0.0.4:\n  containers:\n    app: {image: httpd, update: {batch: 1}}\n10.0.0.5:\n  containers:\n    app: {image: httpd, count: 2, update: {batch: 2, wait: 3}}\n');
  assert.equal(more.length, 0, 'one issue for both copies on 10.0.0.5');
  assert.equal(issue!.line, 6);
  assert.equal(issue!.path, '10.0.0.5.containers.app.update');
  assert.match(issue!.message, /the copies of app roll together, but 10\.0\.0\.4\.containers\.app \(line 3\) states another update: \(batches of 1, no failure tolerated, here batches of 2, 3 s apart, no failure tolerated\)/);
  assert.match(issue!.hint!, /rename one of them/);
});

test('update: is no part of the container\'s spec: changing it changes neither spec nor hash', () => {
  const [a] = containers(one(' {batch: 1}'));
  const [b] = containers(one(' {batch: "50%", wait: 10, max_fail: 3}'));
  const [c] = containers('10.0.0.4:\n  containers:\n    app:\n      image: httpd\n      count: 4\n');
  const hash = (x: typeof a) => resolveContainer(x!, (v) => v)!.hash;
  assert.equal(hash(a), hash(b));
  assert.equal(hash(a), hash(c));
});
