// The table of runnable tasks: dotted name → task. User hitcfiles and built-in modules are
// added the same way, from an object of exports (nested objects become namespaces).

import { UsageError } from '../core/errors.ts';
import { suggest } from '../core/suggest.ts';
import { isSettings, isTask, type Settings, type Task } from './define.ts';

export interface RegisteredTask {
  readonly name: string;
  readonly task: Task;
  /** Where it came from: a hitcfile path or 'builtin'. */
  readonly origin: string;
}

export class TaskRegistry {
  readonly #tasks = new Map<string, RegisteredTask>();
  /** Said with an unknown task when no hitcfile was loaded: where hitc looked. */
  missingHitcfile?: string;

  /** Add every task found in a module's exports. Later origins override earlier ones. */
  addModule(exports: Readonly<Record<string, unknown>>, origin: string, prefix = ''): void {
    for (const [key, value] of Object.entries(exports)) {
      if (key === 'default' && !isTask(value)) continue;
      const name = prefix === '' ? key : `${prefix}.${key}`;
      if (isTask(value)) this.#tasks.set(name, { name, task: value, origin });
      else if (isNamespace(value)) this.addModule(value as Record<string, unknown>, origin, name);
    }
  }

  get(name: string): RegisteredTask {
    const found = this.#tasks.get(name);
    if (found) return found;
    const close = suggest(name, this.#tasks.keys());
    throw new UsageError(`unknown task "${name}"`, {
      argument: name,
      hint: close.length > 0
        ? `did you mean ${close.join(' or ')}?`
        : this.missingHitcfile
          ? `${this.missingHitcfile}; name one with -f PATH, or hitc -l lists the built-in tasks`
          : 'hitc -l lists the tasks',
    });
  }

  has(name: string): boolean {
    return this.#tasks.has(name);
  }

  list(): RegisteredTask[] {
    return [...this.#tasks.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

// A namespace is a plain object (or an ES module namespace) holding at least one task.
function isNamespace(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isSettings(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== null && proto !== Object.prototype) return false;
  return Object.values(value).some((v) => isTask(v) || isNamespace(v));
}

/** The settings a module exports, if any (the first `configure()` value found). */
export function findSettings(exports: Readonly<Record<string, unknown>>): Settings | undefined {
  return Object.values(exports).find(isSettings);
}
