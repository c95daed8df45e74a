// A server's `firewall:` mapping → ManifestFirewall: PORT[/PROTOCOL] to sources, checked at
// file:line (sources are "*", IPv4 addresses or CIDRs, $internal_ips or ${SERVER.ip}: nothing
// else can reach iptables-restore input), plus the explicit ssh_from_applier_only key.

import type { ManifestIssue } from '../../core/errors.ts';
import { badSourceParts } from '../firewall/firewall-rules.ts';
import { SSH_FROM_APPLIER_ONLY, type FirewallRule, type ManifestFirewall } from './model.ts';
import { checkVariables } from './manifest-values.ts';
import { applyTemplate } from './templates.ts';
import { text, type LEntry, type LNode } from './yaml-tree.ts';

export function parseFirewall(e: LEntry, path: string, templates: ReadonlyMap<string, LNode>, issues: ManifestIssue[]): ManifestFirewall | undefined {
  if (e.value.kind !== 'map') {
    issues.push({ path, line: e.line, message: 'firewall is a mapping of PORT[/PROTOCOL] to sources' });
    return undefined;
  }
  const rules: FirewallRule[] = [];
  let sshFromApplierOnly = false;
  for (const r of applyTemplate(e.value, templates, path, issues).entries) {
    if (r.key === 'template') continue;
    if (r.key === SSH_FROM_APPLIER_ONLY) {
      const v = text(r.value);
      if (v !== 'true' && v !== 'false') issues.push({ path: `${path}.${r.key}`, line: r.line, message: `${SSH_FROM_APPLIER_ONLY} must be true or false` });
      sshFromApplierOnly = v === 'true';
      continue;
    }
    const m = /^(\d+|\*)(?:\/(tcp|udp|\*))?$/.exec(r.key);
    const port = m ? (m[1] === '*' ? '*' : Number(m[1])) : undefined;
    if (!m || (typeof port === 'number' && (port < 1 || port > 65535))) {
      issues.push({ path: `${path}.${r.key}`, line: r.line, message: `invalid firewall port "${r.key}"`, hint: 'PORT[/tcp|udp], "*/tcp" or "*/*"' });
      continue;
    }
    const values = r.value.kind === 'seq' ? r.value.items : [r.value];
    const sources = values.map((v) => text(v)).filter((v): v is string => v !== undefined);
    if (sources.length === 0) issues.push({ path: `${path}.${r.key}`, line: r.line, message: 'a firewall rule needs sources: "*", addresses, or $internal_ips' });
    for (const s of sources) {
      checkVariables(s, `${path}.${r.key}`, r.line, issues);
      const bad = badSourceParts(s);
      if (bad.length > 0) issues.push({ path: `${path}.${r.key}`, line: r.line, message: `firewall source ${bad.map((b) => JSON.stringify(b)).join(', ')} is not an IPv4 address or CIDR`, hint: 'sources are "*", IPv4 addresses or CIDRs (10.0.0.0/8), $internal_ips, or ${SERVER.ip}' });
    }
    rules.push({ port: port as number | '*', protocol: (m[2] ?? (port === '*' ? '*' : 'tcp')) as FirewallRule['protocol'], sources, line: r.line });
  }
  return { line: e.line, rules, ...(sshFromApplierOnly ? { sshFromApplierOnly } : {}) };
}
