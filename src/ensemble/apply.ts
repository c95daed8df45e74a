// Apply: every planned thing starts as soon as what it depends on is done (no waves); values
// are filled in just before a thing starts; a failure marks its dependents skipped while
// independent branches finish. No decisions are made here: the plan made them.

import { TaskError } from '../core/errors.ts';
import { sh } from '../core/command.ts';
import { dockerPull, dockerRm, dockerRun, STATE_SEPARATOR, unbindCommand } from '../docker/commands.ts';
import { parseHostState } from '../docker/inspect.ts';
import { DockerHost } from '../docker/docker-host.ts';
import { setupDocker } from '../docker/setup.ts';
import type { TaskContext } from '../runner/context-types.ts';
import { waitForSsh } from '../providers/wait-ssh.ts';
import { applyFirewall, removeFirewall } from './firewall-apply.ts';
import { firewallRestoreInput } from './firewall-commands.ts';
import { firewallHash, resolveFirewallRules } from './firewall-rules.ts';
import type { Manifest, ManifestServer } from './model.ts';
import type { Located } from './observe.ts';
import { LABELS, type ObservedWorld } from './observed.ts';
import { serverField, type Plan, type PlannedThing } from './plan.ts';
import { resolveContainer, type ResolvedContainer } from './resolve-container.ts';
import { resolveValue, type Reference } from './variables.ts';

export interface ThingOutcome {
  readonly id: string;
  readonly status: 'done' | 'unchanged' | 'failed' | 'skipped';
  readonly error?: unknown;
}

interface Facts {
  servers: Map<string, { ip: string; internalIp: string; name: string; options: Record<string, string> }>;
  containers: Map<string, Record<string, unknown>>;
  /** Docker set up (or found) per server, shared by everything that needs it there, so two
   *  things on one server never install it at the same time. */
  docker: Map<string, Promise<void>>;
}

function dockerReady(facts: Facts, server: string, host: DockerHost): Promise<void> {
  let ready = facts.docker.get(server);
  if (!ready) {
    ready = setupDocker(host).then(() => undefined);
    facts.docker.set(server, ready);
  }
  return ready;
}

export async function applyPlan(c: TaskContext, manifest: Manifest, plan: Plan, observed: ObservedWorld, located: Map<string, Located>, ensemble: string, options: { prune?: boolean } = {}): Promise<ThingOutcome[]> {
  const servers = new Map(manifest.servers.map((s) => [s.name, s]));
  const facts: Facts = { servers: new Map(), containers: new Map(), docker: new Map() };
  for (const s of manifest.servers) if (observed.servers[s.name]?.dockerInstalled) facts.docker.set(s.name, Promise.resolve());
  for (const [name, o] of Object.entries(observed.servers)) {
    facts.servers.set(name, { ip: o.ip, internalIp: o.internalIp, name, options: { ...o.options } });
    for (const ct of o.containers) facts.containers.set(`${name}/${ct.name}`, ct as unknown as Record<string, unknown>);
  }
  const things = new Map(plan.things.filter((t) => t.action !== 'orphan').map((t) => [t.id, t]));
  const outcomes = new Map<string, ThingOutcome>();
  const running = new Map<string, Promise<void>>();

  const start = (id: string): Promise<void> => {
    let p = running.get(id);
    if (p) return p;
    p = (async () => {
      const deps = (plan.dependencies[id] ?? []).filter((d) => things.has(d));
      await Promise.all(deps.map(start));
      const failed = deps.find((d) => ['failed', 'skipped'].includes(outcomes.get(d)?.status ?? ''));
      if (failed) {
        outcomes.set(id, { id, status: 'skipped', error: new TaskError(`skipped: ${failed} failed`) });
        return;
      }
      const thing = things.get(id) as PlannedThing;
      try {
        const changed = await applyThing(c, thing, servers.get(thing.server) as ManifestServer, facts, located, ensemble);
        outcomes.set(id, { id, status: changed ? 'done' : 'unchanged' });
      } catch (error) {
        outcomes.set(id, { id, status: 'failed', error });
        c.warn(`${id.replace(':', ' ')} failed: ${(error as Error).message}`);
      }
    })();
    running.set(id, p);
    return p;
  };
  await Promise.all([...things.keys()].map(start));
  const result = plan.order.filter((id) => outcomes.has(id)).map((id) => outcomes.get(id) as ThingOutcome);
  if (options.prune) result.push(...(await pruneOrphans(c, plan, located)));
  return result;
}

function lookupIn(facts: Facts, host: string) {
  return (ref: Reference): unknown => {
    const server = ref.server === 'host' ? host : ref.server;
    if (ref.container !== undefined) return facts.containers.get(`${server}/${ref.container}`)?.[ref.field];
    const f = facts.servers.get(server);
    return f ? serverField(f, ref.field) : undefined;
  };
}

function specials(facts: Facts) {
  return {
    internalIps: () => [...facts.servers.values()].map((s) => s.internalIp),
    servers: () => Object.fromEntries([...facts.servers.values()].map((s) => [s.name, { ip: s.ip, internal_ip: s.internalIp, name: s.name }])),
  };
}

