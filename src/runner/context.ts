// Builds a TaskContext over a transport: turns inputs into Commands, reports every command
// and output line as events, and throws CommandError on failure unless asked to warn.

import { setTimeout as sleep } from 'node:timers/promises';
import { argv, isCommand, script, type Command } from '../core/command.ts';
import { CommandError, TaskError } from '../core/errors.ts';
import { formatHostSpec, parseHostSpec, type HostSpec } from '../core/host-spec.ts';
import { refuseNul } from '../core/quote.ts';
import type { EventSink, ProgressItem, ProgressState } from '../core/events.ts';
import type { ExecResult, Transport } from '../transport/types.ts';
import { retryCause, retryPolicyOf, type RetryPolicy } from './retry.ts';
import { waitFor } from './wait-for.ts';
import type { CommandInput, CommandResult, HostInfo, ProgressGroup, RunOptions, SudoOptions, TaskContext } from '../taskfile/context-types.ts';

export interface ContextDeps {
  readonly task: string;
  readonly host: HostInfo | undefined;
  readonly hosts: readonly string[];
  readonly transport: Transport | undefined;
  readonly transportFor: (host: HostSpec) => Transport;
  readonly local: Transport;
  readonly emit: EventSink;
  readonly signal: AbortSignal;
  readonly warnOnly: boolean;
  readonly commandTimeoutMs?: number;
  /** The run's default for commands that set no retries of their own. */
  readonly retry?: RetryPolicy;
  readonly yes: boolean;
  readonly cloud: TaskContext['cloud'];
  readonly sshClientArgs: readonly string[];
  /** Asks the operator a yes/no question; undefined: there is no terminal to ask on. */
  readonly confirm?: (question: string) => Promise<boolean | undefined>;
}

export function toCommand(input: CommandInput): Command {
  if (typeof input === 'string') return script(input);
  if (isCommand(input)) return input;
  return argv(input as readonly string[]);
}

/** SFTP and the local file system cut or reject a path at a NUL: refuse it before any transfer. */
function refusePaths(op: 'put' | 'get', localPath: string, remotePath: string): void {
  refuseNul(localPath, `${op}: the local path`);
  refuseNul(remotePath, `${op}: the remote path`);
}

const NO_RETRY: RetryPolicy = { retries: 0, delayMs: 0 };

/** Runs `attempt` until it succeeds, its failure is not worth retrying or the budget is spent; the
 *  last failure is returned (a failed command) or thrown (a connection that never came up). */
async function withRetries(attempt: () => Promise<ExecResult>, policy: RetryPolicy, signal: AbortSignal, onRetry: (n: number, cause: string) => void): Promise<ExecResult> {
  for (let n = 1; ; n++) {
    let failure: ExecResult | unknown;
    try {
      const result = await attempt();
      if (result.exitCode === 0 && !result.timedOut) return result;
      failure = result;
    } catch (error) {
      failure = error;
    }
    const cause = n <= policy.retries ? retryCause(failure, signal.aborted) : undefined;
    if (cause === undefined) {
      if (failure instanceof Error) throw failure;
      return failure as ExecResult;
    }
    onRetry(n, cause);
    await sleep(policy.delayMs, undefined, { signal }).catch(() => signal.throwIfAborted());
  }
}

