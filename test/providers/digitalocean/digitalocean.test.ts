// The DigitalOcean provider against a local fake of API v2 (DigitalOcean itself cannot be
// reached here). The client is the real one; the fake speaks the real wire protocol, counts
// calls, and its droplets are real test-bed hosts, so create → wait → SSH → run is real.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../../src/core/errors.ts';
import { createDigitalOceanProvider, type DigitalOceanProviderOptions } from '../../../src/providers/digitalocean/index.ts';
import { dropletToNode } from '../../../src/providers/digitalocean/droplet-node.ts';
import type { DoDroplet } from '../../../src/providers/digitalocean/api-types.ts';
import { ProviderError, type Node, type Provider, type ProviderEnv } from '../../../src/providers/types.ts';
import { FAKE_SSH_KEY_NAME, FAKE_SSH_KEYS } from './fake-do-catalog.ts';
import { startFakeDigitalOcean, type FakeDigitalOcean, type FakeDigitalOceanOptions } from './fake-do-server.ts';
import { tempDir } from '../../helpers/temp.ts';

const REPO = resolve(import.meta.dirname, '../../..');
const TOKEN = 'dop_v1_fake0123456789abcdef0123456789abcdef';
const BED_STATE = process.env.HITC_BED_STATE ?? join(REPO, 'test/bed/state/bed.json');

interface Bed {
  hosts: string[];
  key: string;
  knownHosts: string;
}

/** The test bed, or a loud failure: these tests never skip because the bed is missing. */
function bed(): Bed {
  try {
    return JSON.parse(readFileSync(BED_STATE, 'utf8')) as Bed;
  } catch (error) {
    throw new Error(`test bed state ${BED_STATE} is missing: run \`bash test/bed/bed.sh up 50\` (npm test does) — ${(error as Error).message}`);
  }
}

/** Addresses that are never hosts (TEST-NET-2), for tests that do not connect. */
const testNet = (n: number): string[] => Array.from({ length: n }, (_, i) => `198.51.100.${i + 1}`);

function makeEnv(prefix = 'HITC-'): ProviderEnv & { messages: string[] } {
  const messages: string[] = [];
  return { namePrefix: prefix, progress: (m) => messages.push(m), signal: new AbortController().signal, messages };
}

function provider(fake: FakeDigitalOcean, extra: Partial<DigitalOceanProviderOptions> & { vars?: Record<string, string> } = {}): Provider {
  const { vars, ...options } = extra;
  return createDigitalOceanProvider({
    apiUrl: fake.url,
    env: { DIGITALOCEAN_TOKEN: TOKEN, DIGITAL_OCEAN_SSH_KEY_NAME: FAKE_SSH_KEY_NAME, ...vars },
    pollIntervalMs: 100,
    ...options,
  });
}

