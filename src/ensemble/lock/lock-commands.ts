// The server lock as values: one directory per server, made with mkdir (atomic on POSIX: of two
// runs only one creates it), holding an info file that says who holds it. Releasing removes it
// only while its info still carries our random token, so a run never frees another run's lock.
// Pure builders and parsers; lock-servers.ts runs them through the server's root shell.

import { sh, type Command } from '../../core/command.ts';

export const LOCK_DIR = '/var/lib/hitc/lock';
const INFO = `${LOCK_DIR}/info`;

export const LOCK_TAKEN = 'hitc-lock-taken';
export const LOCK_HELD = 'hitc-lock-held';
export const LOCK_RELEASED = 'hitc-lock-released';
export const LOCK_NOT_OURS = 'hitc-lock-not-ours';
export const LOCK_NONE = 'hitc-lock-none';

/** Who holds a server's lock. `from` is the address the server saw the holder's SSH connection
 *  come from (empty when it could not tell); `who` and `pid` are on the holder's own machine. */
export interface LockInfo {
  readonly token: string;
  readonly ensemble: string;
  readonly who: string;
  readonly pid: number;
  /** ISO 8601, UTC. */
  readonly since: string;
  readonly from: string;
}

/** The info file's one JSON line, with `from` left for the remote shell to fill in: the SSH peer
 *  address is only known there (or given when the root shell lost it to sudo). */
function infoParts(info: Omit<LockInfo, 'from'>): { head: string; tail: string } {
  const text = JSON.stringify({ version: 1, token: info.token, ensemble: info.ensemble, who: info.who, pid: info.pid, since: info.since, from: '\u0000' });
  const [head = '', tail = ''] = text.split('"\\u0000"');
  return { head, tail };
}

/** Takes the lock, or prints who holds it. Prints LOCK_TAKEN, or LOCK_HELD then the holder's
 *  info (none while a taker is still between its mkdir and its info). Exits non-zero only when
 *  the lock can be neither taken nor read (no /var/lib/hitc, a read-only disk…). The info is
 *  written beside and renamed into place, so a reader never sees half of it. */
export function acquireLockCommand(info: Omit<LockInfo, 'from'>, peer = ''): Command {
  const { head, tail } = infoParts(info);
  return sh`mkdir -p /var/lib/hitc || exit 1; if mkdir ${LOCK_DIR} 2>/dev/null; then from=\${SSH_CLIENT%% *}; case $from in ''|*[!0-9A-Fa-f:.]*) from=${peer};; esac; { printf '%s"%s"%s\\n' ${head} "$from" ${tail} >${INFO}.new && mv -f ${INFO}.new ${INFO}; } || { rm -rf ${LOCK_DIR}; exit 1; }; echo ${LOCK_TAKEN}; elif [ -d ${LOCK_DIR} ]; then echo ${LOCK_HELD}; cat ${INFO} 2>/dev/null; true; else exit 1; fi`;
}

/** Removes the lock if it is ours. Prints LOCK_RELEASED, LOCK_NOT_OURS or LOCK_NONE. (Between
 *  the check and the removal nobody else can take it: it is still there, and ours.) */
export function releaseLockCommand(token: string): Command {
  if (!/^[0-9a-f]{8,64}$/.test(token)) throw new Error(`not a lock token: ${JSON.stringify(token)}`);
  return sh`if grep -qF ${`"token":"${token}"`} ${INFO} 2>/dev/null; then rm -rf ${LOCK_DIR} && echo ${LOCK_RELEASED}; elif [ -d ${LOCK_DIR} ]; then echo ${LOCK_NOT_OURS}; else echo ${LOCK_NONE}; fi`;
}

/** Prints LOCK_NONE, or LOCK_HELD then the holder's info. */
export function readLockCommand(): Command {
  return sh`if [ -d ${LOCK_DIR} ]; then echo ${LOCK_HELD}; cat ${INFO} 2>/dev/null; true; else echo ${LOCK_NONE}; fi`;
}

export type LockState = { readonly state: 'taken' } | { readonly state: 'none' } | { readonly state: 'held'; readonly holder: LockInfo | undefined };

/** What acquireLockCommand or readLockCommand printed. A held lock whose info is missing or
 *  unreadable has holder undefined (being taken right now, or left by a run killed in between). */
export function parseLockState(stdout: string): LockState {
  const [first = '', ...rest] = stdout.trim().split('\n');
  const marker = first.trim();
  if (marker === LOCK_TAKEN) return { state: 'taken' };
  if (marker === LOCK_NONE) return { state: 'none' };
  if (marker === LOCK_HELD) return { state: 'held', holder: parseLockInfo(rest.join('\n')) };
  throw new Error(`unexpected answer from the lock command: ${JSON.stringify(stdout.slice(0, 200))}`);
}

export function parseLockInfo(text: string): LockInfo | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text.trim());
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const token = str('token');
  const ensemble = str('ensemble');
  const who = str('who');
  const since = str('since');
  if (token === undefined || !/^[0-9a-f]{8,64}$/.test(token) || ensemble === undefined || who === undefined || since === undefined || typeof v.pid !== 'number') return undefined;
  return { token, ensemble, who, pid: v.pid, since, from: str('from') ?? '' };
}

/** "web is locked by alice@laptop (from 203.0.113.7) for ensemble shop since 12:01:03 UTC
 *  (pid 4242)": the date is added when it is not today's. */
export function lockHolderText(server: string, holder: LockInfo | undefined, now: Date = new Date()): string {
  if (!holder) return `${server} is locked by a run whose details are not written (yet): it is being taken right now, or was left by a run killed while taking it`;
  const since = new Date(holder.since);
  const when = Number.isNaN(since.getTime())
    ? holder.since
    : `${since.toISOString().slice(0, 10) === now.toISOString().slice(0, 10) ? '' : `${since.toISOString().slice(0, 10)} `}${since.toISOString().slice(11, 19)} UTC`;
  return `${server} is locked by ${holder.who}${holder.from ? ` (from ${holder.from})` : ''} for ensemble ${holder.ensemble} since ${when} (pid ${holder.pid})`;
}
