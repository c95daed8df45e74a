// What ensemble.plan and ensemble.up do: read the manifest, observe, plan (pure), show the
// plan, ask, apply, and check that observing again finds nothing left to do. Loaded only when
// an ensemble task runs (the YAML parser costs start-up time).

import { readFileSync, statSync } from 'node:fs';
import { ConfigError, ExitCode, HitcError, ManifestError, TaskError, UsageError, type ExitCodeValue } from '../core/errors.ts';
import type { TaskContext } from '../runner/context-types.ts';
import { confirmOnTerminal } from '../ui/prompt.ts';
import { applyPlan } from './apply/apply.ts';
import { locateServers, observe } from './observe/observe.ts';
import { parseManifest } from './manifest/parse-manifest.ts';
import { hasChanges, planLines } from './plan/plan-text.ts';
import { isLockoutWarning, planEnsemble, type Plan } from './plan/plan.ts';
import { describeId, SSH_FROM_APPLIER_ONLY, type Manifest } from './manifest/model.ts';

export class ChangesPending extends HitcError {
  readonly kind = 'changes-pending';
  constructor() {
    super('the plan has changes');
  }
  get cliExitCode(): ExitCodeValue {
    return ExitCode.changesPending;
  }
}

/** NAME, NAME.yml or NAME.yaml, parsed; every manifest problem at once. */
export function loadManifest(name: string): { manifest: Manifest; ensemble: string } {
  const file = [name, `${name}.yml`, `${name}.yaml`].find((f) => statSync(f, { throwIfNoEntry: false })?.isFile());
  if (!file) throw new UsageError(`no manifest ${name}, ${name}.yml or ${name}.yaml here`, { argument: name, hint: 'hitc init writes an example ensemble.yml' });
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the manifest ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { argument: name });
  }
  const { manifest, issues } = parseManifest(file, source, process.env);
  if (!manifest) throw new ManifestError(file, issues);
  return { manifest, ensemble: name.replace(/\.ya?ml$/, '').split('/').pop() as string };
}

async function observeAndPlan(c: TaskContext, manifest: Manifest, ensemble: string, pull = false) {
  const { located, strays } = await locateServers(c, manifest, ensemble);
  const observed = await observe(c, manifest, located, { pull, strays });
  return { located, strays, observed, plan: planEnsemble(manifest, observed, { ensemble }) };
}

function show(c: TaskContext, plan: Plan, verbose: boolean): void {
  for (const line of planLines(plan, { verbose })) c.log(line.text, line.tone ? { tone: line.tone } : undefined);
}

/** A bug inside an ensemble task reaches the user as one line that says so, never as a stack. */
async function guarded<T>(task: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof HitcError) throw error;
    throw new TaskError(`internal error in ${task}: ${(error as Error)?.message ?? String(error)}`, {
      hint: 'this is a bug in hitc; please report it with the command and the manifest (nothing was changed after this point)',
      cause: error,
    });
  }
}

/** Servers that could not be observed make the plan incomplete: after it is shown, that fails. */
function unavailableError(p: Plan, task: string): TaskError | undefined {
  const down = p.things.filter((t) => t.kind === 'server' && t.action === 'unavailable');
  if (down.length === 0) return undefined;
  return new TaskError(`${down.length} server${down.length === 1 ? '' : 's'} could not be planned: ${down.map((t) => t.reasons.join('; ')).join(' | ')}`, {
    hint: `the plan above covers the other servers; ${task} changes nothing on ${down.length === 1 ? 'that server' : 'those servers'} and skips what depends on ${down.length === 1 ? 'it' : 'them'}`,
  });
}

export function planTask(c: TaskContext, args: { name: string; verbose: boolean; exit_code: boolean; pull: boolean }) {
  return guarded('ensemble.plan', () => planBody(c, args));
}

export function upTask(c: TaskContext, args: { name: string; verbose: boolean; prune: boolean; pull: boolean }) {
  return guarded('ensemble.up', () => upBody(c, args));
}

