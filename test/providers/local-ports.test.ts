import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensembleNetwork, publishedPorts } from '../../src/providers/local/index.ts';

test('local nodes show only published ports, one per host port, sorted', () => {
  assert.equal(publishedPorts(null), '');
  assert.equal(publishedPorts({ '22/tcp': null, '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }], '53/udp': [{ HostIp: '', HostPort: '5353' }] }), '5353->53/udp, 8080->80/tcp');
});

test("an ensemble's network name carries its tag", () => {
  assert.equal(ensembleNetwork('shop.prod'), 'hitc-ens-shop_prod');
});
