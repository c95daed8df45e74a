// The ec2 provider with the real @aws-sdk/client-ec2 against a local server that speaks EC2's
// wire protocol (fake-ec2-server.ts), whose instances are real test-bed hosts: create → wait →
// SSH → run is exercised for real. The SDK finds the server through AWS_ENDPOINT_URL_EC2, its
// standard endpoint override.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../../src/core/errors.ts';
import { ProviderError, type ProviderEnv } from '../../../src/providers/types.ts';
import { createEc2Provider, Ec2ApiError, missingEc2Config, type Ec2ProviderOptions } from '../../../src/providers/ec2/index.ts';
import { useFakeEc2Env } from '../provider-test-helpers.ts';
import { cancel_spot_request, spot_requests } from '../../../src/builtins/ec2-tasks.ts';
import type { TaskContext } from '../../../src/taskfile/context-types.ts';
import { startFakeEc2, type FakeEc2 } from './fake-ec2-server.ts';
import { tempDir } from '../../helpers/temp.ts';

const REPO = resolve(import.meta.dirname, '../../..');
const HITC = join(REPO, 'bin/hitc.mjs');
const BED_STATE = process.env.HITC_BED_STATE ?? join(REPO, 'test/bed/state/bed.json');

interface Bed {
  key: string;
  knownHosts: string;
  hosts: string[];
}

/** The test bed, or a loud failure (never a skip). */
function bed(): Bed {
  let b: Bed;
  try {
    b = JSON.parse(readFileSync(BED_STATE, 'utf8')) as Bed;
  } catch (error) {
    throw new Error(`test bed state ${BED_STATE} is missing: run \`bash test/bed/bed.sh up 50\` (npm test does) — ${(error as Error).message}`);
  }
  if (b.hosts.length < 45) throw new Error(`the test bed has ${b.hosts.length} light hosts; these tests use hosts[40..44]: run \`bash test/bed/bed.sh up 50\``);
  return b;
}

/** Addresses for the fake's instances: bed hosts 40..44 (tests that don't SSH only need them
 *  to be addresses; the SSH test itself calls bed() and fails loudly without the bed). */
function instanceIps(): string[] {
  try {
    return bed().hosts.slice(40, 45);
  } catch {
    return ['192.0.2.41', '192.0.2.42', '192.0.2.43', '192.0.2.44', '192.0.2.45'];
  }
}

interface Setup {
  fake: FakeEc2;
  provider: ReturnType<typeof createEc2Provider>;
  env: ProviderEnv;
  progress: string[];
}

let keyFile: string | undefined;
function sshKeyFile(): string {
  if (keyFile) return keyFile;
  try {
    keyFile = bed().key;
  } catch {
    keyFile = join(tempDir('hitc-ec2-key-'), 'id_ed25519');
    writeFileSync(keyFile, 'not a key: only its existence is checked here\n');
  }
  return keyFile;
}

async function setup(t: TestContext, options: { startDelayMs?: number; provider?: Ec2ProviderOptions; prefix?: string } = {}): Promise<Setup> {
  const fake = await startFakeEc2({ ips: instanceIps(), startDelayMs: options.startDelayMs ?? 250 });
  t.after(() => fake.close());
  useFakeEc2Env(fake.url, sshKeyFile());
  for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_SESSION_TOKEN', 'HITC_EC2_SSH_USER']) delete process.env[name];
  const progress: string[] = [];
  const env: ProviderEnv = { namePrefix: options.prefix ?? 'HITC-', progress: (m) => progress.push(m), signal: new AbortController().signal };
  const provider = createEc2Provider({ pollIntervalMs: 100, ...options.provider });
  return { fake, provider, env, progress };
}

function param(fake: FakeEc2, action: string, key: string, nth = -1): string | null {
  const calls = fake.requests.filter((r) => r.action === action);
  return calls.at(nth)?.params.get(key) ?? null;
}

async function rejectsWith<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T, check: (e: T) => void): Promise<T> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
    check(error);
    return error;
  }
  assert.fail(`expected ${type.name}, but it resolved`);
}

test('the contract: name, defaults, columns, ssh login', async (t) => {
  const { provider } = await setup(t);
  assert.equal(provider.name, 'ec2');
  assert.deepEqual({ ...provider.createDefaults }, { size: 't3.micro', placement: '', bid: '', image: 'ubuntu 24.04', security_group: 'default' });
  assert.deepEqual([...provider.nodeColumns], ['name', 'size', 'ip', 'internalIp', 'state', 'created']);
  assert.deepEqual(provider.ssh(), { user: 'ubuntu', keyFile: sshKeyFile() });
  process.env.HITC_EC2_SSH_USER = 'root';
  assert.equal(provider.ssh().user, 'root');
  assert.equal(provider.missingConfig(), undefined);
  assert.equal(await provider.region(), 'us-east-1');
});

