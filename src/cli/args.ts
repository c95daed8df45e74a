// argv → CliRequest, as a pure function (table-tested). No I/O, no process access.

import { UsageError } from '../core/errors.ts';
import { splitList } from '../core/list-value.ts';
import { suggest } from '../core/suggest.ts';
import { parseTaskInvocation, type TaskInvocation } from './task-invocation.ts';

export type OutputMode = 'stream' | 'grouped';

export interface CliRequest {
  readonly action: 'run' | 'list' | 'display' | 'help' | 'version';
  readonly tasks: readonly TaskInvocation[];
  /** The command after `--`, run on every selected host. */
  readonly adhoc?: string;
  readonly hosts: readonly string[];
  readonly roles: readonly string[];
  readonly exclude: readonly string[];
  readonly parallel: boolean;
  readonly poolSize?: number;
  readonly hitcfile?: string;
  readonly display?: string;
  readonly user?: string;
  readonly identities: readonly string[];
  readonly port?: number;
  readonly forwardAgent: boolean;
  readonly gateway?: string;
  readonly connectTimeoutSec?: number;
  readonly commandTimeoutSec?: number;
  readonly hostTimeoutSec?: number;
  readonly warnOnly: boolean;
  readonly skipBadHosts: boolean;
  readonly yes: boolean;
  readonly force: boolean;
  readonly json: boolean;
  readonly color?: boolean;
  readonly output: OutputMode;
  readonly sshConfig?: string;
  readonly strictHostKeys: boolean;
  readonly connectConcurrency?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

interface OptionSpec {
  long: string;
  short?: string;
  /** Name of the value, or undefined for a flag. */
  value?: string;
  help: string;
  apply: (req: Mutable<CliRequest>, value: string, flag: string) => void;
}

const num = (flag: string, value: string, min: number, integer: boolean): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} needs ${integer ? 'a whole number' : 'a number'} ≥ ${min}, got "${value}"`, {
      argument: flag,
    });
  }
  return n;
};

export const OPTIONS: readonly OptionSpec[] = [
  { long: 'hosts', short: 'H', value: 'LIST', help: 'comma list of [user@]host[:port] to run on', apply: (r, v) => r.hosts.push(...splitList(v)) },
  { long: 'roles', short: 'R', value: 'LIST', help: 'comma list of roles to run on', apply: (r, v) => r.roles.push(...splitList(v)) },
  { long: 'exclude-hosts', short: 'x', value: 'LIST', help: 'hosts to leave out', apply: (r, v) => r.exclude.push(...splitList(v)) },
  { long: 'parallel', short: 'P', help: 'run on all hosts at once (bounded by --pool-size)', apply: (r) => (r.parallel = true) },
  { long: 'pool-size', short: 'z', value: 'N', help: 'at most N hosts at once in parallel mode', apply: (r, v, f) => (r.poolSize = num(f, v, 1, true)) },
  { long: 'hitcfile', short: 'f', value: 'PATH', help: 'use this hitcfile instead of searching for hitcfile.ts', apply: (r, v) => (r.hitcfile = v) },
  { long: 'list', short: 'l', help: 'list the available tasks', apply: (r) => (r.action = 'list') },
  { long: 'display', short: 'd', value: 'TASK', help: "show a task's description and arguments", apply: (r, v) => { r.action = 'display'; r.display = v; } },
  { long: 'user', short: 'u', value: 'USER', help: 'SSH user when the host gives none', apply: (r, v) => (r.user = v) },
  { long: 'identity', short: 'i', value: 'PATH', help: 'private key file (repeatable)', apply: (r, v) => r.identities.push(v) },
  { long: 'port', short: 'p', value: 'PORT', help: 'SSH port when the host gives none', apply: (r, v, f) => (r.port = num(f, v, 1, true)) },
  { long: 'forward-agent', short: 'A', help: 'forward the local ssh-agent', apply: (r) => (r.forwardAgent = true) },
  { long: 'gateway', short: 'g', value: 'HOST', help: 'jump host for every connection ([user@]host[:port], comma chain)', apply: (r, v) => (r.gateway = v) },
  { long: 'timeout', short: 't', value: 'SECONDS', help: 'SSH connect timeout (default 10)', apply: (r, v, f) => (r.connectTimeoutSec = num(f, v, 0.1, false)) },
  { long: 'command-timeout', short: 'T', value: 'SECONDS', help: 'kill a remote command after this long', apply: (r, v, f) => (r.commandTimeoutSec = num(f, v, 0.1, false)) },
  { long: 'host-timeout', value: 'SECONDS', help: 'give up on a host after this long in total', apply: (r, v, f) => (r.hostTimeoutSec = num(f, v, 0.1, false)) },
  { long: 'warn-only', short: 'w', help: 'a failing command warns instead of failing its task', apply: (r) => (r.warnOnly = true) },
  { long: 'skip-bad-hosts', help: 'skip unreachable hosts instead of stopping', apply: (r) => (r.skipBadHosts = true) },
  { long: 'yes', short: 'y', help: 'answer yes to confirmations', apply: (r) => (r.yes = true) },
  { long: 'force', help: 'allow overwriting (hitc init)', apply: (r) => (r.force = true) },
  { long: 'json', help: 'print one JSON result on stdout instead of text', apply: (r) => (r.json = true) },
  { long: 'no-color', help: 'no colours (also NO_COLOR=1)', apply: (r) => (r.color = false) },
  { long: 'color', help: 'colours even when not on a terminal', apply: (r) => (r.color = true) },
  { long: 'output', value: 'stream|grouped', help: "stream lines as they come, or print each host's block when it finishes", apply: (r, v, f) => {
    if (v !== 'stream' && v !== 'grouped') throw new UsageError(`${f} must be "stream" or "grouped", got "${v}"`, { argument: f });
    r.output = v;
  } },
  { long: 'ssh-config', short: 'F', value: 'PATH', help: 'ssh config file (default ~/.ssh/config)', apply: (r, v) => (r.sshConfig = v) },
  { long: 'strict-host-keys', help: 'refuse hosts missing from known_hosts (default: accept new, refuse changed)', apply: (r) => (r.strictHostKeys = true) },
  { long: 'connect-concurrency', value: 'N', help: 'at most N SSH handshakes at once (default 24)', apply: (r, v, f) => (r.connectConcurrency = num(f, v, 1, true)) },
  { long: 'version', short: 'V', help: 'print the version', apply: (r) => (r.action = 'version') },
  { long: 'help', short: 'h', help: 'show this help', apply: (r) => (r.action = 'help') },
];

export function parseArgs(argv: readonly string[]): CliRequest {
  const req: Mutable<CliRequest> = {
    action: 'run', tasks: [], hosts: [], roles: [], exclude: [], identities: [],
    parallel: false, forwardAgent: false, warnOnly: false, skipBadHosts: false, yes: false,
    force: false, json: false, output: 'stream', strictHostKeys: false,
  };
  const byLong = new Map(OPTIONS.map((o) => [o.long, o]));
  const byShort = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short as string, o]));
  // exec cannot pass a NUL, but main() can be called with any strings: never let one through
  argv.forEach((word, i) => {
    if (word.includes('\0')) throw new UsageError(`argument ${i + 1} contains a NUL byte (\\0), which no command can carry`, { argument: word.replace(/\0/g, '\\0') });
  });
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') {
      const rest = argv.slice(i + 1);
      if (rest.length === 0) throw new UsageError('nothing after --', { argument: '--', hint: 'write: hitc -H HOST -- COMMAND' });
      req.adhoc = rest.join(' ');
      break;
    }
    const takeValue = (opt: OptionSpec, flag: string, inline?: string): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`${flag} needs a value (${opt.value})`, { argument: flag });
      i++;
      return next;
    };
    if (word.startsWith('--') && word.length > 2) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq < 0 ? undefined : eq);
      const opt = byLong.get(name);
      if (!opt) {
        throw new UsageError(`unknown option --${name}`, {
          argument: word,
          hint: hintFor(suggest(name, [...byLong.keys()]).map((s) => `--${s}`), 'hitc --help lists the options'),
        });
      }
      const inline = eq < 0 ? undefined : word.slice(eq + 1);
      if (!opt.value && inline !== undefined) throw new UsageError(`--${name} takes no value`, { argument: word });
      opt.apply(req, opt.value ? takeValue(opt, `--${name}`, inline) : '', `--${name}`);
    } else if (word.startsWith('-') && word.length > 1) {
      // bundled short flags (-Pw), the last one may take a value (-H a,b or -Ha,b)
      for (let j = 1; j < word.length; j++) {
        const letter = word[j] as string;
        const opt = byShort.get(letter);
        if (!opt) {
          throw new UsageError(`unknown option -${letter}`, { argument: word, hint: 'hitc --help lists the options' });
        }
        if (opt.value) {
          const inline = j + 1 < word.length ? word.slice(j + 1) : undefined;
          opt.apply(req, takeValue(opt, `-${letter}`, inline), `-${letter}`);
          break;
        }
        opt.apply(req, '', `-${letter}`);
      }
    } else {
      req.tasks.push(parseTaskInvocation(word));
    }
  }
  if (req.action === 'run' && req.tasks.length === 0 && req.adhoc === undefined) req.action = 'help';
  if (req.adhoc !== undefined && req.tasks.length > 0) {
    throw new UsageError('give either tasks or "-- COMMAND", not both', { argument: req.tasks[0]?.word });
  }
  return req;
}

function hintFor(candidates: string[], fallback: string): string {
  return candidates.length > 0 ? `did you mean ${candidates.join(' or ')}?` : fallback;
}
