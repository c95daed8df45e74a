// `pricing` for ec2: the last 24 h of Linux/UNIX spot prices per instance type, as the original
// showed them (recent, median, population stddev, max). The original also scraped on-demand
// prices and sizes (memory, cores, …) from a JSONP file on AWS's website that no longer exists;
// on-demand prices need the separate AWS Pricing API (pricing:GetProducts, a different
// endpoint and permission), which is not implemented: the table's note says so.

import type { PricingTable, ProviderEnv } from '../types.ts';
import type { Ec2Api } from './client.ts';

export const PRICING_COLUMNS = ['size', 'recent', 'median', 'stddev', 'max'] as const;
const DEFAULT_SORT = 'recent';

export interface SpotPoint {
  readonly size: string;
  readonly zone: string;
  readonly price: number;
  readonly at: number;
}

/** A pricing table plus a line saying what it covers (shown under the table when supported). */
export type Ec2PricingTable = PricingTable & { readonly note: string };

export async function spotPricing(api: Ec2Api, sort: string | undefined, env: ProviderEnv, zone?: string): Promise<Ec2PricingTable> {
  const now = Date.now();
  const points: SpotPoint[] = [];
  const input = {
    StartTime: new Date(now - 24 * 3600_000),
    EndTime: new Date(now),
    ProductDescriptions: ['Linux/UNIX'],
    ...(zone ? { AvailabilityZone: zone } : {}),
    MaxResults: 1000,
  };
  for await (const page of api.pages('DescribeSpotPriceHistory', input, env.signal)) {
    for (const p of page.SpotPriceHistory ?? []) {
      const price = Number(p.SpotPrice);
      if (!p.InstanceType || !Number.isFinite(price)) continue;
      points.push({ size: p.InstanceType, zone: p.AvailabilityZone ?? '', price, at: p.Timestamp ? new Date(p.Timestamp).getTime() : 0 });
    }
  }
  const table = pricingTable(points, sort);
  const where = zone ? `zone ${zone}` : `every zone of ${await api.region()} (recent = the cheapest zone now)`;
  return { ...table, note: `EC2 spot prices in USD/hour over the last 24 h, Linux/UNIX, ${where}; on-demand prices need the AWS Pricing API, which hitc does not query` };
}

/** Rows per instance type, sorted by `sort` (a column; anything else sorts by recent, as the
 *  original fell back for sort keys it did not know, e.g. another provider's "cost"). */
export function pricingTable(points: readonly SpotPoint[], sort: string | undefined): PricingTable {
  const bySize = new Map<string, SpotPoint[]>();
  for (const p of points) bySize.set(p.size, [...(bySize.get(p.size) ?? []), p]);
  const stats = [...bySize].map(([size, ps]) => {
    const prices = ps.map((p) => p.price);
    // "recent": each zone's latest price; with several zones, the cheapest of those
    const latestPerZone = new Map<string, SpotPoint>();
    for (const p of ps) {
      const cur = latestPerZone.get(p.zone);
      if (!cur || p.at > cur.at) latestPerZone.set(p.zone, p);
    }
    return {
      size,
      recent: Math.min(...[...latestPerZone.values()].map((p) => p.price)),
      median: median(prices),
      stddev: stddev(prices),
      max: Math.max(...prices),
    };
  });
  const key = (PRICING_COLUMNS as readonly string[]).includes(sort ?? '') ? (sort as (typeof PRICING_COLUMNS)[number]) : DEFAULT_SORT;
  stats.sort((a, b) => (key === 'size' ? a.size.localeCompare(b.size, 'en', { numeric: true }) : a[key] - b[key] || a.size.localeCompare(b.size, 'en', { numeric: true })));
  return { columns: PRICING_COLUMNS, rows: stats.map((s) => [s.size, price(s.recent), price(s.median), price(s.stddev), price(s.max)]) };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Population standard deviation (as the original computed it). */
function stddev(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
}

/** Four decimals: spot prices of small sizes are fractions of a cent (the original's three
 *  decimals showed most of them as 0.003). */
function price(value: number): string {
  return value.toFixed(4);
}