export function createContext(deps: ContextDeps): TaskContext {
  const hostName = deps.host?.name;
  const remote = (): Transport => {
    if (deps.transport) return deps.transport;
    throw new TaskError(`task ${deps.task} has no host to run on`, {
      hint: 'select hosts with -H or -R, or give the task hosts/roles',
    });
  };

  const execute = async (
    transport: Transport,
    kind: 'run' | 'sudo' | 'local',
    input: CommandInput,
    options: SudoOptions,
  ): Promise<CommandResult> => {
    // a task that goes on after Ctrl-C, -T or its host's time limit starts nothing more (but
    // the clean-up it asks for with a signal of its own)
    const signal = options.signal ?? deps.signal;
    signal.throwIfAborted();
    const command = toCommand(input);
    const prefix = kind === 'local' ? 'localhost' : hostName;
    const shown = kind === 'sudo' && options.user ? `-u ${options.user} ${command.display}` : command.display;
    if (!options.quiet) deps.emit({ type: 'command', host: prefix, kind, display: shown });
    const timeoutMs = options.timeout !== undefined ? options.timeout * 1000 : deps.commandTimeoutMs;
    // hitc's own stdin, or a stream, can be read only once: a command fed from one is never repeated
    const retry = options.stdin === 'inherit' || (typeof options.stdin === 'object' && options.stdin !== null)
      ? NO_RETRY
      : options.retries === undefined && options.retryDelay === undefined
      ? (deps.retry ?? NO_RETRY)
      : retryPolicyOf(shown, options.retries ?? deps.retry?.retries ?? 0, options.retryDelay ?? (deps.retry ? deps.retry.delayMs / 1000 : 1));
    const attempt = (): Promise<ExecResult> => transport.exec({
      command,
      ...(kind === 'sudo' ? { sudo: options.user ? { user: options.user } : {} } : {}),
      ...(options.pty ? { pty: true } : {}),
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
      signal,
      ...(options.stdout ? { stdout: options.stdout } : {}),
      ...(options.quiet && !options.onLine ? {} : {
        onLine: (stream, line) => {
          options.onLine?.(stream, line);
          if (!options.quiet) deps.emit({ type: 'output', host: prefix, stream, line });
        },
      }),
    });
    const result = await withRetries(attempt, retry, signal, (n, cause) => {
      deps.emit({ type: 'message', host: prefix, level: 'warn', text: `retry ${n}/${retry.retries} after ${cause}: ${shown}` });
    });
    const ok = result.exitCode === 0 && !result.timedOut;
    const value: CommandResult = {
      command: command.display,
      stdout: result.stdout,
      stderr: result.stderr,
      exitCode: result.exitCode,
      ok,
      timedOut: result.timedOut,
      durationMs: result.durationMs,
    };
    if (ok) return value;
    const error = new CommandError({
      host: prefix ?? 'localhost',
      command: shown,
      exitCode: result.exitCode,
      ...(result.signal ? { signal: result.signal } : {}),
      timedOut: result.timedOut,
      stdout: result.stdout,
      stderr: result.stderr,
      ...(result.timedOut ? { hint: 'raise the limit with -T SECONDS or the timeout option' } : {}),
    });
    if (options.warn || deps.warnOnly) {
      // a quiet probe that asked for warn handles its own failure
      if (!(options.quiet && options.warn)) deps.emit({ type: 'message', host: prefix, level: 'warn', text: error.message });
      return value;
    }
    throw error;
  };

  return {
    host: deps.host,
    hosts: deps.hosts,
    task: deps.task,
    signal: deps.signal,
    yes: deps.yes,
    cloud: deps.cloud,
    sshClientArgs: deps.sshClientArgs,
    confirm: (question) => deps.confirm?.(question) ?? Promise.resolve(undefined),
    run: (input, options = {}) => execute(remote(), 'run', input, options),
    sudo: (input, options = {}) => execute(remote(), 'sudo', input, options),
    local: (input, options: RunOptions = {}) => execute(deps.local, 'local', input, options),
    waitFor: (check, options = {}) => waitFor(check, options, {
      host: hostName ?? 'localhost',
      signal: deps.signal,
      probe: (command) => execute(deps.transport ?? deps.local, deps.transport ? 'run' : 'local', command, { quiet: true, warn: true }),
    }),
    put: async (localPath, remotePath, options = {}) => {
      deps.signal.throwIfAborted();
      refusePaths('put', localPath, remotePath);
      deps.emit({ type: 'command', host: hostName, kind: 'put', display: `${localPath} -> ${remotePath}` });
      await remote().put(localPath, remotePath, {
        ...(options.mode !== undefined ? { mode: options.mode } : {}),
        ...(options.sudo ? { sudo: options.owner ? { owner: options.owner } : true } : {}),
        signal: deps.signal,
      });
    },
    get: async (remotePath, localPath, options = {}) => {
      deps.signal.throwIfAborted();
      refusePaths('get', localPath, remotePath);
      deps.emit({ type: 'command', host: hostName, kind: 'get', display: `${remotePath} -> ${localPath}` });
      await remote().get(remotePath, localPath, {
        ...(options.mode !== undefined ? { mode: options.mode } : {}),
        ...(options.sudo ? { sudo: true } : {}),
        signal: deps.signal,
      });
    },
    on: (host) => {
      const spec = typeof host === 'string' ? parseHostSpec(host) : host;
      return createContext({ ...deps, transport: deps.transportFor(spec), host: hostInfo(spec) });
    },
    freshLogin: async () => {
      const transport = remote();
      if (!transport.freshLogin) throw new TaskError(`cannot open a fresh login to ${transport.label}`);
      await transport.freshLogin();
    },
    forward: async (host, port) => {
      const transport = remote();
      if (!transport.forward) throw new TaskError(`cannot open tunnels through ${transport.label}`);
      return transport.forward(host, port);
    },
    through: async (target) => {
      const transport = remote();
      if (!transport.through) throw new TaskError(`cannot reach other hosts through ${transport.label}`);
      const nested = await transport.through(target);
      return createContext({
        ...deps,
        transport: nested,
        host: { name: nested.label, host: target.host, user: target.user, ...(target.port ? { port: target.port } : {}) },
      });
    },
    log: (text, options) => deps.emit({ type: 'message', host: hostName, level: 'info', text, ...(options?.tone ? { tone: options.tone } : {}) }),
    warn: (text) => deps.emit({ type: 'message', host: hostName, level: 'warn', text }),
    progress: (items) => progressGroup(deps.emit, hostName, items),
  };
}

let groups = 0;

function progressGroup(emit: EventSink, host: string | undefined, items: readonly ProgressItem[]): ProgressGroup {
  const group = `g${++groups}`;
  emit({ type: 'progress-start', group, host, items });
  const step = (state: ProgressState) => (id: string, detail?: string): void =>
    emit({ type: 'progress', group, host, id, state, ...(detail !== undefined ? { detail } : {}) });
  return {
    running: step('running'), note: step('note'), done: step('done'), failed: step('failed'), skipped: step('skipped'),
    end: () => emit({ type: 'progress-end', group, host }),
  };
}

export function hostInfo(spec: HostSpec): HostInfo {
  return {
    name: formatHostSpec(spec),
    host: spec.host,
    ...(spec.user ? { user: spec.user } : {}),
    ...(spec.port ? { port: spec.port } : {}),
    ...(spec.identityFile ? { identityFile: spec.identityFile } : {}),
  };
}
