// Whether a saved plan may still be applied, and if not, what changed since it was made. Apply
// plans afresh from the current manifest and world; the saved plan is applied only when the
// manifest text, every observed thing and every op are as they were when it was reviewed.
// The op comparison is the backstop for what the fingerprints leave out (see fingerprints.ts)
// and for a hitc whose planner decides differently.

import { UsageError } from '../../core/errors.ts';
import { canonicalJson, compare } from './fingerprints.ts';
import type { OpJson, PlanJson } from './plan-json.ts';
import type { SavedPlan } from './saved-plan.ts';

export interface FreshState {
  readonly ensemble: string;
  readonly manifestDigest: string;
  readonly fingerprints: Readonly<Record<string, string>>;
  readonly plan: PlanJson;
}

/** Empty when the saved plan may be applied; otherwise one line per change, in a fixed order:
 *  the ensemble, the manifest, observed things by id, then ops by id. Another ensemble's plan
 *  gets that one line only (everything else would differ too, and say nothing). */
export function staleness(saved: SavedPlan, fresh: FreshState): string[] {
  if (saved.ensemble !== fresh.ensemble) return [`the plan is for ensemble ${saved.ensemble}, not ${fresh.ensemble}`];
  const lines: string[] = [];
  if (saved.manifest.digest !== fresh.manifestDigest) lines.push(`the manifest ${saved.manifest.file} changed`);
  lines.push(...thingChanges(saved.observed.fingerprints, fresh.fingerprints));
  lines.push(...opChanges(saved.plan.ops, fresh.plan.ops));
  return lines;
}

function thingChanges(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const id of union(Object.keys(before), Object.keys(after))) {
    const [a, b] = [before[id], after[id]];
    if (a === b) continue;
    out.push(thingLine(id, a === undefined ? 'appeared' : b === undefined ? 'gone' : 'changed'));
  }
  return out;
}

function thingLine(id: string, change: 'appeared' | 'gone' | 'changed'): string {
  const [kind, rest = ''] = splitId(id);
  // these two are states of a server, not things: say it the way it reads
  if (kind === 'unreachable' || kind === 'unavailable') {
    const now = change === 'gone' ? (kind === 'unreachable' ? 'is reachable again' : 'is available again') : `is ${kind} now`;
    return `server ${rest} ${now}`;
  }
  const what = kind === 'container' ? `container ${rest}`
    : kind === 'firewall' ? `the firewall on ${rest}`
    : kind === 'stray' ? `server ${rest.split('/')[1] ?? rest} on ${rest.split('/')[0]} (not in the manifest)`
    : kind === 'server' ? `server ${rest}` : id;
  return `${what} ${change === 'gone' ? 'is gone' : change}`;
}

function opChanges(before: readonly OpJson[], after: readonly OpJson[]): string[] {
  const a = new Map(before.map((op) => [op.id, op]));
  const b = new Map(after.map((op) => [op.id, op]));
  const out: string[] = [];
  for (const id of union([...a.keys()], [...b.keys()])) {
    const [was, now] = [a.get(id), b.get(id)];
    if (!now) out.push(`op ${id} is no longer planned`);
    else if (!was) out.push(`op ${id} is planned now: ${now.reason}`);
    else if (canonicalJson(was) !== canonicalJson(now)) out.push(`op ${id} changed${was.reason === now.reason ? '' : `: ${now.reason}`}`);
  }
  return out;
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort(compare);
}

function splitId(id: string): [string, string?] {
  const at = id.indexOf(':');
  return at < 0 ? [id] : [id.slice(0, at), id.slice(at + 1)];
}

/** A saved plan that no longer matches: exit 2, and nothing was changed. The lines are the
 *  error's details, one per change. */
export class StalePlanError extends UsageError {
  readonly file: string;
  readonly changes: readonly string[];
  /** `name`: the NAME given to ensemble.up (for the hint's command). */
  constructor(file: string, name: string, changes: readonly string[]) {
    super(`stale plan: ${changes.length} change${changes.length === 1 ? '' : 's'} since ${file} was made; nothing was changed`, {
      argument: file,
      hint: `make and review a new plan: hitc ensemble.plan:${name},out=${file}`,
      details: changes,
    });
    this.file = file;
    this.changes = changes;
  }
}
