// Start-up without a build step and without a TypeScript loader on the hot path: the first run
// after a change compiles src/ with esbuild into node_modules/.cache (about 0.1 s); later runs
// import that plain JavaScript directly. A cache that can't be written or built falls back to
// running the TypeScript sources through tsx.
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const CACHE = join(ROOT, 'node_modules', '.cache', 'hitc-build');

// Every source file's name, size and mtime: any edit changes the fingerprint.
function fingerprint() {
  const hash = createHash('sha1');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const st = statSync(path);
        hash.update(`${path}\0${st.size}\0${st.mtimeMs}\n`);
      }
    }
  };
  walk(SRC);
  hash.update(statSync(join(ROOT, 'package.json')).mtimeMs.toString());
  return hash.digest('hex').slice(0, 16);
}

async function build(outdir) {
  const esbuild = await import('esbuild');
  const tmp = `${outdir}.tmp-${process.pid}`;
  await esbuild.build({
    entryPoints: { main: join(SRC, 'cli/main.ts'), index: join(SRC, 'index.ts') },
    outdir: tmp,
    bundle: true,
    splitting: true, // main and index share one copy of every module (instanceof works across them)
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  });
  writeFileSync(join(tmp, 'package.json'), '{"type":"module"}\n');
  rmSync(outdir, { recursive: true, force: true });
  renameSync(tmp, outdir);
}

// The cache lives inside the install, so whoever can write it can already write src/. Still,
// code is imported from it only when it belongs to the owner of src/ (or to this user) and
// is writable by nobody else, group included: the rule of src/core/trust.ts (this file runs
// before any TypeScript loader, so it keeps its own copy; test/taskfile/trust.test.ts checks
// that they agree), so a loose .cache directory never becomes a way in.
export const WRITABLE_BY_OTHERS = 0o022;
function trusted(dir) {
  const st = lstatSync(dir);
  const me = typeof process.getuid === 'function' ? process.getuid() : undefined;
  return st.isDirectory() && (me === undefined || st.uid === statSync(SRC).uid || st.uid === me) && (st.mode & WRITABLE_BY_OTHERS) === 0;
}

/** URLs of the compiled entry points, or undefined when the cache can't be used. */
export async function compiledEntries() {
  if (process.env.HITC_NO_COMPILE_CACHE === '1') return undefined;
  try {
    const dir = join(CACHE, fingerprint());
    if (!existsSync(join(dir, 'main.mjs'))) {
      mkdirSync(CACHE, { recursive: true });
      for (const old of readdirSync(CACHE)) rmSync(join(CACHE, old), { recursive: true, force: true });
      await build(dir);
    }
    if (!trusted(CACHE) || !trusted(dir)) return undefined;
    return { main: pathToFileURL(join(dir, 'main.mjs')).href, index: pathToFileURL(join(dir, 'index.mjs')).href };
  } catch {
    return undefined;
  }
}
