// What the plan does to one server, container or firewall, and why: the comparisons of the
// manifest (normalised) with what observation found. Each returns the op, without its edges
// (the planner adds those), or a no-op with its reason.

import { firewallEnsembleTag } from '../firewall/firewall-commands.ts';
import { admitsSshPort, firewallHash, transientPeer } from '../firewall/firewall-rules.ts';
import { explainDifference, type StoredSpec } from './container-spec-hash.ts';
import { serverId, thingLabel, type ManifestContainer, type ManifestServer } from '../manifest/model.ts';
import { LABELS, type ObservedServer, type ObservedWorld } from '../observe/observed.ts';
import { resolveContainer } from './resolve-container.ts';
import { lockoutWarning, transientOnlyWarning } from './warnings.ts';
import { opId, type Op, type Swap } from './ops.ts';
import { DEFAULT_STOP_TIMEOUT } from '../manifest/healthcheck.ts';
import type { World } from './world.ts';
import { imageKey, shortId } from '../../docker/inspect.ts';
import { ASIDE_SUFFIX } from '../../docker/commands.ts';
import { nextName } from '../../docker/swap-names.ts';

type WithoutEdges<T> = T extends unknown ? Omit<T, 'after'> : never;

export interface Decision {
  readonly action: 'create' | 'replace' | 'update' | 'keep' | 'unavailable' | 'conflict';
  readonly reason: string;
  readonly op?: WithoutEdges<Op>;
  readonly warnings?: readonly string[];
}

/** A server's create options as its provider spells them, or the things they wait for. */
export type DesiredOptions = { readonly options: Readonly<Record<string, string>> } | { readonly waitsFor: readonly string[] };

export function decideServer(spec: ManifestServer, observed: ObservedWorld, desired: DesiredOptions | undefined): Decision {
  const name = spec.name;
  const unavailable = observed.unavailable?.[name];
  if (unavailable) return { action: 'unavailable', reason: unavailable };
  const conflict = observed.conflicts?.[name];
  if (conflict) return { action: 'conflict', reason: conflict };
  const obs = observed.servers[name];
  const wanted = desired ?? { options: {} };
  const options = 'options' in wanted ? { options: wanted.options } : { pending: { waitsFor: wanted.waitsFor } };
  if (!obs) {
    const unreachable = observed.unreachable?.[name];
    if (spec.provider === 'unmanaged') return { action: 'unavailable', reason: `unmanaged server ${name} cannot be reached${unreachable ? `: ${unreachable}` : ''}` };
    if (unreachable) return { action: 'unavailable', reason: unreachable };
    const reason = `no ${spec.provider} server named ${name}`;
    return { action: 'create', reason, op: { id: opId('create-server', name), kind: 'create-server', server: name, reason, provider: spec.provider, ...options } };
  }
  if (!('options' in wanted)) return { action: 'keep', reason: `exists (${obs.provider}, ${obs.ip}); its options wait for ${wanted.waitsFor.map(thingLabel).join(', ')}, so they are not compared` };
  // only what the manifest states is compared (a default may differ from how it was created)
  // an empty value means "the provider chooses": any value is that
  const diffs = Object.keys(spec.options)
    .filter((k) => wanted.options[k] !== undefined && wanted.options[k] !== '' && obs.options[k] !== undefined && wanted.options[k] !== obs.options[k])
    .map((k) => `${k} ${obs.options[k]} → ${wanted.options[k]}${spec.options[k] !== wanted.options[k] ? ` (${spec.options[k]})` : ''}`);
  if (diffs.length === 0) return { action: 'keep', reason: `exists (${obs.provider}, ${obs.ip})` };
  const reason = diffs.join('; ');
  return { action: 'replace', reason, op: { id: opId('replace-server', name), kind: 'replace-server', server: name, reason, provider: spec.provider, node: { id: obs.id ?? name, ip: obs.ip }, ...options } };
}

