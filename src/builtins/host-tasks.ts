// Per-host global tasks that use local tools: ssh (interactive, the system ssh), upload,
// download, rsync_up, rsync_down, ping. The system tools get the same login as hitc uses.

import { LineSplitter } from '../transport/lines.ts';
import { spawn } from 'node:child_process';
import { TaskError } from '../core/errors.ts';
import type { HostInfo, TaskContext } from '../taskfile/context-types.ts';
import { task } from '../taskfile/define.ts';
import { quoteArgv } from '../core/quote.ts';
import { loadSshConfig, resolveHost } from '../transport/ssh-config.ts';

async function sshArgs(c: TaskContext, host: HostInfo): Promise<string[]> {
  return [
    ...c.sshClientArgs,
    ...(await hostKeyArgs(c.sshClientArgs, host.host)),
    ...(host.identityFile ? ['-i', host.identityFile] : []),
    ...(host.port ? ['-p', String(host.port)] : []),
  ];
}

// An -o on the command line beats ssh_config, so accept-new (hitc's own default) is added only
// when neither --strict-host-keys nor the user's ssh config says how to treat unknown keys.
async function hostKeyArgs(clientArgs: readonly string[], alias: string): Promise<string[]> {
  if (clientArgs.some((a) => /^StrictHostKeyChecking=/i.test(a))) return [];
  const f = clientArgs.indexOf('-F');
  const files = f >= 0 ? [clientArgs[f + 1] as string] : [undefined, '/etc/ssh/ssh_config'];
  for (const file of files) {
    const config = await loadSshConfig(file);
    if (resolveHost(config, alias).strictHostKeyChecking !== undefined) return [];
  }
  return ['-o', 'StrictHostKeyChecking=accept-new'];
}

/** A path for rsync that cannot be read as an option (`--` covers the local rsync, `./` also the
 *  remote one, which gets the path from the local rsync); same file, relative as before. */
function rsyncPath(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}

function target(host: HostInfo): string {
  return host.user ? `${host.user}@${host.host}` : host.host;
}

/** Run a local program with the terminal attached; fail with its exit code. */
function runLocal(c: TaskContext, argv: readonly string[], interactive: boolean): Promise<void> {
  c.log(`local: ${quoteArgv(argv)}`);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: interactive ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    // whole lines (a chunk may end mid-line, mid-character or mid-secret), capped like remote output
    const out = new LineSplitter((l) => l && c.log(l));
    const err = new LineSplitter((l) => l && c.warn(l));
    if (!interactive) {
      child.stdout?.on('data', (b: Buffer) => out.push(b));
      child.stderr?.on('data', (b: Buffer) => err.push(b));
    }
    const stop = (): void => void child.kill('SIGTERM');
    c.signal.addEventListener('abort', stop, { once: true });
    child.on('error', (error) => reject(new TaskError(`cannot run ${argv[0]}: ${error.message}`, { hint: `is ${argv[0]} installed?` })));
    child.on('close', (code) => {
      out.end();
      err.end();
      c.signal.removeEventListener('abort', stop);
      if (code === 0) resolve();
      else reject(new TaskError(`${argv[0]} exited with code ${code}`, { host: c.host?.name }));
    });
  });
}

function requireHost(c: TaskContext): HostInfo {
  if (!c.host) throw new TaskError(`task ${c.task} needs a host`);
  return c.host;
}

export const ssh = task(
  { description: 'Open ssh to each selected host in turn (or run cmd there), with the right user and key', params: { cmd: { type: 'string' } } },
  async (c, { cmd }) => {
    const host = requireHost(c);
    const interactive = process.stdin.isTTY === true;
    await runLocal(c, ['ssh', ...(interactive ? ['-t'] : []), ...(await sshArgs(c, host)), '--', target(host), ...(cmd ? [cmd] : [])], interactive);
  },
);

export const upload = task(
  { description: 'Copy a local file to the host (SFTP)', parallel: true, params: { local_path: { type: 'string', required: true }, remote_path: { type: 'string', required: true } } },
  async (c, { local_path, remote_path }) => c.put(local_path, remote_path),
);

export const download = task(
  { description: 'Copy a file from the host (SFTP); several hosts get HOST- prefixed names', params: { remote_path: { type: 'string', required: true }, local_path: { type: 'string', required: true } } },
  async (c, { remote_path, local_path }) => {
    const host = requireHost(c);
    const dest = c.hosts.length > 1 ? local_path.replace(/([^/]*)$/, `${host.host}-$1`) : local_path;
    await c.get(remote_path, dest);
  },
);

async function rsyncArgs(c: TaskContext, host: HostInfo): Promise<string[]> {
  return ['rsync', '-az', '-e', quoteArgv(['ssh', ...(await sshArgs(c, host))])];
}

/** The remote side of an rsync transfer (the path is passed on to the remote rsync). */
function remoteSpec(host: HostInfo, path: string): string {
  return `${target(host)}:${rsyncPath(path)}`;
}

export const rsync_up = task(
  { description: 'rsync a local path up to the host', parallel: true, params: { local_path: { type: 'string', required: true }, remote_path: { type: 'string', required: true } } },
  async (c, { local_path, remote_path }) => {
    const host = requireHost(c);
    await runLocal(c, [...(await rsyncArgs(c, host)), '--', rsyncPath(local_path), remoteSpec(host, remote_path)], false);
  },
);

export const rsync_down = task(
  { description: 'rsync a path down from the host', params: { remote_path: { type: 'string', required: true }, local_path: { type: 'string', required: true } } },
  async (c, { remote_path, local_path }) => {
    const host = requireHost(c);
    await runLocal(c, [...(await rsyncArgs(c, host)), '--', remoteSpec(host, remote_path), rsyncPath(local_path)], false);
  },
);

export const ping = task({ description: 'ping each host once from here', parallel: true }, async (c) => {
  await runLocal(c, ['ping', '-c', '1', '-W', '3', requireHost(c).host], false);
});
