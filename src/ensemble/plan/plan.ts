// The planner: (manifest, observed world, normalised server options) → typed ops. Pure and
// synchronous. Things are decided in the manifest graph's order, so a container whose values
// point at a server being created or replaced gets an op too, and waits for it. Every op and
// every no-op has a reason; apply does exactly the ops, in their edges' order.

import { containerId, serverId, thingLabel, type Manifest, type ManifestServer } from '../manifest/model.ts';
import type { ObservedServer, ObservedWorld } from '../observe/observed.ts';
import { decideContainer, decideFirewall, decideServer, type Decision, type DesiredOptions } from './decide.ts';
import { orphanOps } from './plan-orphans.ts';
import { withReleases } from './plan-release.ts';
import { rollOut } from './plan-rollout.ts';
import { opId, type Note, type Op, type Plan, type PullImageOp } from './ops.ts';
import { World } from './world.ts';
import { imageKey } from '../../docker/inspect.ts';

export type { DesiredOptions } from './decide.ts';

export interface PlanInput {
  readonly ensemble: Plan['ensemble'];
  /** Each server's create options, validated and normalised by its provider. */
  readonly desired: Readonly<Record<string, DesiredOptions>>;
  /** Orphans become remove/terminate ops (else they are listed and kept). */
  readonly prune?: boolean;
}

const CHANGING = new Set<Decision['action']>(['create', 'replace', 'update', 'unavailable', 'conflict']);

export function planEnsemble(manifest: Manifest, observed: ObservedWorld, input: PlanInput): Plan {
  const world = new World(manifest, observed);
  const servers = new Map(manifest.servers.map((s) => [s.name, s]));
  const decided = new Map<string, Decision>();
  const ops: Op[] = [];
  const unchanged: Note[] = [];
  const unavailable: Note[] = [];
  const conflicts: Note[] = [];
  const warnings: { id: string; text: string }[] = [];
  /** The op that makes each thing as the manifest says (its dependents wait for it). */
  const mainOp = new Map<string, string>();
  const pulls = new Set<string>();

  for (const id of manifest.graph.topological()) {
    const [kind, rest = ''] = id.split(':', 2) as [string, string];
    const serverName = kind === 'container' ? (rest.split('/')[0] as string) : rest;
    const server = servers.get(serverName) as ManifestServer;
    const deps = manifest.graph.dependencies(id);
    // what needs an unavailable thing (or another ensemble's) cannot happen this run
    const blocked = deps.filter((d) => ['unavailable', 'conflict'].includes(decided.get(d)?.action ?? ''));
    const waitsFor = deps.filter((d) => world.isUnknown(d) && d !== serverId(serverName));
    const serverDecision = decided.get(serverId(serverName));
    let decision: Decision;
    if (kind === 'server') {
      decision = decideServer(server, observed, input.desired[server.name]);
      // options that read an unavailable server (or another ensemble's) can never be filled in
      if (decision.op && blocked.length > 0) decision = { action: 'unavailable', reason: `its options need ${blocked.map(thingLabel).join(', ')}, which ${blocked.length === 1 ? 'is' : 'are'} not available` };
    }
    else if (blocked.length > 0) {
      decision = { action: 'unavailable', reason: `needs ${blocked.map(thingLabel).join(', ')}, which ${blocked.length === 1 ? 'is' : 'are'} ${blocked.every((b) => decided.get(b)?.action === 'conflict') ? 'another ensemble\'s' : 'unavailable'}` };
    } else if (kind === 'container') {
      const c = server.containers.find((x) => containerId(server.name, x.name) === id);
      decision = decideContainer(server, c!, observed.servers[server.name], serverDecision!, waitsFor, world, input.ensemble.name);
    } else decision = decideFirewall(server, observed.servers[server.name], serverDecision!, waitsFor, world, input.ensemble.name, hasSetup(server, observed, serverDecision!));
    decided.set(id, decision);
    if (CHANGING.has(decision.action)) world.markUnknown(id);

    const note: Note = { id, kind: kind as Note['kind'], server: server.name, name: kind === 'container' ? (rest.split('/')[1] as string) : server.name, reason: decision.reason };
    if (decision.action === 'keep') unchanged.push(note);
    else if (decision.action === 'unavailable') unavailable.push(note);
    else if (decision.action === 'conflict') conflicts.push(note);
    for (const w of decision.warnings ?? []) warnings.push({ id, text: w });

    // edges: the ops of the things this one needs, then the steps on its own server before it
    const needs = deps.map((d) => mainOp.get(d)).filter((x): x is string => x !== undefined);
    const setup = opId('setup-docker', server.name);
    if (kind === 'server') {
      if (decision.op) {
        ops.push({ ...decision.op, after: needs } as Op);
        mainOp.set(id, decision.op.id);
      }
      if (hasSetup(server, observed, decision)) {
        ops.push({ id: setup, kind: 'setup-docker', server: server.name, reason: decision.action === 'keep' ? 'Docker is not installed' : `a new server with ${server.containers.length} container${server.containers.length === 1 ? '' : 's'}`, after: decision.op ? [decision.op.id] : [] });
      }
      continue;
    }
    if (!decision.op) continue;
    const serverOp = mainOp.get(serverId(server.name));
    const before = [...(serverOp ? [serverOp] : []), ...(ops.some((o) => o.id === setup) ? [setup] : [])];
    if (decision.op.kind === 'run-container' || decision.op.kind === 'replace-container') {
      const manifestImage = server.containers.find((x) => x.name === note.name)?.image ?? '';
      const image = decision.op.spec?.run.image ?? world.resolve(manifestImage, server.name);
      const pull = pullOp(server.name, note.name, image, { manifestImage, serverAction: serverDecision?.action, observed: observed.servers[server.name], waitsFor });
      if (pull) {
        if (!pulls.has(pull.id)) {
          pulls.add(pull.id);
          ops.push({ ...pull, after: [...new Set([...before, ...(image === undefined ? needs : [])])] });
        }
        before.push(pull.id);
      }
    }
    // the firewall hooks Docker's chain once Docker is there, but a failed Docker set-up must not
    // leave the host's own ports without it
    const soft = decision.op.kind === 'put-firewall' ? before.filter((b) => b === setup) : [];
    const op = { ...decision.op, after: [...new Set([...before, ...needs])].filter((b) => !soft.includes(b)), ...(soft.length > 0 ? { orderedAfter: soft } : {}) } as Op;
    ops.push(op);
    mainOp.set(id, op.id);
  }
  const released = withReleases(manifest, ops, world);
  // copies with update: replace in batches (the ops say which, and wait for the batch before)
  const rolled = rollOut(manifest, released);
  const orphans = orphanOps(manifest, observed, { ensemble: input.ensemble, prune: input.prune === true, ops: rolled, unchanged });
  return { ensemble: input.ensemble, ops: [...rolled, ...orphans.ops], unchanged, unavailable, conflicts, orphans: orphans.kept, warnings };
}

