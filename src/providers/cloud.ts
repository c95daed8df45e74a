// The cloud as tasks see it (`c.cloud`): enabled providers, their nodes through the cache, and
// host lookup by node name or address. Roles are node names without their copy number.

import { existsSync } from 'node:fs';
import { UsageError } from '../core/errors.ts';
import type { HostSpec } from '../core/host-spec.ts';
import { NodeCache } from './node-cache.ts';
import type { ProviderSet } from './registry.ts';
import { roleOf, type Node, type Provider, type ProviderEnv } from './types.ts';

export interface ProviderNodes {
  readonly provider: Provider;
  readonly nodes: readonly Node[];
}

export class Cloud {
  constructor(
    readonly providers: ProviderSet,
    readonly cache: NodeCache,
    readonly namePrefix: string,
    private readonly progress: (message: string) => void = () => undefined,
    private signal: AbortSignal = new AbortController().signal,
  ) {}

  readonly #kept = new Set<Promise<unknown>>();

  /** The run's signal, once the run has one (it is made after the plan). */
  bindSignal(signal: AbortSignal): void {
    this.signal = signal;
  }

  /** `signal`: the task's own (Ctrl-C and its host deadline), else the run's. */
  env(signal: AbortSignal = this.signal): ProviderEnv {
    return { namePrefix: this.namePrefix, progress: this.progress, signal, keep: (work) => this.#keep(work) };
  }

  #keep(work: Promise<unknown>): void {
    const settled = work.then(() => undefined, () => undefined);
    this.#kept.add(settled);
    void settled.then(() => this.#kept.delete(settled));
  }

  /** Waits for provider clean-up still running (an interrupted task is abandoned by the runner,
   *  but what it started in the cloud must be undone before hitc exits). */
  async settled(): Promise<void> {
    while (this.#kept.size > 0) await Promise.all([...this.#kept]);
  }

  /** A provider's nodes: from the cache while fresh, else listed (and cached). */
  async nodes(provider: Provider, options: { refresh?: boolean } = {}): Promise<Node[]> {
    if (!options.refresh) {
      const cached = this.cache.get(provider.name, this.namePrefix);
      if (cached) return cached;
    }
    const nodes = await provider.listNodes(this.env());
    // unmanaged reads a local file: nothing worth caching
    if (provider.name !== 'unmanaged') this.cache.set(provider.name, this.namePrefix, nodes);
    return nodes;
  }

  async all(options: { refresh?: boolean; onSkip?: (name: string, why: string) => void } = {}): Promise<ProviderNodes[]> {
    const providers = await this.providers.all(options.onSkip);
    return Promise.all(providers.map(async (provider) => ({ provider, nodes: await this.nodes(provider, options) })));
  }

  /** Role name → host specs of running nodes with an address, with each provider's SSH login. */
  async roles(): Promise<Record<string, HostSpec[]>> {
    const roles: Record<string, HostSpec[]> = {};
    for (const { provider, nodes } of await this.all()) {
      for (const node of [...nodes].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))) {
        if (!node.ip || !node.running) continue;
        (roles[roleOf(node.name)] ??= []).push(this.hostSpec(provider, node));
      }
    }
    return roles;
  }

  /** The node a -H word names (its name or its address), if any provider knows it. A name
   *  can outlive a server for a while (terminated instances stay listed): a running one wins. */
  async find(word: string): Promise<{ provider: Provider; node: Node } | undefined> {
    let fallback: { provider: Provider; node: Node } | undefined;
    for (const { provider, nodes } of await this.all()) {
      const matching = nodes.filter((n) => n.name === word || (n.ip !== null && n.ip === word));
      const live = matching.find((n) => n.running && n.ip);
      if (live) return { provider, node: live };
      fallback ??= matching[0] ? { provider, node: matching[0] } : undefined;
    }
    return fallback;
  }

  /** The node behind a selected host, for provider tasks (terminate, rename, …). */
  async nodeForHost(host: string): Promise<{ provider: Provider; node: Node }> {
    const found = await this.find(host);
    if (found) return found;
    throw new UsageError(`${host} is not a server of any enabled provider`, {
      argument: host,
      hint: 'hitc nodes lists them (it also refreshes the cache)',
    });
  }

  hostSpec(provider: Provider, node: Node): HostSpec {
    if (!node.ip) throw new UsageError(`${node.name} has no address (${node.state})`, { argument: node.name, hint: 'hitc nodes shows each server\'s state' });
    const ssh = provider.ssh();
    // a default key that doesn't exist (e.g. unmanaged's ~/.ssh/id_rsa) is left to ssh config/agent
    const key = ssh.keyFile && existsSync(ssh.keyFile) ? ssh.keyFile : undefined;
    return { host: node.ip, user: ssh.user, ...(key ? { identityFile: key } : {}) };
  }
}
