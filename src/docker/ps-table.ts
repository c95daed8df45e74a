// docker.ps rows: the original's columns and formats.

import type { ContainerInfo } from './inspect.ts';
import { formatCreated } from './inspect.ts';
import { formatBinding } from './port-spec.ts';

export interface PsRow {
  readonly name: string;
  readonly ip: string;
  readonly ports: string;
  readonly created: string;
  readonly image: string;
}

export function psRows(containers: readonly ContainerInfo[]): PsRow[] {
  return [...containers]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((x) => ({
      name: x.name,
      ip: x.ip ?? '',
      ports: x.ports.map((p) => formatBinding(p.container, p.public, p.protocol)).join(', '),
      created: formatCreated(x.created),
      image: x.image,
    }));
}
