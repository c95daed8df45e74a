// A run, decided before anything connects: which task, with which arguments, on which hosts,
// in which mode. The runner only carries it out.

import type { HostSpec } from '../core/host-spec.ts';
import type { Task } from '../taskfile/define.ts';
import type { Rollout } from './batches.ts';
import type { RetryPolicy } from './retry.ts';

export interface PlannedTask {
  readonly name: string;
  readonly task: Task;
  readonly args: Readonly<Record<string, unknown>>;
  /** Empty for local tasks. */
  readonly hosts: readonly HostSpec[];
  readonly mode: 'serial' | 'parallel' | 'once';
  readonly poolSize: number;
  /** Batches and a failure budget (--batch/--max-fail or the task's own); absent: all at once
   *  in parallel mode, host by host stopping at the first failure in serial mode. */
  readonly rollout?: Rollout;
}

export interface RunPolicy {
  readonly warnOnly: boolean;
  readonly skipBadHosts: boolean;
  readonly commandTimeoutMs?: number;
  readonly hostTimeoutMs?: number;
  /** Default retries for every command (--retries/--retry-delay). */
  readonly retry?: RetryPolicy;
  readonly yes: boolean;
}

export interface HostOutcome {
  readonly task: string;
  /** undefined for a local task. */
  readonly host: string | undefined;
  readonly status: 'ok' | 'failed' | 'unreachable' | 'skipped';
  readonly durationMs: number;
  /** Epoch milliseconds; absent for a host that never started. */
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** Why a skipped host was not started (a spent failure budget). */
  readonly reason?: string;
  readonly error?: unknown;
  readonly value?: unknown;
}
