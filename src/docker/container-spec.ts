// What `docker.run` (and later the ensemble) asks for, validated before anything runs.

import { UsageError } from '../core/errors.ts';
import { parseKeyValues, splitList } from '../core/list-value.ts';
import type { Secret } from '../core/secret.ts';
import { parsePortSpec, type PortSpec } from './port-spec.ts';

export interface VolumeSpec {
  readonly host: string;
  readonly container: string;
}

export interface ContainerSpec {
  readonly image: string;
  readonly name?: string;
  /** Shell words appended after the image (split by the remote shell, as the original did). */
  readonly command?: string;
  readonly environment: Readonly<Record<string, string | Secret>>;
  readonly ports: readonly PortSpec[];
  readonly volumes: readonly VolumeSpec[];
  readonly memory?: string;
  readonly hostname?: string;
  readonly privileged?: boolean;
  /** `--restart`: docker's restart policy; absent: docker's default (no). */
  readonly restart?: string;
  /** json-file logs rotated at maxSize, keeping maxFiles; absent: the daemon's log settings. */
  readonly logs?: { readonly maxSize: string; readonly maxFiles: number };
}

export interface ContainerArgs {
  readonly image: string;
  readonly name?: string;
  readonly command?: string;
  readonly environment?: string;
  readonly ports?: string;
  readonly volumes?: string;
  readonly memory?: string;
  readonly hostname?: string;
  readonly privileged?: boolean;
}

/** An image reference docker can only read as one: not empty, no "-" in front (an option), no
 *  spaces or control characters. Checked before any host is asked. */
export function checkImage(image: string, argument = 'image'): void {
  if (image === '') throw new UsageError(`empty ${argument}`, { argument, hint: 'e.g. image=nginx:1.27' });
  if (image.startsWith('-')) {
    throw new UsageError(`invalid ${argument} "${image}": it starts with "-", so docker would read it as an option`, { argument, hint: 'e.g. image=nginx:1.27' });
  }
  if (/[\s\p{Cc}]/u.test(image)) {
    throw new UsageError(`invalid ${argument} ${JSON.stringify(image)}: an image reference has no spaces or control characters`, { argument, hint: 'e.g. image=nginx:1.27' });
  }
}

/** The CLI's string arguments → a ContainerSpec (list values use src/core/list-value.ts). */
export function containerSpecFromArgs(args: ContainerArgs): ContainerSpec {
  const fail = (arg: string) => (item: string, why: string): never => {
    throw new UsageError(`invalid ${arg} item "${item}": ${why}`, { argument: arg, hint: `e.g. ${arg}=${arg === 'volumes' ? '/srv/data:/data' : 'KEY=value'}` });
  };
  checkImage(args.image);
  const volumes = splitList(args.volumes ?? '').map((item) => {
    const i = item.indexOf(':');
    if (i <= 0 || i === item.length - 1) fail('volumes')(item, 'volume items are HOST_PATH:CONTAINER_PATH');
    const host = item.slice(0, i);
    if (!host.startsWith('/')) fail('volumes')(item, 'the host path must be absolute');
    return { host, container: item.slice(i + 1) };
  });
  const ports = splitList(args.ports ?? '').map((p) => parsePortSpec(p, 'ports'));
  if (ports.length > 0 && !args.name) {
    throw new UsageError('ports need a container name', { argument: 'ports', hint: 'add name=NAME' });
  }
  if (args.name !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(args.name)) {
    throw new UsageError(`invalid container name "${args.name}"`, { argument: 'name', hint: 'letters, digits, _ . - (starting with a letter or digit)' });
  }
  return {
    image: args.image,
    ...(args.name ? { name: args.name } : {}),
    ...(args.command ? { command: args.command } : {}),
    environment: parseKeyValues(splitList(args.environment ?? ''), 'environment', fail('environment')),
    ports,
    volumes,
    ...(args.memory ? { memory: args.memory } : {}),
    ...(args.hostname ? { hostname: args.hostname } : {}),
    ...(args.privileged ? { privileged: true } : {}),
  };
}
