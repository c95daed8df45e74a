// unmanaged: servers you run elsewhere, one host per line in ./unmanaged_servers.txt.
// Nothing to create or terminate; listed on every use (reading a file needs no cache).

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import type { Node, Provider } from '../types.ts';

export const UNMANAGED_FILE = 'unmanaged_servers.txt';

export function createUnmanagedProvider(options: { file?: string } = {}): Provider {
  const file = resolve(options.file ?? UNMANAGED_FILE);
  const notSupported = (what: string): never => {
    throw new UsageError(`unmanaged servers cannot be ${what} by hitc`, { hint: `edit ${UNMANAGED_FILE} instead` });
  };
  return {
    name: 'unmanaged',
    createDefaults: { ip: '' },
    nodeColumns: ['ip'],
    // nothing is required: IP-named servers in a manifest are unmanaged without any file
    missingConfig: () => undefined,
    ssh: () => ({ user: process.env.HITC_SSH_USER || 'root', keyFile: process.env.HITC_KEY_FILENAME || join(homedir(), '.ssh', 'id_rsa') }),
    async listNodes(): Promise<Node[]> {
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.replace(/#.*/, '').trim())
        .filter((l) => l !== '')
        .map((ip) => ({ provider: 'unmanaged', id: ip, name: ip, size: null, ip, internalIp: ip, state: 'running', running: true, created: null, extra: {} }));
    },
    optionsOf: () => ({}),
    async validateCreateOptions() {
      return notSupported('created');
    },
    async createServers() {
      return notSupported('created');
    },
    async terminate() {
      notSupported('terminated');
    },
    async rename() {
      notSupported('renamed');
    },
    async pricing() {
      return { columns: ['note'], rows: [['no pricing for unmanaged servers']] };
    },
  };
}
