// Private keys and the agent: what to offer a server, in OpenSSH's spirit. Encrypted keys ask
// for their passphrase once per run (shared by every host), never echoing it, and only when
// the agent could not authenticate first.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { ConnectError, UsageError } from '../core/errors.ts';
import { sharedByKey } from '../core/once.ts';
import type { AuthAttempt } from './ssh-connection.ts';
import type { AskSecret } from './types.ts';

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export interface KeyOptions {
  readonly explicit: readonly string[];
  readonly fromConfig: readonly string[];
  readonly identitiesOnly: boolean;
  readonly identityAgent?: string;
  readonly askSecret?: AskSecret;
}

export class KeyLoader {
  readonly #load: (path: string) => Promise<unknown>;
  constructor(private readonly askSecret?: AskSecret) {
    this.#load = sharedByKey((path) => this.#parse(path));
  }

  // Encrypted keys go last, after the agent, and are unlocked only when their turn comes: a key
  // the agent already holds authenticates without a passphrase, and without a terminal an
  // encrypted key is skipped (its "no terminal" error is the one shown if nothing else works).
  async attempts(options: KeyOptions): Promise<AuthAttempt[]> {
    const attempts: AuthAttempt[] = [];
    const encrypted: { path: string; full: string; publicBlob?: Buffer }[] = [];
    const seen = new Set<string>();
    const addFile = (path: string, mustExist: boolean): void => {
      const full = expandHome(path);
      if (seen.has(full)) return;
      seen.add(full);
      if (!existsSync(full)) {
        if (mustExist) throw new UsageError(`identity file ${path} does not exist`, { argument: path, hint: 'check the path given to -i' });
        return;
      }
      const data = readFileSync(full);
      const parsed = ssh2.utils.parseKey(data);
      if (!(parsed instanceof Error)) {
        attempts.push({ type: 'publickey', key: Array.isArray(parsed) ? parsed[0] : parsed, source: path });
        return;
      }
      if (!isEncryptedKeyError(parsed)) {
        throw new ConnectError(path, 'auth', `cannot read private key ${path}: ${parsed.message}`, { hint: 'is it an OpenSSH or PEM private key?' });
      }
      const publicBlob = publicKeyBlob(data) ?? publicBlobFromPub(`${full}.pub`);
      encrypted.push({ path, full, ...(publicBlob ? { publicBlob } : {}) });
    };
    for (const path of options.explicit) addFile(path, true);
    for (const path of options.fromConfig) addFile(path, false);
    const agentAt = attempts.length; // the agent goes before the default key files
    if (options.explicit.length === 0 && options.fromConfig.length === 0) {
      for (const name of DEFAULT_KEYS) addFile(join(homedir(), '.ssh', name), false);
    }
    const agentPath = options.identityAgent === 'none' ? undefined : (options.identityAgent ?? process.env.SSH_AUTH_SOCK);
    if (agentPath) {
      const socket = expandHome(agentPath);
      if (!options.identitiesOnly) {
        attempts.splice(agentAt, 0, { type: 'agent', agent: socket, source: 'ssh-agent' });
      } else {
        // IdentitiesOnly (as in OpenSSH): the agent may sign only for the configured key files
        const blobs = encrypted.flatMap((k) => (k.publicBlob ? [k.publicBlob] : []));
        if (blobs.length > 0) attempts.splice(agentAt, 0, { type: 'agent', agent: new OnlyTheseKeysAgent(socket, blobs), source: 'ssh-agent' });
      }
    }
    for (const k of encrypted) attempts.push({ type: 'publickey', source: k.path, load: () => this.#load(k.full) });
    return attempts;
  }

  async #parse(path: string): Promise<unknown> {
    const data = readFileSync(path);
    if (!this.askSecret) {
      throw new ConnectError(path, 'auth', `private key ${path} is encrypted and there is no terminal to ask for its passphrase`, {
        hint: 'add it to ssh-agent (ssh-add) or run hitc from a terminal',
      });
    }
    const passphrase = await this.askSecret(`Passphrase for ${path}: `);
    const again = ssh2.utils.parseKey(data, passphrase);
    if (again instanceof Error) {
      throw new ConnectError(path, 'auth', `wrong passphrase for ${path}`, { hint: 'or add the key to ssh-agent (ssh-add)' });
    }
    return Array.isArray(again) ? again[0] : again;
  }
}

function isEncryptedKeyError(error: Error): boolean {
  return /encrypted|passphrase/i.test(error.message);
}

/** The public key blob stored in the clear in an OpenSSH-format private key file. */
export function publicKeyBlob(data: Buffer): Buffer | undefined {
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(data.toString('latin1'));
  if (!m) return undefined;
  const raw = Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64');
  const magic = Buffer.from('openssh-key-v1\0', 'latin1');
  if (!raw.subarray(0, magic.length).equals(magic)) return undefined;
  let at = magic.length;
  const str = (): Buffer | undefined => {
    if (at + 4 > raw.length) return undefined;
    const len = raw.readUInt32BE(at);
    if (at + 4 + len > raw.length) return undefined;
    const out = raw.subarray(at + 4, at + 4 + len);
    at += 4 + len;
    return out;
  };
  str(); // cipher
  str(); // kdf
  str(); // kdf options
  if (at + 4 > raw.length || raw.readUInt32BE(at) < 1) return undefined;
  at += 4;
  return str();
}

function publicBlobFromPub(path: string): Buffer | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = ssh2.utils.parseKey(readFileSync(path));
  if (parsed instanceof Error) return undefined;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key ? key.getPublicSSH() : undefined;
}

/** ssh-agent, offering only the keys whose public blobs are given. */
class OnlyTheseKeysAgent extends ssh2.OpenSSHAgent {
  constructor(socket: string, private readonly allowed: readonly Buffer[]) {
    super(socket);
  }
  override getIdentities(cb: Parameters<ssh2.OpenSSHAgent['getIdentities']>[0]): void {
    super.getIdentities((err, keys) => {
      if (err || !keys) return cb(err ?? new Error('no identities'));
      cb(undefined, keys.filter((k) => 'getPublicSSH' in k && this.allowed.some((b) => b.equals(k.getPublicSSH()))));
    });
  }
}

export function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}
