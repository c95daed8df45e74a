// Property tests for the manifest parser: random YAML documents (manifest-shaped objects dumped
// with the yaml package, and random text built from YAML fragments) never crash: parsing ends
// in a manifest or in located issues (the CLI raises them as one ManifestError naming the
// file), and a manifest that parses can be planned against an empty or a bare world.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { ManifestError, isHitcError } from '../../../src/core/errors.ts';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import { planOf } from '../plan/canonical.ts';
import { planLines } from '../../../src/ensemble/plan/plan-text.ts';
import type { ObservedWorld } from '../../../src/ensemble/observe/observed.ts';
import type { Manifest } from '../../../src/ensemble/manifest/model.ts';
import { params, shellText } from '../../core/property-settings.ts';

const ENV = { HOME: '/home/u', DB_PASS: 's3cret-value', EMPTY: '', TOKEN: 'tok' };

/** Text a manifest author might write in a value, references and escapes included. */
const valueText = fc.oneof(
  { weight: 3, arbitrary: shellText(12) },
  { weight: 2, arbitrary: fc.constantFrom('${web.ip}', '${web.internal_ip}', '${db.containers.redis.ip}', '${host.name}', '${web.environment[A]}', '$internal_ips', '$servers', '$$', '${', '${}', '${web}', '${.ip}', '${a.b.c}', '${10.0.0.5.ip}', '$x', '${web.containers.a.b.c}', '${web.f[}', '${web.f[0][k]}') },
  { weight: 2, arbitrary: fc.constantFrom('httpd', 'redis:7', '80', '8080:80', '53/udp', '*', '10.0.0.0/8', '512m', 'true', '2', '-1', '0', '1e3', '/srv:/data', 'local', 'ec2', 'unmanaged', 'digitalocean', 'web', 'db') },
);
const scalar = fc.oneof(
  { weight: 6, arbitrary: valueText },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.constantFrom(1e21, 0.5, -0), fc.boolean(), fc.constant(null)) },
);
/** Any small YAML value (maps, lists, scalars) for fields that should be something else. */
const { anyValue } = fc.letrec((tie) => ({
  anyValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('anyValue'), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('image', 'template', 'A', 'ip'), shellText(5)), tie('anyValue'), { maxKeys: 3 }) },
  ),
}));
const orAny = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: anyValue });
const names = fc.oneof(fc.constantFrom('web', 'db', 'app', 'redis', 'a', '10.0.0.5', 'x-1', 'templates', 'template', 'constructor', '__proto__', 'toString'), shellText(6));
const keyed = <T>(keys: readonly string[], value: fc.Arbitrary<T>) =>
  fc.dictionary(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: shellText(6) }), value, { maxKeys: keys.length });

const environment = orAny(fc.dictionary(fc.oneof(fc.constantFrom('A', 'DB_PASS', 'template', 'PATH', '__proto__', 'constructor', 'A-B', '1X'), shellText(4)), orAny(scalar), { maxKeys: 4 }));
const container = orAny(fc.record({
  image: orAny(valueText),
  command: orAny(fc.oneof(valueText, fc.array(valueText, { maxLength: 3 }))),
  environment,
  ports: orAny(fc.oneof(fc.array(scalar, { maxLength: 3 }), scalar)),
  volumes: orAny(fc.oneof(fc.array(valueText, { maxLength: 2 }), fc.dictionary(fc.constantFrom('/srv', 'rel', '/a b', '/x'), valueText, { maxKeys: 2 }))),
  count: orAny(fc.oneof(fc.integer({ min: -1, max: 4 }), fc.constantFrom(1e6, 2 ** 53, 1.5, '3', 100, '0x10'))),
  memory: orAny(scalar), privileged: orAny(scalar), hostname: orAny(valueText), depends_on: orAny(fc.oneof(names, fc.array(names, { maxLength: 2 }))),
  restart: orAny(fc.oneof(scalar, fc.constantFrom('no', 'always', 'on-failure:3', 'on-failure:0'))),
  logs: orAny(fc.dictionary(fc.constantFrom('max_size', 'max_files', 'max_file'), orAny(scalar), { maxKeys: 2 })),
  template: orAny(names), ip: scalar, colour: scalar,
}, { requiredKeys: [] }));
const firewall = orAny(keyed(['80', '22/tcp', '53/udp', '*/tcp', '*/*', '0', '70000', 'http', 'template'], orAny(fc.oneof(valueText, fc.array(valueText, { maxLength: 3 })))));
const server = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 8, arbitrary: fc.record({
    provider: orAny(fc.constantFrom('local', 'ec2', 'digitalocean', 'unmanaged', 'gce', 'Local', 'constructor', '__proto__')),
    count: orAny(fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constantFrom(1e6, 1e9, 0.5, 'two', 100, 101, '1e2'))),
    containers: orAny(fc.oneof(fc.dictionary(names, container, { maxKeys: 3 }), container)),
    firewall, depends_on: orAny(fc.oneof(names, fc.array(names, { maxLength: 2 }))), template: orAny(names),
    size: scalar, image: scalar, ip: scalar, placement: scalar, bid: scalar, docker_mount: scalar, security_group: scalar,
  }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: anyValue },
);
const manifestObject = fc.dictionary(names, fc.oneof({ weight: 5, arbitrary: server }, { weight: 1, arbitrary: fc.dictionary(names, fc.oneof(server, container, environment), { maxKeys: 3 }) }), { maxKeys: 4 });

