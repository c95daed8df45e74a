import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { schemaReference, withSchemaModeline } from '../../src/builtins/schema-modeline.ts';
import { EXAMPLE_MANIFEST } from '../helpers/example-manifest.ts';
import { tempDir } from '../helpers/temp.ts';

const ROOT = join(import.meta.dirname, '../..');

test('a local install is referred to relatively (from the project or a folder below it), a global one absolutely', () => {
  assert.equal(schemaReference('/p', '/p/node_modules/hitc/schema/manifest.schema.json'), './node_modules/hitc/schema/manifest.schema.json');
  assert.equal(schemaReference('/p/packages/api', '/p/node_modules/hitc/schema/manifest.schema.json'), '../../node_modules/hitc/schema/manifest.schema.json');
  assert.equal(schemaReference('/p', '/usr/lib/node_modules/hitc/schema/manifest.schema.json'), '/usr/lib/node_modules/hitc/schema/manifest.schema.json');
  assert.equal(schemaReference('/p', '/home/me/hitc/schema/manifest.schema.json'), '/home/me/hitc/schema/manifest.schema.json', 'a checkout of hitc');
  assert.equal(schemaReference('/p', '/p/vendor/hitc/schema/manifest.schema.json'), '/p/vendor/hitc/schema/manifest.schema.json', 'not a node_modules: may not be there on another checkout');
});

test('the template points at the schema from where it lies in the package, and init replaces that line only', () => {
  const template = readFileSync(EXAMPLE_MANIFEST, 'utf8');
  const first = template.split('\n')[0] as string;
  assert.equal(first, '# yaml-language-server: $schema=../schema/manifest.schema.json');
  assert.ok(existsSync(resolve(dirname(EXAMPLE_MANIFEST), first.split('=')[1] as string)));
  const written = withSchemaModeline(template, '/opt/hitc/schema/manifest.schema.json');
  assert.equal(written, template.replace(first, '# yaml-language-server: $schema=/opt/hitc/schema/manifest.schema.json'));
  assert.equal(withSchemaModeline('a: 1\n', '$x$&'), '# yaml-language-server: $schema=$x$&\na: 1\n', 'no modeline: added; $ in the path stays as is');
});

test('hitc init writes ensemble.yml whose schema line leads to the installed schema', () => {
  const project = tempDir('hitc-init-schema-');
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/hitc.mjs'), 'init'], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const first = readFileSync(join(project, 'ensemble.yml'), 'utf8').split('\n')[0] as string;
  const reference = /^# yaml-language-server: \$schema=(.+)$/.exec(first)?.[1];
  assert.equal(reference, join(ROOT, 'schema/manifest.schema.json'), 'hitc run from outside the project: the absolute path');
  assert.ok(existsSync(resolve(project, reference)));
});
