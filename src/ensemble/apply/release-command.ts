// The one round trip that runs a release: a throwaway container made from the new spec of one
// copy (its image, environment and volumes; no published ports, no restart policy, no labels,
// so nothing takes it for the ensemble's), started attached, killed by a watchdog on the host
// when its time is up, and removed whatever happens. Secret values reach it the way docker run
// gets them (dockerRun: the client's environment, filled from stdin), never through argv.
//
// `docker create` then `docker start -a` rather than `docker run --rm`: the container has its
// name before it starts, so the watchdog and the cleanup find it even if it never ran, and the
// removal is one explicit step in every outcome instead of a flag that a killed client skips.

import { raw, sh, type Command } from '../../core/command.ts';
import { dockerRun } from '../../docker/commands.ts';
import type { ContainerSpec } from '../../docker/container-spec.ts';

/** How many of the release's last output lines a failure shows. */
export const RELEASE_TAIL_LINES = 50;
const MARK = 'hitc-release-result';

/** `NAME-hitc-release-EPOCH`: findable (and removable) by name from anywhere. */
export function releaseContainerName(container: string, epochSeconds: number): string {
  return `${container}-hitc-release-${epochSeconds}`;
}

/** The throwaway copy of `spec` under `name`: what runs with the new values, nothing that
 *  serves (ports), comes back (restart) or claims to be the ensemble's. */
export function releaseSpec(spec: ContainerSpec, name: string): ContainerSpec {
  return {
    image: spec.image, name, environment: spec.environment, ports: [], volumes: spec.volumes,
    ...(spec.memory ? { memory: spec.memory } : {}), ...(spec.hostname ? { hostname: spec.hostname } : {}), ...(spec.privileged ? { privileged: true } : {}),
  };
}

/** Prints the output's last RELEASE_TAIL_LINES lines (ended by a line break, which the output
 *  itself may lack), then a line parseReleaseResult reads. */
export function releaseCommand(spec: ContainerSpec, words: readonly string[], timeoutSeconds: number): Command {
  const create = sh`${dockerRun(spec, {}, { create: true })}${words.length > 0 ? sh` ${words}` : sh``}`;
  return sh`name=${spec.name ?? ''}; out=$(mktemp) || exit 1
cleanup() { docker rm -f -- "$name" >/dev/null 2>&1; rm -f -- "$out" "$out.timeout"; }
trap cleanup EXIT
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
${create} >/dev/null || { rc=$?; echo "${raw(MARK)} create $rc"; exit 0; }
( trap 'kill $s 2>/dev/null; exit 0' TERM; sleep ${String(timeoutSeconds)} & s=$!; wait $s && : > "$out.timeout" && docker kill -- "$name" >/dev/null 2>&1 ) &
w=$!
docker start -a -- "$name" >"$out" 2>&1; rc=$?
kill $w 2>/dev/null; wait $w 2>/dev/null
tail -n ${String(RELEASE_TAIL_LINES)} -- "$out"; [ -z "$(tail -c 1 -- "$out")" ] || echo
if [ -e "$out.timeout" ]; then echo "${raw(MARK)} timeout $rc"; else echo "${raw(MARK)} exited $rc"; fi`;
}

export interface ReleaseResult {
  /** create: the container could not be made; timeout: the watchdog killed it. */
  readonly step: 'create' | 'timeout' | 'exited';
  readonly code: number;
  /** The release's last output lines (stdout and stderr as they came). */
  readonly tail: readonly string[];
}

/** Undefined when the script never got to say (the connection or hitc's own limit cut it). */
export function parseReleaseResult(stdout: string): ReleaseResult | undefined {
  const lines = stdout.replace(/\n$/, '').split('\n');
  const m = new RegExp(`^${MARK} (create|timeout|exited) (\\d+)$`).exec(lines.at(-1) ?? '');
  if (!m) return undefined;
  return { step: m[1] as ReleaseResult['step'], code: Number(m[2]), tail: lines.slice(0, -1).slice(-RELEASE_TAIL_LINES) };
}
