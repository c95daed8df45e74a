// CliRequest + registry + settings → the list of PlannedTasks. All user errors (unknown task,
// bad argument, empty selection) surface here, before anything connects to any host.

import type { CliRequest } from './args.ts';
import { UsageError } from '../core/errors.ts';
import { parseHostSpec, type HostSpec } from '../core/host-spec.ts';
import { sharedOnce } from '../core/once.ts';
import type { Cloud } from '../providers/cloud.ts';
import { resolveCloudHost } from '../providers/resolve-host.ts';
import { selectHosts } from '../runner/select-hosts.ts';
import type { PlannedTask } from '../runner/plan.ts';
import { parseAmount, type Rollout } from '../runner/batches.ts';
import { sliceHosts } from '../runner/slice.ts';
import { task, type Settings, type TaskOptions } from '../taskfile/define.ts';
import { bindArgs } from '../taskfile/params.ts';
import type { TaskRegistry } from '../taskfile/registry.ts';

/** `isSshAlias`: whether a -H word names a Host section of the ssh config; such a word (like an
 *  address) never waits on a cloud listing. */
export async function buildPlan(
  req: CliRequest,
  registry: TaskRegistry,
  settings: Settings | undefined,
  cloud?: Cloud,
  isSshAlias: (host: string) => Promise<boolean> = async () => false,
): Promise<PlannedTask[]> {
  const roles = settings?.roles ?? {};
  const selection = {
    cliHosts: req.hosts,
    cliRoles: req.roles,
    exclude: req.exclude,
    roles,
    ...(cloud ? { cloudRoles: sharedOnce(() => cloud.roles()), resolveHost: async (word: string) => ((await isSshAlias(parseHostSpec(word).host)) ? parseHostSpec(word) : resolveCloudHost(cloud, word)) } : {}),
  };
  if (req.adhoc !== undefined) {
    const command = req.adhoc;
    const hosts = sliced(req, await selectHosts('-- COMMAND', selection));
    const adhoc = task({ description: 'ad-hoc command' }, (c) => c.run(command, process.stdin.isTTY && hosts.length === 1 ? { pty: true, stdin: 'inherit' } : {}));
    const rollout = rolloutOf(req, command, {});
    return [{ name: command, task: adhoc, args: {}, hosts, mode: req.parallel ? 'parallel' : 'serial', poolSize: req.poolSize ?? settings?.poolSize ?? Math.max(hosts.length, 1), ...(rollout ? { rollout } : {}) }];
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
      : sliced(req, await selectHosts(inv.name, { ...selection, ...(o.hosts ? { taskHosts: o.hosts } : {}), ...(o.roles ? { taskRoles: o.roles } : {}) }));
    // parallel: false pins a task to serial even under -P (Fabric's @serial)
    const mode = o.local || o.runsOnce ? 'once' : o.parallel === false ? 'serial' : req.parallel || o.parallel ? 'parallel' : 'serial';
    const rollout = mode === 'once' ? undefined : rolloutOf(req, inv.name, o);
    // a task pinned to serial stays one host at a time inside its batches too
    const poolSize = o.parallel === false ? 1 : req.poolSize ?? o.poolSize ?? settings?.poolSize ?? Math.max(hosts.length, 1);
    planned.push({ name: inv.name, task: found.task, args, hosts, mode, poolSize, ...(rollout ? { rollout } : {}) });
  }
  return planned;
}

// The command line's batch settings win over the task's own; a task's bad value is a usage
// error found before any host is contacted, like a bad flag.
function rolloutOf(req: CliRequest, name: string, o: TaskOptions): Rollout | undefined {
  const batch = req.batch ?? (o.batch !== undefined ? parseAmount(`task ${name}: batch`, o.batch, 1) : undefined);
  const maxFail = req.maxFail ?? (o.maxFail !== undefined ? parseAmount(`task ${name}: maxFail`, o.maxFail, 0) : undefined);
  const waitSec = req.batchWaitSec ?? o.batchWait;
  if (waitSec !== undefined && !(typeof waitSec === 'number' && Number.isFinite(waitSec) && waitSec >= 0)) {
    throw new UsageError(`task ${name}: batchWait must be seconds ≥ 0, got ${String(waitSec)}`, { argument: name, hint: 'e.g. task({ batch: 5, batchWait: 30 }, …)' });
  }
  if (batch === undefined && maxFail === undefined) {
    if (waitSec !== undefined && req.batchWaitSec !== undefined) {
      throw new UsageError('--batch-wait needs --batch (or a task with batch)', { argument: '--batch-wait', hint: 'e.g. --batch 5 --batch-wait 30' });
    }
    return undefined;
  }
  return { ...(batch ? { batch } : {}), ...(maxFail ? { maxFail } : {}), batchWaitMs: (waitSec ?? 0) * 1000 };
}

/** A --slice's share (empty when the slice has no host of this selection: see run.ts). */
function sliced(req: CliRequest, hosts: HostSpec[]): HostSpec[] {
  return req.slice ? sliceHosts(hosts, req.slice) : hosts;
}

