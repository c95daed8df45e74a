// ensemble.hosts: this machine's hosts file gets a line per running local server of the
// ensemble (NAME and NAME.ENSEMBLE), replacing the ensemble's earlier lines; remove=true drops
// them (ensemble.down does too).

import { readFile } from 'node:fs/promises';
import { UsageError } from '../../core/errors.ts';
import type { TaskContext } from '../../taskfile/context-types.ts';
import { ensembleTag } from '../../providers/types.ts';
import type { Manifest } from '../manifest/model.ts';
import { hostsFilePath, rewriteHostsFile, withEnsembleHosts, withoutEnsembleHosts, type HostsEntry } from './hosts-file.ts';

export async function runHosts(c: TaskContext, manifest: Manifest, ensemble: string, remove: boolean): Promise<HostsEntry[]> {
  const path = hostsFilePath();
  if (remove) {
    const changed = await rewriteHostsFile(path, (t) => withoutEnsembleHosts(t, ensemble));
    c.log(changed ? `removed ensemble ${ensemble}'s lines from ${path}` : `${path} has no lines of ensemble ${ensemble}`);
    return [];
  }
  if (!manifest.servers.some((s) => s.provider === 'local')) {
    throw new UsageError(`ensemble ${ensemble} has no local servers`, { argument: 'name', hint: 'hosts entries are for provider: local servers, whose addresses only this machine reaches' });
  }
  const nodes = await c.cloud.nodes(await c.cloud.providers.get('local'), { refresh: true });
  const entries = nodes
    .filter((n) => n.ensemble === ensembleTag(ensemble) && n.running && n.ip)
    .map((n) => ({ ip: n.ip as string, name: n.name }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const changed = await rewriteHostsFile(path, (t) => withEnsembleHosts(t, ensemble, entries));
  for (const e of entries) c.log(`${e.ip}\t${e.name} ${e.name}.${ensembleTag(ensemble)}`);
  c.log(changed ? `wrote ${entries.length} line${entries.length === 1 ? '' : 's'} for ensemble ${ensemble} to ${path}` : `${path} is up to date`);
  return entries;
}

/** Whether the hosts file holds lines of this ensemble (a missing file holds none). */
export async function hasHostsLines(ensemble: string): Promise<boolean> {
  const text = await readFile(hostsFilePath(), 'utf8').catch(() => '');
  return withoutEnsembleHosts(text, ensemble) !== text;
}
