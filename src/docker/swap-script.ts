// One round trip that creates or replaces container NAME as its swap says, without an outage
// for a start-first swap with published ports:
//   1. an earlier attempt's leftovers are put right (an aside container gets its name back; a
//      stand-in goes, its DNAT rules first, unless it is what serves while NAME is missing);
//   2. start-first with ports, while the old one runs: the stand-in NAME-hitc-next starts on
//      loopback ports (Docker then accepts forwarded traffic to it, and DOCKER-USER, where the
//      ensemble firewall is, still applies), must be healthy, and takes every published port
//      through DNAT rules added in one iptables-restore;
//   3. the old one stops (stop-first, or a stand-in took over: it frees its ports) and steps
//      aside as NAME-hitc-prev-EPOCH; without ports it steps aside still running;
//   4. NAME starts with its real ports and no restart policy, and must be healthy; then it gets
//      its policy, the DNAT rules go in one iptables-restore, the stand-in drains and goes, the
//      old one is stopped and kept (only the newest KEEP_PREVIOUS earlier copies are).
// A failure before 4 leaves the old one as it was; in 4, the stand-in keeps serving if there is
// one, else the old one gets its name back and runs again if it ran. It prints the new
// container as readStateCommand does, or a line parseSwapFailure reads and the failed
// container's last log lines.

import { raw, sh, type Command } from '../core/command.ts';
import type { Swap } from './swap-types.ts';
import { ASIDE_SUFFIX, BIND_CHAIN, inspectOneCommand, natJumps, STATE_SEPARATOR } from './commands.ts';
import { waitHealthyFunction } from './health.ts';
import type { PortSpec } from './port-spec.ts';
import { swapShell, SWAP_TAG } from './swap-commands.ts';
import { KEEP_PREVIOUS, nextName, PREV_INFIX } from './swap-names.ts';

const FAILURE_MARK = 'hitc-swap-failed';
export const LOGS_MARK = '--hitc-swap-logs--';
export const LOG_LINES = 50;

/** Which step failed, what serves now, and why (one line). */
export interface SwapFailure {
  readonly step: 'tidy' | 'stand-in' | 'switch' | 'aside' | 'final';
  /** old: the old container, untouched; old-back: it has its name back (running again if it
   *  ran); stand-in: NAME-hitc-next serves through DNAT; none: there was no old container;
   *  lost: the old one could not get its name back (it is NAME-hitc-prev-…). */
  readonly serving: 'old' | 'old-back' | 'stand-in' | 'none' | 'lost';
  readonly why: string;
  readonly logs: readonly string[];
}

export function parseSwapFailure(stdout: string): SwapFailure | undefined {
  const m = new RegExp(`^${FAILURE_MARK} (tidy|stand-in|switch|aside|final) (old-back|old|stand-in|none|lost)(?: (.*))?$`, 'm').exec(stdout);
  if (!m) return undefined;
  const logs = stdout.split(`${LOGS_MARK}\n`)[1]?.split('\n').filter((l) => l !== '') ?? [];
  return { step: m[1] as SwapFailure['step'], serving: m[2] as SwapFailure['serving'], why: m[3] ?? '', logs };
}

export interface SwapInput {
  readonly name: string;
  readonly swap: Swap;
  readonly ports: readonly PortSpec[];
  /** `docker run -d` of the final container under NAME, with `--restart no`. */
  readonly run: Command;
  /** The same for the stand-in (NAME-hitc-next, loopback ports); only with swap.standIn. */
  readonly runStandIn?: Command;
  /** The restart policy NAME gets once healthy. */
  readonly restart?: string;
  /** Seconds the stand-in may finish its requests once NAME takes the traffic. */
  readonly drainSeconds?: number;
}

