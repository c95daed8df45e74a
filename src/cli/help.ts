// Help, version and the task listing: text only, built from the option table and registry.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/package-root.ts';
import { OPTIONS } from './args.ts';
import type { RegisteredTask } from '../taskfile/registry.ts';

export function helpText(): string {
  const rows = OPTIONS.map((o) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${o.long}${o.value ? ` ${o.value}` : ''}`;
    return `  ${flag.padEnd(34)} ${o.help}`;
  });
  return [
    'Usage: hitc [options] TASK[:arg,...,key=value] [TASK2 ...]',
    '       hitc [options] -- COMMAND        run a shell command on the selected hosts',
    '',
    'Options:',
    ...rows,
    '',
    'Escape , and = inside task arguments as \\, and \\=.',
    'Exit codes: 0 ok, 1 a task failed somewhere, 2 usage or configuration error, 130 interrupted.',
    '',
  ].join('\n');
}

export function versionText(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return `hitc ${pkg.version}\n`;
}

export function listText(tasks: readonly RegisteredTask[], hitcfile: string | undefined, missing?: string): string {
  const width = Math.max(...tasks.map((t) => t.name.length), 10);
  const lines = [hitcfile ? `Tasks from ${hitcfile} and built-in modules:` : `Built-in tasks (${missing ?? 'no hitcfile.ts found here or above'}):`, ''];
  for (const t of tasks) {
    const first = (t.task.options.description ?? '').split('\n')[0];
    lines.push(`  ${t.name.padEnd(width)}  ${first}`);
  }
  return `${lines.join('\n')}\n`;
}

export function displayText(t: RegisteredTask): string {
  const o = t.task.options;
  const params = Object.entries(o.params ?? {});
  const signature = params.length > 0 ? `${t.name}:${params.map(([n, p]) => (p.required ? n : `[${n}]`)).join(',')}` : t.name;
  const lines = [`Task ${t.name}${t.origin === 'builtin' ? ' (built-in)' : ''}`, '', `  ${(o.description ?? 'no description').split('\n').join('\n  ')}`, '', `Usage: hitc ${signature}`];
  if (params.length > 0) {
    lines.push('', 'Arguments:');
    for (const [name, p] of params) {
      const dflt = p.default !== undefined ? ` (default ${String(p.default)})` : p.required ? ' (required)' : '';
      lines.push(`  ${name.padEnd(14)} ${p.type.padEnd(8)} ${p.description ?? ''}${dflt}`);
    }
  }
  const how = [
    o.local ? 'runs locally' : o.runsOnce ? 'runs once' : o.parallel ? 'parallel' : 'serial',
    o.poolSize ? `pool size ${o.poolSize}` : '',
    o.hosts ? `hosts ${o.hosts.join(',')}` : '',
    o.roles ? `roles ${o.roles.join(',')}` : '',
  ].filter(Boolean);
  lines.push('', `Runs: ${how.join('; ')}`, '');
  return lines.join('\n');
}
