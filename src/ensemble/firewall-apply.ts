// Applying a server's firewall: one atomic transaction with a dead man's switch, confirmed only
// by a fresh SSH login (a new TCP connection, as the next run would make). If that login fails
// while this connection still works, the previous rules are restored at once; if this connection
// dies too, the timer restores them.

import type { Command } from '../core/command.ts';
import { TaskError } from '../core/errors.ts';
import { applyFirewallCommand, confirmFirewallCommand, removeFirewallScript, rollbackFirewallCommand, type SshPath } from './firewall-commands.ts';
import { raw, sh } from '../core/command.ts';
import { persistFirewallCommand, unpersistFirewallScript } from './firewall-persist.ts';

/** The part of a host the firewall needs: run a command as root and read its output. */
export interface RootShell {
  asRoot(command: Command, options: { quiet: boolean }): Promise<{ stdout: string }>;
}

export const ROLLBACK_AFTER_SEC = 45;

export async function applyFirewall(
  host: RootShell, freshLogin: () => Promise<void>, server: string, restoreInput: string,
  options: { rollbackSec?: number; sshPath?: SshPath } = {},
): Promise<{ persisted: boolean }> {
  const rollbackSec = options.rollbackSec ?? ROLLBACK_AFTER_SEC;
  const applied = await host.asRoot(applyFirewallCommand(restoreInput, rollbackSec, options.sshPath), { quiet: true });
  const timer = Number(applied.stdout.trim().split('\n').pop());
  if (!Number.isInteger(timer) || timer <= 0) throw new TaskError(`${server}: the firewall was applied but its rollback timer did not start (got "${applied.stdout.trim()}")`);
  try {
    await freshLogin();
  } catch (error) {
    let restored = 'so the previous rules were restored';
    await host.asRoot(rollbackFirewallCommand(timer), { quiet: true }).catch(() => {
      restored = `and restoring the previous rules failed; they come back by themselves within ${rollbackSec} s`;
    });
    throw new TaskError(`${server}: after the new firewall a fresh SSH login failed, ${restored} (${(error as Error).message})`, {
      hint: 'check that the rules admit the address hitc connects from',
    });
  }
  await host.asRoot(confirmFirewallCommand(timer), { quiet: true });
  // confirmed: keep these rules across reboots (if that fails, they still hold until one)
  const persisted = await host.asRoot(persistFirewallCommand(), { quiet: true }).then(() => true, () => false);
  return { persisted };
}

/** Take hitc's firewall off a server (a firewall removed from the manifest, with prune). */
export async function removeFirewall(host: RootShell): Promise<void> {
  await host.asRoot(sh`${raw(removeFirewallScript())}; ${raw(unpersistFirewallScript())}`, { quiet: true });
}
