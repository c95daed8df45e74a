// Release ops: a container with `release:` whose copies get create/replace ops gets one
// run-release op, on the first server (manifest order) that has a changed copy, with that
// server's first changed copy's new values. Every changed copy waits for it, so a failed
// release skips them all and nothing of that container is switched. No copy changes, no op:
// there is nothing to migrate for.

import { containerId, serverId, type Manifest, type ManifestContainer } from '../manifest/model.ts';
import type { ContainerRelease } from '../manifest/release.ts';
import { opId, type ContainerOp, type Op, type RunReleaseOp } from './ops.ts';
import type { World } from './world.ts';

/** The ops with a run-release op before each released container's changes, in an order where
 *  every op still comes after the ops it waits for. Unchanged when no release applies. */
export function withReleases(manifest: Manifest, ops: readonly Op[], world: World): Op[] {
  const byThing = new Map<string, ContainerOp>();
  for (const op of ops) if (op.kind === 'run-container' || op.kind === 'replace-container') byThing.set(containerId(op.server, op.container), op);
  // each manifest entry's changed copies, in manifest order (the first one is where it runs)
  const groups = new Map<string, { first: ManifestContainer; release: ContainerRelease; ops: ContainerOp[] }>();
  for (const s of manifest.servers) {
    for (const c of s.containers) {
      const op = c.release ? byThing.get(containerId(s.name, c.name)) : undefined;
      if (!op || !c.release) continue;
      const group = groups.get(c.release.entry) ?? { first: c, release: c.release, ops: [] };
      groups.set(c.release.entry, group);
      group.ops.push(op);
    }
  }
  if (groups.size === 0) return [...ops];

  const dependents = new Map<string, string[]>();
  for (const op of ops) for (const a of op.after) dependents.set(a, [...(dependents.get(a) ?? []), op.id]);
  const releaseOf = new Map<string, string>();
  const releaseBefore = new Map<string, RunReleaseOp>();
  for (const group of groups.values()) {
    const release = releaseOp(manifest, group.first, group.release, group.ops, world, downstream(group.ops.map((o) => o.id), dependents));
    for (const op of group.ops) releaseOf.set(op.id, release.id);
    releaseBefore.set(group.ops[0]!.id, release);
  }
  const placed = ops.flatMap((op) => {
    const release = releaseOf.get(op.id);
    const changed = release ? ({ ...op, after: [...op.after, release] } as Op) : op;
    const first = releaseBefore.get(op.id);
    return first ? [first, changed] : [changed];
  });
  return dependencyOrder(placed);
}

function releaseOp(
  manifest: Manifest, c: ManifestContainer, release: ContainerRelease, copies: readonly ContainerOp[], world: World, downstreamOfCopies: ReadonlySet<string>,
): RunReleaseOp {
  const first = copies[0]!;
  const words = release.command.map((w) => world.resolve(w, first.server));
  const known = first.spec !== undefined && words.every((w) => w !== undefined);
  // what the copy waits for, except the copies themselves and what waits for them (a copy that
  // reads another copy's values must not make the release wait for a change it comes before)
  const after = first.after.filter((a) => !downstreamOfCopies.has(a));
  const unknown = manifest.graph.dependencies(containerId(first.server, c.name)).filter((d) => world.isUnknown(d));
  const waitsFor = first.pending?.waitsFor ?? (unknown.length > 0 ? unknown : [serverId(first.server)]);
  const byServer = new Map<string, string[]>();
  for (const op of copies) byServer.set(op.server, [...(byServer.get(op.server) ?? []), op.container]);
  const where = [...byServer].map(([server, names]) => `${names.join(', ')} on ${server}`).join('; ');
  return {
    id: opId('run-release', `${first.server}/${first.container}`), kind: 'run-release', server: first.server, container: first.container, path: first.path,
    reason: `before ${copies.length} container change${copies.length === 1 ? '' : 's'}: ${where}`,
    after, command: known ? (words as string[]) : release.command, timeoutSeconds: release.timeoutSeconds, before: copies.map((o) => o.id),
    ...(known ? { spec: first.spec } : { pending: { waitsFor } }),
  };
}

/** The ids given and every op that waits for one of them, directly or not. */
function downstream(ids: readonly string[], dependents: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set(ids);
  const stack = [...ids];
  while (stack.length > 0) {
    for (const d of dependents.get(stack.pop()!) ?? []) {
      if (seen.has(d)) continue;
      seen.add(d);
      stack.push(d);
    }
  }
  return seen;
}

/** The ops in their given order, except that each comes after everything it waits for. */
function dependencyOrder(ops: readonly Op[]): Op[] {
  const byId = new Map(ops.map((op) => [op.id, op]));
  const out: Op[] = [];
  const placed = new Set<string>();
  const visit = (op: Op): void => {
    if (placed.has(op.id)) return;
    placed.add(op.id);
    for (const d of [...op.after, ...(op.orderedAfter ?? [])]) {
      const dep = byId.get(d);
      if (dep) visit(dep);
    }
    out.push(op);
  };
  ops.forEach(visit);
  return out;
}

