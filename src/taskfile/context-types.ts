// The per-host context a task function receives: explicit, no globals (Fabric 2's `c`).

import type { Duplex, Readable, Writable } from 'node:stream';
import type { Command } from '../core/command.ts';
import type { HostSpec } from '../core/host-spec.ts';
import type { NestedTarget } from '../transport/types.ts';
import type { Cloud } from '../providers/cloud.ts';
import type { ProgressItem, Tone } from '../core/events.ts';

export type { NestedTarget };

/** Report steps as they go; every item should end done, failed or skipped before end(). */
export interface ProgressGroup {
  running(id: string, detail?: string): void;
  /** A line about a running step (shown under it). */
  note(id: string, detail: string): void;
  done(id: string, detail?: string): void;
  failed(id: string, detail: string): void;
  skipped(id: string, detail: string): void;
  end(): void;
}

/** A shell line you wrote yourself, a Command from sh`…`, or an argv (each word quoted). */
export type CommandInput = string | Command | readonly string[];

export interface RunOptions {
  /** Return a failed result instead of throwing on a non-zero exit (Fabric's warn_only). */
  readonly warn?: boolean;
  /** Allocate a pseudo-terminal (interactive programs; stdout and stderr merge). */
  readonly pty?: boolean;
  /** Text for stdin, 'inherit' to forward hitc's own stdin (interactive use), or a stream. */
  readonly stdin?: string | Buffer | 'inherit' | Readable;
  /** Raw stdout bytes go here (e.g. a tar stream) instead of into lines; the caller ends it. */
  readonly stdout?: Writable;
  /** Also told every output line, even when quiet. */
  readonly onLine?: (stream: 'out' | 'err', line: string) => void;
  /** Seconds before the command is killed (default: -T, else none). */
  readonly timeout?: number;
  /** Don't echo the command or print its output (the result and any error still have both). */
  readonly quiet?: boolean;
  /** Stops the command instead of the task's signal: for clean-up that must still run after
   *  Ctrl-C (giving back a lock), bounded by a signal of its own. */
  readonly signal?: AbortSignal;
  /** Run a failed command (or a failed connection) again up to this many times (default:
   *  --retries, else 0). Never after Ctrl-C, a refused host key or a rejected login. */
  readonly retries?: number;
  /** Seconds between attempts (default: --retry-delay, else 1). */
  readonly retryDelay?: number;
}

export interface SudoOptions extends RunOptions {
  /** Run as this user instead of root (sudo -u). */
  readonly user?: string;
}

export interface WaitForOptions {
  /** Seconds before giving up (default 60). */
  readonly timeout?: number;
  /** Seconds between tries (default 2). */
  readonly interval?: number;
}

export interface CommandResult {
  readonly command: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly ok: boolean;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/** A put never truncates or half-writes the destination: the bytes go to a temporary file beside
 *  it that is renamed over it once complete. Without sudo the temporary file is made by the login
 *  user, so the destination's directory must be writable by it; a replaced file then belongs to
 *  the login user and keeps its group (refused when the login user is not in that group). The
 *  destination must be a regular file (or not exist): a directory, device or FIFO is refused. */
export interface PutOptions {
  /** File mode, e.g. 0o600 (default: the replaced file's, else the local file's minus group/other write). */
  readonly mode?: number;
  /** Write as root (via a private temp file and sudo mv). */
  readonly sudo?: boolean;
  /** With sudo: chown to this user (default: the replaced file's owner, else root). */
  readonly owner?: string;
}

/** A get replaces the local file atomically, like a put. */
export interface GetOptions {
  /** Mode of the local file (default: the replaced file's, else 0o600). */
  readonly mode?: number;
  /** Read as root (the remote file is copied to a private temp file first). */
  readonly sudo?: boolean;
}

export interface HostInfo {
  /** As selected: [user@]host[:port]. */
  readonly name: string;
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
  /** The key hitc offers first for this host (a provider's key for its servers). */
  readonly identityFile?: string;
}

export interface TaskContext {
  /** The host this invocation runs on; undefined for local tasks. */
  readonly host: HostInfo | undefined;
  /** Every host the task was selected for (useful in runsOnce tasks). */
  readonly hosts: readonly string[];
  /** The dotted task name. */
  readonly task: string;
  /** Aborted on Ctrl-C or when the host's time is up. */
  readonly signal: AbortSignal;
  /** True when the user passed --yes. */
  readonly yes: boolean;
  /** Options for the system `ssh`/`rsync` so they reach hosts as hitc does (-F, -i, -J …). */
  readonly sshClientArgs: readonly string[];
  /** Cloud providers and their nodes (enabled by the hitcfile, or detected). */
  readonly cloud: Cloud;
  run(command: CommandInput, options?: RunOptions): Promise<CommandResult>;
  sudo(command: CommandInput, options?: SudoOptions): Promise<CommandResult>;
  local(command: CommandInput, options?: RunOptions): Promise<CommandResult>;
  /** Try `check` until it succeeds: a command (on the host, or here for a local task) that must
   *  exit 0, or a function whose result must be truthy. Fails naming the host and the check
   *  once `timeout` seconds have passed. */
  waitFor(check: CommandInput | (() => unknown), options?: WaitForOptions): Promise<void>;
  put(localPath: string, remotePath: string, options?: PutOptions): Promise<void>;
  get(remotePath: string, localPath: string, options?: GetOptions): Promise<void>;
  log(message: string, options?: { tone?: Tone }): void;
  warn(message: string): void;
  /** Named steps of long work, shown as a live list on a terminal and as lines elsewhere. */
  progress(items: readonly ProgressItem[]): ProgressGroup;
  /** A context for another host of this run's connection pool (e.g. a server just created). */
  on(host: string | HostSpec): TaskContext;
  /** Prove a brand-new SSH login to this host still works (e.g. after a firewall change). */
  freshLogin(): Promise<void>;
  /** Asks the operator a yes/no question on the terminal; undefined when there is none to ask
   *  on (CI, a pipe): the caller decides what no answer means (--yes, or refuse). */
  confirm(question: string): Promise<boolean | undefined>;
  /** A TCP stream to host:port opened from this host (a tunnel's building block). */
  forward(host: string, port: number): Promise<Duplex>;
  /** A context for a host only this one can reach, e.g. a container's sshd. Its host key is
   *  verified like any other (accept-new under `hostKeyAlias` when given). */
  through(target: NestedTarget): Promise<TaskContext>;
}
