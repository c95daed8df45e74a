// What the runner asks of a transport, without naming ssh2. The SSH transport and the local
// transport both implement Transport.

import type { Duplex, Readable, Writable } from 'node:stream';
import type { Command, SudoMode } from '../core/command.ts';

export type Stream = 'out' | 'err';

/** Receives complete lines (no trailing newline) as the remote program writes them. */
export type LineSink = (stream: Stream, line: string) => void;

export interface ExecRequest {
  readonly command: Command;
  readonly sudo?: { readonly user?: string };
  /** Allocate a pseudo-terminal (stdout and stderr then arrive merged on `out`). */
  readonly pty?: boolean;
  /** Bytes for the command's stdin, 'inherit' to forward this process's stdin, or a stream
   *  (piped once the command may read it; never ended early, so a retried sudo still gets it). */
  readonly stdin?: string | Buffer | 'inherit' | Readable;
  /** Raw stdout bytes go here (binary, e.g. a tar stream) instead of into lines. Never ended by
   *  the transport: a sudo retry writes to it again, so the caller ends it. */
  readonly stdout?: Writable;
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

/** Transfers replace the destination atomically (temp file beside it, renamed when complete). */
export interface FileTransfer {
  readonly mode?: number;
  /** As root: a private staging file, installed by root (and optionally chowned to this user). */
  readonly sudo?: boolean | { readonly owner?: string };
  readonly signal?: AbortSignal;
}

/** A host reached through another one (a container's sshd behind its Docker host). */
export interface NestedTarget {
  readonly host: string;
  readonly port?: number;
  readonly user: string;
  /** Tried before keys; never shown or logged. */
  readonly password?: string;
  /** known_hosts name for the target's key (see HostSpec.hostKeyAlias). */
  readonly hostKeyAlias?: string;
}

export interface Transport {
  /** The name shown in output prefixes. */
  readonly label: string;
  exec(request: ExecRequest): Promise<ExecResult>;
  put(localPath: string, remotePath: string, options?: FileTransfer): Promise<void>;
  get(remotePath: string, localPath: string, options?: FileTransfer): Promise<void>;
  /** A TCP stream to host:port opened by the remote host (SSH transports only). */
  forward?(host: string, port: number): Promise<Duplex>;
  /** Log in anew (not over the pooled connection) and run `true` (SSH transports only). */
  freshLogin?(): Promise<void>;
  /** A transport for a host that only this one can reach (SSH transports only). */
  through?(target: NestedTarget): Promise<Transport>;
}

/** Asks the person at the keyboard for a secret (no echo); shared so each is asked once. */
export type AskSecret = (question: string) => Promise<string>;

export type { SudoMode };
