// Docker and iptables commands as values (pure; exact strings are unit-tested). They run as
// root: the docker tasks send them through `sudo` unless the login user is root.

import { UsageError } from '../core/errors.ts';
import { raw, sh, type Command } from '../core/command.ts';
import { Secret } from '../core/secret.ts';
import type { ContainerSpec } from './container-spec.ts';
import type { PortSpec } from './port-spec.ts';

/** Marker between the parts of the one-round-trip state read. */
export const STATE_SEPARATOR = '--hitc-docker-state--';
/** nat/filter chains hitc owns for docker.bind (jumped from PREROUTING/OUTPUT and DOCKER-USER). */
export const BIND_CHAIN = 'HITC-BIND';

/** The Engine API over its socket with curl (a few ms per call) where that works, else the CLI
 *  (a Go start-up of ~50 ms CPU per call, which adds up on small servers and many of them).
 *  `docker_api PATH` prints the response or fails. */
const ENGINE_API = `docker_api() { [ -z "$DOCKER_HOST" ] && [ -S /var/run/docker.sock ] && command -v curl >/dev/null 2>&1 && curl -sf --max-time 20 --unix-socket /var/run/docker.sock "http://docker$1"; }`;

/** Follows each answer of a many-URL curl (curl carries on past a failed one), with its status
 *  and URL. */
export const ANSWER_MARK = '--hitc-answer--';
/** Before the image ids in readStateCommand's output, when it was given images. */
export const IMAGES_MARK = '--hitc-docker-images--';

/** Every container's inspect in one curl, for the URLs in "$@" (curl's own start-up, ~40 ms of
 *  CPU, would otherwise be paid once per container), joined into the JSON array `docker
 *  inspect` prints. Whole answers only: a container that went away since the list (a --rm one)
 *  answers 404 and is left out; an answer cut short (a timeout) is kept, so the array cannot be
 *  read rather than quietly missing a container. A body is one line of JSON, so no body line can
 *  look like the mark line. The image list, when one of the URLs, follows the array behind
 *  IMAGES_MARK; if it did not answer, only the mark is printed and the exit status is 3. */
export const INSPECT_ALL = `curl -s --max-time 20 --unix-socket /var/run/docker.sock -w '\\n${ANSWER_MARK} %{http_code} %{url_effective}\\n' "$@" | awk '/^${ANSWER_MARK} / { if ($3 ~ /\\/images\\/json$/) { images = 1; if ($2 == 200) ids = body } else if ($2 == 200) { all = all sep body; sep = "," } body = ""; next } { body = body $0 } END { print "[" all "]"; if (images) { print "${IMAGES_MARK}"; if (ids == "") exit 3; print ids } }'`;

/** `ID TAG` per image with the CLI, one call each (parseImageIds reads them). */
function imageIdsByCli(images: readonly string[]): Command {
  return sh`for i in ${images}; do id=$(docker image inspect -f '{{.Id}}' -- "$i" 2>/dev/null) && echo "$id $i"; done`;
}

/** Everything docker.* needs to know about a host, in one command: is docker there, every
 *  container (running or not, as `docker inspect` shows them), and hitc's port bindings. Given
 *  images, also their ids (after IMAGES_MARK), read in the same curl as the containers. */
export function readStateCommand(images: readonly string[] = []): Command {
  const api = images.length > 0
    ? sh`set -- "$@" http://docker/images/json
  ${raw(INSPECT_ALL)} || ${imageIdsByCli(images)}`
    : sh`if [ $# -gt 0 ]; then ${raw(INSPECT_ALL)}; else echo '[]'; fi`;
  const cliImages = images.length > 0 ? sh`
  echo ${IMAGES_MARK}; ${imageIdsByCli(images)}` : sh``;
  return sh`if ! command -v docker >/dev/null 2>&1; then echo no-docker; exit 0; fi
${raw(ENGINE_API)}
if list=$(docker_api '/containers/json?all=1'); then
  set --
  for id in $(printf '%s' "$list" | grep -o '"Id":"[0-9a-f]*"'); do id=\${id#*:\\"}; set -- "$@" "http://docker/containers/\${id%\\"}/json"; done
  ${api}
else
  ids=$(docker ps -aq --no-trunc) || exit $?
  if [ -n "$ids" ]; then docker inspect $ids; else echo '[]'; fi${cliImages}
fi
echo ${STATE_SEPARATOR}
iptables -w -t nat -S ${BIND_CHAIN} 2>/dev/null || true`;
}