test('region: option, AWS_REGION, AWS_DEFAULT_REGION, the profile, else us-east-1', async (t) => {
  await setup(t);
  const saved = { AWS_REGION: process.env.AWS_REGION, AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE };
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    delete process.env.AWS_DEFAULT_REGION;
  });
  assert.equal(await createEc2Provider({ region: 'eu-west-3' }).region(), 'eu-west-3');
  delete process.env.AWS_REGION;
  process.env.AWS_DEFAULT_REGION = 'ap-south-1';
  assert.equal(await createEc2Provider().region(), 'ap-south-1');
  delete process.env.AWS_DEFAULT_REGION;
  const dir = tempDir('hitc-ec2-region-');
  process.env.AWS_CONFIG_FILE = join(dir, 'config');
  writeFileSync(process.env.AWS_CONFIG_FILE, '[default]\nregion = eu-central-1\n');
  assert.equal(await createEc2Provider().region(), 'eu-central-1');
  process.env.AWS_CONFIG_FILE = join(dir, 'absent');
  assert.equal(await createEc2Provider().region(), 'us-east-1');
});

test('validate: defaults merged, the alias checked against the newest Canonical image (once) and kept as the alias', async (t) => {
  const { fake, provider, env } = await setup(t);
  const v = await provider.validateCreateOptions({}, env);
  assert.deepEqual(v, { size: 't3.micro', placement: '', bid: '', image: 'ubuntu 24.04', security_group: 'default' });
  assert.equal(fake.calls.DescribeImages, 1);
  assert.equal(param(fake, 'DescribeImages', 'Owner.1'), '099720011419');
  assert.equal(param(fake, 'DescribeImages', 'Filter.1.Value.1'), 'ubuntu/images/hvm-ssd*/ubuntu-*-24.04-amd64-server-*');

  // same alias, any spelling: remembered, no second call
  assert.equal((await provider.validateCreateOptions({ image: '  Ubuntu 24.04 ' }, env)).image, 'ubuntu 24.04');
  assert.equal(fake.calls.DescribeImages, 1);
  assert.equal((await provider.validateCreateOptions({ image: 'ubuntu 22.04' }, env)).image, 'ubuntu 22.04');
  assert.equal((await provider.validateCreateOptions({ image: 'ubuntu 24.04 arm64', size: 't4g.micro' }, env)).image, 'ubuntu 24.04 arm64');
  assert.equal(fake.calls.DescribeImages, 3);

  // an AMI id, a zone, a bid: the format checked locally, then the account asked (reads only)
  const v2 = await provider.validateCreateOptions({ image: 'ami-02404a0000000001', placement: 'us-east-1b', bid: '0.05', size: 'm7i-flex.large', security_group: 'web' }, env);
  assert.deepEqual(v2, { size: 'm7i-flex.large', placement: 'us-east-1b', bid: '0.05', image: 'ami-02404a0000000001', security_group: 'web' });
  assert.equal(param(fake, 'DescribeImages', 'ImageId.1'), 'ami-02404a0000000001');
  assert.equal(param(fake, 'DescribeSecurityGroups', 'GroupName.1'), 'web');
});

test('validate: bad input is one UsageError, before any API call', async (t) => {
  const { fake, provider, env } = await setup(t);
  await rejectsWith(provider.validateCreateOptions({ image: 'ubuntu 18.04' }, env), UsageError, (e) => {
    assert.equal(e.message, 'unknown image "ubuntu 18.04"');
    assert.match(e.hint ?? '', /"ubuntu 22\.04", "ubuntu 24\.04"/);
    assert.equal(e.argument, 'image');
  });
  await rejectsWith(provider.validateCreateOptions({ image: 'debian 12' }, env), UsageError, (e) => assert.match(e.hint ?? '', /AMI id \(ami-…\) or one of/));
  await rejectsWith(provider.validateCreateOptions({ image: 'ami-xyz' }, env), UsageError, (e) => assert.match(e.message, /not a valid AMI id/));
  for (const size of ['large', 't3.', 't3 micro', '']) {
    await rejectsWith(provider.validateCreateOptions({ size }, env), UsageError, (e) => {
      assert.equal(e.message, `invalid ec2 size "${size}"`);
      assert.match(e.hint ?? '', /instance type such as t3\.micro/);
    });
  }
  await rejectsWith(provider.validateCreateOptions({ sise: 't3.small' }, env), UsageError, (e) => {
    assert.equal(e.message, 'unknown ec2 option: sise');
    assert.equal(e.hint, 'did you mean size? ec2 options: size, placement, bid, image, security_group');
  });
  await rejectsWith(provider.validateCreateOptions({ flavor: 'x', zone: 'y' }, env), UsageError, (e) => assert.equal(e.message, 'unknown ec2 options: flavor, zone'));
  for (const bid of ['0', '-1', 'cheap', '1e-3']) {
    await rejectsWith(provider.validateCreateOptions({ bid }, env), UsageError, (e) => assert.equal(e.message, `invalid spot bid "${bid}"`));
  }
  await rejectsWith(provider.validateCreateOptions({ placement: 'eu-west-1a' }, env), UsageError, (e) => assert.equal(e.message, 'placement eu-west-1a is not in region us-east-1'));
  assert.equal(fake.totalCalls(), 0, 'no API call for any of these');

  // a known alias without images in this region: one DescribeImages, then a UsageError
  fake.images.splice(0, fake.images.length, ...fake.images.filter((i) => !i.name.includes('22.04')));
  await rejectsWith(provider.validateCreateOptions({ image: 'ubuntu 22.04' }, env), UsageError, (e) => {
    assert.equal(e.message, 'no Canonical image found for "ubuntu 22.04" in us-east-1');
    assert.match(e.hint ?? '', /image=ami-/);
  });
  assert.deepEqual(fake.calls, { DescribeImages: 1 });
});

