// The node cache: each provider's last listing, so `-R web` resolves with no API call while
// fresh. A 0600 JSON file (~/.hitc/nodes.json by default), refreshed by `nodes`, dropped for a
// provider by hitc's own create/terminate/rename, bypassed with HITC_NO_CACHE.

import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Node } from './types.ts';

const DEFAULT_TTL_MS = 15 * 60 * 1000;

interface CacheFile {
  readonly version: 1;
  readonly providers: Record<string, { readonly fetchedAt: number; readonly prefix: string; readonly nodes: Node[] }>;
}

export class NodeCache {
  constructor(
    readonly path: string = process.env.HITC_CACHE_FILE ?? join(homedir(), '.hitc', 'nodes.json'),
    readonly ttlMs: number = Number(process.env.HITC_CACHE_TTL_SECONDS ?? '') * 1000 || DEFAULT_TTL_MS,
    readonly disabled: boolean = /^(1|true|yes)$/i.test(process.env.HITC_NO_CACHE ?? ''),
  ) {}

  /** Fresh cached nodes for a provider (listed under the same name prefix), or undefined. */
  get(provider: string, prefix: string): Node[] | undefined {
    if (this.disabled) return undefined;
    const entry = this.#read().providers[provider];
    if (!entry || entry.prefix !== prefix || Date.now() - entry.fetchedAt >= this.ttlMs) return undefined;
    return entry.nodes;
  }

  /** What the cache held for a provider when this process first read it, however old (what
   *  the user last saw listed), with when it was listed; undefined if nothing was. */
  atStart(provider: string, prefix: string): { nodes: Node[]; fetchedAt: number } | undefined {
    if (this.disabled) return undefined;
    this.#initial ??= this.#read();
    const entry = this.#initial.providers[provider];
    return entry && entry.prefix === prefix ? { nodes: entry.nodes, fetchedAt: entry.fetchedAt } : undefined;
  }

  /** Every node any listing cached, however old (names for shell completion). */
  everyNode(): Node[] {
    if (this.disabled) return [];
    return Object.values(this.#read().providers).flatMap((entry) => entry.nodes);
  }

  set(provider: string, prefix: string, nodes: Node[]): void {
    if (this.disabled) return;
    const file = this.#read();
    this.#write({ version: 1, providers: { ...file.providers, [provider]: { fetchedAt: Date.now(), prefix, nodes } } });
  }

  invalidate(provider: string): void {
    if (this.disabled) return;
    const file = this.#read();
    if (!(provider in file.providers)) return;
    const { [provider]: _, ...rest } = file.providers;
    this.#write({ version: 1, providers: rest });
  }

  flush(): void {
    rmSync(this.path, { force: true });
  }

  #initial: CacheFile | undefined;

  #read(): CacheFile {
    let data: CacheFile;
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as CacheFile;
      data = parsed.version === 1 ? parsed : { version: 1, providers: {} };
    } catch {
      data = { version: 1, providers: {} }; // missing or damaged: start again
    }
    this.#initial ??= data;
    return data;
  }

  #write(data: CacheFile): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}
