// Where the DigitalOcean provider's settings come from: the environment, read on each use so
// a hitcfile (or a test) can set them after hitc starts. API v2 needs one token; the original's
// DIGITAL_OCEAN_CLIENT_ID/API_KEY pair belonged to the dead v1 API.

import { UsageError } from '../../core/errors.ts';
import { registerSecret } from '../../core/redact.ts';

export const TOKEN_VARS = ['DIGITALOCEAN_TOKEN', 'DIGITALOCEAN_ACCESS_TOKEN'] as const;
export const SSH_KEY_NAME_VAR = 'DIGITAL_OCEAN_SSH_KEY_NAME';
export const SSH_KEY_FILE_VAR = 'DIGITAL_OCEAN_SSH_KEY_FILENAME';
export const API_URL_VAR = 'HITC_DIGITALOCEAN_API_URL';
export const POLL_INTERVAL_VAR = 'HITC_DIGITALOCEAN_POLL_INTERVAL_MS';
export const DEFAULT_API_URL = 'https://api.digitalocean.com';

type Env = Readonly<Record<string, string | undefined>>;

export interface DigitalOceanConfig {
  readonly token: string | undefined;
  readonly apiUrl: string;
  readonly sshKeyName: string | undefined;
  readonly sshKeyFile: string | undefined;
}

export function readConfig(env: Env, apiUrl: string | undefined): DigitalOceanConfig {
  const nonEmpty = (name: string): string | undefined => (env[name] ? env[name] : undefined);
  return {
    token: registerSecret(nonEmpty(TOKEN_VARS[0]) ?? nonEmpty(TOKEN_VARS[1])),
    // a trailing slash would double up with the "/v2/…" paths
    apiUrl: (apiUrl ?? nonEmpty(API_URL_VAR) ?? DEFAULT_API_URL).replace(/\/+$/, ''),
    sshKeyName: nonEmpty(SSH_KEY_NAME_VAR),
    sshKeyFile: nonEmpty(SSH_KEY_FILE_VAR),
  };
}

/**
 * What keeps the provider from working at all. Only the token: listing, terminating and
 * pricing need nothing else, so a missing SSH key name is reported by `create` alone (the
 * registry would otherwise hide a token-only user's droplets).
 */
export function missingConfig(config: DigitalOceanConfig): string | undefined {
  return config.token ? undefined : `${TOKEN_VARS[0]} (or ${TOKEN_VARS[1]}) is not set`;
}

export const TOKEN_HINT = `export ${TOKEN_VARS[0]}=<a personal access token> (DigitalOcean control panel → API → Tokens)`;

export function requireToken(config: DigitalOceanConfig): string {
  if (config.token) return config.token;
  throw new UsageError(`digitalocean: ${TOKEN_VARS[0]} (or ${TOKEN_VARS[1]}) is not set`, { hint: TOKEN_HINT });
}

export function requireSshKeyName(config: DigitalOceanConfig): string {
  if (config.sshKeyName) return config.sshKeyName;
  throw new UsageError(`digitalocean: ${SSH_KEY_NAME_VAR} is not set`, {
    hint: `export ${SSH_KEY_NAME_VAR}=<the name of an SSH key in your DigitalOcean account>; new droplets authorize it for root`,
  });
}

/** Poll interval for create: the option, else the environment (lets CLI tests be quick), else 3 s. */
export function pollIntervalMs(option: number | undefined, env: Env): number {
  if (option !== undefined) return option;
  const fromEnv = Number(env[POLL_INTERVAL_VAR]);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 3000;
}
