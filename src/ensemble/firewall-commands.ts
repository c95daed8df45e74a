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

/** The ensemble's name as it can be stored in an iptables comment (and compared with). */
export function firewallEnsembleTag(ensemble: string): string {
  return ensemble.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** iptables-restore input for the chains, given the peer that must keep SSH (address, port). */
export function firewallRestoreInput(rules: readonly ResolvedRule[], hash: string, ensemble: string): string {
  const lines = ['*filter', `:${FW_CHAIN} - [0:0]`, `:${FW_DOCKER_CHAIN} - [0:0]`];
  const host = (spec: string): void => void lines.push(`-A ${FW_CHAIN} ${spec}`);
  const docker = (spec: string): void => void lines.push(`-A ${FW_DOCKER_CHAIN} ${spec}`);
  host(`-m comment --comment "${FW_HASH_TAG}${hash}@${firewallEnsembleTag(ensemble)}"`);
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

const BACKUP = '/root/.hitc-fw-backup';
const HOOKS = '/root/.hitc-fw-hooks';

/** Remove hitc's firewall entirely (jumps, then chains). Errors for parts that are absent are ignored. */
export function removeFirewallScript(): string {
  return [
    `iptables -w -D INPUT -j ${FW_CHAIN}`, `iptables -w -D DOCKER-USER -j ${FW_DOCKER_CHAIN}`,
    `iptables -w -F ${FW_CHAIN}`, `iptables -w -X ${FW_CHAIN}`, `iptables -w -F ${FW_DOCKER_CHAIN}`, `iptables -w -X ${FW_DOCKER_CHAIN}`,
  ].map((c) => `${c} 2>/dev/null`).join('; ') + '; true';
}

// Only hitc's own chains are backed up and restored: restoring the whole filter table would also
// undo the rules Docker added meanwhile for containers started in parallel. An empty backup means
// there was no hitc firewall before; no backup means confirmed or already rolled back (so the
// timer firing late does nothing).
// Hooks (jumps from INPUT / DOCKER-USER) that did not exist before are taken out again, so
// chains that were inactive never become active by a rollback.
const UNHOOK = `{ grep -qx input ${HOOKS} 2>/dev/null || iptables -w -D INPUT -j ${FW_CHAIN} 2>/dev/null; grep -qx docker ${HOOKS} 2>/dev/null || iptables -w -D DOCKER-USER -j ${FW_DOCKER_CHAIN} 2>/dev/null; true; }`;
const ROLLBACK = `if [ -e ${BACKUP} ]; then if [ -s ${BACKUP} ]; then iptables-restore -w --noflush < ${BACKUP} && ${UNHOOK}; else ${removeFirewallScript()}; fi && rm -f ${BACKUP} ${HOOKS}; fi`;

/** The address and sshd port of the SSH connection hitc uses (what the rules must keep open). */
export interface SshPath {
  readonly peer: string;
  readonly port: string;
}

/** A command run as the login user (sudo drops SSH_CLIENT from the environment). */
export const READ_SSH_PATH = 'printf "%s\\n%s\\n" "$SSH_CLIENT" "$SSH_CONNECTION"';

export function parseSshPath(output: string): SshPath | undefined {
  const [client = '', connection = ''] = output.split('\n');
  const peer = client.trim().split(/\s+/)[0] ?? '';
  const port = connection.trim().split(/\s+/)[3] ?? '22';
  return /^[0-9a-fA-F:.]+$/.test(peer) && /^\d+$/.test(port) ? { peer, port } : undefined;
}

/**
 * Apply atomically, keep a backup of hitc's previous chains and of which hooks existed, and arm
 * a rollback timer (restores them after `rollbackSec` unless disarmed — the dead man's switch for
 * a connection that died). The SSH path comes from `sshPath` when given (a sudo login, whose
 * environment lost it), else from this shell's own SSH_CLIENT. Prints the timer's pid.
 */
export function applyFirewallCommand(restoreInput: string, rollbackSec: number, sshPath?: SshPath): Command {
  const path = sshPath
    ? sh`peer=${sshPath.peer}; port=${sshPath.port}`
    : sh`peer=$(printf '%s' "$SSH_CLIENT" | cut -d' ' -f1); port=$(printf '%s' "$SSH_CONNECTION" | cut -d' ' -f4)`;
  return sh`set -e
${path}
[ -n "$peer" ] || { echo "cannot tell the SSH peer address (no SSH_CLIENT)" >&2; exit 3; }
umask 077
if iptables -w -S ${FW_CHAIN} >/dev/null 2>&1; then
  { echo '*filter'; echo ':${raw(FW_CHAIN)} - [0:0]'; echo ':${raw(FW_DOCKER_CHAIN)} - [0:0]'; iptables-save -t filter | grep -E '^-A ${raw(FW_CHAIN)}(-DOCKER)? ' || true; echo COMMIT; } > ${BACKUP}
else : > ${BACKUP}; fi
{ iptables -w -C INPUT -j ${FW_CHAIN} 2>/dev/null && echo input || true; iptables -w -C DOCKER-USER -j ${FW_DOCKER_CHAIN} 2>/dev/null && echo docker || true; } > ${HOOKS}
printf '%s' ${restoreInput} | sed -e "s/@SSH_PEER@/$peer/" -e "s/@SSH_PORT@/\${port:-22}/" | iptables-restore -w --noflush
iptables -w -C INPUT -j ${FW_CHAIN} 2>/dev/null || iptables -w -I INPUT -j ${FW_CHAIN}
# a Docker daemon still starting (a server just created) makes DOCKER-USER in a moment: wait for it
n=0; while [ $n -lt 30 ] && grep -qsx dockerd /proc/[0-9]*/comm && ! iptables -w -L DOCKER-USER -n >/dev/null 2>&1; do sleep 1; n=$((n+1)); done
if iptables -w -L DOCKER-USER -n >/dev/null 2>&1; then
  iptables -w -C DOCKER-USER -j ${FW_DOCKER_CHAIN} 2>/dev/null || iptables -w -I DOCKER-USER -j ${FW_DOCKER_CHAIN}
fi
nohup sh -c ${`sleep ${rollbackSec}; ${ROLLBACK}`} >/dev/null 2>&1 &
echo $!`;
}

/** Disarm the rollback timer once a fresh SSH login has confirmed the new rules. */
export function confirmFirewallCommand(timerPid: number): Command {
  return sh`kill ${String(timerPid)} 2>/dev/null; rm -f ${BACKUP} ${HOOKS}; true`;
}

/** Restore the previous rules now (the confirmation failed but this connection still works).
 *  The timer stays armed unless the restore succeeded. */
export function rollbackFirewallCommand(timerPid: number): Command {
  return sh`${raw(ROLLBACK)} && { kill ${String(timerPid)} 2>/dev/null; true; }`;
}

/** `HASH ENSEMBLE hooked|unhooked` for the rules hitc applied last, or nothing. Part of the
 *  observation probe: chains that INPUT or DOCKER-USER no longer jump to filter nothing. */
export function readFirewallHashScript(): string {
  const hooked = `iptables -w -C INPUT -j ${FW_CHAIN} 2>/dev/null && { ! iptables -w -L DOCKER-USER -n >/dev/null 2>&1 || iptables -w -C DOCKER-USER -j ${FW_DOCKER_CHAIN} 2>/dev/null; }`;
  return `h=$(${hooked} && echo hooked || echo unhooked); iptables -w -S ${FW_CHAIN} 2>/dev/null | sed -n "s/.*${FW_HASH_TAG}\\([0-9a-f]*\\)@\\{0,1\\}\\([A-Za-z0-9_.-]*\\).*/\\1 \\2 $h/p" | head -1`;
}

export function parseFirewallHash(line: string): { specHash: string; ensemble: string; hooked: boolean } | undefined {
  const [specHash, ensemble, hooked] = line.trim().split(' ');
  return specHash ? { specHash, ensemble: ensemble ?? '', hooked: hooked === 'hooked' } : undefined;
}
