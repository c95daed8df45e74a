import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parsePortSpec } from '../../src/docker/port-spec.ts';
import { checkImage, containerSpecFromArgs } from '../../src/docker/container-spec.ts';
import { checkPackageVersion } from '../../src/docker/setup.ts';
import { bindCommand, dockerExec, dockerImageId, dockerInspect, dockerKill, dockerLogs, dockerPull, dockerRm, dockerRun, dockerSwap, readStateCommand, STATE_SEPARATOR, unbindCommand } from '../../src/docker/commands.ts';
import { parseBindRules, parseHostState } from '../../src/docker/inspect.ts';
import { psRows } from '../../src/docker/ps-table.ts';
import { renderTable } from '../../src/core/table.ts';
import { splitList } from '../../src/core/list-value.ts';
import { remoteScript, secretStdin } from '../../src/core/command.ts';
import { secret } from '../../src/core/secret.ts';
import { UsageError } from '../../src/core/errors.ts';

test('port specs: CONTAINER[:PUBLIC][/PROTO]', () => {
  assert.deepEqual(parsePortSpec('80'), { container: 80, public: 80, protocol: 'tcp' });
  assert.deepEqual(parsePortSpec('3306:3307'), { container: 3306, public: 3307, protocol: 'tcp' });
  assert.deepEqual(parsePortSpec('1234/udp'), { container: 1234, public: 1234, protocol: 'udp' });
  for (const bad of ['', 'http', '80:', '80/sctp', '0', '70000', '80:8080:1']) {
    assert.throws(() => parsePortSpec(bad), (e: unknown) => e instanceof UsageError && /invalid port spec/.test(e.message), bad);
  }
});

test('list values: \\, separates items, \\\\, is a literal comma', () => {
  assert.deepEqual(splitList('80,3306:3307,1234/udp'), ['80', '3306:3307', '1234/udp']);
  assert.deepEqual(splitList('A=x\\,y,B=2'), ['A=x,y', 'B=2']);
});

test('docker.run arguments → spec, with clear errors', () => {
  const spec = containerSpecFromArgs({ image: 'img', name: 'web', ports: '80,3306:3307', environment: 'A=1=2,B=x\\,y', volumes: '/srv/d:/data' });
  assert.deepEqual(spec.environment, { A: '1=2', B: 'x,y' });
  assert.deepEqual(spec.volumes, [{ host: '/srv/d', container: '/data' }]);
  assert.throws(() => containerSpecFromArgs({ image: 'i', ports: '80' }), /ports need a container name/);
  assert.throws(() => containerSpecFromArgs({ image: 'i', name: 'w', ports: '80:x' }), /invalid port spec "80:x"/);
  assert.throws(() => containerSpecFromArgs({ image: 'i', environment: 'NOVALUE' }), /environment items are KEY=VALUE/);
  assert.throws(() => containerSpecFromArgs({ image: 'i', volumes: 'rel:/x' }), /host path must be absolute/);
});

test('docker run command, exact', () => {
  const spec = containerSpecFromArgs({ image: 'reg:5000/app:1', name: 'web', ports: '80,53/udp', environment: "MSG=it's here", volumes: '/srv/a b:/data', memory: '256m', hostname: 'h1', privileged: true, command: 'httpd -f' });
  assert.equal(
    dockerRun(spec).script,
    `mkdir -p '/srv/a b' && docker run -d --name web -v '/srv/a b:/data' -e 'MSG=it'\\''s here' -p 80:80 -p 53:53/udp -m 256m -h h1 --privileged -- reg:5000/app:1 httpd -f`,
  );
});

test('docker run with a restart policy and log rotation (the ensemble sets them; docker.run does not), exact', () => {
  const spec = { ...containerSpecFromArgs({ image: 'app:1', name: 'web' }), restart: 'on-failure:3', logs: { maxSize: '10m', maxFiles: 3 } };
  assert.equal(
    dockerRun(spec, { 'hitc.ensemble': 'shop' }).script,
    `docker run -d --name web --label hitc.ensemble=shop --restart on-failure:3 --log-driver json-file --log-opt max-size=10m --log-opt max-file=3 -- app:1`,
  );
  assert.equal(dockerRun(containerSpecFromArgs({ image: 'app:1', name: 'web' })).script, 'docker run -d --name web -- app:1', 'docker.run: no policy, the daemon\'s logs');
});

