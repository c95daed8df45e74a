// The Transport for one SSH host: connects lazily through the pool, retries a sudo that needs a
// password once the run's password is known, and does sudo puts via a temporary file.

import { randomBytes } from 'node:crypto';
import { argv, sh } from '../core/command.ts';
import { CommandError, ConnectError } from '../core/errors.ts';
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
    const conn = await this.connection();
    if (!options.sudo) return this.#sftp(() => conn.upload(localPath, remotePath, options.mode), 'put', remotePath);
    // SFTP runs as the login user: land in a private temp file, then move it with sudo
    const temp = `/tmp/.hitc-put-${randomBytes(8).toString('hex')}`;
    await this.#sftp(() => conn.upload(localPath, temp, 0o600), 'put', temp);
    const owner = typeof options.sudo === 'object' && options.sudo.owner ? options.sudo.owner : 'root';
    const mode = (options.mode ?? 0o644).toString(8);
    await this.#check(
      { command: sh`chown ${owner} ${temp} && chmod ${mode} ${temp} && mv -f ${temp} ${remotePath}`, sudo: {} },
      sh`rm -f ${temp}`,
    );
  }

  async get(remotePath: string, localPath: string, options: FileTransfer = {}): Promise<void> {
    const conn = await this.connection();
    if (!options.sudo) return this.#sftp(() => conn.download(remotePath, localPath), 'get', remotePath);
    const temp = `/tmp/.hitc-get-${randomBytes(8).toString('hex')}`;
    const user = conn.endpoint.user;
    await this.#check({ command: sh`cp ${remotePath} ${temp} && chown ${user} ${temp} && chmod 600 ${temp}`, sudo: {} });
    try {
      await this.#sftp(() => conn.download(temp, localPath), 'get', remotePath);
    } finally {
      await this.exec({ command: argv(['rm', '-f', temp]) });
    }
  }

  async #check(request: ExecRequest, cleanup?: ExecRequest['command']): Promise<void> {
    const result = await this.exec(request);
    if (result.exitCode === 0) return;
    if (cleanup) await this.exec({ command: cleanup, sudo: {} }).catch(() => undefined);
    throw new CommandError({ host: this.label, command: request.command.display, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr });
  }

  async #sftp(fn: () => Promise<void>, op: 'put' | 'get', path: string): Promise<void> {
    try {
      await fn();
    } catch (error) {
      const err = error as Error & { code?: number | string };
      const why = err.code === 2 ? 'no such file or directory' : err.code === 3 ? 'permission denied' : err.message;
      throw new CommandError({
        host: this.label,
        command: `${op} ${path}`,
        exitCode: null,
        stdout: '',
        stderr: why,
        hint: err.code === 3 ? 'use sudo: true to write where the login user cannot' : undefined,
      });
    }
  }
}
