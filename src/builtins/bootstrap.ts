// bootstrap: mirror DIRECTORY/files/** onto the host's / (skipping files whose md5 already
// matches), render *.tpl files from this machine's environment when asked, then run
// DIRECTORY/*.sh in name order. The original's layout, with its quirks fixed (any directory
// depth, a missing template variable is an error naming file:line, sudo unless under $HOME).

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, posix } from 'node:path';
import { sh } from '../core/command.ts';
import { ConfigError, TaskError, UsageError } from '../core/errors.ts';
import type { TaskContext } from '../taskfile/context-types.ts';
import { task } from '../taskfile/define.ts';

/** {{ NAME }} → process.env.NAME; a missing variable names the template's file and line. */
export function renderTemplate(text: string, file: string, env: NodeJS.ProcessEnv): string {
  return text.split('\n').map((line, i) => line.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined) throw new ConfigError(`template variable ${name} is not set in the environment`, { file, line: i + 1, hint: `export ${name}=… before running bootstrap` });
    return value;
  })).join('\n');
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

// The scripts go to a directory only this run knows and only the login user can enter (mktemp
// -d makes it 0700 under a fresh random name): a fixed path under /tmp could be created or
// symlinked in advance by another user, who would then choose what runs here.
async function runScripts(c: TaskContext, directory: string, scripts: readonly string[]): Promise<void> {
  const dir = (await c.run('mktemp -d "${TMPDIR:-/tmp}/hitc-bootstrap.XXXXXXXXXX"', { quiet: true })).stdout.trim();
  if (!dir.startsWith('/') || dir.includes('\n')) throw new TaskError(`mktemp -d gave an unexpected path: ${JSON.stringify(dir)}`);
  try {
    for (const name of scripts) {
      const remote = posix.join(dir, name);
      await c.put(join(directory, name), remote, { mode: 0o700 });
      await c.run(sh`. ${remote}`);
    }
  } finally {
    // also after a failed script; an interrupted run cannot start commands any more, and the
    // directory it leaves is private and named by nobody else
    await c.run(sh`rm -rf -- ${dir}`, { quiet: true, warn: true }).catch(() => undefined);
  }
}

export const bootstrap = task(
  {
    description: 'Copy DIRECTORY/files/** to / on the host (md5-skipped), then run DIRECTORY/*.sh in order\nuse_envtpl=true renders *.tpl files from the local environment ({{ NAME }}) and drops the .tpl.',
    params: {
      directory: { type: 'string', default: 'bootstrap' },
      use_envtpl: { type: 'boolean', default: false },
    },
  },
  async (c, { directory, use_envtpl }) => {
    if (!existsSync(directory) || !statSync(directory).isDirectory()) {
      throw new UsageError(`bootstrap directory ${directory} not found`, { argument: 'directory', hint: 'it holds files/ (mirrored to /) and *.sh scripts' });
    }
    const filesDir = join(directory, 'files');
    const locals = existsSync(filesDir) ? walk(filesDir) : [];
    // render every template before touching the host: a missing variable changes nothing
    const scratch = mkdtempSync(join(tmpdir(), 'hitc-bootstrap-'));
    try {
      const plan = locals.map((path, i) => {
        let remote = `/${relative(filesDir, path).split('\\').join('/')}`;
        let source = path;
        if (use_envtpl && remote.endsWith('.tpl')) {
          remote = remote.slice(0, -4);
          source = join(scratch, String(i));
          writeFileSync(source, renderTemplate(readFileSync(path, 'utf8'), path, process.env), { mode: statSync(path).mode & 0o777 });
        }
        return { source, remote, md5: createHash('md5').update(readFileSync(source)).digest('hex'), mode: statSync(path).mode & 0o777 };
      });
      const [uid, home = ''] = (await c.run('printf "%s %s" "$(id -u)" "$HOME"', { quiet: true })).stdout.split(' ');
      // one round trip for every remote checksum, then only the files that differ
      const sums = new Map<string, string>();
      if (plan.length > 0) {
        const out = await c.run(sh`md5sum ${plan.map((f) => f.remote)} 2>/dev/null || true`, { quiet: true });
        for (const line of out.stdout.split('\n')) {
          const m = /^([0-9a-f]{32})\s+(.+)$/.exec(line);
          if (m) sums.set(m[2] as string, m[1] as string);
        }
      }
      for (const f of plan) {
        if (sums.get(f.remote) === f.md5) continue;
        // root needs no sudo (and may not have it); others need it outside their home
        const asUser = uid === '0' || (home !== '' && home !== '/' && f.remote.startsWith(`${home}/`));
        const dir = posix.dirname(f.remote);
        if (asUser) await c.run(sh`mkdir -p ${dir}`, { quiet: true });
        else await c.sudo(sh`mkdir -p ${dir}`, { quiet: true });
        await c.put(f.source, f.remote, { mode: f.mode, sudo: !asUser });
        c.log(`updated ${f.remote}`);
      }
      const scripts = readdirSync(directory).filter((n) => n.endsWith('.sh')).sort();
      if (scripts.length > 0) await runScripts(c, directory, scripts);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
);
