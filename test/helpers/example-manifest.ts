// The example manifest `hitc init` writes, as shipped and with its commented-out example
// uncommented (the lines that are YAML, not prose or the editor's schema line).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const EXAMPLE_MANIFEST = join(import.meta.dirname, '../../templates/ensemble.example.yml');

export function exampleManifest(): { text: string; uncommented: string } {
  const text = readFileSync(EXAMPLE_MANIFEST, 'utf8');
  const uncommented = text.split('\n')
    .filter((l) => /^# [ a-z"]/.test(l) && !/^# (shows|in dependency|yaml-language-server:)/.test(l))
    .map((l) => l.slice(2)).join('\n');
  return { text, uncommented };
}