/** Mostly valid manifests (so the planner sees many): local servers, well-formed fields, values
 *  that are literal text (`$` doubled) or references that cannot form a cycle. */
const literal = shellText(10).map((t) => t.replace(/\$/g, '$$$$'));
/** Values for server `i` of `servers`: literals, or references to itself (host) and earlier servers (no cycles). */
const goodValue = (servers: readonly string[], i: number) => {
  const reference = fc.constantFrom('${host.name}', '${host.internal_ip}', ...servers.slice(0, i).flatMap((n) => [`\${${n}.ip}`, `\${${n}.internal_ip}`]));
  return fc.oneof({ weight: 3, arbitrary: literal }, { weight: 1, arbitrary: reference }, { weight: 1, arbitrary: fc.tuple(literal, reference, literal).map((p) => p.join('')) });
};
const goodContainer = (value: fc.Arbitrary<string>) => fc.record({
  image: fc.oneof(fc.constantFrom('httpd', 'redis:7', 'registry.local:5000/app@sha256:' + 'a'.repeat(64)), value),
  command: fc.oneof(value, fc.array(value, { maxLength: 3 })),
  environment: fc.dictionary(fc.constantFrom('A', 'B_1', 'PATH', 'DB_HOST', '_Y', 'x9'), fc.oneof(value, fc.integer(), fc.boolean()), { maxKeys: 3 }),
  ports: fc.array(fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constantFrom('8080:80', '53/udp', '3306:3307/tcp')), { maxLength: 2 }),
  volumes: fc.dictionary(fc.constantFrom('/srv/data', '/var/log/x'), fc.constantFrom('/data', '/logs'), { maxKeys: 2 }),
  count: fc.integer({ min: 1, max: 3 }), memory: fc.constantFrom('512m', '1g', '1024'), privileged: fc.boolean(), hostname: literal,
  restart: fc.constantFrom('no', 'always', 'unless-stopped', 'on-failure', 'on-failure:5'),
  logs: fc.record({ max_size: fc.constantFrom('1m', '10M', '2g'), max_files: fc.integer({ min: 1, max: 100 }) }, { requiredKeys: [] }),
}, { requiredKeys: ['image'] });
const goodFirewall = fc.dictionary(fc.constantFrom('80', '22/tcp', '53/udp', '*/tcp'), fc.oneof(fc.constantFrom('*', '10.0.0.0/8', '$internal_ips', '192.168.1.1'), fc.array(fc.constantFrom('10.1.2.3', '10.0.0.0/24'), { minLength: 1, maxLength: 2 })), { maxKeys: 3 });
const goodManifest = fc.uniqueArray(fc.constantFrom('web', 'db', 'cache'), { minLength: 1, maxLength: 3 }).chain((servers) =>
  fc.tuple(...servers.map((name, i) => fc.record({
    provider: fc.constant('local'), count: fc.integer({ min: 1, max: 3 }),
    containers: fc.dictionary(fc.constantFrom('app', 'worker', 'redis'), goodContainer(goodValue(servers, i)), { maxKeys: 3 }),
    firewall: goodFirewall,
    ...(i > 0 ? { depends_on: fc.constantFrom(...servers.slice(0, i)) } : {}),
  }, { requiredKeys: ['provider'] }).map((spec) => [name, spec] as const))).map((entries) => Object.fromEntries(entries)));

