// The root side of sudo transfers, as pure command builders. SFTP runs as the login user, so a
// sudo put stages the bytes in a private file and root installs them atomically; a sudo get has
// root copy the file into a private temp file the login user can read.
//
// Problems the user can fix exit with INSTALL_REFUSED and a line `hitc: <why>` on stderr.

import { sh, type Command } from '../core/command.ts';

export const INSTALL_REFUSED = 3;
export const REASON_PREFIX = 'hitc: ';

/**
 * Moves `staging` (a complete file) over `dest`: through a symlink to its target, via a temp
 * file beside it (mktemp: 0600, root's) that gets its owner and mode, is synced, then renamed.
 * Owner/mode: the given ones, else the old file's, else root and `newMode`. Removes `staging`.
 */
export function installCommand(staging: string, dest: string, opts: { owner?: string; mode?: number; newMode: number }): Command {
  const owner = opts.owner ?? '';
  const mode = opts.mode === undefined ? '' : opts.mode.toString(8);
  return sh`src=${staging}; dst=${dest}; owner=${owner}; mode=${mode}; new_mode=${opts.newMode.toString(8)}; t=
trap 'rm -f -- "$src" "$t" 2>/dev/null' EXIT
refuse() { printf 'hitc: %s\\n' "$1" >&2; exit 3; }
if [ -L "$dst" ]; then r=$(readlink -f -- "$dst") && [ -e "$r" ] || refuse "$dst is a symlink to a missing file"; dst=$r; fi
[ -d "$dst" ] && refuse "$dst is a directory"
[ -e "$dst" ] && [ ! -f "$dst" ] && refuse "$dst is not a regular file (a device, FIFO or socket)"
dir=$(dirname -- "$dst")
[ -d "$dir" ] || refuse "directory $dir does not exist"
t=$(mktemp -- "$dir/.$(basename -- "$dst").hitc-XXXXXXXXXX") || exit 1
cat -- "$src" >"$t" || exit 1
if [ -e "$dst" ]; then own=$(stat -c %u:%g -- "$dst") && mod=$(stat -c %a -- "$dst") || exit 1; else own=0:0; mod=$new_mode; fi
[ -n "$owner" ] && own=$owner
[ -n "$mode" ] && mod=$mode
chown -- "$own" "$t" && chmod -- "$mod" "$t" || exit 1
sync -- "$t" 2>/dev/null || sync
mv -f -- "$t" "$dst" || exit 1
t=`;
}

/** Copies `src` (root-readable) into a fresh private temp file owned by `user`; prints its path. */
export function stageForGetCommand(src: string, user: string): Command {
  return sh`src=${src}; user=${user}
refuse() { printf 'hitc: %s\\n' "$1" >&2; exit 3; }
[ -e "$src" ] || refuse "remote file $src does not exist"
[ -f "$src" ] || refuse "$src is not a regular file"
t=$(mktemp /tmp/.hitc-get-XXXXXXXXXX) || exit 1
if cat -- "$src" >"$t" && chown -- "$user" "$t"; then printf '%s\\n' "$t"; else rm -f -- "$t"; exit 1; fi`;
}

/** The reason a refused install or stage gave, if it did. */
export function refusalReason(exitCode: number | null, stderr: string): string | undefined {
  if (exitCode !== INSTALL_REFUSED) return undefined;
  const line = stderr.split('\n').find((l) => l.startsWith(REASON_PREFIX));
  return line?.slice(REASON_PREFIX.length);
}
