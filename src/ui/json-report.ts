// --json: one document on stdout describing the whole run. Output lines are kept per task and
// host; errors are described by errorJson. The shape is tested (test/integration/json.test.ts).

import type { RunEvent } from '../core/events.ts';
import { redactDeep } from '../core/redact.ts';
import type { HostOutcome } from '../runner/plan.ts';
import { errorJson } from './format-error.ts';

export interface JsonHostResult {
  host: string | null;
  status: HostOutcome['status'];
  durationMs: number;
  /** ISO 8601, absent for a host that never started. */
  startedAt?: string;
  endedAt?: string;
  /** Why a skipped host was not started. */
  reason?: string;
  stdout: string[];
  stderr: string[];
  value?: unknown;
  error?: Record<string, unknown>;
}

export class JsonCollector {
  readonly #lines = new Map<string, { stdout: string[]; stderr: string[] }>();
  #task = '';

  readonly handle = (event: RunEvent): void => {
    if (event.type === 'task-start') this.#task = event.task;
    if (event.type === 'output') {
      const key = `${this.#task}\u0000${event.host ?? ''}`;
      let entry = this.#lines.get(key);
      if (!entry) this.#lines.set(key, (entry = { stdout: [], stderr: [] }));
      (event.stream === 'out' ? entry.stdout : entry.stderr).push(event.line);
    }
  };

  document(outcomes: readonly HostOutcome[], exitCode: number, totalMs: number, error?: unknown): Record<string, unknown> {
    const tasks: { task: string; hosts: JsonHostResult[] }[] = [];
    for (const o of outcomes) {
      let t = tasks.find((x) => x.task === o.task);
      if (!t) tasks.push((t = { task: o.task, hosts: [] }));
      const lines = this.#lines.get(`${o.task}\u0000${o.host ?? ''}`) ?? { stdout: [], stderr: [] };
      t.hosts.push({
        host: o.host ?? null,
        status: o.status,
        durationMs: o.durationMs,
        ...(o.startedAt !== undefined ? { startedAt: new Date(o.startedAt).toISOString() } : {}),
        ...(o.endedAt !== undefined ? { endedAt: new Date(o.endedAt).toISOString() } : {}),
        ...(o.reason !== undefined ? { reason: o.reason } : {}),
        stdout: lines.stdout,
        stderr: lines.stderr,
        ...(o.value !== undefined ? { value: o.value } : {}),
        ...(o.error !== undefined ? { error: errorJson(o.error) } : {}),
      });
    }
    const count = (s: HostOutcome['status']): number => outcomes.filter((o) => o.status === s).length;
    // masked as data, before JSON escaping could hide a value with quotes or backslashes
    return redactDeep({
      ok: exitCode === 0,
      exitCode,
      durationMs: totalMs,
      summary: { ok: count('ok'), failed: count('failed'), unreachable: count('unreachable'), skipped: count('skipped') },
      tasks,
      ...(error !== undefined ? { error: errorJson(error) } : {}),
    });
  }
}
