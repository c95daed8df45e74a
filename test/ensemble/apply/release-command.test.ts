// The release's one round trip as a value: every word one quoted argument, secrets through
// stdin only, no ports, restart policy or labels on the throwaway container, a watchdog with
// the time limit, removal in every outcome; and its result line read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remoteScript, secretStdin } from '../../../src/core/command.ts';
import { secret } from '../../../src/core/secret.ts';
import { parseReleaseResult, releaseCommand, releaseContainerName, releaseSpec, RELEASE_TAIL_LINES } from '../../../src/ensemble/apply/release-command.ts';
import type { ContainerSpec } from '../../../src/docker/container-spec.ts';

const SECRET = 's3cr3t-value-for-release';
const spec: ContainerSpec = {
  image: 'hello/app:2', name: 'app', environment: { MODE: 'prod', TOKEN: secret(SECRET, 'TOKEN') },
  ports: [{ container: 80, public: 8080, protocol: 'tcp' }], volumes: [{ host: '/srv/app', container: '/data' }],
  memory: '256m', restart: 'unless-stopped', logs: { maxSize: '10m', maxFiles: 3 },
};
const name = releaseContainerName('app', 1_700_000_000);

test('the throwaway container: the new image, environment and volumes; no ports, restart policy or logs options', () => {
  assert.equal(name, 'app-hitc-release-1700000000');
  const r = releaseSpec(spec, name);
  assert.deepEqual({ ...r, environment: Object.keys(r.environment) }, { image: 'hello/app:2', name, environment: ['MODE', 'TOKEN'], ports: [], volumes: spec.volumes, memory: '256m' });
});

test('each word is one quoted argument after the image, and the secret travels on stdin only', () => {
  const words = ['sh', '-c', 'echo $(id) > /data/marker; rm -rf /', "it's", '--', ''];
  const cmd = releaseCommand(releaseSpec(spec, name), words, 42);
  assert.match(cmd.script, /TOKEN="\$HITC_SECRET_\d+" docker create --name app-hitc-release-1700000000 -v \/srv\/app:\/data -e MODE=prod -e TOKEN -m 256m -- hello\/app:2 sh -c 'echo \$\(id\) > \/data\/marker; rm -rf \/' 'it'\\''s' -- '' >\/dev\/null/);
  assert.ok(!cmd.script.includes(SECRET) && !cmd.display.includes(SECRET));
  assert.ok(!remoteScript(cmd, { mode: 'nopasswd' }).includes(SECRET), 'not in the sudo argv either');
  assert.deepEqual(cmd.secrets, [SECRET]);
  assert.equal(secretStdin(cmd), `${SECRET}\n`);
  assert.doesNotMatch(cmd.script, / -p \d|--restart|--label|--log-opt|docker run -d/);
});

test('the watchdog kills it after the limit, it is removed in every outcome, and the output tail is bounded', () => {
  const cmd = releaseCommand(releaseSpec(spec, name), ['migrate'], 42).script;
  assert.match(cmd, /^name=app-hitc-release-1700000000; out=\$\(mktemp\) \|\| exit 1$/m);
  assert.match(cmd, /sleep 42 & s=\$!; wait \$s && : > "\$out.timeout" && docker kill -- "\$name"/);
  assert.match(cmd, /cleanup\(\) \{ docker rm -f -- "\$name" >\/dev\/null 2>&1; rm -f -- "\$out" "\$out.timeout"; \}\ntrap cleanup EXIT\n/);
  assert.match(cmd, /trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM/);
  assert.match(cmd, /docker start -a -- "\$name" >"\$out" 2>&1; rc=\$\?/);
  assert.match(cmd, new RegExp(`tail -n ${RELEASE_TAIL_LINES} -- "\\$out"`));
});

test('the result line: the step, the exit code and the lines before it; anything else is no result', () => {
  assert.deepEqual(parseReleaseResult('applied 3\ndone\nhitc-release-result exited 0\n'), { step: 'exited', code: 0, tail: ['applied 3', 'done'] });
  assert.deepEqual(parseReleaseResult('hitc-release-result exited 3\n'), { step: 'exited', code: 3, tail: [] });
  assert.deepEqual(parseReleaseResult('x\nhitc-release-result timeout 137\n'), { step: 'timeout', code: 137, tail: ['x'] });
  assert.deepEqual(parseReleaseResult('hitc-release-result create 125\n'), { step: 'create', code: 125, tail: [] });
  // a release that prints the marker itself cannot fake the result: only the last line counts
  assert.deepEqual(parseReleaseResult('hitc-release-result exited 0\noops\nhitc-release-result exited 1\n'), { step: 'exited', code: 1, tail: ['hitc-release-result exited 0', 'oops'] });
  assert.equal(parseReleaseResult('hitc-release-result exited 0\nmore\n'), undefined);
  assert.equal(parseReleaseResult(''), undefined);
  const many = Array.from({ length: 80 }, (_, i) => `line ${i}`).join('\n');
  assert.equal(parseReleaseResult(`${many}\nhitc-release-result exited 2\n`)?.tail.length, RELEASE_TAIL_LINES);
});
