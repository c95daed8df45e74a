// The plan as a graph, before any syntax: one cluster per server (manifest servers in manifest
// order, then strays and servers only the plan names), in it the auxiliary ops, the containers
// and the firewall, each with the words it shows and the state that styles it.
//
// Edges are the ops' `after` and `orderedAfter` edges (a rolled copy's batch after the batch
// before) and nothing else: the picture shows what this run does and in which order.
// Dependencies between unchanged things (depends_on, ${x.ip}) are left out: they would add a
// second kind of arrow and, in an ensemble that is mostly unchanged, most of the arrows. Edges
// are collapsed onto what is drawn (an op on a server is its cluster), an edge from a cluster to
// something inside it is left out (the cluster already says "first"), and so is an edge that a
// longer path already implies (set up Docker → container, when set up Docker → pull → container
// is drawn).

import {
  containerId, firewallId, serverId, strayId,
  type FirewallRule, type Manifest, type ManifestContainer,
} from '../manifest/model.ts';
import { quoteArgv } from '../../core/quote.ts';
import type { Note, Op, Plan } from './ops.ts';

export type GraphState = 'create' | 'replace' | 'update' | 'remove' | 'unchanged' | 'unavailable' | 'conflict' | 'kept';

export interface GraphNode {
  /** Thing id (`container:web/app`, `firewall:web`) or, for an auxiliary op, the op's id. */
  readonly key: string;
  readonly kind: 'container' | 'firewall' | 'aux' | 'empty';
  /** The label, one entry a line, the state's word last. */
  readonly lines: readonly string[];
  /** Undefined for auxiliary ops and the placeholder of an empty server. */
  readonly state?: GraphState;
}

export interface GraphCluster {
  /** `server:web`, or `stray:ec2/old` for a server the manifest no longer has. */
  readonly key: string;
  readonly title: string;
  readonly state: GraphState;
  /** Never empty: a server with nothing on it gets a placeholder (an edge needs a node to end on). */
  readonly nodes: readonly GraphNode[];
}

