// Where a container's values were written, so a bad reference in one is reported at its own
// line (a template's line for a value from a template) rather than the container's.

import type { ValueLines } from './model.ts';
import { entry, type LNode } from './yaml-tree.ts';

export function linesOf(spec: LNode): ValueLines {
  const env = entry(spec, 'environment')?.value;
  const volumes = entry(spec, 'volumes')?.value;
  const image = entry(spec, 'image')?.line;
  const command = entry(spec, 'command')?.line;
  const dependsOn = entry(spec, 'depends_on')?.line;
  const release = entry(spec, 'release')?.line;
  return {
    ...(image !== undefined ? { image } : {}), ...(command !== undefined ? { command } : {}), ...(dependsOn !== undefined ? { dependsOn } : {}),
    ...(release !== undefined ? { release } : {}),
    environment: Object.fromEntries(env?.kind === 'map' ? env.entries.map((e) => [e.key, e.line]) : []),
    volumes: volumes?.kind === 'seq' ? volumes.items.map((i) => i.line) : [],
  };
}
