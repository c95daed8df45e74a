// A container's versions on one host, as plain data: the one running under its name and the
// previous ones ensemble.up kept (stopped, renamed NAME-hitc-prev-EPOCHSECONDS), newest first.
// Pure: built from the containers one state read found, so it is tested with literal data.

import type { ContainerInfo } from '../../docker/inspect.ts';
import { previousOf } from '../../docker/swap-names.ts';
import type { StoredSpec } from '../plan/container-spec-hash.ts';
import { LABELS } from '../observe/observed.ts';

export interface ContainerVersion {
  /** The docker name: NAME for the current one, NAME-hitc-prev-EPOCH for a previous one. */
  readonly dockerName: string;
  readonly role: 'current' | 'previous';
  readonly id: string;
  readonly state: string;
  /** The image as the spec named it (else as docker shows it), and the id it ran. */
  readonly image: string;
  readonly imageId: string;
  /** The ensemble that made it (absent: none did). */
  readonly ensemble?: string;
  /** The hitc.spec-hash label (absent: not made by an ensemble). */
  readonly specHash?: string;
  /** ISO time it was started and who started it (docker's creation time when hitc did not say). */
  readonly started: string;
  readonly startedBy?: string;
  /** ISO time it was retired and who retired it (whoever started the version after it). */
  readonly retired?: string;
  readonly retiredBy?: string;
  /** The spec its label holds (undefined: no label, or one that cannot be read). */
  readonly spec?: StoredSpec;
}

/** The versions of container `name` among a host's containers, newest first: the current one
 *  (if any), then the previous ones by the time they were retired. */
export function containerVersions(name: string, containers: readonly ContainerInfo[]): ContainerVersion[] {
  const current = containers.find((c) => c.name === name);
  const previous = previousOf(name, containers.map((c) => c.name))
    .map((p) => ({ c: containers.find((c) => c.name === p.name) as ContainerInfo, epoch: p.epoch as number | undefined }));
  const ordered = [
    ...(current ? [{ c: current, epoch: undefined as number | undefined }] : []),
    ...previous,
  ];
  return ordered.map(({ c, epoch }, i) => {
    const newer = i > 0 ? ordered[i - 1]?.c : undefined;
    const spec = storedSpec(c);
    const startedBy = c.labels[LABELS.startedBy];
    const retiredBy = newer?.labels[LABELS.startedBy];
    const hash = c.labels[LABELS.specHash];
    const owner = c.labels[LABELS.ensemble];
    return {
      dockerName: c.name,
      role: epoch === undefined ? 'current' : 'previous',
      id: c.id,
      state: c.state,
      image: spec?.image ?? c.image,
      imageId: c.imageId,
      ...(owner !== undefined ? { ensemble: owner } : {}),
      ...(hash !== undefined ? { specHash: hash } : {}),
      started: c.labels[LABELS.startedAt] ?? c.created,
      ...(startedBy !== undefined ? { startedBy } : {}),
      ...(epoch !== undefined ? { retired: new Date(epoch * 1000).toISOString() } : {}),
      ...(epoch !== undefined && retiredBy !== undefined ? { retiredBy } : {}),
      ...(spec ? { spec } : {}),
    } satisfies ContainerVersion;
  });
}

/** The spec a container's label holds, or undefined when it has none or it is not JSON. */
export function storedSpec(c: ContainerInfo): StoredSpec | undefined {
  const text = c.labels[LABELS.spec];
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && typeof (value as StoredSpec).image === 'string' ? (value as StoredSpec) : undefined;
  } catch {
    return undefined;
  }
}
