// Whether a file or directory may hold code hitc imports (a hitcfile, the directories above
// it, the compile cache): it must be the user's own and writable by nobody else. Group-write
// counts as someone else, as in OpenSSH's StrictModes: whoever shares the group could plant a
// hitcfile.ts that runs with this user's rights (often root's). With user-private groups that
// group is the user alone, but hitc cannot tell that from a mode, so a project in a 775
// directory is loaded with -f. bin/compiled.mjs (plain JS, no TypeScript loader yet) applies
// the same rule; test/taskfile/trust.test.ts checks that the two agree.

/** The permission bits that let someone other than the owner write. */
export const WRITABLE_BY_OTHERS = 0o022;

/** Why `st` may not be trusted by `uid` (undefined where there are no uids), or undefined. */
export function trustProblem(st: { uid: number; mode: number }, uid: number | undefined): string | undefined {
  if (uid !== undefined && st.uid !== uid) return `is owned by uid ${st.uid}, not by you (uid ${uid})`;
  const mode = (st.mode & 0o7777).toString(8);
  if ((st.mode & 0o002) !== 0) return `is writable by every user (mode ${mode})`;
  if ((st.mode & 0o020) !== 0) return `is writable by its group (mode ${mode})`;
  return undefined;
}
