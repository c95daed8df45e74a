// The spec a rollback starts: a kept previous version's, exactly as its label stored it (so
// its spec hash, and the plan after it, are that version's), run from the image id it ran, so a
// tag moved since cannot change what comes back. Its secret values are stored only as salted
// digests: they are filled in from the current manifest, and only when each digest matches the
// current value; otherwise what would come back is not that version. Pure.

import { quoteArgv } from '../../core/quote.ts';
import { Secret } from '../../core/secret.ts';
import type { ContainerInfo } from '../../docker/inspect.ts';
import { parsePortSpec, type PortSpec } from '../../docker/port-spec.ts';
import type { ManifestContainer } from '../manifest/model.ts';
import { secretDigest, specHash, type NormalSpec } from '../plan/container-spec-hash.ts';
import type { ResolvedContainer } from '../plan/resolve-container.ts';
import type { ContainerVersion } from '../history/container-history.ts';

/** Why a version cannot be rolled back to; `secret` names the variable whose value moved. */
export interface RollbackRefusal {
  readonly reason: string;
  readonly secret?: string;
}

export type RollbackSpec = { readonly spec: ResolvedContainer } | { readonly refused: RollbackRefusal };

/** `previous` is the kept container itself (its argv, as docker holds it), `version` what
 *  history read from it, `mc` the manifest's container of that name (for its secret values). */
export function rollbackSpec(mc: ManifestContainer, previous: ContainerInfo, version: ContainerVersion): RollbackSpec {
  const refuse = (reason: string, secret?: string): RollbackSpec => ({ refused: { reason, ...(secret ? { secret } : {}) } });
  const stored = version.spec;
  if (!stored) return refuse(`${version.dockerName} has no spec label hitc can read`);
  if (stored.restart === undefined || stored.logs === undefined) return refuse(`${version.dockerName} was made by a hitc older than restart policies and log rotation`);
  const normal = stored as NormalSpec;
  if (version.specHash === undefined || version.specHash !== specHash(normal)) return refuse(`${version.dockerName}'s spec label does not match its spec hash`);
  const environment: Record<string, string | Secret> = { ...normal.environment };
  for (const [key, digest] of Object.entries(normal.secrets ?? {})) {
    const now = mc.environment[key];
    if (!(now instanceof Secret)) return refuse(`its secret ${key} is no longer a !secret of ${mc.path}`, key);
    if (secretDigest(key, now) !== digest) return refuse(`its secret ${key} had another value than the one set now`, key);
    environment[key] = now;
  }
  // the argv docker holds is what the label's command line was quoted from
  const argv = normal.command === null ? undefined : [...previous.command];
  if (argv && quoteArgv(argv) !== normal.command) return refuse(`${version.dockerName}'s command does not match its spec label`);
  let ports: PortSpec[];
  try {
    ports = normal.ports.map((p) => parsePortSpec(p));
  } catch {
    return refuse(`${version.dockerName}'s spec label has a port hitc cannot read`);
  }
  const volumes = normal.volumes.map((v) => ({ host: v.slice(0, v.indexOf(':')), container: v.slice(v.indexOf(':') + 1) }));
  if (volumes.some((v) => v.host === '' || v.container === '')) return refuse(`${version.dockerName}'s spec label has a volume hitc cannot read`);
  return {
    spec: {
      normal,
      hash: version.specHash,
      run: {
        image: previous.imageId, name: mc.name, environment, ports, volumes,
        ...(normal.memory !== null ? { memory: normal.memory } : {}),
        ...(normal.hostname !== null ? { hostname: normal.hostname } : {}),
        ...(normal.privileged ? { privileged: true } : {}),
        restart: normal.restart, logs: { maxSize: normal.logs.maxSize, maxFiles: normal.logs.maxFiles },
      },
      ...(argv ? { argv } : {}),
    },
  };
}
