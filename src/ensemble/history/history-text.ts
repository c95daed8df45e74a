// ensemble.history's output: per container, a table of its versions newest first (text), or the
// same facts as plain data (--json). Pure. The spec itself stays out of both: its secret
// digests are a guessing oracle, and the short hash names a version well enough.

import { shortId } from '../../docker/inspect.ts';
import { renderTable } from '../../core/table.ts';
import type { ContainerVersion } from './container-history.ts';

/** A spec hash, short: enough to tell versions apart in a list. */
export const shortSpec = (hash: string): string => hash.slice(0, 8);

/** `2026-12-02 14:05` (UTC), or the text as it came when it is not a time. */
export function minuteText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 16).replace('T', ' ');
}

/** The lines for one container's versions on one host (no host prefix: the context adds it). */
export function historyLines(container: string, versions: readonly ContainerVersion[]): string[] {
  if (versions.length === 0) return [`${container}: no container and no kept previous version`];
  const previous = versions.filter((v) => v.role === 'previous').length;
  const head = `${container}: ${versions.some((v) => v.role === 'current') ? 'current' : 'no current container'}, ${previous} previous version${previous === 1 ? '' : 's'} kept`;
  const rows = versions.map((v) => [
    v.role, v.state, v.image, shortId(v.imageId), v.specHash ? shortSpec(v.specHash) : '-',
    minuteText(v.started), v.startedBy ?? '?', v.retired ? minuteText(v.retired) : '', v.retired ? (v.retiredBy ?? '?') : '',
  ]);
  const table = renderTable(['VERSION', 'STATE', 'IMAGE', 'IMAGE ID', 'SPEC', 'STARTED', 'BY', 'RETIRED', 'BY'], rows);
  return [head, ...table.map((line) => `  ${line}`)];
}

export interface VersionJson {
  readonly name: string;
  readonly role: ContainerVersion['role'];
  readonly id: string;
  readonly state: string;
  readonly image: string;
  readonly imageId: string;
  readonly specHash: string | null;
  readonly started: string;
  readonly startedBy: string | null;
  readonly retired: string | null;
  readonly retiredBy: string | null;
}

/** One version for --json: every field present (null when not known), no spec. */
export function versionJson(v: ContainerVersion): VersionJson {
  return {
    name: v.dockerName, role: v.role, id: v.id, state: v.state, image: v.image, imageId: v.imageId, specHash: v.specHash ?? null,
    started: v.started, startedBy: v.startedBy ?? null, retired: v.retired ?? null, retiredBy: v.retiredBy ?? null,
  };
}
