// The manifest after parsing, templates and count expansion: what the planner compares with
// the observed world. Values may still hold variables (resolved just before a thing starts).

import type { Secret } from '../../core/secret.ts';
import type { PortSpec } from '../../docker/port-spec.ts';
import type { Graph } from '../../core/graph.ts';
import type { HealthCheck } from './healthcheck.ts';

export interface ManifestServer {
  readonly name: string;
  readonly line: number;
  readonly provider: string;
  /** Provider create options (size, image, …); for unmanaged servers the address is the name. */
  readonly options: Readonly<Record<string, string>>;
  readonly containers: readonly ManifestContainer[];
  readonly firewall?: ManifestFirewall;
  readonly dependsOn: readonly string[];
}

export interface ManifestContainer {
  readonly server: string;
  readonly name: string;
  readonly line: number;
  readonly path: string;
  readonly image: string;
  /** The container's argv after the image (a string is split into words when parsed; see
   *  command-words.ts); each word may hold variables, filled in per word. */
  readonly command?: readonly string[];
  /** Secret values come from `!secret` and are never resolved, printed or planned as text. */
  readonly environment: Readonly<Record<string, string | Secret>>;
  readonly ports: readonly PortSpec[];
  readonly volumes: readonly { readonly host: string; readonly container: string }[];
  readonly memory?: string;
  readonly hostname?: string;
  readonly privileged: boolean;
  /** Docker's restart policy as written (`on-failure:5`); absent: unless-stopped. */
  readonly restart?: string;
  /** Log rotation as written; what is absent takes the default (10m × 3, json-file). */
  readonly logs?: ContainerLogs;
  /** When a new copy may take the traffic in a swap (absent: the image's own HEALTHCHECK, else
   *  still running 2 s later); not part of the spec hash. */
  readonly healthcheck?: HealthCheck;
  /** Seconds `docker stop` gives the old copy in a swap (absent: 10); not part of the spec hash. */
  readonly stopTimeout?: number;
  /** Thing ids (see thingId) this container must wait for, besides its variables. */
  readonly dependsOn: readonly string[];
}

export interface ContainerLogs {
  /** One log file's size before rotation, as docker takes it (`10m`). */
  readonly maxSize?: string;
  readonly maxFiles?: number;
}

export interface FirewallRule {
  readonly port: number | '*';
  readonly protocol: 'tcp' | 'udp' | '*';
  /** "*" for anyone, addresses, or values with variables ($internal_ips, ${db.ip}). */
  readonly sources: readonly string[];
  readonly line: number;
}

export interface ManifestFirewall {
  readonly line: number;
  readonly rules: readonly FirewallRule[];
  /** The manifest accepts that SSH is admitted only from the address hitc applies the rules
   *  from, and from nowhere after a reboot (no rule admits the SSH port). */
  readonly sshFromApplierOnly?: boolean;
}

/** The firewall key that accepts a firewall in which no rule admits SSH. */
export const SSH_FROM_APPLIER_ONLY = 'ssh_from_applier_only';

export interface Manifest {
  readonly file: string;
  /** The `name:` key: the ensemble's identity, when the manifest states it (else the file name). */
  readonly name?: string;
  readonly servers: readonly ManifestServer[];
  /** What waits for what (thing ids), built once with the manifest; acyclic. */
  readonly graph: Graph;
}

export const serverId = (server: string): string => `server:${server}`;
export const containerId = (server: string, container: string): string => `container:${server}/${container}`;
export const firewallId = (server: string): string => `firewall:${server}`;
/** A server of this ensemble that the manifest no longer has on that provider. */
export const strayId = (provider: string, server: string): string => `stray:${provider}/${server}`;

/** `server:web` → `web`, `container:web/app` → `web.containers.app`, for messages. */
export function describeId(id: string): string {
  const [kind, rest = ''] = id.split(':', 2) as [string, string];
  if (kind === 'container') {
    const [s, c] = rest.split('/');
    return `${s}.containers.${c}`;
  }
  if (kind === 'stray') {
    const [p, s] = rest.split('/');
    return `${s} (${p})`;
  }
  return kind === 'firewall' ? `${rest}.firewall` : rest;
}

/** `server:web` → `web`, `container:web/app` → `app (web)`: a thing in the plan's words. */
export function thingLabel(id: string): string {
  return id.replace(/^server:/, '').replace(/^container:([^/]+)\/(.+)$/, '$2 ($1)').replace(/^firewall:(.+)$/, '$1.firewall');
}
