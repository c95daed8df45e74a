// Typed errors carrying data. Formatting lives in one place (src/ui/format-error.ts);
// these classes only hold what happened, so JSON output and text output agree.

export const ExitCode = {
  ok: 0,
  taskFailed: 1,
  usage: 2,
  /** ensemble.plan with exit_code=true: the plan has changes. */
  changesPending: 3,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Base of every error hitc raises on purpose. Anything else is an internal bug. */
export abstract class HitcError extends Error {
  abstract readonly kind: string;
  /** One line that tells the user what to do next. */
  readonly hint?: string;
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options?.hint;
    this.name = new.target.name;
  }
  abstract get cliExitCode(): ExitCodeValue;
}

/** Bad flag, unknown task, bad task argument: the request itself is wrong. */
export class UsageError extends HitcError {
  readonly kind = 'usage';
  /** The argv word (or flag) the problem is about, when there is one. */
  readonly argument?: string;
  /** Lines shown under the message, one per item (a stale plan's changes). */
  readonly details?: readonly string[];
  constructor(message: string, options?: { hint?: string; argument?: string; details?: readonly string[] }) {
    super(message, options);
    this.argument = options?.argument;
    this.details = options?.details;
  }
  get cliExitCode(): ExitCodeValue {
    return ExitCode.usage;
  }
}

/** A problem in a file the user wrote (hitcfile, manifest, ssh config), located at file:line. */
export class ConfigError extends HitcError {
  readonly kind = 'config';
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  constructor(
    message: string,
    options?: { hint?: string; file?: string; line?: number; column?: number; cause?: unknown },
  ) {
    super(message, options);
    this.file = options?.file;
    this.line = options?.line;
    this.column = options?.column;
  }
  get cliExitCode(): ExitCodeValue {
    return ExitCode.usage;
  }
}

/** Why a host could not be used at all (it never ran a command). */
export type ConnectFailure =
  | 'timeout'
  | 'refused'
  | 'unreachable'
  | 'dns'
  | 'auth'
  | 'host-key-changed'
  | 'host-key-unknown'
  | 'closed'
  | 'other';

export class ConnectError extends HitcError {
  readonly kind = 'connect';
  readonly host: string;
  readonly failure: ConnectFailure;
  constructor(host: string, failure: ConnectFailure, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options);
    this.host = host;
    this.failure = failure;
  }
  get cliExitCode(): ExitCodeValue {
    return ExitCode.taskFailed;
  }
}

/** A remote (or local) command ran and failed: exit code, or a timeout, or a signal. */
export class CommandError extends HitcError {
  readonly kind = 'command';
  readonly host: string;
  /** The command as the user would recognise it (secrets already redacted). */
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal?: string;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  constructor(data: {
    host: string;
    command: string;
    exitCode: number | null;
    signal?: string;
    timedOut?: boolean;
    stdout: string;
    stderr: string;
    hint?: string;
    /** Replaces "exited with code N" when the command never got to exit normally. */
    reason?: string;
  }) {
    const what = data.reason
      ? data.reason
      : data.timedOut
      ? 'timed out'
      : data.signal
        ? `was killed by ${data.signal}`
        : data.exitCode === null
          ? 'ended without an exit status (channel closed)'
          : `exited with code ${data.exitCode}`;
    super(`command ${what}: ${data.command}`, { hint: data.hint });
    this.host = data.host;
    this.command = data.command;
    this.exitCode = data.exitCode;
    this.signal = data.signal;
    this.timedOut = data.timedOut ?? false;
    this.stdout = data.stdout;
    this.stderr = data.stderr;
  }
  get cliExitCode(): ExitCodeValue {
    return ExitCode.taskFailed;
  }
}

/** A task raised something on a host that is not a command failure (e.g. `throw new TaskError(...)`). */
export class TaskError extends HitcError {
  readonly kind = 'task';
  readonly host?: string;
  constructor(message: string, options?: { hint?: string; host?: string; cause?: unknown }) {
    super(message, options);
    this.host = options?.host;
  }
  get cliExitCode(): ExitCodeValue {
    return ExitCode.taskFailed;
  }
}

/** SIGINT or SIGTERM arrived: the run stops, connections close, exit 130. */
export class InterruptedError extends HitcError {
  readonly kind = 'interrupted';
  constructor(signal: string) {
    super(`interrupted by ${signal}`);
  }
  get cliExitCode(): ExitCodeValue {
    return ExitCode.interrupted;
  }
}

export function isHitcError(error: unknown): error is HitcError {
  return error instanceof HitcError;
}

/** One problem in a manifest, located: `web.containers.app.ports[1]` at file:line. */
export interface ManifestIssue {
  readonly path: string;
  readonly line?: number;
  readonly message: string;
  readonly hint?: string;
}

/** Every problem a manifest has, reported at once (nothing has changed on any host). */
export class ManifestError extends HitcError {
  readonly kind = 'manifest';
  readonly file: string;
  readonly issues: readonly ManifestIssue[];
  constructor(file: string, issues: readonly ManifestIssue[]) {
    super(`${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'} in the manifest`);
    this.file = file;
    this.issues = issues;
  }
  get cliExitCode(): ExitCodeValue {
    return ExitCode.usage;
  }
}
