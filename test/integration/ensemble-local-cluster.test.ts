// A local ensemble is a cluster: its three servers share a network of their own and find each
// other as NAME and NAME.ENSEMBLE; ensemble.down (dry_run first) removes exactly its servers and
// that network, while another local server lives on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hitc, localProviderEnv, sandbox } from './bed.ts';

const box = sandbox({ knownHosts: '' });
const id = process.pid % 10000;
const ens = `sf-cluster-${id}`;
const [a, b, other] = [`sfc${id}a`, `sfc${id}b`, `sfc${id}x`];
const hostsFile = join(box.dir, 'hosts');
const theirs = '127.0.0.1\tlocalhost\n10.1.2.3 keep-me # hitc ensemble=someone-else\n';
writeFileSync(hostsFile, theirs);
const env = { ...localProviderEnv(box), HITC_HOSTS_FILE: hostsFile };
const run = (args: string[]) => hitc(box, args, { env, timeoutMs: 600_000 });
const dockerOut = (args: string[]): string => {
  try {
    return execFileSync('docker', args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch {
    return '';
  }
};

after(async () => {
  for (const role of [a, b, other]) await run(['-R', role, 'terminate', '--yes']);
  // whatever a failed run left (a server that never answered is no role to terminate)
  for (const c of dockerOut(['ps', '-aq', '--filter', `label=hitc.local.ensemble=${ens}`]).split('\n').filter(Boolean)) dockerOut(['rm', '-fv', c]);
  dockerOut(['rm', '-fv', `HITC-${other}`]);
  for (const net of dockerOut(['network', 'ls', '-q', '--filter', `label=hitc.local.ensemble=${ens}`]).split('\n').filter(Boolean)) dockerOut(['network', 'rm', net]);
});

test('a 3-server local ensemble resolves NAME and NAME.ENSEMBLE; down removes only it', { timeout: 900_000 }, async () => {
  const created = await run([`create:provider=local,name=${other}`]);
  assert.equal(created.code, 0, created.stdout + created.stderr);
  writeFileSync(join(box.dir, 'cluster.yml'), `name: ${ens}\n${a}:\n  provider: local\n  count: 2\n${b}:\n  provider: local\n`);
  const up = await run(['ensemble.up:cluster', '--yes']);
  assert.equal(up.code, 0, up.stdout + up.stderr);

  const names = [a, `${a}-1`, b];
  const resolved = await run(['-H', `${a}-1`, '--', `for n in ${names.flatMap((n) => [n, `${n}.${ens}`]).join(' ')}; do getent hosts $n >/dev/null && echo "found $n" || echo "missing $n"; done`]);
  assert.equal(resolved.code, 0, resolved.stdout + resolved.stderr);
  for (const n of names) {
    assert.match(resolved.stdout, new RegExp(`out: found ${n}\\n`));
    assert.match(resolved.stdout, new RegExp(`out: found ${n}\\.${ens}\\n`));
  }
  assert.doesNotMatch(resolved.stdout, /out: missing/);
  assert.match(dockerOut(['network', 'inspect', '--format', '{{range .Containers}}{{.Name}} {{end}}', `hitc-ens-${ens}`]), new RegExp(`HITC-${b}`));

  // cp names the servers as -H does (node names of the local provider), server to server through here
  writeFileSync(join(box.dir, 'note.txt'), 'from here\n');
  const up1 = await run([`cp:note.txt,${a}:/tmp/`]);
  assert.equal(up1.code, 0, up1.stdout + up1.stderr);
  const across = await run([`cp:${a}:/tmp/note.txt,${b}:/root/note-copy.txt`]);
  assert.equal(across.code, 0, across.stdout + across.stderr);
  assert.match((await run(['-H', b, '--', 'cat /root/note-copy.txt'])).stdout, /out: from here\n/);

  // opt-in hosts lines for this machine, only ever beside the lines hitc did not write
  const hosts = await run(['ensemble.hosts:cluster']);
  assert.equal(hosts.code, 0, hosts.stdout + hosts.stderr);
  const written = readFileSync(hostsFile, 'utf8');
  assert.ok(written.startsWith(theirs), written);
  for (const n of names) assert.match(written, new RegExp(`^172\\.[\\d.]+\\t${n} ${n}\\.${ens}\\t# hitc ensemble=${ens}$`, 'm'));

  const dry = await run(['ensemble.down:cluster,dry_run=true']);
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.match(dry.stdout, new RegExp(`ensemble ${ens}: 5 things to remove`));
  assert.match(dry.stdout, new RegExp(`- remove ensemble ${ens}'s lines from ${hostsFile}`));
  assert.equal(readFileSync(hostsFile, 'utf8'), written, 'dry_run changed nothing');
  for (const n of names) assert.match(dry.stdout, new RegExp(`- terminate local server ${n} \\(`));
  assert.match(dry.stdout, new RegExp(`- remove local network hitc-ens-${ens}\\n`));
  assert.doesNotMatch(dry.stdout, new RegExp(other));
  const listed = await run(['nodes']);
  for (const n of [...names, other]) assert.match(listed.stdout, new RegExp(`${n} +172\\.[\\d.]+ +running`), 'dry_run changed nothing');
  // nodes groups them: the ensemble's three under its name, the other apart (id, ports, image shown)
  const group = listed.stdout.slice(listed.stdout.indexOf(`ensemble ${ens}`));
  assert.match(group, new RegExp(`^ensemble ${ens}\\n(.*\\n)?.*name +ip +state +id +ports +image +created\\n(.*${a}(-1)? +172[^\\n]+ [0-9a-f]{12} +[^\\n]*hitc[^\\n]*\\n){2}.*${b} +172`));
  assert.match(listed.stdout, new RegExp(`no ensemble\\n.*\\n(.*\\n)*.*${other} +172`));

  const noTty = await run(['ensemble.down:cluster']);
  assert.equal(noTty.code, 2, 'no terminal and no --yes: refused');
  const down = await run(['ensemble.down:cluster', '--yes']);
  assert.equal(down.code, 0, down.stdout + down.stderr);
  const left = await run(['nodes']);
  for (const n of names) assert.doesNotMatch(left.stdout, new RegExp(`\\b${n} `));
  assert.match(left.stdout, new RegExp(`${other} +172\\.[\\d.]+ +running`), 'the other local server lives on');
  assert.equal(dockerOut(['network', 'ls', '-q', '--filter', `name=^hitc-ens-${ens}$`]).trim(), '');
  assert.equal(readFileSync(hostsFile, 'utf8'), theirs, 'only the lines hitc wrote went');
  const again = await run(['ensemble.down:cluster', '--yes']);
  assert.match(again.stdout, new RegExp(`ensemble ${ens}: nothing to remove`));
});
