// Locate hitcfile.ts the way Fabric found fabfile.py, the working directory, then its parents,
// but only through directories that nobody else can write to: a hitcfile is code hitc runs.
// The search stops after $HOME (nothing above a home belongs to its user), and before the
// first directory that is not owned by the current user or that anyone else (group or every
// user) may write to, and it refuses a hitcfile that is not the user's own in the same way (so
// running below /tmp never loads a /tmp/hitcfile.ts that someone else planted, and root
// running below /srv never loads one from a directory another account owns). A hitcfile
// elsewhere is still loaded when named with -f.

import { existsSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { trustProblem } from '../core/trust.ts';

export const HITCFILE_NAMES = ['hitcfile.ts', 'hitcfile.mts'] as const;

/** Whose files may be loaded: the home directory and uid (undefined where there are no uids). */
export interface Searcher {
  readonly home?: string;
  readonly uid?: number;
}

export interface HitcfileSearch {
  readonly found?: string;
  /** Directories looked in, nearest first. */
  readonly searched: readonly string[];
  /** Why the search went no further up, when it stopped before the root. */
  readonly stopped?: string;
}

export function currentSearcher(): Searcher {
  let home: string | undefined = process.env.HOME || homedir();
  try {
    home = realpathSync(home);
  } catch {
    // a HOME that does not exist stops nothing
  }
  return { ...(home ? { home } : {}), ...(typeof process.getuid === 'function' ? { uid: process.getuid() } : {}) };
}

/** Walks up from cwd under the rules above. */
export function searchHitcfile(cwd: string, who: Searcher = currentSearcher()): HitcfileSearch {
  const searched: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const refusal = untrusted(dir, who.uid);
    if (refusal) return { searched, stopped: `${dir} ${refusal}` };
    searched.push(dir);
    for (const name of HITCFILE_NAMES) {
      const path = join(dir, name);
      if (!existsSync(path)) continue;
      // the file itself too: someone else's (or a group-writable) hitcfile in my directory
      const bad = untrusted(path, who.uid);
      if (bad) return { searched, stopped: `${path} ${bad}` };
      return { found: path, searched };
    }
    if (who.home !== undefined && dir === who.home) return { searched, stopped: `${dir} is your home directory` };
    if (dirname(dir) === dir) return { searched };
  }
}

/** The hitcfile to load, or undefined when there is none (built-in tasks still work). */
export function findHitcfile(cwd: string, explicit?: string, who?: Searcher): string | undefined {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) {
      throw new UsageError(`hitcfile ${explicit} not found`, { argument: explicit, hint: 'check the path given to -f' });
    }
    return path;
  }
  return searchHitcfile(cwd, who).found;
}

/** "no hitcfile found (searched …; stopped …)" for listings and unknown-task errors. */
export function describeSearch(search: HitcfileSearch): string {
  const where = search.searched.length === 0 ? 'searched nowhere' : `searched ${search.searched.join(', ')}`;
  return `no hitcfile found (${where}${search.stopped ? `; stopped: ${search.stopped}` : ''})`;
}

function untrusted(dir: string, uid: number | undefined): string | undefined {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return 'cannot be read';
  }
  return trustProblem(st, uid);
}
