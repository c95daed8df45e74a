// A manifest container with its variables filled in: the normalised spec (what the planner
// compares and the label stores) and the docker run spec, built in one place for plan and apply.
// Secret environment values pass through untouched: they are never variables.

import type { Secret } from '../core/secret.ts';
import type { ContainerSpec } from '../docker/container-spec.ts';
import { normalSpec, specHash, type NormalSpec } from './container-spec-hash.ts';
import type { ManifestContainer } from './model.ts';

export interface ResolvedContainer {
  readonly normal: NormalSpec;
  readonly hash: string;
  readonly run: ContainerSpec;
}

/** `resolve` fills a value's variables (undefined: not known yet); `where` names the field. */
export type Resolve = (value: string, where: string) => string | undefined;

export function resolveContainer(c: ManifestContainer, resolve: Resolve): ResolvedContainer | undefined {
  const image = resolve(c.image, `${c.path}.image`);
  const command = c.command === undefined ? undefined : resolve(c.command, `${c.path}.command`);
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
  if (image === undefined || (c.command !== undefined && command === undefined)) return undefined;
  const optional = {
    ...(command !== undefined ? { command } : {}),
    ...(c.memory ? { memory: c.memory } : {}),
    ...(c.hostname ? { hostname: c.hostname } : {}),
  };
  const normal = normalSpec({ image, environment, ports: c.ports, volumes, privileged: c.privileged, ...optional });
  return {
    normal,
    hash: specHash(normal),
    run: { image, name: c.name, environment, ports: c.ports, volumes, ...optional, ...(c.privileged ? { privileged: true } : {}) },
  };
}
