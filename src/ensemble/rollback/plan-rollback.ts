// The rollback planner: a variant of the plan whose ops are the ones ensemble.up's apply already
// does. Each selected container whose newest kept previous version can come back gets a
// replace-container op (run-container when nothing runs under its name) with that version's
// spec; each reason says which version and whose change it undoes. Pure and synchronous, like
// the planner: (observed, selection) → plan, plus what is refused and why.

import { shortId } from '../../docker/inspect.ts';
import { containerId } from '../manifest/model.ts';
import type { ObservedWorld } from '../observe/observed.ts';
import { swapOf } from '../plan/decide.ts';
import { opId, type ContainerOp, type Note, type Plan } from '../plan/ops.ts';
import { containerVersions, type ContainerVersion } from '../history/container-history.ts';
import { minuteText, shortSpec } from '../history/history-text.ts';
import type { Selected } from '../history/select-containers.ts';
import { rollbackSpec, type RollbackRefusal } from './rollback-spec.ts';

export interface RolledBackPlan {
  readonly plan: Plan;
  /** Containers whose previous version cannot come back, and why: any refusal stops the run
   *  before anything changes. */
  readonly refusals: readonly (RollbackRefusal & { readonly id: string })[];
  /** How many selected containers have a previous version kept (refused ones included). */
  readonly withPrevious: number;
}

export function planRollback(observed: ObservedWorld, input: { ensemble: Plan['ensemble']; selected: readonly Selected[] }): RolledBackPlan {
  const ensemble = input.ensemble.name;
  const ops: ContainerOp[] = [];
  const unchanged: Note[] = [];
  const unavailable: Note[] = [];
  const conflicts: Note[] = [];
  const refusals: (RollbackRefusal & { id: string })[] = [];
  let withPrevious = 0;
  for (const { server, containers } of input.selected) {
    const obs = observed.servers[server.name];
    const down = observed.unavailable?.[server.name] ?? observed.unreachable?.[server.name] ?? observed.conflicts?.[server.name]
      ?? (obs ? undefined : `no ${server.provider} server named ${server.name}`);
    for (const mc of containers) {
      const id = containerId(server.name, mc.name);
      const note = (reason: string): Note => ({ id, kind: 'container', server: server.name, name: mc.name, reason });
      if (down !== undefined || !obs) {
        unavailable.push(note(down ?? `server ${server.name} is unavailable`));
        continue;
      }
      const versions = containerVersions(mc.name, obs.containers);
      const current = versions[0]?.role === 'current' ? versions[0] : undefined;
      // a kept copy of what runs now (a crashed version replaced by itself) is no version to go back to
      const same = (v: ContainerVersion): boolean => current !== undefined && v.specHash === current.specHash && v.imageId === current.imageId;
      const target = versions.find((v) => v.role === 'previous' && !same(v));
      if (!target) {
        unchanged.push(note('no previous version kept: nothing to roll back to'));
        continue;
      }
      withPrevious++;
      const foreign = [current, target].find((v) => v !== undefined && v.ensemble !== ensemble);
      if (foreign) {
        conflicts.push(note(`${foreign.dockerName} on ${server.name} is not this ensemble's: it is never replaced or restored from here`));
        continue;
      }
      const previous = obs.containers.find((c) => c.name === target.dockerName);
      const built = previous ? rollbackSpec(mc, previous, target) : { refused: { reason: `${target.dockerName} went away` } };
      if ('refused' in built) {
        refusals.push({ id, ...built.refused });
        continue;
      }
      const kind = current ? 'replace-container' as const : 'run-container' as const;
      const reason = rollbackReason(target, current);
      // the version's own ports and volumes decide how it swaps in; the health check is the
      // manifest's (it is not part of a version's spec)
      const swap = swapOf({ ...mc, ports: built.spec.run.ports, volumes: built.spec.run.volumes });
      ops.push({ id: opId(kind, `${server.name}/${mc.name}`), kind, server: server.name, container: mc.name, path: mc.path, reason, after: [], spec: built.spec, swap });
    }
  }
  return { plan: { ensemble: input.ensemble, ops, unchanged, unavailable, conflicts, orphans: [], warnings: [] }, refusals, withPrevious };
}

/** `rollback to 3f2a1b2c (image app:v1 @1a2b3c4d5e6f, retired 2026-12-02 14:05 by alice@laptop)`. */
export function rollbackReason(target: ContainerVersion, current: ContainerVersion | undefined): string {
  const spec = target.specHash ? shortSpec(target.specHash) : '?';
  const retired = target.retired ? `, retired ${minuteText(target.retired)}${target.retiredBy ? ` by ${target.retiredBy}` : ''}` : '';
  const replacing = current ? `; replaces ${current.specHash ? shortSpec(current.specHash) : '?'} (image ${current.image} @${shortId(current.imageId)})` : '; nothing runs under its name now';
  return `rollback to ${spec} (image ${target.image} @${shortId(target.imageId)}${retired})${replacing}`;
}
