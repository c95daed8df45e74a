// terminate, reboot and rename select servers through the node cache (up to 15 minutes old),
// where a name becomes an address. When that address has passed to another instance since,
// the destructive action must not follow the address: it re-lists, finds the cached instance
// gone, and refuses, with the other instance untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bed, hitc } from '../integration/bed.ts';
import { ec2Bed, runningInstance } from './provider-helpers.ts';

const { fake, box, env } = await ec2Bed();
const [ipX, ipY] = bed().hosts.slice(45, 47);
const run = (args: string[]) => hitc(box, args, { env, timeoutMs: 60_000 });

test('a cached name whose address now belongs to another instance: terminate (by name or by address) refuses, nothing changes', async () => {
  const a = runningInstance(fake, 'sf-providers-web-1', ipX as string);
  const b = runningInstance(fake, 'sf-providers-web-2', ipX as string);
  const x = (ipX as string).replace(/\./g, '\\.');
  for (const selection of [['-H', 'sf-providers-web-1'], ['-H', ipX as string]]) {
    // the cache learns sf-providers-web-1 = A at X ...
    Object.assign(a, { state: 'running', ip: ipX });
    b.ip = null;
    const listed = await run(['nodes']);
    assert.equal(listed.code, 0, listed.stdout + listed.stderr);
    assert.match(listed.stdout, new RegExp(`sf-providers-web-1 +t3\\.micro +${x}`));
    // ... then, in the cloud, A is terminated and B gets its address
    Object.assign(a, { state: 'terminated', ip: null });
    b.ip = ipX as string;

    const gone = await run([...selection, 'terminate', '--yes']);
    const out = gone.stdout + gone.stderr;
    assert.equal(gone.code, 2, out);
    assert.match(out, new RegExp(`${x} was sf-providers-web-1 \\(ec2 ${a.id}, ${x}\\) in the cached server list, and that server is gone; ${x} now belongs to sf-providers-web-2 \\(${b.id}\\); nothing was changed`));
    assert.match(out, /hint: hitc nodes shows the servers as they are now/);
    assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
  }
  // the re-listing refreshed the cache: the stale name no longer resolves to anything
  const again = await run(['-H', 'sf-providers-web-1', 'terminate', '--yes']);
  assert.equal(again.code, 2, again.stdout + again.stderr);
  assert.match(again.stdout + again.stderr, /sf-providers-web-1 is not a server of any enabled provider/);

  assert.equal(fake.calls.TerminateInstances, undefined, 'no TerminateInstances call at all');
  assert.equal(b.state, 'running');
  assert.equal(b.ip, ipX);
});

test('the same refusal for reboot and rename; once the cache is current the right instance is acted on by id', async () => {
  fake.instances.length = 0;
  const a = runningInstance(fake, 'sf-providers-db', ipY as string);
  const b = runningInstance(fake, 'sf-providers-cache', ipY as string);
  for (const task of ['reboot', 'rename:sf-providers-renamed']) {
    // stage: the cache names A at Y; then A goes and B takes Y
    Object.assign(a, { state: 'running', ip: ipY });
    b.ip = null;
    assert.equal((await run(['nodes'])).code, 0);
    Object.assign(a, { state: 'terminated', ip: null });
    b.ip = ipY as string;
    const r = await run(['-H', 'sf-providers-db', task]);
    assert.equal(r.code, 2, `${task}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, /in the cached server list, and that server is gone; [\d.]+ now belongs to sf-providers-cache/);
  }
  assert.equal(fake.calls.RebootInstances, undefined);
  assert.equal(fake.calls.CreateTags, undefined);
  assert.equal(b.reboots, 0);
  assert.equal(b.tags.Name, 'HITC-sf-providers-cache');

  // with a current listing, the name selects B and B (by its id) is rebooted
  assert.equal((await run(['nodes'])).code, 0);
  const ok = await run(['-H', 'sf-providers-cache', 'reboot']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal(b.reboots, 1);
  assert.equal(fake.requests.filter((r) => r.action === 'RebootInstances').at(-1)?.params.get('InstanceId.1'), b.id);
});

test('an address from an expired listing that now belongs to another instance is refused too', async () => {
  fake.instances.length = 0;
  const a = runningInstance(fake, 'sf-providers-old', ipX as string);
  const listed = await hitc(box, ['nodes'], { env: { ...env, HITC_CACHE_TTL_SECONDS: '1' } });
  assert.equal(listed.code, 0, listed.stdout + listed.stderr);
  Object.assign(a, { state: 'terminated', ip: null });
  const b = runningInstance(fake, 'sf-providers-new', ipX as string);
  await new Promise((r) => setTimeout(r, 1500)); // the listing is now past its time to live

  const r = await hitc(box, ['-H', ipX as string, 'terminate', '--yes'], { env: { ...env, HITC_CACHE_TTL_SECONDS: '1' } });
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 2, out);
  assert.match(out, new RegExp(`${(ipX as string).replace(/\./g, '\\.')} was sf-providers-old \\(ec2 ${a.id}\\) when the servers were last listed \\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\), and is now sf-providers-new \\(${b.id}\\); nothing was changed`));
  assert.equal(fake.calls.TerminateInstances, undefined);
  assert.equal(b.state, 'running');
});
