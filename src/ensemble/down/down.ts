// ensemble.down: remove what the ensemble created — the servers its providers list with this
// ensemble's tag or label, and what a provider made beside them (the local provider's network) —
// and nothing else. A server the manifest names by address (unmanaged) was not created by hitc:
// it is left as it is, containers and firewall included, and the list says so.

import { TaskError, UsageError } from '../../core/errors.ts';
import type { TaskContext } from '../../taskfile/context-types.ts';
import { ensembleTag, type EnsembleExtra, type Node, type Provider } from '../../providers/types.ts';
import type { Manifest } from '../manifest/model.ts';
import { hostsFilePath, rewriteHostsFile, withoutEnsembleHosts } from './hosts-file.ts';
import { hasHostsLines } from './hosts-task.ts';

/** States in which a server is already on its way out (listings keep them a while). */
const GONE = /^(terminated|shutting-down|archive)$/;

export interface Teardown {
  readonly servers: readonly { readonly provider: Provider; readonly node: Node }[];
  readonly extras: readonly { readonly provider: Provider; readonly extra: EnsembleExtra }[];
  /** Unmanaged servers of the manifest, which down never touches. */
  readonly left: readonly string[];
  /** The hosts file holds lines ensemble.hosts wrote for this ensemble. */
  readonly hostsLines: boolean;
}

/** What down would remove, found by the ensemble's tag on every provider the manifest uses. */
export async function findTeardown(c: TaskContext, manifest: Manifest, ensemble: string): Promise<Teardown> {
  const mine = ensembleTag(ensemble);
  const names = [...new Set(manifest.servers.map((s) => s.provider))].filter((p) => p !== 'unmanaged').sort();
  const servers: Teardown['servers'][number][] = [];
  const extras: Teardown['extras'][number][] = [];
  for (const name of names) {
    const provider = await c.cloud.providers.get(name);
    const nodes = await c.cloud.nodes(provider, { refresh: true });
    for (const node of nodes.filter((n) => n.ensemble === mine && !GONE.test(n.state)).sort((a, b) => a.name.localeCompare(b.name))) servers.push({ provider, node });
    for (const extra of (await provider.ensembleExtras?.(ensemble, c.cloud.env(c.signal))) ?? []) extras.push({ provider, extra });
  }
  const left = manifest.servers.filter((s) => s.provider === 'unmanaged').map((s) => s.name);
  return { servers, extras, left, hostsLines: await hasHostsLines(ensemble) };
}

export function teardownLines(ensemble: string, t: Teardown): string[] {
  const lines = [
    ...t.servers.map(({ provider, node }) => `  - terminate ${provider.name} server ${node.name} (${node.id}${node.ip ? `, ${node.ip}` : ''}): created by ensemble ${ensemble}; its containers go with it`),
    ...t.extras.map(({ provider, extra }) => `  - remove ${provider.name} ${extra.title}`),
    ...(t.hostsLines ? [`  - remove ensemble ${ensemble}'s lines from ${hostsFilePath()}`] : []),
    ...t.left.map((s) => `  = unmanaged server ${s} is left as it is (hitc did not create it; its containers and firewall stay)`),
  ];
  const count = t.servers.length + t.extras.length + (t.hostsLines ? 1 : 0);
  return [count === 0 ? `ensemble ${ensemble}: nothing to remove` : `ensemble ${ensemble}: ${count} thing${count === 1 ? '' : 's'} to remove`, ...lines];
}

export async function runDown(c: TaskContext, manifest: Manifest, ensemble: string, dryRun: boolean): Promise<string[]> {
  const t = await findTeardown(c, manifest, ensemble);
  for (const line of teardownLines(ensemble, t)) c.log(line);
  if (dryRun || (t.servers.length + t.extras.length === 0 && !t.hostsLines)) return [];
  if (!c.yes) {
    const answer = await c.confirm('Do you wish to continue?');
    if (answer === undefined) throw new UsageError('ensemble.down needs confirmation and there is no terminal', { hint: 'add --yes, or dry_run=true to only list' });
    if (!answer) throw new TaskError('Aborted');
  }
  const removed: string[] = [];
  const env = c.cloud.env(c.signal);
  try {
    for (const { provider, node } of t.servers) {
      await provider.terminate(node, env);
      removed.push(`${provider.name}:${node.name}`);
      c.log(`terminated ${provider.name} server ${node.name} (${node.id})`);
    }
  } finally {
    for (const name of new Set(t.servers.map((s) => s.provider.name))) c.cloud.cache.invalidate(name);
  }
  // after the servers: a network still in use is not removed
  for (const { provider, extra } of t.extras) {
    await extra.remove(env);
    removed.push(`${provider.name}:${extra.title}`);
    c.log(`removed ${provider.name} ${extra.title}`);
  }
  if (t.hostsLines) {
    await rewriteHostsFile(hostsFilePath(), (text) => withoutEnsembleHosts(text, ensemble));
    removed.push(`hosts:${hostsFilePath()}`);
    c.log(`removed ensemble ${ensemble}'s lines from ${hostsFilePath()}`);
  }
  return removed;
}
