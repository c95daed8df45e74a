// ensemble.history: each selected container's current and kept previous versions, per server,
// from one state read per server (all in parallel). A server that cannot be read is reported
// and fails the task once the others are shown.

import { HitcError, InterruptedError, TaskError } from '../../core/errors.ts';
import { DockerHost } from '../../docker/docker-host.ts';
import type { TaskContext } from '../../taskfile/context-types.ts';
import { locateServers } from '../observe/observe.ts';
import { guarded, loadManifest } from '../run-ensemble.ts';
import { containerVersions } from './container-history.ts';
import { historyLines, versionJson, type VersionJson } from './history-text.ts';
import { selectContainers } from './select-containers.ts';

export interface HistoryArgs { name: string; container?: string; server?: string }

export type ServerHistoryJson =
  | { readonly server: string; readonly host: string; readonly containers: readonly { readonly name: string; readonly versions: readonly VersionJson[] }[] }
  | { readonly server: string; readonly error: string };

export interface HistoryJson {
  readonly ensemble: string;
  readonly servers: readonly ServerHistoryJson[];
}

export function historyTask(c: TaskContext, args: HistoryArgs): Promise<HistoryJson> {
  return guarded('ensemble.history', () => historyBody(c, args));
}

async function historyBody(c: TaskContext, { name, container, server }: HistoryArgs): Promise<HistoryJson> {
  const { manifest, ensemble } = loadManifest(name);
  const selected = selectContainers(manifest, { ...(nonEmpty(container) ? { container } : {}), ...(nonEmpty(server) ? { server } : {}) });
  const { located } = await locateServers(c, manifest, ensemble.name);
  const servers = await Promise.all(selected.map(async ({ server: s, containers }): Promise<ServerHistoryJson> => {
    const spec = located.get(s.name)?.spec;
    if (!spec) return { server: s.name, error: `no running ${s.provider} server named ${s.name}` };
    const on = c.on(spec);
    try {
      const state = await new DockerHost(on).state();
      if (!state.dockerInstalled) {
        on.log('Docker is not installed: no containers');
        return { server: s.name, host: spec.host, containers: [] };
      }
      const found = containers.map((mc) => ({ name: mc.name, versions: containerVersions(mc.name, state.containers) }));
      for (const f of found) for (const line of historyLines(f.name, f.versions)) on.log(line);
      return { server: s.name, host: spec.host, containers: found.map((f) => ({ name: f.name, versions: f.versions.map(versionJson) })) };
    } catch (error) {
      if (error instanceof InterruptedError || !(error instanceof HitcError)) throw error;
      on.warn(`could not read the containers: ${error.message}`);
      return { server: s.name, error: error.message };
    }
  }));
  const failed = servers.filter((s): s is Extract<ServerHistoryJson, { error: string }> => 'error' in s);
  if (failed.length > 0) {
    throw new TaskError(`${failed.length} of ${servers.length} server${servers.length === 1 ? '' : 's'} could not be read: ${failed.map((f) => `${f.server} (${f.error})`).join('; ')}`, {
      hint: 'the history of the others is above; run again once the server answers',
    });
  }
  return { ensemble: ensemble.name, servers };
}

/** A task parameter given as `container=` (empty) means "not given". */
export const nonEmpty = (value: string | undefined): value is string => value !== undefined && value !== '';
