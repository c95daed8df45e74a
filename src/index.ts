// The public API for hitcfile authors: `import { task, sh } from 'hitc'`.

export { task, configure } from './taskfile/define.ts';
export type { Task, TaskOptions, Settings, RoleSource } from './taskfile/define.ts';
export type { ParamSpec, ParamSpecs, ArgsOf } from './taskfile/params.ts';
export { sh, raw, argv } from './core/command.ts';
export type { Command } from './core/command.ts';
export { quote, quoteArgv } from './core/quote.ts';
export { secret, Secret } from './core/secret.ts';
export type { TaskContext, CommandResult, RunOptions, SudoOptions, PutOptions, GetOptions, HostInfo, CommandInput } from './taskfile/context-types.ts';
export { CommandError, ConnectError, TaskError, UsageError, ConfigError } from './core/errors.ts';
