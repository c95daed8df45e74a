// Help, version and the task listing: text only, built from the option table and registry.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/package-root.ts';
import { OPTIONS } from './args.ts';
import type { RegisteredTask } from '../taskfile/registry.ts';

export function helpText(): string {
  const rows = OPTIONS.filter((o) => !o.hidden).map((o) => {
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

/** The hitcfile's own tasks first (what the user came for), then the built-in modules grouped
 *  by namespace: top-level built-ins under "general", the rest under their namespace. */
export function listText(tasks: readonly RegisteredTask[], hitcfile: string | undefined, missing?: string): string {
  const width = Math.max(...tasks.map((t) => t.name.length), 10);
  const row = (t: RegisteredTask): string => `  ${t.name.padEnd(width)}  ${(t.task.options.description ?? '').split('\n')[0]}`;
  const own = tasks.filter((t) => t.origin !== 'builtin');
  const builtin = tasks.filter((t) => t.origin === 'builtin');
  const lines: string[] = [];
  if (hitcfile) lines.push(`Tasks from ${hitcfile}:`, '', ...(own.length > 0 ? own.map(row) : ['  (none)']), '');
  lines.push(hitcfile ? 'Built-in tasks:' : `Built-in tasks (${missing ?? 'no hitcfile.ts found here or above'}):`);
  const groups = new Map<string, RegisteredTask[]>();
  for (const t of builtin) {
    const dot = t.name.indexOf('.');
    const group = dot < 0 ? 'general' : t.name.slice(0, dot);
    groups.set(group, [...(groups.get(group) ?? []), t]);
  }
  const order = [...groups.keys()].sort((a, b) => (a === 'general' ? -1 : b === 'general' ? 1 : a.localeCompare(b)));
  for (const group of order) lines.push('', `  ${group}:`, ...(groups.get(group) ?? []).map((t) => `  ${row(t)}`));
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
    o.batch !== undefined ? `batches of ${o.batch}` : '',
    o.maxFail !== undefined ? `max ${o.maxFail} failed` : '',
    o.batchWait !== undefined ? `${o.batchWait}s between batches` : '',
    o.hosts ? `hosts ${o.hosts.join(',')}` : '',
    o.roles ? `roles ${o.roles.join(',')}` : '',
  ].filter(Boolean);
  lines.push('', `Runs: ${how.join('; ')}`, '');
  return lines.join('\n');
}