async function planBody(c: TaskContext, { name, verbose, exit_code, pull }: { name: string; verbose: boolean; exit_code: boolean; pull: boolean }) {
  const { manifest, ensemble } = loadManifest(name);
  c.log(pull ? 'Pulling images and calculating changes...' : 'Calculating changes...');
  const { plan: p } = await observeAndPlan(c, manifest, ensemble, pull);
  show(c, p, verbose);
  const down = unavailableError(p, 'ensemble.up');
  if (down) throw down;
  if (exit_code && hasChanges(p)) throw new ChangesPending();
  return p.things;
}

async function upBody(c: TaskContext, { name, verbose, prune, pull }: { name: string; verbose: boolean; prune: boolean; pull: boolean }) {
  const { manifest, ensemble } = loadManifest(name);
  c.log(pull ? 'Pulling images and calculating changes...' : 'Calculating changes...');
  const first = await observeAndPlan(c, manifest, ensemble, pull);
  show(c, first.plan, verbose);
  refuseLockouts(manifest, first.plan);
  const orphans = first.plan.things.filter((t) => t.action === 'orphan').length;
  if (!hasChanges(first.plan) && !(prune && orphans > 0)) return first.plan.things;
  if (prune && orphans > 0) c.log(`prune: ${orphans} orphaned thing(s) will be removed`);
  if (!c.yes) {
    const answer = await confirmOnTerminal('Do you wish to continue?');
    if (answer === undefined) throw new UsageError('the plan needs confirmation and there is no terminal', { hint: 'add --yes' });
    if (!answer) throw new TaskError('Aborted');
  }
  const outcomes = await applyPlan(c, manifest, first.plan, first.observed, first.located, ensemble, { prune, strays: first.strays });
  const failed = outcomes.filter((o) => o.status === 'failed');
  const skipped = outcomes.filter((o) => o.status === 'skipped');
  c.log(`applied: ${outcomes.filter((o) => o.status === 'done').length} changed, ${outcomes.filter((o) => o.status === 'unchanged').length} unchanged, ${failed.length} failed, ${skipped.length} skipped`);
  if (failed.length > 0) {
    throw new TaskError(`${failed.length} thing${failed.length === 1 ? '' : 's'} failed: ${failed.map((f) => `${describeId(f.id)} (${(f.error as Error)?.message})`).join('; ')}`, {
      hint: skipped.length > 0 ? `${skipped.length} dependent thing(s) were skipped; fix the failure and run ensemble.up again` : 'fix the failure and run ensemble.up again',
    });
  }
  const again = await observeAndPlan(c, manifest, ensemble);
  if (hasChanges(again.plan) || (prune && again.plan.things.some((t) => t.action === 'orphan'))) {
    show(c, again.plan, true);
    throw new TaskError('ensemble.up finished but observing again still finds changes (see above)', { hint: 'this is a bug in hitc: please report it with the plan' });
  }
  c.log('converged: observing again finds no changes');
  return outcomes;
}

/** A firewall to apply that admits SSH from no listed source is refused before anything changes,
 *  unless its manifest accepts that with ssh_from_applier_only: true. */
function refuseLockouts(manifest: Manifest, plan: Plan): void {
  const risky = plan.things.filter((t) => t.kind === 'firewall' && (t.action === 'create' || t.action === 'update') && (t.warnings ?? []).some(isLockoutWarning));
  const first = risky[0];
  if (!first) return;
  const line = manifest.servers.find((s) => s.name === first.server)?.firewall?.line;
  throw new ConfigError(`${risky.map((t) => `${t.server}.firewall`).join(', ')} would admit SSH from no listed source (nothing was changed)`, {
    file: manifest.file, ...(line !== undefined ? { line } : {}),
    hint: `admit SSH from where you log in (e.g. 22: [203.0.113.7, $internal_ips]), or accept that only the address hitc applies from gets in, until it changes or the server reboots, with ${SSH_FROM_APPLIER_ONLY}: true in the firewall`,
  });
}
