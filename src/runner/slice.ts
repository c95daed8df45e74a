// `--slice I/N`: the I-th of N shares of the selected hosts, so N CI jobs split one fleet. Shares
// are dealt round-robin over the hosts sorted by name: the same list in any order gives the same
// shares, they are disjoint, together they are every host, and their sizes differ by one at most.

import { UsageError } from '../core/errors.ts';
import { formatHostSpec, type HostSpec } from '../core/host-spec.ts';

export interface Slice {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export function parseSlice(value: string): Slice {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count || !Number.isSafeInteger(count)) {
    throw new UsageError(`--slice needs I/N with 1 ≤ I ≤ N, got "${value}"`, {
      argument: '--slice',
      hint: 'e.g. --slice 2/4 runs on the second of four shares (one CI job each)',
    });
  }
  return { index, count };
}

/** The slice's share, in the order the hosts were selected. */
export function sliceHosts(hosts: readonly HostSpec[], slice: Slice): HostSpec[] {
  const names = [...new Set(hosts.map(formatHostSpec))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const share = new Set(names.filter((_, i) => i % slice.count === slice.index - 1));
  return hosts.filter((h) => share.has(formatHostSpec(h)));
}
