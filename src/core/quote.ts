// POSIX shell quoting. Every value hitc interpolates into a remote command passes through here,
// so `; $(…) \` ' "` and newlines arrive at the remote program as literal bytes.

import { UsageError } from './errors.ts';
import { redact } from './redact.ts';

// no leading `=`: zsh (a login shell SSH may run commands with) expands `=cmd` to cmd's path
const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$/;

/**
 * A NUL byte cannot reach a program through a shell line or argv (C strings end there), so a
 * value carrying one would arrive cut short or altered: refuse it before anything is sent.
 * `role` says which value it is (shown to the user), e.g. "docker.logs: container".
 */
export function refuseNul(text: string, role: string | (() => string) = 'a command value', options: { secret?: boolean } = {}): void {
  if (!text.includes('\0')) return;
  // masked before anything is cut: a cut through a secret would leave a part no mask recognises
  const named = redact(typeof role === 'function' ? role() : role);
  throw new UsageError(`${named} contains a NUL byte (\\0), which no shell command or argv can carry; nothing was sent`, {
    hint: options.secret ? 'remove the NUL byte from the secret' : `remove the NUL byte from the value: ${preview(text)}`,
  });
}

/** The value as an escaped literal, short enough for one line (NUL shows as \u0000). */
function preview(text: string): string {
  const shown = redact(text);
  return JSON.stringify(shown.length > 60 ? `${shown.slice(0, 60)}…` : shown);
}

/** Quote one word for sh/bash. Words made only of safe characters stay readable. */
export function quote(word: string, role?: string | (() => string)): string {
  refuseNul(word, role);
  if (word === '') return "''";
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Quote each word and join with spaces: an argv turned into one shell line. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map((w, i) => quote(w, argvRole(argv, i))).join(' ');
}

/** "argument 2 of docker" — which word of an argv a value is. */
export function argvRole(argv: readonly string[], i: number): string {
  return i === 0 ? 'the program name of a command' : `argument ${i} of ${JSON.stringify((argv[0] ?? '').replace(/\0/g, '\\0'))}`;
}