export interface PlanGraph {
  readonly title: string;
  readonly clusters: readonly GraphCluster[];
  /** Keys of nodes or clusters; `from` happens first. */
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

const WORDS: Record<GraphState, string> = {
  create: 'create', replace: 'replace', update: 'update', remove: 'remove', unchanged: 'unchanged',
  unavailable: 'unavailable', conflict: 'conflict: another ensemble owns it', kept: 'orphan, kept',
};

export function stateWord(state: GraphState): string {
  return WORDS[state];
}

/** The thing an op acts on, as drawn: a cluster key, a node key, or (auxiliary) its own id. */
function opTarget(op: Op, manifest: Manifest): string {
  switch (op.kind) {
    case 'create-server': case 'replace-server': return serverId(op.server);
    case 'terminate-server': {
      const same = manifest.servers.some((s) => s.name === op.server && s.provider === op.provider);
      return same ? serverId(op.server) : strayId(op.provider, op.server);
    }
    case 'setup-docker': case 'pull-image': case 'run-release': return op.id;
    case 'run-container': case 'replace-container': case 'remove-container': return containerId(op.server, op.container);
    case 'put-firewall': case 'remove-firewall': return firewallId(op.server);
  }
}

function opState(op: Op, serverCreated: (server: string) => boolean): GraphState | undefined {
  switch (op.kind) {
    case 'create-server': case 'run-container': return 'create';
    case 'replace-server': case 'replace-container': return 'replace';
    case 'terminate-server': case 'remove-container': case 'remove-firewall': return 'remove';
    // the op does not say whether rules exist; on a server made this run they cannot
    case 'put-firewall': return serverCreated(op.server) ? 'create' : 'update';
    default: return undefined;
  }
}

/** `8080→80/tcp`: the host's port first, as traffic flows (docker ps writes it the same way). */
function portsLine(c: ManifestContainer): string[] {
  return c.ports.length === 0 ? [] : [c.ports.map((p) => `${p.public}→${p.container}/${p.protocol}`).join(', ')];
}

function ruleLine(r: FirewallRule): string {
  const port = r.port === '*'
    ? (r.protocol === '*' ? 'all ports' : `all ${r.protocol} ports`)
    : (r.protocol === '*' ? `${r.port} (any protocol)` : `${r.port}/${r.protocol}`);
  return `${port} from ${r.sources.map((s) => (s === '*' ? 'anyone' : s)).join(', ')}`;
}

export function planGraph(manifest: Manifest, plan: Plan): PlanGraph {
  const targets = new Map(plan.ops.map((op) => [op.id, opTarget(op, manifest)]));
  const created = new Set(plan.ops.filter((o) => o.kind === 'create-server' || o.kind === 'replace-server').map((o) => o.server));
  const states = new Map<string, GraphState>();
  const noted: [readonly Note[], GraphState][] = [
    [plan.unchanged, 'unchanged'], [plan.unavailable, 'unavailable'], [plan.conflicts, 'conflict'], [plan.orphans, 'kept'],
  ];
  // where a thing the manifest does not have sits, from what the plan says of it (not its id:
  // a name from the world may hold any character)
  const where = new Map<string, { server: string; name: string }>();
  for (const [notes, state] of noted) {
    for (const n of notes) {
      states.set(n.id, state);
      where.set(n.id, { server: n.server, name: n.name });
    }
  }
  // an op says more than a note about the same thing
  for (const op of plan.ops) {
    const s = opState(op, (server) => created.has(server));
    if (s) states.set(targets.get(op.id)!, s);
    where.set(targets.get(op.id)!, { server: op.server, name: 'container' in op ? op.container : op.server });
  }
  // a rolled copy says its batch (the arrows between batches say the order)
  const batches = new Map(plan.ops.flatMap((op) => ((op.kind === 'run-container' || op.kind === 'replace-container') && op.rollout ? [[targets.get(op.id)!, [`batch ${op.rollout.batch} of ${op.rollout.of}`]] as const] : [])));
  const warned = new Set(plan.warnings.map((w) => w.id));
  const mark = (key: string, lines: string[]): string[] => (warned.has(key) ? [...lines, '⚠ warning (see the plan)'] : lines);
  // the planner notes every thing it leaves alone; one it does not mention is left alone too
  const stateOf = (key: string): GraphState => states.get(key) ?? 'unchanged';
  const node = (key: string, kind: 'container' | 'firewall', lines: string[]): GraphNode => {
    const state = stateOf(key);
    return { key, kind, state, lines: mark(key, [...lines, stateWord(state)]) };
  };

  // things only the plan knows of (strays, orphaned containers and firewalls), sorted by key
  const known = new Set<string>();
  for (const s of manifest.servers) {
    known.add(serverId(s.name));
    if (s.firewall) known.add(firewallId(s.name));
    for (const c of s.containers) known.add(containerId(s.name, c.name));
  }
  const extra = [...states.keys()].filter((k) => !known.has(k)).sort();
  const isServer = (k: string): boolean => k.startsWith('server:') || k.startsWith('stray:');
  const strayNamed = new Map(extra.filter((k) => k.startsWith('stray:')).map((k) => [where.get(k)!.server, k]));
  const clusterOf = (server: string): string =>
    manifest.servers.some((s) => s.name === server) ? serverId(server) : strayNamed.get(server) ?? serverId(server);

  const nodes = new Map<string, GraphNode[]>();
  const add = (cluster: string, n: GraphNode): void => void (nodes.get(cluster) ?? nodes.set(cluster, []).get(cluster)!).push(n);
  for (const op of plan.ops) {
    if (op.kind === 'setup-docker') add(clusterOf(op.server), { key: op.id, kind: 'aux', lines: ['set up Docker'] });
    if (op.kind === 'pull-image') add(clusterOf(op.server), { key: op.id, kind: 'aux', lines: [`pull ${op.image ?? `the image of ${op.container}`}`] });
    if (op.kind === 'run-release') add(clusterOf(op.server), { key: op.id, kind: 'aux', lines: [`release of ${op.container}`, quoteArgv(op.command)] });
  }
  for (const s of manifest.servers) {
    for (const c of s.containers) add(serverId(s.name), node(containerId(s.name, c.name), 'container', [c.name, c.image, ...portsLine(c), ...(batches.get(containerId(s.name, c.name)) ?? [])]));
    if (s.firewall) {
      const lines = ['firewall', ...s.firewall.rules.map(ruleLine)];
      if (s.firewall.sshFromApplierOnly) lines.push('SSH only from hitc’s address');
      add(serverId(s.name), node(firewallId(s.name), 'firewall', lines));
    }
  }
  for (const key of extra) {
    const { server, name } = where.get(key)!;
    if (key.startsWith('container:')) add(clusterOf(server), node(key, 'container', [name]));
    if (key.startsWith('firewall:')) add(clusterOf(server), node(key, 'firewall', ['firewall']));
  }

  const clusters: GraphCluster[] = [];
  const cluster = (key: string, name: string, provider: string, stray: boolean): void => {
    const state = stateOf(key);
    const word = stray && state === 'kept' ? 'stray, kept' : `${stray ? 'stray, ' : ''}${stateWord(state)}`;
    const title = `${name} (${provider}) — ${word}${warned.has(key) ? ' ⚠' : ''}`;
    const empty = known.has(key) ? 'no containers, no firewall' : 'not in the manifest';
    const inside = nodes.get(key) ?? [{ key: `${key}#empty`, kind: 'empty', lines: [empty] }];
    clusters.push({ key, title, state, nodes: inside });
  };
  for (const s of manifest.servers) cluster(serverId(s.name), s.name, s.provider, false);
  // a server the plan names only through what is on it (an orphaned container) is drawn too
  const extraServers = [...new Set([...extra.filter(isServer), ...nodes.keys()])].filter((k) => !known.has(k)).sort();
  for (const key of extraServers) {
    const op = plan.ops.find((o) => targets.get(o.id) === key && 'provider' in o) as Extract<Op, { provider: string }> | undefined;
    const name = where.get(key)?.server ?? key.slice(key.indexOf(':') + 1);
    // strayId is `stray:PROVIDER/NAME`, and provider names hold no slash
    const provider = op?.provider ?? (key.startsWith('stray:') ? key.slice('stray:'.length, key.indexOf('/')) : 'provider unknown');
    cluster(key, name, provider, key.startsWith('stray:'));
  }
  return { title: `plan for ensemble ${plan.ensemble.name}`, clusters, edges: planEdges(plan, targets, clusters) };
}

function planEdges(plan: Plan, targets: ReadonlyMap<string, string>, clusters: readonly GraphCluster[]): PlanGraph['edges'] {
  const home = new Map<string, string>();
  for (const c of clusters) for (const n of c.nodes) home.set(n.key, c.key);
  const seen = new Set<string>();
  const edges: { from: string; to: string }[] = [];
  for (const op of plan.ops) {
    for (const dep of [...op.after, ...(op.orderedAfter ?? [])]) {
      const from = targets.get(dep);
      const to = targets.get(op.id)!;
      if (from === undefined || from === to || home.get(to) === from || home.get(from) === to) continue;
      if (seen.has(`${from}\n${to}`)) continue;
      seen.add(`${from}\n${to}`);
      edges.push({ from, to });
    }
  }
  // a node inside a cluster is reached through the cluster too (cluster → its node is implied)
  const next = (k: string): string[] => [
    ...edges.filter((e) => e.from === k).map((e) => e.to),
    ...(clusters.find((c) => c.key === k)?.nodes.map((n) => n.key) ?? []),
  ];
  const reachableAvoiding = (from: string, to: string): boolean => {
    const stack = next(from).filter((k) => k !== to);
    const visited = new Set(stack);
    while (stack.length > 0) {
      const k = stack.pop()!;
      for (const n of next(k)) {
        if (n === to) return true;
        if (visited.has(n)) continue;
        visited.add(n);
        stack.push(n);
      }
    }
    return false;
  };
  return edges.filter((e) => !reachableAvoiding(e.from, e.to));
}
