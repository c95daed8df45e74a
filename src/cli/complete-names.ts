// `hitc --complete KIND` (hidden): the names a completion script offers, one a line. Quick and
// quiet: no provider is asked anything (nodes and their roles come from the node cache), and a
// hitcfile that fails to load still leaves the built-in tasks.

import { readdirSync } from 'node:fs';
import { roleOf } from '../providers/types.ts';
import { NodeCache } from '../providers/node-cache.ts';
import { loadTasks, type LoadedTasks } from './load-tasks.ts';
import { TaskRegistry } from '../taskfile/registry.ts';
import * as builtins from '../builtins/index.ts';

export async function completionNames(kind: string, hitcfile: string | undefined, cwd = process.cwd()): Promise<string[]> {
  switch (kind) {
    case 'tasks':
      return (await tasksOrBuiltins(hitcfile)).registry.list().map((t) => t.name);
    case 'roles': {
      const own = Object.keys((await tasksOrBuiltins(hitcfile)).settings?.roles ?? {});
      return unique([...own, ...new NodeCache().everyNode().map((n) => roleOf(n.name))]);
    }
    case 'nodes':
      return unique(new NodeCache().everyNode().map((n) => n.name));
    case 'manifests':
      return unique(readdirSync(cwd).filter((f) => /\.ya?ml$/.test(f)).map((f) => f.replace(/\.ya?ml$/, '')));
    default:
      return [];
  }
}

async function tasksOrBuiltins(hitcfile: string | undefined): Promise<LoadedTasks> {
  try {
    return await loadTasks(hitcfile);
  } catch {
    const registry = new TaskRegistry();
    registry.addModule(builtins, 'builtin');
    return { registry };
  }
}

function unique(names: string[]): string[] {
  return [...new Set(names)].sort();
}
