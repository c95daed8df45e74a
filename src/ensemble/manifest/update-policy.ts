// `update:` of a container: how its copies are replaced when it changes, a few at a time with a
// pause between, and how many failed copies stop the rest. Copies are the containers with the
// same key as written in the manifest (after templates) that state `update:`, on every server:
// a container `count` (app, app-1, …), a server `count` or template, or the same key under
// several servers. Every copy that states it must state the same policy (checked here); one that
// states none is replaced at once, as before. Not part of the spec hash: changing how a
// container rolls never restarts it.

import type { ManifestIssue } from '../../core/errors.ts';
import { suggest } from '../../core/suggest.ts';
import { text, type LEntry } from './yaml-tree.ts';
import type { ManifestServer } from './model.ts';

export interface UpdatePolicy {
  /** The container key as written: the copies that roll together, on every server. */
  readonly group: string;
  readonly line: number;
  /** Copies per batch, or a share of all copies (rounded up, at least 1); absent: all at once. */
  readonly batch?: { readonly copies: number } | { readonly percent: number };
  /** Seconds between the end of one batch and the start of the next. */
  readonly waitSeconds: number;
  /** Failed copies tolerated; one more and the batches not started yet are skipped. */
  readonly maxFail: number;
}

const UPDATE_KEYS = ['batch', 'wait', 'max_fail'];
// bounds that catch a typo (wait: 3000 meant as ms) before a rollout sleeps for an hour
const MAX_WAIT_SECONDS = 3600;
const MAX_COPIES = 10_000;
const EXAMPLE = 'update: {batch: 2, wait: 5, max_fail: 1} (batch may be a share: "25%")';

/** `update: {batch: 2 | "25%", wait: SECONDS, max_fail: N}`, each optional. */
export function parseUpdate(e: LEntry | undefined, group: string, path: string, issues: ManifestIssue[]): UpdatePolicy | undefined {
  if (!e) return undefined;
  if (e.value.kind !== 'map') {
    issues.push({ path, line: e.line, message: 'update is a mapping of batch, wait and max_fail', hint: EXAMPLE });
    return undefined;
  }
  let batch: UpdatePolicy['batch'];
  let waitSeconds = 0;
  let maxFail = 0;
  for (const field of e.value.entries) {
    const where = `${path}.${field.key}`;
    const value = text(field.value)?.trim();
    if (field.key === 'batch') {
      const share = value === undefined ? null : /^(\d{1,3})%$/.exec(value);
      const n = Number(share ? share[1] : value);
      if (value !== undefined && /^\d+%?$/.test(value) && n >= 1 && n <= (share ? 100 : MAX_COPIES)) batch = share ? { percent: n } : { copies: n };
      else issues.push({ path: where, line: field.line, message: `batch ${value === undefined ? 'must be a single value' : `"${value}" is neither a number of copies (1 or more) nor a share from 1% to 100%`}`, hint: 'batch: 2 (copies at a time) or batch: "25%" (of the copies, rounded up)' });
    } else if (field.key === 'wait') {
      const n = Number(value);
      if (value !== undefined && /^\d+(\.\d+)?$/.test(value) && n <= MAX_WAIT_SECONDS) waitSeconds = n;
      else issues.push({ path: where, line: field.line, message: `wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}${value === undefined ? '' : ` (got "${value}")`}`, hint: 'wait: 5 (seconds between one batch finishing and the next starting)' });
    } else if (field.key === 'max_fail') {
      const n = Number(value);
      if (value !== undefined && /^\d+$/.test(value) && n <= MAX_COPIES) maxFail = n;
      else issues.push({ path: where, line: field.line, message: `max_fail must be a whole number, 0 or more${value === undefined ? '' : ` (got "${value}")`}`, hint: 'max_fail: 1 (failed copies tolerated before the remaining batches are skipped)' });
    } else {
      const close = suggest(field.key, UPDATE_KEYS);
      issues.push({ path: where, line: field.line, message: `unknown update field "${field.key}"`, hint: close.length > 0 ? `did you mean ${close.join(' or ')}?` : `update has batch, wait and max_fail: ${EXAMPLE}` });
    }
  }
  return { group, line: e.line, ...(batch ? { batch } : {}), waitSeconds, maxFail };
}

/** Copies of a container roll as one: every copy that states a policy states the same one. */
export function checkUpdateGroups(servers: readonly ManifestServer[], issues: ManifestIssue[]): void {
  const first = new Map<string, { path: string; line: number; policy: string }>();
  // copies made by a count share their update:'s line: one issue for all of them
  const reported = new Set<number>();
  for (const s of servers) {
    for (const c of s.containers) {
      if (!c.update) continue;
      const policy = describePolicy(c.update);
      const seen = first.get(c.update.group);
      if (!seen) first.set(c.update.group, { path: c.path, line: c.update.line, policy });
      else if (seen.policy !== policy && !reported.has(c.update.line)) {
        reported.add(c.update.line);
        issues.push({ path: `${c.path}.update`, line: c.update.line, message: `the copies of ${c.update.group} roll together, but ${seen.path} (line ${seen.line}) states another update: (${seen.policy}, here ${policy})`, hint: `give every ${c.update.group} the same update:, or rename one of them if they are different containers` });
      }
    }
  }
}

/** The policy in the plan's words: `batches of 2, 5 s apart, at most 1 failure`. */
export function describePolicy(p: Pick<UpdatePolicy, 'batch' | 'waitSeconds' | 'maxFail'>): string {
  const batch = p.batch === undefined ? 'all at once' : 'copies' in p.batch ? `batches of ${p.batch.copies}` : `batches of ${p.batch.percent}%`;
  return [batch, ...(p.waitSeconds > 0 ? [`${p.waitSeconds} s apart`] : []), failures(p.maxFail)].join(', ');
}

export function failures(maxFail: number): string {
  return maxFail === 0 ? 'no failure tolerated' : `at most ${maxFail} failure${maxFail === 1 ? '' : 's'}`;
}
