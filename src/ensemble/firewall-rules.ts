// Firewall rules with their sources resolved to addresses, and their hash (stored on the host
// with the rules, so "unchanged" needs no rule-by-rule comparison of iptables output).

import { createHash } from 'node:crypto';
import type { FirewallRule } from './model.ts';
import { resolveValue, type Reference } from './variables.ts';

export interface ResolvedRule {
  readonly port: number | '*';
  readonly protocol: 'tcp' | 'udp' | '*';
  /** '*' (anyone) or addresses. */
  readonly sources: readonly string[];
}

export function resolveFirewallRules(
  rules: readonly FirewallRule[],
  lookup: (ref: Reference) => unknown,
  specials: Parameters<typeof resolveValue>[2],
): ResolvedRule[] | undefined {
  const out: ResolvedRule[] = [];
  for (const r of rules) {
    const sources: string[] = [];
    for (const s of r.sources) {
      const v = resolveValue(s, lookup, specials);
      if (v === undefined) return undefined;
      sources.push(...v.split(',').map((x) => x.trim()).filter((x) => x !== ''));
    }
    out.push({ port: r.port, protocol: r.protocol, sources: sources.includes('*') ? ['*'] : [...new Set(sources)].sort() });
  }
  return out.sort((a, b) => `${a.port}/${a.protocol}`.localeCompare(`${b.port}/${b.protocol}`));
}

export function firewallHash(rules: readonly ResolvedRule[]): string {
  return createHash('sha256').update(JSON.stringify(rules)).digest('hex').slice(0, 16);
}