/** The pull a container needs first, unless its image is known to be on a server it stays on.
 *  Observation reads the ids of the manifest's images written without variables. */
function pullOp(
  server: string, container: string, image: string | undefined,
  on: { manifestImage: string; serverAction: Decision['action'] | undefined; observed: ObservedServer | undefined; waitsFor: readonly string[] },
): Omit<PullImageOp, 'after'> | undefined {
  const id = opId('pull-image', `${server}/${image ?? `@${container}`}`);
  if (image === undefined) return { id, kind: 'pull-image', server, container, reason: `its name waits for ${on.waitsFor.map(thingLabel).join(', ')}`, pending: { waitsFor: on.waitsFor } };
  if (on.serverAction !== 'keep') return { id, kind: 'pull-image', server, container, image, reason: `the server is ${on.serverAction === 'create' ? 'new' : 'being replaced'}` };
  const known = on.observed?.dockerInstalled === true && !on.manifestImage.includes('$');
  if (known && on.observed?.imageIds?.[imageKey(image)] !== undefined) return undefined;
  return { id, kind: 'pull-image', server, container, image, reason: known ? `not on ${server}` : `not known to be on ${server}` };
}

/** Docker is set up where containers will run and it is missing (or the server is new). */
function hasSetup(server: ManifestServer, observed: ObservedWorld, decision: Decision): boolean {
  if (server.containers.length === 0) return false;
  if (decision.action === 'create' || decision.action === 'replace') return true;
  const obs = observed.servers[server.name];
  return decision.action === 'keep' && obs !== undefined && !obs.dockerInstalled;
}
