// Where a copy lands, decided before anything is written: `SRC`/`DST` words become endpoints, and
// what the probes found on both sides becomes the target (or a user error that changed nothing).

import { posix } from 'node:path';
import { UsageError } from '../core/errors.ts';

/** A local path (host undefined) or `[user@]host:path` on a server. */
export interface CopyEndpoint {
  readonly host?: string;
  readonly path: string;
  /** The word as typed, for messages. */
  readonly word: string;
}

export type PathKind = 'dir' | 'file' | 'none' | 'other';

/**
 * Like scp: `host:path` names a server, anything whose first `:` comes after a `/` (or that has
 * none) is a local path, so `./a:b` is local. A host with a port has no place here (`h:22:/x`
 * would be ambiguous): use an ssh_config alias or a provider's node name, which carry the port.
 */
export function parseEndpoint(word: string, argument: string): CopyEndpoint {
  if (word === '') throw new UsageError(`${argument} is empty`, { argument, hint: 'give a local path or HOST:PATH' });
  const bracket = word.startsWith('[') ? word.indexOf(']') : -1;
  const colon = word.indexOf(':', bracket < 0 ? 0 : bracket);
  const slash = word.indexOf('/');
  if (colon < 0 || (slash >= 0 && slash < colon)) return { path: word, word };
  const host = bracket >= 0 ? word.slice(1, bracket) : word.slice(0, colon);
  if (host === '' || /\s/.test(host)) throw new UsageError(`${argument} "${word}" has no host before ":"`, { argument: word, hint: 'write HOST:PATH, or ./PATH for a local path with a colon' });
  if (/^\d+:/.test(word.slice(colon + 1))) {
    throw new UsageError(`${argument} "${word}": HOST:PORT:PATH is not supported`, { argument: word, hint: 'name the server by an ssh_config alias or a node name that carries the port' });
  }
  return { host, path: word.slice(colon + 1) === '' ? '.' : word.slice(colon + 1), word };
}

/** The last name of a path, without trailing slashes ('' for `/`, `.` or `..`, which name no entry to copy). */
export function entryName(path: string): string {
  const name = posix.basename(path.replace(/\/+$/, ''));
  return name === '.' || name === '..' ? '' : name;
}

/** The paths the destination side is probed for, in this order. */
export function destinationProbes(dst: string, sourceName: string): [string, string, string] {
  return [dst, posix.join(dst, sourceName), posix.dirname(dst.replace(/\/+$/, '') || '/')];
}

export interface CopyTarget {
  /** The directory the target is created in (the temporary directory goes there too). */
  readonly dir: string;
  readonly name: string;
  /** A directory target that exists and is replaced whole. */
  readonly replacesDir: boolean;
}

export interface ResolveInput {
  readonly src: CopyEndpoint;
  readonly dst: CopyEndpoint;
  readonly srcKind: PathKind;
  /** Kinds of destinationProbes(dst, entryName(src.path)). */
  readonly dstKinds: readonly [PathKind, PathKind, PathKind];
  readonly replace: boolean;
}

export function resolveTarget(input: ResolveInput): CopyTarget {
  const { src, dst, srcKind } = input;
  const [dstKind, childKind, parentKind] = input.dstKinds;
  const name = entryName(src.path);
  if (srcKind === 'none') throw new UsageError(`${src.word} does not exist`, { argument: src.word, hint: 'check the source path (relative server paths start in the login\'s home)' });
  if (srcKind === 'other') throw new UsageError(`${src.word} is neither a file nor a directory`, { argument: src.word });
  if (name === '') throw new UsageError(`${src.word} names no entry to copy`, { argument: src.word, hint: 'name the directory itself, e.g. /srv/app rather than /srv/app/. or /' });
  const intoDir = dstKind === 'dir' || dst.path.endsWith('/');
  if (intoDir && dstKind !== 'dir') {
    throw new UsageError(`${dst.word} is not a directory`, { argument: dst.word, hint: dstKind === 'none' ? 'create it first, or drop the trailing / to copy under that name' : 'drop the trailing / to replace it' });
  }
  if (!intoDir && parentKind !== 'dir') {
    throw new UsageError(`the directory of ${dst.word} does not exist`, { argument: dst.word, hint: 'create it first; cp creates only the target itself' });
  }
  const existing = intoDir ? childKind : dstKind;
  const target = intoDir ? posix.join(dst.path, name) : dst.path;
  const shown = dst.host ? `${dst.host}:${target}` : target;
  if (existing === 'other') throw new UsageError(`${shown} exists and is neither a file nor a directory`, { argument: dst.word });
  if (srcKind === 'dir' && existing === 'file') throw new UsageError(`cannot copy directory ${src.word} onto file ${shown}`, { argument: dst.word, hint: 'remove the file first, or copy to another name' });
  if (srcKind === 'file' && existing === 'dir') throw new UsageError(`cannot copy file ${src.word} onto directory ${shown}`, { argument: dst.word, hint: 'name a path inside it, or remove it first' });
  if (srcKind === 'dir' && existing === 'dir' && !input.replace) {
    throw new UsageError(`directory ${shown} exists`, { argument: dst.word, hint: 'add replace=true to swap it whole for the copy (its present contents go), or copy to a new name' });
  }
  const trimmed = target.replace(/\/+$/, '');
  return { dir: posix.dirname(trimmed), name: posix.basename(trimmed), replacesDir: existing === 'dir' };
}
