// Carries out planned tasks: serial host by host (stop at the first failure), parallel within
// a pool, or once. A dead host becomes a reported outcome; it never blocks the others.

import { setMaxListeners } from 'node:events';
import { ConnectError, InterruptedError, TaskError } from '../core/errors.ts';
import type { EventSink } from '../core/events.ts';
import type { TaskContext } from '../taskfile/context-types.ts';
import { formatHostSpec, type HostSpec } from '../core/host-spec.ts';
import { mapPool } from '../core/semaphore.ts';
import type { Transport } from '../transport/types.ts';
import { createContext, hostInfo } from './context.ts';
import { runInBatches } from './rollout.ts';
import type { HostOutcome, PlannedTask, RunPolicy } from './plan.ts';

export interface RunnerDeps {
  readonly transportFor: (host: HostSpec) => Transport;
  readonly local: Transport;
  readonly emit: EventSink;
  readonly signal: AbortSignal;
  readonly cloud: TaskContext['cloud'];
  readonly sshClientArgs: readonly string[];
  /** How a task asks the operator (the terminal prompt, given by the CLI); none: no terminal. */
  readonly confirm?: (question: string) => Promise<boolean | undefined>;
}

export async function runPlan(tasks: readonly PlannedTask[], policy: RunPolicy, deps: RunnerDeps): Promise<HostOutcome[]> {
  const outcomes: HostOutcome[] = [];
  const badHosts = new Set<string>();
  for (const planned of tasks) {
    if (deps.signal.aborted) break;
    const hosts = planned.hosts.filter((h) => !badHosts.has(formatHostSpec(h)));
    deps.emit({ type: 'task-start', task: planned.name, hosts: hosts.map(formatHostSpec) });
    const { outcomes: results, withinBudget } = await runTask(planned, hosts, policy, deps);
    outcomes.push(...results);
    let stop = false;
    for (const r of results) {
      if (r.status === 'unreachable' && policy.skipBadHosts && r.host) badHosts.add(r.host);
      // failures a rollout tolerated: the next task goes on without those hosts
      else if ((r.status === 'failed' || r.status === 'unreachable') && withinBudget && r.host) badHosts.add(r.host);
      else if (r.status === 'failed' || r.status === 'unreachable') stop = true;
    }
    if (stop) break;
  }
  return outcomes;
}

async function runTask(planned: PlannedTask, hosts: readonly HostSpec[], policy: RunPolicy, deps: RunnerDeps): Promise<{ outcomes: HostOutcome[]; withinBudget: boolean }> {
  const names = hosts.map(formatHostSpec);
  if (planned.mode === 'once' || hosts.length === 0) {
    return { outcomes: [await runOnHost(planned, hosts[0], names, policy, deps)], withinBudget: false };
  }
  if (planned.rollout) {
    const failing = (o: HostOutcome): boolean => o.status === 'failed' || (o.status === 'unreachable' && !policy.skipBadHosts);
    const rolled = await runInBatches({ ...planned, rollout: planned.rollout }, hosts, failing, (h) => runOnHost(planned, h, names, policy, deps), deps);
    return { outcomes: rolled.outcomes, withinBudget: !rolled.stopped && !deps.signal.aborted };
  }
  if (planned.mode === 'parallel') {
    return { outcomes: await mapPool(hosts, planned.poolSize, (h) => runOnHost(planned, h, names, policy, deps)), withinBudget: false };
  }
  const results: HostOutcome[] = [];
  for (const host of hosts) {
    if (deps.signal.aborted) break;
    const outcome = await runOnHost(planned, host, names, policy, deps);
    results.push(outcome);
    const skippable = outcome.status === 'unreachable' && policy.skipBadHosts;
    if ((outcome.status === 'failed' || outcome.status === 'unreachable') && !skippable) {
      const rest = hosts.slice(results.length);
      for (const h of rest) results.push({ task: planned.name, host: formatHostSpec(h), status: 'skipped', durationMs: 0 });
      break;
    }
  }
  return { outcomes: results, withinBudget: false };
}

async function runOnHost(
  planned: PlannedTask,
  host: HostSpec | undefined,
  allHosts: readonly string[],
  policy: RunPolicy,
  deps: RunnerDeps,
): Promise<HostOutcome> {
  const name = host ? formatHostSpec(host) : undefined;
  // a host still waiting for its turn when Ctrl-C came is not started at all
  if (deps.signal.aborted) return { task: planned.name, host: name, status: 'skipped', durationMs: 0 };
  const started = Date.now();
  // each host gets its own deadline; Ctrl-C aborts every host at once
  const controller = new AbortController();
  // every command in flight listens (a once-task like ensemble.up runs many at a time)
  setMaxListeners(0, controller.signal);
  const onAbort = (): void => controller.abort(new InterruptedError('SIGINT'));
  deps.signal.addEventListener('abort', onAbort, { once: true });
  if (deps.signal.aborted) onAbort();
  const deadline = policy.hostTimeoutMs
    ? setTimeout(() => controller.abort(new TaskError(`host time limit of ${policy.hostTimeoutMs! / 1000}s reached`, { host: name, hint: 'raise it with --host-timeout SECONDS' })), policy.hostTimeoutMs)
    : undefined;
  deps.emit({ type: 'host-start', task: planned.name, host: name });
  const context = createContext({
    task: planned.name,
    host: host ? hostInfo(host) : undefined,
    hosts: allHosts,
    transport: host ? deps.transportFor(host) : undefined,
    transportFor: deps.transportFor,
    local: deps.local,
    emit: deps.emit,
    signal: controller.signal,
    warnOnly: policy.warnOnly,
    ...(policy.commandTimeoutMs ? { commandTimeoutMs: policy.commandTimeoutMs } : {}),
    ...(policy.retry ? { retry: policy.retry } : {}),
    yes: policy.yes,
    cloud: deps.cloud,
    sshClientArgs: deps.sshClientArgs,
    ...(deps.confirm ? { confirm: deps.confirm } : {}),
  });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => undefined);
  let outcome: HostOutcome;
  try {
    const value = await Promise.race([Promise.resolve(planned.task.fn(context, planned.args as never)), aborted]);
    const endedAt = Date.now();
    outcome = { task: planned.name, host: name, status: 'ok', durationMs: endedAt - started, startedAt: started, endedAt, ...(value !== undefined ? { value } : {}) };
  } catch (error) {
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    const status = reason instanceof ConnectError ? 'unreachable' : 'failed';
    const endedAt = Date.now();
    outcome = { task: planned.name, host: name, status, durationMs: endedAt - started, startedAt: started, endedAt, error: reason };
  } finally {
    if (deadline) clearTimeout(deadline);
    deps.signal.removeEventListener('abort', onAbort);
  }
  deps.emit({ type: 'host-end', task: planned.name, host: name, status: outcome.status, durationMs: outcome.durationMs, ...(outcome.error !== undefined ? { error: outcome.error } : {}), ...(outcome.value !== undefined ? { value: outcome.value } : {}) });
  return outcome;
}