test('create 2 (web, web-1): tagged with the prefix at launch, waits until running with an address; nodes strips the prefix and skips others', async (t) => {
  const { fake, provider, env, progress } = await setup(t);
  // someone else's instance in the same account (another prefix)
  const [other] = await provider.createServers({ names: ['other'], options: await provider.validateCreateOptions({}, env) }, { ...env, namePrefix: 'OTHER-' });
  assert.equal(other?.name, 'other');
  progress.length = 0;

  const options = await provider.validateCreateOptions({ placement: 'us-east-1c' }, env);
  const started = Date.now();
  const nodes = await provider.createServers({ names: ['web', 'web-1'], options }, env);
  assert.ok(Date.now() - started >= 200, 'waited for pending → running');
  assert.deepEqual(
    nodes.map((n) => [n.provider, n.name, n.size, n.state, n.running, n.extra.placement, n.extra.image, n.extra.security_group]),
    [
      ['ec2', 'web', 't3.micro', 'running', true, 'us-east-1c', 'ami-02404a0000000002', 'default'],
      ['ec2', 'web-1', 't3.micro', 'running', true, 'us-east-1c', 'ami-02404a0000000002', 'default'],
    ],
  );
  for (const n of nodes) {
    assert.ok(instanceIps().includes(n.ip ?? ''), `ip ${n.ip} is one of the bed hosts`);
    assert.match(n.internalIp ?? '', /^172\.31\./);
    assert.match(n.id, /^i-[0-9a-f]{17}$/);
    assert.ok(n.created && !Number.isNaN(Date.parse(n.created)));
    assert.equal(n.extra.spot_request, undefined);
  }
  assert.equal(progress[0], 'creating 2 EC2 t3.micro instances');
  assert.ok(progress.includes('waiting for 2 instances to start [pending: 2]'), progress.join('\n'));

  // what the SDK sent: one RunInstances per name, the key pair, group, zone and Name tag
  const runs = fake.requests.filter((r) => r.action === 'RunInstances').slice(-2);
  assert.deepEqual(
    runs.map((r) => [r.params.get('MinCount'), r.params.get('MaxCount'), r.params.get('KeyName'), r.params.get('SecurityGroup.1'), r.params.get('Placement.AvailabilityZone'), r.params.get('TagSpecification.1.Tag.1.Value')]),
    [
      ['1', '1', 'hitc', 'default', 'us-east-1c', 'HITC-web'],
      ['1', '1', 'hitc', 'default', 'us-east-1c', 'HITC-web-1'],
    ],
  );
  assert.equal(fake.calls.CreateTags, undefined, 'tags come with RunInstances');

  const listed = await provider.listNodes(env);
  assert.deepEqual(listed.map((n) => n.name), ['web', 'web-1']);
  assert.deepEqual(listed.map((n) => n.ip), nodes.map((n) => n.ip));
  // prefix '' lists everything, names unstripped
  assert.deepEqual((await provider.listNodes({ ...env, namePrefix: '' })).map((n) => n.name), ['HITC-web', 'HITC-web-1', 'OTHER-other']);

  // DescribeInstances pages are all read
  fake.knobs.pageSize = 1;
  const callsBefore = fake.calls.DescribeInstances ?? 0;
  assert.deepEqual((await provider.listNodes(env)).map((n) => n.name), ['web', 'web-1']);
  assert.equal((fake.calls.DescribeInstances ?? 0) - callsBefore, 3);
  assert.equal(param(fake, 'DescribeInstances', 'MaxResults'), '1000');
});