export function swapCommand(input: SwapInput): Command {
  const { name, swap } = input;
  const t = String(swap.stopTimeout);
  // the stand-in must give its ports back (they are NAME's) before NAME starts
  const stopOldFirst = swap.order === 'stop-first' || swap.standIn;
  const standInPhase = swap.standIn && input.runStandIn ? sh`
if [ "$was" = true ] && [ -z "$stand" ]; then
  nid=$(${input.runStandIn}) || { c=$?; docker rm -f -- "$next" >/dev/null 2>&1; why="docker run of $next exited with code $c"; fail stand-in old; }
  wait_healthy "$nid" || give_up stand-in old "$nid"
  ip=$(docker inspect --type container -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' -- "$nid"); ip=\${ip%% *}
  ${chainSetup()}
  { echo '*nat'; ${input.ports.map((p) => sh`echo ${dnatRule(name, p)}"$ip:"${String(p.container)}; `)}echo COMMIT; } | iptables-restore -w --noflush || { why='iptables-restore could not add the DNAT rules'; docker rm -f -- "$nid" >/dev/null 2>&1; fail switch old; }
  stand=$nid
fi` : sh``;
  const policy = input.restart === undefined ? sh`` : sh`
docker update --restart ${input.restart} -- "$id" >/dev/null || { why="docker update --restart failed"; give_up final "$id"; }`;
  return sh`${raw(swapShell())}
${waitHealthyFunction(swap.health)}
byname() { o=$(docker inspect --type container -f '{{.Id}} {{.Name}}' -- "$1" 2>/dev/null) && [ "\${o#* }" = "/$1" ] && printf '%s\\n' "\${o%% *}"; }
fail() { echo "${raw(FAILURE_MARK)} $1 $2 $why"; exit 1; }
logs() { echo ${LOGS_MARK}; docker logs --tail ${String(LOG_LINES)} -- "$1" 2>&1; }
give_up() { if [ $# = 3 ]; then s=$2; l=$3; else s=; l=$2; fi; out=$(logs "$l"); docker rm -f -- "$l" >/dev/null 2>&1; [ -n "$s" ] || restore; echo "${raw(FAILURE_MARK)} $1 \${s:-$serving} $why"; printf '%s\\n' "$out"; exit 1; }
name=${name}; next=${nextName(name)}; aside=${`${name}${ASIDE_SUFFIX}`}; old=; was=; stand=; prev=; serving=none
restore() { if [ -n "$stand" ]; then serving=stand-in; elif [ -n "$prev" ]; then serving=lost; docker rename -- "$old" "$name" && { [ "$was" != true ] || docker start -- "$old" >/dev/null; } && serving=old-back; fi; }
if ! byname "$name" >/dev/null && a=$(byname "$aside"); then docker rename -- "$a" "$name" || { why="could not give $aside its name back"; fail tidy none; }; fi
if old=$(byname "$name"); then was=$(docker inspect --type container -f '{{.State.Running}}' -- "$old"); else old=; fi
if n=$(byname "$next"); then
  if [ "$was" != true ] && [ "$(docker inspect --type container -f '{{.State.Running}}' -- "$n")" = true ]; then stand=$n
  else unswap "$name"; docker rm -f -- "$n" >/dev/null 2>&1; fi
fi${standInPhase}
if [ -n "$old" ]; then
  ${stopOldFirst ? sh`docker stop -t ${t} -- "$old" >/dev/null 2>&1; ` : sh``}prev="$name${raw(PREV_INFIX)}$(date +%s)"
  docker rename -- "$old" "$prev" || { why="could not rename the old $name to $prev"; ${stopOldFirst ? sh`[ "$was" != true ] || docker start -- "$old" >/dev/null; ` : sh``}[ -z "$stand" ] || { unswap "$name"; docker rm -f -- "$stand" >/dev/null 2>&1; }; fail aside old; }
fi
id=$(${input.run}) || { c=$?; why="docker run of $name exited with code $c"; n=$(byname "$name") && docker rm -f -- "$n" >/dev/null 2>&1; restore; fail final "$serving"; }
wait_healthy "$id" || give_up final "$id"${policy}
unswap "$name" || { why='iptables-restore could not remove the DNAT rules to the stand-in'; fail final stand-in; }
if [ -n "$stand" ]; then sleep ${String(input.drainSeconds ?? 1)}; docker stop -t ${t} -- "$stand" >/dev/null 2>&1; docker rm -f -- "$stand" >/dev/null 2>&1; fi
prevs "$name" | while read -r p; do [ "$(docker inspect --type container -f '{{.State.Running}}' -- "$p" 2>/dev/null)" != true ] || docker stop -t ${t} -- "$p" >/dev/null 2>&1; done
keep_prevs "$name" ${String(KEEP_PREVIOUS)}
(${inspectOneCommand('$id')}) && echo ${STATE_SEPARATOR}`;
}

/** A DNAT rule's text up to its destination address (the stand-in's, known only on the host). */
function dnatRule(name: string, p: PortSpec): string {
  return `-A ${BIND_CHAIN} -p ${p.protocol} -m ${p.protocol} --dport ${p.public} -m comment --comment ${SWAP_TAG}${name} -j DNAT --to-destination `;
}

/** hitc's nat chain, jumped from PREROUTING and OUTPUT for local addresses (as docker.bind
 *  makes it): a rule there comes before Docker's own DNAT. */
function chainSetup(): Command {
  return sh`iptables -w -t nat -N ${BIND_CHAIN} 2>/dev/null
  ${natJumps()}`;
}
