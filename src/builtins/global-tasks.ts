// The global cloud tasks: nodes, create, terminate, reboot, rename, uncache, pricing.
// (ssh, upload, download, rsync and ping are in host-tasks.ts.)

import { TaskError, UsageError } from '../core/errors.ts';
import type { TaskContext } from '../taskfile/context-types.ts';
import { task } from '../taskfile/define.ts';
import { renderTable } from '../core/table.ts';
import { copyNames, type Node, type Provider } from '../providers/types.ts';
import { waitForSsh } from '../runner/wait-ssh.ts';

function cell(node: Node, column: string): string {
  const v = column in node ? (node as unknown as Record<string, unknown>)[column] : node.extra[column];
  if (v === null || v === undefined) return '';
  return column === 'created' && typeof v === 'string' ? v.slice(0, 19).replace('T', ' ') : String(v);
}

/** One table per provider; servers an ensemble created are grouped under it (the others last). */
function printNodes(c: TaskContext, provider: Provider, nodes: readonly Node[]): void {
  c.log(provider.name);
  const table = (list: readonly Node[], indent: string): void => {
    const sorted = [...list].sort((a, b) => a.name.localeCompare(b.name));
    for (const line of renderTable(provider.nodeColumns, sorted.map((n) => provider.nodeColumns.map((col) => cell(n, col))))) c.log(`${indent}${line}`);
  };
  const ensembles = [...new Set(nodes.flatMap((n) => (n.ensemble ? [n.ensemble] : [])))].sort();
  if (ensembles.length === 0) return table(nodes, '  ');
  for (const ensemble of ensembles) {
    c.log(`  ensemble ${ensemble}`);
    table(nodes.filter((n) => n.ensemble === ensemble), '    ');
  }
  const loose = nodes.filter((n) => !n.ensemble);
  if (loose.length > 0) {
    c.log('  no ensemble');
    table(loose, '    ');
  }
}

export const nodes = task({ description: 'List the servers of every enabled provider (refreshes the node cache)', local: true }, async (c) => {
  const all = await c.cloud.all({ refresh: true, onSkip: (name, why) => c.warn(`${name}: ${why}`) });
  if (all.length === 0) c.warn('no provider is enabled and configured (see hitc -d create)');
  for (const { provider, nodes: list } of all) printNodes(c, provider, list);
  return Object.fromEntries(all.map(({ provider, nodes: list }) => [provider.name, list]));
});

export const create = task(
  {
    description: 'Create servers: create:provider,count,name[,option=value…]\nCopies are named NAME, NAME-1, NAME-2…; waits until each accepts SSH. Options depend on the provider (size, image, placement, bid, security_group…).',
    local: true,
    extraArgs: true,
    params: {
      provider: { type: 'string', required: true, description: 'ec2, digitalocean or local' },
      count: { type: 'number', default: 1 },
      name: { type: 'string', required: true, description: 'server name (copies get -1, -2, …)' },
    },
  },
  async (c, { provider: providerName, count, name, extra }) => {
    if (!Number.isInteger(count) || count < 1) throw new UsageError(`count must be a whole number ≥ 1, got ${count}`, { argument: 'count' });
    if (!/^[a-zA-Z][a-zA-Z0-9-]*$/.test(name)) throw new UsageError(`invalid server name "${name}"`, { argument: 'name', hint: 'letters, digits and -, starting with a letter' });
    const provider = await c.cloud.providers.get(providerName);
    const env = c.cloud.env(c.signal);
    const options = await provider.validateCreateOptions(extra, env);
    const names = copyNames(name, count);
    const existing = (await c.cloud.nodes(provider, { refresh: true })).filter((n) => names.includes(n.name));
    if (existing.length > 0) {
      throw new UsageError(`${provider.name} already has server${existing.length > 1 ? 's' : ''} named ${existing.map((n) => n.name).join(', ')}`, {
        argument: 'name',
        hint: 'pick another name, or terminate them first',
      });
    }
    c.log(`creating ${count} ${provider.name} server${count > 1 ? 's' : ''}: ${names.join(', ')}`);
    let created: Node[];
    try {
      created = await provider.createServers({ names, options }, env);
    } finally {
      c.cloud.cache.invalidate(provider.name);
    }
    created = [...created].sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
    // said before the wait: if SSH then fails, the servers still exist and cost money
    c.log(`created: ${created.map((n) => `${n.name} (${n.id}, ${n.ip})`).join(', ')}; waiting for SSH`);
    await waitForSsh(c, created.map((n) => c.cloud.hostSpec(provider, n)));
    c.log(`ready: ${created.map((n) => `${n.name} (${n.ip})`).join(', ')}`);
    return created;
  },
);

/**
 * The selected hosts as provider nodes, checked against a fresh listing: a -H word was turned
 * into an address through the node cache (up to 15 minutes old), and an address can pass to
 * another server meanwhile. The node the cache named must still exist under the same id, with
 * that address; the caller then acts by id only. Anything else is refused, before any change.
 */
