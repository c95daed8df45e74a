// Reading ssh config files into nodes (Host/Match blocks with their settings), following
// Include like OpenSSH (relative to ~/.ssh, globs on the last component, scoped to the block
// that includes them). Resolution for one host is in ssh-config.ts.

import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import { ConfigError } from '../core/errors.ts';

export interface Origin {
  file: string;
  line: number;
}

export type ConfigNode =
  | ({ kind: 'set'; key: string; args: string[] } & Origin)
  | ({ kind: 'host'; patterns: string[]; body: ConfigNode[] } & Origin)
  | ({ kind: 'match'; criteria: MatchCriterion[]; body: ConfigNode[] } & Origin)
  | { kind: 'include'; body: ConfigNode[] };

export interface MatchCriterion {
  name: string;
  negated: boolean;
  arg?: string;
}

/** Parsed config with its Includes already read in. Treat as opaque; pass to resolveHost. */
export interface SshConfigSource {
  readonly path: string;
  readonly nodes: readonly ConfigNode[];
}

export const emptySshConfig: SshConfigSource = { path: '', nodes: [] };

// OpenSSH's READCONF_MAX_DEPTH; also what stops an Include cycle.
const MAX_INCLUDE_DEPTH = 16;

export async function loadSshConfig(
  path: string | undefined,
  opts: { home?: string } = {},
): Promise<SshConfigSource> {
  const home = opts.home ?? homedir();
  const file = path ?? join(home, '.ssh', 'config');
  const nodes = await loadFile(file, home, 0, undefined);
  return { path: file, nodes: nodes ?? [] };
}

/** undefined when the file does not exist: a missing config is an empty one for ssh. */
async function loadFile(file: string, home: string, depth: number, from: Origin | undefined) {
  if (depth > MAX_INCLUDE_DEPTH) {
    throw new ConfigError(`Include nested more than ${MAX_INCLUDE_DEPTH} deep at ${file}`, {
      file: from?.file,
      line: from?.line,
      hint: 'an Include probably includes itself',
    });
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new ConfigError(`cannot read ssh config ${file}: ${(error as Error).message}`, {
      file,
      hint: 'check the file permissions',
      cause: error,
    });
  }
  return parseFile(text, file, home, depth);
}

async function parseFile(text: string, file: string, home: string, depth: number): Promise<ConfigNode[]> {
  const top: ConfigNode[] = [];
  let current = top;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const origin = { file, line: index + 1 };
    const tokens = tokenize(lines[index]!, origin);
    if (!tokens) continue;
    const [keyword, ...args] = tokens;
    const key = keyword.toLowerCase();
    if (key === 'host') {
      const section: ConfigNode = { kind: 'host', patterns: args, body: [], ...origin };
      top.push(section);
      current = section.body;
    } else if (key === 'match') {
      const section: ConfigNode = { kind: 'match', criteria: parseCriteria(args, origin), body: [], ...origin };
      top.push(section);
      current = section.body;
    } else if (key === 'include') {
      const body: ConfigNode[] = [];
      for (const included of await expandInclude(args, home)) {
        body.push(...((await loadFile(included, home, depth + 1, origin)) ?? []));
      }
      // Kept as its own node so Host/Match lines inside the included file end where the
      // file ends, and the including block's remaining lines keep their own condition.
      current.push({ kind: 'include', body });
    } else {
      current.push({ kind: 'set', key, args, ...origin });
    }
  }
  return top;
}

/** Keyword and arguments of one line, or undefined for a blank or comment line. */
function tokenize(text: string, origin: Origin): [string, ...string[]] | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  if (/^[^\s=]+\s*=?\s*$/.test(trimmed)) {
    throw parseError(`${trimmed.replace(/\s*=?\s*$/, '')} needs a value`, origin);
  }
  let parsed;
  try {
    // One line at a time, so a parse failure is pinned to its line number.
    parsed = SSHConfig.parse(trimmed);
  } catch (error) {
    throw parseError((error as Error).message, origin);
  }
  const line = parsed.find((l) => l.type === SSHConfig.DIRECTIVE);
  if (!line || line.type !== SSHConfig.DIRECTIVE) return undefined;
  const value = line.value;
  // The package splits only multi-word keywords (Host, Match, UserKnownHostsFile...);
  // the rest arrive as one string, quotes removed, which suits paths with spaces.
  const args = typeof value === 'string' ? [value] : value.map((v) => v.val);
  return [line.param, ...args];
}

function parseError(message: string, origin: Origin): ConfigError {
  return new ConfigError(`cannot parse ${origin.file}:${origin.line}: ${message}`, {
    file: origin.file,
    line: origin.line,
    hint: 'fix the line (see `man ssh_config`); `ssh -G <host>` shows how ssh reads it',
  });
}

const NO_ARGUMENT_CRITERIA = new Set(['all', 'canonical', 'final']);

function parseCriteria(args: string[], origin: Origin): MatchCriterion[] {
  const criteria: MatchCriterion[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const negated = word.startsWith('!');
    const name = (negated ? word.slice(1) : word).toLowerCase();
    if (NO_ARGUMENT_CRITERIA.has(name)) {
      criteria.push({ name, negated });
      continue;
    }
    const arg = args[++i];
    if (arg === undefined) throw parseError(`Match ${name} needs an argument`, origin);
    criteria.push({ name, negated, arg });
  }
  if (criteria.length === 0) throw parseError('Match needs criteria', origin);
  return criteria;
}

/** Include arguments to existing files: ~ expanded, relative to ~/.ssh, `*`/`?` in the last component. */
async function expandInclude(args: string[], home: string): Promise<string[]> {
  const files: string[] = [];
  for (const arg of args) {
    const expanded = expandTilde(arg, home);
    const path = isAbsolute(expanded) ? expanded : join(home, '.ssh', expanded);
    const name = basename(path);
    if (!/[*?]/.test(name)) {
      files.push(path);
      continue;
    }
    let entries: string[];
    try {
      entries = await readdir(dirname(path));
    } catch {
      continue; // like a glob matching nothing, which ssh accepts silently
    }
    // glob(3) does not let wildcards match a leading dot, and returns names sorted.
    const matches = entries
      .filter((entry) => (name.startsWith('.') || !entry.startsWith('.')) && globExact(name, entry))
      .sort();
    files.push(...matches.map((entry) => join(dirname(path), entry)));
  }
  return files;
}

// File names are case-sensitive, unlike host names, so matchPatternList is not used here.
function globExact(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(text);
}

export function expandTilde(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

/** The names the config gives a section of their own (`Host web1 db`): exact words, not
 *  patterns (`*`, `?`) or negations. A -H word among them is an ssh alias, not a cloud node. */
export function hostAliases(source: SshConfigSource): Set<string> {
  const names = new Set<string>();
  const walk = (nodes: readonly ConfigNode[]): void => {
    for (const node of nodes) {
      if (node.kind === 'host') for (const p of node.patterns) if (!/[*?!]/.test(p)) names.add(p);
      if (node.kind !== 'set') walk(node.body);
    }
  };
  walk(source.nodes);
  return names;
}
