// The Transport for one SSH host: connects lazily through the pool, retries a sudo that needs a
// password once the run's password is known, and moves files (sftp-transfer.ts, sudo-transfer.ts).

import { randomBytes } from 'node:crypto';
import { argv, sh, type Command } from '../core/command.ts';
import { CommandError, ConnectError, TaskError } from '../core/errors.ts';
import { modeFromLocal, openLocalSource } from './atomic-local.ts';
import { sftpGet, sftpPut, sftpPutNew } from './sftp-transfer.ts';
import { installCommand, refusalReason, stageForGetCommand } from './sudo-transfer.ts';
import type { SshConnection } from './ssh-connection.ts';
import { SudoPasswordRejected } from './ssh-exec.ts';
import type { Duplex } from 'node:stream';
import type { ExecRequest, ExecResult, FileTransfer, NestedTarget, Transport } from './types.ts';

export class SshTransport implements Transport {
  constructor(
    readonly label: string,
    private readonly connection: () => Promise<SshConnection>,
    private readonly sudoPassword: () => Promise<string | undefined>,
    private readonly nested: (target: NestedTarget) => Promise<SshTransport>,
    private readonly fresh?: () => Promise<void>,
  ) {}

  async freshLogin(): Promise<void> {
    if (!this.fresh) throw new Error('fresh logins are not available for this host');
    await this.fresh();
  }

  async forward(host: string, port: number): Promise<Duplex> {
    return (await this.connection()).forward(host, port);
  }

  through(target: NestedTarget): Promise<SshTransport> {
    return this.nested(target);
  }

  async exec(request: ExecRequest): Promise<ExecResult> {
    const conn = await this.connection();
    const channelTimeoutMs = conn.endpoint.connectTimeoutMs;
    try {
      const first = await conn.exec(request, { channelTimeoutMs });
      if (!first.sudoNeedsPassword) return first;
      // sudo -n refused: get the run's password (asked once for all hosts) and try again
      const password = await this.sudoPassword();
      if (password === undefined) {
        throw new CommandError({
          host: this.label,
          command: request.command.display,
          exitCode: first.exitCode,
          stdout: first.stdout,
          stderr: `sudo: a password is required\n${first.stderr}`,
          hint: 'run hitc from a terminal to be asked for it, or set HITC_SUDO_PASSWORD, or allow NOPASSWD for this user',
        });
      }
      return await conn.exec(request, { channelTimeoutMs, sudoPassword: password });
    } catch (error) {
      if (error instanceof SudoPasswordRejected) {
        throw new CommandError({
          host: this.label,
          command: request.command.display,
          exitCode: null,
          stdout: '',
          stderr: 'sudo: incorrect password',
          reason: 'failed: sudo rejected the password',
          hint: 'the sudo password was rejected: check it (it is asked once per run and used on every host)',
        });
      }
      if (error instanceof ConnectError || error instanceof CommandError) throw error;
      if (request.signal?.aborted) throw error;
      throw new ConnectError(this.label, 'closed', `running a command failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async put(localPath: string, remotePath: string, options: FileTransfer = {}): Promise<void> {
    // the source first: a missing local file must not touch the destination
    const source = await openLocalSource(localPath);
    try {
      const conn = await this.connection();
      const sftp = await conn.sftp();
      if (!options.sudo) return await sftpPut(sftp, this.label, source, remotePath, transferOptions(options));
      // SFTP runs as the login user: stage the bytes in a private file, root installs them
      const staging = `/tmp/.hitc-put-${randomBytes(8).toString('hex')}`;
      await sftpPutNew(sftp, this.label, source, staging, options.signal);
      const owner = typeof options.sudo === 'object' ? options.sudo.owner : undefined;
      const install = installCommand(staging, remotePath, {
        ...(owner ? { owner } : {}),
        ...(options.mode !== undefined ? { mode: options.mode } : {}),
        newMode: modeFromLocal(source.mode),
      });
      await this.#rootStep(install, `put ${remotePath}`, options.signal, sh`rm -f ${staging}`);
    } finally {
      await source.handle.close().catch(() => undefined);
    }
  }

  async get(remotePath: string, localPath: string, options: FileTransfer = {}): Promise<void> {
    const conn = await this.connection();
    const sftp = await conn.sftp();
    if (!options.sudo) return sftpGet(sftp, this.label, remotePath, localPath, transferOptions(options));
    const staged = await this.#rootStep(stageForGetCommand(remotePath, conn.endpoint.user), `get ${remotePath}`, options.signal);
    const temp = staged.trim().split('\n').pop() ?? '';
    // never read or remove anything but the copy the script made
    if (!/^\/tmp\/\.hitc-get-[A-Za-z0-9]+$/.test(temp)) {
      throw new TaskError(`get ${remotePath} on ${this.label}: unexpected output from the root copy step`, { host: this.label });
    }
    try {
      await sftpGet(sftp, this.label, temp, localPath, { ...transferOptions(options), shownPath: remotePath });
    } finally {
      await this.exec({ command: argv(['rm', '-f', temp]) }).catch(() => undefined);
    }
  }

  // Runs a root step of a transfer; a refusal (missing file, directory…) becomes a plain error
  // naming the host, anything else a CommandError. Stops with the transfer's signal (the cleanup
  // still runs without it). Returns stdout.
  async #rootStep(command: Command, what: string, signal: AbortSignal | undefined, cleanup?: Command): Promise<string> {
    let result: ExecResult;
    try {
      result = await this.exec({ command, sudo: {}, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (cleanup) await this.exec({ command: cleanup }).catch(() => undefined);
      throw error;
    }
    if (result.exitCode === 0) return result.stdout;
    if (cleanup) await this.exec({ command: cleanup }).catch(() => undefined);
    const reason = refusalReason(result.exitCode, result.stderr);
    if (reason) throw new TaskError(`${reason} on ${this.label}`, { host: this.label });
    throw new CommandError({ host: this.label, command: `sudo ${what}`, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, reason: `failed (exit ${result.exitCode}); the destination is unchanged` });
  }
}

function transferOptions(options: FileTransfer): { mode?: number; signal?: AbortSignal } {
  return { ...(options.mode !== undefined ? { mode: options.mode } : {}), ...(options.signal ? { signal: options.signal } : {}) };
}

