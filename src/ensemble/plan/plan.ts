// The planner: (manifest, observed world) → plan. Pure and synchronous. Things are decided in
// dependency order, so a container whose variables point at a server being created or replaced
// is itself (re)created, and sees the new address. Every change and every no-op has a reason.

import { admitsSshPort, firewallHash, resolveFirewallRules, transientPeer } from '../firewall/firewall-rules.ts';
import { firewallEnsembleTag } from '../firewall/firewall-commands.ts';
import { explainDifference, type NormalSpec } from './container-spec-hash.ts';
import { containerId, firewallId, serverId, type Manifest, type ManifestContainer, type ManifestServer } from '../manifest/model.ts';
import { LABELS, type ObservedServer, type ObservedWorld } from '../observe/observed.ts';
import { buildGraph } from '../manifest/references.ts';
import { resolveContainer } from './resolve-container.ts';
import { imageKey } from '../../docker/inspect.ts';
import { ASIDE_SUFFIX } from '../../docker/commands.ts';
import { SECRET_MASK } from '../../core/secret.ts';
import { resolveValue, type Reference } from '../manifest/variables.ts';

export type Action = 'create' | 'replace' | 'update' | 'keep' | 'unavailable' | 'orphan';

export interface PlannedThing {
  readonly id: string;
  readonly kind: 'server' | 'container' | 'firewall';
  readonly server: string;
  readonly name: string;
  readonly action: Action;
  readonly reasons: readonly string[];
  /** Containers: the resolved spec and its hash, to label the new container with. */
  readonly spec?: NormalSpec;
  readonly hash?: string;
  /** Firewalls: how many (port, protocol) entries the manifest gives. */
  readonly ruleCount?: number;
  /** What the plan must say loudly (a firewall that admits SSH from nowhere). */
  readonly warnings?: readonly string[];
}

export interface Plan {
  readonly things: readonly PlannedThing[];
  /** Dependency order (ids). */
  readonly order: readonly string[];
  readonly dependencies: Readonly<Record<string, readonly string[]>>;
}

const SERVER_OPTIONS_COMPARED = ['size', 'image', 'placement', 'security_group'];

