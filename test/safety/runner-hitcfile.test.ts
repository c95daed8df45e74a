// Code hitc imports comes only from places the user alone controls: the hitcfile search stops
// at $HOME and at directories others own or may write to, and the compile cache is used only
// when it is the user's alone (else the hitcfile is compiled into a fresh private directory).
// Local only: a fake HOME in a temp dir, "another user" is uid 65534.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers/temp.ts';

const HITC = process.env.HITC_BIN ?? resolve(import.meta.dirname, '../../bin/hitc.mjs');
if (process.getuid?.() !== 0) throw new Error('these tests make directories owned by another uid: run them as root');

const root = tempDir('sf-runner-');
after(() => rmSync(root, { recursive: true, force: true }));

function cli(cwd: string, args: string[], env: Record<string, string>): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [HITC, ...args], { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

const planted = (marker: string): string => `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'imported');\nexport const planted = 1;\n`;
const honest = "import { task } from 'hitc';\nexport const mine = task({ description: 'the user\\'s own task' }, async () => {});\n";

function project(base: string): string {
  mkdirSync(base, { recursive: true });
  writeFileSync(join(base, 'package.json'), '{"type":"module"}\n');
  writeFileSync(join(base, 'hitcfile.ts'), honest);
  return base;
}

test('a hitcfile in a world-writable parent (like /tmp) is not loaded', () => {
  const shared = join(root, 'shared');
  mkdirSync(join(shared, 'work', 'sub'), { recursive: true });
  chmodSync(shared, 0o1777);
  const marker = join(root, 'shared-imported');
  writeFileSync(join(shared, 'hitcfile.ts'), planted(marker));
  const home = join(root, 'home-a');
  mkdirSync(home);
  const r = cli(join(shared, 'work', 'sub'), ['-l'], { HOME: home });
  assert.equal(r.code, 0, r.out);
  assert.ok(!existsSync(marker), 'the planted hitcfile was imported');
  assert.match(r.out, new RegExp(`no hitcfile found \\(searched ${join(shared, 'work', 'sub')}, ${join(shared, 'work')}; stopped: ${shared} is writable by every user \\(mode 1777\\)\\)`));
  const u = cli(join(shared, 'work', 'sub'), ['planted'], { HOME: home });
  assert.equal(u.code, 2, u.out);
  assert.match(u.out, /unknown task "planted"/);
  assert.match(u.out, /no hitcfile found \(searched .*; name one with -f PATH/);
  assert.ok(!existsSync(marker));
});

test("a hitcfile in a directory another user owns is not loaded; -f still loads a named one", () => {
  const theirs = join(root, 'theirs');
  mkdirSync(join(theirs, 'mine'), { recursive: true });
  const marker = join(root, 'theirs-imported');
  writeFileSync(join(theirs, 'hitcfile.ts'), planted(marker));
  chownSync(theirs, 65534, 65534);
  chownSync(join(theirs, 'hitcfile.ts'), 65534, 65534);
  const home = join(root, 'home-b');
  mkdirSync(home);
  const r = cli(join(theirs, 'mine'), ['-l'], { HOME: home });
  assert.equal(r.code, 0, r.out);
  assert.ok(!existsSync(marker), 'the planted hitcfile was imported');
  assert.match(r.out, new RegExp(`stopped: ${theirs} is owned by uid 65534, not by you \\(uid 0\\)`));
  // naming it is the user's explicit choice
  const f = cli(join(theirs, 'mine'), ['-f', '../hitcfile.ts', '-l'], { HOME: home });
  assert.equal(f.code, 0, f.out);
  assert.ok(existsSync(marker), '-f should load the named file');
});

test('the search stops at $HOME: a hitcfile above it is not loaded, one below it is', () => {
  const above = join(root, 'above');
  const home = join(above, 'home');
  mkdirSync(join(home, 'proj', 'deep'), { recursive: true });
  const marker = join(root, 'above-imported');
  writeFileSync(join(above, 'hitcfile.ts'), planted(marker));
  const r = cli(join(home, 'proj', 'deep'), ['-l'], { HOME: home });
  assert.equal(r.code, 0, r.out);
  assert.ok(!existsSync(marker), 'a hitcfile above $HOME was imported');
  assert.match(r.out, new RegExp(`searched ${join(home, 'proj', 'deep')}, ${join(home, 'proj')}, ${home}; stopped: ${home} is your home directory`));
  project(join(home, 'proj'));
  const ok = cli(join(home, 'proj', 'deep'), ['-l'], { HOME: home });
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, new RegExp(`Tasks from ${join(home, 'proj', 'hitcfile.ts')}`));
  assert.match(ok.out, /mine +the user's own task/);
});

function cachedFiles(dir: string): { mjs: string; json: string } {
  const names = readdirSync(dir);
  const mjs = names.find((n) => n.endsWith('.mjs'));
  const json = names.find((n) => n.endsWith('.json'));
  assert.ok(mjs && json, `no compiled hitcfile in ${dir}: ${names.join(', ')}`);
  return { mjs: join(dir, mjs), json: join(dir, json) };
}

test('the compile cache is ~/.cache/hitc (XDG_CACHE_HOME honoured), made 0700', () => {
  const home = join(root, 'home-c');
  const proj = project(join(home, 'proj'));
  const r = cli(proj, ['-l'], { HOME: home });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /mine +the user's own task/);
  const cache = join(home, '.cache', 'hitc');
  assert.equal(statSync(cache).mode & 0o777, 0o700);
  cachedFiles(cache);
  const xdg = join(root, 'xdg-c');
  const x = cli(proj, ['-l'], { HOME: home, XDG_CACHE_HOME: xdg });
  assert.equal(x.code, 0, x.out);
  assert.equal(statSync(join(xdg, 'hitc')).mode & 0o777, 0o700);
  cachedFiles(join(xdg, 'hitc'));
});

for (const [name, spoil] of [
  ['owned by another user', (dir: string) => { for (const f of readdirSync(dir)) chownSync(join(dir, f), 65534, 65534); chownSync(dir, 65534, 65534); }],
  ['writable by others', (dir: string) => chmodSync(dir, 0o777)],
] as const) {
  test(`a compile cache ${name} is never imported from`, () => {
    const home = join(root, `home-${name.split(' ')[0]}`);
    const proj = project(join(home, 'proj'));
    const xdg = join(root, `xdg-${name.split(' ')[0]}`);
    const first = cli(proj, ['-l'], { HOME: home, XDG_CACHE_HOME: xdg });
    assert.equal(first.code, 0, first.out);
    const cache = join(xdg, 'hitc');
    const { mjs } = cachedFiles(cache);
    // someone else now controls the directory and swaps the compiled code (the manifest
    // still says it is fresh)
    const marker = join(root, `cache-imported-${name.split(' ')[0]}`);
    writeFileSync(mjs, planted(marker));
    spoil(cache);
    const before = readFileSync(mjs, 'utf8');
    const r = cli(proj, ['-l'], { HOME: home, XDG_CACHE_HOME: xdg });
    assert.equal(r.code, 0, r.out);
    assert.ok(!existsSync(marker), 'code from a cache someone else controls was imported');
    assert.match(r.out, /mine +the user's own task/);
    assert.equal(readFileSync(mjs, 'utf8'), before, 'hitc wrote into a directory it does not trust');
    // the private directory it compiled into is gone
    assert.deepEqual(readdirSync(proj).filter((n) => n.startsWith('.hitc-') || n === 'node_modules'), []);
  });
}

test('the old shared /tmp/hitc-cache-<uid> is never used', () => {
  const home = join(root, 'home-d');
  const proj = project(join(home, 'proj'));
  const first = cli(proj, ['-l'], { HOME: home });
  assert.equal(first.code, 0, first.out);
  const { mjs, json } = cachedFiles(join(home, '.cache', 'hitc'));
  const manifest = readFileSync(json);
  rmSync(join(home, '.cache'), { recursive: true });
  // another user plants a fresh-looking compiled hitcfile where older hitc looked
  const shared = join(tmpdir(), `hitc-cache-${process.getuid?.()}`);
  mkdirSync(shared, { recursive: true });
  const names = [join(shared, mjs.split('/').pop() as string), join(shared, json.split('/').pop() as string)];
  after(() => { for (const n of names) rmSync(n, { force: true }); });
  const marker = join(root, 'tmp-cache-imported');
  writeFileSync(names[0] as string, planted(marker));
  writeFileSync(names[1] as string, manifest);
  const r = cli(proj, ['-l'], { HOME: home });
  assert.equal(r.code, 0, r.out);
  assert.ok(!existsSync(marker), 'the planted /tmp cache was imported');
  assert.match(r.out, /mine +the user's own task/);
});
