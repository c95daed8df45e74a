// Safety (issue 9): a NUL byte in any value is refused with a clear error and never sent. A NUL
// cannot survive a shell line or argv: sent anyway, `touch /tmp/x-a\0b` would touch /tmp/x-a,
// a file nobody named. exec() cannot put a NUL in hitc's argv, so the values come from where
// they can: a hitcfile (task defaults, computed values), a manifest ("\0" in YAML), and main()
// called directly. Each case asserts the message, the exit code, and that nothing ran on the host.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, hitc, REPO, sandbox } from '../integration/bed.ts';

const b = bed();
const host = b.hosts[3] as string;
const box = sandbox();
const MARK = '/tmp/sf-props-nul';

box.hitcfile(`
import { task, sh, raw } from 'hitc';
const cut = '${MARK}-a' + String.fromCharCode(0) + 'b';
// a task default carrying a NUL, interpolated into sh\`\`
export const viaSh = task({ params: { path: { type: 'string', default: cut } } }, async (c, { path }) => {
  await c.run(sh\`touch \${path}\`);
});
export const viaString = task(async (c) => { await c.run('touch ' + cut); });
export const viaArgv = task(async (c) => { await c.run(['touch', cut]); });
export const viaSudo = task(async (c) => { await c.sudo(sh\`touch \${cut}\`); });
export const viaRaw = task(async (c) => { await c.run(sh\`touch \${raw(cut)}\`); });
// file transfers: SFTP and the local file system would cut or reject the path
export const viaPut = task(async (c) => { await c.put('hitcfile.ts', cut); });
export const viaGet = task(async (c) => { await c.get('/etc/hostname', 'got' + String.fromCharCode(0) + 'x'); });
// the control: the same shape without a NUL does run
export const control = task(async (c) => { await c.run(sh\`touch \${'${MARK}-control'}\`); });
`);

/** Which of our marker files exist on the host (read over a separate hitc run). */
async function markers(): Promise<string> {
  const r = await hitc(box, ['-H', host, '--', `for f in ${MARK}-*; do [ -e "$f" ] && echo "FOUND:$f"; done; true`]);
  assert.equal(r.code, 0, r.stderr);
  return [...r.stdout.matchAll(/FOUND:(\/tmp\/sf-props-nul[^\s"]*)/g)].map((m) => m[1]).join(',');
}

before(async () => {
  await hitc(box, ['-H', host, '--', `rm -f ${MARK}-*`]);
  assert.equal(await markers(), '', 'no marker before the cases');
});
after(async () => {
  await hitc(box, ['-H', host, '--', `rm -f ${MARK}-*`]);
});

test('the control task runs (so "nothing ran" below means something)', async () => {
  const r = await hitc(box, ['-H', host, 'control']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(await markers(), /sf-props-nul-control/);
});

for (const [name, role] of [
  ['viaSh', /the value after "touch " in a command contains a NUL byte/],
  ['viaString', /the command contains a NUL byte/],
  ['viaArgv', /argument 1 of "touch" contains a NUL byte/],
  ['viaSudo', /the value after "touch " in a command contains a NUL byte/],
  ['viaRaw', /a raw\(\) shell fragment contains a NUL byte/],
  ['viaPut', /put: the remote path contains a NUL byte/],
  ['viaGet', /get: the local path contains a NUL byte/],
] as const) {
  test(`a NUL in a command value (${name}) is a usage error, exit 2, and nothing runs on the host`, async () => {
    const r = await hitc(box, ['-H', host, name]);
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout + r.stderr, role);
    assert.match(r.stdout + r.stderr, /which no shell command or argv can carry; nothing was sent/);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, 'no stack trace');
    assert.doesNotMatch(await markers(), /sf-props-nul-a/, 'the truncated path was never touched');
  });
}

test('--json: the NUL refusal is a usage error in the JSON document', async () => {
  const r = await hitc(box, ['--json', '-H', host, 'viaSh']);
  assert.equal(r.code, 2, r.stderr);
  const doc = JSON.parse(r.stdout) as { ok: boolean; exitCode: number };
  assert.equal(doc.ok, false);
  assert.equal(doc.exitCode, 2);
  assert.match(r.stdout, /"kind": "usage"/);
  assert.match(r.stdout, /contains a NUL byte/);
  assert.doesNotMatch(await markers(), /sf-props-nul-a/);
});

test('a manifest value with "\\0" is refused at its file:line before any host is contacted', async () => {
  writeFileSync(join(box.dir, 'sf-props-nul.yml'), `${host}:\n  containers:\n    sf-props-app:\n      image: httpd\n      command: "httpd -f\\0; touch ${MARK}-manifest"\n`);
  const r = await hitc(box, ['ensemble.plan:sf-props-nul']);
  assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout + r.stderr, /sf-props-nul\.yml/);
  assert.match(r.stdout + r.stderr, /line 5|:5\b/);
  assert.match(r.stdout + r.stderr, /NUL byte/);
  assert.doesNotMatch(await markers(), /manifest/);
});

test('main() given a NUL in argv (what exec cannot pass) refuses it: exit 2, nothing runs', () => {
  const code = `import { main } from ${JSON.stringify(join(REPO, 'src/cli/main.ts'))};
process.exitCode = await main(['-F', ${JSON.stringify(box.sshConfig)}, '-H', ${JSON.stringify(host)}, '--', 'touch ${MARK}-argv' + String.fromCharCode(0) + 'x']);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO, env: { ...process.env, HOME: box.home, NO_COLOR: '1' }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /argument 6 contains a NUL byte/);
  const check = spawnSync('ssh', ['-F', box.sshConfig, '-o', 'BatchMode=yes', host, `ls ${MARK}-argv 2>/dev/null; true`], { encoding: 'utf8' });
  assert.equal(check.stdout, '');
});
