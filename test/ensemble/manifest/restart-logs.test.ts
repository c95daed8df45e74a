// restart: and logs: in the manifest: defaults, overrides (templates too), and every bad value
// reported at its file:line with a hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import { resolveContainer } from '../../../src/ensemble/plan/resolve-container.ts';
import { dockerRun } from '../../../src/docker/commands.ts';
import type { ManifestIssue } from '../../../src/core/errors.ts';

const parse = (yaml: string) => parseManifest('m.yml', yaml);
const container = (yaml: string) => {
  const r = parse(yaml);
  assert.deepEqual(r.issues, [], JSON.stringify(r.issues));
  return r.manifest!.servers[0]!.containers[0]!;
};
const problems = (yaml: string): ManifestIssue[] => {
  const r = parse(yaml);
  assert.equal(r.manifest, undefined);
  return r.issues;
};
const one = (fields: string) => `10.0.0.4:\n  containers:\n    app:\n      image: httpd\n${fields}`;
const resolved = (yaml: string) => resolveContainer(container(yaml), (v) => v)!;

test('by default a container restarts unless stopped and keeps 3 json-file logs of 10 MB', () => {
  const r = resolved(one(''));
  assert.equal(r.normal.restart, 'unless-stopped');
  assert.deepEqual(r.normal.logs, { maxSize: '10m', maxFiles: 3 });
  assert.equal(dockerRun(r.run).script, 'docker run -d --name app --restart unless-stopped --log-driver json-file --log-opt max-size=10m --log-opt max-file=3 -- httpd');
});

test('restart: takes each of docker\'s policies; logs: overrides each value alone', () => {
  for (const policy of ['no', 'always', 'unless-stopped', 'on-failure', 'on-failure:5', 'Always']) {
    assert.equal(resolved(one(`      restart: ${policy}\n`)).normal.restart, policy.toLowerCase(), policy);
  }
  assert.deepEqual(resolved(one('      logs:\n        max_size: 50M\n')).normal.logs, { maxSize: '50m', maxFiles: 3 });
  assert.deepEqual(resolved(one('      logs: {max_files: 7}\n')).normal.logs, { maxSize: '10m', maxFiles: 7 });
  const r = resolved(one('      restart: on-failure:2\n      logs: {max_size: 1g, max_files: 10}\n'));
  assert.match(dockerRun(r.run).script, / --restart on-failure:2 --log-driver json-file --log-opt max-size=1g --log-opt max-file=10 -- httpd$/);
});

test('restart: and logs: come from a template; the container\'s own key wins (shallow, as every key)', () => {
  const yaml = `templates:\n  keep:\n    restart: always\n    logs: {max_size: 5m, max_files: 2}\n10.0.0.4:\n  containers:\n    app:\n      template: keep\n      image: httpd\n    other:\n      template: keep\n      image: httpd\n      logs: {max_files: 9}\n`;
  const [app, other] = parse(yaml).manifest!.servers[0]!.containers;
  assert.equal(app!.restart, 'always');
  assert.deepEqual(app!.logs, { maxSize: '5m', maxFiles: 2 });
  assert.equal(other!.restart, 'always');
  assert.deepEqual(resolveContainer(other!, (v) => v)!.normal.logs, { maxSize: '10m', maxFiles: 9 });
  // a bad value in a template is reported at the template's line
  const bad = problems(yaml.replace('restart: always', 'restart: sometimes'));
  assert.deepEqual(bad.map((i) => [i.path, i.line]), [['10.0.0.4.containers.app.restart', 3], ['10.0.0.4.containers.other.restart', 3]]);
});

test('a bad restart policy is an issue at its line with the policies (or the close one) as hint', () => {
  const cases: [string, RegExp, RegExp][] = [
    ['restart: sometimes', /restart "sometimes" is not a restart policy/, /no, always, unless-stopped \(the default\), on-failure or on-failure:N/],
    ['restart: unless-stoped', /"unless-stoped" is not a restart policy/, /did you mean unless-stopped\?/],
    ['restart: always:3', /"always:3" is not a restart policy/, /always|on-failure/],
    ['restart: on-failure:0', /"on-failure:0"/, /on-failure/],
    ['restart: on-failure:x', /"on-failure:x"/, /on-failure/],
    ['restart: [always]', /restart must be a single value/, /unless-stopped/],
    ['restart: false', /"false" is not a restart policy/, /./],
  ];
  for (const [line, message, hint] of cases) {
    const [issue, ...rest] = problems(one(`      ${line}\n`));
    assert.equal(rest.length, 0, line);
    assert.equal(issue!.path, '10.0.0.4.containers.app.restart', line);
    assert.equal(issue!.line, 5, line);
    assert.match(issue!.message, message, line);
    assert.match(issue!.hint ?? '', hint, line);
  }
});

test('bad logs values are issues at their own lines, each with a hint', () => {
  const issues = problems(one('      logs:\n        max_size: lots\n        max_files: 0\n        max_file: 3\n'));
  assert.deepEqual(issues.map((i) => [i.path, i.line]), [
    ['10.0.0.4.containers.app.logs.max_size', 6], ['10.0.0.4.containers.app.logs.max_files', 7], ['10.0.0.4.containers.app.logs.max_file', 8],
  ]);
  assert.match(issues[0]!.message, /max_size "lots" is not a size/);
  assert.match(issues[0]!.hint!, /e\.g\. 10m/);
  assert.match(issues[1]!.message, /max_files must be a whole number from 1 to 100/);
  assert.match(issues[2]!.message, /unknown logs field "max_file"/);
  assert.match(issues[2]!.hint!, /did you mean max_files/);
  for (const bad of ['max_files: 101', 'max_files: 2.5', 'max_size: 0', 'max_size: -1m', 'max_size: 10 m']) {
    assert.equal(problems(one(`      logs:\n        ${bad}\n`))[0]?.line, 6, bad);
  }
  const scalar = problems(one('      logs: none\n'));
  assert.deepEqual(scalar.map((i) => [i.path, i.line]), [['10.0.0.4.containers.app.logs', 5]]);
  assert.match(scalar[0]!.hint!, /logs: \{max_size: 10m, max_files: 3\}/);
  assert.match(problems(one('      restrat: always\n'))[0]!.hint!, /did you mean restart\?/);
});
