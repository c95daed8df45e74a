// After a provider says "running", wait until each new server really accepts an SSH login
// (a TCP probe is not enough: sshd may still be generating keys), with progress and a limit.

import { ConnectError, TaskError } from '../core/errors.ts';
import type { HostSpec } from '../core/host-spec.ts';
import type { TaskContext } from '../runner/context-types.ts';

export async function waitForSsh(c: TaskContext, hosts: readonly HostSpec[], options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 5 * 60_000);
  const pending = new Set(hosts);
  let round = 0;
  while (pending.size > 0) {
    await Promise.all([...pending].map(async (spec) => {
      try {
        await c.on(spec).run('true', { quiet: true, timeout: 20 });
        pending.delete(spec);
      } catch (error) {
        if (!(error instanceof ConnectError)) throw error;
      }
    }));
    if (pending.size === 0) break;
    if (Date.now() > deadline || c.signal.aborted) {
      throw new TaskError(`${pending.size} new server(s) never accepted SSH: ${[...pending].map((s) => s.host).join(', ')}`, {
        hint: 'check the security group / firewall for port 22, and the key pair',
      });
    }
    if (round++ % 5 === 0) c.log(`waiting for ${pending.size} server(s) to accept SSH`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 2000));
  }
}
