// The CLI as a user meets it, without hosts: list, display, init, usage errors, exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers/temp.ts';

const REPO = resolve(import.meta.dirname, '../..');
const run = (args: string[], cwd = REPO) => spawnSync(process.execPath, [join(REPO, 'bin/hitc.mjs'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

test('hitc -f hitcfile.example.ts -l lists the tasks with descriptions', () => {
  const r = run(['-f', 'hitcfile.example.ts', '-l']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /deploy +Check out a git ref/);
  assert.match(r.stdout, /db\.shell +Open psql/);
  assert.match(r.stdout, /init +Write a starter hitcfile/);
});

test('-d shows arguments with types and defaults', () => {
  const r = run(['-f', 'hitcfile.example.ts', '-d', 'logs']);
  assert.match(r.stdout, /lines +number +\(default 20\)/);
});

test('user errors: one message, a hint, exit 2, no stack', () => {
  for (const [args, pattern] of [
    [['-f', 'hitcfile.example.ts', 'deplyo'], /unknown task "deplyo"\nhint: did you mean deploy\?/],
    [['-f', 'hitcfile.example.ts', 'logs:lines=many'], /argument lines must be a number/],
    [['-f', 'hitcfile.example.ts', '-R', 'wbe', 'uptime'], /role "wbe" matches no role\nhint: did you mean web\?/],
    [['--bogus'], /unknown option --bogus/],
    [['-f', 'missing.ts', '-l'], /hitcfile missing.ts not found/],
    [['-H', 'a:99999', '--', 'true'], /invalid host "a:99999": port 99999 is out of range/],
  ] as const) {
    const r = run([...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('hitc init writes the templates and never overwrites without --force', () => {
  const dir = tempDir('hitc-init-');
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  assert.equal(run(['init'], dir).status, 0);
  assert.ok(existsSync(join(dir, 'hitcfile.ts')) && existsSync(join(dir, 'ensemble.yml')));
  writeFileSync(join(dir, 'hitcfile.ts'), '// mine\n');
  const again = run(['init'], dir);
  assert.equal(again.status, 2);
  assert.match(again.stdout + again.stderr, /already exist.*\nhint: hitc init --force/);
  assert.equal(readFileSync(join(dir, 'hitcfile.ts'), 'utf8'), '// mine\n');
  assert.equal(run(['init', '--force'], dir).status, 0);
  assert.notEqual(readFileSync(join(dir, 'hitcfile.ts'), 'utf8'), '// mine\n');
  // the written hitcfile loads and lists its tasks
  assert.match(run(['-l'], dir).stdout, /uptime +Show load and uptime/);
});

test('the example hitcfile and all sources type-check (the public API cannot drift)', () => {
  const r = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', REPO], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('--version and --help', () => {
  assert.match(run(['-V']).stdout, /^hitc \d+\.\d+\.\d+/);
  assert.match(run(['--help']).stdout, /-H, --hosts LIST/);
});

test('--json: an error before any run is the same JSON error a run carries, with its file and line', () => {
  const dir = tempDir('hitc-json-fatal-');
  writeFileSync(join(dir, 'hitcfile.ts'), 'import { task } from "hitc";\nexport const x = task({}, async () => {\n');
  const r = run(['--json', '-l'], dir);
  assert.equal(r.status, 2, r.stderr);
  const out = JSON.parse(r.stdout) as { ok: boolean; exitCode: number; error: { kind: string; file: string; line: number; hint?: string } };
  assert.deepEqual({ ok: out.ok, exitCode: out.exitCode, kind: out.error.kind, file: out.error.file, line: out.error.line }, { ok: false, exitCode: 2, kind: 'config', file: join(dir, 'hitcfile.ts'), line: 3 });
  assert.ok(out.error.hint);
});
