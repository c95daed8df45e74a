// What ~/.ssh/config says about one host, resolved the way OpenSSH does it, so `hitc`
// reaches a host with the same name, user, port, keys and jump hosts as `ssh alias` would.
//
// The `ssh-config` package tokenizes each line (quotes, `=` separators, Match criteria),
// but resolution is done here: its compute() does not follow Include, treats `?` as
// "zero or one character", and runs `Match exec` commands by default.

import { homedir, hostname as localHostname, userInfo } from 'node:os';
import { ConfigError } from '../core/errors.ts';
import { matchPatternList } from './known-hosts.ts';
import { expandTilde, type ConfigNode, type MatchCriterion, type Origin, type SshConfigSource } from './ssh-config-load.ts';

export { emptySshConfig, hostAliases, loadSshConfig, type SshConfigSource } from './ssh-config-load.ts';
export interface SshHostConfig {
  /** HostName (with %h substituted) or the alias itself. */
  hostname: string;
  user?: string;
  port?: number;
  /** IdentityFile values, ~ and %-tokens expanded, in order. */
  identityFiles: string[];
  identitiesOnly?: boolean;
  /** ProxyJump split on ',', [] when absent or 'none'. */
  proxyJump: string[];
  connectTimeoutSec?: number;
  /** UserKnownHostsFile, ~ and %-tokens expanded; [] when unset. */
  userKnownHostsFiles: string[];
  strictHostKeyChecking?: 'yes' | 'no' | 'accept-new' | 'ask' | 'off';
  forwardAgent?: boolean;
  /** IdentityAgent: 'SSH_AUTH_SOCK', 'none', '$VAR' (left for the caller), or an expanded path. */
  identityAgent?: string;
  serverAliveIntervalSec?: number;
  serverAliveCountMax?: number;
  compression?: boolean;
}


interface Obtained {
  args: string[];
  origin: Origin;
}

interface Resolution {
  alias: string;
  localUser: string;
  values: Map<string, Obtained>;
  identityFiles: Obtained[];
}