test('docker create (a replacement made but not started), exact', () => {
  const spec = containerSpecFromArgs({ image: 'app:2', name: 'web.hitc-new-0a1b2c3d', ports: '80' });
  assert.equal(dockerRun(spec, {}, { create: true }).script, 'docker create --name web.hitc-new-0a1b2c3d -p 80:80 -- app:2');
});

test('every name, id and image comes after --, so docker never reads it as an option', () => {
  assert.equal(dockerRm('web').script, 'docker rm -f -- web');
  assert.equal(dockerKill('web').script, 'docker kill -- web');
  assert.equal(dockerPull('reg:5000/app:1').script, 'docker pull -- reg:5000/app:1');
  assert.equal(dockerImageId('app:1').script, "docker image inspect --format '{{.Id}}' -- app:1");
  assert.equal(dockerInspect('app:1').script, 'docker inspect -- app:1');
  assert.equal(dockerInspect('0123abc', 'container').script, 'docker inspect --type container -- 0123abc');
  assert.equal(dockerLogs('web').script, 'docker logs -- web');
  assert.equal(dockerLogs('web', 20).script, 'docker logs --tail 20 -- web');
  assert.equal(dockerExec('web', 'cat /etc/hosts', true).script, 'docker exec -it -- web cat /etc/hosts');
  assert.equal(dockerExec("it's", 'ls', false).script, "docker exec -i -- 'it'\\''s' ls");
  assert.equal(
    dockerSwap('0123abc', '4567def', 'web', 'web.hitc-old-1').script,
    `docker rename -- 0123abc web.hitc-old-1 || exit $?
docker rename -- 4567def web || { rc=$?; docker rename -- 0123abc web; docker rm -f -- 4567def >/dev/null; exit $rc; }
docker start -- 4567def >/dev/null || { rc=$?; docker rm -f -- 4567def >/dev/null; docker rename -- 0123abc web; exit $rc; }
docker rm -f -- 0123abc >/dev/null`,
  );
});

test('image references: empty, option-looking or with spaces are usage errors', () => {
  for (const [bad, why] of [['', /^empty image$/], ['-f', /starts with "-"/], ['--help', /starts with "-"/], ['app 1', /no spaces or control/], ['app\n1', /no spaces or control/]] as const) {
    assert.throws(() => checkImage(bad), (e: unknown) => e instanceof UsageError && why.test(e.message), bad);
    assert.throws(() => containerSpecFromArgs({ image: bad }), (e: unknown) => e instanceof UsageError && why.test(e.message), bad);
  }
  assert.doesNotThrow(() => checkImage('reg:5000/team/app@sha256:0123'));
});

test('secret environment values reach docker through its environment, never argv', () => {
  const spec = { ...containerSpecFromArgs({ image: 'db' }), environment: { PASSWORD: secret('hunter2-long') } };
  const command = dockerRun(spec);
  assert.match(command.script, /^PASSWORD="\$HITC_SECRET_\d+" docker run -d -e PASSWORD -- db$/);
  assert.ok(!remoteScript(command).includes('hunter2'));
  assert.ok(!command.display.includes('hunter2'));
  assert.equal(secretStdin(command), 'hunter2-long\n');
});

test('bind/unbind commands are idempotent iptables with hitc-tagged rules', () => {
  const script = bindCommand('web', '172.17.0.2', [parsePortSpec('80:8080')]).script;
  assert.match(script, /iptables -w -t nat -C HITC-BIND -p tcp -m tcp --dport 8080 -m comment --comment hitc-bind:web -j DNAT --to-destination 172\.17\.0\.2:80 2>\/dev\/null \|\| iptables -w -t nat -A HITC-BIND/);
  assert.match(script, /iptables -w -C HITC-BIND -d 172\.17\.0\.2 -p tcp -m tcp --dport 80 -m comment --comment hitc-bind:web -j ACCEPT/);
  assert.match(script, /-I DOCKER-USER -j HITC-BIND/);
  assert.match(unbindCommand('web', undefined).script, /grep -F -- '"hitc-bind:web"'/);
});