async function selectedNodes(c: TaskContext): Promise<{ provider: Provider; node: Node }[]> {
  const fresh = new Map<string, Promise<Node[]>>();
  const listNow = (provider: Provider): Promise<Node[]> => {
    let p = fresh.get(provider.name);
    if (!p) fresh.set(provider.name, (p = c.cloud.nodes(provider, { refresh: true })));
    return p;
  };
  const out: { provider: Provider; node: Node }[] = [];
  for (const host of c.hosts) {
    const word = host.replace(/^[^@]*@/, '').replace(/:\d+$/, '');
    const known = await c.cloud.nodeForHost(word);
    const now = await listNow(known.provider);
    const same = now.find((n) => n.id === known.node.id);
    const holder = now.find((n) => n.id !== known.node.id && n.ip !== null && n.ip === word);
    const label = `${known.node.name} (${known.provider.name} ${known.node.id}${known.node.ip ? `, ${known.node.ip}` : ''})`;
    const taken = holder ? `; ${word} now belongs to ${holder.name} (${holder.id})` : '';
    if (!same) {
      throw new UsageError(`${word} was ${label} in the cached server list, and that server is gone${taken}; nothing was changed`, {
        argument: word,
        hint: 'hitc nodes shows the servers as they are now',
      });
    }
    if (holder || (same.ip !== known.node.ip && known.node.ip === word)) {
      throw new UsageError(`${word} was ${label} in the cached server list, but that server's address is now ${same.ip ?? 'none'}${taken}; nothing was changed`, {
        argument: word,
        hint: 'hitc nodes shows the servers as they are now; select the server by its current name or address',
      });
    }
    // the cache may have expired (and been replaced by this run): compare with what the user
    // last saw listed, however old, so an address copied from an old listing is not followed
    const before = c.cloud.cache.atStart(known.provider.name, c.cloud.namePrefix);
    const seen = before?.nodes.filter((n) => n.name === word || n.ip === word);
    const then = seen?.find((n) => n.running) ?? seen?.[0];
    if (then && then.id !== same.id) {
      const at = new Date(before!.fetchedAt).toISOString().slice(0, 16).replace('T', ' ');
      throw new UsageError(`${word} was ${then.name} (${known.provider.name} ${then.id}) when the servers were last listed (${at} UTC), and is now ${same.name} (${same.id}); nothing was changed`, {
        argument: word,
        hint: 'hitc nodes shows the servers as they are now; run the command again to act on the current one',
      });
    }
    out.push({ provider: known.provider, node: same });
  }
  return out;
}

export const terminate = task(
  {
    description: 'Terminate the selected servers (after a 10-second grace; --yes or immediately=true skips it)',
    runsOnce: true,
    params: { immediately: { type: 'boolean', default: false } },
  },
  async (c, { immediately }) => {
    const targets = await selectedNodes(c);
    const list = targets.map((t) => `${t.node.name} (${t.provider.name} ${t.node.id}, ${t.node.ip})`).join(', ');
    if (!immediately && !c.yes) {
      for (let left = 10; left > 0; left--) {
        c.log(`terminating ${list} in ${left}s — Ctrl-C to cancel`);
        await new Promise((r) => setTimeout(r, 1000));
        if (c.signal.aborted) throw new TaskError('terminate cancelled');
      }
    }
    const env = c.cloud.env(c.signal);
    for (const t of targets) {
      c.log(`terminating ${t.provider.name} server ${t.node.name} (${t.node.id})`);
      await t.provider.terminate(t.node, env);
      c.cloud.cache.invalidate(t.provider.name);
    }
  },
);

export const reboot = task({ description: 'Reboot the selected servers', runsOnce: true }, async (c) => {
  for (const t of await selectedNodes(c)) {
    if (!t.provider.reboot) throw new UsageError(`${t.provider.name} servers cannot be rebooted by hitc`);
    c.log(`rebooting ${t.provider.name} server ${t.node.name} (${t.node.id})`);
    await t.provider.reboot(t.node, c.cloud.env(c.signal));
  }
});

export const rename = task(
  { description: 'Rename the selected servers (several get NEW, NEW-1, …)', runsOnce: true, params: { new_name: { type: 'string', required: true } } },
  async (c, { new_name }) => {
    if (!/^[a-zA-Z][a-zA-Z0-9-]*$/.test(new_name)) throw new UsageError(`invalid server name "${new_name}"`, { argument: 'new_name' });
    const targets = await selectedNodes(c);
    const names = copyNames(new_name, targets.length);
    for (const [i, t] of targets.entries()) {
      if (!t.provider.rename) throw new UsageError(`${t.provider.name} servers cannot be renamed by hitc`);
      c.log(`renaming ${t.node.name} to ${names[i]}`);
      await t.provider.rename(t.node, names[i] as string, c.cloud.env(c.signal));
      c.cloud.cache.invalidate(t.provider.name);
    }
  },
);

export const uncache = task({ description: 'Forget the cached server listings', local: true }, async (c) => {
  c.cloud.cache.flush();
  c.log(`removed ${c.cloud.cache.path}`);
});

export const pricing = task(
  { description: "Prices of each enabled provider's server sizes (pricing:sort,zone=… for ec2)", local: true, extraArgs: true, params: { sort: { type: 'string', description: 'column to sort by' } } },
  async (c, { sort, extra }) => {
    for (const provider of await c.cloud.providers.all((name, why) => c.warn(`${name}: ${why}`))) {
      c.log(provider.name);
      if (!provider.pricing) {
        c.log('  no pricing');
        continue;
      }
      const table = await provider.pricing(sort, c.cloud.env(c.signal), extra);
      for (const line of renderTable(table.columns, table.rows)) c.log(`  ${line}`);
      if (table.note) c.log(`  (${table.note})`);
    }
  },
);
