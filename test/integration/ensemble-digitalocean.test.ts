// An ensemble server on DigitalOcean (hitc's API v2 client against a local server that speaks
// API v2; its droplets are test-bed Docker hosts): created with its container and firewall, its
// address handed to a container elsewhere, and a second up that changes nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, CLEAN_ENSEMBLE, hitc, sandbox, cacheFile } from './bed.ts';
import { startFakeDigitalOcean } from '../providers/digitalocean/fake-do-server.ts';
import { FAKE_SSH_KEY_NAME } from '../providers/digitalocean/fake-do-catalog.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
const [droplet, , elsewhere] = b.dockerHosts as [string, string, string];
const TOKEN = 'dop_v1_fake_ensemble_token';
const fake = await startFakeDigitalOcean({ token: TOKEN, ips: [droplet], activeDelayMs: 200 });
const box = sandbox();
copyFileSync(b.key, join(box.dir, 'do_key'));
const env = {
  DIGITALOCEAN_TOKEN: TOKEN, HITC_DIGITALOCEAN_API_URL: fake.url, HITC_DIGITALOCEAN_POLL_INTERVAL_MS: '100',
  DIGITAL_OCEAN_SSH_KEY_NAME: FAKE_SSH_KEY_NAME, DIGITAL_OCEAN_SSH_KEY_FILENAME: join(box.dir, 'do_key'),
  HITC_CACHE_FILE: cacheFile(),
};
const run = (args: string[]) => hitc(box, args, { env, timeoutMs: 180_000 });
const clean = () => run(['-P', '-H', [droplet, elsewhere].join(','), '--', CLEAN_ENSEMBLE]);
after(async () => {
  await clean();
  await fake.close();
});

test('a DigitalOcean server is created with its container and firewall; its address reaches a container elsewhere', { timeout: 300_000 }, async () => {
  await clean();
  writeFileSync(join(box.dir, 'do.yml'), `api:
  provider: digitalocean
  size: s-1vcpu-1gb
  placement: ams3
  image: ubuntu-24-04-x64
  containers:
    web:
      image: ${b.appImages?.httpd}
      ports: [80]
  firewall:
    80: "*"
    ssh_from_applier_only: true
${elsewhere}:
  containers:
    probe:
      image: ${b.appImages?.httpd}
      environment:
        API: \${api.ip}
`);
  const up = await run(['ensemble.up:do', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, /The following servers will be created:\n {2}api: no digitalocean server named api/);
  assert.match(up.stdout, /converged: observing again finds no changes/);
  assert.equal(fake.creates.length, 1);
  assert.equal((fake.creates[0] as { region?: string }).region, 'ams3');
  const probe = await run(['-H', elsewhere, '--', 'docker inspect -f "{{range .Config.Env}}{{println .}}{{end}}" probe | grep ^API=']);
  assert.match(probe.stdout, new RegExp(`out: API=${droplet.replace(/\./g, '\\.')}\\n`));
  assert.equal((await (await fetch(`http://${droplet}/`, { signal: AbortSignal.timeout(3000) })).text()).trim(), '<h1>hitc test app</h1>');
  const again = await run(['ensemble.up:do', '--yes']);
  assert.match(again.stdout, /No changes\./);
  assert.equal(fake.creates.length, 1, 'nothing created the second time');
});