test('the same name twice: one RunInstances with count 2', async (t) => {
  const { fake, provider, env } = await setup(t, { startDelayMs: 50 });
  const nodes = await provider.createServers({ names: ['w', 'w'], options: await provider.validateCreateOptions({ image: 'ami-02404a0000000002' }, env) }, env);
  assert.deepEqual(nodes.map((n) => n.name), ['w', 'w']);
  assert.equal(new Set(nodes.map((n) => n.id)).size, 2);
  assert.equal(fake.calls.RunInstances, 1);
  assert.equal(param(fake, 'RunInstances', 'MinCount'), '2');
  assert.equal(param(fake, 'RunInstances', 'Placement.AvailabilityZone'), null, 'empty placement: EC2 chooses');
});

test('rename, reboot, terminate', async (t) => {
  const { fake, provider, env, progress } = await setup(t, { startDelayMs: 50 });
  const [web, web1] = await provider.createServers({ names: ['web', 'web-1'], options: await provider.validateCreateOptions({}, env) }, env);
  assert.ok(web && web1);

  await provider.rename!(web1, 'db', env);
  assert.equal(param(fake, 'CreateTags', 'ResourceId.1'), web1.id);
  assert.equal(param(fake, 'CreateTags', 'Tag.1.Value'), 'HITC-db');
  assert.deepEqual((await provider.listNodes(env)).map((n) => n.name), ['db', 'web']);
  await rejectsWith(provider.rename!(web1, ' ', env), UsageError, (e) => assert.equal(e.message, 'the new name is empty'));

  await provider.reboot!(web, env);
  assert.equal(fake.instances.find((i) => i.id === web.id)?.reboots, 1);
  assert.ok(progress.includes(`rebooting EC2 instance ${web.id} (web)`));

  await provider.terminate(web, env);
  assert.equal(param(fake, 'TerminateInstances', 'InstanceId.1'), web.id);
  assert.deepEqual((await provider.listNodes(env)).map((n) => n.name), ['db'], 'shutting-down is gone for hitc');
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual((await provider.listNodes(env)).map((n) => n.name), ['db'], 'terminated too');
  assert.equal(fake.instances.find((i) => i.id === web.id)?.state, 'terminated');
});

test('spot with bid=: requests, waits for fulfilment, tags each instance', async (t) => {
  const { fake, provider, env, progress } = await setup(t);
  const options = await provider.validateCreateOptions({ bid: '0.05', placement: 'us-east-1a' }, env);
  const nodes = await provider.createServers({ names: ['cheap', 'cheap-1'], options }, env);
  assert.deepEqual(nodes.map((n) => [n.name, n.running, n.extra.placement]), [
    ['cheap', true, 'us-east-1a'],
    ['cheap-1', true, 'us-east-1a'],
  ]);
  const requestIds = fake.spotRequests.map((s) => s.id);
  assert.deepEqual(nodes.map((n) => n.extra.spot_request), requestIds);
  assert.equal(fake.calls.RunInstances, undefined);
  assert.equal(param(fake, 'RequestSpotInstances', 'SpotPrice'), '0.05');
  assert.equal(param(fake, 'RequestSpotInstances', 'InstanceCount'), '2');
  assert.equal(param(fake, 'RequestSpotInstances', 'LaunchSpecification.KeyName'), 'hitc');
  assert.equal(param(fake, 'RequestSpotInstances', 'LaunchSpecification.Placement.AvailabilityZone'), 'us-east-1a');
  assert.equal(fake.calls.CreateTags, 2);
  assert.deepEqual(fake.instances.map((i) => i.tags.Name), ['HITC-cheap', 'HITC-cheap-1']);
  assert.equal(progress[0], 'requesting 2 spot instances of size t3.micro at $0.050/h');
  assert.ok(progress.includes('waiting for 2 spot requests to be fulfilled [pending-evaluation: 2]'), progress.join('\n'));
  assert.deepEqual((await provider.listNodes(env)).map((n) => n.name), ['cheap', 'cheap-1']);
});

test('spot: price-too-low in ANY request fails, cancels the requests, terminates what started', async (t) => {
  const { fake, provider, env } = await setup(t);
  fake.knobs.spotPriceTooLow = true; // the first request is too low, the second (the last) is fulfilled
  const options = await provider.validateCreateOptions({ bid: '0.001' }, env);
  await rejectsWith(provider.createServers({ names: ['a', 'a-1'], options }, env), ProviderError, (e) => {
    assert.match(e.message, /^ec2: spot bid \$0\.001 is too low for t3\.micro \(request sir-[0-9a-f]+\): Your Spot request price of 0\.001000 is lower than/);
    assert.match(e.message, /; cancelled 2 spot requests \(sir-[0-9a-f]+, sir-[0-9a-f]+\) and terminated their 1 instance \(i-[0-9a-f]+\)$/);
    assert.equal(e.hint, 'raise bid=, or see the current prices with hitc pricing');
  });
  assert.deepEqual(fake.spotRequests.map((s) => s.state), ['cancelled', 'cancelled']);
  assert.equal(fake.instances.length, 1);
  assert.ok(['shutting-down', 'terminated'].includes(fake.instances[0]!.state));
  assert.equal(fake.calls.CreateTags, undefined, 'nothing was tagged');
  assert.deepEqual(await provider.listNodes(env), []);
});

