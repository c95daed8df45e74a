// A run, decided before anything connects: which task, with which arguments, on which hosts,
// in which mode. The runner only carries it out.

import type { HostSpec } from '../core/host-spec.ts';
import type { Task } from '../taskfile/define.ts';

export interface PlannedTask {
  readonly name: string;
  readonly task: Task;
  readonly args: Readonly<Record<string, unknown>>;
  /** Empty for local tasks. */
  readonly hosts: readonly HostSpec[];
  readonly mode: 'serial' | 'parallel' | 'once';
  readonly poolSize: number;
}

export interface RunPolicy {
  readonly warnOnly: boolean;
  readonly skipBadHosts: boolean;
  readonly commandTimeoutMs?: number;
  readonly hostTimeoutMs?: number;
  readonly yes: boolean;
}

export interface HostOutcome {
  readonly task: string;
  /** undefined for a local task. */
  readonly host: string | undefined;
  readonly status: 'ok' | 'failed' | 'unreachable' | 'skipped';
  readonly durationMs: number;
  readonly error?: unknown;
  readonly value?: unknown;
}
