// Planner fixtures: a manifest and a world built with WorldBuilder → the canonical text of the
// plan's ops (ids, edges, reasons) and notes, compared with ops-fixtures/NAME.txt.
// HITC_UPDATE_FIXTURES=1 rewrites the files (read the diff before committing it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonical, planOf } from './canonical.ts';
import { manifestOf, WorldBuilder } from './world-builder.ts';
import { SHOP } from './release-manifest.ts';
import { planText } from '../../../src/ensemble/plan/plan-text.ts';
import type { Plan } from '../../../src/ensemble/plan/ops.ts';

const WEB_REDIS = `web:
  provider: ec2
  size: t3.small
  containers:
    web:
      image: hello/web
      ports: [80]
      environment:
        REDIS_HOST: \${redis.ip}
        MODE: prod
  firewall:
    80: "*"
    22: "*"
redis:
  provider: ec2
  size: t3.small
  containers:
    redis:
      image: redis:7
      ports: [6379]
  firewall:
    6379: $internal_ips
    22: 198.51.100.0/24
`;
const webRedis = manifestOf(WEB_REDIS);

function fixture(name: string, plan: Plan): void {
  const file = join(import.meta.dirname, 'ops-fixtures', `${name}.txt`);
  const text = `${canonical(plan)}--- as shown\n${planText(plan, { verbose: true }).join('\n')}\n`;
  if (process.env.HITC_UPDATE_FIXTURES === '1') writeFileSync(file, text);
  assert.equal(text, readFileSync(file, 'utf8'));
}

test('fresh: every server, Docker set-up, pull, container and firewall is an op, in order', () => {
  fixture('fresh', planOf(webRedis, new WorldBuilder(webRedis).build()));
});

test('unchanged: nothing to do, every thing says why', () => {
  const plan = planOf(webRedis, new WorldBuilder(webRedis).deployed().build());
  assert.equal(plan.ops.length, 0);
  fixture('unchanged', plan);
});

test('an environment change replaces exactly that container', () => {
  const world = new WorldBuilder(webRedis).server('web').server('redis').container('web', 'web', { environment: { MODE: 'staging' } }).container('redis', 'redis').firewall('web').firewall('redis').build();
  fixture('env-change', planOf(webRedis, world));
});

test('containers made by a hitc without restart policies are replaced once, the reason says so; the next plan keeps them', () => {
  const world = new WorldBuilder(webRedis).server('web').server('redis').container('web', 'web', { olderHitc: true }).container('redis', 'redis', { olderHitc: true }).firewall('web').firewall('redis').build();
  const plan = planOf(webRedis, world);
  assert.deepEqual(plan.ops.map((o) => o.id), ['replace-container:redis/redis', 'replace-container:web/web']);
  fixture('older-hitc', plan);
  assert.equal(planOf(webRedis, new WorldBuilder(webRedis).deployed().build()).ops.length, 0);
});

test('a replaced server: its containers are created anew, and what reads its address waits for it', () => {
  const world = new WorldBuilder(webRedis).deployed().build();
  const bigger = manifestOf(WEB_REDIS.replace('  size: t3.small\n  containers:\n    redis', '  size: t3.medium\n  containers:\n    redis'));
  fixture('server-replaced', planOf(bigger, world));
});

test('EC2 image alias change: compared as the provider spells the image asked for at creation', () => {
  const m = manifestOf(WEB_REDIS.replace('  size: t3.small\n  containers:\n    redis', '  size: t3.small\n  image: Ubuntu 24.04\n  containers:\n    redis'));
  const world = new WorldBuilder(m).server('web').server('redis', { options: { size: 't3.small', image: 'ubuntu 22.04' } }).deployed().build();
  const plan = planOf(m, world, { desired: { redis: { options: { size: 't3.small', image: 'ubuntu 24.04' } } } });
  assert.deepEqual(plan.ops.map((o) => o.id).slice(0, 1), ['replace-server:redis']);
  fixture('ec2-image-alias', plan);
  // the same alias (whatever build it resolves to today) is no change
  const same = planOf(m, world, { desired: { redis: { options: { size: 't3.small', image: 'ubuntu 22.04' } } } });
  assert.equal(same.ops.length, 0);
});

test('DigitalOcean placement change: the observed region is compared as placement', () => {
  const m = manifestOf('db:\n  provider: digitalocean\n  placement: SFO3\n  size: s-1vcpu-1gb\n');
  const world = new WorldBuilder(m).server('db', { options: { size: 's-1vcpu-1gb', placement: 'nyc1', image: 'ubuntu-24-04-x64' } }).build();
  const plan = planOf(m, world, { desired: { db: { options: { size: 's-1vcpu-1gb', placement: 'sfo3', image: 'ubuntu-24-04-x64' } } } });
  fixture('do-placement', plan);
  // the same size in another case is no change (normalised by the provider before comparing)
  const same = planOf(manifestOf('db:\n  provider: digitalocean\n  size: S-1VCPU-1GB\n'), world, { desired: { db: { options: { size: 's-1vcpu-1gb', placement: 'nyc1', image: 'ubuntu-24-04-x64' } } } });
  assert.equal(same.ops.length, 0);
});

