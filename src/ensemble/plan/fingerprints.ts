// Short digests of what observation found, one per thing, so a saved plan can tell whether
// the world it was made from is still the world it would be applied to, and say which thing
// moved. The digests cover the facts the planner reads (decisions, and ${…} variables, which
// can read any container field). Left out:
//   - a container's `environment`: docker inspect shows secret values in plain text there, and
//     a short hash of a weak secret can be guessed. What it could change is still caught: the
//     spec-hash label covers what hitc set, and a value read from it through ${…} lands in
//     another op's spec, which the saved and fresh plans compare.
//   - the text of an unreachable/unavailable server's reason: it may carry incidental detail
//     (addresses, timings); that the server cannot be planned is what changes decisions.
// Everything else stays in, even `created` (constant for a container id, so never a false
// change) and the container's `ip` (docker may assign a new one on restart, and ${…ip} reads it).

import { createHash } from 'node:crypto';
import type { ObservedWorld } from '../observe/observed.ts';
import type { ContainerInfo } from '../../docker/inspect.ts';

/** One short sha256 per thing id: `server:NAME`, `container:SERVER/NAME` (every container
 *  observed that `relevant` keeps: by default all), `firewall:NAME`, `stray:PROVIDER/NAME`, `unreachable:NAME`,
 *  `unavailable:NAME`. Keys in code-point order. */
export function observedFingerprints(observed: ObservedWorld, relevant: (server: string, container: ContainerInfo) => boolean = () => true): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, server] of Object.entries(observed.servers)) {
    out[`server:${key}`] = shortHash({
      name: server.name, provider: server.provider, ip: server.ip, internalIp: server.internalIp, options: server.options,
      dockerInstalled: server.dockerInstalled, imageIds: server.imageIds ?? null, sshPath: server.sshPath ?? null,
    });
    for (const c of server.containers) {
      if (!relevant(key, c)) continue;
      const ports = [...c.ports].map((p) => ({ container: p.container, public: p.public, protocol: p.protocol, via: p.via }))
        .sort((a, b) => compare(JSON.stringify(a), JSON.stringify(b)));
      out[`container:${key}/${c.name}`] = shortHash({
        id: c.id, name: c.name, image: c.image, imageId: c.imageId, ip: c.ip, running: c.running, state: c.state,
        created: c.created, command: c.command, labels: c.labels, ports,
      });
    }
    if (server.firewall) {
      const f = server.firewall;
      out[`firewall:${key}`] = shortHash({ specHash: f.specHash ?? null, ensemble: f.ensemble ?? null, hooked: f.hooked ?? null, peer: f.peer ?? null, pending: f.pending ?? null });
    }
  }
  for (const name of Object.keys(observed.unreachable ?? {})) out[`unreachable:${name}`] = shortHash('unreachable');
  for (const name of Object.keys(observed.unavailable ?? {})) out[`unavailable:${name}`] = shortHash('unavailable');
  for (const s of observed.strays ?? []) out[s.id] = shortHash({ id: s.id, name: s.name, provider: s.provider, state: s.state });
  return Object.fromEntries(Object.keys(out).sort(compare).map((k) => [k, out[k] as string]));
}

/** The digest of the whole observed state: one sha256 over the sorted fingerprints. */
export function observedDigest(fingerprints: Readonly<Record<string, string>>): string {
  const lines = Object.keys(fingerprints).sort(compare).map((k) => `${k}=${fingerprints[k]}\n`);
  return sha256(lines.join(''));
}

/** The digest of the manifest's text as read (any edit counts, a comment too: the plan was
 *  reviewed against that text). */
export function manifestDigest(sourceText: string): string {
  return sha256(sourceText);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function shortHash(value: unknown): string {
  return sha256(canonicalJson(value)).slice(0, 16);
}

/** JSON with object keys sorted at every level, so key order (a provider's API, docker's
 *  inspect output) never changes a digest. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort(compare).map((k) => [k, o[k]]));
  });
}

/** Code-point order: the same on every machine, whatever its locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
