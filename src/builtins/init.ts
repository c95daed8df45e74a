// `hitc init`: write a typed hitcfile.ts and an example ensemble manifest from templates/.
// Never overwrites an existing file unless --force (or init:force=true).

import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../core/errors.ts';
import { task } from '../taskfile/define.ts';

const TEMPLATES = resolve(dirname(fileURLToPath(import.meta.url)), '../../templates');
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
    for (const f of FILES) {
      copyFileSync(join(TEMPLATES, f.template), join(cwd, f.target));
      c.log(`wrote ${f.target}`);
    }
    c.log('next: edit hitcfile.ts, then `hitc -l` to list your tasks');
  },
);
