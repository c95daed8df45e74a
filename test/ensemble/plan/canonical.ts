// The canonical text of a plan for fixture tests: every op with its id, edges, reason and
// whether it waits for values (and its batch, when rolled), then every note, one per line.
import type { Manifest } from '../../../src/ensemble/manifest/model.ts';
import type { ObservedWorld } from '../../../src/ensemble/observe/observed.ts';
import type { Plan } from '../../../src/ensemble/plan/ops.ts';
import { planEnsemble, type DesiredOptions } from '../../../src/ensemble/plan/plan.ts';

export function canonical(plan: Plan): string {
  const lines = [`ensemble ${plan.ensemble.name} (${plan.ensemble.from})`];
  for (const op of plan.ops) {
    const pending = 'pending' in op && op.pending ? ` [waits for ${op.pending.waitsFor.join(', ')}]` : '';
    const soft = op.orderedAfter?.length ? ` (then after ${op.orderedAfter.join(', ')}, done or not)` : '';
    const r = (op.kind === 'run-container' || op.kind === 'replace-container') ? op.rollout : undefined;
    const rollout = r ? ` [${r.group} batch ${r.batch} of ${r.of}: ${r.size} a batch, ${r.waitSeconds} s apart, max_fail ${r.maxFail}]` : '';
    lines.push(`op ${op.id}${op.after.length > 0 ? ` after ${op.after.join(', ')}` : ''}${soft}${pending}${rollout}: ${op.reason}`);
  }
  for (const [word, notes] of [['unchanged', plan.unchanged], ['unavailable', plan.unavailable], ['conflict', plan.conflicts], ['orphan', plan.orphans]] as const) {
    for (const n of notes) lines.push(`${word} ${n.id}: ${n.reason}`);
  }
  for (const w of plan.warnings) lines.push(`warning ${w.id}: ${w.text}`);
  return `${lines.join('\n')}\n`;
}

/** Plans with each server's options as the manifest gives them (already in the provider's
 *  spelling), unless `desired` says otherwise. */
export function planOf(manifest: Manifest, observed: ObservedWorld, options: { desired?: Record<string, DesiredOptions>; prune?: boolean; name?: string } = {}): Plan {
  const desired = Object.fromEntries(manifest.servers.map((s) => [s.name, options.desired?.[s.name] ?? { options: s.options }]));
  const ensemble = options.name ? { name: options.name, from: 'manifest' as const } : { name: 'web-redis', from: 'file name' as const };
  return planEnsemble(manifest, observed, { ensemble, desired, prune: options.prune === true });
}
