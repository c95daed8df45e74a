import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadHitcfile } from '../../src/taskfile/load.ts';
import { TaskRegistry } from '../../src/taskfile/registry.ts';
import { findHitcfile } from '../../src/taskfile/find.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { tempDir } from '../helpers/temp.ts';

function project(source: string): string {
  const dir = tempDir('hitc-load-');
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(join(dir, 'hitcfile.ts'), source);
  return dir;
}

test('exported tasks and nested namespaces become dotted names', async () => {
  const dir = project(`import { task } from 'hitc';
export const a = task(async () => {});
export const docker = { ps: task(async () => {}), deep: { x: task(async () => {}) } };
export const notATask = 42;`);
  const registry = new TaskRegistry();
  registry.addModule(await loadHitcfile(join(dir, 'hitcfile.ts')), 'test');
  assert.deepEqual(registry.list().map((t) => t.name), ['a', 'docker.deep.x', 'docker.ps']);
});

test('a syntax error is reported at file:line', async () => {
  const dir = project(`import { task } from 'hitc';\nexport const a = task(async () => {\n  const x = ;\n});\n`);
  await assert.rejects(loadHitcfile(join(dir, 'hitcfile.ts')), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.file, join(dir, 'hitcfile.ts'));
    assert.equal(e.line, 3);
    return true;
  });
});

test('an exception at load time names the hitcfile line', async () => {
  const dir = project(`export const a = 1;\n\nthrow new Error('boom');\n`);
  await assert.rejects(loadHitcfile(join(dir, 'hitcfile.ts')), (e: unknown) => e instanceof ConfigError && /boom/.test(e.message) && e.line === 3);
});

test('hitcfile.ts is found in a parent directory', () => {
  const dir = project('export {};');
  const sub = join(dir, 'a', 'b');
  mkdirSync(sub, { recursive: true });
  assert.equal(findHitcfile(sub), join(dir, 'hitcfile.ts'));
  assert.throws(() => findHitcfile(sub, 'nope.ts'), /hitcfile nope.ts not found/);
});
