// POSIX shell quoting. Every value hitc interpolates into a remote command passes through here,
// so `; $(…) \` ' "` and newlines arrive at the remote program as literal bytes.

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quote one word for sh/bash. Words made only of safe characters stay readable. */
export function quote(word: string): string {
  if (word === '') return "''";
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Quote each word and join with spaces: an argv turned into one shell line. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quote).join(' ');
}
