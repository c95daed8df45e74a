// Commands are values. Pure functions build them; only a transport runs them.
// A Command carries the script for the remote shell, a display form for humans (secrets
// masked), and the secret values that must reach the remote process through stdin.

import { UsageError } from './errors.ts';
import { argvRole, quote, quoteArgv, refuseNul } from './quote.ts';
import { redact } from './redact.ts';
import { Secret, SECRET_MASK } from './secret.ts';

export interface Command {
  readonly kind: 'hitc-command';
  /** What the remote shell runs. Never contains a secret value. */
  readonly script: string;
  /** What hitc shows: same as script, with secrets masked. */
  readonly display: string;
  /** Secret values, in order; the script reads them from stdin, one line each. */
  readonly secrets: readonly string[];
  /** The variable each secret is read into, in the same order (absent: HITC_SECRET_0, 1, …).
   *  Names are unique across every command built in this process, so a command spliced into
   *  another keeps its secrets' names and their values stay apart. */
  readonly secretNames?: readonly string[];
}

/** Each secret sh`` renders gets a variable of its own (see Command.secretNames). */
let secretSerial = 0;

function secretNamesOf(command: Command): readonly string[] {
  return command.secretNames ?? command.secrets.map((_, i) => `HITC_SECRET_${i}`);
}

/** Something hitc will splice into an `sh` template verbatim (trusted shell syntax). */
export class RawShell {
  constructor(readonly text: string) {}
}
export function raw(text: string): RawShell {
  refuseNul(text, 'a raw() shell fragment');
  return new RawShell(text);
}

export type ShellValue = string | number | boolean | Secret | RawShell | Command | readonly ShellValue[];

export function isCommand(value: unknown): value is Command {
  return typeof value === 'object' && value !== null && (value as Command).kind === 'hitc-command';
}

/** A plain script the user wrote themselves (e.g. `run('uptime')`): trusted, not quoted. */
export function script(text: string): Command {
  refuseNul(text, 'the command');
  return { kind: 'hitc-command', script: text, display: text, secrets: [] };
}

/** An argv run as one command, each word quoted. */
export function argv(words: readonly string[]): Command {
  const text = words.map((w, i) => quote(w, argvRole(words, i))).join(' ');
  return { kind: 'hitc-command', script: text, display: text, secrets: [] };
}

/**
 * Tagged template: sh`tar -C ${dir} -xf ${file}`. Interpolated values are quoted; arrays
 * become several quoted words; raw() passes through; Secrets are read from stdin so they
 * never appear in the remote argv.
 */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): Command {
  let body = '';
  let display = '';
  const secrets: string[] = [];
  const secretNames: string[] = [];
  let role: () => string = () => 'a command value';
  const render = (value: ShellValue): [string, string] => {
    if (value instanceof Secret) {
      refuseNul(value.reveal(), `secret ${value.label}`, { secret: true });
      const name = `HITC_SECRET_${secretSerial++}`;
      secrets.push(value.reveal());
      secretNames.push(name);
      return [`"$${name}"`, SECRET_MASK];
    }
    if (value instanceof RawShell) {
      refuseNul(value.text, 'a raw() shell fragment');
      return [value.text, value.text];
    }
    if (isCommand(value)) {
      secrets.push(...value.secrets);
      secretNames.push(...secretNamesOf(value));
      return [value.script, value.display];
    }
    if (Array.isArray(value)) {
      const parts = value.map(render);
      return [parts.map((p) => p[0]).join(' '), parts.map((p) => p[1]).join(' ')];
    }
    const word = quote(String(value), role);
    return [word, word];
  };
  strings.forEach((chunk, i) => {
    refuseNul(chunk, 'an sh`…` template');
    body += chunk;
    display += chunk;
    if (i < values.length) {
      const before = display;
      // named only when a NUL is found, from the masked text (see refuseNul)
      role = () => `the value after "${redact(before).slice(-40).trimStart()}" in a command`;
      const [s, d] = render(values[i] as ShellValue);
      body += s;
      display += d;
    }
  });
  return { kind: 'hitc-command', script: body, display, secrets, ...(secrets.length > 0 ? { secretNames } : {}) };
}

/** How a command is wrapped for sudo. `password` mode makes sudo prompt on stderr with a marker. */
export type SudoMode = { user?: string } & ({ mode: 'nopasswd' } | { mode: 'password'; prompt: string; ready: string });

/**
 * The script a transport actually sends. Secrets are read from stdin into environment variables
 * before the command runs; under sudo that happens inside the sudo'd shell (sudo drops the
 * caller's environment). In password mode the sudo'd shell first prints a ready marker on
 * stderr, so the transport knows when sudo has stopped reading its password and the remaining
 * stdin (secrets, user input) belongs to the command.
 */
export function remoteScript(command: Command, sudo?: SudoMode): string {
  // the last gate before a transport: whatever built the command, a NUL is never sent
  refuseNul(command.script, () => `the command "${redact(command.display).replace(/\0/g, '\\0').slice(0, 80)}"`);
  checkSecrets(command);
  const reads = secretNamesOf(command).map((name) => `IFS= read -r ${name}; export ${name}; `);
  const inner = `${reads.join('')}${command.script}`;
  if (!sudo) return inner;
  const as = sudo.user ? ['-u', sudo.user] : [];
  if (sudo.mode === 'nopasswd') {
    return `${quoteArgv(['sudo', '-n', ...as, '-H', '--', 'sh', '-c'])} ${quote(inner)}`;
  }
  const withReady = `printf '%s\\n' ${quote(sudo.ready)} >&2; ${inner}`;
  return `${quoteArgv(['sudo', '-S', '-p', sudo.prompt, ...as, '-H', '--', 'sh', '-c'])} ${quote(withReady)}`;
}

/** The bytes that precede any user stdin so the script can read its secrets (one per line). */
export function secretStdin(command: Command): string {
  checkSecrets(command);
  return command.secrets.map((s) => `${s}\n`).join('');
}

/** Each secret travels as one stdin line read by `read -r`: a newline or a NUL would cut it. */
function checkSecrets(command: Command): void {
  for (const value of command.secrets) {
    if (value.includes('\n')) throw new UsageError('a secret passed to a command cannot contain a newline', { hint: 'store it base64-encoded' });
    refuseNul(value, 'a secret passed to a command', { secret: true });
  }
}
