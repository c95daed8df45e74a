// The local provider against the real Docker Engine: create → nodes → -R → rename → terminate,
// with no test server at all. Servers are containers running sshd and their own dockerd.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { join } from 'node:path';
import { bed, hitc, sandbox, cacheFile } from './bed.ts';

bed(); // the bed's base image (hitc-bed-base) stands in for debian:bookworm-slim, which no registry here serves
const box = sandbox({ knownHosts: '' });
const env = {
  HITC_LOCAL_BASE_IMAGE: 'hitc-bed-base:bookworm',
  HITC_CACHE_FILE: cacheFile(),
  HITC_LOCAL_KEY: join(box.dir, 'local_key'),
};
const name = `lt${process.pid % 10000}`;
const run = (args: string[], timeoutMs = 300_000) => hitc(box, args, { env, timeoutMs });

test('local provider: create 2, list, run on the role, rename, terminate', { timeout: 900_000 }, async () => {
  const { execFileSync } = await import('node:child_process');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', env.HITC_LOCAL_KEY]);
  const created = await run([`create:provider=local,name=${name},count=2`], 900_000);
  assert.equal(created.code, 0, created.stdout + created.stderr);
  assert.match(created.stdout, new RegExp(`ready: ${name} \\(172\\.[\\d.]+\\), ${name}-1`));

  const nodes = await run(['nodes']);
  assert.match(nodes.stdout, new RegExp(`${name} +172\\.[\\d.]+ +running`));
  assert.match(nodes.stdout, new RegExp(`${name}-1 +172\\.[\\d.]+ +running`));

  const onRole = await run(['-R', name, '-P', '--', 'hostname; docker info --format "{{.ServerVersion}}"']);
  assert.equal(onRole.code, 0, onRole.stdout + onRole.stderr);
  assert.match(onRole.stdout, new RegExp(`out: ${name}\\n`));
  assert.match(onRole.stdout, new RegExp(`out: ${name}-1\\n`));
  assert.equal((onRole.stdout.match(/out: \d+\.\d+/g) ?? []).length, 2, 'each server runs its own dockerd');

  const renamed = await run(['-R', name, `rename:${name}x`]);
  assert.equal(renamed.code, 0, renamed.stdout + renamed.stderr);
  assert.match(renamed.stdout, new RegExp(`renaming ${name} to ${name}x\\n[\\s\\S]*renaming ${name}-1 to ${name}x-1`));
  const noRole = await run(['-R', name, '--', 'true']);
  assert.equal(noRole.code, 2);
  assert.match(noRole.stderr, new RegExp(`role "${name}" matches no role`));

  const gone = await run(['-R', `${name}x`, 'terminate', '--yes']);
  assert.equal(gone.code, 0, gone.stdout + gone.stderr);
  const after = await run(['nodes']);
  assert.doesNotMatch(after.stdout, new RegExp(name));
});

test('bad input: unknown provider, local options, and terminate without a selection', async () => {
  const unknown = await run(['create:provider=nope,name=x']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stdout + unknown.stderr, /unknown provider "nope"/);
  const opts = await run(['create:provider=local,name=x,size=big']);
  assert.equal(opts.code, 2);
  assert.match(opts.stdout + opts.stderr, /the local provider takes no options \(got size\)/);
  const all = await run(['terminate', '--yes']);
  assert.equal(all.code, 2);
  assert.match(all.stderr, /no hosts selected for task terminate/);
});
