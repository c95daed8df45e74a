// Built-in modules first, then the user's hitcfile (if any) through the same registry.

import * as builtins from '../builtins/index.ts';
import type { Settings } from '../taskfile/define.ts';
import { findHitcfile } from '../taskfile/find.ts';
import { loadHitcfile } from '../taskfile/load.ts';
import { TaskRegistry, findSettings } from '../taskfile/registry.ts';

export interface LoadedTasks {
  readonly registry: TaskRegistry;
  readonly hitcfile?: string;
  readonly settings?: Settings;
}

export async function loadTasks(explicit: string | undefined): Promise<LoadedTasks> {
  const registry = new TaskRegistry();
  registry.addModule(builtins, 'builtin');
  const hitcfile = findHitcfile(process.cwd(), explicit);
  if (!hitcfile) return { registry };
  const exports = await loadHitcfile(hitcfile);
  registry.addModule(exports, hitcfile);
  const settings = findSettings(exports);
  return { registry, hitcfile, ...(settings ? { settings } : {}) };
}
