// What the runner asks of a transport, without naming ssh2. The SSH transport and the local
// transport both implement Transport.

import type { Command, SudoMode } from '../core/command.ts';

export type Stream = 'out' | 'err';

/** Receives complete lines (no trailing newline) as the remote program writes them. */
export type LineSink = (stream: Stream, line: string) => void;

export interface ExecRequest {
  readonly command: Command;
  readonly sudo?: { readonly user?: string };
  /** Allocate a pseudo-terminal (stdout and stderr then arrive merged on `out`). */
  readonly pty?: boolean;
  /** Bytes for the command's stdin, or 'inherit' to forward this process's stdin. */
  readonly stdin?: string | Buffer | 'inherit';
  /** Kill the command after this long. */
  readonly timeoutMs?: number;
  readonly onLine?: LineSink;
  readonly signal?: AbortSignal;
}

export interface ExecResult {
  readonly exitCode: number | null;
  readonly signal?: string;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface FileTransfer {
  readonly mode?: number;
  /** Put via a temporary file and `sudo mv` (and optionally chown to this user). */
  readonly sudo?: boolean | { readonly owner?: string };
  readonly signal?: AbortSignal;
}

export interface Transport {
  /** The name shown in output prefixes. */
  readonly label: string;
  exec(request: ExecRequest): Promise<ExecResult>;
  put(localPath: string, remotePath: string, options?: FileTransfer): Promise<void>;
  get(remotePath: string, localPath: string, options?: FileTransfer): Promise<void>;
}

/** Asks the person at the keyboard for a secret (no echo); shared so each is asked once. */
export type AskSecret = (question: string) => Promise<string>;

export type { SudoMode };
