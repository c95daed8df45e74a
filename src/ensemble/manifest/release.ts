// `release:` and `release_timeout:` of a container: a command run once, in a throwaway copy of
// the new container, before any copy of it is created or replaced (database migrations before
// the switch). Its words are read like `command:` (see command-words.ts): no shell, variables
// filled in word by word.
//
// "The same container" is the manifest entry it is written as, before copies are made: a
// container `count` and a server `count` make copies of one entry, and they share one release.
// Two entries (two servers written out, even from one template) each run their own: they may
// point at different databases through their environment, and a migration run twice is
// harmless where one that was skipped is not.

import type { ManifestIssue } from '../../core/errors.ts';
import { checkVariables, parseCommand } from './manifest-values.ts';
import { entry, text, type LNode } from './yaml-tree.ts';

export interface ContainerRelease {
  /** The command's words; each may hold variables, filled in per word (like `command:`). */
  readonly command: readonly string[];
  /** How long it may run before its container is killed and the release counts as failed. */
  readonly timeoutSeconds: number;
  /** The manifest entry (`web.containers.app`, before copies): its copies share this release. */
  readonly entry: string;
}

export const DEFAULT_RELEASE_TIMEOUT = 600;
// a day: a bound that keeps a typo (a timeout in milliseconds) from holding an apply for weeks
const MAX_RELEASE_TIMEOUT = 86_400;
const HINT = 'e.g. release: ./manage.py migrate, or a list of words: [sh, -c, "…"]';

/** The container's release, from its (templated) spec; `path` is the entry's manifest path. */
export function parseRelease(spec: LNode, path: string, issues: ManifestIssue[]): ContainerRelease | undefined {
  const releaseEntry = entry(spec, 'release');
  const timeoutEntry = entry(spec, 'release_timeout');
  const timeoutSeconds = timeoutEntry ? parseTimeout(timeoutEntry.value, `${path}.release_timeout`, timeoutEntry.line, issues) : DEFAULT_RELEASE_TIMEOUT;
  if (!releaseEntry) {
    if (timeoutEntry) issues.push({ path: `${path}.release_timeout`, line: timeoutEntry.line, message: 'release_timeout without a release command', hint: 'add release: COMMAND, or remove release_timeout' });
    return undefined;
  }
  const where = `${path}.release`;
  const node = releaseEntry.value;
  // the cases parseCommand would accept silently (a null) or explain in command's own words
  const blank = (node.kind === 'scalar' && (node.value === null || String(node.value).trim() === '')) || (node.kind === 'seq' && node.items.length === 0);
  if (blank) {
    issues.push({ path: where, line: releaseEntry.line, message: 'the release command is empty', hint: `${HINT}; or remove release` });
    return undefined;
  }
  if (node.kind === 'scalar' && typeof node.value !== 'string') {
    issues.push({ path: where, line: releaseEntry.line, message: `the release command must be a string or a list of words (got ${JSON.stringify(node.value)})`, hint: HINT });
    return undefined;
  }
  if (node.kind === 'map') {
    issues.push({ path: where, line: releaseEntry.line, message: 'the release command must be a string or a list of words, not a mapping', hint: HINT });
    return undefined;
  }
  const command = parseCommand(node, where, releaseEntry.line, issues);
  if (command === undefined) return undefined;
  for (const word of command) checkVariables(word, where, releaseEntry.line, issues);
  return { command, timeoutSeconds, entry: path };
}

function parseTimeout(node: LNode, path: string, line: number, issues: ManifestIssue[]): number {
  const value = text(node);
  const n = Number(value);
  if (value !== undefined && /^\d+$/.test(value.trim()) && n >= 1 && n <= MAX_RELEASE_TIMEOUT) return n;
  issues.push({ path, line, message: `release_timeout must be a whole number of seconds from 1 to ${MAX_RELEASE_TIMEOUT} (got ${value === undefined ? 'a mapping, list or nothing' : JSON.stringify(value)})`, hint: `the default is ${DEFAULT_RELEASE_TIMEOUT}` });
  return DEFAULT_RELEASE_TIMEOUT;
}
