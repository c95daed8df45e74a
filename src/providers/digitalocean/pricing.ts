// The pricing table, from GET /v2/sizes (the original hard-coded 2014 prices). Columns keep
// the original's names and units: memory in GB, disk in GB, transfer in TB, cost in $/hour.

import { UsageError } from '../../core/errors.ts';
import type { PricingTable } from '../types.ts';
import type { DoSize } from './api-types.ts';

export const PRICING_COLUMNS = ['size', 'memory', 'cores', 'disk', 'transfer', 'cost'] as const;
export const DEFAULT_PRICING_SORT = 'cost';

type Column = (typeof PRICING_COLUMNS)[number];

function valueOf(size: DoSize, column: Column): number | string {
  switch (column) {
    case 'size':
      return size.slug;
    case 'memory':
      return size.memory / 1024;
    case 'cores':
      return size.vcpus;
    case 'disk':
      return size.disk;
    case 'transfer':
      return size.transfer;
    case 'cost':
      return size.price_hourly;
  }
}

function cell(size: DoSize, column: Column): string {
  const value = valueOf(size, column);
  if (typeof value === 'string') return value;
  // hourly prices are fractions of a cent apart; five decimals tell s-1vcpu-512mb from s-1vcpu-1gb
  if (column === 'cost') return value.toFixed(5);
  return String(Number(value.toFixed(2)));
}

/** Sizes that can still be ordered, sorted numerically by `sort` (then by slug). */
export function pricingTable(sizes: readonly DoSize[], sort: string | undefined): PricingTable {
  const by = (sort ?? DEFAULT_PRICING_SORT).toLowerCase();
  if (!(PRICING_COLUMNS as readonly string[]).includes(by)) {
    throw new UsageError(`digitalocean: cannot sort pricing by "${sort}"`, {
      argument: `sort=${sort}`,
      hint: `sort by one of: ${PRICING_COLUMNS.join(', ')}`,
    });
  }
  const column = by as Column;
  const rows = sizes
    .filter((s) => s.available)
    .slice()
    .sort((a, b) => {
      const x = valueOf(a, column);
      const y = valueOf(b, column);
      const primary = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return primary || a.slug.localeCompare(b.slug);
    })
    .map((s) => PRICING_COLUMNS.map((c) => cell(s, c)));
  return { columns: PRICING_COLUMNS, rows };
}
