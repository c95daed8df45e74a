// Rolling updates in the plan: the run/replace ops of a container's copies (update: in the
// manifest) split into batches. Each op carries its batch and the policy (op.rollout), and each
// batch is orderedAfter the one before: it starts once that one has finished, done or failed
// (a failed copy must not skip the next batch by itself: the failure budget decides that, and
// apply counts it from the plan's numbers). A group whose changed copies fit in one batch is
// not rolled: that is replacing them at once, as without update:.

import { containerId, type Manifest } from '../manifest/model.ts';
import type { UpdatePolicy } from '../manifest/update-policy.ts';
import type { ContainerOp, Op } from './ops.ts';

interface Group {
  readonly policy: UpdatePolicy;
  /** Every copy in the manifest, changed or not (a share is of all of them). */
  readonly copies: number;
}

export function rollOut(manifest: Manifest, ops: readonly Op[]): Op[] {
  const groups = new Map<string, Group>();
  const groupOf = new Map<string, string>();
  const manifestOrder = new Map<string, number>();
  for (const s of manifest.servers) {
    for (const c of s.containers) {
      manifestOrder.set(containerId(s.name, c.name), manifestOrder.size);
      if (!c.update) continue;
      const g = groups.get(c.update.group);
      groups.set(c.update.group, { policy: g?.policy ?? c.update, copies: (g?.copies ?? 0) + 1 });
      groupOf.set(containerId(s.name, c.name), c.update.group);
    }
  }
  let plan = [...ops];
  for (const [name, group] of groups) {
    const copies = plan.filter((o): o is ContainerOp => isCopyOp(o) && groupOf.get(containerId(o.server, o.container)) === name);
    const size = batchSize(group.policy, group.copies);
    if (copies.length <= size) continue;
    const order = (o: ContainerOp): number => manifestOrder.get(containerId(o.server, o.container)) ?? Number.MAX_SAFE_INTEGER;
    const batches = chunk(inManifestOrder(copies, plan, order), size);
    const rolled = new Map<string, Op>();
    batches.forEach((batch, k) => {
      const previous = k > 0 ? (batches[k - 1] as ContainerOp[]).map((o) => o.id) : [];
      for (const op of batch) {
        const orderedAfter = [...new Set([...(op.orderedAfter ?? []), ...previous])];
        rolled.set(op.id, {
          ...op, ...(orderedAfter.length > 0 ? { orderedAfter } : {}),
          rollout: { group: name, batch: k + 1, of: batches.length, size, waitSeconds: group.policy.waitSeconds, maxFail: group.policy.maxFail },
        });
      }
    });
    plan = waitsFirst(plan.map((o) => rolled.get(o.id) ?? o));
  }
  return plan;
}

/** Copies in a full batch: the policy's number, or its share of all copies rounded up (at
 *  least 1); no batch: all of them at once. */
export function batchSize(policy: Pick<UpdatePolicy, 'batch'>, copies: number): number {
  if (policy.batch === undefined) return Math.max(copies, 1);
  if ('copies' in policy.batch) return policy.batch.copies;
  return Math.max(1, Math.ceil((policy.batch.percent * copies) / 100));
}

function isCopyOp(op: Op): op is ContainerOp {
  return op.kind === 'run-container' || op.kind === 'replace-container';
}

/** The copies in manifest order, except that a copy never comes before a copy it waits for
 *  (through any chain of ops): its batch would wait for a later batch, and neither would start. */
function inManifestOrder(copies: readonly ContainerOp[], plan: readonly Op[], order: (o: ContainerOp) => number): ContainerOp[] {
  const ancestors = ancestorsOf(plan);
  const left = [...copies].sort((a, b) => order(a) - order(b));
  const out: ContainerOp[] = [];
  while (left.length > 0) {
    const i = left.findIndex((o) => !left.some((other) => ancestors.get(o.id)?.has(other.id)));
    out.push(...left.splice(Math.max(i, 0), 1));
  }
  return out;
}

/** Every op each op waits for, directly or not, done or not (the plan lists waited-for ops first). */
function ancestorsOf(plan: readonly Op[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const op of plan) {
    const set = new Set<string>();
    for (const d of [...op.after, ...(op.orderedAfter ?? [])]) {
      set.add(d);
      for (const a of out.get(d) ?? []) set.add(a);
    }
    out.set(op.id, set);
  }
  return out;
}

/** The ops in their order, moved only as far as the new edges need: each after all it waits for. */
function waitsFirst(plan: readonly Op[]): Op[] {
  const placed = new Set<string>();
  const left = [...plan];
  const out: Op[] = [];
  const ids = new Set(plan.map((o) => o.id));
  while (left.length > 0) {
    const i = left.findIndex((o) => [...o.after, ...(o.orderedAfter ?? [])].every((d) => placed.has(d) || !ids.has(d)));
    const [op] = left.splice(Math.max(i, 0), 1) as [Op];
    placed.add(op.id);
    out.push(op);
  }
  return out;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
