// CliRequest + registry + settings → the list of PlannedTasks. All user errors (unknown task,
// bad argument, empty selection) surface here, before anything connects to any host.

import type { CliRequest } from './args.ts';
import { sharedOnce } from '../core/once.ts';
import type { Cloud } from '../providers/cloud.ts';
import { resolveCloudHost } from '../providers/resolve-host.ts';
import { selectHosts } from '../runner/select-hosts.ts';
import type { PlannedTask } from '../runner/plan.ts';
import { task, type Settings } from '../taskfile/define.ts';
import { bindArgs } from '../taskfile/params.ts';
import type { TaskRegistry } from '../taskfile/registry.ts';

export async function buildPlan(req: CliRequest, registry: TaskRegistry, settings: Settings | undefined, cloud?: Cloud): Promise<PlannedTask[]> {
  const roles = settings?.roles ?? {};
  const selection = {
    cliHosts: req.hosts,
    cliRoles: req.roles,
    exclude: req.exclude,
    roles,
    ...(cloud ? { cloudRoles: sharedOnce(() => cloud.roles()), resolveHost: (word: string) => resolveCloudHost(cloud, word) } : {}),
  };
  if (req.adhoc !== undefined) {
    const command = req.adhoc;
    const hosts = await selectHosts('-- COMMAND', selection);
    const adhoc = task({ description: 'ad-hoc command' }, (c) => c.run(command, process.stdin.isTTY && hosts.length === 1 ? { pty: true, stdin: 'inherit' } : {}));
    return [{ name: command, task: adhoc, args: {}, hosts, mode: req.parallel ? 'parallel' : 'serial', poolSize: req.poolSize ?? settings?.poolSize ?? hosts.length }];
  }
  const planned: PlannedTask[] = [];
  for (const inv of req.tasks) {
    const found = registry.get(inv.name);
    const o = found.task.options;
    // --force is the global spelling of a task's own force argument (hitc init --force)
    const named = req.force && o.params && 'force' in o.params && !('force' in inv.named) ? { ...inv.named, force: 'true' } : inv.named;
    const args = bindArgs(inv.name, o.params ?? {}, inv.positional, named, o.extraArgs === true, o.variadic === true);
    const hosts = o.local
      ? []
      : await selectHosts(inv.name, { ...selection, ...(o.hosts ? { taskHosts: o.hosts } : {}), ...(o.roles ? { taskRoles: o.roles } : {}) });
    // parallel: false pins a task to serial even under -P (Fabric's @serial)
    const mode = o.local || o.runsOnce ? 'once' : o.parallel === false ? 'serial' : req.parallel || o.parallel ? 'parallel' : 'serial';
    planned.push({ name: inv.name, task: found.task, args, hosts, mode, poolSize: req.poolSize ?? o.poolSize ?? settings?.poolSize ?? Math.max(hosts.length, 1) });
  }
  return planned;
}
