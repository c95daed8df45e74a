// The first line of the manifest `hitc init` writes points YAML editors (yaml-language-server:
// VS Code's YAML extension, Neovim, Helix, …) at hitc's manifest schema, so they check and
// complete it. The path must work from the user's project, where only hitc's install location
// is known: a path relative to the manifest when hitc is installed in a node_modules beside or
// above it (so the line holds on every checkout after `npm install`), else the absolute path
// of the installed schema (a global install).

import { isAbsolute, relative, sep } from 'node:path';

const MODELINE = /^# yaml-language-server: \$schema=.*$/m;

/** How the manifest in `manifestDir` refers to `schemaFile`. */
export function schemaReference(manifestDir: string, schemaFile: string): string {
  const rel = relative(manifestDir, schemaFile);
  const parts = rel.split(sep);
  const firstOwn = parts.findIndex((p) => p !== '..');
  const inNodeModules = !isAbsolute(rel) && parts[firstOwn] === 'node_modules';
  if (!inNodeModules) return schemaFile;
  return (firstOwn === 0 ? './' : '') + parts.join('/');
}

/** The template's text with its schema line pointing at `reference`. */
export function withSchemaModeline(text: string, reference: string): string {
  const line = `# yaml-language-server: $schema=${reference}`;
  return MODELINE.test(text) ? text.replace(MODELINE, () => line) : `${line}\n${text}`;
}