const fakes: FakeDigitalOcean[] = [];
async function fake(options: Partial<FakeDigitalOceanOptions> = {}): Promise<FakeDigitalOcean> {
  const f = await startFakeDigitalOcean({ token: TOKEN, ips: testNet(20), activeDelayMs: 0, ...options });
  fakes.push(f);
  return f;
}
after(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

const posts = (f: FakeDigitalOcean): number => f.calls['POST /v2/droplets'] ?? 0;

describe('validateCreateOptions', () => {
  let f: FakeDigitalOcean;
  before(async () => {
    f = await fake();
  });

  test('defaults resolve to slugs', async () => {
    const p = provider(f);
    assert.deepEqual(p.createDefaults, { size: 's-1vcpu-1gb', placement: 'nyc1', image: 'ubuntu-24-04-x64' });
    assert.deepEqual(await p.validateCreateOptions({}, makeEnv()), { size: 's-1vcpu-1gb', placement: 'nyc1', image: 'ubuntu-24-04-x64' });
  });

  test('regions and images by slug or by the name the control panel shows', async () => {
    const p = provider(f);
    assert.deepEqual(await p.validateCreateOptions({ size: 's-2vcpu-4gb', placement: 'New York 3', image: 'Ubuntu 22.04 (LTS) x64' }, makeEnv()), {
      size: 's-2vcpu-4gb',
      placement: 'nyc3',
      image: 'ubuntu-22-04-x64',
    });
    assert.deepEqual(await p.validateCreateOptions({ placement: 'amsterdam 3', image: 'debian-12-x64' }, makeEnv()), {
      size: 's-1vcpu-1gb',
      placement: 'ams3',
      image: 'debian-12-x64',
    });
  });

  test('the catalogue is fetched once per provider, however often it is used', async () => {
    const g = await fake();
    const p = provider(g);
    await p.validateCreateOptions({}, makeEnv());
    await p.validateCreateOptions({ placement: 'lon1' }, makeEnv());
    assert.equal(g.calls['GET /v2/sizes'], 1);
    assert.equal(g.calls['GET /v2/regions'], 1);
    assert.equal(g.calls['GET /v2/images'], 1);
    assert.equal(g.calls['GET /v2/account/keys'], 1);
  });

  const rejects = async (options: Record<string, string>, pattern: { message: RegExp; hint?: RegExp }, vars?: Record<string, string>): Promise<void> => {
    const before = posts(f);
    await assert.rejects(provider(f, vars ? { vars } : {}).validateCreateOptions(options, makeEnv()), (error: unknown) => {
      assert.ok(error instanceof UsageError, `a UsageError, got ${String(error)}`);
      assert.match(error.message, pattern.message);
      if (pattern.hint) assert.match(error.hint ?? '', pattern.hint);
      return true;
    });
    assert.equal(posts(f), before, 'nothing is created');
  };

  test('an unknown size names valid ones', async () => {
    await rejects({ size: 's-1vcpu-1gbb' }, { message: /unknown size "s-1vcpu-1gbb"/, hint: /did you mean "s-1vcpu-1gb"/ });
    await rejects({ size: 'huge' }, { message: /unknown size "huge"/, hint: /valid: s-1vcpu-512mb-10gb, s-1vcpu-1gb, .*hitc pricing/ });
    await rejects({ size: '512mb' }, { message: /size "512mb" is no longer offered/ });
  });

  test('an unknown image or region names valid ones', async () => {
    await rejects({ image: 'ubuntu-12-04-x64' }, { message: /unknown image "ubuntu-12-04-x64"/, hint: /ubuntu-24-04-x64/ });
    await rejects({ image: 'Windows 11' }, { message: /unknown image "Windows 11"/, hint: /valid: ubuntu-24-04-x64, .*Ubuntu 24\.04 \(LTS\) x64/ });
    await rejects({ placement: 'Mars 1' }, { message: /unknown placement "Mars 1"/, hint: /valid: nyc1, nyc3, sfo3/ });
    await rejects({ placement: 'nyc2' }, { message: /region nyc2 \(New York 2\) does not take new droplets/, hint: /nyc1/ });
  });

  test('a size or image the region does not carry is refused before the API refuses it', async () => {
    await rejects({ size: 's-8vcpu-32gb-640gb-intel' }, { message: /size s-8vcpu-32gb-640gb-intel is not offered in region nyc1/, hint: /ams3, fra1, sfo3/ });
    await rejects({ image: 'centos-stream-9-x64' }, { message: /image centos-stream-9-x64 is not available in region nyc1/, hint: /nyc3, ams3/ });
  });

  test('unknown option names list the valid ones', async () => {
    await rejects({ bid: '0.5' }, { message: /unknown create option "bid"/, hint: /valid options: size, placement, image/ });
    await rejects({ sise: 's-1vcpu-1gb' }, { message: /unknown create option "sise"/, hint: /did you mean size\?/ });
  });

  test('the SSH key must exist in the account, by name', async () => {
    await rejects({}, { message: /no SSH key named "hitc-bedd"/, hint: /did you mean "hitc-bed"/ }, { DIGITAL_OCEAN_SSH_KEY_NAME: 'hitc-bedd' });
    await rejects({}, { message: /no SSH key named "work"/, hint: /keys in the account: laptop, hitc-bed/ }, { DIGITAL_OCEAN_SSH_KEY_NAME: 'work' });
    const p = createDigitalOceanProvider({ apiUrl: f.url, env: { DIGITALOCEAN_TOKEN: TOKEN } });
    const calls = JSON.stringify(f.calls);
    await assert.rejects(p.validateCreateOptions({}, makeEnv()), (e: unknown) => e instanceof UsageError && /DIGITAL_OCEAN_SSH_KEY_NAME is not set/.test(e.message));
    assert.equal(JSON.stringify(f.calls), calls, 'a missing setting costs no API call');
  });
});

describe('create → wait → SSH → rename, reboot, terminate (real test-bed hosts)', () => {
  let b: Bed;
  let f: FakeDigitalOcean;
  let p: Provider;
  let created: Node[] | undefined;
  const env = makeEnv();
  // more droplets than one page of 200 holds, so a client that ignores links.pages.next misses
  // the prefixed ones: "HITC-db" and everything hitc creates sit on page 2
  const others = Array.from({ length: 205 }, (_, i) => ({ name: `other-${i}` }));

  // set up lazily inside each test (not in a before hook): a missing bed then shows as each
  // test FAILING with the reason, never as quietly cancelled tests
  let setup: Promise<void> | undefined;
  const ready = (): Promise<void> =>
    (setup ??= (async () => {
      b = bed();
      f = await fake({ ips: b.hosts.slice(45, 50), activeDelayMs: 400, droplets: [...others, { name: 'HITC-db' }, { name: 'HITCH-not-ours' }] });
      p = provider(f, { vars: { DIGITAL_OCEAN_SSH_KEY_FILENAME: b.key } });
    })());

  test('create 2 droplets in one request and wait until they are active with an address', async () => {
    await ready();
    const options = await p.validateCreateOptions({}, env);
    const started = Date.now();
    created = await p.createServers({ names: ['web', 'web-1'], options }, env);
    assert.ok(Date.now() - started >= 350, 'it waited for the droplets to leave "new"');
    assert.equal(posts(f), 1, 'one POST for both droplets');
    const body = f.creates[0] as Record<string, unknown>;
    assert.deepEqual(body.names, ['HITC-web', 'HITC-web-1']);
    assert.equal(body.name, undefined);
    assert.deepEqual(body.tags, ['hitc', 'hitc-image:ubuntu-24-04-x64'], 'the image as asked for, which outlives its slug');
    assert.deepEqual(body.ssh_keys, [FAKE_SSH_KEYS.find((k) => k.name === FAKE_SSH_KEY_NAME)?.id]);
    assert.deepEqual([body.size, body.region, body.image], ['s-1vcpu-1gb', 'nyc1', 'ubuntu-24-04-x64']);
    assert.ok(env.messages.includes('waiting for 2 droplets to start [new: 2]'), env.messages.join('\n'));
    assert.deepEqual(
      created.map((n) => [n.name, n.ip, n.state, n.running, n.size, n.extra.region, n.extra.image]),
      [
        ['web', b.hosts[45], 'active', true, 's-1vcpu-1gb', 'nyc1', 'ubuntu-24-04-x64'],
        ['web-1', b.hosts[46], 'active', true, 's-1vcpu-1gb', 'nyc1', 'ubuntu-24-04-x64'],
      ],
    );
    for (const node of created) {
      assert.equal(node.provider, 'digitalocean');
      assert.match(node.id, /^\d+$/);
      assert.match(node.internalIp ?? '', /^10\.116\.0\.\d+$/, 'the private VPC address');
      assert.match(node.created ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });

  test('the new droplets are real hosts: hitc runs a command on them over SSH as root', async () => {
    await ready();
    assert.ok(created, 'create failed');
    const ssh = p.ssh();
    assert.deepEqual(ssh, { user: 'root', keyFile: b.key });
    const dir = tempDir('hitc-do-');
    const knownHosts = join(dir, 'known_hosts');
    copyFileSync(b.knownHosts, knownHosts);
    const config = join(dir, 'ssh_config');
    writeFileSync(config, `Host *\n  IdentityFile ${ssh.keyFile}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${knownHosts}\n`);
    for (const node of created) {
      const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [join(REPO, 'bin/hitc.mjs'), '-F', config, '-H', `${ssh.user}@${node.ip}`, '--', 'hostname'], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, NO_COLOR: '1' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      const expected = `hitc-bed-light-${String(b.hosts.indexOf(node.ip as string) + 1).padStart(3, '0')}`;
      assert.match(expected, /^hitc-bed-light-04\d$/);
      assert.match(r.stdout, new RegExp(`\\b${expected}\\b`), r.stdout);
    }
  });

  test('listNodes follows every page, strips the prefix and ignores other droplets', async () => {
    await ready();
    const before = f.calls['GET /v2/droplets'] ?? 0;
    const nodes = await p.listNodes(env);
    assert.equal((f.calls['GET /v2/droplets'] ?? 0) - before, 2, 'two pages of up to 200');
    assert.deepEqual(nodes.map((n) => n.name).sort(), ['db', 'web', 'web-1']);
    const db = nodes.find((n) => n.name === 'db') as Node;
    assert.equal(db.ip, '203.0.113.206');
    assert.deepEqual(p.nodeColumns, ['name', 'size', 'ip', 'state']);
    // an empty prefix means every droplet
    assert.equal((await p.listNodes(makeEnv(''))).length, 205 + 2 + 2);
  });

  test('rename and reboot are droplet actions', async () => {
    await ready();
    assert.ok(created, 'create failed');
    const web1 = created[1] as Node;
    await p.rename?.(web1, 'api', env);
    assert.deepEqual(f.actions.at(-1), { dropletId: Number(web1.id), type: 'rename', name: 'HITC-api' });
    await p.reboot?.(created[0] as Node, env);
    assert.deepEqual(f.actions.at(-1), { dropletId: Number(created[0]?.id), type: 'reboot' });
    assert.equal(f.calls['POST /v2/droplets/:id/actions'], 2);
    assert.deepEqual((await p.listNodes(env)).map((n) => n.name).sort(), ['api', 'db', 'web']);
    await assert.rejects(p.rename?.(web1, 'no_underscores', env) ?? Promise.resolve(), UsageError);
  });

  test('terminate deletes the droplets; a droplet already gone is not an error', async () => {
    await ready();
    assert.ok(created, 'create failed');
    for (const node of created) await p.terminate(node, env);
    assert.equal(f.calls['DELETE /v2/droplets/:id'], 2);
    assert.deepEqual((await p.listNodes(env)).map((n) => n.name), ['db']);
    await p.terminate(created[0] as Node, env);
    assert.equal(f.calls['DELETE /v2/droplets/:id'], 3);
  });
});

describe('create edge cases (no SSH)', () => {
  test('more than ten droplets take one POST per ten names', async () => {
    const f = await fake({ ips: testNet(12) });
    const p = provider(f);
    const names = Array.from({ length: 12 }, (_, i) => (i === 0 ? 'w' : `w-${i}`));
    const nodes = await p.createServers({ names, options: await p.validateCreateOptions({}, makeEnv()) }, makeEnv());
    assert.equal(posts(f), 2);
    assert.deepEqual((f.creates.map((c) => (c.names as string[]).length)), [10, 2]);
    assert.deepEqual(nodes.map((n) => n.name), names);
    assert.deepEqual(nodes.map((n) => n.ip), testNet(12));
  });

  test('the API refusing a create is one ProviderError with its id and message', async () => {
    const f = await fake({ ips: testNet(1) });
    const p = provider(f);
    await assert.rejects(p.createServers({ names: ['a', 'a-1'], options: {} }, makeEnv()), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.match(e.message, /^digitalocean: POST \/v2\/droplets: creating 2 droplets will exceed your droplet limit \(HTTP 422, unprocessable_entity\)$/);
      return true;
    });
  });

  test('an invalid droplet name is refused before any API call', async () => {
    const f = await fake();
    await assert.rejects(provider(f).createServers({ names: ['web_1'], options: {} }, makeEnv()), /not a valid droplet name/);
    assert.deepEqual(f.calls, {});
  });

  test('droplets that never become active time out with a ProviderError', async () => {
    const f = await fake({ activeDelayMs: 60_000 });
    const env = makeEnv();
    const p = provider(f, { createTimeoutMs: 500 });
    await assert.rejects(p.createServers({ names: ['slow'], options: {} }, env), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.match(e.message, /1 of 1 droplet did not start within 500 ms \(new: 1; ids \d+\)/);
      assert.match(e.hint ?? '', /hitc terminate/);
      return true;
    });
    assert.deepEqual(env.messages.filter((m) => m.startsWith('waiting')), ['waiting for 1 droplet to start [new: 1]'], 'a repeated state is reported once');
    assert.ok((f.calls['GET /v2/droplets'] ?? 0) >= 3, 'it polled');
  });
});

describe('pricing', () => {
  test('from /v2/sizes, numeric sort by cost by default, by any column on request', async () => {
    const f = await fake();
    const p = provider(f);
    const table = await p.pricing?.(undefined, makeEnv());
    assert.ok(table);
    assert.deepEqual(table.columns, ['size', 'memory', 'cores', 'disk', 'transfer', 'cost']);
    assert.deepEqual(table.rows[0], ['s-1vcpu-512mb-10gb', '0.5', '1', '10', '0.5', '0.00595']);
    assert.ok(!table.rows.some((r) => r[0] === '512mb'), 'sizes no longer offered are left out');
    const costs = table.rows.map((r) => Number(r[5]));
    assert.deepEqual(costs, [...costs].sort((a, b) => a - b));
    assert.equal(table.rows.at(-1)?.[0], 'gpu-h100x1-80gb');

    const byMemory = await p.pricing?.('memory', makeEnv());
    const memory = (byMemory?.rows ?? []).map((r) => r[1]);
    assert.deepEqual(memory.map(Number), memory.map(Number).sort((a, b) => a - b), 'numeric: 240 after 32');
    assert.equal(memory.at(-1), '240');
    assert.equal(f.calls['GET /v2/sizes'], 1, 'sizes fetched once');

    await assert.rejects(p.pricing?.('median', makeEnv()) ?? Promise.resolve(), (e: unknown) => e instanceof UsageError && /size, memory, cores, disk, transfer, cost/.test(e.hint ?? ''));
  });
});

describe('credentials and API failures', () => {
  test('a missing token is named, and stops every call before it is made', async () => {
    const f = await fake();
    const p = createDigitalOceanProvider({ apiUrl: f.url, env: {} });
    assert.equal(p.missingConfig(), 'DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN) is not set');
    await assert.rejects(p.listNodes(makeEnv()), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /DIGITALOCEAN_TOKEN \(or DIGITALOCEAN_ACCESS_TOKEN\) is not set/);
      assert.match(e.hint ?? '', /API → Tokens/);
      return true;
    });
    assert.deepEqual(f.calls, {});
  });

  test('DIGITALOCEAN_ACCESS_TOKEN and HITC_DIGITALOCEAN_API_URL are honoured', async () => {
    const f = await fake({ droplets: [{ name: 'HITC-x' }] });
    const p = createDigitalOceanProvider({ env: { DIGITALOCEAN_ACCESS_TOKEN: TOKEN, HITC_DIGITALOCEAN_API_URL: `${f.url}/` } });
    assert.equal(p.missingConfig(), undefined);
    assert.deepEqual((await p.listNodes(makeEnv())).map((n) => n.name), ['x']);
    assert.deepEqual(p.ssh(), { user: 'root' });
  });

  test('a wrong token is a ProviderError with the API message, a hint, and no token in sight', async () => {
    const f = await fake();
    const wrong = 'dop_v1_wrongwrongwrong0123456789';
    const p = createDigitalOceanProvider({ apiUrl: f.url, env: { DIGITALOCEAN_TOKEN: wrong } });
    await assert.rejects(p.listNodes(makeEnv()), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.equal(e.message, 'digitalocean: GET /v2/droplets?per_page=200: Unable to authenticate you (HTTP 401, unauthorized)');
      assert.match(e.hint ?? '', /check DIGITALOCEAN_TOKEN/);
      assert.ok(!`${e.message} ${e.hint} ${e.stack}`.includes(wrong), 'the token never shows');
      return true;
    });
    assert.equal(f.calls['GET /v2/droplets'], 1, 'one call, no retry of a 401');
  });

  test('a token echoed back by the server is redacted', async () => {
    const f = await fake();
    f.failNext({ status: 500, body: { id: 'server_error', message: `bad token ${TOKEN}` } });
    await assert.rejects(provider(f).listNodes(makeEnv()), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.ok(!e.message.includes(TOKEN));
      assert.match(e.message, /bad token \[token\] \(HTTP 500, server_error\)/);
      return true;
    });
  });

  test('429: one retry after Retry-After, then a clear error', async () => {
    const f = await fake({ droplets: [{ name: 'HITC-x' }] });
    const p = provider(f);
    const limited = { call: 'GET /v2/droplets', status: 429, body: { id: 'too_many_requests', message: 'API Rate limit exceeded.' } };
    f.failNext({ ...limited, headers: { 'retry-after': '1' } });
    const started = Date.now();
    assert.equal((await p.listNodes(makeEnv())).length, 1);
    assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
    assert.equal(f.calls['GET /v2/droplets'], 2);

    f.failNext({ ...limited, headers: { 'retry-after': '0' } });
    f.failNext({ ...limited, headers: { 'retry-after': '0' } });
    await assert.rejects(p.listNodes(makeEnv()), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.match(e.message, /API Rate limit exceeded\. \(HTTP 429, too_many_requests\)/);
      assert.match(e.hint ?? '', /rate limit/);
      return true;
    });
    assert.equal(f.calls['GET /v2/droplets'], 4, 'exactly one retry');
  });

  test('the wait before a rate-limit retry is bounded', async () => {
    const f = await fake();
    f.failNext({ status: 429, body: { id: 'too_many_requests', message: 'API Rate limit exceeded.' }, headers: { 'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) } });
    const started = Date.now();
    await provider(f, { maxRetryDelayMs: 200 }).listNodes(makeEnv());
    assert.ok(Date.now() - started < 2000);
  });

  test('a stalled request times out as a ProviderError', async () => {
    const f = await fake();
    f.failNext({ delayMs: 5000 });
    const started = Date.now();
    await assert.rejects(provider(f, { requestTimeoutMs: 300 }).listNodes(makeEnv()), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.match(e.message, /GET \/v2\/droplets\?per_page=200 timed out after 0\.3s/);
      return true;
    });
    assert.ok(Date.now() - started < 2000);
  });

  test('Ctrl-C ends a call in flight at once, with the abort reason (not an API error)', async () => {
    const f = await fake();
    f.failNext({ delayMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('interrupted by SIGINT')), 100);
    const started = Date.now();
    await assert.rejects(provider(f).listNodes({ ...makeEnv(), signal: controller.signal }), /^Error: interrupted by SIGINT$/);
    assert.ok(Date.now() - started < 2000);
  });

  test('an unreachable API is a ProviderError', async () => {
    const f = await fake();
    const url = f.url;
    await f.close();
    await assert.rejects(createDigitalOceanProvider({ apiUrl: url, env: { DIGITALOCEAN_TOKEN: TOKEN } }).listNodes(makeEnv()), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.match(e.message, /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
      return true;
    });
    fakes.splice(fakes.indexOf(f), 1);
  });
});

test('a droplet without a private address uses its public one as internal address (as the original)', () => {
  const droplet = {
    id: 1,
    name: 'HITC-solo',
    status: 'off',
    created_at: '2024-01-01T00:00:00Z',
    size_slug: 's-1vcpu-1gb',
    networks: { v4: [{ ip_address: '203.0.113.9', type: 'public' }] },
    region: { slug: 'nyc1', name: 'New York 1' },
    image: { id: 5, slug: null, name: '12 x64', distribution: 'Debian' },
  } satisfies DoDroplet;
  const node = dropletToNode(droplet, 'HITC-');
  assert.deepEqual(
    [node.name, node.ip, node.internalIp, node.running, node.state, node.extra.image],
    ['solo', '203.0.113.9', '203.0.113.9', false, 'off', 'Debian 12 x64'],
  );
});
