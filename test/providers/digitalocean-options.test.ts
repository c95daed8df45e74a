// DigitalOcean create options as the ensemble's planner uses them: validateCreateOptions turns
// any spelling into the catalogue's slugs and fails with the option's name as argument before
// any POST; optionsOf reads the same keys (placement is the region) back from a listed droplet,
// also after DigitalOcean has moved the image's slug to a newer build. The client is the real
// one against the API v2 fake; droplets get TEST-NET addresses and are never connected to.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { usageError } from './provider-test-helpers.ts';
import { createDigitalOceanProvider } from '../../src/providers/digitalocean/index.ts';
import type { Node, Provider, ProviderEnv } from '../../src/providers/types.ts';
import { FAKE_SSH_KEY_NAME } from './digitalocean/fake-do-catalog.ts';
import { startFakeDigitalOcean, type FakeDigitalOcean, type FakeDigitalOceanOptions } from './digitalocean/fake-do-server.ts';

const TOKEN = 'dop_v1_fake0123456789abcdef0123456789abcdef';
const env: ProviderEnv = { namePrefix: 'HITC-', progress: () => undefined, signal: new AbortController().signal };

const fakes: FakeDigitalOcean[] = [];
after(() => Promise.all(fakes.map((f) => f.close())));

async function setup(options: Partial<FakeDigitalOceanOptions> = {}): Promise<{ fake: FakeDigitalOcean; provider: Provider }> {
  const ips = Array.from({ length: 10 }, (_, i) => `198.51.100.${i + 1}`);
  const fake = await startFakeDigitalOcean({ token: TOKEN, ips, activeDelayMs: 0, ...options });
  fakes.push(fake);
  const provider = createDigitalOceanProvider({ apiUrl: fake.url, env: { DIGITALOCEAN_TOKEN: TOKEN, DIGITAL_OCEAN_SSH_KEY_NAME: FAKE_SSH_KEY_NAME }, pollIntervalMs: 20 });
  return { fake, provider };
}

const posts = (fake: FakeDigitalOcean): number => fake.calls['POST /v2/droplets'] ?? 0;

async function listed(provider: Provider, node: Node | undefined): Promise<Node> {
  const found = (await provider.listNodes(env)).find((n) => n.id === node?.id);
  assert.ok(found, `droplet ${node?.id} is listed`);
  return found;
}


test('round trip: optionsOf(the listed droplet) equals what validateCreateOptions gave', async () => {
  const { fake, provider } = await setup();
  const cases: Record<string, string>[] = [
    {},
    { size: 'S-2VCPU-4GB', placement: 'NYC3', image: 'UBUNTU-22-04-X64' },
    // an image without a slug is named by its id, on both sides
    { placement: 'new york 3', image: 'debian 10 x64' },
  ];
  for (const [i, given] of cases.entries()) {
    const wanted = await provider.validateCreateOptions(given, env);
    const [created] = await provider.createServers({ names: [`rt-${i}`], options: wanted }, env);
    const observed = provider.optionsOf(await listed(provider, created));
    assert.deepEqual(observed, wanted, JSON.stringify(given));
    assert.deepEqual(await provider.validateCreateOptions(observed, env), observed, 'observed values are already in validated spelling');
  }
  assert.equal(fake.creates.at(-1)?.image, 150000000, 'the API takes an image id as a number');
});

test('NYC3 and S-1VCPU-1GB become the catalogue slugs nyc3 and s-1vcpu-1gb', async () => {
  const { provider } = await setup();
  assert.deepEqual(await provider.validateCreateOptions({ size: 'S-1VCPU-1GB', placement: 'NYC3' }, env), { size: 's-1vcpu-1gb', placement: 'nyc3', image: 'ubuntu-24-04-x64' });
  assert.deepEqual(await provider.validateCreateOptions({ size: ' s-1vcpu-1gb', placement: 'Nyc3 ', image: 'Ubuntu-24-04-X64' }, env), {
    size: 's-1vcpu-1gb',
    placement: 'nyc3',
    image: 'ubuntu-24-04-x64',
  });
});

test('an unknown size, region or image fails with "did you mean" before any POST, naming its option', async () => {
  const { fake, provider } = await setup();
  const size = await usageError(provider.validateCreateOptions({ size: 'S-1VCPU-1GBB' }, env));
  assert.equal(size.message, 'digitalocean: unknown size "S-1VCPU-1GBB"');
  assert.equal(size.argument, 'size');
  assert.match(size.hint ?? '', /^did you mean "s-1vcpu-1gb"/);
  const region = await usageError(provider.validateCreateOptions({ placement: 'NYC4' }, env));
  assert.equal(region.argument, 'placement');
  assert.match(region.hint ?? '', /did you mean "nyc1" or "nyc3"/);
  const image = await usageError(provider.validateCreateOptions({ image: 'ubuntu-24-10-x64' }, env));
  assert.equal(image.argument, 'image');
  assert.match(image.hint ?? '', /did you mean "ubuntu-24-04-x64"/);
  // refusals that name the catalogue's own slug still point at the option that set it
  assert.equal((await usageError(provider.validateCreateOptions({ size: '512MB' }, env))).argument, 'size');
  assert.equal((await usageError(provider.validateCreateOptions({ placement: 'nyc2' }, env))).argument, 'placement');
  assert.equal((await usageError(provider.validateCreateOptions({ size: 'S-8VCPU-32GB-640GB-INTEL' }, env))).argument, 'size');
  assert.equal((await usageError(provider.validateCreateOptions({ image: 'centos-stream-9-x64' }, env))).argument, 'image');
  assert.equal(posts(fake), 0);
});

test('a new build of the image takes its slug away from old droplets: optionsOf still names the slug they were created from', async () => {
  // "HITC-old" stands for a droplet made before hitc recorded the image (no hitc-image tag)
  const { fake, provider } = await setup({ droplets: [{ name: 'HITC-old' }] });
  const wanted = await provider.validateCreateOptions({}, env);
  const [web] = await provider.createServers({ names: ['web'], options: wanted }, env);
  assert.notEqual(fake.publishNewBuild('ubuntu-24-04-x64'), 172467000);

  const node = await listed(provider, web);
  assert.equal(node.extra.image, 'Ubuntu 24.04 (LTS) x64', 'the droplet shows its image without a slug now');
  assert.equal(provider.optionsOf(node).image, 'ubuntu-24-04-x64');
  assert.equal((await provider.validateCreateOptions({}, env)).image, 'ubuntu-24-04-x64', 'the manifest still asks for the same');

  // without the record, the image it was made from is unknown: left out, so an upgrade of hitc
  // never replaces droplets whose distribution slug has moved on since
  const old = (await provider.listNodes(env)).find((n) => n.name === 'old') as Node;
  assert.equal(provider.optionsOf(old).image, undefined);
});

test('optionsOf of a node cached by an older hitc (no image_option) leaves the image out instead of guessing', async () => {
  const { fake, provider } = await setup();
  const before = JSON.stringify(fake.calls);
  const node: Node = {
    provider: 'digitalocean', id: '1', name: 'cached', size: 's-1vcpu-1gb', ip: '198.51.100.9', internalIp: null, state: 'active', running: true, created: null,
    extra: { region: 'nyc1', image: 'ubuntu-24-04-x64' },
  };
  assert.deepEqual(provider.optionsOf(node), { size: 's-1vcpu-1gb', placement: 'nyc1' });
  assert.equal(JSON.stringify(fake.calls), before, 'no API call');
});
