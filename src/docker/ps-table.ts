// docker.ps rows (the original's columns and formats) and a plain text table.

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

const NUMERIC = /^-?\$?[\d.,]+(%|[KMGT]i?B)?$/;

/** Left-aligned headers, two-space gaps; columns whose cells are all numbers (or sizes such as
 *  512MB, or empty) are right-aligned, as the original's tables were. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => (r[i] ?? '') === '' || NUMERIC.test(r[i] as string)));
  const cellText = (cell: string, i: number, header: boolean): string =>
    numeric[i] && !header ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number);
  const line = (cells: readonly string[], header = false): string => cells.map((cell, i) => cellText(cell, i, header)).join('  ').trimEnd();
  return [line(headers, true), ...rows.map((r) => line(r))];
}
