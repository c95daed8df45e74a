// A container's desired spec, normalised, and its hash. The hash is stored as a label when hitc
// creates the container, so "unchanged" means "same spec as last time" — values the image itself
// defines (ENV, CMD, volumes) can never cause a false change (the original's bug 1). The
// normalised spec is stored too, so a change can be explained field by field.

import { createHash } from 'node:crypto';
import type { PortSpec } from '../docker/port-spec.ts';

export interface NormalSpec {
  readonly image: string;
  readonly command: string | null;
  readonly environment: Readonly<Record<string, string>>;
  readonly ports: readonly string[];
  readonly volumes: readonly string[];
  readonly memory: string | null;
  readonly hostname: string | null;
  readonly privileged: boolean;
}

export function normalSpec(spec: {
  image: string; command?: string; environment: Readonly<Record<string, string>>; ports: readonly PortSpec[];
  volumes: readonly { host: string; container: string }[]; memory?: string; hostname?: string; privileged: boolean;
}): NormalSpec {
  const strip = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  return {
    image: spec.image,
    command: spec.command ?? null,
    environment: Object.fromEntries(Object.entries(spec.environment).sort(([a], [b]) => a.localeCompare(b))),
    ports: spec.ports.map((p) => `${p.container}:${p.public}/${p.protocol}`).sort(),
    volumes: spec.volumes.map((v) => `${strip(v.host)}:${strip(v.container)}`).sort(),
    memory: spec.memory ?? null,
    hostname: spec.hostname ?? null,
    privileged: spec.privileged,
  };
}

export function specHash(spec: NormalSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
}

/** Human reasons for the difference between what a container was created with and what is wanted. */
export function explainDifference(before: NormalSpec | undefined, after: NormalSpec): string[] {
  if (!before) return ['created outside this ensemble (no spec label)'];
  const out: string[] = [];
  if (before.image !== after.image) out.push(`image ${before.image} → ${after.image}`);
  if (before.command !== after.command) out.push(`command ${before.command ?? '(image default)'} → ${after.command ?? '(image default)'}`);
  for (const key of [...new Set([...Object.keys(before.environment), ...Object.keys(after.environment)])].sort()) {
    const a = before.environment[key];
    const b = after.environment[key];
    if (a === b) continue;
    out.push(a === undefined ? `environment ${key} added` : b === undefined ? `environment ${key} removed` : `environment ${key}: ${a} → ${b}`);
  }
  const listDiff = (name: string, a: readonly string[], b: readonly string[]): void => {
    const added = b.filter((x) => !a.includes(x));
    const removed = a.filter((x) => !b.includes(x));
    if (added.length > 0 || removed.length > 0) out.push(`${name}${added.length ? ` +${added.join(',')}` : ''}${removed.length ? ` -${removed.join(',')}` : ''}`);
  };
  listDiff('ports', before.ports, after.ports);
  listDiff('volumes', before.volumes, after.volumes);
  if (before.memory !== after.memory) out.push(`memory ${before.memory ?? 'unlimited'} → ${after.memory ?? 'unlimited'}`);
  if (before.hostname !== after.hostname) out.push(`hostname ${before.hostname ?? '(default)'} → ${after.hostname ?? '(default)'}`);
  if (before.privileged !== after.privileged) out.push(`privileged ${before.privileged} → ${after.privileged}`);
  return out.length > 0 ? out : ['spec changed'];
}
