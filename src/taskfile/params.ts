// Task parameters: declared once, they give the task function real types and turn the
// CLI's strings into booleans and numbers (`rm=false` is false, not a truthy "false").

import { UsageError } from '../core/errors.ts';
import { suggest } from '../core/suggest.ts';
import { parseBooleanText } from '../core/boolean-text.ts';

export type ParamType = 'string' | 'number' | 'boolean';

export interface ParamSpec<T extends ParamType = ParamType> {
  readonly type: T;
  readonly description?: string;
  readonly default?: ParamValue<T>;
  readonly required?: boolean;
}

type ParamValue<T extends ParamType> = T extends 'number' ? number : T extends 'boolean' ? boolean : string;

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** The argument object a task function receives, typed from its declared params. */
export type ArgsOf<P extends ParamSpecs> = {
  [K in keyof P]: P[K] extends { required: true } | { default: unknown }
    ? ParamValue<P[K]['type']>
    : ParamValue<P[K]['type']> | undefined;
} & { readonly extra: Readonly<Record<string, string>> };


export function coerce(task: string, name: string, type: ParamType, text: string): string | number | boolean {
  if (type === 'string') return text;
  if (type === 'boolean') {
    const value = parseBooleanText(text);
    if (value !== undefined) return value;
    throw new UsageError(`task ${task}: argument ${name} must be true or false, got "${text}"`, {
      argument: name,
      hint: 'use true/false (also yes/no, 1/0)',
    });
  }
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`task ${task}: argument ${name} must be a number, got "${text}"`, { argument: name });
  }
  return n;
}

/**
 * Map positional and key=value strings onto declared params. Undeclared key=value pairs go to
 * `extra` (Fabric passed them as **kwargs); surplus positionals are an error.
 */
export function bindArgs(
  task: string,
  params: ParamSpecs,
  positional: readonly string[],
  named: Readonly<Record<string, string>>,
  acceptsExtra: boolean,
  variadic = false,
): Record<string, unknown> {
  const names = Object.keys(params);
  if (variadic && names.length > 0 && positional.length > names.length) {
    // fold the surplus into the last param as one escaped comma list
    const head = positional.slice(0, names.length - 1);
    const tail = positional.slice(names.length - 1).map((p) => p.replace(/\\/g, '\\\\').replace(/,/g, '\\,'));
    positional = [...head, tail.join(',')];
  }
  if (positional.length > names.length) {
    throw new UsageError(
      `task ${task} takes ${names.length === 0 ? 'no' : `at most ${names.length}`} positional argument${names.length === 1 ? '' : 's'}, got ${positional.length}`,
      { argument: task, hint: `hitc -d ${task} shows its arguments` },
    );
  }
  const out: Record<string, unknown> = {};
  const extra: Record<string, string> = {};
  positional.forEach((text, i) => {
    const name = names[i] as string;
    out[name] = coerce(task, name, (params[name] as ParamSpec).type, text);
  });
  for (const [key, text] of Object.entries(named)) {
    // own properties only: a CLI key such as `constructor` must not find Object.prototype's
    const spec = Object.hasOwn(params, key) ? params[key] : undefined;
    if (!spec) {
      if (acceptsExtra) {
        Object.defineProperty(extra, key, { value: text, enumerable: true, writable: true, configurable: true });
        continue;
      }
      const close = suggest(key, names);
      throw new UsageError(`task ${task} has no argument "${key}"`, {
        argument: key,
        hint: close.length > 0 ? `did you mean ${close.join(' or ')}?` : `hitc -d ${task} shows its arguments`,
      });
    }
    if (Object.hasOwn(out, key)) throw new UsageError(`task ${task}: argument ${key} given twice`, { argument: key });
    out[key] = coerce(task, key, spec.type, text);
  }
  for (const [name, spec] of Object.entries(params)) {
    if (name in out) continue;
    if (spec.default !== undefined) out[name] = spec.default;
    else if (spec.required) {
      throw new UsageError(`task ${task} needs argument ${name}`, {
        argument: task,
        hint: `hitc ${task}:${names.slice(0, names.indexOf(name) + 1).map((n) => n.toUpperCase()).join(',')}`,
      });
    }
  }
  out.extra = extra;
  return out;
}
