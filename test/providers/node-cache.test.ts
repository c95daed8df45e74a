import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { NodeCache } from '../../src/providers/node-cache.ts';
import { copyNames, roleOf, type Node } from '../../src/providers/types.ts';
import { detectProviders, ProviderSet } from '../../src/providers/registry.ts';
import { createUnmanagedProvider } from '../../src/providers/unmanaged/index.ts';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../helpers/temp.ts';

const node = (name: string): Node => ({ provider: 'ec2', id: `i-${name}`, name, size: 't3.micro', ip: '10.0.0.1', internalIp: null, state: 'running', running: true, created: null, extra: {} });

test('cache: 0600 file, fresh within the TTL, per prefix, invalidated, bypassed by HITC_NO_CACHE', async () => {
  const path = join(tempDir('hitc-cache-'), 'nodes.json');
  const cache = new NodeCache(path, 60_000, false);
  assert.equal(cache.get('ec2', 'HITC-'), undefined);
  cache.set('ec2', 'HITC-', [node('web')]);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(cache.get('ec2', 'HITC-')?.map((n) => n.name), ['web']);
  assert.equal(cache.get('ec2', 'OTHER-'), undefined, 'another prefix is another listing');
  cache.invalidate('ec2');
  assert.equal(cache.get('ec2', 'HITC-'), undefined);
  cache.set('ec2', 'HITC-', [node('web')]);
  assert.equal(new NodeCache(path, 0, false).get('ec2', 'HITC-'), undefined, 'expired');
  assert.equal(new NodeCache(path, 60_000, true).get('ec2', 'HITC-'), undefined, 'disabled');
  cache.set('ec2', 'HITC-', [node('web')]);
  const saved = process.env.HITC_NO_CACHE;
  try {
    process.env.HITC_NO_CACHE = '1';
    assert.equal(new NodeCache(path, 60_000).get('ec2', 'HITC-'), undefined, 'HITC_NO_CACHE=1 bypasses a fresh listing');
    process.env.HITC_NO_CACHE = '0';
    assert.deepEqual(new NodeCache(path, 60_000).get('ec2', 'HITC-')?.map((n) => n.name), ['web'], 'HITC_NO_CACHE=0 does not');
  } finally {
    if (saved === undefined) delete process.env.HITC_NO_CACHE; else process.env.HITC_NO_CACHE = saved;
  }
});

test('roles drop the copy number; copies are NAME, NAME-1, NAME-2', () => {
  assert.equal(roleOf('web-2'), 'web');
  assert.equal(roleOf('web'), 'web');
  assert.deepEqual(copyNames('web', 3), ['web', 'web-1', 'web-2']);
});

test('providers are detected from their configuration; unknown or disabled ones are clear errors', async () => {
  assert.deepEqual(detectProviders({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', DIGITALOCEAN_TOKEN: 't' }).slice(0, 2), ['ec2', 'digitalocean']);
  const set = new ProviderSet(['unmanaged']);
  await assert.rejects(set.get('ec3'), /unknown provider "ec3"[\s\S]*/);
  await assert.rejects(set.get('ec2'), /provider "ec2" is not enabled/);
  const saved = { ...process.env };
  try {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_PROFILE;
    process.env.HOME = '/nonexistent';
    await assert.rejects(new ProviderSet([], false).get('ec2'), /provider ec2 is not configured: .*AWS_ACCESS_KEY_ID/);
  } finally {
    process.env = saved;
  }
});

test('unmanaged: one host per line, comments and blanks ignored; it cannot create', async () => {
  const dir = tempDir('hitc-unmanaged-');
  const file = join(dir, 'unmanaged_servers.txt');
  writeFileSync(file, '10.0.0.5\n\n# spare\nweb.example.com  \n');
  const p = createUnmanagedProvider({ file });
  const env = { namePrefix: 'HITC-', progress: () => undefined, signal: new AbortController().signal };
  assert.deepEqual((await p.listNodes(env)).map((n) => [n.name, n.ip]), [['10.0.0.5', '10.0.0.5'], ['web.example.com', 'web.example.com']]);
  await assert.rejects(p.createServers({ names: ['x'], options: {} }, env), /cannot be created/);
  assert.equal(createUnmanagedProvider({ file: join(dir, 'none.txt') }).missingConfig(), undefined);
  assert.deepEqual(await createUnmanagedProvider({ file: join(dir, 'none.txt') }).listNodes(env), []);
});
