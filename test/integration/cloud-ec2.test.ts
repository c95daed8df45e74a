// The "done" flow through the real CLI and the real AWS SDK, against a local server
// that speaks EC2's Query protocol and whose instances are test-bed hosts:
// create 2 → nodes → -R web (no API call, warm cache) → rename → terminate → nodes agrees.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, sandbox, cacheFile } from './bed.ts';
import { startFakeEc2 } from '../providers/ec2/fake-ec2-server.ts';

const b = bed();
const fake = await startFakeEc2({ ips: b.hosts.slice(37, 40), startDelayMs: 300 });
after(() => fake.close());
const box = sandbox();
copyFileSync(b.key, join(box.dir, 'aws_key'));
const env = {
  AWS_ENDPOINT_URL_EC2: fake.url,
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'secret-test-key',
  AWS_REGION: 'us-east-1',
  AWS_KEYPAIR_NAME: 'hitc',
  AWS_SSH_KEY_FILENAME: join(box.dir, 'aws_key'),
  HITC_EC2_SSH_USER: 'root', // bed hosts log in as root; real Ubuntu AMIs use ubuntu
  HITC_CACHE_FILE: cacheFile(),
};
const run = (args: string[]) => hitc(box, args, { env, timeoutMs: 120_000 });

test('create 2 on EC2 → nodes → -R with a warm cache makes no API call → rename → terminate', async () => {
  const created = await run(['create:provider=ec2,name=web,count=2,size=t3.micro']);
  assert.equal(created.code, 0, created.stdout + created.stderr);
  assert.match(created.stdout, /ready: web \([\d.]+\), web-1 \([\d.]+\)/);

  const nodes = await run(['nodes']);
  assert.equal(nodes.code, 0, nodes.stdout + nodes.stderr);
  assert.match(nodes.stdout, /ec2\n  name +size +ip +internalIp +state +created\n  web +t3\.micro +[\d.]+ +[\d.]+ +running/);
  assert.match(nodes.stdout, /  web-1 +t3\.micro/);

  const before = fake.totalCalls();
  const onRole = await run(['-R', 'web', '-P', '--', 'hostname']);
  assert.equal(onRole.code, 0, onRole.stdout + onRole.stderr);
  assert.equal((onRole.stdout.match(/out: hitc-bed-light-0(38|39|40)/g) ?? []).length, 2);
  assert.equal(fake.totalCalls(), before, 'a warm cache resolves -R without any API call');
  const byName = await run(['-H', 'web-1', '--', 'hostname']);
  assert.equal(byName.code, 0, byName.stdout + byName.stderr);

  assert.equal((await run(['-R', 'web', 'rename:api'])).code, 0);
  const gone = await run(['-R', 'api', 'terminate', '--yes']);
  assert.equal(gone.code, 0, gone.stdout + gone.stderr);
  const after2 = await run(['nodes']);
  assert.doesNotMatch(after2.stdout, /  (web|api)/);
});

test('bad input: unknown size and image alias, missing credentials, unknown role — one clear error each', async () => {
  const size = await run(['create:provider=ec2,name=x,size=huge']);
  assert.equal(size.code, 2);
  assert.match(size.stdout + size.stderr, /size/);
  const image = await run(['create:provider=ec2,name=x,image=ubuntu 99.99']);
  assert.equal(image.code, 2);
  assert.match(image.stdout + image.stderr, /ubuntu 99\.99/);
  const noCreds = await hitc(box, ['create:provider=ec2,name=x'], { env: { ...env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_ENDPOINT_URL_EC2: '' } });
  assert.equal(noCreds.code, 2);
  assert.match(noCreds.stdout + noCreds.stderr, /AWS_ACCESS_KEY_ID/);
  const role = await run(['-R', 'nosuchrole', '--', 'true']);
  assert.equal(role.code, 2);
  assert.match(role.stderr, /role "nosuchrole" matches no role/);
});
