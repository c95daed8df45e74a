import { test } from 'node:test';
import assert from 'node:assert/strict';
import { teardownLines } from '../../../src/ensemble/down/down.ts';
import type { Node, Provider } from '../../../src/providers/types.ts';

const provider = { name: 'local' } as Provider;
const node = (name: string, id: string): Node => ({ provider: 'local', id, name, size: null, ip: '172.18.0.9', internalIp: null, state: 'running', running: true, created: null, extra: {}, ensemble: 'shop' });

test('down lists what it removes, and the unmanaged servers it leaves', () => {
  const lines = teardownLines('shop', {
    servers: [{ provider, node: node('web', 'abc') }],
    extras: [{ provider, extra: { title: 'network hitc-ens-shop', remove: async () => undefined } }],
    left: ['10.0.0.5'],
    hostsLines: false,
  });
  assert.deepEqual(lines, [
    'ensemble shop: 2 things to remove',
    '  - terminate local server web (abc, 172.18.0.9): created by ensemble shop; its containers go with it',
    '  - remove local network hitc-ens-shop',
    '  = unmanaged server 10.0.0.5 is left as it is (hitc did not create it; its containers and firewall stay)',
  ]);
  assert.deepEqual(teardownLines('shop', { servers: [], extras: [], left: [], hostsLines: false }), ['ensemble shop: nothing to remove']);
});
