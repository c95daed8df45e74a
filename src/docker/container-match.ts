// Which container a user's word means (pure; unit-tested). A typo must never pick a container:
// an exact name wins, else a full id or an id prefix long enough to be unambiguous in practice;
// anything else that could mean more than one container (or none in particular) is refused.

import { UsageError } from '../core/errors.ts';

/** Docker's own short id length: shorter prefixes collide too easily to act on. */
export const MIN_ID_PREFIX = 12;

/** What docker accepts as a container name (a leading "/" is how inspect prints it). */
const NAME_SYNTAX = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export interface Named {
  readonly id: string;
  readonly name: string;
}

/** Refuse a word that can be no container at all, before any host is asked: empty words are
 *  refused later (with the host's candidates); an option-looking word never reaches docker. */
export function checkContainerWord(word: string, argument = 'container'): void {
  refuseOptionLike(word, argument);
  if (word !== '' && !NAME_SYNTAX.test(word)) {
    throw new UsageError(`invalid ${argument} "${word}": not a container name or id`, {
      argument,
      hint: 'names are letters, digits, _ . - (starting with a letter or digit)',
    });
  }
}

/** A value that starts with "-" would be read by docker as an option: refused, never sent. */
export function refuseOptionLike(word: string, argument: string): void {
  if (word.startsWith('-')) {
    throw new UsageError(`invalid ${argument} "${word}": it starts with "-", so docker would read it as an option`, {
      argument,
      hint: 'names, ids and images never start with "-" (hitc -H HOST docker.ps lists the containers)',
    });
  }
}

function listed(containers: readonly Named[], max = 20): string {
  if (containers.length === 0) return 'none';
  const shown = containers.slice(0, max).map((c) => `${c.name} (${c.id.slice(0, MIN_ID_PREFIX)})`);
  return containers.length > max ? `${shown.join(', ')} and ${containers.length - max} more` : shown.join(', ');
}

/**
 * The container `word` means among `containers`, undefined when it means none (the caller says
 * "no container named …"), or a UsageError listing the candidates when the word is empty, a
 * too-short id prefix, or an ambiguous one. `where` names the host in messages.
 */
export function matchContainer<T extends Named>(word: string, containers: readonly T[], where: string, argument = 'container'): T | undefined {
  refuseOptionLike(word, argument);
  if (word === '') {
    throw new UsageError(`empty ${argument}: say which container on ${where} (containers there: ${listed(containers)})`, { argument });
  }
  if (!NAME_SYNTAX.test(word)) return undefined; // e.g. an image reference, for docker.inspect
  const name = word.replace(/^\//, '');
  const byName = containers.find((c) => c.name === name);
  if (byName) return byName;
  if (!/^[0-9a-f]+$/.test(word)) return undefined;
  const byId = containers.filter((c) => c.id.startsWith(word));
  if (byId.length === 0) return undefined;
  if (byId.length === 1 && word.length >= MIN_ID_PREFIX) return byId[0];
  if (word.length < MIN_ID_PREFIX) {
    throw new UsageError(
      `"${word}" is no container name on ${where}, and an id prefix needs at least ${MIN_ID_PREFIX} hex characters (it starts the id of: ${listed(byId)})`,
      { argument, hint: 'give the container name or a longer id prefix' },
    );
  }
  throw new UsageError(`"${word}" is ambiguous on ${where}: it starts the id of ${byId.length} containers: ${listed(byId)}`, {
    argument,
    hint: 'give the container name or a longer id prefix',
  });
}
