// Apply: every planned thing starts as soon as what it depends on is done (no waves); values
// are filled in just before a thing starts; a failure marks its dependents skipped while
// independent branches finish. No decisions are made here: the plan made them.

import { TaskError } from '../../core/errors.ts';
import { sh } from '../../core/command.ts';
import { ASIDE_SUFFIX, dockerRm, dockerRun, parseReplaceFailure, replaceCommand, unbindCommand } from '../../docker/commands.ts';
import { parseHostState } from '../../docker/inspect.ts';
import { DockerHost } from '../../docker/docker-host.ts';
import { setupDocker } from '../../docker/setup.ts';
import { ensureImage } from '../../docker/ensure-image.ts';
import type { ProgressGroup, TaskContext } from '../../runner/context-types.ts';
import { waitForSsh } from '../../providers/wait-ssh.ts';
import { applyFirewall, removeFirewall } from '../firewall/firewall-apply.ts';
import { firewallRestoreInput, parseSshPath, READ_SSH_PATH } from '../firewall/firewall-commands.ts';
import { firewallHash, resolveFirewallRules, transientPeer } from '../firewall/firewall-rules.ts';
import { describeId, type Manifest, type ManifestServer } from '../manifest/model.ts';
import type { Located, Stray } from '../observe/observe.ts';
import { LABELS, type ObservedWorld } from '../observe/observed.ts';
import { serverField, type Plan, type PlannedThing } from '../plan/plan.ts';
import { resolveContainer, type ResolvedContainer } from '../plan/resolve-container.ts';
import { resolveValue, type Reference } from '../manifest/variables.ts';

