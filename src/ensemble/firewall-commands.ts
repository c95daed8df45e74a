// The firewall as commands (pure). One iptables-restore transaction replaces hitc's chains, so
// the rules change atomically. HITC-FW guards the host's own ports (jumped from INPUT);
// HITC-FW-DOCKER guards published container ports (jumped from DOCKER-USER, where traffic has
// already been DNATed: `--ctorigdstport` matches the port clients actually used). The SSH path
// hitc is using (the peer address in $SSH_CLIENT, and the sshd port) is always admitted, and a
// rollback timer restores the previous rules unless a fresh SSH login confirms them.

import { raw, sh, type Command } from '../core/command.ts';
import type { ResolvedRule } from './firewall-rules.ts';

export const FW_CHAIN = 'HITC-FW';
export const FW_DOCKER_CHAIN = 'HITC-FW-DOCKER';
export const FW_HASH_TAG = 'hitc-fw-hash:';

/** iptables-restore input for the chains, given the peer that must keep SSH (address, port). */
export function firewallRestoreInput(rules: readonly ResolvedRule[], hash: string): string {
  const lines = ['*filter', `:${FW_CHAIN} - [0:0]`, `:${FW_DOCKER_CHAIN} - [0:0]`];
  const host = (spec: string): void => void lines.push(`-A ${FW_CHAIN} ${spec}`);
  const docker = (spec: string): void => void lines.push(`-A ${FW_DOCKER_CHAIN} ${spec}`);
  host(`-m comment --comment "${FW_HASH_TAG}${hash}"`);
  host('-i lo -j RETURN');
  host('-m conntrack --ctstate ESTABLISHED,RELATED -j RETURN');
  host('-p icmp -j RETURN');
  host('-s @SSH_PEER@ -p tcp -m tcp --dport @SSH_PORT@ -m comment --comment "hitc: the SSH path in use" -j RETURN');
  docker('-m conntrack --ctstate ESTABLISHED,RELATED -j RETURN');
  // traffic that containers start themselves (out of a docker bridge) is not filtered
  docker('-i docker0 -j RETURN');
  docker('-i br+ -j RETURN');
  for (const r of rules) {
    const protos = r.protocol === '*' ? ['tcp', 'udp'] : [r.protocol];
    const sources = r.sources.includes('*') ? [''] : r.sources.map((s) => `-s ${s} `);
    for (const p of protos) {
      for (const src of sources) {
        if (r.port === '*') {
          host(`${src}-p ${p} -j RETURN`);
          docker(`${src}-p ${p} -j RETURN`);
        } else {
          host(`${src}-p ${p} -m ${p} --dport ${r.port} -j RETURN`);
          docker(`${src}-p ${p} -m conntrack --ctorigdstport ${r.port} -j RETURN`);
        }
      }
    }
  }
  host('-j DROP');
  docker('-j DROP');
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/**
 * Apply atomically, keep a backup, and arm a rollback timer (restores the backup after
 * `rollbackSec` unless disarmed). Prints the timer's pid on stdout.
 */
export function applyFirewallCommand(restoreInput: string, rollbackSec: number): Command {
  return sh`set -e
peer=$(printf '%s' "$SSH_CLIENT" | cut -d' ' -f1); port=$(printf '%s' "$SSH_CONNECTION" | cut -d' ' -f4)
[ -n "$peer" ] || { echo "cannot tell the SSH peer address (no SSH_CLIENT)" >&2; exit 3; }
umask 077; iptables-save -t filter > /root/.hitc-fw-backup
printf '%s' ${restoreInput} | sed -e "s/@SSH_PEER@/$peer/" -e "s/@SSH_PORT@/\${port:-22}/" | iptables-restore -w --noflush
iptables -w -C INPUT -j ${FW_CHAIN} 2>/dev/null || iptables -w -I INPUT -j ${FW_CHAIN}
if iptables -w -L DOCKER-USER -n >/dev/null 2>&1; then
  iptables -w -C DOCKER-USER -j ${FW_DOCKER_CHAIN} 2>/dev/null || iptables -w -I DOCKER-USER -j ${FW_DOCKER_CHAIN}
fi
nohup sh -c ${raw(`'sleep ${rollbackSec}; iptables-restore -w < /root/.hitc-fw-backup'`)} >/dev/null 2>&1 &
echo $!`;
}

/** Disarm the rollback timer once a fresh SSH login has confirmed the new rules. */
export function confirmFirewallCommand(timerPid: number): Command {
  return sh`kill ${String(timerPid)} 2>/dev/null; rm -f /root/.hitc-fw-backup; true`;
}

/** Restore the backup now (the confirmation failed but this connection still works). */
export function rollbackFirewallCommand(timerPid: number): Command {
  return sh`kill ${String(timerPid)} 2>/dev/null; iptables-restore -w < /root/.hitc-fw-backup && rm -f /root/.hitc-fw-backup`;
}

/** The hash of the rules hitc applied last, or nothing. Part of the observation probe. */
export function readFirewallHashScript(): string {
  return `iptables -w -S ${FW_CHAIN} 2>/dev/null | sed -n 's/.*${FW_HASH_TAG}\\([0-9a-f]*\\).*/\\1/p' | head -1`;
}
