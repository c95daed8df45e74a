// What observation found (one batched probe per server, in parallel): the planner's other input.
// Plain data, so planner tests can write it by hand.

import type { ContainerInfo } from '../../docker/inspect.ts';

export interface ObservedFirewall {
  /** Hash of the rules hitc last applied (stored with them on the host); undefined if none. */
  readonly specHash?: string;
  /** The ensemble that applied them (a firewall it no longer declares is its orphan). */
  readonly ensemble?: string;
  /** False when the chains exist but INPUT / DOCKER-USER no longer jump to them. */
  readonly hooked?: boolean;
  /** The address the transient SSH rule admits (hitc's address when it last applied them). */
  readonly peer?: string;
  /** An earlier apply left its backup behind unconfirmed (hitc was killed before confirming). */
  readonly pending?: boolean;
}

export interface ObservedServer {
  readonly name: string;
  /** The provider's id for it (what replace terminates); absent for unmanaged servers. */
  readonly id?: string;
  readonly provider: string;
  /** The address hitc connects to. */
  readonly ip: string;
  readonly internalIp: string;
  /** Provider facts to compare with the manifest's create options (size, image, placement…). */
  readonly options: Readonly<Record<string, string>>;
  readonly dockerInstalled: boolean;
  readonly containers: readonly ContainerInfo[];
  /** The local image id of each image tag on this server, by imageKey (absent: not there). */
  readonly imageIds?: Readonly<Record<string, string>>;
  readonly firewall?: ObservedFirewall;
  /** The SSH connection hitc uses (its address as the server sees it, and the sshd port);
   *  read where the manifest has a firewall. */
  readonly sshPath?: { readonly peer: string; readonly port: string };
}

export interface ObservedWorld {
  /** By manifest server name; a missing entry means "no such server exists". */
  readonly servers: Readonly<Record<string, ObservedServer>>;
  /** Why a server that should exist could not be observed (connect errors), by name. */
  readonly unreachable?: Readonly<Record<string, string>>;
  /** Why a server that was reached cannot be planned (Docker not running, a failed probe), by
   *  name: it is reported and left alone, and the other servers are planned. */
  readonly unavailable?: Readonly<Record<string, string>>;
  /** Servers named in the manifest that another ensemble created, by name (why): never adopted. */
  readonly conflicts?: Readonly<Record<string, string>>;
  /** Servers this ensemble created that the manifest no longer has on their provider. */
  readonly strays?: readonly { readonly id: string; readonly nodeId?: string; readonly name: string; readonly provider: string; readonly state: string }[];
}

/** Labels hitc puts on containers it creates for an ensemble. */
export const LABELS = {
  ensemble: 'hitc.ensemble',
  specHash: 'hitc.spec-hash',
  spec: 'hitc.spec',
  /** When ensemble.up started the container (ISO time) and who ran it (user@host): history
   *  only, never part of the spec hash (every plan would otherwise be a change). */
  startedAt: 'hitc.started-at',
  startedBy: 'hitc.started-by',
} as const;
