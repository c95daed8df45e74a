// The firewall as commands (pure). One iptables-restore transaction per address family replaces
// hitc's chains, so the rules change atomically; IPv6 gets the same chains through ip6tables
// (otherwise every port stays open over v6). HITC-FW guards the host's own ports (jumped from
// INPUT); HITC-FW-DOCKER guards published container ports (jumped from DOCKER-USER, where
// traffic has already been DNATed: `--ctorigdstport` matches the port clients actually used).
// Unless the rules admit it already, the address hitc applies from keeps SSH through a
// transient rule (never saved for boot), and a rollback timer, armed before anything changes,
// restores the previous rules unless a fresh SSH login confirms them.

import { raw, sh, type Command } from '../../core/command.ts';
import { isFirewallAddress, isIpv4, type ResolvedRule } from './firewall-rules.ts';

export const FW_CHAIN = 'HITC-FW';
export const FW_DOCKER_CHAIN = 'HITC-FW-DOCKER';
export const FW_HASH_TAG = 'hitc-fw-hash:';
/** The comment of the transient SSH rule (what the boot copy leaves out). */
export const SSH_PATH_COMMENT = 'hitc: the SSH path in use';

export type Family = 4 | 6;

/** The ensemble's name as it can be stored in an iptables comment (and compared with). */
export function firewallEnsembleTag(ensemble: string): string {
  return ensemble.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** The address and sshd port of the SSH connection hitc uses. */
export interface SshPath {
  readonly peer: string;
  readonly port: string;
}

const IPV6 = /^(?=.*:)[0-9a-fA-F:.]{2,45}$/;

export function peerFamily(peer: string): Family | undefined {
  return isIpv4(peer) ? 4 : IPV6.test(peer) ? 6 : undefined;
}

/**
 * iptables-restore (family 4) or ip6tables-restore (6) input for the chains. `transientPeer`
 * is admitted to the sshd port when given (in the family of its address). IPv6 gets the rules
 * open to everyone ("*"): manifest sources are IPv4, so a rule limited to them admits nobody
 * over v6.
 */
export function firewallRestoreInput(
  rules: readonly ResolvedRule[], hash: string, ensemble: string,
  options: { family?: Family; transientPeer?: SshPath } = {},
): string {
  const family = options.family ?? 4;
  if (!/^[0-9a-f]+$/.test(hash)) throw new Error(`firewall hash "${hash}" is not hex`);
  const lines = ['*filter', `:${FW_CHAIN} - [0:0]`, `:${FW_DOCKER_CHAIN} - [0:0]`];
  const host = (spec: string): void => void lines.push(`-A ${FW_CHAIN} ${spec}`);
  const docker = (spec: string): void => void lines.push(`-A ${FW_DOCKER_CHAIN} ${spec}`);
  host(`-m comment --comment "${FW_HASH_TAG}${hash}@${firewallEnsembleTag(ensemble)}"`);
  host('-i lo -j RETURN');
  host('-m conntrack --ctstate ESTABLISHED,RELATED -j RETURN');
  // IPv6 needs ICMPv6 (neighbour discovery) to work at all
  host(family === 4 ? '-p icmp -j RETURN' : '-p ipv6-icmp -j RETURN');
  const peer = options.transientPeer;
  if (peer && peerFamily(peer.peer) === family) {
    if (!/^\d{1,5}$/.test(peer.port) || Number(peer.port) > 65535) throw new Error(`SSH port "${peer.port}" is not a port`);
    host(`-s ${peer.peer}/${family === 4 ? 32 : 128} -p tcp -m tcp --dport ${peer.port} -m comment --comment "${SSH_PATH_COMMENT}" -j RETURN`);
  }
  docker('-m conntrack --ctstate ESTABLISHED,RELATED -j RETURN');
  // traffic that containers start themselves (out of Docker's own bridges) is not filtered;
  // other bridges (a br0 carrying the host's LAN) are
  docker('-i docker0 -j RETURN');
  docker('-i br-+ -j RETURN');
  for (const r of rules) {
    for (const s of r.sources) {
      // the last line of defence: nothing but an address reaches the restore input
      if (s !== '*' && !isFirewallAddress(s)) throw new Error(`firewall source "${s}" is not an IPv4 address or CIDR`);
    }
    if (r.port !== '*' && !(Number.isInteger(r.port) && r.port >= 1 && r.port <= 65535)) throw new Error(`firewall port "${String(r.port)}" is not a port`);
    const protos = r.protocol === '*' ? ['tcp', 'udp'] : [r.protocol];
    const open = r.sources.includes('*');
    if (family === 6 && !open) continue;
    const sources = open ? [''] : r.sources.map((s) => `-s ${s} `);
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
const BACKUP6 = '/root/.hitc-fw-backup6';
const HOOKS = '/root/.hitc-fw-hooks';
const TIMER_PID = '/root/.hitc-fw-timer';

const tool = (f: Family): string => (f === 4 ? 'iptables' : 'ip6tables');

function removeChains(f: Family): string {
  const t = tool(f);
  return [
    `${t} -w -D INPUT -j ${FW_CHAIN}`, `${t} -w -D DOCKER-USER -j ${FW_DOCKER_CHAIN}`,
    `${t} -w -F ${FW_CHAIN}`, `${t} -w -X ${FW_CHAIN}`, `${t} -w -F ${FW_DOCKER_CHAIN}`, `${t} -w -X ${FW_DOCKER_CHAIN}`,
  ].map((c) => `${c} 2>/dev/null`).join('; ');
}

/** Remove hitc's firewall entirely, both families (jumps, then chains). Errors for parts that
 *  are absent are ignored. */
export function removeFirewallScript(): string {
  return `${removeChains(4)}; ${removeChains(6)}; true`;
}

/** hitc's chains as iptables-restore input (what is live now), for a backup or the boot copy. */
export function saveChainsScript(f: Family): string {
  return `{ echo '*filter'; echo ':${FW_CHAIN} - [0:0]'; echo ':${FW_DOCKER_CHAIN} - [0:0]'; ${tool(f)}-save -t filter | grep -E '^-A ${FW_CHAIN}(-DOCKER)? ' || true; echo COMMIT; }`;
}

// Only hitc's own chains are backed up and restored: restoring the whole filter table would also
// undo the rules Docker added meanwhile for containers started in parallel. An empty backup means
// there was no hitc firewall before; no backup means confirmed or already rolled back (so the
// timer firing late does nothing). No IPv6 backup: the host had no usable ip6tables.
// Hooks (jumps from INPUT / DOCKER-USER) that did not exist before are taken out again, so
// chains that were inactive never become active by a rollback.
function unhook(f: Family): string {
  const t = tool(f);
  const [input, docker] = f === 4 ? ['input', 'docker'] : ['input6', 'docker6'];
  return `{ grep -qx ${input} ${HOOKS} 2>/dev/null || ${t} -w -D INPUT -j ${FW_CHAIN} 2>/dev/null; grep -qx ${docker} ${HOOKS} 2>/dev/null || ${t} -w -D DOCKER-USER -j ${FW_DOCKER_CHAIN} 2>/dev/null; true; }`;
}
function restoreFamily(f: Family, backup: string): string {
  return `if [ -s ${backup} ]; then ${tool(f)}-restore -w --noflush < ${backup} && ${unhook(f)} || ok=no; else ${removeChains(f)}; fi`;
}
// Whoever restores (the timer, a failed apply, hitc after a failed login) first claims the
// backup with one `mv`, as the confirmation does: of a confirmation and the timer firing at the
// same instant exactly one wins. A restore that fails puts the backup back (still pending).
const CLAIMED = `${BACKUP}.rb`;
const ROLLBACK = `if mv ${BACKUP} ${CLAIMED} 2>/dev/null; then ok=yes; ${restoreFamily(4, CLAIMED)}; if [ -e ${BACKUP6} ]; then ${restoreFamily(6, BACKUP6)}; fi; if [ $ok = yes ]; then rm -f ${CLAIMED} ${BACKUP6} ${HOOKS}; else mv ${CLAIMED} ${BACKUP}; fi; fi`;

/** A command run as the login user (sudo drops SSH_CLIENT from the environment). */
export const READ_SSH_PATH = 'printf "%s\\n%s\\n" "$SSH_CLIENT" "$SSH_CONNECTION"';

export function parseSshPath(output: string): SshPath | undefined {
  const [client = '', connection = ''] = output.split('\n');
  const peer = client.trim().split(/\s+/)[0] ?? '';
  const port = connection.trim().split(/\s+/)[3] ?? '22';
  return peerFamily(peer) !== undefined && /^\d{1,5}$/.test(port) ? { peer, port } : undefined;
}

function hookScript(f: Family): string {
  const t = tool(f);
  return `{ ${t} -w -C INPUT -j ${FW_CHAIN} 2>/dev/null || ${t} -w -I INPUT -j ${FW_CHAIN}; } && if ${t} -w -L DOCKER-USER -n >/dev/null 2>&1; then ${t} -w -C DOCKER-USER -j ${FW_DOCKER_CHAIN} 2>/dev/null || ${t} -w -I DOCKER-USER -j ${FW_DOCKER_CHAIN}; fi`;
}

export const NO_IP6TABLES = 'this host has a global IPv6 address but no working ip6tables, so hitc cannot close its ports over IPv6';

/**
 * Apply atomically per family, keeping a backup of hitc's previous chains and of which hooks
 * existed. The rollback timer (the dead man's switch: it restores them after `rollbackSec`
 * unless disarmed) is armed in its own session before the first rule changes, so a connection
 * that drops or a hitc killed at any instant leaves the previous rules within `rollbackSec`.
 * A host with a global IPv6 address and no ip6tables is refused before anything changes.
 * Prints the timer's pid.
 */
export const NO_SETSID = 'this host has no setsid, so the rollback timer could not outlive this connection; nothing was changed';

export function applyFirewallCommand(input: { v4: string; v6: string }, rollbackSec: number): Command {
  const timer = `echo $$ > ${TIMER_PID}; sleep ${rollbackSec}; ${ROLLBACK}`;
  return sh`set -e
umask 077
# a Docker daemon still starting (a server just created) makes DOCKER-USER in a moment: wait for it before anything changes
n=0; while [ $n -lt 30 ] && grep -qsx dockerd /proc/[0-9]*/comm && ! iptables -w -L DOCKER-USER -n >/dev/null 2>&1; do sleep 1; n=$((n+1)); done
if ip6tables -w -L INPUT -n >/dev/null 2>&1; then v6=yes; else v6=no
  if awk '$4 == "00" { g = 1 } END { exit !g }' /proc/net/if_inet6 2>/dev/null; then echo ${NO_IP6TABLES} >&2; exit 3; fi
fi
# without its own session the timer would die with this command's process group (hitc kills it)
command -v setsid >/dev/null 2>&1 || { echo ${NO_SETSID} >&2; exit 3; }
# a backup left behind means an earlier apply was never confirmed (hitc killed meanwhile): it
# still holds the last confirmed rules, so it is kept and its timer (if still pending) replaced
if [ -e ${BACKUP} ]; then pending=yes
  old=$(cat ${TIMER_PID} 2>/dev/null || true)
  if [ -n "$old" ] && grep -qsF ${TIMER_PID} /proc/$old/cmdline; then kill $old 2>/dev/null || true; fi
else pending=no
  if iptables -w -S ${FW_CHAIN} >/dev/null 2>&1; then ${raw(saveChainsScript(4))} > ${BACKUP}; else : > ${BACKUP}; fi
  rm -f ${BACKUP6}
  if [ $v6 = yes ]; then if ip6tables -w -S ${FW_CHAIN} >/dev/null 2>&1; then ${raw(saveChainsScript(6))} > ${BACKUP6}; else : > ${BACKUP6}; fi; fi
  { for t in iptables:input ip6tables:input6; do \${t%%:*} -w -C INPUT -j ${FW_CHAIN} 2>/dev/null && echo \${t##*:} || true; done
    for t in iptables:docker ip6tables:docker6; do \${t%%:*} -w -C DOCKER-USER -j ${FW_DOCKER_CHAIN} 2>/dev/null && echo \${t##*:} || true; done; } > ${HOOKS}
fi
# started from a subshell that exits at once, so the timer is nobody's child: killing this
# command's process tree (Ctrl-C, -T) cannot take the timer with it
rm -f ${TIMER_PID}
( setsid nohup sh -c ${timer} </dev/null >/dev/null 2>&1 & )
n=0; while [ ! -s ${TIMER_PID} ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n+1)); done
timer=$(cat ${TIMER_PID} 2>/dev/null || true)
if [ -z "$timer" ]; then
  if [ $pending = yes ]; then set +e; ${raw(ROLLBACK)}; echo "the rollback timer did not start; the last confirmed rules were restored" >&2; exit 3; fi
  rm -f ${BACKUP} ${BACKUP6} ${HOOKS}; echo "the rollback timer did not start; nothing was changed" >&2; exit 3
fi
set +e
fail() { echo "$1" >&2; ${raw(ROLLBACK)}; [ -e ${BACKUP} ] || kill $timer 2>/dev/null; exit 3; }
printf '%s' ${input.v4} | iptables-restore -w --noflush || fail "iptables-restore refused the rules; the previous ones are back"
${raw(hookScript(4))} || fail "could not hook the IPv4 chains; the previous rules are back"
if [ $v6 = yes ]; then
  printf '%s' ${input.v6} | ip6tables-restore -w --noflush || fail "ip6tables-restore refused the rules; the previous ones are back"
  ${raw(hookScript(6))} || fail "could not hook the IPv6 chains; the previous rules are back"
fi
echo $timer`;
}

/** Disarm the rollback timer once a fresh SSH login has confirmed the new rules. Fails (exit 4)
 *  when the timer has already restored the previous rules. */
export function confirmFirewallCommand(timerPid: number): Command {
  return sh`mv ${BACKUP} ${BACKUP}.ok 2>/dev/null || { echo "the rollback timer had already restored the previous rules" >&2; exit 4; }; kill ${String(timerPid)} 2>/dev/null; rm -f ${BACKUP}.ok ${BACKUP6} ${HOOKS}`;
}

/** Restore the previous rules now (the confirmation failed but this connection still works).
 *  The timer stays armed unless the restore succeeded. */
export function rollbackFirewallCommand(timerPid: number): Command {
  return sh`${raw(ROLLBACK)}; [ ! -e ${BACKUP} ] && [ ! -e ${CLAIMED} ] && { kill ${String(timerPid)} 2>/dev/null; true; }`;
}

/** `HASH ENSEMBLE hooked|unhooked[+pending] [PEER]` for the rules hitc applied last, or nothing.
 *  PEER is the address of the transient SSH rule; `+pending` says an earlier apply left its
 *  backup unconfirmed. Part of the observation probe: chains that INPUT or
 *  DOCKER-USER no longer jump to filter nothing, and a host whose ip6tables works but has no
 *  hitc chains is open over IPv6 (so both count as unhooked). */
export function readFirewallHashScript(): string {
  const hooked = (t: string): string => `${t} -w -C INPUT -j ${FW_CHAIN} 2>/dev/null && { ! ${t} -w -L DOCKER-USER -n >/dev/null 2>&1 || ${t} -w -C DOCKER-USER -j ${FW_DOCKER_CHAIN} 2>/dev/null; }`;
  const both = `${hooked('iptables')} && { ! ip6tables -w -L INPUT -n >/dev/null 2>&1 || { ${hooked('ip6tables')}; }; }`;
  const peer = `p=$({ iptables -w -S ${FW_CHAIN}; ip6tables -w -S ${FW_CHAIN}; } 2>/dev/null | sed -n 's/^-A ${FW_CHAIN} -s \\([0-9a-fA-F:.]*\\)\\/[0-9]* .*${SSH_PATH_COMMENT}.*/\\1/p' | head -1)`;
  return `h=$(${both} && echo hooked || echo unhooked); [ -e ${BACKUP} ] && h=$h+pending; ${peer}; iptables -w -S ${FW_CHAIN} 2>/dev/null | sed -n "s/.*${FW_HASH_TAG}\\([0-9a-f]*\\)@\\{0,1\\}\\([A-Za-z0-9_.-]*\\).*/\\1 \\2 $h $p/p" | head -1`;
}

export function parseFirewallHash(line: string): { specHash: string; ensemble: string; hooked: boolean; pending?: true; peer?: string } | undefined {
  const [specHash, ensemble, state = '', peer] = line.trim().split(' ');
  const [hooked, pending] = state.split('+');
  return specHash ? { specHash, ensemble: ensemble ?? '', hooked: hooked === 'hooked', ...(pending === 'pending' ? { pending: true as const } : {}), ...(peer ? { peer } : {}) } : undefined;
}