test('a server name another ensemble holds: a conflict, never replaced; what needs it is not planned', () => {
  const world = new WorldBuilder(webRedis).server('web').container('web', 'web', { environment: { REDIS_HOST: '54.0.0.9' } })
    .conflict('redis', 'the ec2 server redis (i-0abc) belongs to the ensemble staging-web: it is never adopted, replaced or removed from here').build();
  fixture('conflict-server', planOf(webRedis, world));
});

test('a container another ensemble labelled: a conflict, not replaced', () => {
  const world = new WorldBuilder(webRedis).server('web').server('redis').container('redis', 'redis', { ensemble: 'staging' }).deployed().build();
  const plan = planOf(webRedis, world);
  assert.equal(plan.ops.some((o) => o.id.endsWith('redis/redis')), false);
  fixture('conflict-container', plan);
});

test('Docker down on a server: reported, the others planned, what needs it not planned', () => {
  const m = manifestOf(`10.0.0.4:
  containers:
    db: {image: db}
  firewall:
    22: "*"
10.0.0.5:
  containers:
    app:
      image: app
      command: app --db "\${10.0.0.4.containers.db.ip}"
    other:
      image: app
      command: [app, -x]
`);
  const world = new WorldBuilder(m).server('10.0.0.5').unavailable('10.0.0.4', 'Docker is not running on 10.0.0.4; start it (e.g. systemctl start docker) and run again').build();
  fixture('docker-down', planOf(m, world));
});

test('Docker missing on a reached server: set up first, its firewall re-hooked after it', () => {
  const world = new WorldBuilder(webRedis).server('web', { docker: false }).server('redis').firewall('web').deployed().build();
  const noWebContainers = { ...world, servers: { ...world.servers, web: { ...world.servers.web!, containers: [], imageIds: {} } } };
  fixture('docker-missing', planOf(webRedis, noWebContainers));
});

test('an interrupted replacement: the old container gets its name back first', () => {
  const world = new WorldBuilder(webRedis).server('web').server('redis').container('web', 'web', { rename: 'web-hitc-replaced' }).deployed().build();
  const fixed = { ...world, servers: { ...world.servers, web: { ...world.servers.web!, containers: world.servers.web!.containers.filter((c) => c.name !== 'web') } } };
  fixture('interrupted-replace', planOf(webRedis, fixed));
});

test('prune: orphans become remove ops after the rest; stray servers are terminated only under an explicit name', () => {
  const world = new WorldBuilder(webRedis).deployed().stray('ec2', 'old').build();
  const m = manifestOf(WEB_REDIS.replace('  firewall:\n    80: "*"\n    22: "*"\n', ''));
  const plan = planOf(m, world, { prune: true, name: 'web-redis' });
  fixture('prune', plan);
  const implicit = planOf(m, world, { prune: true });
  assert.equal(implicit.ops.some((o) => o.kind === 'terminate-server'), false);
  assert.match(implicit.orphans.map((o) => o.reason).join('\n'), /add name: web-redis to the manifest/);
});

test('a rolling update: copies on two servers in batches of 2, each after the batch before, the policy shown', () => {
  const rolled = (mode: string) => manifestOf(`web:
  provider: ec2
  count: 2
  containers:
    app:
      image: hello/web
      count: 2
      environment: {MODE: ${mode}}
      update: {batch: 2, wait: 5, max_fail: 1}
    sidecar:
      image: hello/side
      environment: {MODE: ${mode}}
`);
  fixture('rolling', planOf(rolled('new'), new WorldBuilder(rolled('old')).deployed().build()));
});

test('the planner is deterministic and pure: same input, same plan', () => {
  const world = new WorldBuilder(webRedis).deployed().build();
  const before = structuredClone(world);
  assert.deepEqual(planOf(webRedis, world, { desired: { redis: { options: { size: 't3.medium' } } } }), planOf(webRedis, world, { desired: { redis: { options: { size: 't3.medium' } } } }));
  assert.deepEqual(world, before);
});

test('every op waits only for ops listed before it (apply order is the listed order)', () => {
  for (const plan of [planOf(webRedis, new WorldBuilder(webRedis).build()), planOf(webRedis, new WorldBuilder(webRedis).deployed().build(), { desired: { redis: { options: { size: 't3.medium' } } } })]) {
    const seen = new Set<string>();
    for (const op of plan.ops) {
      for (const a of [...op.after, ...(op.orderedAfter ?? [])]) assert.ok(seen.has(a), `${op.id} waits for ${a}, listed later`);
      seen.add(op.id);
    }
  }
});

test('a release: one op before every changed copy of its container, on the first server with one', () => {
  const m = manifestOf(SHOP, { SHOP_TOKEN: 'not-shown' });
  const world = new WorldBuilder(m, 'shop').server('web').server('web-1')
    .container('web', 'app').container('web', 'app-1', { environment: { MODE: 'staging' } }).container('web', 'cache')
    .container('web-1', 'app', { environment: { MODE: 'staging' } }).container('web-1', 'app-1', { environment: { MODE: 'staging' } }).container('web-1', 'cache').build();
  const plan = planOf(m, world, { name: 'shop' });
  assert.equal(plan.ops.filter((o) => o.kind === 'run-release').length, 1);
  fixture('release', plan);
});
