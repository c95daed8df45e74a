// healthcheck: and stop_timeout: in the manifest: defaults, each probe, every bad value at its
// file:line with a hint, and neither part of the spec hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import { resolveContainer } from '../../../src/ensemble/plan/resolve-container.ts';
import { describeHealth } from '../../../src/ensemble/manifest/healthcheck.ts';

const one = (fields: string, ports = '      ports: [80:8080]\n') => `10.0.0.4:\n  containers:\n    app:\n      image: httpd\n${ports}${fields}`;
const container = (yaml: string) => {
  const r = parseManifest('m.yml', yaml);
  assert.deepEqual(r.issues, [], JSON.stringify(r.issues));
  return r.manifest!.servers[0]!.containers[0]!;
};
const problems = (yaml: string): string[] => {
  const r = parseManifest('m.yml', yaml);
  assert.equal(r.manifest, undefined);
  return r.issues.map((i) => `${i.line} ${i.path}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`);
};

test('an http check defaults to the first published port, 1 s interval, 3 s timeout, 30 retries; none at all: the image\'s own', () => {
  assert.deepEqual(container(one('      healthcheck:\n        http: /healthz\n')).healthcheck, { kind: 'http', path: '/healthz', port: 80, interval: 1, timeout: 3, retries: 30 });
  const none = container(one(''));
  assert.equal(none.healthcheck, undefined);
  assert.equal(none.stopTimeout, undefined);
  assert.equal(describeHealth(undefined), "the image's HEALTHCHECK, else running for 2 s");
});

test('each probe with its own fields', () => {
  const http = container(one('      healthcheck: {http: /ready?x=1, port: 8080, status: 204, interval: 0.5, timeout: 2s, retries: 20}\n      stop_timeout: 30\n'));
  assert.deepEqual(http.healthcheck, { kind: 'http', path: '/ready?x=1', port: 8080, status: 204, interval: 0.5, timeout: 2, retries: 20 });
  assert.equal(http.stopTimeout, 30);
  assert.equal(describeHealth(http.healthcheck), 'http /ready?x=1 on 8080 → 204');
  assert.deepEqual(container(one('      healthcheck: {tcp: 5432}\n', '')).healthcheck, { kind: 'tcp', port: 5432, interval: 1, timeout: 3, retries: 30 });
  const cmd = container(one("      healthcheck:\n        cmd: pg_isready -U 'my user'\n", '')).healthcheck;
  assert.deepEqual(cmd, { kind: 'cmd', command: ['pg_isready', '-U', 'my user'], interval: 1, timeout: 3, retries: 30 });
});

test('every bad value is reported at its line with a hint; nothing is guessed', () => {
  assert.deepEqual(problems(one('      healthcheck: /healthz\n')), ['6 10.0.0.4.containers.app.healthcheck: healthcheck is a mapping with one of http, tcp or cmd (healthcheck: {http: /healthz} (or tcp: PORT, or cmd: COMMAND), with optional port, status, interval, timeout, retries)']);
  assert.match(problems(one('      healthcheck: {http: /a, tcp: 80}\n')).join('\n'), /healthcheck has http and tcp: choose one/);
  assert.match(problems(one('      healthcheck: {retries: 3}\n')).join('\n'), /healthcheck needs one of http, tcp or cmd/);
  assert.match(problems(one('      healthcheck: {http: healthz}\n')).join('\n'), /^6 .*healthcheck\.http: http "healthz" is not a URL path/m);
  assert.match(problems(one('      healthcheck: {http: /}\n', '')).join('\n'), /an http health check needs a port: the container publishes no TCP port/);
  assert.match(problems(one('      healthcheck: {tcp: 80, port: 81}\n')).join('\n'), /healthcheck\.port: port belongs to an http health check/);
  assert.match(problems(one('      healthcheck: {http: /, intervall: 2}\n')).join('\n'), /unknown healthcheck field "intervall" \(did you mean interval\?\)/);
  assert.match(problems(one('      healthcheck: {http: /, interval: 0}\n')).join('\n'), /interval "0" is not a number of seconds/);
  assert.match(problems(one('      healthcheck: {http: /, retries: 0}\n')).join('\n'), /retries must be a whole number from 1 to 1000 \(got "0"\)/);
  assert.match(problems(one('      healthcheck: {tcp: 70000}\n')).join('\n'), /tcp must be a whole number from 1 to 65535/);
  assert.match(problems(one('      healthcheck: {cmd: ""}\n')).join('\n'), /cmd needs a command/);
  assert.match(problems(one('      stop_timeout: -1\n')).join('\n'), /^6 10\.0\.0\.4\.containers\.app\.stop_timeout: stop_timeout must be a whole number from 0 to 3600/m);
  assert.match(problems(one('      healthchek: {http: /}\n')).join('\n'), /unknown container field "healthchek" \(did you mean healthcheck\?\)/);
});

test('a changed health check or stop timeout replaces nothing: neither is part of the spec hash', () => {
  const hash = (fields: string) => resolveContainer(container(one(fields)), (v) => v)!.hash;
  assert.equal(hash(''), hash('      healthcheck: {http: /x}\n      stop_timeout: 60\n'));
});