function must(value: string, what: string, facts: Facts, host: string): string {
  const v = resolveValue(value, lookupIn(facts, host), specials(facts));
  if (v === undefined) throw new TaskError(`${what}: a referenced value is still unknown (${value})`);
  return v;
}

async function applyThing(c: TaskContext, t: PlannedThing, server: ManifestServer, facts: Facts, located: Map<string, Located>, ensemble: string): Promise<boolean> {
  if (t.action === 'unavailable') throw new TaskError(`${t.id}: ${t.reasons.join('; ')}`);
  const where = located.get(server.name);
  if (t.kind === 'server') {
    if (t.action === 'keep') return false;
    const provider = where?.provider ?? (await c.cloud.providers.get(server.provider));
    if (t.action === 'replace' && where?.node) {
      c.log(`terminating ${server.name} (${where.node.id}) to replace it: ${t.reasons.join('; ')}`);
      await provider.terminate(where.node, c.cloud.env());
    }
    const options = await provider.validateCreateOptions(Object.fromEntries(Object.entries(server.options).map(([k, v]) => [k, must(v, `${server.name}.${k}`, facts, server.name)])), c.cloud.env());
    c.log(`creating ${server.provider} server ${server.name}`);
    const [node] = await provider.createServers({ names: [server.name], options }, c.cloud.env());
    c.cloud.cache.invalidate(provider.name);
    if (!node?.ip) throw new TaskError(`${server.name} has no address after creation`);
    const spec = c.cloud.hostSpec(provider, node);
    await waitForSsh(c, [spec]);
    located.set(server.name, { provider, node, spec });
    facts.servers.set(server.name, { ip: node.ip, internalIp: node.internalIp ?? node.ip, name: server.name, options: { ...(node.size ? { size: node.size } : {}), ...node.extra } });
    facts.docker.delete(server.name);
    if (server.containers.length > 0) await dockerReady(facts, server.name, new DockerHost(c.on(spec)));
    return true;
  }
  const spec = located.get(server.name)?.spec;
  if (!spec) throw new TaskError(`${server.name} has no address`);
  const host = new DockerHost(c.on(spec));
  if (t.kind === 'container') {
    if (t.action === 'keep') return false;
    const mc = server.containers.find((x) => x.name === t.name);
    if (!mc) throw new TaskError(`${t.id} is not in the manifest`);
    const { run: containerSpec, normal, hash } = resolveContainer(mc, (value, where) => must(value, where, facts, server.name)) as ResolvedContainer;
    // one round trip: remove what this replaces, run, and read the new container back
    await dockerReady(facts, server.name, host);
    const replacing = t.action === 'replace';
    if (replacing) await host.asRoot(dockerPull(containerSpec.image), { quiet: true }).catch(() => undefined); // pull first: the swap is short
    const labels = { [LABELS.ensemble]: ensemble, [LABELS.specHash]: hash, [LABELS.spec]: JSON.stringify(normal) };
    const swap = replacing ? sh`${unbindCommand(mc.name, undefined)} >/dev/null; docker rm -f ${mc.name} >/dev/null; ` : sh``;
    const result = await host.asRoot(sh`${swap}id=$(${dockerRun(containerSpec, labels)}) && docker inspect "$id" && echo ${STATE_SEPARATOR}`, { quiet: true });
    const after = parseHostState(result.stdout).containers[0];
    if (after) facts.containers.set(`${server.name}/${mc.name}`, after as unknown as Record<string, unknown>);
    host.c.log(`${replacing ? 'replaced' : 'started'} container ${mc.name}${after?.ip ? ` (${after.ip})` : ''}: ${t.reasons.join('; ')}`);
    return true;
  }
  // firewall
  if (t.action === 'keep') return false;
  // its DOCKER-USER hook needs Docker's chains, so Docker comes first where containers will run
  if (server.containers.length > 0) await dockerReady(facts, server.name, host);
  const rules = resolveFirewallRules(server.firewall?.rules ?? [], lookupIn(facts, server.name), specials(facts));
  if (!rules) throw new TaskError(`${server.name}.firewall: a source address is still unknown`);
  const hash = firewallHash(rules);
  await applyFirewall(host, () => c.on(spec).freshLogin(), server.name, firewallRestoreInput(rules, hash, ensemble));
  return true;
}

// Orphans (containers and firewalls this ensemble made that the manifest no longer has) go only
// when asked.
async function pruneOrphans(c: TaskContext, plan: Plan, located: Map<string, Located>): Promise<ThingOutcome[]> {
  const out: ThingOutcome[] = [];
  for (const t of plan.things.filter((x) => x.action === 'orphan')) {
    const spec = located.get(t.server)?.spec;
    try {
      if (!spec) throw new TaskError(`${t.server} has no address`);
      const host = new DockerHost(c.on(spec));
      if (t.kind === 'firewall') await removeFirewall(host);
      else {
        await host.asRoot(unbindCommand(t.name, undefined), { quiet: true });
        await host.asRoot(dockerRm(t.name));
      }
      out.push({ id: t.id, status: 'done' });
    } catch (error) {
      out.push({ id: t.id, status: 'failed', error });
    }
  }
  return out;
}
