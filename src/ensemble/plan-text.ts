// The plan as people read it: the original's headings, each item with its reason, orphans, and
// a one-line count. "No changes." when there is nothing to do.

import type { Plan, PlannedThing } from './plan.ts';

const SECTIONS: { title: string; pick: (t: PlannedThing) => boolean }[] = [
  { title: 'The following servers will be created:', pick: (t) => t.kind === 'server' && t.action === 'create' },
  { title: 'The following containers will be created:', pick: (t) => t.kind === 'container' && t.action === 'create' },
  { title: 'The following servers will get new firewalls:', pick: (t) => t.kind === 'firewall' && t.action === 'create' },
  { title: 'The following servers will be replaced:', pick: (t) => t.kind === 'server' && t.action === 'replace' },
  { title: 'The following containers will be replaced:', pick: (t) => t.kind === 'container' && t.action === 'replace' },
  { title: 'The following servers will get updated firewalls:', pick: (t) => t.kind === 'firewall' && t.action === 'update' },
  { title: 'These are unavailable (nothing can be done for them):', pick: (t) => t.action === 'unavailable' },
  { title: 'Not in the manifest (kept; remove them with prune):', pick: (t) => t.action === 'orphan' },
];

function label(t: PlannedThing): string {
  if (t.kind === 'container') return `${t.name} (${t.server})`;
  if (t.kind === 'firewall') return t.action === 'orphan' ? `${t.server} firewall` : `${t.server} (${t.ruleCount ?? 0} rules total)`;
  return t.name;
}

export function planText(plan: Plan, options: { verbose?: boolean } = {}): string[] {
  const lines: string[] = [];
  for (const section of SECTIONS) {
    const items = plan.things.filter(section.pick);
    if (items.length === 0) continue;
    lines.push(section.title);
    for (const t of items) lines.push(`  ${label(t)}: ${t.reasons.join('; ')}`);
  }
  const kept = plan.things.filter((t) => t.action === 'keep');
  if (options.verbose && kept.length > 0) {
    lines.push('Unchanged:');
    for (const t of kept) lines.push(`  ${t.kind} ${label(t)}: ${t.reasons.join('; ')}`);
  }
  lines.push(summaryLine(plan));
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
