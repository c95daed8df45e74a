// What the ec2 provider reads from the environment: credentials (present or not; the SDK's
// default chain does the actual loading), the key pair, the SSH login, and the create defaults.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PROVIDER = 'ec2';

/** Option names and defaults of `create ec2` (placement '' lets EC2 choose the zone). */
export const CREATE_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  size: 't3.micro',
  placement: '',
  bid: '',
  image: 'ubuntu 24.04',
  security_group: 'default',
});

export const NODE_COLUMNS = ['name', 'size', 'ip', 'internalIp', 'state', 'created'] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** `~/x` → the home directory's x (key paths are often written that way in shell profiles). */
export function expandHome(path: string, home: string = homedir()): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/**
 * Is there anything the SDK's default credential chain could use? Only cheap local checks:
 * env keys, a named profile, the shared files (which also hold SSO profiles), web identity or
 * container credentials. Instance metadata (hitc running on EC2) cannot be checked without a
 * network call; there AWS_PROFILE or env keys are the way to say so.
 */
export function credentialsProblem(env: Env = process.env, home: string = homedir()): string | undefined {
  const id = Boolean(env.AWS_ACCESS_KEY_ID);
  const secret = Boolean(env.AWS_SECRET_ACCESS_KEY);
  if (id && secret) return undefined;
  if (id !== secret) return `${id ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'} is not set (AWS_${id ? 'ACCESS_KEY_ID' : 'SECRET_ACCESS_KEY'} is)`;
  if (env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return undefined;
  const files = [env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'), env.AWS_CONFIG_FILE || join(home, '.aws', 'config')];
  if (files.some((f) => existsSync(expandHome(f, home)))) return undefined;
  return 'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (or write ~/.aws/credentials)';
}

/** One line naming everything missing, or undefined when ec2 can be used. */
export function missingEc2Config(env: Env = process.env, home: string = homedir()): string | undefined {
  const problems: string[] = [];
  const credentials = credentialsProblem(env, home);
  if (credentials) problems.push(credentials);
  // The original required both: the key pair EC2 installs on new servers, and its private half.
  const unset = ['AWS_KEYPAIR_NAME', 'AWS_SSH_KEY_FILENAME'].filter((name) => !env[name]);
  if (unset.length > 0) problems.push(`${unset.join(' and ')} ${unset.length === 1 ? 'is' : 'are'} not set (the EC2 key pair name and its private key file)`);
  const keyFile = env.AWS_SSH_KEY_FILENAME;
  if (keyFile && !existsSync(expandHome(keyFile, home))) problems.push(`AWS_SSH_KEY_FILENAME=${keyFile} does not exist`);
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** SSH login of ec2 servers: Ubuntu images log in as `ubuntu` with the key pair's private key.
 *  HITC_EC2_SSH_USER overrides the user (other images, and the test bed, which logs in as root). */
export function ec2Ssh(env: Env = process.env): { user: string; keyFile?: string } {
  const keyFile = env.AWS_SSH_KEY_FILENAME;
  return { user: env.HITC_EC2_SSH_USER || 'ubuntu', ...(keyFile ? { keyFile: expandHome(keyFile) } : {}) };
}

/** The key pair EC2 installs on new servers (AWS_KEYPAIR_NAME). */
export function keyPairName(env: Env = process.env): string | undefined {
  return env.AWS_KEYPAIR_NAME || undefined;
}