export function planEnsemble(manifest: Manifest, observed: ObservedWorld, options: { ensemble: string }): Plan {
  const graph = buildGraph(manifest.servers);
  const order = graph.topological();
  const decided = new Map<string, PlannedThing>();
  const servers = new Map(manifest.servers.map((s) => [s.name, s]));
  const changing = (id: string): boolean => ['create', 'replace', 'unavailable'].includes(decided.get(id)?.action ?? 'keep');

  // Known values for variables: only from things that stay as they are.
  const lookup = (host: string) => (ref: Reference): unknown => {
    const serverName = ref.server === 'host' ? host : ref.server;
    const obs = observed.servers[serverName];
    if (!obs || changing(serverId(serverName))) return undefined;
    if (ref.container === undefined) return serverField(obs, ref.field, servers.get(serverName)?.options);
    if (changing(containerId(serverName, ref.container))) return undefined;
    const c = obs.containers.find((x) => x.name === ref.container);
    return c ? (c as unknown as Record<string, unknown>)[ref.field] : undefined;
  };
  const specials = {
    internalIps: () => manifest.servers.map((s) => observed.servers[s.name]?.internalIp ?? ''),
    servers: () => Object.fromEntries(manifest.servers.map((s) => [s.name, { ip: observed.servers[s.name]?.ip, internal_ip: observed.servers[s.name]?.internalIp, name: s.name }])),
  };
  const waitingOn = (id: string): string[] => graph.dependencies(id).filter((d) => changing(d) && d !== serverId(id.split(/[:/]/)[1] as string));

  for (const id of order) {
    const [kind, rest = ''] = id.split(':', 2) as [string, string];
    if (kind === 'server') decided.set(id, planServer(servers.get(rest) as ManifestServer, observed.servers[rest], observed.unreachable?.[rest], observed.unavailable?.[rest]));
    else if (kind === 'container') {
      const [serverName, name] = rest.split('/') as [string, string];
      const server = servers.get(serverName) as ManifestServer;
      const container = server.containers.find((c) => c.name === name) as ManifestContainer;
      decided.set(id, planContainer(id, server, container, observed.servers[serverName], decided.get(serverId(serverName)) as PlannedThing, waitingOn(id), lookup(serverName), specials));
    } else if (kind === 'firewall') {
      const server = servers.get(rest) as ManifestServer;
      decided.set(id, planFirewall(id, server, observed.servers[rest], decided.get(serverId(rest)) as PlannedThing, waitingOn(id), lookup(rest), specials));
    }
    // what needs an unavailable thing cannot happen this run: say so, not "waits for"
    const thing = decided.get(id) as PlannedThing;
    const down = graph.dependencies(id).filter((d) => decided.get(d)?.action === 'unavailable');
    if (kind !== 'server' && thing.action !== 'unavailable' && down.length > 0) {
      const names = down.map((d) => d.replace(/^server:/, '').replace(/^container:([^/]+)\/(.+)$/, '$2 ($1)'));
      decided.set(id, { ...thing, reasons: [`needs ${names.join(', ')}, which ${down.length === 1 ? 'is' : 'are'} unavailable: skipped by up`] });
    }
  }
  const things = order.map((id) => decided.get(id) as PlannedThing);
  for (const s of manifest.servers) {
    for (const c of observed.servers[s.name]?.containers ?? []) {
      if (c.labels[LABELS.ensemble] !== options.ensemble || s.containers.some((x) => x.name === c.name)) continue;
      // the old container of an interrupted replacement, while its own name is free: it is that
      // container (its apply gives it the name back first), never an orphan to prune
      const of = c.name.endsWith(ASIDE_SUFFIX) ? c.name.slice(0, -ASIDE_SUFFIX.length) : undefined;
      if (of && s.containers.some((x) => x.name === of) && !observed.servers[s.name]?.containers.some((x) => x.name === of)) continue;
      things.push({ id: containerId(s.name, c.name), kind: 'container', server: s.name, name: c.name, action: 'orphan', reasons: ['not in the manifest any more'] });
    }
    const fw = observed.servers[s.name]?.firewall;
    if (!s.firewall && fw?.specHash && fw.ensemble === firewallEnsembleTag(options.ensemble)) {
      things.push({ id: firewallId(s.name), kind: 'firewall', server: s.name, name: s.name, action: 'orphan', reasons: ['the manifest has no firewall for it any more'] });
    }
  }
  for (const stray of observed.strays ?? []) {
    const moved = servers.get(stray.name);
    things.push({
      id: stray.id, kind: 'server', server: stray.name, name: stray.name, action: 'orphan',
      reasons: [moved ? `${stray.provider} server created by this ensemble; the manifest now puts ${stray.name} on ${moved.provider}` : `${stray.provider} server created by this ensemble (${stray.state}); the manifest no longer has it`],
    });
  }
  return { things, order, dependencies: Object.fromEntries(order.map((id) => [id, graph.dependencies(id)])) };
}

/** The value of ${server.FIELD} for a server that is up (used by the planner and by apply). */
export function serverField(server: { ip: string; internalIp: string; name: string; options: Readonly<Record<string, string>> }, field: string, manifestOptions?: Readonly<Record<string, string>>): unknown {
  switch (field) {
    case 'ip': return server.ip;
    case 'internal_ip': case 'internal_address': return server.internalIp;
    case 'name': return server.name;
    case 'running': return true;
    default: return server.options[field] ?? manifestOptions?.[field];
  }
}

function planServer(spec: ManifestServer, obs: ObservedServer | undefined, unreachable: string | undefined, unavailable?: string): PlannedThing {
  const base = { id: serverId(spec.name), kind: 'server' as const, server: spec.name, name: spec.name };
  if (unavailable) return { ...base, action: 'unavailable', reasons: [unavailable] };
  if (!obs) {
    if (spec.provider === 'unmanaged') return { ...base, action: 'unavailable', reasons: [`unmanaged server ${spec.name} cannot be reached${unreachable ? `: ${unreachable}` : ''}`] };
    if (unreachable) return { ...base, action: 'unavailable', reasons: [unreachable] };
    return { ...base, action: 'create', reasons: [`no ${spec.provider} server named ${spec.name}`] };
  }
  const diffs = SERVER_OPTIONS_COMPARED.filter((k) => spec.options[k] !== undefined && obs.options[k] !== undefined && !sameOption(k, spec.options[k] as string, obs.options[k] as string))
    .map((k) => `${k} ${obs.options[k]} → ${spec.options[k]}`);
  if (diffs.length > 0) return { ...base, action: 'replace', reasons: diffs };
  return { ...base, action: 'keep', reasons: [`exists (${obs.provider}, ${obs.ip})`] };
}

