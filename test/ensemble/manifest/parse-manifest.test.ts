import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import { buildGraph } from '../../../src/ensemble/manifest/references.ts';
import { parseValue, resolveValue } from '../../../src/ensemble/manifest/variables.ts';
import type { ManifestIssue } from '../../../src/core/errors.ts';

const ok = (yaml: string) => {
  const r = parseManifest('m.yml', yaml);
  assert.deepEqual(r.issues, [], JSON.stringify(r.issues));
  return r.manifest!;
};
const problems = (yaml: string): ManifestIssue[] => {
  const r = parseManifest('m.yml', yaml);
  assert.equal(r.manifest, undefined);
  return r.issues;
};

test("the tutorial's wordpress manifest", () => {
  const m = ok(`# wordpress.yml
wordpress:
  provider: ec2
  image: ubuntu 14.04
  size: m1.small
  containers:
    wordpress:
      image: jbfink/docker-wordpress
      ports:
        - 80
`);
  const s = m.servers[0]!;
  assert.equal(s.provider, 'ec2');
  assert.deepEqual(s.options, { image: 'ubuntu 14.04', size: 'm1.small' });
  assert.deepEqual(s.containers.map((c) => [c.name, c.image, c.ports]), [['wordpress', 'jbfink/docker-wordpress', [{ container: 80, public: 80, protocol: 'tcp' }]]]);
});

const GRAPHITE = `wordpress:
  provider: digitalocean
  size: 512MB
  containers:
    wordpress:
      image: jbfink/docker-wordpress
      ports:
        - 80
    serverstats:
      image: andreasjansson/collectd-write-graphite
      environment:
        HOST_NAME: \${host.name}
        GRAPHITE_HOST: \${graphite.ip}
        _DEPENDS: \${graphite.containers.graphite.ip}
  firewall:
    template: default_firewall

graphite:
  provider: digitalocean
  size: 512MB
  containers:
    graphite:
      image: andreasjansson/graphite
      ports:
        - 80
        - 2003
  firewall:
    template: default_firewall

templates:
  default_firewall:
    22: "*"
    80: "*"
    "*/*": $internal_ips
`;

test("the slides' graphite example: templates, _DEPENDS, $internal_ips → a graph in the right order", () => {
  const m = ok(GRAPHITE);
  const wp = m.servers.find((s) => s.name === 'wordpress')!;
  assert.deepEqual(wp.firewall?.rules.map((r) => [r.port, r.protocol, r.sources]), [[22, 'tcp', ['*']], [80, 'tcp', ['*']], ['*', '*', ['$internal_ips']]]);
  const graph = buildGraph(m.servers);
  assert.deepEqual(graph.dependencies('container:wordpress/serverstats').sort(), ['container:graphite/graphite', 'server:graphite', 'server:wordpress']);
  assert.deepEqual(graph.dependencies('firewall:wordpress').sort(), ['server:graphite', 'server:wordpress']);
  const order = graph.topological();
  assert.ok(order.indexOf('container:graphite/graphite') < order.indexOf('container:wordpress/serverstats'));
});

test("the ensemble page's template example (containers: {template: …} is one container named after the server)", () => {
  const m = ok(`myserver:
  template: foo
  containers:
    template: bar
yourserver:
  template: foo
  containers:
    template: bar
    image: hello/world:other
    environment:
      template: baz
templates:
  foo:
    provider: digitalocean
    size: 1GB
  bar:
    image: hello/world
    ports:
      - 80:9000
    environment:
      HELLO: 123
  baz:
    WORLD: 456
`);
  const [my, your] = m.servers as [typeof m.servers[0], typeof m.servers[0]];
  assert.deepEqual([my.provider, my.options], ['digitalocean', { size: '1GB' }]);
  assert.deepEqual(my.containers.map((c) => [c.name, c.image, c.environment]), [['myserver', 'hello/world', { HELLO: '123' }]]);
  assert.deepEqual(your.containers.map((c) => [c.name, c.image, c.environment, c.ports[0]?.public]), [['yourserver', 'hello/world:other', { WORLD: '456' }, 9000]]);
});

test('counts: every server copy gets every container copy (the original lost them, bug 3)', () => {
  const m = ok(`web:
  provider: local
  count: 2
  containers:
    app:
      image: a
      count: 3
`);
  assert.deepEqual(m.servers.map((s) => [s.name, s.containers.map((c) => c.name)]), [
    ['web', ['app', 'app-1', 'app-2']],
    ['web-1', ['app', 'app-1', 'app-2']],
  ]);
});

