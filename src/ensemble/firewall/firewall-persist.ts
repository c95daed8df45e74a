// Keeping a server's firewall across reboots (the original's was lost at every boot). Once a
// fresh SSH login has confirmed new rules, hitc saves its chains to /etc/hitc/firewall.rules
// (and firewall6.rules) with a small restore script — without the transient rule for the
// address hitc applied from, which must never outlive the operator's address; where systemd runs, a unit restores them before the network comes
// up and a docker.service drop-in re-hooks DOCKER-USER whenever Docker (re)starts (only
// re-hooks: restoring the saved copy there would drop the transient rule). Taking the
// firewall off removes all of it.

import { raw, sh, type Command } from '../../core/command.ts';
import { FW_CHAIN, FW_DOCKER_CHAIN, saveChainsScript, SSH_PATH_COMMENT } from './firewall-commands.ts';

const DIR = '/etc/hitc';
const RULES = `${DIR}/firewall.rules`;
const RULES6 = `${DIR}/firewall6.rules`;
const RESTORE = `${DIR}/firewall-restore`;
const REHOOK = `${DIR}/firewall-rehook`;
const UNIT = '/etc/systemd/system/hitc-firewall.service';
const DROP_IN = '/etc/systemd/system/docker.service.d/hitc-firewall.conf';

const RESTORE_SCRIPT = `#!/bin/sh
# Written by hitc ensemble.up: puts this server's firewall back at boot.
# hitc removes it when the manifest no longer has a firewall for this server (prune=true).
set -e
iptables-restore -w --noflush < ${RULES}
iptables -w -C INPUT -j ${FW_CHAIN} 2>/dev/null || iptables -w -I INPUT -j ${FW_CHAIN}
if iptables -w -L DOCKER-USER -n >/dev/null 2>&1; then
  iptables -w -C DOCKER-USER -j ${FW_DOCKER_CHAIN} 2>/dev/null || iptables -w -I DOCKER-USER -j ${FW_DOCKER_CHAIN}
fi
if [ -f ${RULES6} ]; then
  ip6tables-restore -w --noflush < ${RULES6}
  ip6tables -w -C INPUT -j ${FW_CHAIN} 2>/dev/null || ip6tables -w -I INPUT -j ${FW_CHAIN}
  if ip6tables -w -L DOCKER-USER -n >/dev/null 2>&1; then
    ip6tables -w -C DOCKER-USER -j ${FW_DOCKER_CHAIN} 2>/dev/null || ip6tables -w -I DOCKER-USER -j ${FW_DOCKER_CHAIN}
  fi
fi
`;

// For Docker (re)starts: the chains are still live (with the transient SSH rule, which the saved
// copy lacks), only Docker's DOCKER-USER may be new, so this re-hooks and never flushes or
// restores anything. No `set -e`: one family failing must not skip the other.
const REHOOK_SCRIPT = `#!/bin/sh
# Written by hitc ensemble.up: hooks this server's firewall chains back in when Docker starts.
# hitc removes it when the manifest no longer has a firewall for this server (prune=true).
for t in iptables ip6tables; do
  $t -w -S ${FW_CHAIN} >/dev/null 2>&1 || continue
  $t -w -C INPUT -j ${FW_CHAIN} 2>/dev/null || $t -w -I INPUT -j ${FW_CHAIN}
  if $t -w -S ${FW_DOCKER_CHAIN} >/dev/null 2>&1 && $t -w -L DOCKER-USER -n >/dev/null 2>&1; then
    $t -w -C DOCKER-USER -j ${FW_DOCKER_CHAIN} 2>/dev/null || $t -w -I DOCKER-USER -j ${FW_DOCKER_CHAIN}
  fi
done
exit 0
`;

const UNIT_TEXT = `[Unit]
Description=hitc firewall (the rules hitc ensemble.up applied)
DefaultDependencies=no
After=local-fs.target
Before=network-pre.target
Wants=network-pre.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${RESTORE}

[Install]
WantedBy=multi-user.target
`;

// "-": a failure here never fails docker.service
const DROP_IN_TEXT = `[Service]
ExecStartPost=-${REHOOK}
`;

/** Save the live chains and install the restore script (and, with systemd, its units). */
export function persistFirewallCommand(): Command {
  return sh`umask 022; mkdir -p ${DIR}
${raw(saveChainsScript(4))} | grep -vF ${SSH_PATH_COMMENT} > ${RULES}.new && mv ${RULES}.new ${RULES}
if ip6tables -w -S ${FW_CHAIN} >/dev/null 2>&1; then ${raw(saveChainsScript(6))} | grep -vF ${SSH_PATH_COMMENT} > ${RULES6}.new && mv ${RULES6}.new ${RULES6}; else rm -f ${RULES6}; fi
printf '%s' ${RESTORE_SCRIPT} > ${RESTORE} && chmod 755 ${RESTORE}
printf '%s' ${REHOOK_SCRIPT} > ${REHOOK} && chmod 755 ${REHOOK}
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  printf '%s' ${UNIT_TEXT} > ${UNIT}
  mkdir -p ${raw(DROP_IN.replace(/\/[^/]+$/, ''))} && printf '%s' ${DROP_IN_TEXT} > ${DROP_IN}
  systemctl daemon-reload && systemctl enable -q hitc-firewall.service
fi`;
}

/** Undo persistFirewallCommand (errors for parts that are absent are ignored). */
export function unpersistFirewallScript(): string {
  return `if [ -f ${UNIT} ] && command -v systemctl >/dev/null 2>&1; then systemctl disable -q hitc-firewall.service 2>/dev/null; rm -f ${UNIT} ${DROP_IN}; systemctl daemon-reload 2>/dev/null; fi; rm -f ${RULES} ${RULES6} ${RESTORE} ${REHOOK}; true`;
}