// an image alias (ubuntu 24.04) cannot be compared with the AMI it resolved to without the API
function sameOption(key: string, wanted: string, have: string): boolean {
  return wanted === have || (key === 'image' && !/^ami-/.test(wanted));
}

function planContainer(
  id: string, server: ManifestServer, c: ManifestContainer, obs: ObservedServer | undefined, serverPlan: PlannedThing,
  waiting: string[], lookup: (r: Reference) => unknown, specials: Parameters<typeof resolveValue>[2],
): PlannedThing {
  const base = { id, kind: 'container' as const, server: server.name, name: c.name };
  const existing = obs?.containers.find((x) => x.name === c.name);
  const verb = existing ? 'replace' : 'create';
  if (serverPlan.action === 'unavailable') return { ...base, action: 'unavailable', reasons: [`server ${server.name} is unavailable`] };
  if (serverPlan.action !== 'keep') return { ...base, action: verb === 'replace' ? 'replace' : 'create', reasons: [`server ${server.name} is being ${serverPlan.action === 'create' ? 'created' : 'replaced'}`] };
  const resolved = resolveContainer(c, (value) => resolveValue(value, lookup, specials));
  if (!resolved || waiting.length > 0) {
    const names = waiting.map((w) => w.replace(/^server:/, '').replace(/^container:([^/]+)\/(.+)$/, '$2 ($1)'));
    return { ...base, action: verb, reasons: [`waits for ${names.join(', ') || 'values not known yet'}, which ${waiting.length === 1 ? 'is' : 'are'} being (re)created`] };
  }
  const { hash } = resolved;
  // the plan (and its --json) names secret values but never carries even their digests
  const spec: NormalSpec = resolved.normal.secrets ? { ...resolved.normal, secrets: Object.fromEntries(Object.keys(resolved.normal.secrets).map((k) => [k, SECRET_MASK])) } : resolved.normal;
  if (!existing) {
    const interrupted = obs?.containers.some((x) => x.name === `${c.name}${ASIDE_SUFFIX}` && x.labels[LABELS.ensemble] !== undefined);
    return { ...base, action: 'create', reasons: [interrupted ? `an earlier replacement of ${c.name} was interrupted: its old container ${c.name}${ASIDE_SUFFIX} gets the name back, then is replaced` : 'no such container'], spec, hash };
  }
  if (existing.labels[LABELS.specHash] === hash) {
    const tagNow = obs?.imageIds?.[imageKey(spec.image)];
    if (tagNow && existing.imageId && tagNow !== existing.imageId) {
      return { ...base, action: 'replace', reasons: [`image ${spec.image} is a newer build on the server (${shortId(existing.imageId)} → ${shortId(tagNow)})`], spec, hash };
    }
    if (existing.running) return { ...base, action: 'keep', reasons: ['spec unchanged'], spec, hash };
    return { ...base, action: 'replace', reasons: [`not running (${existing.state})`], spec, hash };
  }
  let before: NormalSpec | undefined;
  try {
    before = existing.labels[LABELS.spec] ? (JSON.parse(existing.labels[LABELS.spec] as string) as NormalSpec) : undefined;
  } catch {
    before = undefined;
  }
  return { ...base, action: 'replace', reasons: explainDifference(before, resolved.normal), spec, hash };
}

const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

