// Load a hitcfile: compiled in-process by esbuild (no build step, no loader hook). A syntax
// error becomes a ConfigError at file:line; an exception thrown while the file runs keeps the
// hitcfile frame as its location.

import { compileHitcfile } from './compile.ts';
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';

export async function loadHitcfile(path: string): Promise<Record<string, unknown>> {
  // errors thrown while the hitcfile runs then point at hitcfile.ts lines, not the compiled file
  process.setSourceMapsEnabled(true);
  try {
    return (await import(await compileHitcfile(path))) as Record<string, unknown>;
  } catch (error) {
    throw toConfigError(path, error);
  }
}

function toConfigError(path: string, error: unknown): ConfigError {
  const err = error as { message?: string; errors?: { text: string; location?: { file: string; line: number; column: number } }[] };
  // esbuild's TransformError carries structured locations
  const first = err.errors?.[0];
  if (first?.location) {
    return new ConfigError(first.text, {
      file: resolve(first.location.file),
      line: first.location.line,
      column: first.location.column + 1,
      hint: 'fix this in the file named above',
      cause: error,
    });
  }
  const message = String(err.message ?? error);
  const located = locate(path, message) ?? locate(path, String((error as Error)?.stack ?? ''));
  if (/Cannot find (module|package)/.test(message)) {
    return new ConfigError(firstLine(message), { file: path, ...located, hint: 'is the import path right, and did you run npm install?', cause: error });
  }
  return new ConfigError(`loading the hitcfile failed: ${firstLine(message)}`, {
    file: path,
    ...located,
    hint: 'the error happened while the hitcfile ran its top-level code',
    cause: error,
  });
}

function locate(path: string, text: string): { line: number; column?: number } | undefined {
  const name = path.split('/').pop() as string;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}:(\\d+)(?::(\\d+))?`).exec(text);
  if (!match) return undefined;
  return { line: Number(match[1]), ...(match[2] ? { column: Number(match[2]) } : {}) };
}

function firstLine(text: string): string {
  return text.split('\n')[0] as string;
}
