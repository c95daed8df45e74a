// One authenticated SSH connection. Commands run as channels on it (at most a few at once:
// sshd's MaxSessions defaults to 10); jump hosts hand out tunnels for the next hop.

import type { Duplex } from 'node:stream';
import ssh2, { type BaseAgent, type Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { ConnectError, TaskError, type ConnectFailure } from '../core/errors.ts';
import { Semaphore } from '../core/semaphore.ts';
import { sharedOnce } from '../core/once.ts';
import { execOnce, type ExecEnvironment } from './ssh-exec.ts';
import { GroupKiller, killScript, type KillBatch } from './group-killer.ts';
import { script } from '../core/command.ts';
import type { ExecRequest, ExecResult } from './types.ts';
import { hostKeyBlobInfo } from './host-key-blob.ts';

export const MAX_CHANNELS_PER_CONNECTION = 8;
const KILL_TIMEOUT_MS = 5000;

export interface AuthAttempt {
  readonly type: 'publickey' | 'agent' | 'password';
  readonly password?: string;
  /** Parsed key or key text (publickey), or the agent socket path or agent object (agent). */
  readonly key?: unknown;
  /** A key unlocked only when its turn comes (an encrypted key: asks for the passphrase); its
   *  failure skips it, and is the error shown when no other method authenticates. */
  readonly load?: () => Promise<unknown>;
  readonly agent?: string | BaseAgent;
  readonly source: string;
}

export interface SshEndpoint {
  readonly label: string;
  readonly hostname: string;
  readonly port: number;
  readonly user: string;
  readonly auth: readonly AuthAttempt[];
  readonly connectTimeoutMs: number;
  readonly keepaliveIntervalMs: number;
  readonly keepaliveCountMax: number;
  readonly forwardAgent?: string;
  /** Decides on the presented host key; returns an error to refuse it. */
  readonly verifyHostKey: (keyType: string, keyBase64: string) => Promise<ConnectError | undefined>;
}

export class SshConnection {
  readonly #client: Client;
  readonly #channels = new Semaphore(MAX_CHANNELS_PER_CONNECTION);
  readonly #killer = new GroupKiller((batch) => this.#sendKill(batch));
  /** The sudo password once a command here needed it: kills of root commands use it too. */
  #sudoPassword: string | undefined;
  readonly #active = new Set<Promise<unknown>>();
  #closed = false;
  readonly endpoint: SshEndpoint;
  readonly sftp: () => Promise<SFTPWrapper>;

  private constructor(client: Client, endpoint: SshEndpoint) {
    this.#client = client;
    this.endpoint = endpoint;
    client.on('close', () => (this.#closed = true));
    this.sftp = sharedOnce(
      () => new Promise<SFTPWrapper>((resolve, reject) => this.#client.sftp((err, sftp) => (err ? reject(sftpUnavailable(endpoint.label, err)) : resolve(sftp)))),
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  static connect(endpoint: SshEndpoint, sock?: Duplex): Promise<SshConnection> {
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      let refusal: ConnectError | undefined;
      let settled = false;
      const fail = (error: ConnectError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        // destroy first: end() only half-closes, and a host that never reads (or never
        // answered the TCP connect) would keep the socket, and hitc, alive
        client.destroy();
        reject(error);
      };
      // The one deadline for TCP connect, handshake and authentication (ssh2's readyTimeout is
      // off). It is paused while a key is unlocked: a passphrase prompt waits for a person, and
      // typing slowly is not a dead host. It restarts in full once the key is loaded.
      const timedOut = (): void => fail(new ConnectError(endpoint.label, 'timeout', `connection timed out after ${endpoint.connectTimeoutMs / 1000}s`, {
        hint: 'is the host up and the port right? raise the limit with -t SECONDS',
      }));
      let deadline = setTimeout(timedOut, endpoint.connectTimeoutMs);
      const pauseDeadline = (): void => clearTimeout(deadline);
      const rearmDeadline = (): void => {
        clearTimeout(deadline);
        if (!settled) deadline = setTimeout(timedOut, endpoint.connectTimeoutMs);
      };
      let attempt = 0;
      let skipped: ConnectError | undefined; // why a key could not be offered (no terminal…)
      const config: ConnectConfig = {
        host: endpoint.hostname,
        port: endpoint.port,
        username: endpoint.user,
        ...(sock ? { sock } : {}),
        readyTimeout: 0,
        keepaliveInterval: endpoint.keepaliveIntervalMs,
        keepaliveCountMax: endpoint.keepaliveCountMax,
        ...(endpoint.forwardAgent ? { agent: endpoint.forwardAgent, agentForward: true } : {}),
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          const info = hostKeyBlobInfo(key);
          endpoint.verifyHostKey(info.type, info.base64).then(
            (error) => {
              refusal = error;
              verify(error === undefined);
            },
            () => verify(false),
          );
        },
        authHandler: (_left, _partial, next) => {
          const offer = (): void => {
            const method = endpoint.auth[attempt++];
            if (!method) return next(false as never);
            if (method.type === 'agent') return next({ type: 'agent', username: endpoint.user, agent: method.agent as string });
            if (method.type === 'password') return next({ type: 'password', username: endpoint.user, password: method.password as string });
            if (!method.load) return next({ type: 'publickey', username: endpoint.user, key: method.key as string });
            pauseDeadline();
            method.load().then(
              (key) => {
                rearmDeadline();
                next({ type: 'publickey', username: endpoint.user, key: key as string });
              },
              (error: unknown) => {
                rearmDeadline();
                if (error instanceof ConnectError) skipped ??= error;
                offer();
              },
            );
          };
          offer();
        },
      };
      client.once('ready', () => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(new SshConnection(client, endpoint));
      });
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        if (refusal) return fail(refusal);
        if (skipped && err.level === 'client-authentication') return fail(skipped);
        fail(describeConnectError(endpoint, err));
      });
      client.once('close', () => fail(new ConnectError(endpoint.label, 'closed', 'the server closed the connection during the handshake')));
      client.connect(config);
    });
  }

  async exec(request: ExecRequest, env: Omit<ExecEnvironment, 'client'>): Promise<ExecResult & { sudoNeedsPassword: boolean }> {
    if (this.#closed) throw new ConnectError(this.endpoint.label, 'closed', 'the connection was closed');
    if (env.sudoPassword !== undefined) this.#sudoPassword = env.sudoPassword;
    const killGroup = (pid: number, sudo: boolean): void => this.#killer.kill(pid, sudo);
    // execOnce refuses to start once the request's signal fired, also after waiting here
    const run = this.#channels.use(() => execOnce({ ...env, client: this.#client, killGroup }, request));
    this.#active.add(run);
    const forget = (): void => void this.#active.delete(run);
    run.then(forget, forget);
    return run;
  }

  // One channel outside the command limit (the commands it stops hold those), root's kill
  // through sudo with the password already given for this host (on stdin, as for any sudo).
  async #sendKill(batch: KillBatch): Promise<void> {
    const command = script(killScript(batch.pids));
    const env = { client: this.#client, channelTimeoutMs: KILL_TIMEOUT_MS, ...(batch.sudo && this.#sudoPassword !== undefined ? { sudoPassword: this.#sudoPassword } : {}) };
    await execOnce(env, { command, ...(batch.sudo ? { sudo: {} } : {}), timeoutMs: KILL_TIMEOUT_MS });
  }

  /** A TCP tunnel to host:port through this connection (for the next jump hop). */
  forward(host: string, port: number): Promise<Duplex> {
    return this.#channels.use(
      () => new Promise<Duplex>((resolve, reject) =>
        this.#client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(err) : resolve(stream))),
      ),
    );
  }

  /** Close after interrupted commands have ended and their kills have gone through (at most 5 s). */
  async close(): Promise<void> {
    const settled = async (): Promise<void> => {
      await Promise.allSettled([...this.#active]);
      await this.#killer.idle();
    };
    await Promise.race([settled(), new Promise((r) => setTimeout(r, KILL_TIMEOUT_MS).unref())]);
    this.#closed = true;
    this.#client.end();
  }
}

// file transfers need the server's SFTP subsystem; without it ssh2 says only "Unable to start
// subsystem: sftp"
function sftpUnavailable(label: string, err: Error): TaskError {
  return new TaskError(`cannot start SFTP on ${label} for a file transfer: ${err.message}`, {
    host: label,
    hint: 'the server needs an SFTP subsystem (Subsystem sftp in sshd_config) for put/get/upload/download',
    cause: err,
  });
}

function describeConnectError(endpoint: SshEndpoint, err: Error & { level?: string; code?: string }): ConnectError {
  const at = `${endpoint.hostname}:${endpoint.port}`;
  const kinds: Record<string, [ConnectFailure, string, string]> = {
    ECONNREFUSED: ['refused', `connection refused by ${at}`, 'is sshd running, and is the port right (-p)?'],
    EHOSTUNREACH: ['unreachable', `no route to ${at}`, 'is the host up and on this network?'],
    ENETUNREACH: ['unreachable', `network unreachable for ${at}`, 'is the host up and on this network?'],
    ENOTFOUND: ['dns', `cannot resolve host name ${endpoint.hostname}`, 'check the spelling, or the HostName in ~/.ssh/config'],
    EAI_AGAIN: ['dns', `cannot resolve host name ${endpoint.hostname} (DNS not answering)`, 'try again, or use the IP address'],
    ECONNRESET: ['closed', `connection reset by ${at}`, 'the server dropped the connection (sshd MaxStartups?); lower --connect-concurrency'],
    ETIMEDOUT: ['timeout', `connection to ${at} timed out`, 'is the host up? raise the limit with -t SECONDS'],
  };
  const known = err.code ? kinds[err.code] : undefined;
  if (known) return new ConnectError(endpoint.label, known[0], known[1], { hint: known[2], cause: err });
  if (err.level === 'client-authentication') {
    const tried = endpoint.auth.map((a) => a.source).join(', ') || 'no keys and no agent';
    return new ConnectError(endpoint.label, 'auth', `authentication failed for ${endpoint.user}@${at} (tried ${tried})`, {
      hint: 'check the user (-u) and key (-i), or that ssh-agent holds the key',
      cause: err,
    });
  }
  if (err.level === 'client-timeout' || /Timed out while waiting for handshake/.test(err.message)) {
    return new ConnectError(endpoint.label, 'timeout', `SSH handshake with ${at} timed out after ${endpoint.connectTimeoutMs / 1000}s`, {
      hint: 'is the host up? raise the limit with -t SECONDS',
      cause: err,
    });
  }
  return new ConnectError(endpoint.label, 'other', `SSH connection to ${at} failed: ${err.message}`, { cause: err });
}