test('pricing: 24 h of Linux/UNIX spot prices per size, sorted', async (t) => {
  const { fake, provider, env } = await setup(t);
  fake.knobs.pageSize = 2; // several pages
  const zoned = await provider.pricing(undefined, env, { zone: 'us-east-1a' });
  assert.deepEqual([...zoned.columns], ['size', 'recent', 'median', 'stddev', 'max']);
  assert.deepEqual(zoned.rows, [
    ['t3.micro', '0.0035', '0.0033', '0.0002', '0.0035'],
    ['m5.large', '0.0450', '0.0450', '0.0041', '0.0500'],
  ]);
  assert.equal(param(fake, 'DescribeSpotPriceHistory', 'ProductDescription.1', 0), 'Linux/UNIX');
  assert.equal(param(fake, 'DescribeSpotPriceHistory', 'AvailabilityZone', 0), 'us-east-1a');
  const start = Date.parse(param(fake, 'DescribeSpotPriceHistory', 'StartTime', 0) ?? '');
  assert.ok(Math.abs(Date.now() - 24 * 3600_000 - start) < 60_000, 'starts 24 h ago');
  assert.ok((fake.calls.DescribeSpotPriceHistory ?? 0) >= 3, 'read every page');
  assert.match(zoned.note, /on-demand prices need the AWS Pricing API/);

  // every zone: recent is the cheapest zone's latest price; sort by max
  const all = await provider.pricing('max', env);
  assert.deepEqual(all.rows, [
    ['t3.micro', '0.0029', '0.0031', '0.0002', '0.0035'],
    ['m5.large', '0.0380', '0.0450', '0.0079', '0.0600'],
    ['c5.xlarge', '0.0700', '0.0700', '0.0000', '0.0700'],
  ]);
  // another provider's sort key ("cost") falls back to recent, as the original did
  assert.deepEqual((await provider.pricing('cost', env)).rows.map((r) => r[0]), ['t3.micro', 'm5.large', 'c5.xlarge']);
  assert.deepEqual((await provider.pricing('size', env)).rows.map((r) => r[0]), ['c5.xlarge', 'm5.large', 't3.micro']);
});

