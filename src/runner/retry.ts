// Which failed attempts of a command are worth another try. A command that ran and failed, or a
// connection that could not be made, may succeed later; a refused host key, a rejected login and
// anything after Ctrl-C (or the host's time limit) never will, or must not be pressed.

import { ConnectError, TaskError } from '../core/errors.ts';
import type { ExecResult } from '../transport/types.ts';

export interface RetryPolicy {
  /** Extra attempts after the first. */
  readonly retries: number;
  readonly delayMs: number;
}

const NEVER_RETRIED = new Set(['host-key-changed', 'host-key-unknown', 'auth']);

/** Why the attempt deserves a retry ("exit 7", "connection failure (refused)"), or undefined. */
export function retryCause(failure: ExecResult | unknown, aborted: boolean): string | undefined {
  if (aborted) return undefined;
  if (failure instanceof ConnectError) return NEVER_RETRIED.has(failure.failure) ? undefined : `connection failure (${failure.failure})`;
  if (!isExecResult(failure)) return undefined;
  if (failure.timedOut) return 'timeout';
  if (failure.signal) return `signal ${failure.signal}`;
  if (failure.exitCode === 0) return undefined;
  return failure.exitCode === null ? 'no exit status' : `exit ${failure.exitCode}`;
}

function isExecResult(value: unknown): value is ExecResult {
  return typeof value === 'object' && value !== null && 'timedOut' in value && 'exitCode' in value;
}

/** A task's own { retries, retryDelay } (seconds) as a policy; a bad value fails the task. */
export function retryPolicyOf(command: string, retries: unknown, delaySec: unknown): RetryPolicy {
  if (!(Number.isSafeInteger(retries) && (retries as number) >= 0)) {
    throw new TaskError(`retries must be a whole number ≥ 0, got ${String(retries)} (command: ${command})`, { hint: 'e.g. c.run(cmd, { retries: 3, retryDelay: 2 })' });
  }
  if (!(typeof delaySec === 'number' && Number.isFinite(delaySec) && delaySec >= 0)) {
    throw new TaskError(`retryDelay must be seconds ≥ 0, got ${String(delaySec)} (command: ${command})`, { hint: 'e.g. c.run(cmd, { retries: 3, retryDelay: 2 })' });
  }
  return { retries: retries as number, delayMs: delaySec * 1000 };
}
