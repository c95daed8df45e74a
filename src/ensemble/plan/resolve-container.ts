// A manifest container with its variables filled in: the normalised spec (what the planner
// compares and the label stores) and the docker run spec, built in one place for plan and apply.
// Secret environment values pass through untouched: they are never variables. A command's
// variables are filled in word by word, so a value with spaces or `;` stays one literal argument.

import type { Secret } from '../../core/secret.ts';
import type { ContainerSpec } from '../../docker/container-spec.ts';
import { normalSpec, specHash, type NormalSpec } from './container-spec-hash.ts';
import type { ManifestContainer } from '../manifest/model.ts';

/** What a container gets when the manifest does not say: Docker brings it back after a crash
 *  or a reboot (but not after someone stopped it by hand), and its logs cannot fill the disk. */
export const DEFAULT_RESTART = 'unless-stopped';
export const DEFAULT_LOGS = { maxSize: '10m', maxFiles: 3 } as const;

export interface ResolvedContainer {
  readonly normal: NormalSpec;
  readonly hash: string;
  /** What docker run gets; never a `command` (a string docker.run would hand to a shell). */
  readonly run: ContainerSpec;
  /** The words after the image, each passed to docker run as one quoted argument. */
  readonly argv?: readonly string[];
}

/** `resolve` fills a value's variables (undefined: not known yet); `where` names the field. */
export type Resolve = (value: string, where: string) => string | undefined;

export function resolveContainer(c: ManifestContainer, resolve: Resolve): ResolvedContainer | undefined {
  const image = resolve(c.image, `${c.path}.image`);
  let argv: string[] | undefined;
  if (c.command !== undefined) {
    argv = [];
    for (const word of c.command) {
      const value = resolve(word, `${c.path}.command`);
      if (value === undefined) return undefined;
      argv.push(value);
    }
  }
  const environment: Record<string, string | Secret> = {};
  for (const [k, v] of Object.entries(c.environment)) {
    const value = typeof v === 'string' ? resolve(v, `${c.path}.environment.${k}`) : v;
    if (value === undefined) return undefined;
    environment[k] = value;
  }
  const volumes: { host: string; container: string }[] = [];
  for (const v of c.volumes) {
    const container = resolve(v.container, `${c.path}.volumes`);
    if (container === undefined) return undefined;
    volumes.push({ host: v.host, container });
  }
  if (image === undefined) return undefined;
  const optional = {
    ...(c.memory ? { memory: c.memory } : {}),
    ...(c.hostname ? { hostname: c.hostname } : {}),
  };
  const restart = c.restart ?? DEFAULT_RESTART;
  const logs = { maxSize: c.logs?.maxSize ?? DEFAULT_LOGS.maxSize, maxFiles: c.logs?.maxFiles ?? DEFAULT_LOGS.maxFiles };
  // c.release stays out: it says how a change is switched over, not what runs, so adding or
  // editing it alone must not restart a container that is running as it should
  const normal = normalSpec({ image, environment, ports: c.ports, volumes, privileged: c.privileged, restart, logs, ...(argv ? { argv } : {}), ...optional });
  return {
    normal,
    hash: specHash(normal),
    run: { image, name: c.name, environment, ports: c.ports, volumes, ...optional, ...(c.privileged ? { privileged: true } : {}), restart, logs },
    ...(argv ? { argv } : {}),
  };
}
