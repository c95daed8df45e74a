// An ensemble whose server lives on EC2 (the real AWS SDK against a local server that speaks EC2's
// protocol; its instances are test-bed Docker hosts): created with its container and firewall,
// then replaced when its size changes — terminated, created again at a new address, given its
// container and firewall again — while a container elsewhere that uses ${app.ip} is replaced with
// the new address. Each up converges: observing again finds nothing to do.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, CLEAN_ENSEMBLE, hitc, sandbox, cacheFile } from './bed.ts';
import { startFakeEc2 } from '../providers/ec2/fake-ec2-server.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
const [p0, p1, elsewhere] = b.dockerHosts as [string, string, string];
const fake = await startFakeEc2({ ips: [p0, p1], startDelayMs: 200 });
const box = sandbox();
copyFileSync(b.key, join(box.dir, 'aws_key'));
const env = {
  AWS_ENDPOINT_URL_EC2: fake.url, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret-test-key', AWS_REGION: 'us-east-1',
  AWS_KEYPAIR_NAME: 'hitc', AWS_SSH_KEY_FILENAME: join(box.dir, 'aws_key'), HITC_EC2_SSH_USER: 'root',
  HITC_CACHE_FILE: cacheFile(),
};
const run = (args: string[]) => hitc(box, args, { env, timeoutMs: 180_000 });
const clean = () => run(['-P', '-H', [p0, p1, elsewhere].join(','), '--', CLEAN_ENSEMBLE]);
after(async () => {
  await clean();
  await fake.close();
});

const manifest = (size: string) => `app:
  provider: ec2
  size: ${size}
  containers:
    web:
      image: ${b.appImages?.httpd}
      ports: [80]
  firewall:
    80: "*"
    ssh_from_applier_only: true
${elsewhere}:
  containers:
    probe:
      image: ${b.appImages?.httpd}
      environment:
        APP: http://\${app.ip}/
`;

async function probeApp(): Promise<string> {
  const r = await run(['-H', elsewhere, '--', 'docker inspect -f "{{range .Config.Env}}{{println .}}{{end}}" probe | grep ^APP=']);
  return /out: APP=(\S+)/.exec(r.stdout)?.[1] ?? "";
}