/** One container as readStateCommand shows it (an array of one), by id or name. */
export function inspectOneCommand(idExpression: string): Command {
  return sh`${raw(ENGINE_API)}
if one=$(docker_api "/containers/${raw(idExpression)}/json"); then printf '[%s]\n' "$one"; else docker inspect -- "${raw(idExpression)}"; fi`;
}

/** `docker run -d` (or, with create, `docker create`: made but not started). Every value is a
 *  flag's argument or comes after `--`, so none can be read as an option. */
export function dockerRun(spec: ContainerSpec, labels: Readonly<Record<string, string>> = {}, options: { create?: boolean; loopbackPorts?: boolean } = {}): Command {
  const envAssignments: Command[] = [];
  const flags: Command[] = [];
  if (spec.name) flags.push(sh`--name ${spec.name}`);
  for (const [k, v] of Object.entries(labels)) flags.push(sh`--label ${`${k}=${v}`}`);
  for (const v of spec.volumes) flags.push(sh`-v ${`${v.host}:${v.container}`}`);
  for (const [key, value] of Object.entries(spec.environment)) {
    if (value instanceof Secret) {
      // the value reaches docker through its own environment, never through argv; the name is
      // spliced unquoted into that assignment, so only a real environment name may get there
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`"${key}" is not an environment variable name`, { hint: 'names are letters, digits and _, not starting with a digit' });
      envAssignments.push(sh`${raw(`${key}=`)}${value}`);
      flags.push(sh`-e ${key}`);
    } else flags.push(sh`-e ${`${key}=${value}`}`);
  }
  // loopbackPorts: each port on an ephemeral host port of 127.0.0.1 (a swap's stand-in)
  for (const p of spec.ports) flags.push(sh`-p ${`${options.loopbackPorts ? '127.0.0.1:' : `${p.public}`}:${p.container}${p.protocol === 'udp' ? '/udp' : ''}`}`);
  if (spec.memory) flags.push(sh`-m ${spec.memory}`);
  if (spec.hostname) flags.push(sh`-h ${spec.hostname}`);
  if (spec.privileged) flags.push(sh`--privileged`);
  if (spec.restart) flags.push(sh`--restart ${spec.restart}`);
  if (spec.logs) flags.push(sh`--log-driver json-file --log-opt ${`max-size=${spec.logs.maxSize}`} --log-opt ${`max-file=${spec.logs.maxFiles}`}`);
  const mkdirs = spec.volumes.length > 0 ? sh`mkdir -p ${spec.volumes.map((v) => v.host)} && ` : sh``;
  const env = envAssignments.length > 0 ? sh`${envAssignments} ` : sh``;
  const command = spec.command ? sh` ${raw(spec.command)}` : sh``;
  const verb = options.create ? sh`docker create` : sh`docker run -d`;
  return sh`${mkdirs}${env}${verb} ${flags} -- ${spec.image}${command}`;
}

// `--` ends docker's options: a name or image that starts with "-" is an argument, never a flag.
export const dockerRm = (name: string): Command => sh`docker rm -f -- ${name}`;
export const dockerKill = (name: string): Command => sh`docker kill -- ${name}`;
export const dockerPull = (image: string): Command => sh`docker pull -- ${image}`;
/** Prints the image's id, or fails when the image is not on the host. */
export const dockerImageId = (image: string): Command => sh`docker image inspect --format '{{.Id}}' -- ${image}`;
export const dockerInspect = (target: string, type?: 'container' | 'image'): Command =>
  type === undefined ? sh`docker inspect -- ${target}` : sh`docker inspect --type ${type} -- ${target}`;
export const dockerLogs = (name: string, tail?: number): Command =>
  tail === undefined ? sh`docker logs -- ${name}` : sh`docker logs --tail ${String(tail)} -- ${name}`;
/** `command` is the user's own command line, run by the host's shell as typed (as the original
 *  did); the container name is quoted and after `--`. */
export const dockerExec = (name: string, command: string, interactive: boolean): Command =>
  sh`docker exec ${raw(interactive ? '-it' : '-i')} -- ${name} ${raw(command)}`;
/** The second half of replacing a stopped container, in one round trip: its replacement `newId`
 *  exists (created under a temporary name). The old one steps aside (renamed, not removed), the
 *  new one takes the name and starts, and only then is the old one removed. If the new one
 *  cannot take the name or start, it is removed and the old one gets its name back (same id). */
