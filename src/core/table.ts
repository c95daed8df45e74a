// Plain text tables (nodes, pricing, docker.ps, spot requests), shared by every module.

// one decimal point at most: an address such as 10.0.0.5 is text, not a number
const NUMERIC = /^-?\$?(\d[\d,]*)?\.?\d+(%|[KMGT]i?B)?$/;

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