export interface ThingOutcome {
  readonly id: string;
  readonly status: 'done' | 'unchanged' | 'failed' | 'skipped';
  readonly error?: unknown;
  /** For a skipped thing: the failure that caused it (through any chain of skips). */
  readonly root?: string;
  /** When it started (ms after apply began) and how long it took; what it waited for. Lets a
   *  benchmark compare the wall time with the critical path of the real durations. */
  readonly startedMs?: number;
  readonly durationMs?: number;
  readonly dependsOn?: readonly string[];
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

export async function applyPlan(
  c: TaskContext, manifest: Manifest, plan: Plan, observed: ObservedWorld, located: Map<string, Located>, ensemble: string,
  options: { prune?: boolean; strays?: readonly Stray[] } = {},
): Promise<ThingOutcome[]> {
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
  const changing = [...things.values()].filter((t) => t.action !== 'keep');
  const orphans = options.prune ? plan.things.filter((t) => t.action === 'orphan') : [];
  const progress = c.progress([...changing, ...orphans].map((t) => ({ id: t.id, title: stepTitle(t) })));
  const began = performance.now();

  const start = (id: string): Promise<void> => {
    let p = running.get(id);
    if (p) return p;
    p = (async () => {
      const deps = (plan.dependencies[id] ?? []).filter((d) => things.has(d));
      await Promise.all(deps.map(start));
      const blocked = deps.map((d) => outcomes.get(d)).find((o) => o?.status === 'failed' || o?.status === 'skipped');
      if (blocked && things.get(id)?.action === 'keep') {
        outcomes.set(id, { id, status: 'unchanged' }); // nothing was going to happen to it anyway
        return;
      }
      if (blocked) {
        const root = blocked.root ?? blocked.id;
        outcomes.set(id, { id, status: 'skipped', root, error: new TaskError(`skipped: ${describeId(root)} failed`) });
        progress.skipped(id, `${describeId(root)} failed`);
        return;
      }
      const thing = things.get(id) as PlannedThing;
      if (thing.action !== 'keep') progress.running(id);
      const t0 = performance.now();
      const timing = (): Pick<ThingOutcome, 'startedMs' | 'durationMs' | 'dependsOn'> => ({ startedMs: Math.round(t0 - began), durationMs: Math.round(performance.now() - t0), dependsOn: deps });
      try {
        const detail = await applyThing(c, thing, servers.get(thing.server) as ManifestServer, facts, located, ensemble, (text) => progress.note(id, text));
        outcomes.set(id, { id, status: detail === false ? 'unchanged' : 'done', ...timing() });
        if (detail !== false) progress.done(id, detail);
      } catch (error) {
        outcomes.set(id, { id, status: 'failed', error, ...timing() });
        progress.failed(id, (error as Error).message);
      }
    })();
    running.set(id, p);
    return p;
  };
  try {
    await Promise.all([...things.keys()].map(start));
    const result = plan.order.filter((id) => outcomes.has(id)).map((id) => outcomes.get(id) as ThingOutcome);
    if (orphans.length > 0) result.push(...(await pruneOrphans(c, orphans, located, options.strays ?? [], progress)));
    return result;
  } finally {
    progress.end();
  }
}

function stepTitle(t: PlannedThing): string {
  if (t.id.startsWith('stray:')) return `terminate server ${describeId(t.id)}`;
  const verb = t.action === 'orphan' ? 'remove' : t.action === 'unavailable' ? 'reach' : t.action;
  if (t.kind === 'server') return `${verb} server ${t.name}`;
  if (t.kind === 'container') return `${verb} container ${t.name} on ${t.server}`;
  return `${t.action === 'orphan' ? 'remove' : 'apply'} firewall on ${t.server}${t.ruleCount !== undefined && t.action !== 'orphan' ? ` (${t.ruleCount} rules)` : ''}`;
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

/** Does one planned thing; returns a short detail for the progress line, or false if it was kept. */
async function applyThing(c: TaskContext, t: PlannedThing, server: ManifestServer, facts: Facts, located: Map<string, Located>, ensemble: string, note: (text: string) => void): Promise<string | false> {
  if (t.action === 'unavailable') throw new TaskError(t.reasons.join('; '));
  const where = located.get(server.name);
  if (t.kind === 'server') {
    if (t.action === 'keep') return false;
    const provider = where?.provider ?? (await c.cloud.providers.get(server.provider));
    if (t.action === 'replace' && where?.node) {
      note(`terminating ${where.node.id}: ${t.reasons.join('; ')}`);
      await provider.terminate(where.node, c.cloud.env());
    }
    const options = await provider.validateCreateOptions(Object.fromEntries(Object.entries(server.options).map(([k, v]) => [k, must(v, `${server.name}.${k}`, facts, server.name)])), c.cloud.env());
    note(`creating a ${server.provider} server`);
    const [node] = await provider.createServers({ names: [server.name], options, ensemble }, c.cloud.env());
    c.cloud.cache.invalidate(provider.name);
    if (!node?.ip) throw new TaskError(`${server.name} has no address after creation`);
    const spec = c.cloud.hostSpec(provider, node);
    note(`waiting for SSH on ${node.ip}`);
    await waitForSsh(c, [spec]);
    located.set(server.name, { provider, node, spec });
    facts.servers.set(server.name, { ip: node.ip, internalIp: node.internalIp ?? node.ip, name: server.name, options: { ...(node.size ? { size: node.size } : {}), ...node.extra } });
    facts.docker.delete(server.name);
    if (server.containers.length > 0) {
      note('setting up Docker');
      await dockerReady(facts, server.name, new DockerHost(c.on(spec)));
    }
    return node.ip;
  }
  const spec = located.get(server.name)?.spec;
  if (!spec) throw new TaskError(`${server.name} has no address`);
  const host = new DockerHost(c.on(spec));
  if (t.kind === 'container') {
    if (t.action === 'keep') return false;
    const mc = server.containers.find((x) => x.name === t.name);
    if (!mc) throw new TaskError(`${t.id} is not in the manifest`);
    const { run: containerSpec, normal, hash, argv } = resolveContainer(mc, (value, where) => must(value, where, facts, server.name)) as ResolvedContainer;
    // a variable may have filled it in: docker would read a leading "-" as an option
    if (!/^[A-Za-z0-9]\S*$/.test(containerSpec.image)) throw new TaskError(`${mc.path}.image: "${containerSpec.image}" is not an image name`);
    // one round trip: remove what this replaces, run, and read the new container back
    if (!facts.docker.has(server.name)) note('setting up Docker');
    await dockerReady(facts, server.name, host);
    const replacing = t.action === 'replace';
    // the image is on the server before anything is removed: a tag that cannot be pulled (a typo)
    // fails this step and the old container keeps running. A tag already there is not re-pulled
    // (that is pull=true's job, at observation), so other containers of the same tag never
    // silently fall behind it.
    await ensureImage(host, containerSpec.image, { prefix: `[${server.name}] `, on: server.name, hint: 'check the image name and tag; nothing was removed, the running container was kept' });
    const labels = { [LABELS.ensemble]: ensemble, [LABELS.specHash]: hash, [LABELS.spec]: JSON.stringify(normal) };
    // the command's words follow the image, each one quoted: no shell ever splits or reads them
    const words = argv ? sh` ${argv}` : sh``;
    const run = sh`${dockerRun(containerSpec, labels)}${words}`;
    // create and replace alike: a container left aside by an interrupted replacement is put back first
    const result = await host.asRoot(replaceCommand(mc.name, run), { quiet: true, warn: true });
    if (!result.ok) throw replaceError(server.name, mc.name, result);
    const after = parseHostState(result.stdout).containers[0];
    if (after) facts.containers.set(`${server.name}/${mc.name}`, after as unknown as Record<string, unknown>);
    return `${replacing ? 'replaced' : 'started'}${after?.ip ? ` (${after.ip})` : ''}: ${t.reasons.join('; ')}`;
  }
  // firewall
  if (t.action === 'keep') return false;
  // its DOCKER-USER hook needs Docker's chains, so Docker comes first where containers will run
  if (server.containers.length > 0) {
    if (!facts.docker.has(server.name)) note('setting up Docker first');
    // if Docker fails (its containers report that), the host's own ports still get the firewall
    await dockerReady(facts, server.name, host).catch(() => undefined);
  }
  const rules = resolveFirewallRules(server.firewall?.rules ?? [], lookupIn(facts, server.name), specials(facts));
  if (!rules) throw new TaskError(`${server.name}.firewall: a source address is still unknown`);
  // the address hitc applies from keeps SSH (transiently) unless the rules admit it already;
  // read as the login user (through sudo the environment has lost SSH_CLIENT)
  const sshPath = parseSshPath((await host.c.run(READ_SSH_PATH, { quiet: true })).stdout);
  if (!sshPath) throw new TaskError(`${server.name}: cannot tell which SSH connection to keep open (no SSH_CLIENT), so the firewall was not changed`);
  const peer = transientPeer(rules, sshPath);
  const hash = firewallHash(rules, peer?.peer);
  const input = (family: 4 | 6): string => firewallRestoreInput(rules, hash, ensemble, { family, ...(peer ? { transientPeer: peer } : {}) });
  note('applying; then proving a fresh SSH login still works');
  const { persisted } = await applyFirewall(host, () => c.on(spec).freshLogin(), server.name, { v4: input(4), v6: input(6) });
  return `${rules.length} rules in place, fresh SSH login confirmed${persisted ? '' : '; could not save them for reboots (/etc/hitc)'}`;
}

/** What a failed replaceCommand says: which step failed, and whether the old container runs
 *  again (the hint never claims it was put back when it was not). */
function replaceError(server: string, name: string, result: { stdout: string; stderr: string; exitCode: number | null; timedOut?: boolean }): TaskError {
  const said = result.stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(-3).join(' / ');
  const tail = said ? `: ${said}` : '';
  const f = parseReplaceFailure(result.stdout);
  const aside = `${name}${ASIDE_SUFFIX}`;
  const back = f?.restored === 'yes' ? 'the old container was put back as it was (same id)'
    : f?.restored === 'no' ? `the old container could not be put back: it is kept as ${aside}; give it its name back with docker rename (the next apply does that too)`
    : 'check the image, command and ports of that container';
  if (!f) {
    return new TaskError(`[${server}] docker run for ${name} ${result.timedOut ? 'timed out' : `exited with code ${result.exitCode}`}${tail}`, {
      host: server, hint: `if the old container is now ${aside}, the next apply gives it its name back first`,
    });
  }
  if (f.step === 'aside') return new TaskError(`[${server}] could not move the old ${name} aside (exit code ${f.code})${tail}`, { host: server, hint: 'nothing was changed: the old container is as it was' });
  // said in the message too: a failed step of an apply shows its message, not its hint
  const outcome = f.restored === 'none' ? '' : `; ${back}`;
  if (f.step === 'exited') return new TaskError(`[${server}] the new ${name} stopped right after it started (its exit code ${f.code})${tail}${outcome}`, { host: server, hint: back });
  return new TaskError(`[${server}] docker run for ${name} exited with code ${f.code}${tail}${outcome}`, { host: server, hint: back });
}

// Orphans (containers and firewalls this ensemble made that the manifest no longer has) go only
// when asked.
async function pruneOrphans(c: TaskContext, orphans: readonly PlannedThing[], located: Map<string, Located>, strays: readonly Stray[], progress: ProgressGroup): Promise<ThingOutcome[]> {
  const out: ThingOutcome[] = [];
  for (const t of orphans) {
    const spec = located.get(t.server)?.spec;
    progress.running(t.id);
    try {
      const stray = strays.find((x) => x.id === t.id);
      if (stray) {
        await stray.provider.terminate(stray.node, c.cloud.env());
        c.cloud.cache.invalidate(stray.provider.name);
        out.push({ id: t.id, status: 'done' });
        progress.done(t.id, 'terminated');
        continue;
      }
      if (!spec) throw new TaskError(`${t.server} has no address`);
      const host = new DockerHost(c.on(spec));
      if (t.kind === 'firewall') await removeFirewall(host);
      else {
        await host.asRoot(unbindCommand(t.name, undefined), { quiet: true });
        await host.asRoot(dockerRm(t.name), { quiet: true });
      }
      out.push({ id: t.id, status: 'done' });
      progress.done(t.id, 'removed');
    } catch (error) {
      out.push({ id: t.id, status: 'failed', error });
      progress.failed(t.id, (error as Error).message);
    }
  }
  return out;
}