export function dockerSwap(oldId: string, newId: string, name: string, aside: string): Command {
  return sh`docker rename -- ${oldId} ${aside} || exit $?
docker rename -- ${newId} ${name} || { rc=$?; docker rename -- ${oldId} ${name}; docker rm -f -- ${newId} >/dev/null; exit $rc; }
docker start -- ${newId} >/dev/null || { rc=$?; docker rm -f -- ${newId} >/dev/null; docker rename -- ${oldId} ${name}; exit $rc; }
docker rm -f -- ${oldId} >/dev/null`;
}

function comment(container: string): string {
  return `hitc-bind:${container}`;
}

/** Rules that make host port `public` forward to containerIp:port, tagged with the container name. */
function bindRules(container: string, containerIp: string, p: PortSpec): { nat: string[]; filter: string[] } {
  const to = `${containerIp}:${p.container}`;
  const tag = ['-m', 'comment', '--comment', comment(container)];
  return {
    nat: ['-p', p.protocol, '-m', p.protocol, '--dport', String(p.public), ...tag, '-j', 'DNAT', '--to-destination', to],
    // a fresh server's FORWARD policy is DROP once dockerd runs: DNAT alone would be dropped
    filter: ['-d', containerIp, '-p', p.protocol, '-m', p.protocol, '--dport', String(p.container), ...tag, '-j', 'ACCEPT'],
  };
}

/** The jumps into hitc's nat chain for traffic to this host's own addresses, ahead of Docker's
 *  DNAT — except loopback from the host itself (as Docker excludes it): with route_localnet
 *  off, 127.0.0.1:PORT rewritten to a container's address is dropped, so a local client would
 *  lose the service. An older jump without that exception is replaced. */
export function natJumps(): Command {
  return sh`iptables -w -t nat -C PREROUTING -m addrtype --dst-type LOCAL -j ${BIND_CHAIN} 2>/dev/null || iptables -w -t nat -I PREROUTING -m addrtype --dst-type LOCAL -j ${BIND_CHAIN}
for _ in 1 2 3; do iptables -w -t nat -D OUTPUT -m addrtype --dst-type LOCAL -j ${BIND_CHAIN} 2>/dev/null || break; done
iptables -w -t nat -C OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j ${BIND_CHAIN} 2>/dev/null || iptables -w -t nat -I OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j ${BIND_CHAIN}`;
}

/** Idempotent: create hitc's chains and jumps if missing, then add each rule unless present. */
export function bindCommand(container: string, containerIp: string, ports: readonly PortSpec[]): Command {
  const setup = sh`iptables -w -t nat -N ${BIND_CHAIN} 2>/dev/null; iptables -w -N ${BIND_CHAIN} 2>/dev/null
${natJumps()}
iptables -w -N DOCKER-USER 2>/dev/null; iptables -w -C DOCKER-USER -j ${BIND_CHAIN} 2>/dev/null || iptables -w -I DOCKER-USER -j ${BIND_CHAIN}
iptables -w -C FORWARD -j DOCKER-USER 2>/dev/null || iptables -w -I FORWARD -j DOCKER-USER`;
  const adds = ports.map((p) => {
    const r = bindRules(container, containerIp, p);
    return sh`
iptables -w -t nat -C ${BIND_CHAIN} ${r.nat} 2>/dev/null || iptables -w -t nat -A ${BIND_CHAIN} ${r.nat}
iptables -w -C ${BIND_CHAIN} ${r.filter} 2>/dev/null || iptables -w -A ${BIND_CHAIN} ${r.filter}`;
  });
  return sh`${setup}${adds}`;
}

/** Remove the given bindings (or, with no ports, every binding of the container). Idempotent. */
export function unbindCommand(container: string, containerIp: string | undefined, ports?: readonly PortSpec[]): Command {
  if (ports && containerIp) {
    const dels = ports.map((p) => {
      const r = bindRules(container, containerIp, p);
      return sh`
while iptables -w -t nat -D ${BIND_CHAIN} ${r.nat} 2>/dev/null; do :; done
while iptables -w -D ${BIND_CHAIN} ${r.filter} 2>/dev/null; do :; done`;
    });
    return sh`true${dels}`;
  }
  // every rule tagged with this container, whatever its ports: delete by rule text
  const tag = comment(container);
  return sh`for t in nat filter; do iptables -w -t $t -S ${BIND_CHAIN} 2>/dev/null | grep -F -- ${`"${tag}"`} | sed 's/^-A /-D /' | while read -r rule; do eval "iptables -w -t $t $rule"; done; done; true`;
}

/** The name an older hitc gave the old container while its replacement started: an
 *  interrupted replacement's old container, given its name back by the next swap. */
export const ASIDE_SUFFIX = '-hitc-replaced';
