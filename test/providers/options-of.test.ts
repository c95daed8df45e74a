// optionsOf across providers: every one has it (the planner calls it on any node), and the
// providers without create options report none, so nothing about their servers reads as changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeProvider, PROVIDER_NAMES } from '../../src/providers/registry.ts';
import type { Node } from '../../src/providers/types.ts';

const node = (provider: string): Node => ({
  provider, id: 'x', name: 'web', size: null, ip: '192.0.2.7', internalIp: '192.0.2.7', state: 'running', running: true, created: null, extra: {},
});

test('every provider reads a node\'s create options; local and unmanaged have none', async () => {
  for (const name of PROVIDER_NAMES) {
    const provider = await makeProvider(name);
    assert.equal(typeof provider.optionsOf, 'function', name);
  }
  assert.deepEqual((await makeProvider('local')).optionsOf(node('local')), {});
  assert.deepEqual((await makeProvider('unmanaged')).optionsOf(node('unmanaged')), {});
  // a node with nothing known gives nothing to compare, rather than empty strings
  assert.deepEqual((await makeProvider('ec2')).optionsOf(node('ec2')), {});
  assert.deepEqual((await makeProvider('digitalocean')).optionsOf(node('digitalocean')), {});
});