/** Random text from YAML's own syntax: indentation, tags, anchors, flow, documents, tabs, NUL. */
const yamlFragment = fc.constantFrom(
  'web:', '  provider: local', '  containers:', '    app:', '      image: httpd', '      environment:', '        A: !secret', '        B: !secret DB_PASS',
  '        C: !env HOME', '        D: !env NOPE', '  firewall:', '    80: "*"', '    22: [$internal_ips]', 'templates:', '  t: &a {image: x}', '  u: *a',
  '  <<: *a', '- item', '? [complex, key]', ': value', '---', '...', '%YAML 1.2', '\t', '"\\0"', "'unterminated", '{', '[', '}', ']', '&anchor', '*nope',
  '!!binary aGk=', '!!int x', '!!set {a}', '!!omap [a: 1]', '!custom v', '|', '>-', '# comment', 'a: b: c', 'key: "\\u0000"', 'dup: 1', 'dup: 2', '',
);
const yamlText = fc.oneof(
  fc.array(fc.tuple(fc.constantFrom('', '  ', '    ', '      ', '\t'), yamlFragment, fc.oneof(fc.constant(''), shellText(6))).map(([i, f, t]) => `${i}${f}${t}`), { maxLength: 14 }).map((ls) => ls.join('\n')),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

function check(source: string): Manifest | undefined {
  const lines = source.split(/\r\n|\r|\n/).length;
  let result;
  try {
    result = parseManifest('m.yml', source, ENV);
  } catch (error) {
    assert.fail(`parseManifest threw instead of reporting an issue: ${error instanceof Error ? error.stack : String(error)}\n--- source ---\n${source}`);
  }
  if (result.manifest) {
    assert.deepEqual(result.issues, []);
    return result.manifest;
  }
  assert.ok(result.issues.length > 0, 'no manifest and no issue');
  for (const issue of result.issues) {
    assert.equal(typeof issue.message, 'string');
    assert.ok(issue.message.length > 0);
    assert.equal(typeof issue.path, 'string');
    if (issue.line !== undefined) assert.ok(Number.isInteger(issue.line) && issue.line >= 1 && issue.line <= lines + 1, `line ${issue.line} outside 1..${lines + 1}`);
    assert.ok(!issue.message.includes(ENV.DB_PASS) && !(issue.hint ?? '').includes(ENV.DB_PASS), 'a secret value appears in an issue');
  }
  // what the CLI raises: a HitcError (exit 2) naming the file
  const error = new ManifestError('m.yml', result.issues);
  assert.ok(isHitcError(error) && error.cliExitCode === 2 && error.file === 'm.yml');
  return undefined;
}

/** A manifest that parsed plans against nothing, and against bare servers; neither may throw. */
function plan(manifest: Manifest): void {
  const empty: ObservedWorld = { servers: {} };
  const bare: ObservedWorld = {
    servers: Object.fromEntries(manifest.servers.map((s, i) => [s.name, { name: s.name, provider: s.provider, ip: `10.9.0.${i + 1}`, internalIp: `10.8.0.${i + 1}`, options: {}, dockerInstalled: true, containers: [] }])),
  };
  for (const world of [empty, bare]) {
    try {
      planLines(planOf(manifest, world, { name: 'fuzz' }), { verbose: true });
    } catch (error) {
      if (isHitcError(error)) continue;
      assert.fail(`planning a parsed manifest threw: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
}

test('manifest-shaped YAML: a manifest (that plans) or located issues, never a crash', () => {
  fc.assert(
    fc.property(manifestObject, (doc) => {
      const manifest = check(stringify(doc));
      if (manifest) plan(manifest);
    }),
    params(200),
  );
});

test('mostly valid manifests: parsed and planned, or located issues (bad references, cycles), never a crash', () => {
  let planned = 0;
  fc.assert(
    fc.property(goodManifest, (doc) => {
      const manifest = check(stringify(doc));
      if (manifest) {
        planned++;
        plan(manifest);
      }
    }),
    params(150),
  );
  assert.ok(planned > 0, 'the generator produced no valid manifest at all');
});

test('random YAML text: a manifest or located issues, never a crash', () => {
  fc.assert(
    fc.property(yamlText, (source) => {
      const manifest = check(source);
      if (manifest) plan(manifest);
    }),
    params(600),
  );
});
