// Image freshness: a tag that moved in the registry (a new build pushed as :fresh) is not a change
// until it is on the server; pull=true fetches it first, and then the container running the older
// build is replaced with a reason that names both builds. A second up changes nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, CLEAN_ENSEMBLE, hitc, sandbox } from './bed.ts';

const b = bed() as ReturnType<typeof bed> & { dockerHosts?: string[]; appImages?: { httpd: string } };
const host = (b.dockerHosts as string[])[0] as string;
const base = b.appImages?.httpd as string;
const fresh = base.replace(/:latest$/, ':fresh');
const box = sandbox();
const run = (args: string[]) => hitc(box, args, { timeoutMs: 120_000 });
after(() => run(['-H', host, '--', `${CLEAN_ENSEMBLE}; docker rmi -f ${fresh} >/dev/null 2>&1; true`]));

/** Build and push a new build of the :fresh tag (only a label differs). */
function publish(build: number): void {
  execFileSync('docker', ['build', '-q', '-t', fresh, '-'], { input: `FROM ${base}\nLABEL hitc.test.build=${build}\n`, stdio: ['pipe', 'ignore', 'inherit'] });
  execFileSync('docker', ['push', '-q', fresh], { stdio: 'ignore' });
}

test('a moved tag is a change only once pulled: pull=true shows it, up replaces the container on the older build', async () => {
  await run(['-H', host, '--', CLEAN_ENSEMBLE]);
  publish(1);
  writeFileSync(join(box.dir, 'img.yml'), `${host}:\n  containers:\n    fresh:\n      image: ${fresh}\n      ports: ["80:8090"]\n`);
  const up = await run(['ensemble.up:img', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);

  publish(2);
  const still = await run(['ensemble.plan:img,exit_code=true']);
  assert.equal(still.code, 0, `without pull the server's own image is the truth\n${still.stdout}`);
  const pulled = await run(['ensemble.plan:img,pull=true,exit_code=true']);
  assert.equal(pulled.code, 3, pulled.stdout + pulled.stderr);
  assert.match(pulled.stdout, /Pulling images and calculating changes\.\.\.\nEnsemble img[^\n]*\nThe following containers will restart:\n {2}fresh \([\d.]+\): image .*:fresh is a newer build on the server \([0-9a-f]{12} → [0-9a-f]{12}\)/);

  const replaced = await run(['ensemble.up:img', '--yes']);
  assert.equal(replaced.code, 0, replaced.stdout + replaced.stderr);
  assert.match(replaced.stdout, /converged/);
  const label = await run(['-H', host, '--', 'docker inspect -f "{{index .Config.Labels \\"hitc.test.build\\"}}" fresh']);
  assert.match(label.stdout, /out: 2/);
  assert.match((await run(['ensemble.up:img,pull=true', '--yes'])).stdout, /No changes\./);
});
