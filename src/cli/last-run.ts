// `.hitc/last-run.json`: what the last run left undone (hosts that failed, and hosts it never
// reached), with its task invocation, so `--rerun-failed` can aim at exactly them. Beside the
// hitcfile, or in ~/.hitc without one. Replaced atomically: a crash never leaves half a file.

import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError, UsageError } from '../core/errors.ts';
import { redactDeep } from '../core/redact.ts';
import type { HostOutcome, PlannedTask } from '../runner/plan.ts';
import { formatHostSpec } from '../core/host-spec.ts';
import type { CliRequest } from './args.ts';
import { parseTaskInvocation } from './task-invocation.ts';

export interface LastRun {
  readonly version: 1;
  /** ISO 8601 end of the run. */
  readonly at: string;
  /** The task words as given (`deploy:tag=v2`); absent for `-- COMMAND` or when they held a secret. */
  readonly tasks?: readonly string[];
  readonly adhoc?: string;
  /** Hosts where a task failed or that could not be reached, in selection order. */
  readonly failed: readonly string[];
  /** Hosts a task was meant for but never started on (a spent failure budget, an earlier
   *  failure, Ctrl-C). */
  readonly unreached: readonly string[];
}

export function lastRunPath(hitcfile: string | undefined, home = homedir()): string {
  return join(hitcfile ? join(dirname(hitcfile), '.hitc') : join(home, '.hitc'), 'last-run.json');
}

/** What a run left undone: a host is done when every task planned for it ended ok. */
export function lastRunOf(plan: readonly PlannedTask[], outcomes: readonly HostOutcome[], words: { tasks?: readonly string[]; adhoc?: string }, at = new Date()): LastRun {
  const failed: string[] = [];
  const unreached: string[] = [];
  const status = new Map(outcomes.map((o) => [`${o.task}\0${o.host ?? ''}`, o.status]));
  for (const planned of plan) {
    if (planned.mode === 'once') continue; // a run-once task has no host of its own to rerun
    for (const name of planned.hosts.map(formatHostSpec)) {
      const s = status.get(`${planned.name}\0${name}`);
      if (s === 'failed' || s === 'unreachable') failed.push(name);
      else if (s !== 'ok') unreached.push(name);
    }
  }
  const uniqueFailed = [...new Set(failed)];
  const uniqueUnreached = [...new Set(unreached)].filter((h) => !uniqueFailed.includes(h));
  // a secret in the invocation is not written down: the rerun then asks for the tasks again
  const hidden = redactDeep(words);
  const secret = JSON.stringify(hidden) !== JSON.stringify(words);
  return {
    version: 1,
    at: at.toISOString(),
    ...(secret ? {} : words),
    failed: uniqueFailed,
    unreached: uniqueUnreached,
  };
}

export function writeLastRun(path: string, record: LastRun): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** The recorded run, or undefined when there is none; a damaged file is a ConfigError. */
export function readLastRun(path: string): LastRun | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read ${path}: ${(error as Error).message}`, { file: path });
  }
  const data = (() => {
    try {
      return JSON.parse(text) as Partial<LastRun>;
    } catch {
      return undefined;
    }
  })();
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!data || data.version !== 1 || !strings(data.failed) || !strings(data.unreached) || (data.tasks !== undefined && !strings(data.tasks)) || (data.adhoc !== undefined && typeof data.adhoc !== 'string')) {
    throw new ConfigError(`${path} is not a run record hitc wrote`, { file: path, hint: 'delete it; the next run writes a new one' });
  }
  return data as LastRun;
}

export function noRecordError(path: string): UsageError {
  return new UsageError(`--rerun-failed: no earlier run is recorded (${path} does not exist)`, {
    argument: '--rerun-failed',
    hint: 'every run records its failed hosts there; run the tasks once first',
  });
}

/** The request a --rerun-failed run stands for: the recorded hosts, and the recorded tasks
 *  unless new ones were given; undefined when the last run left nothing undone. */
export function rerunRequest(req: CliRequest, record: LastRun, path: string): CliRequest | undefined {
  const hosts = [...record.failed, ...record.unreached];
  if (hosts.length === 0) return undefined;
  if (req.tasks.length > 0 || req.adhoc !== undefined) return { ...req, hosts };
  if (record.adhoc !== undefined) return { ...req, hosts, adhoc: record.adhoc };
  if (record.tasks && record.tasks.length > 0) return { ...req, hosts, tasks: record.tasks.map(parseTaskInvocation) };
  throw new UsageError(`--rerun-failed: ${path} holds no task invocation (it contained a secret, so it was not written down)`, {
    argument: '--rerun-failed',
    hint: 'give the tasks again: hitc --rerun-failed TASK…',
  });
}
