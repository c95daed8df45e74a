// The shell commands of a copy, as values. The stream is a plain tar archive holding one entry,
// `./NAME`; the destination unpacks it into a private directory beside the target, and only a
// separate commit step renames it into place, so a copy cut short never touches the target.

import { posix } from 'node:path';
import { sh, type Command } from '../core/command.ts';
import type { PathKind } from './copy-target.ts';

/** One line per path: dir, file, other (exists, or a dangling link) or none. */
export function probeCommand(paths: readonly string[]): Command {
  return sh`for p in ${paths}; do if [ -d "$p" ]; then echo dir; elif [ -f "$p" ]; then echo file; elif [ -e "$p" ] || [ -L "$p" ]; then echo other; else echo none; fi; done`;
}

export function parseProbe(stdout: string, count: number): PathKind[] {
  const kinds = stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (kinds.length !== count || !kinds.every((k) => k === 'dir' || k === 'file' || k === 'none' || k === 'other')) {
    throw new Error(`unexpected probe output: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  return kinds as PathKind[];
}

/** The source entry as a tar stream on stdout (`./` keeps a name starting with - from being an option). */
export function packCommand(path: string, name: string): Command {
  return sh`tar -C ${posix.dirname(path.replace(/\/+$/, '') || '/')} -cf - ${`./${name}`}`;
}

export const STAGE_PREFIX = '.hitc-cp-';

/**
 * Makes the private directory, prints its path (the sign that stdin may flow) and unpacks stdin
 * into DIR/new, keeping modes and mtimes (owners are the unpacking user's: ids differ between
 * machines). A failed unpack removes the directory again.
 */
export function stageCommand(dir: string): Command {
  return sh`t=$(mktemp -d ${posix.join(dir, `${STAGE_PREFIX}XXXXXX`)}) || exit 1; printf '%s\\n' "$t"; mkdir "$t/new" && tar -C "$t/new" --no-same-owner -xpf - || { s=$?; rm -rf "$t"; exit $s; }`;
}

/** The private directory's path as printed by stageCommand, or undefined if the line is not one. */
export function stagedPath(line: string, dir: string): string | undefined {
  const prefix = `${posix.join(dir, STAGE_PREFIX)}`;
  return line.startsWith(prefix) && /^[A-Za-z0-9]{6}$/.test(line.slice(prefix.length)) ? line : undefined;
}

/**
 * Renames the unpacked entry onto the target (one rename for a file or a new directory). A
 * directory that exists is first moved into the private directory and moved back if the second
 * rename fails; the old one goes with the private directory.
 */
export function commitCommand(staged: string, name: string, target: string, replacesDir: boolean): Command {
  const entry = `${staged}/new/${name}`;
  if (!replacesDir) return sh`mv -f -T ${entry} ${target} && rm -rf ${staged}`;
  const old = `${staged}/old`;
  return sh`mv -T ${target} ${old} || exit 1; if ! mv -T ${entry} ${target}; then mv -T ${old} ${target}; exit 1; fi; rm -rf ${staged}`;
}

/** Removes the private directory; a replaced directory caught between the two renames of its
 *  commit (an interrupted commit) is moved back first. */
export function discardCommand(staged: string, target: string): Command {
  const old = `${staged}/old`;
  return sh`if [ -d ${old} ] && [ ! -e ${target} ]; then mv -T ${old} ${target}; fi; rm -rf ${staged}`;
}
