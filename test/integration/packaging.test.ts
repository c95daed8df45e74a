// What `npm pack` ships is enough to run hitc, and nothing more: the tarball is installed
// globally into a temporary prefix and its `hitc` starts a project from an empty directory.
// (Install scripts are skipped: they only build ssh2's optional native speed-up, which hitc
// does without, and they would make this test minutes long.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO } from './bed.ts';
import { tempDir } from '../helpers/temp.ts';

const work = tempDir('hitc-pack-');
after(() => rmSync(work, { recursive: true, force: true }));

test('the packed tarball ships only what runs, installs globally, and its hitc runs init and -l in an empty directory', { timeout: 600_000 }, () => {
  const listing = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' })) as [{ files: { path: string }[] }];
  const paths = listing[0].files.map((f) => f.path);
  const stray = paths.filter((p) => !/^(bin|src|templates|schema)\//.test(p) && !['package.json', 'README.md', 'hitcfile.example.ts'].includes(p));
  assert.deepEqual(stray, [], 'only the program, its templates and schema, the README and the example');
  assert.ok(paths.includes('bin/hitc.mjs') && paths.includes('src/cli/main.ts') && paths.includes('templates/ensemble.example.yml') && paths.includes('schema/manifest.schema.json'));
  assert.ok(!paths.some((p) => p.startsWith('test/') || p.startsWith('bench/') || p.startsWith('.ci/')), 'no tests, benches or CI');

  execFileSync('npm', ['pack', REPO, '--silent', '--ignore-scripts'], { cwd: work, encoding: 'utf8' });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote a tarball');
  const prefix = join(work, 'prefix');
  const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, join(work, tarball), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { encoding: 'utf8', timeout: 480_000 });
  assert.equal(install.status, 0, `npm install -g failed:\n${install.stdout}${install.stderr}`);

  const project = join(work, 'empty');
  mkdirSync(project);
  const hitc = (args: string[]) => spawnSync(join(prefix, 'bin', 'hitc'), args, { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', HOME: work }, timeout: 120_000 });
  const init = hitc(['init']);
  assert.equal(init.status, 0, init.stdout + init.stderr);
  assert.ok(existsSync(join(project, 'hitcfile.ts')) && existsSync(join(project, 'ensemble.yml')), 'init wrote the hitcfile and the example manifest');
  const schemaLine = /^# yaml-language-server: \$schema=(.+)$/m.exec(readFileSync(join(project, 'ensemble.yml'), 'utf8'))?.[1] ?? '';
  assert.ok(schemaLine.startsWith(prefix) && existsSync(schemaLine), `the manifest points editors at the installed schema (${schemaLine})`);
  const list = hitc(['-l']);
  assert.equal(list.status, 0, list.stdout + list.stderr);
  assert.match(list.stdout, /ensemble\.up/, 'the built-in modules are there');
  assert.match(list.stdout, new RegExp(`Tasks from ${project.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/hitcfile\\.ts`), 'and the new hitcfile is read');
});

test('installed in a project (npm install), init points the manifest at the schema relatively, so the line holds on every checkout', { timeout: 600_000 }, () => {
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'the first test packed hitc');
  const project = join(work, 'local');
  const ops = join(project, 'ops');
  mkdirSync(ops, { recursive: true });
  writeFileSync(join(project, 'package.json'), '{"name": "a-project", "private": true}\n');
  const install = spawnSync('npm', ['install', join(work, tarball), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project, encoding: 'utf8', timeout: 480_000 });
  assert.equal(install.status, 0, `npm install failed:\n${install.stdout}${install.stderr}`);
  for (const [dir, expected] of [[project, './node_modules/hitc/schema/manifest.schema.json'], [ops, '../node_modules/hitc/schema/manifest.schema.json']] as const) {
    const init = spawnSync(join(project, 'node_modules', '.bin', 'hitc'), ['init'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', HOME: work }, timeout: 120_000 });
    assert.equal(init.status, 0, init.stdout + init.stderr);
    const schemaLine = /^# yaml-language-server: \$schema=(.+)$/m.exec(readFileSync(join(dir, 'ensemble.yml'), 'utf8'))?.[1];
    assert.equal(schemaLine, expected);
    assert.ok(existsSync(resolve(dir, schemaLine)), 'and the schema is there');
  }
});
