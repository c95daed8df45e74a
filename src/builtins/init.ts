// `hitc init`: write a typed hitcfile.ts and an example ensemble manifest from templates/.
// Never overwrites an existing file unless --force (or init:force=true). The manifest's first
// line points YAML editors at the installed schema (schema-modeline.ts).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/package-root.ts';
import { UsageError } from '../core/errors.ts';
import { task } from '../taskfile/define.ts';
import { schemaReference, withSchemaModeline } from './schema-modeline.ts';

const FILES = [
  { template: 'hitcfile.ts', target: 'hitcfile.ts' },
  { template: 'ensemble.example.yml', target: 'ensemble.yml' },
] as const;

export const init = task(
  {
    description: 'Write a starter hitcfile.ts and an example ensemble.yml here',
    local: true,
    params: { force: { type: 'boolean', default: false, description: 'overwrite existing files' } },
  },
  (c, args) => {
    const force = args.force;
    const cwd = process.cwd();
    const clashes = FILES.filter((f) => existsSync(join(cwd, f.target)));
    if (clashes.length > 0 && !force) {
      throw new UsageError(`${clashes.map((f) => f.target).join(' and ')} already exist${clashes.length === 1 ? 's' : ''} in ${cwd}`, {
        argument: 'init',
        hint: 'hitc init --force overwrites them',
      });
    }
    const templates = join(packageRoot(), 'templates');
    const schema = schemaReference(cwd, join(packageRoot(), 'schema', 'manifest.schema.json'));
    for (const f of FILES) {
      const text = readFileSync(join(templates, f.template), 'utf8');
      writeFileSync(join(cwd, f.target), f.target === 'ensemble.yml' ? withSchemaModeline(text, schema) : text);
      c.log(`wrote ${f.target}`);
    }
    c.log('next: edit hitcfile.ts, then `hitc -l` to list your tasks');
  },
);
