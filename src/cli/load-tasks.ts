// Built-in modules first, then the user's hitcfile (if any) through the same registry.

import * as builtins from '../builtins/index.ts';
import type { Settings } from '../taskfile/define.ts';
import { describeSearch, findHitcfile, searchHitcfile } from '../taskfile/find.ts';
import { loadHitcfile } from '../taskfile/load.ts';
import { TaskRegistry, findSettings } from '../taskfile/registry.ts';

export interface LoadedTasks {
  readonly registry: TaskRegistry;
  readonly hitcfile?: string;
  readonly settings?: Settings;
  /** "no hitcfile found (searched …)" when none was loaded. */
  readonly missing?: string;
}

export async function loadTasks(explicit: string | undefined): Promise<LoadedTasks> {
  const registry = new TaskRegistry();
  registry.addModule(builtins, 'builtin');
  const search = explicit === undefined ? searchHitcfile(process.cwd()) : undefined;
  const hitcfile = search ? search.found : findHitcfile(process.cwd(), explicit);
  if (!hitcfile) {
    registry.missingHitcfile = describeSearch(search ?? { searched: [] });
    return { registry, missing: registry.missingHitcfile };
  }
  const exports = await loadHitcfile(hitcfile);
  registry.addModule(exports, hitcfile);
  const settings = findSettings(exports);
  return { registry, hitcfile, ...(settings ? { settings } : {}) };
}
