// Locate hitcfile.ts the way Fabric found fabfile.py: the working directory, then its parents.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';

export const HITCFILE_NAMES = ['hitcfile.ts', 'hitcfile.mts'] as const;

/** The hitcfile to load, or undefined when there is none (built-in tasks still work). */
export function findHitcfile(cwd: string, explicit?: string): string | undefined {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) {
      throw new UsageError(`hitcfile ${explicit} not found`, { argument: explicit, hint: 'check the path given to -f' });
    }
    return path;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of HITCFILE_NAMES) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
    if (dirname(dir) === dir) return undefined;
  }
}
