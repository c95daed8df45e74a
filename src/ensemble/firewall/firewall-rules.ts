// Firewall rules with their sources resolved to addresses, and their hash (stored on the host
// with the rules, so "unchanged" needs no rule-by-rule comparison of iptables output).
// Sources end up verbatim in iptables-restore input, so only dotted IPv4 addresses and CIDRs
// pass: anything else (a newline, an option, a host name) is refused, in the manifest and again
// once variables are filled in.

import { createHash } from 'node:crypto';
import { TaskError } from '../../core/errors.ts';
import type { FirewallRule } from '../manifest/model.ts';
import { referencesIn, resolveValue, type Reference } from '../manifest/variables.ts';

export interface ResolvedRule {
  readonly port: number | '*';
  readonly protocol: 'tcp' | 'udp' | '*';
  /** '*' (anyone) or IPv4 addresses / CIDRs. */
  readonly sources: readonly string[];
}

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** A dotted IPv4 address or a CIDR (`10.0.0.0/8`): the only text a source may put into a rule. */
export function isFirewallAddress(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  if (rest.length > 0 || !isIpv4(address)) return false;
  return prefix === undefined || (/^(3[0-2]|[12]?[0-9])$/.test(prefix));
}

/** The parts of a manifest source ("*", "$internal_ips", addresses, or a value with variables)
 *  that are not allowed there, for a message; empty when it is fine. */
export function badSourceParts(source: string): string[] {
  if (source === '*' || source === '$internal_ips') return [];
  let refs: number;
  try {
    refs = referencesIn(source).length;
  } catch {
    return [source];
  }
  // a value with variables is checked once they are filled in (here only its literal parts could be)
  if (refs > 0) return /[\0\n\r]/.test(source) ? [source] : [];
  return source.split(',').map((x) => x.trim()).filter((x) => !isFirewallAddress(x));
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
      if (s === '*') {
        sources.push('*');
        continue;
      }
      for (const x of v.split(',').map((y) => y.trim()).filter((y) => y !== '')) {
        // remote values ($internal_ips, ${db.ip}) are as untrusted as the manifest's own text
        if (!isFirewallAddress(x)) throw new TaskError(`firewall ${r.port}/${r.protocol}: source ${JSON.stringify(s)} gave ${JSON.stringify(x)}, which is not an IPv4 address or CIDR; the firewall was not changed`);
        sources.push(x);
      }
    }
    out.push({ port: r.port, protocol: r.protocol, sources: sources.includes('*') ? ['*'] : [...new Set(sources)].sort() });
  }
  return out.sort((a, b) => `${a.port}/${a.protocol}`.localeCompare(`${b.port}/${b.protocol}`));
}

/** Whether some rule opens TCP `port` (to any source): the firewall lets someone log in. */
export function admitsSshPort(rules: readonly { port: number | '*'; protocol: string }[], port: number): boolean {
  return rules.some((r) => (r.port === '*' || r.port === port) && r.protocol !== 'udp');
}

/** Whether the rules themselves admit `peer` to TCP `port` (so no transient rule is needed). */
export function admitsPeer(rules: readonly ResolvedRule[], peer: string, port: number): boolean {
  if (!isIpv4(peer)) return rules.some((r) => (r.port === '*' || r.port === port) && r.protocol !== 'udp' && r.sources.includes('*'));
  return rules.some((r) => (r.port === '*' || r.port === port) && r.protocol !== 'udp' && r.sources.some((s) => s === '*' || inCidr(peer, s)));
}

function toInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [net = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toInt(ip) / size) === Math.floor(toInt(net) / size);
}

/** The hash stored with the rules. `transientPeer` is the address admitted only because hitc
 *  applied the rules from there (never saved for boot): a new address shows as a change. */
export function firewallHash(rules: readonly ResolvedRule[], transientPeer?: string): string {
  const text = JSON.stringify(rules) + (transientPeer ? `\n${transientPeer}` : '');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The SSH path that needs the transient rule: the one hitc uses, unless the rules admit it. */
export function transientPeer<P extends { peer: string; port: string }>(rules: readonly ResolvedRule[], path: P | undefined): P | undefined {
  return path && !admitsPeer(rules, path.peer, Number(path.port)) ? path : undefined;
}
