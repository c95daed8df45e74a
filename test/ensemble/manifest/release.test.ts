// release: and release_timeout: in the manifest: words read like command:, one entry shared by
// every copy (counts, server counts), the default time limit, every bad value at file:line,
// and no effect on the spec hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import { DEFAULT_RELEASE_TIMEOUT } from '../../../src/ensemble/manifest/release.ts';
import { resolveContainer } from '../../../src/ensemble/plan/resolve-container.ts';
import type { ManifestIssue } from '../../../src/core/errors.ts';

const parse = (yaml: string) => parseManifest('m.yml', yaml);
const manifest = (yaml: string) => {
  const r = parse(yaml);
  assert.deepEqual(r.issues, [], JSON.stringify(r.issues));
  return r.manifest!;
};
const problems = (yaml: string): ManifestIssue[] => {
  const r = parse(yaml);
  assert.equal(r.manifest, undefined);
  return r.issues;
};
const one = (fields: string) => `10.0.0.4:\n  containers:\n    app:\n      image: httpd\n${fields}`;
const release = (fields: string) => manifest(one(fields)).servers[0]!.containers[0]!.release;

test('release: a string is split into words like command:, a list is taken word by word', () => {
  assert.deepEqual(release('      release: ./manage.py migrate --noinput\n'), { command: ['./manage.py', 'migrate', '--noinput'], timeoutSeconds: DEFAULT_RELEASE_TIMEOUT, entry: '10.0.0.4.containers.app' });
  assert.deepEqual(release(`      release: sh -c 'echo migrated > /data/marker'\n`)?.command, ['sh', '-c', 'echo migrated > /data/marker']);
  assert.deepEqual(release('      release: [sh, -c, "a; b | c", 5]\n')?.command, ['sh', '-c', 'a; b | c', '5']);
  assert.deepEqual(release('      release: migrate --db "${host.ip}"\n')?.command, ['migrate', '--db', '${host.ip}']);
  assert.equal(release('')?.command, undefined);
  assert.equal(DEFAULT_RELEASE_TIMEOUT, 600);
  assert.equal(release('      release: migrate\n      release_timeout: 30\n')?.timeoutSeconds, 30);
});

test('copies share their entry: a container count and a server count are one release; two entries are two', () => {
  const m = manifest(`web:
  provider: ec2
  count: 2
  containers:
    app:
      image: httpd
      count: 2
      release: migrate
    other:
      image: httpd
other:
  provider: ec2
  containers:
    app:
      image: httpd
      release: migrate
`);
  const entries = m.servers.flatMap((s) => s.containers.map((c) => `${s.name}/${c.name}=${c.release?.entry ?? '-'}`));
  assert.deepEqual(entries, [
    'web/app=web.containers.app', 'web/app-1=web.containers.app', 'web/other=-',
    'web-1/app=web.containers.app', 'web-1/app-1=web.containers.app', 'web-1/other=-',
    'other/app=other.containers.app',
  ]);
});

test('a template can carry the release', () => {
  const m = manifest(`templates:
  django:
    image: httpd
    release: ./manage.py migrate
    release_timeout: 90
10.0.0.4:
  containers:
    app:
      template: django
`);
  assert.deepEqual(m.servers[0]!.containers[0]!.release, { command: ['./manage.py', 'migrate'], timeoutSeconds: 90, entry: '10.0.0.4.containers.app' });
});

test('release is not part of the spec hash: adding or changing it alone restarts nothing', () => {
  const hash = (fields: string) => resolveContainer(manifest(one(fields)).servers[0]!.containers[0]!, (v) => v)!.hash;
  assert.equal(hash(''), hash('      release: migrate\n'));
  assert.equal(hash('      release: migrate\n'), hash('      release: other\n      release_timeout: 5\n'));
});

test('bad release values are reported at their line, with a hint', () => {
  const cases: [string, RegExp][] = [
    ['      release:\n', /the release command is empty/],
    ['      release: ""\n', /the release command is empty/],
    ['      release: "   "\n', /the release command is empty/],
    ['      release: []\n', /the release command is empty/],
    ['      release: 42\n', /string or a list of words \(got 42\)/],
    ['      release: true\n', /string or a list of words \(got true\)/],
    ['      release: {cmd: migrate}\n', /not a mapping/],
    ['      release: migrate; rm -rf /\n', /";" in command .*hitc runs no shell/],
    ['      release: [migrate, {a: 1}]\n', /each word of a command is a single value/],
    ['      release: migrate ${nope\n', /an unclosed \$\{/],
    ['      release: [migrate, "${nope"]\n', /\$\{/],
  ];
  for (const [fields, message] of cases) {
    const issues = problems(one(fields));
    assert.equal(issues.length, 1, `${fields}: ${JSON.stringify(issues)}`);
    assert.match(issues[0]!.message, message, fields);
    assert.equal(issues[0]!.line, 5, fields);
    assert.match(issues[0]!.path, /^10\.0\.0\.4\.containers\.app\.release/, fields);
  }
  assert.ok(problems(one('      release:\n'))[0]!.hint);
});

test('bad release_timeout values are reported at their line; a timeout without a release too', () => {
  for (const value of ['0', '-1', '1.5', 'abc', '86401', '[1]']) {
    const issues = problems(one(`      release: migrate\n      release_timeout: ${value}\n`));
    assert.equal(issues.length, 1, value);
    assert.match(issues[0]!.message, /release_timeout must be a whole number of seconds from 1 to 86400/, value);
    assert.equal(issues[0]!.line, 6, value);
    assert.equal(issues[0]!.path, '10.0.0.4.containers.app.release_timeout');
  }
  const alone = problems(one('      release_timeout: 60\n'));
  assert.match(alone[0]!.message, /release_timeout without a release command/);
  assert.equal(alone[0]!.line, 5);
});

test('a copy reports a bad release once (not once per copy)', () => {
  const issues = problems(`web:\n  provider: ec2\n  count: 3\n  containers:\n    app:\n      image: httpd\n      count: 2\n      release: ""\n`);
  assert.equal(issues.length, 1, JSON.stringify(issues));
});

test('a release that reads another server waits for it (it is in the manifest graph)', () => {
  const m = manifest(`db:\n  provider: ec2\nweb:\n  provider: ec2\n  containers:\n    app:\n      image: httpd\n      release: migrate --host \${db.ip}\n`);
  assert.ok(m.graph.dependencies('container:web/app').includes('server:db'));
  const bad = problems(`web:\n  provider: ec2\n  containers:\n    app:\n      image: httpd\n      release: migrate --host \${dbx.ip}\n`);
  assert.match(bad[0]!.message, /unknown server "dbx"/);
});