function planFirewall(
  id: string, server: ManifestServer, obs: ObservedServer | undefined, serverPlan: PlannedThing,
  waiting: string[], lookup: (r: Reference) => unknown, specials: Parameters<typeof resolveValue>[2],
): PlannedThing {
  const rules = server.firewall?.rules ?? [];
  const sshPort = Number(obs?.sshPath?.port ?? 22);
  const warnings = !admitsSshPort(rules, sshPort) && !server.firewall?.sshFromApplierOnly ? [lockoutWarning(server.name, sshPort)] : [];
  let base: Omit<PlannedThing, 'action' | 'reasons'> = { id, kind: 'firewall' as const, server: server.name, name: server.name, ruleCount: rules.length, ...(warnings.length > 0 ? { warnings } : {}) };
  if (serverPlan.action === 'unavailable') return { ...base, action: 'unavailable', reasons: [`server ${server.name} is unavailable`] };
  if (serverPlan.action !== 'keep') return { ...base, action: 'create', reasons: [`server ${server.name} is being ${serverPlan.action === 'create' ? 'created' : 'replaced'}`] };
  let resolved: ReturnType<typeof resolveFirewallRules>;
  try {
    resolved = resolveFirewallRules(rules, lookup, specials);
  } catch (error) {
    return { ...base, action: 'unavailable', reasons: [(error as Error).message] };
  }
  if (!resolved || waiting.length > 0) return { ...base, action: obs?.firewall?.specHash ? 'update' : 'create', reasons: ['waits for addresses of servers being (re)created'] };
  const peer = transientPeer(resolved, obs?.sshPath)?.peer;
  const hash = firewallHash(resolved, peer);
  // rules that admit SSH from somewhere, just not from the operator: no lock-out warning above,
  // yet the next reboot (which restores the saved copy, without the transient rule) cuts them off
  if (peer && admitsSshPort(rules, sshPort) && !server.firewall?.sshFromApplierOnly) {
    base = { ...base, warnings: [...(base.warnings ?? []), transientOnlyWarning(server.name, peer)] };
  }
  if (!obs?.firewall?.specHash) return { ...base, action: 'create', reasons: ['no hitc firewall on the server'], hash };
  if (obs.firewall.pending) return { ...base, action: 'update', reasons: ['an earlier apply was never confirmed'], hash };
  if (obs.firewall.hooked === false) return { ...base, action: 'update', reasons: ['the rules are no longer hooked into INPUT/DOCKER-USER'], hash };
  // Docker arrives in this run: its DOCKER-USER chain needs hooking once it exists
  if (server.containers.length > 0 && !obs.dockerInstalled) return { ...base, action: 'update', reasons: ['Docker is being set up, so published ports need the firewall too'], hash };
  // the hash says the transient rule is there, but the live chains lost it (a reboot restored
  // the saved copy, or something flushed the chains)
  if (obs.firewall.specHash === hash && peer && obs.firewall.peer !== peer) return { ...base, action: 'update', reasons: [`the transient SSH rule for ${peer} is missing from the live rules`], hash };
  if (obs.firewall.specHash === hash) return { ...base, action: 'keep', reasons: ['rules unchanged'], hash };
  // same rules, other transient address: the operator's address changed
  if (obs.firewall.specHash === firewallHash(resolved, obs.firewall.peer)) {
    return { ...base, action: 'update', reasons: [`SSH is admitted from ${obs.firewall.peer ?? 'the rules alone'}; hitc now connects from ${peer ?? 'an address the rules admit'}`], hash };
  }
  return { ...base, action: 'update', reasons: ['rules changed'], hash };
}

/** The plan's warning for a firewall in which no rule admits the SSH port. */
export function lockoutWarning(server: string, port: number): string {
  return `${server}.firewall admits SSH (port ${port}) from no listed source: only the address hitc applies it from gets in, and after that address changes or the server reboots nobody can log in`;
}

/** Whether a warning is the lock-out one (ensemble.up refuses those; the others only warn). */
export function isLockoutWarning(warning: string): boolean {
  return / admits SSH \(port \d+\) from no listed source: /.test(warning);
}

/** The plan's warning when the rules admit SSH, but not from where the operator is. */
export function transientOnlyWarning(server: string, peer: string): string {
  return `${server}.firewall: you (${peer}) get in only through a transient rule that is not kept across reboots; add your address to the SSH rule's sources`;
}