test('an EC2 server is created, then replaced at a new address that its dependents follow', { timeout: 600_000 }, async () => {
  await clean();
  writeFileSync(join(box.dir, 'cloud.yml'), manifest('t3.micro'));
  const up = await run(['ensemble.up:cloud', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, /The following servers will be created:\n {2}app: no ec2 server named app/);
  assert.match(up.stdout, /converged: observing again finds no changes/);
  const first = await probeApp();
  assert.equal(first, `http://${p0}/`);
  assert.equal((await (await fetch(`http://${p0}/`, { signal: AbortSignal.timeout(3000) })).text()).trim(), '<h1>hitc test app</h1>');

  writeFileSync(join(box.dir, 'cloud.yml'), manifest('t3.small'));
  const plan = await run(['ensemble.plan:cloud']);
  assert.match(plan.stdout, /The following servers will restart:\n {2}app: size t3\.micro → t3\.small/);
  assert.match(plan.stdout, /\n {2}web \(app\): server app is being replaced\n/);
  assert.match(plan.stdout, /\n {2}probe \([\d.]+\): waits for app, which is being \(re\)created; swapped with [^\n]*\n/);
  assert.match(plan.stdout, /new firewalls:\n {2}app \(1 rules total\): server app is being replaced/);
  const replaced = await run(['ensemble.up:cloud', '--yes']);
  assert.equal(replaced.code, 0, replaced.stdout + replaced.stderr);
  assert.match(replaced.stdout, /converged: observing again finds no changes/);
  assert.equal(await probeApp(), `http://${p1}/`, 'the dependent container got the new address');
  assert.equal((await (await fetch(`http://${p1}/`, { signal: AbortSignal.timeout(3000) })).text()).trim(), '<h1>hitc test app</h1>');
  const fw = await run(['-H', p1, '--', 'iptables -S HITC-FW | grep -c -- "--dport 80"']);
  assert.match(fw.stdout, /out: 1/, 'the new server has its firewall again');
  const nodes = await run(['nodes']);
  assert.match(nodes.stdout, /app +t3\.small +10\.214\.253\.3/);
  assert.match((await run(['ensemble.up:cloud', '--yes'])).stdout, /No changes\./);

  // stopped in the console: never replaced behind the user's back (it may hold data)
  const inst = fake.instances.find((i) => i.state === 'running' && i.tags.Name?.endsWith('app'))!;
  inst.state = 'stopped';
  const ip = inst.ip;
  inst.ip = null;
  const stopped = await run(['ensemble.up:cloud', '--yes']);
  assert.notEqual(stopped.code, 0);
  assert.match(stopped.stdout, /unavailable[^\n]*\n {2}app: the ec2 server app exists but is stopped; start or terminate it, then run again/);
  assert.equal(fake.instances.filter((i) => i.state !== 'terminated').length, 1, 'nothing was created or terminated');
  inst.state = 'running';
  inst.ip = ip;

  // options are compared as EC2 spells them: a size in capitals and the alias the server was
  // created from are no change (whatever build it resolves to now); another alias is a replace;
  // a region given as placement is an error at plan time, with nothing terminated
  const terminations = fake.calls.TerminateInstances ?? 0;
  const withOptions = (extra: string) => manifest('T3.SMALL').replace('  size: T3.SMALL\n', `  size: T3.SMALL\n${extra}`);
  writeFileSync(join(box.dir, 'cloud.yml'), withOptions('  image: ubuntu 24.04\n'));
  assert.match((await run(['ensemble.plan:cloud'])).stdout, /No changes\./);
  writeFileSync(join(box.dir, 'cloud.yml'), withOptions('  image: ubuntu 22.04\n'));
  const alias = await run(['ensemble.plan:cloud']);
  assert.match(alias.stdout, /The following servers will restart:\n {2}app: image ubuntu 24\.04 → ubuntu 22\.04\n/);
  writeFileSync(join(box.dir, 'cloud.yml'), withOptions('  placement: us-east-1\n'));
  const region = await run(['ensemble.up:cloud', '--yes']);
  assert.equal(region.code, 2, region.stdout + region.stderr);
  assert.match(region.stdout + region.stderr, /cloud\.yml:1/);
  assert.match(region.stdout + region.stderr, /us-east-1 is a region/);
  assert.doesNotMatch(region.stdout, /terminat/);
  assert.equal(fake.calls.TerminateInstances ?? 0, terminations, 'nothing was terminated');
  assert.equal(fake.instances.filter((i) => i.state === 'running').length, 1);
});

test("the docs' web/redis example from a vanilla setup: servers in parallel, then both containers with ${redis.ip}", { timeout: 600_000 }, async () => {
  // whatever the first test left (its replaced server) goes first
  const left = fake.instances.filter((i) => i.state === 'running').map((i) => i.tags.Name?.replace(/^HITC-/, ''));
  if (left.length > 0) {
    const t = await run(['-H', left.join(','), 'terminate', '--yes']);
    assert.equal(t.code, 0, t.stdout + t.stderr);
  }
  await clean();
  writeFileSync(join(box.dir, 'web-redis.yml'), `web:
  provider: ec2
  containers:
    web:
      image: ${b.appImages?.httpd}
      ports:
        - 80
      environment:
        REDIS_HOST: \${redis.ip}

redis:
  provider: ec2
  containers:
    redis:
      image: ${b.appImages?.httpd}
      ports:
        - 6379
`);
  const up = await run(['ensemble.up:web-redis', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  const lines = up.stdout.split('\n');
  const at = (re: RegExp): number => {
    const i = lines.findIndex((l) => re.test(l));
    assert.ok(i >= 0, `no line matches ${re}:\n${up.stdout}`);
    return i;
  };
  const firstServerDone = Math.min(at(/^✓ create server web/), at(/^✓ create server redis/));
  assert.ok(at(/^→ create server web/) < firstServerDone && at(/^→ create server redis/) < firstServerDone, 'both servers start before either is up');
  assert.ok(at(/^→ create container web/) > at(/^✓ create server redis/), 'the web container waits for the redis server\'s address');
  assert.match(up.stdout, /converged: observing again finds no changes/);
  const redisIp = /✓ create server redis: (\S+)/.exec(up.stdout)?.[1];
  const webIp = /✓ create server web: (\S+)/.exec(up.stdout)?.[1];
  assert.ok(redisIp && webIp && redisIp !== webIp);
  const env2 = await run(['-H', webIp, '--', 'docker inspect -f "{{range .Config.Env}}{{println .}}{{end}}" web | grep ^REDIS_HOST=']);
  assert.match(env2.stdout, new RegExp(`out: REDIS_HOST=${redisIp.replace(/\./g, '\\.')}\\n`));
  assert.match((await run(['ensemble.up:web-redis', '--yes'])).stdout, /No changes\./);
  assert.equal((await run(['-R', 'web', 'terminate', '--yes'])).code, 0);
  assert.equal((await run(['-R', 'redis', 'terminate', '--yes'])).code, 0);
});

test('a server this ensemble created and no longer declares is an orphan: kept, then terminated with prune=true', { timeout: 600_000 }, async () => {
  writeFileSync(join(box.dir, 'pair.yml'), `front:\n  provider: ec2\nback:\n  provider: ec2\n`);
  const up = await run(['ensemble.up:pair', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  const tagged = fake.instances.filter((i) => i.state === 'running' && i.tags['hitc:ensemble'] === 'pair');
  assert.equal(tagged.length, 2, 'each server carries its ensemble in a tag');

  writeFileSync(join(box.dir, 'pair.yml'), `front:\n  provider: ec2\n`);
  const kept = await run(['ensemble.up:pair', '--yes']);
  assert.equal(kept.code, 0, kept.stdout + kept.stderr);
  assert.match(kept.stdout, /Not in the manifest \(kept; remove them with prune\):\n {2}back: ec2 server created by this ensemble \(running\); the manifest no longer has it\nNo changes\. \(1 orphaned, kept\)/);
  // another ensemble's servers are not its orphans
  const other = await run(['ensemble.plan:web-redis']);
  assert.doesNotMatch(other.stdout, /back/);

  // a server of this ensemble that another manifest names is that manifest's conflict, never adopted
  writeFileSync(join(box.dir, 'other.yml'), `name: staging\nfront:\n  provider: ec2\n`);
  const theirs = await run(['ensemble.up:other', '--yes']);
  assert.equal(theirs.code, 1, theirs.stdout + theirs.stderr);
  assert.match(theirs.stdout, /These belong to another ensemble \(never adopted, replaced or removed\):\n {2}front: the ec2 server front \(i-[0-9a-f]+\) belongs to the ensemble pair/);
  assert.equal(fake.instances.filter((i) => i.state === 'running' && i.tags['hitc:ensemble'] === 'pair').length, 2, 'nothing replaced or created');

  // a name taken from the file (two web.yml elsewhere would share it) never terminates servers
  const implicit = await run(['ensemble.up:pair,prune=true', '--yes']);
  assert.equal(implicit.code, 0, implicit.stdout + implicit.stderr);
  assert.match(implicit.stdout, /back: .*prune terminates servers only for an ensemble whose manifest names it \(add name: pair to the manifest\)/);
  assert.equal(fake.instances.filter((i) => i.state === 'running' && i.tags['hitc:ensemble'] === 'pair').length, 2);
  writeFileSync(join(box.dir, 'pair.yml'), `name: pair\nfront:\n  provider: ec2\n`);
  const pruned = await run(['ensemble.up:pair,prune=true', '--yes']);
  assert.equal(pruned.code, 0, pruned.stdout + pruned.stderr);
  assert.match(pruned.stdout, /✓ terminate server back \(ec2\): terminated/);
  assert.equal(fake.instances.find((i) => i.tags.Name === 'HITC-back')?.state === 'running', false);
  assert.match((await run(['ensemble.plan:pair,exit_code=true'])).stdout, /No changes\./);
  assert.equal((await run(['-R', 'front', 'terminate', '--yes'])).code, 0);
});
