import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import { resolveContainer } from '../../../src/ensemble/plan/resolve-container.ts';
import { dockerRun } from '../../../src/docker/commands.ts';
import type { ManifestIssue } from '../../../src/core/errors.ts';

const ok = (yaml: string, env: Record<string, string> = {}) => {
  const r = parseManifest('m.yml', yaml, env);
  assert.deepEqual(r.issues, [], JSON.stringify(r.issues));
  return r.manifest!;
};
const problems = (yaml: string, env: Record<string, string> = {}): ManifestIssue[] => {
  const r = parseManifest('m.yml', yaml, env);
  assert.equal(r.manifest, undefined);
  return r.issues;
};
const one = (fields: string) => `10.0.0.4:\n  containers:\n    app:\n      image: httpd\n${fields}`;

test('a string command is split into words; a list is the argv itself', () => {
  const s = ok(one('      command: httpd -f -p "80 80"\n')).servers[0]!.containers[0]!;
  assert.deepEqual(s.command, ['httpd', '-f', '-p', '80 80']);
  const l = ok(one('      command: [httpd, -f, "-p", 8080]\n')).servers[0]!.containers[0]!;
  assert.deepEqual(l.command, ['httpd', '-f', '-p', '8080']);
  const b = ok(one('      command:\n        - sh\n        - -c\n        - "echo a; echo b"\n')).servers[0]!.containers[0]!;
  assert.deepEqual(b.command, ['sh', '-c', 'echo a; echo b']);
  assert.equal(ok(one('      command:\n')).servers[0]!.containers[0]!.command, undefined, 'empty: the image default');
});

test('a string command with shell syntax is a manifest error at its line, with the list form as hint', () => {
  const [p, ...rest] = problems(one('      command: "httpd -f -p 8080; touch /tmp/x"\n'));
  assert.equal(rest.length, 0);
  assert.equal(p!.line, 5);
  assert.equal(p!.path, '10.0.0.4.containers.app.command');
  assert.match(p!.message, /";" in command .*hitc runs no shell.*\["sh", "-c", "…"\]/);
  assert.match(problems(one('      command: ""\n'))[0]!.message, /the command is empty/);
  assert.match(problems(one('      command: [a, {b: c}]\n'))[0]!.message, /each word of a command is a single value/);
  assert.match(problems(one('      command: {a: b}\n'))[0]!.message, /a string or a list of words/);
  assert.match(problems(one('      command: echo $HOME\n'))[0]!.message, /"\$HOME" .* is not a variable/);
});

test('variables are filled in per word: a value with spaces or ; stays one argument, quoted for docker run', () => {
  const c = ok(`10.0.0.4:\n  containers:\n    app:\n      image: httpd\n      command: app --peer=\${10.0.0.5.containers.db.hostname} "\${10.0.0.5.name} x"\n10.0.0.5:\n  containers:\n    db:\n      image: db\n`).servers[0]!.containers[0]!;
  const hostile = 'x; touch /tmp/x $(id) `id`';
  const r = resolveContainer(c, (v) => v.replace(/\$\{[^}]+\}/g, hostile))!;
  assert.deepEqual(r.argv, ['app', `--peer=${hostile}`, `${hostile} x`]);
  assert.equal(r.run.command, undefined, 'docker.run never gets a command string');
  assert.equal(r.normal.command, `app '--peer=${hostile}' '${hostile} x'`);
});

test('a string command and the equivalent list hash the same; a simple command hashes as it did before the split', () => {
  const hashOf = (fields: string) => resolveContainer(ok(one(fields)).servers[0]!.containers[0]!, (v) => v)!;
  const s = hashOf('      command: httpd -f -p 8080\n');
  const l = hashOf('      command: [httpd, "-f", -p, "8080"]\n');
  assert.equal(s.hash, l.hash);
  assert.equal(s.normal.command, 'httpd -f -p 8080', 'the text older hitc stored, so deployed containers are kept');
  assert.notEqual(hashOf('      command: "httpd -f -p \'8080 \'"\n').hash, s.hash);
});

test('environment names must be names: file:line, and a secret value is never shown', () => {
  const issues = problems(one('      environment:\n        DB-PASS: !secret\n        OK_1: x\n        1X: y\n        "A=B": z\n        "": e\n'), { 'DB-PASS': 'hunter2-s3cret' });
  assert.deepEqual(issues.map((i) => [i.line, i.path]), [[6, '10.0.0.4.containers.app.environment.DB-PASS'], [8, '10.0.0.4.containers.app.environment.1X'], [9, '10.0.0.4.containers.app.environment.A=B'], [10, '10.0.0.4.containers.app.environment.']]);
  assert.match(issues[0]!.message, /"DB-PASS" is not an environment variable name/);
  assert.ok(!JSON.stringify(issues).includes('hunter2'), 'the secret never appears');
});

test('values docker would read as options, or that no command line can carry, are refused', () => {
  assert.match(problems(one('').replace('image: httpd', 'image: --privileged'))[0]!.message, /"--privileged" is not an image name/);
  assert.match(problems(one('').replace('image: httpd', 'image: "httpd latest"'))[0]!.message, /is not an image name/);
  ok(one('').replace('image: httpd', 'image: 10.214.0.1:5000/hitc/app-httpd:latest'));
  ok(one('').replace('image: httpd', 'image: ${10.0.0.4.name}/x'));
  assert.match(problems(one('      hostname: -x\n'))[0]!.message, /"-x" is not a host name/);
  assert.match(problems(one('      hostname: "a b"\n'))[0]!.message, /is not a host name/);
  ok(one('      hostname: db-1.internal\n'));
  const nul = problems(one('      environment:\n        A: "x\\0y"\n      command: ["a\\0"]\n'));
  assert.deepEqual(nul.map((i) => [i.line, i.message]), [[6, 'a value holds a NUL byte (\\0), which no command can carry'], [7, 'a value holds a NUL byte (\\0), which no command can carry']]);
  assert.match(problems('"a\\0b":\n  provider: local\n')[0]!.message, /a key holds a NUL byte/);
  assert.match(problems(one('      volumes: ["-v:/x"]\n'))[0]!.message, /absolute host path/);
  assert.match(problems(one('      volumes: {"/a:b": /x}\n'))[0]!.message, /the host path "\/a:b" holds a ":"/);
  assert.match(problems('"-oProxyCommand=x":\n  provider: unmanaged\n')[0]!.message, /"-oProxyCommand=x" is not an IP address or host name/);
  ok('db.example.com:\n  provider: unmanaged\n');
  assert.match(problems(one('      memory: "-1"\n'))[0]!.message, /is not a size/);
  assert.match(problems(one('      ports: ["-80"]\n'))[0]!.message, /invalid port spec/);
});

test('a secret environment value reaches docker run through stdin under its (valid) name, never in the script', () => {
  const c = ok(one('      environment:\n        DB_PASS: !secret\n'), { DB_PASS: 'hunter2' }).servers[0]!.containers[0]!;
  const cmd = dockerRun(resolveContainer(c, (v) => v)!.run);
  assert.ok(!cmd.script.includes('hunter2'));
  assert.match(cmd.script, /^DB_PASS="\$HITC_SECRET_\d+" docker run -d --name app -e DB_PASS --restart unless-stopped --log-driver json-file --log-opt max-size=10m --log-opt max-file=3 -- httpd$/);
});
