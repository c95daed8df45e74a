// The original documents' manifests, run for real: the tutorial's wordpress.yml and the slides'
// longer example (templates, ${host.name}, _DEPENDS, $internal_ips). Servers are renamed to
// test-bed Docker hosts' addresses (unmanaged) and images to the bed's small local app image.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, CLEAN_ENSEMBLE, HITC, hitc, sandbox } from './bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
const [wp, gr] = b.dockerHosts as [string, string];
const app = b.appImages?.httpd as string;
const box = sandbox();
const run = (args: string[]) => hitc(box, args, { timeoutMs: 180_000 });
before(() => run(['-P', '-H', `${wp},${gr}`, '--', CLEAN_ENSEMBLE]));
after(() => run(['-P', '-H', `${wp},${gr}`, '--', CLEAN_ENSEMBLE]));

async function page(host: string): Promise<string> {
  try {
    return (await (await fetch(`http://${host}/`, { signal: AbortSignal.timeout(3000) })).text()).trim();
  } catch {
    return 'unreachable';
  }
}

test("the tutorial's wordpress.yml", async () => {
  writeFileSync(join(box.dir, 'wordpress.yml'), `# wordpress.yml
${wp}:
  containers:
    wordpress:
      image: ${app}
      ports:
        - 80
`);
  const up = await run(['ensemble.up:wordpress', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.equal(await page(wp), '<h1>hitc test app</h1>');
  const ps = await run(['-H', wp, 'docker.ps']);
  assert.match(ps.stdout, /wordpress +172\.[\d.]+ +80:80 /);
  assert.match((await run(['ensemble.up:wordpress', '--yes'])).stdout, /No changes\./);
  await run(['-H', wp, 'docker.kill:wordpress']);

  // at a terminal the same apply is a live list (listr2) that ends with every step ticked
  const cmd = `stty cols 120 rows 40; '${process.execPath}' '${HITC}' -F '${box.sshConfig}' ensemble.up:wordpress --yes`;
  const tty = spawnSync('script', ['-qefc', cmd, '/dev/null'], { cwd: box.dir, env: { PATH: process.env.PATH ?? '', HOME: box.home, NO_COLOR: '1', TERM: 'xterm' }, encoding: 'utf8', timeout: 120_000 });
  assert.equal(tty.status, 0, tty.stdout);
  assert.match(tty.stdout, /\u001b\[2K/, 'the list redraws in place');
  assert.match(tty.stdout, /✔ create container wordpress on [\d.]+: started \(172\.[\d.]+\): no such container/);
  assert.match(tty.stdout, /converged: observing again finds no changes/);
  assert.doesNotMatch(tty.stdout, /→ create container/, 'no plain progress lines at a terminal');
  await run(['-H', wp, 'docker.kill:wordpress']);
});

test("the slides' longer example: templates, ${host.name}, _DEPENDS and $internal_ips", async () => {
  writeFileSync(join(box.dir, 'slides.yml'), `${wp}:
  containers:
    wordpress:
      image: ${app}
      ports:
        - 80
    serverstats:
      image: ${app}
      environment:
        HOST_NAME: \${host.name}
        GRAPHITE_HOST: \${${gr}.ip}
        # hack to make sure the graphite container is up before we stream data to it
        _DEPENDS: \${${gr}.containers.graphite.ip}
  firewall:
    template: default_firewall

${gr}:
  containers:
    graphite:
      image: ${app}
      ports:
        - 80
        - 2003
  firewall:
    template: default_firewall

templates:
  default_firewall:
    22: "*"
    80: "*"
    "*/*": $internal_ips
`);
  const up = await run(['ensemble.up:slides', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, /The following servers will get new firewalls:\n.*\(3 rules total\)/);
  const env = await run(['-H', wp, '--', 'docker inspect -f "{{range .Config.Env}}{{println .}}{{end}}" serverstats | grep -E "^(HOST_NAME|GRAPHITE_HOST|_DEPENDS)="']);
  assert.match(env.stdout, new RegExp(`out: HOST_NAME=${wp.replace(/\./g, '\\.')}`));
  assert.match(env.stdout, new RegExp(`out: GRAPHITE_HOST=${gr.replace(/\./g, '\\.')}`));
  assert.match(env.stdout, /out: _DEPENDS=172\.[\d.]+/);
  assert.equal(await page(gr), '<h1>hitc test app</h1>', 'port 80 is open to everyone');
  const rules = await run(['-H', gr, '--', 'iptables -S HITC-FW']);
  assert.match(rules.stdout, new RegExp(`-A HITC-FW -s ${wp.replace(/\./g, '\\.')}/32 -p tcp -j RETURN`), 'the manifest\'s servers may use any port');
  assert.match((await run(['ensemble.up:slides', '--yes'])).stdout, /No changes\./);
});