test('one round trip reads all containers and bindings', () => {
  assert.match(readStateCommand().script, /docker inspect \$ids/);
  const fixture = readFileSync(join(import.meta.dirname, 'fixtures/inspect-web.json'), 'utf8');
  const rules = '-N HITC-BIND\n-A HITC-BIND -p tcp -m tcp --dport 8080 -m comment --comment "hitc-bind:web" -j DNAT --to-destination 172.17.0.2:80\n';
  const state = parseHostState(`${fixture}\n${STATE_SEPARATOR}\n${rules}`);
  assert.equal(state.dockerInstalled, true);
  assert.deepEqual(state.containers.map((c) => [c.name, c.running, c.ip]), [['old', false, null], ['web', true, '172.17.0.2']]);
  const web = state.containers[1]!;
  assert.equal(web.environment.GREETING, 'a=b,c');
  assert.deepEqual(web.ports.map((p) => [p.container, p.public, p.via]), [[22, null, 'docker'], [80, 80, 'docker'], [80, 8080, 'hitc']]);
  assert.deepEqual(parseHostState('no-docker\n'), { dockerInstalled: false, containers: [] });
  assert.deepEqual(parseBindRules(rules), [{ protocol: 'tcp', public: 8080, container: 'web', to: '172.17.0.2:80' }]);
});

test('docker.ps table: the original columns, sorted, 80:80, 22:None', () => {
  const fixture = readFileSync(join(import.meta.dirname, 'fixtures/inspect-web.json'), 'utf8');
  const state = parseHostState(`${fixture}\n${STATE_SEPARATOR}\n`);
  const rows = psRows(state.containers.filter((c) => c.running));
  assert.deepEqual(rows, [{ name: 'web', ip: '172.17.0.2', ports: '22:None, 80:80', created: '2026-11-22 05:20:01', image: '10.214.0.1:5000/hitc/app-httpd:latest' }]);
  assert.deepEqual(renderTable(['name', 'ip'], [['web', '172.17.0.2']]), ['name  ip', 'web   172.17.0.2']);
});

test('docker.setup version: a package version or a usage error', () => {
  for (const good of ['20.10', '1:20.10.24+dfsg1-1', '24.0.7-0ubuntu2~22.04.1']) assert.doesNotThrow(() => checkPackageVersion(good), good);
  for (const bad of ['', '-o', '--allow-unauthenticated', '20 docker-compose', '20;x', 'latest']) {
    assert.throws(() => checkPackageVersion(bad), (e: unknown) => e instanceof UsageError && /^invalid version/.test(e.message), bad);
  }
});

test("a secret's environment name is spliced into the shell line, so only a real name gets there", () => {
  const spec = { image: 'httpd', ports: [], volumes: [], privileged: false, environment: { 'A;touch /tmp/x': secret('s3cret-value') } };
  assert.throws(() => dockerRun(spec), (e: unknown) => e instanceof UsageError && /is not an environment variable name/.test((e as Error).message));
  assert.match(dockerRun({ ...spec, environment: { DB_PASS: secret('s3cret-value') } }).script, /^DB_PASS="\$HITC_SECRET_\d+" docker run -d -e DB_PASS -- httpd$/);
});

test('two secrets of one container reach docker as two values: each assignment reads its own variable', () => {
  const spec = { image: 'img', ports: [], volumes: [], privileged: false, environment: { A: secret('aaa-first'), B: secret('bbb-second') } };
  const c = dockerRun(spec);
  // what the remote shell does with it: read the secrets from stdin, then run the line (env instead of docker)
  const probe = { ...c, script: c.script.replace(/ docker run -d .*$/, ' env') };
  const out = execFileSync('sh', ['-c', remoteScript(probe)], { input: secretStdin(probe), encoding: 'utf8' });
  assert.match(out, /^A=aaa-first$/m);
  assert.match(out, /^B=bbb-second$/m);
  assert.ok(!c.script.includes('aaa-first') && !c.script.includes('bbb-second'), 'never in the script');
});
