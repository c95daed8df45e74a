// The one command that observes a server for an ensemble, and the sections of its output (pure;
// exact strings are unit-tested). Every process it starts costs a few ms of the server's CPU, and
// an ensemble probes all its servers at once, so it starts as few as it can.

import { raw, sh, type Command } from '../../core/command.ts';
import { readStateCommand } from '../../docker/commands.ts';
import { READ_SSH_PATH, readFirewallHashScript } from '../firewall/firewall-commands.ts';

const SSH_PATH_SEPARATOR = '--hitc-ssh-path--';
const PULLS_SEPARATOR = '--hitc-pulled--';
const FW_SEPARATOR = '--hitc-firewall--';
/** Printed when Docker is installed but does not answer (its daemon is stopped or broken). */
const DOCKER_DOWN = '--hitc-docker-down--';
const PULL_FAILED = 'pull-failed ';
/** The firewall chain readFirewallHashScript reads: without it, that script prints nothing. */
const FW_CHAIN = 'HITC-FW';

/** pull=true: each manifest image (without variables) is pulled before it is looked at. */
function pullScript(images: readonly string[]): Command {
  return sh`command -v docker >/dev/null 2>&1 && for i in ${images}; do docker pull -q "$i" >/dev/null 2>&1 || echo "${raw(PULL_FAILED)}$i"; done`;
}

export interface ProbeOptions {
  /** Pull the images before reading their ids. */
  readonly pull?: boolean;
  /** Also print the SSH connection's peer and port (what a firewall must keep open), when the
   *  probe runs as the login user (root): under sudo (which drops or may keep SSH_CLIENT and
   *  SSH_CONNECTION) nothing is printed, and they must be read apart with READ_SSH_PATH. */
  readonly sshPath?: boolean;
}

/** Containers, bindings and the ids of `images` (one state read), then the firewall's hash, in
 *  one round trip. The firewall script (eight processes) runs only where hitc's chain exists.
 *  It exits 0 whatever it found (a failure is a failed round trip, not a finding). */
export function probeCommand(images: readonly string[], options: ProbeOptions = {}): Command {
  const ssh = options.sshPath ? sh`[ -n "$SUDO_USER" ] || ${raw(READ_SSH_PATH)}; echo ${SSH_PATH_SEPARATOR}; ` : sh``;
  const pulls = options.pull ? sh`${images.length > 0 ? sh`${pullScript(images)}; ` : sh``}echo ${PULLS_SEPARATOR}; ` : sh``;
  return sh`${ssh}${pulls}(${readStateCommand(images)}) || echo ${DOCKER_DOWN}; echo ${FW_SEPARATOR}; if iptables -w -S ${FW_CHAIN} >/dev/null 2>&1; then ${raw(readFirewallHashScript())}; fi`;
}

export interface ProbeSections {
  /** What READ_SSH_PATH printed, for parseSshPath (empty when not asked for, or under sudo). */
  readonly sshPath: string;
  /** Docker is installed and did not answer. */
  readonly dockerDown: boolean;
  /** readStateCommand's output, for parseHostState and parseStateImageIds. */
  readonly state: string;
  /** readFirewallHashScript's output, for parseFirewallHash. */
  readonly firewall: string;
  /** Images that could not be pulled. */
  readonly failedPulls: readonly string[];
}

export function splitProbe(output: string, options: ProbeOptions = {}): ProbeSections {
  const [sshPath, afterSsh] = options.sshPath ? cut(output, SSH_PATH_SEPARATOR) : ['', output];
  const [pulled, afterPulls] = options.pull ? cut(afterSsh, PULLS_SEPARATOR) : ['', afterSsh];
  const [state, firewall] = cut(afterPulls, FW_SEPARATOR);
  return {
    sshPath,
    dockerDown: state.split('\n').includes(DOCKER_DOWN),
    state,
    firewall,
    failedPulls: pulled.split('\n').filter((l) => l.startsWith(PULL_FAILED)).map((l) => l.slice(PULL_FAILED.length)),
  };
}

/** The text before and after the first line `separator` (all of it before, when missing). */
function cut(text: string, separator: string): [string, string] {
  const [before = '', ...after] = text.split(`${separator}\n`);
  return [before, after.join(`${separator}\n`)];
}
