// Turns a hitcfile (and the local files it imports) into one ES module with esbuild, cached by
// its inputs' sizes and mtimes. In-process compilation is much cheaper than a loader hook, and
// gives exact file:line for syntax errors. Packages stay external and resolve as usual.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hitcApiUrl } from './api-url.ts';

interface Manifest {
  readonly api: string;
  readonly inputs: readonly { path: string; size: number; mtimeMs: number }[];
}

/** The file URL of the compiled module for this hitcfile. Throws esbuild's failure as is. */
export async function compileHitcfile(path: string): Promise<string> {
  const dir = cacheDir(path);
  const key = createHash('sha1').update(path).digest('hex').slice(0, 16);
  const out = join(dir, `hitcfile-${key}.mjs`);
  const manifestPath = join(dir, `hitcfile-${key}.json`);
  if (existsSync(out) && fresh(manifestPath)) return pathToFileURL(out).href;

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

// Next to the project's node_modules when there is one (so the hitcfile's own packages
// resolve from the compiled file), else a per-user temp directory.
function cacheDir(hitcfile: string): string {
  for (let dir = dirname(hitcfile); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) {
      const cache = join(dir, 'node_modules', '.cache', 'hitc');
      mkdirSync(cache, { recursive: true });
      return cache;
    }
    if (dirname(dir) === dir) break;
  }
  const cache = join(tmpdir(), `hitc-cache-${userInfo().uid}`);
  mkdirSync(cache, { recursive: true, mode: 0o700 });
  return cache;
}
