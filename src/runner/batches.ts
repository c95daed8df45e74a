// Rolling a task across a fleet in batches with a failure budget (Ansible's serial and
// max_fail_percentage). Parsing and arithmetic only; the runner carries the batches out.

import { UsageError } from '../core/errors.ts';

/** A number of hosts, or a share of the selected hosts. */
export type Amount = { readonly count: number } | { readonly percent: number };

export interface Rollout {
  /** Hosts per batch; undefined: one batch of every host (one host at a time when serial). */
  readonly batch?: Amount;
  /** Failed hosts the run tolerates; undefined means 0: the first failing batch is the last. */
  readonly maxFail?: Amount;
  readonly batchWaitMs: number;
}

/**
 * `5` or `25%` (also a number from a hitcfile). `min` is the least count; a percentage must lie
 * in (0, 100] for a batch and [0, 100] for a failure budget.
 */
export function parseAmount(what: string, value: string | number, min: 0 | 1): Amount {
  const text = String(value).trim();
  const example = min === 1 ? `${what} 5 or ${what} 25%` : `${what} 0, ${what} 2 or ${what} 10%`;
  const bad = (): UsageError =>
    new UsageError(`${what} needs a whole number ≥ ${min} or a percentage (${min === 1 ? 'above 0' : '0'}–100%), got "${value}"`, {
      argument: what,
      hint: `write e.g. ${example}`,
    });
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const p = Number(percent[1]);
    if (p > 100 || (min === 1 && p === 0)) throw bad();
    return { percent: p };
  }
  if (!/^\d+$/.test(text)) throw bad();
  const n = Number(text);
  if (n < min || !Number.isSafeInteger(n)) throw bad();
  return { count: n };
}

/** Hosts per batch: a percentage rounds up (25% of 10 is 3) and is never less than one host. */
export function batchSize(amount: Amount, total: number): number {
  const n = 'count' in amount ? amount.count : Math.ceil((total * amount.percent) / 100);
  return Math.max(1, Math.min(n, Math.max(total, 1)));
}

/** Failed hosts tolerated: a percentage rounds down (10% of 15 tolerates 1), so it never allows more than asked. */
export function failBudget(amount: Amount | undefined, total: number): number {
  if (!amount) return 0;
  return 'count' in amount ? amount.count : Math.floor((total * amount.percent) / 100);
}

/** Consecutive batches in the given order. */
export function splitBatches<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

export function formatAmount(amount: Amount): string {
  return 'count' in amount ? String(amount.count) : `${amount.percent}%`;
}
