// c.waitFor(check, { timeout, interval }): poll until a command exits 0 on the host, or a
// function returns something truthy; a clear error naming the host and the check when time is up.

import { setTimeout as sleep } from 'node:timers/promises';
import { TaskError, UsageError } from '../core/errors.ts';
import type { CommandInput, CommandResult, WaitForOptions } from '../taskfile/context-types.ts';

export type WaitCheck = CommandInput | (() => unknown);

export interface WaitDeps {
  readonly host: string;
  readonly signal: AbortSignal;
  /** Runs a command check once (quiet, never throwing on a non-zero exit). */
  readonly probe: (command: CommandInput) => Promise<CommandResult>;
  readonly now?: () => number;
}

const DEFAULT_TIMEOUT_SEC = 60;
const DEFAULT_INTERVAL_SEC = 2;

function describe(check: WaitCheck): string {
  if (typeof check === 'function') return check.name ? `function ${check.name}` : 'the check function';
  if (typeof check === 'string') return `"${check}"`;
  if (Array.isArray(check)) return `"${check.join(' ')}"`;
  return `"${(check as { display: string }).display}"`;
}

function seconds(value: number | undefined, fallback: number, key: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`waitFor: ${key} must be a number of seconds above 0 (got ${value})`, { argument: key });
  return value;
}

export async function waitFor(check: WaitCheck, options: WaitForOptions, deps: WaitDeps): Promise<void> {
  const timeout = seconds(options.timeout, DEFAULT_TIMEOUT_SEC, 'timeout');
  const interval = seconds(options.interval, DEFAULT_INTERVAL_SEC, 'interval');
  const now = deps.now ?? Date.now;
  const deadline = now() + timeout * 1000;
  let last = 'it never ran';
  for (;;) {
    deps.signal.throwIfAborted();
    if (typeof check === 'function') {
      try {
        if (await check()) return;
        last = 'it returned a falsy value';
      } catch (error) {
        deps.signal.throwIfAborted();
        last = `it threw: ${(error as Error)?.message ?? String(error)}`;
      }
    } else {
      const result = await deps.probe(check);
      if (result.ok) return;
      const tail = result.stderr.trim().split('\n').slice(-3).join(' / ');
      last = `${result.timedOut ? 'it timed out' : `exit ${result.exitCode}`}${tail ? `: ${tail}` : ''}`;
    }
    const left = deadline - now();
    if (left <= 0) {
      throw new TaskError(`waited ${timeout}s on ${deps.host} for ${describe(check)}: not yet (last try: ${last})`, {
        host: deps.host,
        hint: 'raise waitFor\'s timeout, or check why it does not succeed',
      });
    }
    // the run's own reason (Ctrl-C, the host's deadline), not the timer's AbortError
    await sleep(Math.min(interval * 1000, left), undefined, { signal: deps.signal }).catch((error: unknown) => {
      deps.signal.throwIfAborted();
      throw error;
    });
  }
}
