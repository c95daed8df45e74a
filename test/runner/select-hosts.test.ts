import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectHosts } from '../../src/runner/select-hosts.ts';
import { formatHostSpec } from '../../src/core/host-spec.ts';

const roles = { web: ['w1', 'w2'], db: ['d1'], 'web-canary': ['w1'] };
const base = { cliHosts: [], cliRoles: [], exclude: [], roles };
const names = async (sel: Parameters<typeof selectHosts>[1]) => (await selectHosts('t', sel)).map(formatHostSpec);

test('command line wins over task defaults; roles deduplicate', async () => {
  assert.deepEqual(await names({ ...base, cliRoles: ['web', 'web-canary'], taskHosts: ['x'] }), ['w1', 'w2']);
  assert.deepEqual(await names({ ...base, taskRoles: ['db'] }), ['d1']);
});

test('wildcards in roles and exclusions', async () => {
  assert.deepEqual(await names({ ...base, cliRoles: ['web*'], exclude: ['w2'] }), ['w1']);
});

test('an empty selection is an error with a hint', async () => {
  await assert.rejects(selectHosts('t', base), /no hosts selected for task t/);
  await assert.rejects(selectHosts('t', { ...base, cliRoles: ['wbe'] }), (e: Error & { hint?: string }) => /did you mean web/.test(e.hint ?? ''));
  await assert.rejects(selectHosts('t', { ...base, cliHosts: ['a'], exclude: ['a'] }), /excludes every selected host/);
});

test('host specs: user, port, IPv6', async () => {
  assert.deepEqual(await names({ ...base, cliHosts: ['u@h:2222', '[::1]:23', 'h'] }), ['u@h:2222', '[::1]:23', 'h']);
  await assert.rejects(selectHosts('t', { ...base, cliHosts: ['h:99999'] }), /out of range/);
});
