// The authoring API for hitcfile.ts: task(), roles and settings. Task values are plain
// branded objects, so built-in modules and user files register the same way.

import type { ArgsOf, ParamSpecs } from './params.ts';
import type { TaskContext } from './context-types.ts';

export interface TaskOptions<P extends ParamSpecs = ParamSpecs> {
  /** One line shown by `hitc -l`; more lines shown by `hitc -d`. */
  readonly description?: string;
  /** Hosts to run on when the command line names none ([user@]host[:port]). */
  readonly hosts?: readonly string[];
  /** Roles to run on when the command line names no hosts or roles. */
  readonly roles?: readonly string[];
  /** true: run on all hosts at once (Fabric's @parallel; `-P` does this for any task).
   *  false: always one host at a time, even under -P (Fabric's @serial). */
  readonly parallel?: boolean;
  /** At most this many hosts at once when parallel. */
  readonly poolSize?: number;
  /** Roll out in batches of this many hosts, or `'25%'` of them, parallel inside a batch
   *  (--batch overrides it). */
  readonly batch?: number | `${number}%`;
  /** Start no further batch once more hosts than this (or `'10%'` of them) failed; default 0
   *  when batched (--max-fail overrides it). */
  readonly maxFail?: number | `${number}%`;
  /** Seconds between batches (--batch-wait overrides it). */
  readonly batchWait?: number;
  /** Run once per invocation, not once per host (Fabric's @runs_once). */
  readonly runsOnce?: boolean;
  /** Runs on this machine only; needs no hosts (e.g. `init`, `nodes`). */
  readonly local?: boolean;
  /** Declared arguments, in positional order. */
  readonly params?: P;
  /** Accept key=value arguments that are not declared (they arrive in args.extra). */
  readonly extraArgs?: boolean;
  /** The last param also takes every surplus positional argument, as a comma list
   *  (`docker.bind:web,80,443` → ports "80,443"; see src/core/list-value.ts). */
  readonly variadic?: boolean;
}

export type TaskFunction<P extends ParamSpecs> = (c: TaskContext, args: ArgsOf<P>) => unknown | Promise<unknown>;

export interface Task<P extends ParamSpecs = ParamSpecs> {
  readonly kind: 'hitc-task';
  readonly options: TaskOptions<P>;
  readonly fn: TaskFunction<P>;
}

export function task<P extends ParamSpecs = Record<never, never>>(fn: TaskFunction<P>): Task<P>;
export function task<const P extends ParamSpecs = Record<never, never>>(options: TaskOptions<P>, fn: TaskFunction<P>): Task<P>;
export function task<P extends ParamSpecs>(a: TaskOptions<P> | TaskFunction<P>, b?: TaskFunction<P>): Task<P> {
  if (typeof a === 'function') return { kind: 'hitc-task', options: {}, fn: a };
  if (typeof b !== 'function') throw new TypeError('task(options, fn): fn must be a function');
  return { kind: 'hitc-task', options: a, fn: b };
}

export function isTask(value: unknown): value is Task {
  return typeof value === 'object' && value !== null && (value as Task).kind === 'hitc-task';
}

/** Role name → hosts. A function may compute them (e.g. from a cloud API). */
export type RoleSource = readonly string[] | (() => readonly string[] | Promise<readonly string[]>);

/** Settings a hitcfile may export with `export const settings = configure({...})`. */
export interface Settings {
  readonly kind: 'hitc-settings';
  readonly roles?: Readonly<Record<string, RoleSource>>;
  readonly user?: string;
  readonly port?: number;
  readonly identities?: readonly string[];
  readonly connectTimeoutSec?: number;
  readonly commandTimeoutSec?: number;
  readonly poolSize?: number;
  readonly connectConcurrency?: number;
  readonly gateway?: string;
  readonly forwardAgent?: boolean;
  /** Cloud providers to enable (ec2, digitalocean, unmanaged, local); default: every one
   *  whose configuration is present. */
  readonly providers?: readonly string[];
  /** Prefix of cloud-side server names (default "HITC-"); listings only show prefixed servers. */
  readonly namePrefix?: string;
  /** Seconds a cached node listing stays fresh (default 900). */
  readonly nodeCacheTtlSec?: number;
}

export function configure(settings: Omit<Settings, 'kind'>): Settings {
  return { kind: 'hitc-settings', ...settings };
}

export function isSettings(value: unknown): value is Settings {
  return typeof value === 'object' && value !== null && (value as Settings).kind === 'hitc-settings';
}
