// Opt-in /etc/hosts entries for a local ensemble's servers (NAME and NAME.ENSEMBLE), so this
// machine finds them by name too. hitc's lines end in a tag naming the ensemble; only lines with
// exactly that tag are ever replaced or removed, and the file is replaced atomically.

import { readFile } from 'node:fs/promises';
import { UsageError } from '../../core/errors.ts';
import { writeLocalAtomically } from '../../transport/atomic-local.ts';
import { ensembleTag } from '../../providers/types.ts';

export interface HostsEntry {
  readonly ip: string;
  readonly name: string;
}

/** The file hitc edits: HITC_HOSTS_FILE (tests, a private resolver), else /etc/hosts. */
export function hostsFilePath(): string {
  return process.env.HITC_HOSTS_FILE || '/etc/hosts';
}

function tagOf(ensemble: string): string {
  return `# hitc ensemble=${ensembleTag(ensemble)}`;
}

/** An entry (not a comment) that ends in exactly this tag after a blank. */
function isOurs(line: string, tag: string): boolean {
  const text = line.trimEnd();
  return !text.trimStart().startsWith('#') && text.endsWith(tag) && /\s/.test(text.charAt(text.length - tag.length - 1));
}

/** The text with this ensemble's lines removed (every other line kept byte for byte). */
export function withoutEnsembleHosts(text: string, ensemble: string): string {
  const tag = tagOf(ensemble);
  return text.split(/(?<=\n)/).filter((line) => !isOurs(line, tag)).join('');
}

/** The text with this ensemble's lines replaced by one line per entry, at the end. */
export function withEnsembleHosts(text: string, ensemble: string, entries: readonly HostsEntry[]): string {
  const tag = tagOf(ensemble);
  const kept = withoutEnsembleHosts(text, ensemble);
  for (const e of entries) {
    if (!/^[0-9a-fA-F.:]+$/.test(e.ip) || !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(e.name)) {
      throw new UsageError(`cannot write "${e.ip} ${e.name}" to a hosts file`, { hint: 'an address and a host name are expected' });
    }
  }
  const lines = entries.map((e) => `${e.ip}\t${e.name} ${e.name}.${ensembleTag(ensemble)}\t${tag}\n`);
  return `${kept}${kept === '' || kept.endsWith('\n') ? '' : '\n'}${lines.join('')}`;
}

/** Rewrites the hosts file when its text changes; says whether it did. */
export async function rewriteHostsFile(path: string, change: (text: string) => string): Promise<boolean> {
  const before = await readFile(path, 'utf8');
  const after = change(before);
  if (after === before) return false;
  await writeLocalAtomically(path, async (file) => void (await file.writeFile(after)), undefined, 0o644);
  return true;
}
