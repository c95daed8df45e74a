// Which manifest containers ensemble.history and ensemble.rollback look at: all of them, or those
// named by container= (and server=). A name the manifest does not have is the user's mistake,
// reported with the names there are, before any host is asked anything.

import { UsageError } from '../../core/errors.ts';
import { suggest } from '../../core/suggest.ts';
import type { Manifest, ManifestContainer, ManifestServer } from '../manifest/model.ts';

export interface Selected {
  readonly server: ManifestServer;
  readonly containers: readonly ManifestContainer[];
}

export interface Selection {
  readonly container?: string;
  readonly server?: string;
}

/** The selected servers, each with its selected containers (servers left without any are
 *  dropped when a container was named). */
export function selectContainers(manifest: Manifest, selection: Selection): Selected[] {
  const { container, server } = selection;
  if (server !== undefined && !manifest.servers.some((s) => s.name === server)) {
    const names = manifest.servers.map((s) => s.name);
    throw new UsageError(`the manifest has no server ${server}`, { argument: `server=${server}`, hint: hintFor(server, names, 'servers') });
  }
  const servers = manifest.servers.filter((s) => server === undefined || s.name === server);
  if (container === undefined) return servers.map((s) => ({ server: s, containers: s.containers }));
  const picked = servers
    .map((s) => ({ server: s, containers: s.containers.filter((c) => c.name === container) }))
    .filter((s) => s.containers.length > 0);
  if (picked.length === 0) {
    const names = [...new Set(servers.flatMap((s) => s.containers.map((c) => c.name)))].sort();
    throw new UsageError(`${server === undefined ? 'the manifest' : `the server ${server}`} has no container ${container}`, {
      argument: `container=${container}`, hint: hintFor(container, names, 'containers'),
    });
  }
  return picked;
}

function hintFor(word: string, names: readonly string[], what: string): string {
  const close = suggest(word, names);
  if (close.length > 0) return `did you mean ${close.join(' or ')}? (${what} there: ${names.join(', ')})`;
  return names.length > 0 ? `${what} there: ${names.join(', ')}` : `the manifest has no ${what}`;
}
