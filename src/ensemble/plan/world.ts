// The one model of the ensemble's world, and the one resolver of `${…}` values. The planner
// builds it from what observation found and marks what the plan changes as not known yet;
// apply starts from the same observation and fills in each thing as its op finishes. So a
// value resolves the same way in both, from the same facts.

import type { ContainerInfo } from '../../docker/inspect.ts';
import { resolveFirewallRules, type ResolvedRule } from '../firewall/firewall-rules.ts';
import { containerId, serverId, type FirewallRule, type Manifest, type ManifestServer } from '../manifest/model.ts';
import { resolveValue, type Reference, type Specials } from '../manifest/variables.ts';
import type { ObservedWorld } from '../observe/observed.ts';

export interface ServerFacts {
  readonly name: string;
  readonly ip: string;
  readonly internalIp: string;
  /** The provider's facts in its own spelling (size, placement, image…). */
  readonly options: Readonly<Record<string, string>>;
}

export class World {
  readonly #servers = new Map<string, ServerFacts>();
  readonly #containers = new Map<string, ContainerInfo>();
  /** Thing ids whose values are not known yet (being created or replaced, or unreachable). */
  readonly #unknown = new Set<string>();
  readonly #manifest: ReadonlyMap<string, ManifestServer>;
  readonly #order: readonly string[];

  constructor(manifest: Manifest, observed: ObservedWorld) {
    this.#manifest = new Map(manifest.servers.map((s) => [s.name, s]));
    this.#order = manifest.servers.map((s) => s.name);
    for (const [name, o] of Object.entries(observed.servers)) {
      this.#servers.set(name, { name, ip: o.ip, internalIp: o.internalIp, options: o.options });
      for (const c of o.containers) this.#containers.set(`${name}/${c.name}`, c);
    }
  }

  server(name: string): ServerFacts | undefined {
    return this.#unknown.has(serverId(name)) ? undefined : this.#servers.get(name);
  }

  /** A thing's values are not known until it is done (plan: it changes; apply: not yet done). */
  markUnknown(id: string): void {
    this.#unknown.add(id);
  }

  isUnknown(id: string): boolean {
    return this.#unknown.has(id);
  }

  setServer(facts: ServerFacts): void {
    this.#servers.set(facts.name, facts);
    this.#unknown.delete(serverId(facts.name));
  }

  setContainer(server: string, info: ContainerInfo): void {
    this.#containers.set(`${server}/${info.name}`, info);
    this.#unknown.delete(containerId(server, info.name));
  }

  /** A thing is done (its values, if any, were set): its values are known again. */
  settle(id: string): void {
    this.#unknown.delete(id);
  }

  /** Fill in a value of `host`'s (the server `${host.…}` means); undefined: not known yet. */
  resolve(value: string, host: string): string | undefined {
    return resolveValue(value, (ref) => this.#lookup(ref, host), this.#specials());
  }

  /** A firewall's rules with their sources filled in; undefined: an address is not known yet.
   *  Throws when a filled-in source is not an address. */
  resolveRules(rules: readonly FirewallRule[], host: string): ResolvedRule[] | undefined {
    return resolveFirewallRules(rules, (ref) => this.#lookup(ref, host), this.#specials());
  }

  #lookup(ref: Reference, host: string): unknown {
    const name = ref.server === 'host' ? host : ref.server;
    const server = this.server(name);
    if (!server) return undefined;
    if (ref.container === undefined) return serverField(server, ref.field, this.#manifest.get(name)?.options);
    if (this.#unknown.has(containerId(name, ref.container))) return undefined;
    const c = this.#containers.get(`${name}/${ref.container}`);
    return c ? (c as unknown as Record<string, unknown>)[ref.field] : undefined;
  }

  #specials(): Specials {
    const all = (): ServerFacts[] | undefined => {
      const known = this.#order.map((n) => this.server(n));
      return known.every((s): s is ServerFacts => s !== undefined) ? known : undefined;
    };
    return {
      internalIps: () => all()?.map((s) => s.internalIp),
      servers: () => {
        const known = all();
        return known && Object.fromEntries(known.map((s) => [s.name, { ip: s.ip, internal_ip: s.internalIp, name: s.name }]));
      },
    };
  }
}

/** The value of `${server.FIELD}` for a server that is up. */
function serverField(server: ServerFacts, field: string, manifestOptions?: Readonly<Record<string, string>>): unknown {
  switch (field) {
    case 'ip': return server.ip;
    case 'internal_ip': case 'internal_address': return server.internalIp;
    case 'name': return server.name;
    case 'running': return true;
    default: return server.options[field] ?? manifestOptions?.[field];
  }
}
