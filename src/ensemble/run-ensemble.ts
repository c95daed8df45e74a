// What ensemble.plan and ensemble.up do: read the manifest, observe, plan (pure), show the
// plan, ask, apply, and check that observing again finds nothing left to do. Loaded only when
// an ensemble task runs (the YAML parser costs start-up time).

import { readFileSync, statSync } from 'node:fs';
import { ConfigError, ExitCode, HitcError, ManifestError, TaskError, UsageError, type ExitCodeValue } from '../core/errors.ts';
import type { TaskContext } from '../taskfile/context-types.ts';
import { applyPlan, type OpOutcome } from './apply/apply.ts';
import { desiredOptions } from './observe/desired-options.ts';
import { locateServers, observe } from './observe/observe.ts';
import { parseManifest } from './manifest/parse-manifest.ts';
import { hasChanges, planLines } from './plan/plan-text.ts';
import { planEnsemble } from './plan/plan.ts';
import type { Plan } from './plan/ops.ts';
import { isLockoutWarning } from './plan/warnings.ts';
import { ASIDE_SUFFIX } from '../docker/commands.ts';
import { LABELS } from './observe/observed.ts';
import { planToJson } from './plan/plan-json.ts';
import { planDot, planMermaid } from './plan/plan-graph.ts';
import {
  manifestDigest, observedDigest, observedFingerprints, readSavedPlan, SAVED_PLAN_FORMAT, SAVED_PLAN_VERSION, staleness, StalePlanError, writeSavedPlan, type SavedPlan,
} from './plan/saved-plan.ts';
import { SSH_FROM_APPLIER_ONLY, thingLabel, type Manifest } from './manifest/model.ts';
import { lockServers, lockTargets } from './lock/lock-servers.ts';
import { unlockServers } from './lock/unlock.ts';
import { runDown } from './down/down.ts';
import { runHosts } from './down/hosts-task.ts';

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
export function loadManifest(name: string): { manifest: Manifest; ensemble: Plan['ensemble']; source: string } {
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
  const ensemble: Plan['ensemble'] = manifest.name !== undefined
    ? { name: manifest.name, from: 'manifest' }
    : { name: name.replace(/\.ya?ml$/, '').split('/').pop() as string, from: 'file name' };
  return { manifest, ensemble, source };
}

export interface Planned {
  readonly located: Awaited<ReturnType<typeof locateServers>>['located'];
  readonly strays: Awaited<ReturnType<typeof locateServers>>['strays'];
  readonly observed: Awaited<ReturnType<typeof observe>>;
  readonly plan: Plan;
}

/** Observe, normalise the servers' options through their providers, plan (pure). */
export async function observeAndPlan(c: TaskContext, manifest: Manifest, ensemble: Plan['ensemble'], options: { pull?: boolean; prune?: boolean } = {}): Promise<Planned> {
  const { located, strays, conflicts } = await locateServers(c, manifest, ensemble.name);
  const observed = await observe(c, manifest, located, { pull: options.pull === true, strays, conflicts });
  const desired = await desiredOptions(c, manifest, located);
  return { located, strays, observed, plan: planEnsemble(manifest, observed, { ensemble, desired, prune: options.prune === true }) };
}

export function show(c: TaskContext, plan: Plan, verbose: boolean): void {
  for (const line of planLines(plan, { verbose })) c.log(line.text, line.tone ? { tone: line.tone } : undefined);
}

