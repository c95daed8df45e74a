// Turns a hitcfile (and the local files it imports) into one ES module with esbuild, cached by
// its inputs' sizes and mtimes. In-process compilation is much cheaper than a loader hook, and
// gives exact file:line for syntax errors. Packages stay external and resolve as usual.
// The cache holds code hitc imports, so it is used only when it is the current user's alone:
// owned by them and writable by nobody else (made 0700); never a shared path like /tmp/….

import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hitcApiUrl } from './api-url.ts';
import { trustProblem } from '../core/trust.ts';

interface Manifest {
  readonly api: string;
  readonly inputs: readonly { path: string; size: number; mtimeMs: number }[];
}

/** The file URL of the compiled module for this hitcfile. Throws esbuild's failure as is. */
export async function compileHitcfile(path: string): Promise<string> {
  const key = createHash('sha1').update(path).digest('hex').slice(0, 16);
  const cache = cacheDir(path);
  // a cache that someone else could have written to is never read: compile afresh into a
  // directory made for this run only
  const dir = cache ?? privateDir(path);
  const out = join(dir, `hitcfile-${key}.mjs`);
  const manifestPath = join(dir, `hitcfile-${key}.json`);
  if (cache && ownFile(out) && ownFile(manifestPath) && fresh(manifestPath)) return pathToFileURL(out).href;

  const esbuild = await import('esbuild');
  const fileUrl = pathToFileURL(path).href;
  const result = await esbuild.build({
    entryPoints: [path],
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    metafile: true,
    logLevel: 'silent',
    // the compiled file lives elsewhere; keep import.meta pointing at the hitcfile the user wrote
    define: {
      'import.meta.url': JSON.stringify(fileUrl),
      'import.meta.filename': JSON.stringify(path),
      'import.meta.dirname': JSON.stringify(dirname(path)),
    },
    plugins: [
      {
        name: 'hitc-api',
        setup(build) {
          build.onResolve({ filter: /^hitc$/ }, () => ({ path: hitcApiUrl(), external: true }));
        },
      },
    ],
  });
  const cwd = process.cwd();
  const inputs = Object.keys(result.metafile.inputs).map((p) => {
    const abs = resolve(cwd, p);
    const st = statSync(abs);
    return { path: abs, size: st.size, mtimeMs: st.mtimeMs };
  });
  writeFileSync(manifestPath, JSON.stringify({ api: hitcApiUrl(), inputs } satisfies Manifest));
  return pathToFileURL(out).href;
}

function fresh(manifestPath: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    if (manifest.api !== hitcApiUrl()) return false;
    return manifest.inputs.every((i) => {
      const st = statSync(i.path);
      return st.size === i.size && st.mtimeMs === i.mtimeMs;
    });
  } catch {
    return false;
  }
}

/** Why a directory may not hold code hitc will import, or undefined when it may. */
export function unsafeDir(dir: string, uid = currentUid()): string | undefined {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return 'is missing';
  }
  if (!st.isDirectory()) return 'is not a directory';
  return trustProblem(st, uid);
}

/** ~/.cache/hitc, or $XDG_CACHE_HOME/hitc when that is set to an absolute path. */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.cache');
  return join(base, 'hitc');
}

// Next to the project's node_modules when there is one (so the hitcfile's own packages
// resolve from the compiled file), else the user's cache directory. Undefined when that
// directory can't be made or is not the current user's alone.
function cacheDir(hitcfile: string): string | undefined {
  let cache = userCacheDir();
  for (let dir = dirname(hitcfile); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) {
      cache = join(dir, 'node_modules', '.cache', 'hitc');
      break;
    }
    if (dirname(dir) === dir) break;
  }
  try {
    mkdirSync(cache, { recursive: true, mode: 0o700 });
  } catch {
    return undefined;
  }
  return unsafeDir(cache) === undefined ? cache : undefined;
}

// A fresh 0700 directory under a random name, removed when hitc exits. Beside the project's
// node_modules when there is one (its packages must resolve), else in the temp directory.
function privateDir(hitcfile: string): string {
  let parent = tmpdir();
  for (let dir = dirname(hitcfile); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) {
      // a node_modules others may write to could swap the directory: then the temp dir
      if (unsafeDir(join(dir, 'node_modules')) === undefined) parent = join(dir, 'node_modules');
      break;
    }
    if (dirname(dir) === dir) break;
  }
  let made: string;
  try {
    made = mkdtempSync(join(parent, '.hitc-'));
  } catch {
    made = mkdtempSync(join(tmpdir(), 'hitc-'));
  }
  process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  return made;
}

function ownFile(path: string): boolean {
  try {
    const st = lstatSync(path);
    return st.isFile() && trustProblem(st, currentUid()) === undefined;
  } catch {
    return false;
  }
}

function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}
