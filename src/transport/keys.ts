// Private keys and the agent: what to offer a server, in OpenSSH's spirit. Encrypted keys ask
// for their passphrase once per run (shared by every host), never echoing it.

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

  async attempts(options: KeyOptions): Promise<AuthAttempt[]> {
    const attempts: AuthAttempt[] = [];
    const seen = new Set<string>();
    const addFile = async (path: string, mustExist: boolean): Promise<void> => {
      const full = expandHome(path);
      if (seen.has(full)) return;
      seen.add(full);
      if (!existsSync(full)) {
        if (mustExist) throw new UsageError(`identity file ${path} does not exist`, { argument: path, hint: 'check the path given to -i' });
        return;
      }
      attempts.push({ type: 'publickey', key: await this.#load(full), source: path });
    };
    for (const path of options.explicit) await addFile(path, true);
    for (const path of options.fromConfig) await addFile(path, false);
    const agent = options.identityAgent === 'none' ? undefined : (options.identityAgent ?? process.env.SSH_AUTH_SOCK);
    if (agent && !options.identitiesOnly) attempts.push({ type: 'agent', agent: expandHome(agent), source: 'ssh-agent' });
    if (options.explicit.length === 0 && options.fromConfig.length === 0) {
      for (const name of DEFAULT_KEYS) await addFile(join(homedir(), '.ssh', name), false);
    }
    return attempts;
  }

  async #parse(path: string): Promise<unknown> {
    const data = readFileSync(path);
    const parsed = ssh2.utils.parseKey(data);
    if (!(parsed instanceof Error)) return Array.isArray(parsed) ? parsed[0] : parsed;
    if (!/encrypted|passphrase/i.test(parsed.message)) {
      throw new ConnectError(path, 'auth', `cannot read private key ${path}: ${parsed.message}`, { hint: 'is it an OpenSSH or PEM private key?' });
    }
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

export function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}