/** A bug inside an ensemble task reaches the user as one line that says so, never as a stack. */
export async function guarded<T>(task: string, body: () => Promise<T>): Promise<T> {
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

/** What could not be planned (servers that did not answer, things another ensemble owns) makes
 *  the plan incomplete: after it is shown (and the rest applied), that fails. */
export function incompleteError(p: Plan, task: string): TaskError | undefined {
  const down = p.unavailable;
  const theirs = p.conflicts;
  if (down.length === 0 && theirs.length === 0) return undefined;
  const servers = down.filter((t) => t.kind === 'server');
  // a thing that is unavailable only because its server is says nothing new
  const others = down.filter((t) => t.kind !== 'server' && !servers.some((s) => t.server === s.server && /^(server .* is unavailable|needs )/.test(t.reason)));
  const parts = [
    ...(servers.length > 0 ? [`${servers.length} server${servers.length === 1 ? '' : 's'} could not be planned: ${servers.map((t) => t.reason).join(' | ')}`] : []),
    ...(others.length > 0 ? [`${others.map((t) => `${thingLabel(t.id)}: ${t.reason}`).join(' | ')}`] : []),
    ...(theirs.length > 0 ? [`${theirs.length} thing${theirs.length === 1 ? '' : 's'} belong${theirs.length === 1 ? 's' : ''} to another ensemble: ${theirs.map((t) => t.reason).join(' | ')}`] : []),
  ];
  return new TaskError(parts.join('; ') || `${down.length} thing(s) could not be planned`, {
    hint: `the plan above covers the rest; ${task} changes nothing on those and skips what depends on them${theirs.length > 0 ? '; give the manifest\'s servers or containers other names, or set name: to the ensemble that owns them' : ''}`,
  });
}

export interface PlanArgs { name: string; verbose: boolean; exit_code: boolean; pull: boolean; prune: boolean; out?: string; format: string }
export interface UpArgs { name: string; verbose: boolean; prune: boolean; pull: boolean; plan?: string; lock_wait: number }

const FORMATS = ['text', 'mermaid', 'dot'];

export function planTask(c: TaskContext, args: PlanArgs) {
  return guarded('ensemble.plan', () => planBody(c, args));
}

export function upTask(c: TaskContext, args: UpArgs) {
  return guarded('ensemble.up', () => upBody(c, args));
}

async function planBody(c: TaskContext, { name, verbose, exit_code, pull, prune, out, format }: PlanArgs) {
  if (!FORMATS.includes(format)) throw new UsageError(`unknown plan format "${format}"`, { argument: `format=${format}`, hint: `format= takes ${FORMATS.join(', ')}` });
  const { manifest, ensemble, source } = loadManifest(name);
  // a picture goes to stdout alone, so it can be piped into a file or pasted as it is
  if (format === 'text') c.log(pull ? 'Pulling images and calculating changes...' : 'Calculating changes...');
  const planned = await observeAndPlan(c, manifest, ensemble, { pull, prune });
  const p = planned.plan;
  if (format === 'text') show(c, p, verbose);
  else for (const line of (format === 'mermaid' ? planMermaid(manifest, p) : planDot(manifest, p)).trimEnd().split('\n')) c.log(line);
  if (out !== undefined) {
    await writeSavedPlan(out, savedPlanOf(manifest, ensemble, source, planned));
    if (format === 'text') c.log(`Saved the plan to ${out}: apply exactly it with ensemble.up:${name},plan=${out}`);
  }
  const incomplete = incompleteError(p, 'ensemble.up');
  if (incomplete) throw incomplete;
  if (exit_code && hasChanges(p)) throw new ChangesPending();
  return planToJson(p);
}

/** What a saved plan is checked against: the manifest as read (its text, and the !env values it
 *  was filled with; secrets only as masks), and the observed things a plan can depend on —
 *  containers the manifest names (or their aside names) and any hitc made, not a host's other
 *  short-lived containers, which would make every saved plan stale. */
function savedState(manifest: Manifest, source: string, planned: Planned): { manifestDigest: string; fingerprints: Record<string, string> } {
  const named = new Map(manifest.servers.map((s) => [s.name, new Set(s.containers.flatMap((c) => [c.name, `${c.name}${ASIDE_SUFFIX}`]))]));
  const fingerprints = observedFingerprints(planned.observed, (server, c) => c.labels[LABELS.ensemble] !== undefined || (named.get(server)?.has(c.name) ?? false));
  return { manifestDigest: manifestDigest(`${source}\0${JSON.stringify(manifest.servers)}`), fingerprints };
}

function savedPlanOf(manifest: Manifest, ensemble: Plan['ensemble'], source: string, planned: Planned): SavedPlan {
  const { manifestDigest: digest, fingerprints } = savedState(manifest, source, planned);
  return {
    format: SAVED_PLAN_FORMAT, version: SAVED_PLAN_VERSION, created: new Date().toISOString(), ensemble: ensemble.name,
    manifest: { file: manifest.file, digest },
    observed: { digest: observedDigest(fingerprints), fingerprints },
    plan: planToJson(planned.plan),
  };
}

/** A saved plan applies only while planning afresh gives exactly it, from the same world. */
function checkSaved(file: string, name: string, saved: SavedPlan, manifest: Manifest, ensemble: Plan['ensemble'], source: string, planned: Planned): void {
  const changes = staleness(saved, { ensemble: ensemble.name, ...savedState(manifest, source, planned), plan: planToJson(planned.plan) });
  if (changes.length > 0) throw new StalePlanError(file, name, changes);
}

async function upBody(c: TaskContext, { name, verbose, prune, pull, plan: planFile, lock_wait }: UpArgs) {
  if (!Number.isFinite(lock_wait) || lock_wait < 0) throw new UsageError(`lock_wait must be a number of seconds, 0 or more (got ${lock_wait})`, { argument: `lock_wait=${lock_wait}` });
  const saved = planFile === undefined ? undefined : readSavedPlan(planFile);
  const { manifest, ensemble, source } = loadManifest(name);
  c.log(pull ? 'Pulling images and calculating changes...' : 'Calculating changes...');
  const first = await observeAndPlan(c, manifest, ensemble, { pull, prune });
  if (saved && planFile !== undefined) checkSaved(planFile, name, saved, manifest, ensemble, source, first);
  show(c, first.plan, verbose);
  refuseLockouts(manifest, first.plan);
  if (first.plan.ops.length === 0) {
    const incomplete = incompleteError(first.plan, 'ensemble.up');
    if (incomplete) throw incomplete;
    return [];
  }
  await confirmPlan(c);
  const again = (): Promise<Planned> => observeAndPlan(c, manifest, ensemble, { prune });
  return underLock(c, ensemble, first, { lockWait: lock_wait, verbose, again }, (current) => applyAndConverge(c, manifest, ensemble, current, prune));
}

/** Asks before a plan with changes is applied (--yes answers yes). */
export async function confirmPlan(c: TaskContext): Promise<void> {
  if (c.yes) return;
  const answer = await c.confirm('Do you wish to continue?');
  if (answer === undefined) throw new UsageError('the plan needs confirmation and there is no terminal', { hint: 'add --yes' });
  if (!answer) throw new TaskError('Aborted');
}

/** Runs `body` holding the locks of the servers the shown plan changes, from before the first
 *  change until it ends, whatever happens; `again` plans afresh under the lock. */
export async function underLock<T>(
  c: TaskContext, ensemble: Plan['ensemble'], first: Planned, options: { lockWait: number; verbose: boolean; again: () => Promise<Planned> }, body: (current: Planned) => Promise<T>,
): Promise<T> {
  let current = first;
  const locks = await lockServers(c, lockTargets(first.plan, first.located), {
    ensemble: ensemble.name, waitSec: options.lockWait, gone: (t) => current.located.get(t.server)?.spec?.host !== t.spec.host,
  });
  try {
    // another run may have changed the servers between this one's observation and its lock
    // (while it waited, asked, or while a run holding the lock finished): what is applied is
    // still exactly the plan shown, or nothing
    current = await unchangedUnderLock(c, first, options);
    return await body(current);
  } finally {
    await locks.release();
  }
}

async function unchangedUnderLock(c: TaskContext, shown: Planned, options: { verbose: boolean; again: () => Promise<Planned> }): Promise<Planned> {
  const now = await options.again();
  if (JSON.stringify(planToJson(now.plan)) === JSON.stringify(planToJson(shown.plan))) return now;
  c.log('The servers changed since the plan was shown; the plan now is:');
  show(c, now.plan, options.verbose);
  throw new TaskError('the servers changed since the plan was shown (another run?), so nothing was changed', { hint: `run ${c.task} again to see and confirm the new plan` });
}

async function applyAndConverge(c: TaskContext, manifest: Manifest, ensemble: Plan['ensemble'], planned: Planned, prune: boolean) {
  const outcomes = await applyPlan(c, manifest, planned.plan, planned.observed, { located: planned.located, strays: planned.strays });
  reportOutcomes(c, outcomes, 'ensemble.up');
  const incomplete = incompleteError(planned.plan, 'ensemble.up');
  if (incomplete) throw incomplete;
  const again = await observeAndPlan(c, manifest, ensemble, { prune });
  if (again.plan.ops.length > 0) {
    show(c, again.plan, true);
    throw new TaskError('ensemble.up finished but observing again still finds changes (see above)', { hint: 'this is a bug in hitc: please report it with the plan' });
  }
  c.log('converged: observing again finds no changes');
  return outcomes;
}

/** Says how the ops went; fails naming each failed op. */
export function reportOutcomes(c: TaskContext, outcomes: readonly OpOutcome[], task: string): void {
  const failed = outcomes.filter((o) => o.status === 'failed');
  const skipped = outcomes.filter((o) => o.status === 'skipped');
  c.log(`applied: ${outcomes.filter((o) => o.status === 'done').length} done, ${failed.length} failed, ${skipped.length} skipped (of ${outcomes.length} operations)`);
  if (failed.length > 0) {
    // a rollout stopped by its failure budget leaves the copies it did not start as they were
    const budgets = [...new Set(skipped.flatMap((o) => (o.budget ? [o.budget] : [])))];
    const untouched = skipped.filter((o) => o.budget).length;
    throw new TaskError(`${failed.length} operation${failed.length === 1 ? '' : 's'} failed: ${failed.map((f) => `${f.title} (${(f.error as Error)?.message})`).join('; ')}`, {
      hint: [
        ...(budgets.length > 0 ? [`${budgets.join('; ')}, so ${untouched} ${untouched === 1 ? 'copy was' : 'copies were'} not touched`] : []),
        ...(skipped.length > untouched ? [`${skipped.length - untouched} operation(s) that needed them were skipped`] : []),
        `fix the failure and run ${task} again`,
      ].join('; '),
    });
  }
}

export function unlockTask(c: TaskContext, { name }: { name: string }) {
  return guarded('ensemble.unlock', async () => {
    const { manifest, ensemble } = loadManifest(name);
    const { located } = await locateServers(c, manifest, ensemble.name);
    const targets = [...located].flatMap(([server, where]) => (where.spec ? [{ server, spec: where.spec }] : []));
    return unlockServers(c, targets, ensemble.name);
  });
}

export function downTask(c: TaskContext, { name, dry_run }: { name: string; dry_run: boolean }) {
  return guarded('ensemble.down', async () => {
    const { manifest, ensemble } = loadManifest(name);
    return runDown(c, manifest, ensemble.name, dry_run);
  });
}

export function hostsTask(c: TaskContext, { name, remove }: { name: string; remove: boolean }) {
  return guarded('ensemble.hosts', async () => {
    const { manifest, ensemble } = loadManifest(name);
    return runHosts(c, manifest, ensemble.name, remove);
  });
}

/** A firewall to apply that admits SSH from no listed source is refused before anything changes,
 *  unless its manifest accepts that with ssh_from_applier_only: true. */
function refuseLockouts(manifest: Manifest, plan: Plan): void {
  const risky = plan.warnings.filter((w) => isLockoutWarning(w.text) && plan.ops.some((o) => o.kind === 'put-firewall' && `firewall:${o.server}` === w.id));
  const first = risky[0];
  if (!first) return;
  const servers = risky.map((w) => w.id.slice('firewall:'.length));
  const line = manifest.servers.find((s) => s.name === servers[0])?.firewall?.line;
  throw new ConfigError(`${servers.map((s) => `${s}.firewall`).join(', ')} would admit SSH from no listed source (nothing was changed)`, {
    file: manifest.file, ...(line !== undefined ? { line } : {}),
    hint: `admit SSH from where you log in (e.g. 22: [203.0.113.7, $internal_ips]), or accept that only the address hitc applies from gets in, until it changes or the server reboots, with ${SSH_FROM_APPLIER_ONLY}: true in the firewall`,
  });
}
