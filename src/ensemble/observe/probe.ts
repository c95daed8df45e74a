// The one command that observes a server for an ensemble, and the sections of its output (pure;
// exact strings are unit-tested). Every process it starts costs a few ms of the server's CPU, and
// an ensemble probes all its servers at once, so it starts as few as it can.

import { raw, sh, type Command } from '../../core/command.ts';
import { readImageIdsCommand, readStateCommand } from '../../docker/commands.ts';
import { READ_SSH_PATH, readFirewallHashScript } from '../firewall/firewall-commands.ts';

const SSH_PATH_SEPARATOR = '--hitc-ssh-path--';
const FW_SEPARATOR = '--hitc-firewall--';
const IMAGES_SEPARATOR = '--hitc-images--';
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
  /** Pull these images before reading their ids. */
  readonly pull?: boolean;
  /** Also print the SSH connection's peer and port (what a firewall must keep open), when the
   *  probe runs as the login user (root): under sudo (which drops or may keep SSH_CLIENT and
   *  SSH_CONNECTION) nothing is printed, and they must be read apart with READ_SSH_PATH. */
  readonly sshPath?: boolean;
}

/** Containers and bindings, the firewall's hash, and the ids of `images`, in one round trip. The
 *  firewall script (eight processes) runs only where hitc's firewall chain exists. */
export function probeCommand(images: readonly string[], options: ProbeOptions = {}): Command {
  const ssh = options.sshPath ? sh`[ -n "$SUDO_USER" ] || ${raw(READ_SSH_PATH)}; echo ${SSH_PATH_SEPARATOR}; ` : sh``;
  const pulls = options.pull && images.length > 0 ? sh`${pullScript(images)}; ` : sh``;
  const ids = images.length > 0 ? sh`${pulls}(${readImageIdsCommand(images)})` : sh`true`;
  return sh`${ssh}(${readStateCommand()}) || echo ${DOCKER_DOWN}; echo ${FW_SEPARATOR}; iptables -w -S ${FW_CHAIN} >/dev/null 2>&1 && { ${raw(readFirewallHashScript())}; }; echo ${IMAGES_SEPARATOR}; ${ids}`;
}

export interface ProbeSections {
  /** What READ_SSH_PATH printed, for parseSshPath (empty when not asked for, or under sudo). */
  readonly sshPath: string;
  /** Docker is installed and did not answer. */
  readonly dockerDown: boolean;
  /** readStateCommand's output, for parseHostState. */
  readonly state: string;
  /** readFirewallHashScript's output, for parseFirewallHash. */
  readonly firewall: string;
  /** readImageIdsCommand's output, for parseImageIds. */
  readonly imageIds: string;
  /** Images that could not be pulled. */
  readonly failedPulls: readonly string[];
}

export function splitProbe(output: string, options: ProbeOptions = {}): ProbeSections {
  const [sshPath, afterSsh] = options.sshPath ? cut(output, SSH_PATH_SEPARATOR) : ['', output];
  const [state, rest] = cut(afterSsh, FW_SEPARATOR);
  const [firewall, imageText] = cut(rest, IMAGES_SEPARATOR);
  const imageLines = imageText.split('\n');
  return {
    sshPath,
    dockerDown: state.split('\n').includes(DOCKER_DOWN),
    state,
    firewall,
    imageIds: imageLines.filter((l) => !l.startsWith(PULL_FAILED)).join('\n'),
    failedPulls: imageLines.filter((l) => l.startsWith(PULL_FAILED)).map((l) => l.slice(PULL_FAILED.length)),
  };
}

/** The text before and after the first line `separator` (all of it before, when missing). */
function cut(text: string, separator: string): [string, string] {
  const [before = '', ...after] = text.split(`${separator}\n`);
  return [before, after.join(`${separator}\n`)];
}
