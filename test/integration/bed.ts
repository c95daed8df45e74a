// Access to the real test bed for integration tests: hosts, keys, and a way to run the real
// hitc CLI against them in an isolated HOME with its own ssh config and known_hosts.

import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tempDir } from '../helpers/temp.ts';
import { join, resolve } from 'node:path';

export interface Bed {
  key: string;
  passKey: string;
  passKeyPassphrase: string;
  knownHosts: string;
  hostKeyLine: string;
  hosts: string[];
  bastion: string;
  inner: string;
  unreachable: string;
  users: Record<string, { sudo?: string; password?: string }>;
}

const statePath = process.env.HITC_BED_STATE ?? resolve('test/bed/state/bed.json');

/** The bed, or a loud failure: integration tests never skip because the bed is missing. */
export function bed(): Bed {
  try {
    return JSON.parse(readFileSync(statePath, 'utf8')) as Bed;
  } catch (error) {
    throw new Error(`test bed state ${statePath} is missing: run \`bash test/bed/bed.sh up\` (npm test does) — ${(error as Error).message}`);
  }
}

export const REPO = resolve(import.meta.dirname, '../..');
export const HITC = join(REPO, 'bin/hitc.mjs');

export interface Sandbox {
  dir: string;
  home: string;
  sshConfig: string;
  knownHosts: string;
  /** Writes a hitcfile.ts (and package.json) into the sandbox dir. */
  hitcfile(source: string): string;
}

/** A temp dir with HOME, an ssh config pointing at the bed's key and a private known_hosts. */
/** A node-cache file of the test's own (HITC_CACHE_FILE), so runs never share a listing. */
export const cacheFile = (): string => join(tempDir('hitc-cache-'), 'nodes.json');

/** Environment for the local provider in a sandbox: the bed's base image, a node cache and a
 *  server key of the test's own (made here). */
export function localProviderEnv(box: Sandbox): Record<string, string> {
  const key = join(box.dir, 'local_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  return { HITC_LOCAL_BASE_IMAGE: 'hitc-bed-base:bookworm', HITC_CACHE_FILE: cacheFile(), HITC_LOCAL_KEY: key };
}

export function sandbox(options: { knownHosts?: string | 'copy'; extraConfig?: string } = {}): Sandbox {
  const b = bed();
  const dir = tempDir('hitc-it-');
  const home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const knownHosts = join(home, '.ssh', 'known_hosts');
  if (options.knownHosts === 'copy' || options.knownHosts === undefined) copyFileSync(b.knownHosts, knownHosts);
  else writeFileSync(knownHosts, options.knownHosts);
  const sshConfig = join(dir, 'ssh_config');
  writeFileSync(
    sshConfig,
    `${options.extraConfig ?? ''}\nHost *\n  User root\n  IdentityFile ${b.key}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${knownHosts}\n`,
  );
  return {
    dir,
    home,
    sshConfig,
    knownHosts,
    hitcfile(source: string) {
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
      const path = join(dir, 'hitcfile.ts');
      writeFileSync(path, source);
      return path;
    },
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the real CLI; `onStdout` can react to output (e.g. send SIGINT). */
export function hitc(
  box: Sandbox,
  args: string[],
  opts: { env?: Record<string, string>; input?: string; timeoutMs?: number; onStdout?: (text: string, child: ReturnType<typeof spawn>) => void } = {},
): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [HITC, '-F', box.sshConfig, ...args], {
      cwd: box.dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: box.home, NO_COLOR: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      opts.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hitc ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 60000}ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Removes everything ensembles leave on a Docker host: their containers and hitc's firewall chains. */
/** What every ensemble test starts from on a bed host. It also stands in for a terminate of the
 *  fake clouds, whose "terminated" instances are bed hosts that live on: their lock and audit
 *  log go too, as a real server's disk would. */
export const CLEAN_ENSEMBLE = "docker rm -f $(docker ps -aq --filter label=hitc.ensemble) >/dev/null 2>&1; for t in iptables ip6tables; do for c in INPUT:HITC-FW DOCKER-USER:HITC-FW-DOCKER; do $t -w -D ${c%%:*} -j ${c##*:} 2>/dev/null; $t -w -F ${c##*:} 2>/dev/null; $t -w -X ${c##*:} 2>/dev/null; done; done; rm -rf /etc/hitc /root/.hitc-fw-backup /root/.hitc-fw-backup6 /root/.hitc-fw-hooks /var/lib/hitc/lock /var/log/hitc; true";

/** Runs the real CLI under a real terminal (`script`), answering hitc's passphrase, sudo and
 *  "Do you wish to continue?" prompts in order. `cols` sets the terminal's width (the live list
 *  cuts lines to it); `env` adds variables. */
export function hitcUnderTty(
  box: Sandbox,
  args: string[],
  answers: string[],
  opts: { term?: string; cols?: number; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<{ code: number | null; out: string }> {
  const q = (w: string): string => `'${w.replace(/'/g, `'\\''`)}'`;
  const cli = [process.execPath, HITC, '-F', box.sshConfig, ...args].map(q).join(' ');
  const cmd = opts.cols ? `stty cols ${opts.cols} rows 40; ${cli}` : cli;
  return new Promise((resolvePromise, reject) => {
    const child = spawn('script', ['-qefc', cmd, '/dev/null'], { cwd: box.dir, env: { PATH: process.env.PATH ?? '', HOME: box.home, NO_COLOR: '1', TERM: opts.term ?? 'dumb', ...opts.env } });
    let out = '';
    let asked = 0;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const prompts = (out.match(/(Passphrase for [^:]+|\[sudo\] password for the remote hosts): |Do you wish to continue\? \[Y\/n\] /g) ?? []).length;
      while (asked < prompts) child.stdin.write(`${answers[asked++] ?? ''}\r`);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no finish; output:\n${out}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, out });
    });
  });
}