export function resolveHost(
  source: SshConfigSource,
  alias: string,
  opts: { localUser?: string; home?: string } = {},
): SshHostConfig {
  const home = opts.home ?? homedir();
  const localUser = opts.localUser ?? currentUser();
  const state: Resolution = { alias, localUser, values: new Map(), identityFiles: [] };
  apply(source.nodes, state);

  const raw = (key: string) => state.values.get(key);
  const hostname = hostNameFor(state);
  const user = raw('user')?.args[0];
  const port = integer(raw('port'), 'Port', 1, 65535);
  const tokens: Record<string, string> = {
    h: hostname,
    p: String(port ?? 22),
    r: user ?? localUser,
    u: localUser,
    d: home,
    n: alias,
    l: localHostname(),
    L: localHostname().split('.')[0]!,
    i: String(process.getuid?.() ?? ''),
    '%': '%',
  };
  const path = (value: string, origin: Origin) => expandTilde(expandPercent(value, tokens, origin), home);

  const proxyJump = raw('proxyjump')?.args.join(',');
  const knownHosts = raw('userknownhostsfile');
  const agent = raw('identityagent');
  return {
    hostname,
    ...(user !== undefined && { user }),
    ...(port !== undefined && { port }),
    identityFiles: state.identityFiles.map(({ args, origin }) => path(args.join(' '), origin)),
    ...optional('identitiesOnly', flag(raw('identitiesonly'), 'IdentitiesOnly')),
    proxyJump:
      proxyJump === undefined || proxyJump.toLowerCase() === 'none'
        ? []
        : proxyJump.split(',').map((hop) => hop.trim()).filter(Boolean),
    ...optional('connectTimeoutSec', integer(raw('connecttimeout'), 'ConnectTimeout', 0)),
    // `none` means "no user file"; /dev/null reads as empty and swallows accept-new writes,
    // which is that behaviour without making callers special-case the word.
    userKnownHostsFiles: !knownHosts
      ? []
      : knownHosts.args.map((f) => (f.toLowerCase() === 'none' ? '/dev/null' : path(f, knownHosts.origin))),
    ...optional('strictHostKeyChecking', strictness(raw('stricthostkeychecking'))),
    // ForwardAgent may also name a socket; any value other than no still forwards.
    ...optional('forwardAgent', agentFlag(raw('forwardagent'))),
    ...optional('identityAgent', agent && identityAgent(agent, path)),
    ...optional('serverAliveIntervalSec', integer(raw('serveraliveinterval'), 'ServerAliveInterval', 0)),
    ...optional('serverAliveCountMax', integer(raw('serveralivecountmax'), 'ServerAliveCountMax', 0)),
    ...optional('compression', flag(raw('compression'), 'Compression')),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function apply(nodes: readonly ConfigNode[], state: Resolution): void {
  for (const node of nodes) {
    if (node.kind === 'include') apply(node.body, state);
    else if (node.kind === 'host') {
      if (matchPatternList(node.patterns, state.alias)) apply(node.body, state);
    } else if (node.kind === 'match') {
      if (matchApplies(node.criteria, state)) apply(node.body, state);
    } else if (node.key === 'identityfile') {
      // The one keyword we read that accumulates: every IdentityFile is tried, in order.
      state.identityFiles.push({ args: node.args, origin: node });
    } else if (!state.values.has(node.key)) {
      // First obtained value wins, so specific Host blocks go before `Host *`.
      state.values.set(node.key, { args: node.args, origin: node });
    }
  }
}

function matchApplies(criteria: MatchCriterion[], state: Resolution): boolean {
  for (const { name, negated, arg } of criteria) {
    let result: boolean;
    switch (name) {
      case 'all':
        result = true;
        break;
      case 'host':
        result = matchPatternList(arg!, hostNameFor(state));
        break;
      case 'originalhost':
        result = matchPatternList(arg!, state.alias);
        break;
      case 'user':
        result = matchPatternList(arg!, state.values.get('user')?.args[0] ?? state.localUser);
        break;
      case 'localuser':
        result = matchPatternList(arg!, state.localUser);
        break;
      default:
        // exec would run shell commands from the config on every lookup; canonical, final,
        // localnetwork, tagged... depend on ssh machinery hitc does not have. Ignoring the
        // block is the conservative reading: its settings never apply.
        return false;
    }
    if (result === negated) return false;
  }
  return true;
}

// HostName accepts only %h (the alias) and %%, per ssh_config(5). `Match host` sees the
// HostName obtained so far, so this is also called mid-resolution.
function hostNameFor(state: Resolution): string {
  const value = state.values.get('hostname');
  return value ? expandPercent(value.args[0]!, { h: state.alias, '%': '%' }, value.origin) : state.alias;
}

function expandPercent(value: string, tokens: Record<string, string>, origin: Origin): string {
  return value.replace(/%(.?)/gs, (_whole, token: string) => {
    const replacement = tokens[token];
    if (replacement === undefined) {
      throw new ConfigError(`unsupported token %${token} in ${origin.file}:${origin.line}`, {
        file: origin.file,
        line: origin.line,
        hint: `hitc expands ${Object.keys(tokens)
          .map((t) => `%${t}`)
          .join(' ')} here; write the value out instead`,
      });
    }
    return replacement;
  });
}

function integer(value: Obtained | undefined, keyword: string, min: number, max = 2 ** 31 - 1): number | undefined {
  if (!value) return undefined;
  const text = value.args[0]!;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw badValue(keyword, text, value.origin, `a whole number from ${min} to ${max}`);
  return n;
}

function flag(value: Obtained | undefined, keyword: string): boolean | undefined {
  if (!value) return undefined;
  const text = value.args[0]!.toLowerCase();
  if (text === 'yes' || text === 'true') return true;
  if (text === 'no' || text === 'false') return false;
  throw badValue(keyword, value.args[0]!, value.origin, 'yes or no');
}

function agentFlag(value: Obtained | undefined): boolean | undefined {
  if (!value) return undefined;
  const text = value.args[0]!.toLowerCase();
  return !(text === 'no' || text === 'false');
}

function strictness(value: Obtained | undefined): SshHostConfig['strictHostKeyChecking'] {
  if (!value) return undefined;
  const text = value.args[0]!.toLowerCase();
  if (text === 'true') return 'yes';
  if (text === 'false') return 'no';
  if (text === 'yes' || text === 'no' || text === 'accept-new' || text === 'ask' || text === 'off') return text;
  throw badValue('StrictHostKeyChecking', value.args[0]!, value.origin, 'yes, no, accept-new, ask or off');
}

function identityAgent(value: Obtained, path: (v: string, o: Origin) => string): string {
  const text = value.args[0]!;
  if (text === 'none' || text === 'SSH_AUTH_SOCK' || text.startsWith('$')) return text;
  return path(text, value.origin);
}

function badValue(keyword: string, text: string, origin: Origin, expected: string): ConfigError {
  return new ConfigError(`${keyword} ${text} in ${origin.file}:${origin.line} is not valid`, {
    file: origin.file,
    line: origin.line,
    hint: `${keyword} takes ${expected}`,
  });
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // userInfo() throws for uids without a passwd entry (common in containers).
    return process.env.USER ?? process.env.LOGNAME ?? '';
  }
}
