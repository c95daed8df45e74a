// Applying a server's firewall: one atomic transaction per address family, under a dead man's
// switch armed before the first rule changes, confirmed only by a fresh SSH login (a new TCP
// connection, as the next run would make) that must succeed well inside the rollback window.
// If that login fails while this connection still works, the previous rules are restored at
// once; if this connection dies too (or hitc is killed), the timer restores them.

import type { Command } from '../../core/command.ts';
import { TaskError } from '../../core/errors.ts';
import { applyFirewallCommand, confirmFirewallCommand, rollbackFirewallCommand, removeFirewallScript } from './firewall-commands.ts';
import { raw, sh } from '../../core/command.ts';
import { persistFirewallCommand, unpersistFirewallScript } from './firewall-persist.ts';

/** The part of a host the firewall needs: run a command as root and read its output. */
export interface RootShell {
  asRoot(command: Command, options: { quiet: boolean }): Promise<{ stdout: string }>;
}

export const ROLLBACK_AFTER_SEC = 45;

/** How long the fresh login may take: well below the rollback window, so a confirmation never
 *  races the timer restoring the previous rules. */
export function confirmWithinMs(rollbackSec: number): number {
  return Math.max(1000, Math.floor(rollbackSec * 1000 * 2 / 3));
}

export async function applyFirewall(
  host: RootShell, freshLogin: () => Promise<void>, server: string, input: { v4: string; v6: string },
  options: { rollbackSec?: number } = {},
): Promise<{ persisted: boolean }> {
  const rollbackSec = options.rollbackSec ?? ROLLBACK_AFTER_SEC;
  const applied = await host.asRoot(applyFirewallCommand(input, rollbackSec), { quiet: true });
  const timer = Number(applied.stdout.trim().split('\n').pop());
  if (!Number.isInteger(timer) || timer <= 0) throw new TaskError(`${server}: the firewall was applied but its rollback timer did not start (got "${applied.stdout.trim()}"); the previous rules come back by themselves within ${rollbackSec} s`);
  // the timer was armed moments before the rules went live (after any wait for Docker): the
  // rest of the window is the margin for that moment and for the confirmation itself
  const deadline = Date.now() + confirmWithinMs(rollbackSec);
  try {
    await withDeadline(freshLogin(), deadline, `no fresh SSH login within ${Math.round(confirmWithinMs(rollbackSec) / 1000)} s`);
  } catch (error) {
    let restored = 'so the previous rules were restored';
    await host.asRoot(rollbackFirewallCommand(timer), { quiet: true }).catch(() => {
      restored = `and restoring the previous rules failed; they come back by themselves within ${rollbackSec} s`;
    });
    throw new TaskError(`${server}: after the new firewall a fresh SSH login failed, ${restored} (${(error as Error).message})`, {
      hint: 'check that the rules admit the address hitc connects from',
    });
  }
  await host.asRoot(confirmFirewallCommand(timer), { quiet: true }).catch((error: unknown) => {
    throw new TaskError(`${server}: the new firewall was confirmed too late; the previous rules are back (${(error as Error).message})`);
  });
  // confirmed: keep these rules across reboots (if that fails, they still hold until one)
  const persisted = await host.asRoot(persistFirewallCommand(), { quiet: true }).then(() => true, () => false);
  return { persisted };
}

async function withDeadline(work: Promise<void>, deadline: number, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), Math.max(0, deadline - Date.now()));
  });
  work.catch(() => undefined); // a login that fails after the deadline is already reported
  try {
    await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Take hitc's firewall off a server (a firewall removed from the manifest, with prune). */
export async function removeFirewall(host: RootShell): Promise<void> {
  await host.asRoot(sh`${raw(removeFirewallScript())}; ${raw(unpersistFirewallScript())}`, { quiet: true });
}
