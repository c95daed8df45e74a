// hitc's own directory (for package.json and templates/). Found by walking up from this
// module, which works both from src/ and from the compiled cache under node_modules/.cache.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'hitc') return (cached = dir);
    if (dirname(dir) === dir) throw new Error('cannot find the hitc package directory');
  }
}
