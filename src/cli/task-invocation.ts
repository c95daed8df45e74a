// Fabric 1's task grammar: NAME[:arg,arg,key=value]. `\,` and `\=` (and `\\`) escape the
// separators, so values may contain them. Arguments stay strings here; a task's declared
// parameter types turn them into booleans and numbers later (src/taskfile/params.ts).

import { UsageError } from '../core/errors.ts';

export interface TaskInvocation {
  readonly name: string;
  readonly positional: readonly string[];
  readonly named: Readonly<Record<string, string>>;
  /** The argv word, for error messages. */
  readonly word: string;
}

export function parseTaskInvocation(word: string): TaskInvocation {
  const colon = findUnescaped(word, ':');
  const name = colon < 0 ? word : word.slice(0, colon);
  if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/.test(name)) {
    throw new UsageError(`"${word}" is not a task name`, {
      argument: word,
      hint: 'write TASK or TASK:arg,key=value (namespaced tasks as ns.task)',
    });
  }
  const positional: string[] = [];
  const named: Record<string, string> = {};
  if (colon >= 0) {
    for (const part of splitUnescaped(word.slice(colon + 1), ',')) {
      const eq = findUnescaped(part, '=');
      if (eq < 0) {
        if (Object.keys(named).length > 0) {
          throw new UsageError(`in "${word}": positional argument "${unescape(part)}" after a key=value argument`, {
            argument: word,
            hint: 'put positional arguments first, or name them (key=value)',
          });
        }
        positional.push(unescape(part));
      } else {
        const key = unescape(part.slice(0, eq));
        if (!/^[A-Za-z_]\w*$/.test(key)) {
          throw new UsageError(`in "${word}": "${key}" is not an argument name`, { argument: word });
        }
        // own properties only: `constructor=1` or `__proto__=1` are names like any other
        if (Object.hasOwn(named, key)) throw new UsageError(`in "${word}": argument "${key}" given twice`, { argument: word });
        Object.defineProperty(named, key, { value: unescape(part.slice(eq + 1)), enumerable: true, writable: true, configurable: true });
      }
    }
  }
  return { name, positional, named, word };
}

function findUnescaped(text: string, char: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === char) return i;
  }
  return -1;
}

function splitUnescaped(text: string, char: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === char) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}
