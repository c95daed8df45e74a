// Whether a new container is ready to take the traffic, judged on its host as root (fixed
// script text; the check's values reach it quoted). Every probe is bounded (curl --max-time,
// timeout), so the wait ends after `retries` probes whatever the container does.

import { raw, sh, type Command } from '../core/command.ts';
import { HEALTH_DEFAULTS, type HealthCheck } from './swap-types.ts';

/** Running, and never restarted by a policy (docker counts a container waiting for its next
 *  restart as running). */
const STATE = `{{.State.Running}} {{.State.Restarting}} {{.RestartCount}}`;
/** Without a check of its own, a container is healthy once it has run this long. */
export const SETTLE_SECONDS = 2;
/** How many 1 s probes an image's own HEALTHCHECK gets to say healthy. */
export const IMAGE_HEALTH_TRIES = 120;

/** `probe ID`: 0 healthy, 1 not yet (`$last` says what it saw), 2 never will be (`$why`). */
function probeFunction(h: HealthCheck | undefined): Command {
  const ip = raw(`ip=$(docker inspect --type container -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' -- "$1" 2>/dev/null); ip=\${ip%% *}`);
  if (!h) {
    // the image's own HEALTHCHECK if it has one, else still running SETTLE_SECONDS later
    return sh`probe() { h=$(docker inspect --type container -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' -- "$1" 2>/dev/null)
  case $h in healthy) return 0;; unhealthy) why="its image's HEALTHCHECK says unhealthy"; return 2;; '') [ "$n" -ge ${String(SETTLE_SECONDS)} ] && return 0; last="running for $n s"; return 1;; *) last="its image's HEALTHCHECK says $h"; return 1;; esac; }`;
  }
  const t = String(h.timeout);
  if (h.kind === 'cmd') {
    return sh`probe() { timeout ${t} docker exec -- "$1" ${h.command} >/dev/null 2>&1; c=$?; [ $c = 0 ] && return 0; last="cmd exited with code $c"; return 1; }`;
  }
  if (h.kind === 'tcp') {
    // any answer, or none, once connected: the time to connect is not 0
    return sh`probe() { ${ip}; c=$(curl -s -o /dev/null --connect-timeout ${t} --max-time ${t} -w '%{time_connect}' "http://$ip:"${String(h.port)}/ </dev/null)
  case $c in *[1-9]*) return 0;; esac; last="no TCP connection to $ip:"${String(h.port)}; return 1; }`;
  }
  const ok = h.status !== undefined ? sh`${String(h.status)}` : raw('2??|3??');
  return sh`probe() { ${ip}; url="http://$ip:"${String(h.port)}${h.path}
  if command -v curl >/dev/null 2>&1; then c=$(curl -s -o /dev/null --connect-timeout ${t} --max-time ${t} -w '%{http_code}' -- "$url" </dev/null)
  else why='neither curl nor wget is on the host: the http health check cannot run (install curl)'; command -v wget >/dev/null 2>&1 || return 2; c=000; wget -q -O /dev/null -T ${t} "$url" </dev/null && c=200; fi
  case $c in ${ok}) return 0;; esac; last="GET $url answered $c"; return 1; }`;
}

/** `wait_healthy ID`: returns 0 once the container is healthy; otherwise 1 with `$why` set
 *  (it stopped, its check failed for good, or `retries` probes did not pass). */
export function waitHealthyFunction(h: HealthCheck | undefined): Command {
  const { interval, retries } = h ?? HEALTH_DEFAULTS;
  // an image's HEALTHCHECK first reports after its own interval (Docker's default: 30 s)
  const tries = h ? retries : IMAGE_HEALTH_TRIES;
  return sh`${probeFunction(h)}
wait_healthy() { n=0; last=; why=
  while :; do
    if [ "$(docker inspect --type container -f '${raw(STATE)}' -- "$1" 2>/dev/null)" != 'true false 0' ]; then why="it stopped (exit code $(docker inspect --type container -f '{{.State.ExitCode}}' -- "$1" 2>/dev/null))"; return 1; fi
    probe "$1"; case $? in 0) return 0;; 2) return 1;; esac
    n=$((n + 1)); [ $n -lt ${String(tries)} ] || { why="not healthy after ${String(tries)} checks\${last:+ (last: $last)}"; return 1; }
    sleep ${String(interval)}
  done; }`;
}
