// Run-wide SSH settings after the command line, the hitcfile and defaults are merged.

import type { AskSecret } from './types.ts';

export interface SshRunOptions {
  readonly user?: string;
  readonly port?: number;
  readonly identities: readonly string[];
  /** Jump chain applied to every host without its own ProxyJump (-g). */
  readonly gateway?: string;
  /** From -t; undefined = the ssh config's ConnectTimeout, else the default. */
  readonly connectTimeoutMs?: number;
  readonly strictHostKeys: boolean;
  readonly forwardAgent: boolean;
  /** Path of the ssh config to read; undefined = ~/.ssh/config. */
  readonly sshConfigPath?: string;
  /** At most this many handshakes in flight (sshd's MaxStartups drops bursts). */
  readonly connectConcurrency: number;
  readonly keepaliveIntervalMs: number;
  readonly keepaliveCountMax: number;
  /** Ask for a passphrase or password; undefined when there is no terminal. */
  readonly askSecret?: AskSecret;
  /** The run's sudo password, from the environment or asked once on first need. */
  readonly sudoPassword: () => Promise<string | undefined>;
}

export const SSH_DEFAULTS = {
  connectTimeoutMs: 10_000,
  connectConcurrency: 24,
  keepaliveIntervalMs: 5_000,
  keepaliveCountMax: 3,
} as const;
