// What refers to what: every variable and depends_on becomes an edge of the dependency graph.
// Unknown servers/containers and cycles are manifest issues (found before anything changes).

import type { ManifestIssue } from '../../core/errors.ts';
import { Graph } from '../../core/graph.ts';
import { suggest } from '../../core/suggest.ts';
import { containerId, describeId, firewallId, serverId, type ManifestServer } from './model.ts';
import { parseValue, type Reference } from './variables.ts';

interface Use {
  readonly from: string;
  readonly path: string;
  readonly line: number;
  readonly value: string;
  /** The server whose value this is (for ${host…}); undefined for server fields. */
  readonly host?: string;
}

function usesOf(servers: readonly ManifestServer[]): Use[] {
  const uses: Use[] = [];
  for (const s of servers) {
    for (const [k, v] of Object.entries(s.options)) uses.push({ from: serverId(s.name), path: `${s.name}.${k}`, line: s.line, value: v });
    for (const c of s.containers) {
      const from = containerId(s.name, c.name);
      const at = c.valueLines;
      const values: [string, string, number | undefined][] = [['image', c.image, at?.image], ...(c.command ?? []).map((w) => ['command', w, at?.command] as [string, string, number | undefined]),
        ...Object.entries(c.environment).filter((e): e is [string, string] => typeof e[1] === 'string').map(([k, v]) => [`environment.${k}`, v, at?.environment[k]] as [string, string, number | undefined]),
        ...c.volumes.map((v, i) => [`volumes.${v.host}`, v.container, at?.volumes[i]] as [string, string, number | undefined]),
        // the release runs as part of switching this container: what its words read, it waits for
        ...(c.release?.command ?? []).map((w) => ['release', w, at?.release] as [string, string, number | undefined])];
      for (const [k, v, line] of values) uses.push({ from, path: `${c.path}.${k}`, line: line ?? c.line, value: v, host: s.name });
    }
    for (const r of s.firewall?.rules ?? []) {
      for (const src of r.sources) uses.push({ from: firewallId(s.name), path: `${s.name}.firewall.${r.port}`, line: r.line, value: src, host: s.name });
    }
  }
  return uses;
}

/** The thing a reference points at, or an issue message. */
function target(ref: Reference, use: Use, servers: ReadonlyMap<string, ManifestServer>): { id: string } | { error: string; hint?: string } {
  const serverName = ref.server === 'host' ? use.host : ref.server;
  if (serverName === undefined) return { error: '${host…} only works in container and firewall values' };
  const server = servers.get(serverName);
  if (!server) {
    const close = suggest(serverName, servers.keys());
    return { error: `unknown server "${serverName}"`, ...(close.length > 0 ? { hint: `did you mean ${close.join(' or ')}?` } : {}) };
  }
  if (ref.container === undefined) return { id: serverId(server.name) };
  const container = server.containers.find((c) => c.name === ref.container);
  if (!container) {
    const close = suggest(ref.container, server.containers.map((c) => c.name));
    return { error: `unknown container "${ref.container}" on server ${server.name}`, ...(close.length > 0 ? { hint: `did you mean ${close.join(' or ')}?` } : {}) };
  }
  if (ref.field === 'environment') {
    // a secret read through another value would become plain text there (and in the plan)
    const secretKeys = Object.entries(container.environment).filter(([, v]) => typeof v !== 'string').map(([k]) => k);
    const key = ref.index[0];
    if (key !== undefined ? secretKeys.includes(key) : secretKeys.length > 0) {
      return { error: `${key !== undefined ? `${key} is a !secret` : `the environment holds !secret values (${secretKeys.join(', ')})`} and cannot be used in another value`, hint: 'give that value its own !secret' };
    }
  }
  return { id: containerId(server.name, container.name) };
}

export function buildGraph(servers: readonly ManifestServer[], issues: ManifestIssue[] = []): Graph {
  const byName = new Map(servers.map((s) => [s.name, s]));
  const graph = new Graph();
  const reported = new Set<string>();
  for (const s of servers) {
    graph.add(serverId(s.name));
    for (const c of s.containers) graph.depend(containerId(s.name, c.name), serverId(s.name));
    if (s.firewall) graph.depend(firewallId(s.name), serverId(s.name));
  }
  for (const use of usesOf(servers)) {
    let parsed;
    try {
      parsed = parseValue(use.value);
    } catch {
      continue; // a syntax error, already reported by the parser
    }
    if (parsed.kind === 'internal_ips' || parsed.kind === 'servers') {
      // every server's address: the value waits for all of them (but never for itself)
      for (const s of servers) if (serverId(s.name) !== use.from) graph.depend(use.from, serverId(s.name));
      continue;
    }
    for (const seg of parsed.segments) {
      if (seg.kind !== 'ref') continue;
      // copies (count) share their manifest line: one bad reference is one issue, found once
      const seen = `${use.line}\0${use.path.replace(/-\d+(?=\.|$)/g, '')}\0${seg.source}`;
      if (reported.has(seen)) continue;
      const t = target(seg.ref, use, byName);
      if ('error' in t) reported.add(seen);
      if ('error' in t) issues.push({ path: use.path, line: use.line, message: `${seg.source}: ${t.error}`, ...(t.hint ? { hint: t.hint } : {}) });
      else graph.depend(use.from, t.id);
    }
  }
  for (const s of servers) {
    const deps: [string, number, string][] = [...s.dependsOn.map((d) => [serverId(s.name), s.line, d] as [string, number, string]),
      ...s.containers.flatMap((c) => c.dependsOn.map((d) => [containerId(s.name, c.name), c.valueLines?.dependsOn ?? c.line, d] as [string, number, string]))];
    for (const [from, line, name] of deps) {
      const seen = `${line}\0${describeId(from).replace(/-\d+(?=\.|$)/g, '')}\0${name}`;
      if (reported.has(seen)) continue;
      const [srv, , ctr] = name.split('.');
      const t = target({ server: srv as string, ...(ctr ? { container: ctr } : {}), field: 'ip', index: [] }, { from, path: describeId(from), line, value: name, host: s.name }, byName);
      if ('error' in t) reported.add(seen);
      if ('error' in t) issues.push({ path: `${describeId(from)}.depends_on`, line, message: `${name}: ${t.error}`, ...(t.hint ? { hint: t.hint } : {}) });
      else graph.depend(from, t.id);
    }
  }
  const cycle = graph.findCycle();
  if (cycle) {
    const first = cycle[0] as string;
    const line = lineOfThing(first, byName);
    issues.push({ path: describeId(first), ...(line ? { line } : {}), message: `dependency cycle: ${cycle.map(describeId).join(' → ')}`, hint: 'a thing cannot wait for something that waits for it' });
  }
  return graph;
}

/** The manifest line a thing id was written on (a server, a container, a firewall). */
function lineOfThing(id: string, servers: ReadonlyMap<string, ManifestServer>): number | undefined {
  const [kind, rest = ''] = id.split(':', 2) as [string, string];
  const [serverName, containerName] = rest.split('/');
  const server = servers.get(serverName as string);
  if (kind === 'container') return server?.containers.find((c) => c.name === containerName)?.line;
  if (kind === 'firewall') return server?.firewall?.line;
  return server?.line;
}
