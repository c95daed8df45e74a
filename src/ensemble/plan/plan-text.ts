// The plan as people read it: one line per op under the original's headings ("restart" is its
// word for replacing a server or container), with headings of their own for the steps the
// original did silently (Docker set-up, image pulls) and for removals, then what cannot be
// done, what belongs to another ensemble, kept orphans, warnings and a count. Every op of the
// plan is exactly one line here, and apply reports each of them. "No changes." when there is
// nothing to do. Headings carry the original's colours as a tone.

import type { Tone } from '../../core/events.ts';
import { describeHealth } from '../manifest/healthcheck.ts';
import type { Note, Op, Plan } from './ops.ts';

export interface PlanLine {
  readonly text: string;
  readonly tone?: Tone;
}

interface Section {
  readonly title: string;
  readonly tone: Tone;
  readonly pick: (op: Op) => boolean;
}

const SECTIONS: readonly Section[] = [
  { title: 'The following servers will be created:', tone: 'attention', pick: (o) => o.kind === 'create-server' },
  { title: 'Docker will be set up on:', tone: 'attention', pick: (o) => o.kind === 'setup-docker' },
  { title: 'The following images will be pulled:', tone: 'attention', pick: (o) => o.kind === 'pull-image' },
  { title: 'The following containers will be created:', tone: 'attention', pick: (o) => o.kind === 'run-container' },
  { title: 'The following servers will get new firewalls:', tone: 'attention', pick: (o) => o.kind === 'put-firewall' && !o.update },
  { title: 'The following servers will restart:', tone: 'danger', pick: (o) => o.kind === 'replace-server' },
  { title: 'The following containers will restart:', tone: 'danger', pick: (o) => o.kind === 'replace-container' },
  { title: 'The following servers will get updated firewalls:', tone: 'danger', pick: (o) => o.kind === 'put-firewall' && o.update === true },
  { title: 'The following containers will be removed:', tone: 'danger', pick: (o) => o.kind === 'remove-container' },
  { title: 'The following servers will lose their firewalls:', tone: 'danger', pick: (o) => o.kind === 'remove-firewall' },
  { title: 'The following servers will be terminated:', tone: 'danger', pick: (o) => o.kind === 'terminate-server' },
];

const NOTES: readonly { title: string; tone: Tone; pick: (p: Plan) => readonly Note[] }[] = [
  { title: 'These are unavailable (nothing can be done for them):', tone: 'danger', pick: (p) => p.unavailable },
  { title: 'These belong to another ensemble (never adopted, replaced or removed):', tone: 'danger', pick: (p) => p.conflicts },
  { title: 'Not in the manifest (kept; remove them with prune):', tone: 'attention', pick: (p) => p.orphans },
];

/** The op's subject on its plan line, in the original's `name (host)` style. */
export function opLabel(op: Op): string {
  switch (op.kind) {
    case 'run-container': case 'replace-container': case 'remove-container': return `${op.container} (${op.server})`;
    case 'pull-image': return `${op.image ?? `the image of ${op.container}`} (${op.server})`;
    case 'put-firewall': return `${op.server} (${op.ruleCount} rules total)`;
    case 'terminate-server': return `${op.server} (${op.provider})`;
    default: return op.server;
  }
}

/** How a container op replaces the old copy (and checks the new one), as apply does it. */
export function swapText(op: Op): string {
  if (op.kind !== 'replace-container' && op.kind !== 'run-container') return '';
  const { order, standIn, health, stopTimeout } = op.swap;
  const check = `health check (${describeHealth(health)})`;
  if (op.kind === 'run-container') return health ? `; waits for its ${check}` : '';
  if (order === 'stop-first') return `; stop-first (mounts volumes): old stopped (${stopTimeout} s to finish), new one started with ${check}, old kept for rollback`;
  return `; swapped with ${check}${standIn ? ', traffic switched to it before the old one stops' : ', old one running until then'} (${stopTimeout} s to finish), old kept for rollback`;
}

function noteLabel(n: Note): string {
  if (n.kind === 'container') return `${n.name} (${n.server})`;
  if (n.kind === 'firewall') return `${n.server} firewall`;
  return n.name;
}

export function planText(plan: Plan, options: { verbose?: boolean } = {}): string[] {
  return planLines(plan, options).map((l) => l.text);
}

export function planLines(plan: Plan, options: { verbose?: boolean } = {}): PlanLine[] {
  const lines: PlanLine[] = [];
  const push = (text: string): void => void lines.push({ text });
  const { name, from } = plan.ensemble;
  push(`Ensemble ${name}${from === 'file name' ? ' (named after its file; name: in the manifest sets it)' : ''}`);
  for (const section of SECTIONS) {
    const items = plan.ops.filter(section.pick);
    if (items.length === 0) continue;
    lines.push({ text: section.title, tone: section.tone });
    for (const op of items) push(`  ${opLabel(op)}: ${op.reason}${swapText(op)}`);
  }
  for (const section of NOTES) {
    const items = section.pick(plan);
    if (items.length === 0) continue;
    lines.push({ text: section.title, tone: section.tone });
    for (const n of items) push(`  ${noteLabel(n)}: ${n.reason}`);
  }
  for (const w of plan.warnings) lines.push({ text: `WARNING: ${w.text}`, tone: 'danger' });
  if (options.verbose && plan.unchanged.length > 0) {
    push('Unchanged:');
    for (const n of plan.unchanged) push(`  ${n.kind} ${n.kind === 'firewall' ? n.server : noteLabel(n)}: ${n.reason}`);
  }
  push(summaryLine(plan));
  return lines;
}

export function summaryLine(plan: Plan): string {
  const n = (pick: (o: Op) => boolean): number => plan.ops.filter(pick).length;
  const created = n((o) => o.kind === 'create-server' || o.kind === 'run-container' || (o.kind === 'put-firewall' && !o.update));
  const replaced = n((o) => o.kind === 'replace-server' || o.kind === 'replace-container');
  const updated = n((o) => o.kind === 'put-firewall' && o.update === true);
  const removed = n((o) => o.kind === 'remove-container' || o.kind === 'remove-firewall' || o.kind === 'terminate-server');
  const extras = [
    ...(plan.unavailable.length > 0 ? [`${plan.unavailable.length} unavailable`] : []),
    ...(plan.conflicts.length > 0 ? [`${plan.conflicts.length} another ensemble's`] : []),
    ...(plan.orphans.length > 0 ? [`${plan.orphans.length} orphaned`] : []),
  ];
  if (plan.ops.length === 0 && plan.unavailable.length === 0) return extras.length > 0 ? `No changes. (${extras.join(', ')}, kept)` : 'No changes.';
  const parts = [`${created} to create`, `${replaced} to replace`, `${updated} to update`, ...(removed > 0 ? [`${removed} to remove`] : []), `${plan.unchanged.length} unchanged`, ...extras];
  return `Plan: ${parts.join(', ')}.`;
}

/** Whether the plan has work to do, or cannot be done completely (servers unavailable). */
export function hasChanges(plan: Plan): boolean {
  return plan.ops.length > 0 || plan.unavailable.length > 0;
}