test('missingConfig names what is missing, in one line', () => {
  const home = tempDir('hitc-ec2-home-');
  const key = join(home, 'key');
  writeFileSync(key, 'k');
  const full = { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's', AWS_KEYPAIR_NAME: 'kp', AWS_SSH_KEY_FILENAME: key };
  assert.equal(missingEc2Config(full, home), undefined);
  assert.equal(
    missingEc2Config({}, home),
    'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (or write ~/.aws/credentials); AWS_KEYPAIR_NAME and AWS_SSH_KEY_FILENAME are not set (the EC2 key pair name and its private key file)',
  );
  assert.equal(missingEc2Config({ ...full, AWS_SECRET_ACCESS_KEY: '' }, home), 'AWS_SECRET_ACCESS_KEY is not set (AWS_ACCESS_KEY_ID is)');
  assert.equal(missingEc2Config({ ...full, AWS_KEYPAIR_NAME: undefined }, home), 'AWS_KEYPAIR_NAME is not set (the EC2 key pair name and its private key file)');
  assert.equal(missingEc2Config({ ...full, AWS_SSH_KEY_FILENAME: '/nonexistent/key' }, home), 'AWS_SSH_KEY_FILENAME=/nonexistent/key does not exist');
  // the SDK's other sources count as credentials: a profile, the shared files
  const keyOnly = { AWS_KEYPAIR_NAME: 'kp', AWS_SSH_KEY_FILENAME: key };
  assert.equal(missingEc2Config({ ...keyOnly, AWS_PROFILE: 'work' }, home), undefined);
  assert.match(missingEc2Config(keyOnly, home) ?? '', /^no AWS credentials/);
  mkdirSync(join(home, '.aws'));
  writeFileSync(join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = a\naws_secret_access_key = s\n');
  assert.equal(missingEc2Config(keyOnly, home), undefined);
});

test('API errors become one ProviderError with the code and a hint, never a stack', async (t) => {
  const { fake, provider, env } = await setup(t);
  const ghost = { provider: 'ec2', id: 'i-0123456789abcdef0', name: 'ghost', size: null, ip: null, internalIp: null, state: 'running', running: true, created: null, extra: {} };
  await rejectsWith(provider.terminate(ghost, env), Ec2ApiError, (e) => {
    assert.ok(e instanceof ProviderError);
    assert.equal(e.code, 'InvalidInstanceID.NotFound');
    assert.equal(e.action, 'TerminateInstances');
    assert.equal(e.message, "ec2: TerminateInstances: InvalidInstanceID.NotFound: The instance ID 'i-0123456789abcdef0' does not exist");
    assert.equal(e.hint, 'the server may be gone already: hitc nodes refreshes the list');
    assert.doesNotMatch(e.message, /\n/);
  });

  fake.knobs.failNext = { action: 'DescribeInstances', code: 'AuthFailure', message: 'AWS was not able to validate the provided access credentials', status: 401 };
  await rejectsWith(provider.listNodes(env), Ec2ApiError, (e) => {
    assert.equal(e.code, 'AuthFailure');
    assert.match(e.hint ?? '', /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });
  fake.knobs.failNext = { action: 'DescribeInstances', code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.', status: 403 };
  await rejectsWith(provider.listNodes(env), Ec2ApiError, (e) => assert.equal(e.hint, 'the AWS identity in use lacks the IAM permission ec2:DescribeInstances'));

  // an AMI id that does not exist (validation refuses it; here it went away after), a key pair
  // that does not exist: nothing is created
  await rejectsWith(provider.createServers({ names: ['x'], options: { ...(await provider.validateCreateOptions({}, env)), image: 'ami-0ffffffffffffffff' } }, env), Ec2ApiError, (e) => {
    assert.equal(e.code, 'InvalidAMIID.NotFound');
    assert.match(e.hint ?? '', /AMI id of us-east-1/);
  });
  process.env.AWS_KEYPAIR_NAME = 'nope';
  await rejectsWith(provider.createServers({ names: ['x'], options: await provider.validateCreateOptions({}, env) }, env), Ec2ApiError, (e) => {
    assert.equal(e.code, 'InvalidKeyPair.NotFound');
    assert.match(e.hint ?? '', /AWS_KEYPAIR_NAME must name a key pair of us-east-1/);
  });
  assert.equal(fake.instances.length, 0);
});

test('a failing second launch names the servers already created', async (t) => {
  const { provider, env } = await setup(t, { startDelayMs: 50 });
  const options = await provider.validateCreateOptions({}, env);
  // the fake has 5 addresses: 4 + 2 cannot all start
  await provider.createServers({ names: ['a', 'b', 'c', 'd'], options }, env);
  await rejectsWith(provider.createServers({ names: ['e', 'f'], options }, env), Ec2ApiError, (e) => {
    assert.equal(e.code, 'InsufficientInstanceCapacity');
    assert.match(e.message, /; already created: e \(i-[0-9a-f]+\)$/);
  });
  assert.deepEqual((await provider.listNodes(env)).map((n) => n.name), ['a', 'b', 'c', 'd', 'e']);
});

test('no credentials anywhere, or no endpoint: one clear ProviderError', async (t) => {
  const { fake, provider, env } = await setup(t);
  const home = tempDir('hitc-ec2-nocreds-');
  const saved = { ...process.env };
  const restore = (): void => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  };
  t.after(restore);
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) delete process.env[k];
  Object.assign(process.env, { HOME: home, AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'), AWS_CONFIG_FILE: join(home, 'none') });
  await rejectsWith(provider.listNodes(env), ProviderError, (e) => {
    assert.match(e.message, /^ec2: no usable AWS credentials/);
    assert.match(e.hint ?? '', /AWS_ACCESS_KEY_ID/);
  });
  assert.equal(fake.totalCalls(), 0);

  restore();
  await fake.close();
  const offline = createEc2Provider({ endpoint: fake.url });
  await rejectsWith(offline.listNodes(env), ProviderError, (e) => {
    assert.equal(e.message, `ec2: DescribeInstances: cannot reach EC2 at ${fake.url}: ECONNREFUSED`);
  });
});

test('create gives up after its timeout with a ProviderError', async (t) => {
  const { provider, env } = await setup(t, { startDelayMs: 60_000, provider: { timeoutMs: 500 } });
  await rejectsWith(provider.createServers({ names: ['slow'], options: await provider.validateCreateOptions({}, env) }, env), ProviderError, (e) => {
    assert.match(e.message, /^ec2: instances did not start within 0\.5 s: i-[0-9a-f]+ \(slow\) pending$/);
    assert.match(e.hint ?? '', /hitc nodes/);
  });
});

test('create fails at once when an instance dies, and when it runs without a public address', async (t) => {
  const { fake, provider, env } = await setup(t, { startDelayMs: 200, provider: { noAddressGraceMs: 300 } });
  const options = await provider.validateCreateOptions({}, env);
  const dying = provider.createServers({ names: ['doomed'], options }, env);
  setTimeout(() => {
    const inst = fake.instances[0]!;
    inst.state = 'shutting-down';
    inst.readyAt = Date.now() + 10_000;
  }, 100);
  await rejectsWith(dying, ProviderError, (e) => {
    assert.match(e.message, /^ec2: instance i-[0-9a-f]+ \(doomed\) is shutting-down instead of starting: Client\.UserInitiatedShutdown: User initiated shutdown$/);
  });

  fake.knobs.publicIps = false;
  const progress: string[] = [];
  await rejectsWith(provider.createServers({ names: ['private'], options }, { ...env, progress: (m) => progress.push(m) }), ProviderError, (e) => {
    assert.match(e.message, /^ec2: instance i-[0-9a-f]+ \(private\) is running but has no public IP address$/);
    assert.match(e.hint ?? '', /subnet that assigns public IPv4 addresses/);
  });
  assert.ok(progress.includes('waiting for 1 instance to start [running, no public IP yet: 1]'), progress.join('\n'));
});

test('create stops waiting when the run is interrupted', async (t) => {
  const { provider, env } = await setup(t, { startDelayMs: 60_000 });
  const controller = new AbortController();
  const options = await provider.validateCreateOptions({}, env);
  setTimeout(() => controller.abort(new Error('interrupted by SIGINT')), 300);
  await assert.rejects(provider.createServers({ names: ['x'], options }, { ...env, signal: controller.signal }), /interrupted by SIGINT/);
});

test('spot: Ctrl-C while waiting for fulfilment cancels the requests, and the clean-up is kept alive past the abort', async (t) => {
  const { fake, provider, env, progress } = await setup(t, { startDelayMs: 60_000 });
  const controller = new AbortController();
  const kept: Promise<unknown>[] = [];
  const options = await provider.validateCreateOptions({ bid: '0.05' }, env);
  setTimeout(() => controller.abort(new Error('interrupted by SIGINT')), 400);
  await assert.rejects(provider.createServers({ names: ['s', 's-1'], options }, { ...env, signal: controller.signal, keep: (w) => kept.push(w) }), /interrupted by SIGINT/);
  assert.equal(kept.length, 1, 'the spot launch asked to be kept alive');
  await Promise.allSettled(kept);
  assert.deepEqual(fake.spotRequests.map((s) => s.state), ['cancelled', 'cancelled']);
  assert.equal(fake.instances.length, 0);
  assert.match(progress.at(-1) ?? '', /^cancelled 2 spot requests \(sir-[0-9a-f]+, sir-[0-9a-f]+\)$/);
  assert.match(param(fake, 'RequestSpotInstances', 'ClientToken') ?? '', /^[0-9a-f-]{36}$/, 'SDK retries cannot double the request');
});

test('spot: Ctrl-C during RequestSpotInstances itself still cancels the requests once their ids are known', async (t) => {
  const { fake, provider, env } = await setup(t, { startDelayMs: 60_000 });
  fake.knobs.slow = { action: 'RequestSpotInstances', ms: 600 };
  const controller = new AbortController();
  const kept: Promise<unknown>[] = [];
  const options = await provider.validateCreateOptions({ bid: '0.05' }, env);
  setTimeout(() => controller.abort(new Error('interrupted by SIGINT')), 150);
  const started = provider.createServers({ names: ['r'], options }, { ...env, signal: controller.signal, keep: (w) => kept.push(w) });
  await assert.rejects(started, /interrupted by SIGINT/);
  await Promise.allSettled(kept);
  assert.equal(fake.spotRequests.length, 1);
  assert.equal(fake.spotRequests[0]!.state, 'cancelled');
});

test('spot: RequestSpotInstances that never answers in time: asked again with the same token, the requests are found and cancelled', async (t) => {
  const { fake, env } = await setup(t, { startDelayMs: 60_000 });
  const provider = createEc2Provider({ requestTimeoutMs: 200 });
  // the three attempts the SDK makes each time out (EC2 made the request on the first)
  fake.knobs.slow = { action: 'RequestSpotInstances', ms: 600, calls: 3 };
  const options = await provider.validateCreateOptions({ bid: '0.05' }, env);
  await rejectsWith(provider.createServers({ names: ['late'], options }, env), ProviderError, (e) => {
    assert.match(e.message, /RequestSpotInstances: no answer from EC2 .*; cancelled 1 spot request \(sir-[0-9a-f]+\)$/);
  });
  assert.equal(fake.spotRequests.length, 1, 'one client token, one request');
  assert.equal(fake.spotRequests[0]!.state, 'cancelled');
  assert.equal(fake.instances.length, 0);
});

test('spot: an instance that cannot be tagged is terminated (never left running untagged)', async (t) => {
  const { fake, provider, env } = await setup(t, { startDelayMs: 50 });
  fake.knobs.failNext = { action: 'CreateTags', code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.', status: 403 };
  const options = await provider.validateCreateOptions({ bid: '0.05' }, env);
  await rejectsWith(provider.createServers({ names: ['t'], options }, env), Ec2ApiError, (e) => {
    assert.match(e.message, /UnauthorizedOperation.*; cancelled 1 spot request \(sir-[0-9a-f]+\) and terminated their 1 instance \(i-[0-9a-f]+\)$/);
  });
  assert.equal(fake.instances.length, 1);
  assert.ok(['shutting-down', 'terminated'].includes(fake.instances[0]!.state), fake.instances[0]!.state);
  assert.notEqual(fake.spotRequests[0]!.state, 'open');
});

test('an endpoint that never answers fails within the request timeout, with a clear error', async (t) => {
  const { fake, env } = await setup(t);
  fake.knobs.hang = true;
  const provider = createEc2Provider({ requestTimeoutMs: 400 });
  const started = Date.now();
  await rejectsWith(provider.listNodes(env), ProviderError, (e) => {
    assert.match(e.message, /^ec2: DescribeInstances: no answer from EC2 at http:\/\/127\.0\.0\.1:\d+ within 0\.4 s \(3 attempts\)$/);
    assert.match(e.hint ?? '', /HITC_EC2_REQUEST_TIMEOUT_SECONDS/);
  });
  assert.ok(Date.now() - started < 10_000, `gave up after ${Date.now() - started} ms`);
  assert.equal(fake.calls.DescribeInstances, 3);
});

test('ec2.spot_requests and ec2.cancel_spot_request', async (t) => {
  const { fake, provider, env } = await setup(t);
  await provider.createServers({ names: ['s'], options: await provider.validateCreateOptions({ bid: '0.02' }, env) }, env);
  const lines: string[] = [];
  const c = { cloud: { namePrefix: 'HITC-' }, log: (m: string) => lines.push(m), signal: new AbortController().signal } as unknown as TaskContext;

  assert.equal(spot_requests.options.runsOnce, true);
  const rows = (await spot_requests.fn(c, { extra: {} })) as { id: string; bid: string; state: string; status: string; instance_id: string }[];
  assert.equal(rows.length, 1);
  const [row] = rows;
  assert.deepEqual([row?.id, row?.bid, row?.state, row?.status, row?.instance_id], [fake.spotRequests[0]?.id, '0.020000', 'active', 'fulfilled', fake.instances[0]?.id]);
  assert.match(lines[0] ?? '', /^id\s+bid\s+create_time\s+state\s+status\s+instance_id$/);
  assert.match(lines[1] ?? '', new RegExp(`^${row?.id}\\s+0\\.020000\\s+\\d{4}-\\d\\d-\\d\\dT\\S+\\s+active\\s+fulfilled\\s+${row?.instance_id}$`));

  lines.length = 0;
  await cancel_spot_request.fn(c, { request_id: row!.id, extra: {} });
  assert.deepEqual(lines, [`spot request ${row!.id}: cancelled`, `its instance ${row!.instance_id} keeps running (hitc terminate removes it)`]);
  assert.equal(fake.spotRequests[0]?.state, 'cancelled');
  await rejectsWith(Promise.resolve(cancel_spot_request.fn(c, { request_id: 'i-123', extra: {} })), UsageError, (e) => assert.match(e.message, /not a spot request id/));
  await rejectsWith(Promise.resolve(cancel_spot_request.fn(c, { request_id: 'sir-00000000', extra: {} })), Ec2ApiError, (e) => assert.equal(e.code, 'InvalidSpotInstanceRequestID.NotFound'));
});

test('a created server is reachable over SSH for real: create → wait → ssh → run', async (t) => {
  const b = bed(); // no bed: this fails here, loudly
  const { provider, env } = await setup(t, { startDelayMs: 300 });
  process.env.HITC_EC2_SSH_USER = 'root'; // the bed's hosts are not Ubuntu images; root has the key
  const [node] = await provider.createServers({ names: ['app'], options: await provider.validateCreateOptions({}, env) }, env);
  assert.ok(node?.ip && b.hosts.slice(40, 45).includes(node.ip), `created on a bed host: ${node?.ip}`);

  const login = provider.ssh();
  assert.equal(login.keyFile, b.key);
  const dir = tempDir('hitc-ec2-ssh-');
  const knownHosts = join(dir, 'known_hosts');
  copyFileSync(b.knownHosts, knownHosts);
  const config = join(dir, 'ssh_config');
  writeFileSync(config, `Host *\n  IdentityFile ${login.keyFile}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${knownHosts}\n`);
  const r = spawnSync(process.execPath, [HITC, '-F', config, '-H', `${login.user}@${node.ip}`, '--', 'hostname'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `hitc failed:\n${r.stdout}\n${r.stderr}`);
  const expected = `hitc-bed-light-${String(b.hosts.indexOf(node.ip) + 1).padStart(3, '0')}`;
  assert.match(expected, /^hitc-bed-light-04\d$/);
  assert.match(r.stdout, new RegExp(`\\b${expected}\\b`), r.stdout);
});
