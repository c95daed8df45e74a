// A container's desired spec, normalised, and its hash. The hash is stored as a label when hitc
// creates the container, so "unchanged" means "same spec as last time" — values the image itself
// defines (ENV, CMD, volumes) can never cause a false change (the original's bug 1). The
// normalised spec is stored too, so a change can be explained field by field. Secret values
// appear in it only as a slow salted digest: enough to notice a change, useless for guessing.

import { createHash, scryptSync } from 'node:crypto';
import { quoteArgv } from '../../core/quote.ts';
import { Secret } from '../../core/secret.ts';
import type { PortSpec } from '../../docker/port-spec.ts';

export interface NormalSpec {
  readonly image: string;
  /** The argv after the image as one shell-quoted line: a string command and the equivalent
   *  list give the same text, and a simple command (`httpd -f -p 8080`) the same text as
   *  before commands were split, so such containers are not replaced by the upgrade. */
  readonly command: string | null;
  readonly environment: Readonly<Record<string, string>>;
  readonly ports: readonly string[];
  readonly volumes: readonly string[];
  readonly memory: string | null;
  readonly hostname: string | null;
  readonly privileged: boolean;
  /** Docker's restart policy (`unless-stopped`, `on-failure:5`, …). */
  readonly restart: string;
  /** json-file logs: one file's size before rotation, and how many files are kept. */
  readonly logs: NormalLogs;
  /** Secret environment values by name, as digests; absent when there are none. */
  readonly secrets?: Readonly<Record<string, string>>;
}

export interface NormalLogs {
  readonly maxSize: string;
  readonly maxFiles: number;
}

/** A spec as a container's label holds it: one made by a hitc older than restart policies and
 *  log rotation has neither field (its docker run had no --restart and no --log-opt). */
export type StoredSpec = Omit<NormalSpec, 'restart' | 'logs'> & Partial<Pick<NormalSpec, 'restart' | 'logs'>>;

const digests = new Map<string, string>();

/** scrypt, salted with the variable's name; memoised per run (each costs ~50 ms on purpose). */
export function secretDigest(name: string, value: Secret): string {
  const key = `${name}\0${value.reveal()}`;
  let d = digests.get(key);
  if (d === undefined) {
    d = scryptSync(value.reveal(), `hitc-secret:${name}`, 16).toString('hex');
    digests.set(key, d);
  }
  return d;
}

export function normalSpec(spec: {
  image: string; argv?: readonly string[]; environment: Readonly<Record<string, string | Secret>>; ports: readonly PortSpec[];
  volumes: readonly { host: string; container: string }[]; memory?: string; hostname?: string; privileged: boolean;
  restart: string; logs: NormalLogs;
}): NormalSpec {
  const strip = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  const sorted = Object.entries(spec.environment).sort(([a], [b]) => a.localeCompare(b));
  const secrets = sorted.filter((e): e is [string, Secret] => e[1] instanceof Secret);
  return {
    image: spec.image,
    command: spec.argv ? quoteArgv(spec.argv) : null,
    environment: Object.fromEntries(sorted.filter((e): e is [string, string] => typeof e[1] === 'string')),
    ports: spec.ports.map((p) => `${p.container}:${p.public}/${p.protocol}`).sort(),
    volumes: spec.volumes.map((v) => `${strip(v.host)}:${strip(v.container)}`).sort(),
    memory: spec.memory ?? null,
    hostname: spec.hostname ?? null,
    privileged: spec.privileged,
    restart: spec.restart,
    logs: { maxSize: spec.logs.maxSize, maxFiles: spec.logs.maxFiles },
    ...(secrets.length > 0 ? { secrets: Object.fromEntries(secrets.map(([k, v]) => [k, secretDigest(k, v)])) } : {}),
  };
}

export function specHash(spec: NormalSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
}

/** Human reasons for the difference between what a container was created with and what is wanted. */
export function explainDifference(before: StoredSpec | undefined, after: NormalSpec): string[] {
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
  const sa = before.secrets ?? {};
  const sb = after.secrets ?? {};
  for (const key of [...new Set([...Object.keys(sa), ...Object.keys(sb)])].sort()) {
    if (sa[key] === sb[key]) continue;
    out.push(sa[key] === undefined ? `environment ${key} (secret) added` : sb[key] === undefined ? `environment ${key} (secret) removed` : `environment ${key}: secret value changed`);
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
  // no field: an older hitc made it, with no --restart (docker's "no") and no log options
  // (the daemon's own settings); it is replaced once to get them
  const restartBefore = before.restart ?? 'no';
  if (restartBefore !== after.restart) out.push(`restart ${restartBefore} → ${after.restart}`);
  const logsBefore = before.logs ? logsText(before.logs) : "docker's default";
  if (logsBefore !== logsText(after.logs)) out.push(`logs ${logsBefore} → ${logsText(after.logs)}`);
  if (before.restart === undefined || before.logs === undefined) out.push('made by an older hitc, which set no restart policy or log rotation');
  return out.length > 0 ? out : ['spec changed'];
}

const logsText = (l: NormalLogs): string => `${l.maxSize} × ${l.maxFiles} files`;