test('IP-named servers are unmanaged; ${10.0.0.5.ip} refers to one', () => {
  const m = ok(`10.214.0.9:
  containers:
    db: {image: redis}
10.214.0.10:
  containers:
    app:
      image: app
      environment:
        DB: \${10.214.0.9.containers.db.ip}:6379
        PRICE: 5$$
`);
  assert.deepEqual(m.servers.map((s) => [s.name, s.provider]), [['10.214.0.9', 'unmanaged'], ['10.214.0.10', 'unmanaged']]);
  const graph = buildGraph(m.servers);
  assert.ok(graph.dependencies('container:10.214.0.10/app').includes('container:10.214.0.9/db'));
  assert.equal(resolveValue('5$$', () => undefined, { internalIps: () => [], servers: () => ({}) }), '5$');
});

test('every problem at once, each with its line, path and a hint', () => {
  const issues = problems(`web:
  provider: ec3
  sise: big
  containers:
    app:
      image: a
      ports:
        - 80
        - 80:http
      environment:
        X: \${redis.ip}
        Y: \${web.containers.ap.ip}
        Z: pa$word!
    bad:
      command: x
  firewall:
    template: nope
templates:
  default: {}
`);
  const brief = issues.map((i) => `${i.line} ${i.path}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`);
  assert.deepEqual(brief, [
    '2 web.provider: unknown provider "ec3" (did you mean ec2?)',
    '3 web.sise: unknown server field "sise" (did you mean size?)',
    '9 web.containers.app.ports[1]: invalid port spec "80:http" (CONTAINER[:PUBLIC][/tcp|udp], e.g. 80, 3306:3307, 53/udp)',
    '11 web.containers.app.environment.X: ${redis.ip}: unknown server "redis"',
    '12 web.containers.app.environment.Y: ${web.containers.ap.ip}: unknown container "ap" on server web (did you mean app?)',
    '13 web.containers.app.environment.Z: "$word" in "pa$word!" is not a variable: write ${SERVER.FIELD}, or $$ for a literal $ ($internal_ips and $servers stand alone)',
    '14 web.containers.bad.image: a container needs an image',
    '17 web.firewall.template: unknown template "nope" (templates: default)',
  ]);
});

test('container names must be valid Docker names', () => {
  const issues = problems('web:\n  provider: local\n  containers:\n    a: {image: x}\n');
  assert.match(issues[0]!.message, /"a" cannot be a container name/);
  assert.equal(issues[0]!.line, 4);
});

test('a cycle is named', () => {
  const issues = problems(`web:
  provider: local
  containers:
    app:
      image: a
      environment: {R: '\${redis.containers.rc.ip}'}
redis:
  provider: local
  containers:
    rc:
      image: r
      environment: {W: '\${web.containers.app.ip}'}
`);
  assert.equal(issues.length, 1);
  assert.match(issues[0]!.message, /dependency cycle: redis\.containers\.rc → web\.containers\.app → redis\.containers\.rc/);
});

test('YAML syntax errors are reported at their line', () => {
  const issues = problems('web:\n  provider: local\n  containers: [\n');
  assert.equal(issues.length >= 1, true);
  assert.equal(typeof issues[0]!.line, 'number');
});

test('variable syntax', () => {
  assert.deepEqual(parseValue('$internal_ips'), { kind: 'internal_ips' });
  const p = parseValue('http://${db.containers.pg.environment[POSTGRES_USER]}@${web.ip}:1');
  assert.equal(p.kind, 'segments');
  const refs = p.kind === 'segments' ? p.segments.flatMap((s) => (s.kind === 'ref' ? [s.ref] : [])) : [];
  assert.deepEqual(refs, [
    { server: 'db', container: 'pg', field: 'environment', index: ['POSTGRES_USER'] },
    { server: 'web', field: 'ip', index: [] },
  ]);
  const value = resolveValue('http://${db.containers.pg.environment[POSTGRES_USER]}@${web.ip}:1', (r) => (r.server === 'web' ? '10.0.0.2' : { POSTGRES_USER: 'app' }), { internalIps: () => [], servers: () => ({}) });
  assert.equal(value, 'http://app@10.0.0.2:1');
  assert.equal(resolveValue('${web.ip}', () => undefined, { internalIps: () => [], servers: () => ({}) }), undefined, 'not known yet');
  assert.throws(() => parseValue('${web}'), /names a server but no field/);
  assert.throws(() => parseValue('${web.ip'), /unclosed/);
  assert.throws(() => parseValue('a$'), /must start a variable/);
});

test('docker_mount is refused at its line, not silently ignored', () => {
  const issues = problems(`db:\n  provider: ec2\n  docker_mount: /dev/xvdb\n`);
  assert.deepEqual(issues.map((i) => [i.line, i.path, i.message]), [[3, 'db.docker_mount', 'docker_mount is not supported by hitc']]);
});

test("a container's ip is refused (Docker chooses it), with how to read it instead", () => {
  const issues = problems(`10.0.0.5:\n  containers:\n    db:\n      image: postgres\n      ip: 172.17.0.9\n`);
  assert.deepEqual(issues.map((i) => [i.line, i.message, i.hint]), [[5, "a container's address is chosen by Docker, not the manifest", 'read it elsewhere as ${10.0.0.5.containers.db.ip}']]);
});
