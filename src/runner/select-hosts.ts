// Which hosts a task runs on. The command line (-H/-R) wins over the task's own hosts/roles;
// -x removes hosts; roles come from the hitcfile's settings (and later from providers).
// A selection that ends up empty is an error, never a silent no-op.

import { UsageError } from '../core/errors.ts';
import { formatHostSpec, parseHostSpec, type HostSpec } from '../core/host-spec.ts';
import { suggest } from '../core/suggest.ts';
import type { RoleSource } from '../taskfile/define.ts';

export interface Selection {
  readonly cliHosts: readonly string[];
  readonly cliRoles: readonly string[];
  readonly exclude: readonly string[];
  readonly taskHosts?: readonly string[];
  readonly taskRoles?: readonly string[];
  readonly roles: Readonly<Record<string, RoleSource>>;
  /** Roles found among cloud nodes, consulted for names the hitcfile does not define. */
  readonly cloudRoles?: () => Promise<Record<string, HostSpec[]>>;
  /** Turns a -H word into a spec (e.g. a node name into its address and login). */
  readonly resolveHost?: (word: string) => Promise<HostSpec>;
}

export async function selectHosts(task: string, sel: Selection): Promise<HostSpec[]> {
  const fromCli = sel.cliHosts.length > 0 || sel.cliRoles.length > 0;
  const hosts = fromCli ? sel.cliHosts : (sel.taskHosts ?? []);
  const roles = fromCli ? sel.cliRoles : (sel.taskRoles ?? []);
  const words: (string | HostSpec)[] = [];
  for (const word of hosts) words.push(sel.resolveHost ? await sel.resolveHost(word) : word);
  for (const pattern of roles) words.push(...(await expandRole(pattern, sel.roles, sel.cloudRoles)));

  const seen = new Set<string>();
  const specs: HostSpec[] = [];
  for (const word of words) {
    const spec = typeof word === 'string' ? parseHostSpec(word) : word;
    const key = formatHostSpec(spec);
    if (seen.has(key)) continue; // Fabric runs a task once per host even if two roles share it
    seen.add(key);
    specs.push(spec);
  }
  const excluded = sel.exclude.map(globMatcher);
  const kept = specs.filter((s) => !excluded.some((m) => m(formatHostSpec(s)) || m(s.host)));
  if (specs.length > 0 && kept.length === 0) {
    throw new UsageError(`-x ${sel.exclude.join(',')} excludes every selected host of task ${task}`, {
      argument: '-x',
      hint: 'nothing would run; drop or narrow the exclusion',
    });
  }
  if (kept.length === 0) {
    throw new UsageError(`no hosts selected for task ${task}`, {
      argument: task,
      hint: 'pick hosts with -H host1,host2 or roles with -R role (or give the task hosts/roles)',
    });
  }
  return kept;
}

async function expandRole(
  pattern: string,
  roles: Readonly<Record<string, RoleSource>>,
  cloudRoles?: () => Promise<Record<string, HostSpec[]>>,
): Promise<(string | HostSpec)[]> {
  const matcher = globMatcher(pattern);
  const names = Object.keys(roles).filter(matcher);
  if (names.length === 0 && cloudRoles) {
    const cloud = await cloudRoles();
    const matched = Object.keys(cloud).filter(matcher).sort();
    if (matched.length > 0) return matched.flatMap((name) => cloud[name] as HostSpec[]);
  }
  if (names.length === 0) {
    const known = [...new Set([...Object.keys(roles), ...(cloudRoles ? Object.keys(await cloudRoles()) : [])])];
    const close = suggest(pattern, known);
    throw new UsageError(`role "${pattern}" matches no role`, {
      argument: pattern,
      hint: close.length > 0 ? `did you mean ${close.join(' or ')}?` : known.length > 0 ? `known roles: ${known.sort().join(', ')}` : 'define roles in your hitcfile: export const settings = configure({ roles: { web: [...] } })',
    });
  }
  const hosts: (string | HostSpec)[] = [];
  for (const name of names.sort()) {
    const source = roles[name] as RoleSource;
    const list = typeof source === 'function' ? await source() : source;
    hosts.push(...list);
  }
  if (hosts.length === 0) {
    throw new UsageError(`role "${pattern}" has no hosts`, { argument: pattern, hint: 'check the role definition' });
  }
  return hosts;
}

/** `*` matches any run of characters; everything else is literal. */
export function globMatcher(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*')) return (name) => name === pattern;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (name) => re.test(name);
}
