// The plan as people read it: the original's headings ("restart" is its word for replacing a
// server or container: hitc terminates or removes it and creates it again), each item with its
// reason, orphans, and a one-line count. "No changes." when there is nothing to do. Headings
// carry the original's colours as a tone (yellow for new things, red for things that go away).

import type { Tone } from '../../core/events.ts';
import type { Plan, PlannedThing } from './plan.ts';

export interface PlanLine {
  readonly text: string;
  readonly tone?: Tone;
}

const SECTIONS: { title: string; tone: Tone; pick: (t: PlannedThing) => boolean }[] = [
  { title: 'The following servers will be created:', tone: 'attention', pick: (t) => t.kind === 'server' && t.action === 'create' },
  { title: 'The following containers will be created:', tone: 'attention', pick: (t) => t.kind === 'container' && t.action === 'create' },
  { title: 'The following servers will get new firewalls:', tone: 'attention', pick: (t) => t.kind === 'firewall' && t.action === 'create' },
  { title: 'The following servers will restart:', tone: 'danger', pick: (t) => t.kind === 'server' && t.action === 'replace' },
  { title: 'The following containers will restart:', tone: 'danger', pick: (t) => t.kind === 'container' && t.action === 'replace' },
  { title: 'The following servers will get updated firewalls:', tone: 'danger', pick: (t) => t.kind === 'firewall' && t.action === 'update' },
  { title: 'These are unavailable (nothing can be done for them):', tone: 'danger', pick: (t) => t.action === 'unavailable' },
  { title: 'Not in the manifest (kept; remove them with prune):', tone: 'attention', pick: (t) => t.action === 'orphan' },
];

function label(t: PlannedThing): string {
  if (t.kind === 'container') return `${t.name} (${t.server})`;
  if (t.kind === 'firewall') return t.action === 'orphan' ? `${t.server} firewall` : `${t.server} (${t.ruleCount ?? 0} rules total)`;
  return t.name;
}

export function planText(plan: Plan, options: { verbose?: boolean } = {}): string[] {
  return planLines(plan, options).map((l) => l.text);
}

export function planLines(plan: Plan, options: { verbose?: boolean } = {}): PlanLine[] {
  const lines: PlanLine[] = [];
  const push = (text: string): void => void lines.push({ text });
  for (const section of SECTIONS) {
    const items = plan.things.filter(section.pick);
    if (items.length === 0) continue;
    lines.push({ text: section.title, tone: section.tone });
    for (const t of items) push(`  ${label(t)}: ${t.reasons.join('; ')}`);
  }
  // said for what this run would apply (a firewall already in place was accepted when applied)
  for (const t of plan.things.filter((x) => ['create', 'update'].includes(x.action))) for (const w of t.warnings ?? []) lines.push({ text: `WARNING: ${w}`, tone: 'danger' });
  const kept = plan.things.filter((t) => t.action === 'keep');
  if (options.verbose && kept.length > 0) {
    push('Unchanged:');
    for (const t of kept) push(`  ${t.kind} ${label(t)}: ${t.reasons.join('; ')}`);
  }
  push(summaryLine(plan));
  return lines;
}

export function summaryLine(plan: Plan): string {
  const n = (a: PlannedThing['action']): number => plan.things.filter((t) => t.action === a).length;
  const changes = n('create') + n('replace') + n('update');
  if (changes === 0 && n('unavailable') === 0) return n('orphan') > 0 ? `No changes. (${n('orphan')} orphaned, kept)` : 'No changes.';
  const parts = [`${n('create')} to create`, `${n('replace')} to replace`, `${n('update')} to update`, `${n('keep')} unchanged`];
  if (n('unavailable') > 0) parts.push(`${n('unavailable')} unavailable`);
  if (n('orphan') > 0) parts.push(`${n('orphan')} orphaned`);
  return `Plan: ${parts.join(', ')}.`;
}

export function hasChanges(plan: Plan): boolean {
  return plan.things.some((t) => ['create', 'replace', 'update', 'unavailable'].includes(t.action));
}
