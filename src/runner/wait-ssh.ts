// After a provider says "running", wait until each new server really accepts an SSH login
// (a TCP probe is not enough: sshd may still be generating keys), with progress and a limit.
// Only what a booting server does is waited out (refused, timed out, dropped during the
// handshake); a changed host key or a refused login will not fix itself and fails at once.

import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectError, TaskError, type ConnectFailure } from '../core/errors.ts';
import type { HostSpec } from '../core/host-spec.ts';
import type { TaskContext } from '../taskfile/context-types.ts';

/** What a server that is still starting answers: worth another try. */
const STARTING: ReadonlySet<ConnectFailure> = new Set(['timeout', 'refused', 'unreachable', 'closed', 'dns', 'other']);

export function isStillStarting(error: unknown): boolean {
  return error instanceof ConnectError && STARTING.has(error.failure);
}

export async function waitForSsh(c: TaskContext, hosts: readonly HostSpec[], options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 5 * 60_000);
  const pending = new Set(hosts);
  const lastError = new Map<HostSpec, string>();
  let round = 0;
  while (pending.size > 0) {
    await Promise.all([...pending].map(async (spec) => {
      try {
        await c.on(spec).run('true', { quiet: true, timeout: 20 });
        pending.delete(spec);
      } catch (error) {
        // host key changed or unknown under strict checking, login refused, unreadable key: final
        if (!isStillStarting(error)) throw error;
        lastError.set(spec, (error as Error).message);
      }
    }));
    if (pending.size === 0) break;
    if (c.signal.aborted) throw c.signal.reason;
    if (Date.now() > deadline) {
      const why = [...pending].map((s) => `${s.host} (${lastError.get(s) ?? 'no answer'})`).join(', ');
      throw new TaskError(`${pending.size} new server(s) never accepted SSH: ${why}`, {
        hint: 'check the security group / firewall for port 22, and the key pair',
      });
    }
    if (round++ % 5 === 0) c.log(`waiting for ${pending.size} server(s) to accept SSH`);
    await sleep(options.intervalMs ?? 2000, undefined, { signal: c.signal }).catch(() => {
      throw c.signal.reason; // Ctrl-C ends the wait at once, not after the interval
    });
  }
}
