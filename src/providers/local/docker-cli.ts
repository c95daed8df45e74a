// The local Docker Engine through its own CLI (no SDK): a tiny promise wrapper with errors
// that say which docker command failed and why.

import { execFile } from 'node:child_process';
import { ProviderError } from '../types.ts';

export function docker(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('docker', args, { maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 10 * 60_000 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const why = (stderr || error.message).trim().split('\n').slice(-3).join(' / ');
      reject(new ProviderError('local', `docker ${args.slice(0, 2).join(' ')} failed: ${why}`, {
        hint: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'install Docker (docker.io) on this machine' : 'is the Docker Engine running (docker info)?',
      }));
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