export function decideContainer(
  server: ManifestServer, c: ManifestContainer, obs: ObservedServer | undefined, serverDecision: Decision, waitsFor: readonly string[], world: World, ensemble: string,
): Decision {
  const existing = obs?.containers.find((x) => x.name === c.name);
  const owner = existing?.labels[LABELS.ensemble];
  if (serverDecision.action === 'unavailable' || serverDecision.action === 'conflict') return { action: 'unavailable', reason: `server ${server.name} is ${serverDecision.action === 'conflict' ? 'another ensemble\'s' : 'unavailable'}` };
  if (serverDecision.action === 'keep' && existing && owner !== undefined && owner !== ensemble) {
    return { action: 'conflict', reason: `the container ${c.name} on ${server.name} belongs to the ensemble ${owner}: it is never replaced or removed from here (rename one of them)` };
  }
  const resolved = resolveContainer(c, (value) => world.resolve(value, server.name));
  const kind = existing && serverDecision.action === 'keep' ? 'replace-container' as const : 'run-container' as const;
  const base = { id: opId(kind, `${server.name}/${c.name}`), server: server.name, container: c.name, path: c.path };
  const op = (action: Decision['action'], reason: string): Decision => ({
    action, reason,
    op: { ...base, kind, reason, swap: swapOf(c), ...(resolved ? { spec: resolved } : { pending: { waitsFor: waitsFor.length > 0 ? waitsFor : [serverId(server.name)] } }) },
  });
  if (serverDecision.action !== 'keep') return op('create', `server ${server.name} is being ${serverDecision.action === 'create' ? 'created' : 'replaced'}`);
  if (!resolved || waitsFor.length > 0) {
    const names = waitsFor.map(thingLabel);
    return op(existing ? 'replace' : 'create', `waits for ${names.join(', ') || 'values not known yet'}, which ${waitsFor.length === 1 ? 'is' : 'are'} being (re)created`);
  }
  // the aside name of an interrupted replacement: given its name back only if it is ours
  const aside = obs?.containers.find((x) => x.name === `${c.name}${ASIDE_SUFFIX}`);
  if (!existing && aside && aside.labels[LABELS.ensemble] !== ensemble) {
    return { action: 'conflict', reason: `${aside.name} on ${server.name} is ${aside.labels[LABELS.ensemble] ? `the ensemble ${aside.labels[LABELS.ensemble]}'s` : 'not hitc\'s'}: hitc would give it the name ${c.name}; rename or remove it` };
  }
  // an interrupted swap's stand-in (ours): it serves until the container is healthy, then goes
  const standIn = obs?.containers.find((x) => x.name === nextName(c.name) && x.labels[LABELS.ensemble] === ensemble);
  if (!existing) {
    if (standIn?.running) return op('create', `an earlier swap of ${c.name} was interrupted: its stand-in ${standIn.name} serves until ${c.name} is healthy, then goes`);
    const interrupted = aside !== undefined;
    return op('create', interrupted ? `an earlier replacement of ${c.name} was interrupted: its old container ${c.name}${ASIDE_SUFFIX} gets the name back, then is replaced` : 'no such container');
  }
  if (standIn) return op('replace', `an earlier swap of ${c.name} was interrupted: its stand-in ${standIn.name} (and its DNAT rules) go first, then ${c.name} is swapped again`);
  if (existing.labels[LABELS.specHash] === resolved.hash) {
    const tagNow = obs?.imageIds?.[imageKey(resolved.run.image)];
    if (tagNow && existing.imageId && tagNow !== existing.imageId) return op('replace', `image ${resolved.run.image} is a newer build on the server (${shortId(existing.imageId)} → ${shortId(tagNow)})`);
    // a restart policy keeps a crashing container "running" between attempts: replacing it would
    // never converge, so the plan says it loudly instead
    if (existing.running && existing.state === 'restarting') {
      return { action: 'keep', reason: 'spec unchanged', warnings: [`${c.name} on ${server.name} keeps restarting (its process exits): docker logs ${c.name} there says why`] };
    }
    // a swap starts the new copy with no restart policy and sets it once the copy is healthy:
    // one interrupted in between left a container a reboot would not bring back
    const wanted = resolved.run.restart ?? 'no';
    if (existing.running && existing.restartPolicy === 'no' && wanted !== 'no') {
      return op('replace', `its restart policy is still "no", not ${wanted}: an earlier swap was interrupted before it was confirmed healthy`);
    }
    if (existing.running) return { action: 'keep', reason: 'spec unchanged' };
    return op('replace', `not running (${existing.state})`);
  }
  let before: StoredSpec | undefined;
  try {
    before = existing.labels[LABELS.spec] ? (JSON.parse(existing.labels[LABELS.spec] as string) as StoredSpec) : undefined;
  } catch {
    before = undefined;
  }
  return op('replace', explainDifference(before, resolved.normal).join('; '));
}

/** Volumes: stop-first (two copies on one data directory must never run at once). */
export function swapOf(c: ManifestContainer): Swap {
  const order = c.volumes.length > 0 ? 'stop-first' as const : 'start-first' as const;
  return {
    order, standIn: order === 'start-first' && c.ports.length > 0,
    ...(c.healthcheck ? { health: c.healthcheck } : {}), stopTimeout: c.stopTimeout ?? DEFAULT_STOP_TIMEOUT,
  };
}

export function decideFirewall(
  server: ManifestServer, obs: ObservedServer | undefined, serverDecision: Decision, waitsFor: readonly string[], world: World, ensemble: string, dockerSetUp: boolean,
): Decision {
  const rules = server.firewall?.rules ?? [];
  const sshPort = Number(obs?.sshPath?.port ?? 22);
  const warnings = !admitsSshPort(rules, sshPort) && !server.firewall?.sshFromApplierOnly ? [lockoutWarning(server.name, sshPort)] : [];
  const id = opId('put-firewall', server.name);
  const exists = serverDecision.action === 'keep' && obs?.firewall?.specHash !== undefined;
  const put = (reason: string, resolved?: Pick<Extract<Op, { kind: 'put-firewall' }>, 'rules' | 'hash' | 'transientPeer'>, extra: readonly string[] = []): Decision => ({
    action: exists ? 'update' : 'create', reason, warnings: [...warnings, ...extra],
    op: { id, kind: 'put-firewall', server: server.name, reason, ruleCount: rules.length, ...(exists ? { update: true } : {}), ...(resolved ?? { pending: { waitsFor: waitsFor.length > 0 ? waitsFor : [serverId(server.name)] } }) },
  });
  if (serverDecision.action === 'unavailable' || serverDecision.action === 'conflict') return { action: 'unavailable', reason: `server ${server.name} is ${serverDecision.action === 'conflict' ? 'another ensemble\'s' : 'unavailable'}` };
  if (obs?.firewall?.ensemble !== undefined && obs.firewall.ensemble !== firewallEnsembleTag(ensemble) && serverDecision.action === 'keep' && obs.firewall.specHash) {
    return { action: 'conflict', reason: `${server.name} has the firewall of the ensemble ${obs.firewall.ensemble}: it is never replaced from here` };
  }
  if (serverDecision.action !== 'keep') return put(`server ${server.name} is being ${serverDecision.action === 'create' ? 'created' : 'replaced'}`);
  let resolved: ReturnType<World['resolveRules']>;
  try {
    resolved = world.resolveRules(rules, server.name);
  } catch (error) {
    return { action: 'unavailable', reason: (error as Error).message };
  }
  if (!resolved || waitsFor.length > 0) return put('waits for addresses of servers being (re)created');
  const path = transientPeer(resolved, obs?.sshPath);
  const hash = firewallHash(resolved, path?.peer);
  const fields = { rules: resolved, hash, ...(path ? { transientPeer: path } : {}) };
  // rules that admit SSH from somewhere, just not from the operator: no lock-out warning above,
  // yet the next reboot (which restores the saved copy, without the transient rule) cuts them off
  const extra = path && admitsSshPort(rules, sshPort) && !server.firewall?.sshFromApplierOnly ? [transientOnlyWarning(server.name, path.peer)] : [];
  const fw = obs?.firewall;
  if (!fw?.specHash) return put('no hitc firewall on the server', fields, extra);
  if (fw.pending) return put('an earlier apply was never confirmed', fields, extra);
  if (fw.hooked === false) return put('the rules are no longer hooked into INPUT/DOCKER-USER', fields, extra);
  // Docker arrives in this run: its DOCKER-USER chain needs hooking once it exists
  if (dockerSetUp) return put('Docker is being set up, so published ports need the firewall too', fields, extra);
  // the hash says the transient rule is there, but the live chains lost it (a reboot restored
  // the saved copy, or something flushed the chains)
  if (fw.specHash === hash && path && fw.peer !== path.peer) return put(`the transient SSH rule for ${path.peer} is missing from the live rules`, fields, extra);
  if (fw.specHash === hash) return { action: 'keep', reason: 'rules unchanged' };
  if (fw.specHash === firewallHash(resolved, fw.peer)) {
    return put(`SSH is admitted from ${fw.peer ?? 'the rules alone'}; hitc now connects from ${path?.peer ?? 'an address the rules admit'}`, fields, extra);
  }
  return put('rules changed', fields, extra);
}
