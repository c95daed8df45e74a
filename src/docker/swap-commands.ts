// Shell functions around a container's swap, as fixed script text (names reach them only as
// quoted arguments): its earlier copies kept for rollback, and the DNAT rules that point its
// published ports at a stand-in while it is being replaced.

import { raw, sh, type Command } from '../core/command.ts';
import { BIND_CHAIN } from './commands.ts';
import { NEXT_SUFFIX, PREV_INFIX } from './swap-names.ts';

/** The comment on a swap's DNAT rules: never read as a docker.bind binding (`hitc-bind:`). */
export const SWAP_TAG = 'hitc-swap:';

/**
 * `prevs NAME`: NAME's earlier copies, newest first (only names NAME-hitc-prev-DIGITS);
 * `keep_prevs NAME N`: removes all but the N newest;
 * `unswap NAME`: deletes every swap DNAT rule of NAME in one iptables-restore (none: nothing
 * runs). `iptables -S` quotes a comment or not depending on its version: both are matched,
 * as fixed strings (a name's dots are not regex wildcards).
 */
export function swapShell(): string {
  // a function: commands.ts imports this module too, and BIND_CHAIN is read when called
  return `prevs() { docker ps -a --format '{{.Names}}' | while read -r n; do case $n in "$1"${PREV_INFIX}*) e=\${n#"$1"${PREV_INFIX}}; case $e in ''|*[!0-9]*) ;; *) echo "$e $n";; esac;; esac; done | sort -rn | cut -d' ' -f2; }
keep_prevs() { prevs "$1" | tail -n +$(($2 + 1)) | while read -r n; do docker rm -f -- "$n" >/dev/null; done; }
unswap() { r=$(iptables -w -t nat -S ${BIND_CHAIN} 2>/dev/null | grep -F -e "--comment ${SWAP_TAG}$1 " -e "--comment \\"${SWAP_TAG}$1\\" " | sed 's/^-A /-D /'); [ -z "$r" ] || printf '*nat\\n%s\\nCOMMIT\\n' "$r" | iptables-restore -w --noflush; }`;
}

/** The container, its stand-in, its earlier copies and its swap rules: what removing a
 *  container from the ensemble removes. Idempotent. */
export function removeContainerCommand(name: string): Command {
  return sh`${raw(swapShell())}
unswap ${name}
docker rm -f -- ${`${name}${NEXT_SUFFIX}`} >/dev/null 2>&1
prevs ${name} | while read -r n; do docker rm -f -- "$n" >/dev/null; done
docker rm -f -- ${name}`;
}
