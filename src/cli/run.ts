// `hitc TASK…` and `hitc -- COMMAND`: plan, connect lazily, run, report, close. Ctrl-C aborts
// every host, closes every connection and exits 130.

import { setMaxListeners } from 'node:events';
import { ExitCode, InterruptedError, isHitcError } from '../core/errors.ts';
import type { EventSink, RunEvent } from '../core/events.ts';
import { redactDeep, registerSecret } from '../core/redact.ts';
import { sharedOnce } from '../core/once.ts';
import { runPlan } from '../runner/execute.ts';
import type { HostOutcome } from '../runner/plan.ts';
import { LocalTransport } from '../transport/local.ts';
import { SshPool } from '../transport/ssh-pool.ts';
import { SSH_DEFAULTS } from '../transport/ssh-options.ts';
import { hostAliases, loadSshConfig } from '../transport/ssh-config.ts';
import { Cloud } from '../providers/cloud.ts';
import { NodeCache } from '../providers/node-cache.ts';
import { ProviderSet, detectProviders } from '../providers/registry.ts';
import { JsonCollector } from '../ui/json-report.ts';
import { confirmOnTerminal, terminalAsker } from '../ui/prompt.ts';
import { colorWanted, createStyle } from '../ui/style.ts';
import { summaryLines } from '../ui/summary.ts';
import { TextReporter } from '../ui/text-reporter.ts';
import { LiveProgress } from '../ui/live-progress.ts';
import type { CliRequest } from './args.ts';
import type { Settings } from '../taskfile/define.ts';
import { buildPlan } from './build-plan.ts';
import { lastRunOf, lastRunPath, noRecordError, readLastRun, rerunRequest, writeLastRun } from './last-run.ts';
import { loadTasks } from './load-tasks.ts';
import { registerEnvSecrets } from './env-secrets.ts';

export async function runRequest(request: CliRequest): Promise<number> {
  let req = request;
  const loaded = await loadTasks(req.hitcfile);
  const settings = loaded.settings;
  registerEnvSecrets(); // again: the hitcfile may have set them
  const style = createStyle(colorWanted(req.color, process.stdout));
  const text = req.json ? undefined : new TextReporter(process.stdout, style, req.output);
  const json = req.json ? new JsonCollector() : undefined;
  // a live list needs a real terminal with a width to redraw in
  const live = text && req.output === 'stream' && process.stdout.isTTY && (process.stdout.columns ?? 0) >= 40 ? new LiveProgress() : undefined;
  const emit: EventSink = (event: RunEvent) => {
    // redacted here too, not only where text is written: a live list cuts lines to the
    // terminal's width, which could leave half a secret the writer no longer recognises
    const clean = redactEvent(event);
    json?.handle(clean);
    if (live && (clean.type === 'progress-start' || clean.type === 'progress' || clean.type === 'progress-end')) {
      if (live.handle(clean)) {
        if (clean.type === 'progress-start') text?.hold();
        if (clean.type === 'progress-end') void live.idle().then(() => live.active || text?.release());
        return;
      }
    }
    text?.handle(clean);
  };

  const cloud = new Cloud(
    new ProviderSet(settings?.providers ?? detectProviders(), settings?.providers !== undefined),
    new NodeCache(undefined, settings?.nodeCacheTtlSec ? settings.nodeCacheTtlSec * 1000 : undefined),
    settings?.namePrefix ?? 'HITC-',
    (message) => emit({ type: 'message', host: undefined, level: 'info', text: message }),
  );
  const recordPath = lastRunPath(loaded.hitcfile);
  if (req.rerunFailed) {
    const record = readLastRun(recordPath);
    if (!record) throw noRecordError(recordPath);
    const again = rerunRequest(req, record, recordPath);
    if (!again) {
      // nothing to do is a success: a CI step "rerun what failed" passes when nothing did
      return nothingToDo(req, `the last run (${record.at}) left no failed or unreached hosts; nothing to rerun`);
    }
    req = again;
  }
  // the config the pool reads: a -H word it names is an ssh alias, never looked up in the cloud
  const aliases = sharedOnce(async () => hostAliases(await loadSshConfig(req.sshConfig)));
  const planned = await buildPlan(req, loaded.registry, settings, cloud, async (host) => (await aliases()).has(host));
  // a slice may hold none of a task's hosts (more CI jobs than hosts): that job has nothing to do
  const plan = planned.filter((p) => !(req.slice && p.mode !== 'once' && p.hosts.length === 0));
  const empty = planned.filter((x) => !plan.includes(x)).map((p) => `slice ${req.slice?.index}/${req.slice?.count} holds no host of task ${p.name}`);
  if (plan.length === 0) return nothingToDo(req, `${empty.join('; ')}; nothing to do`);
  for (const line of empty) process.stderr.write(`hitc: ${line}; skipping it\n`);

  const ask = terminalAsker();
  const sudoPassword = sharedOnce(async () => {
    const fromEnv = process.env.HITC_SUDO_PASSWORD;
    const password = fromEnv !== undefined && fromEnv !== '' ? fromEnv : ask ? await ask('[sudo] password for the remote hosts: ') : undefined;
    return registerSecret(password);
  });
  const pool = new SshPool({
    ...(req.user ?? settings?.user ? { user: (req.user ?? settings?.user) as string } : {}),
    ...(req.port ?? settings?.port ? { port: (req.port ?? settings?.port) as number } : {}),
    identities: [...req.identities, ...(settings?.identities ?? [])],
    ...(req.gateway ?? settings?.gateway ? { gateway: (req.gateway ?? settings?.gateway) as string } : {}),
    ...(req.connectTimeoutSec ?? settings?.connectTimeoutSec ? { connectTimeoutMs: ((req.connectTimeoutSec ?? settings?.connectTimeoutSec) as number) * 1000 } : {}),
    strictHostKeys: req.strictHostKeys,
    forwardAgent: req.forwardAgent || settings?.forwardAgent === true,
    ...(req.sshConfig ? { sshConfigPath: req.sshConfig } : {}),
    connectConcurrency: req.connectConcurrency ?? settings?.connectConcurrency ?? SSH_DEFAULTS.connectConcurrency,
    keepaliveIntervalMs: SSH_DEFAULTS.keepaliveIntervalMs,
    keepaliveCountMax: SSH_DEFAULTS.keepaliveCountMax,
    ...(ask ? { askSecret: ask } : {}),
    sudoPassword,
  });

  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // one listener per host in flight
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return;
    // commands are killed by the abort; connections close once the kills went through
    controller.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  cloud.bindSignal(controller.signal); // provider calls end on Ctrl-C too
  const started = Date.now();
  let outcomes: HostOutcome[] = [];
  try {
    outcomes = await runPlan(plan, {
      warnOnly: req.warnOnly,
      skipBadHosts: req.skipBadHosts,
      ...(req.commandTimeoutSec ?? settings?.commandTimeoutSec ? { commandTimeoutMs: ((req.commandTimeoutSec ?? settings?.commandTimeoutSec) as number) * 1000 } : {}),
      ...(req.hostTimeoutSec ? { hostTimeoutMs: req.hostTimeoutSec * 1000 } : {}),
      ...(req.retries !== undefined || req.retryDelaySec !== undefined ? { retry: { retries: req.retries ?? 0, delayMs: (req.retryDelaySec ?? 1) * 1000 } } : {}),
      yes: req.yes,
    }, { transportFor: (h) => pool.transport(h), local: new LocalTransport(), emit, signal: controller.signal, cloud, sshClientArgs: sshClientArgs(req, settings), confirm: confirmOnTerminal });
  } finally {
    await cloud.settled(); // an interrupted create cancels what it started in the cloud first
    await pool.closeAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const totalMs = Date.now() - started;
  // only runs across hosts are recorded: `hitc nodes` between a failed deploy and its rerun
  // must not make the rerun forget the failed hosts
  if (plan.some((p) => p.mode !== 'once')) {
    try {
      writeLastRun(recordPath, lastRunOf(plan, outcomes, req.adhoc !== undefined ? { adhoc: req.adhoc } : { tasks: req.tasks.map((t) => t.word) }));
    } catch (error) {
      // the run itself is done; only the next --rerun-failed would miss it
      process.stderr.write(`hitc: could not record this run in ${recordPath}: ${(error as Error).message}\n`);
    }
  }
  const interrupted = controller.signal.aborted;
  const failed = outcomes.some((o) => o.status === 'failed' || o.status === 'unreachable');
  // an error raised inside a task keeps its own exit code when every failure agrees (a usage
  // error found at run time is still 2; ensemble.plan's "changes pending" is 3)
  const failures = outcomes.filter((o) => o.status === 'failed' || o.status === 'unreachable');
  const codes = new Set(failures.map((o) => (isHitcError(o.error) ? o.error.cliExitCode : ExitCode.taskFailed)));
  const shared = codes.size === 1 ? ([...codes][0] as number) : undefined;
  const exitCode = interrupted ? ExitCode.interrupted : failed ? (shared ?? ExitCode.taskFailed) : ExitCode.ok;

  if (json) {
    process.stdout.write(`${JSON.stringify(json.document(outcomes, exitCode, totalMs, interrupted ? controller.signal.reason : undefined), null, 2)}\n`);
  } else {
    live?.abandon(); // a task that gave up (timeout, Ctrl-C) may never end its steps
    await live?.idle();
    text?.flushAll();
    const hostOutcomes = outcomes.filter((o) => o.host !== undefined);
    if (new Set(hostOutcomes.map((o) => o.host)).size > 1 || hostOutcomes.length > 1) {
      process.stdout.write(`\n${summaryLines(outcomes, totalMs, style).join('\n')}\n`);
    }
    if (interrupted) process.stderr.write(`${style.red('hitc: interrupted; connections closed')}\n`);
  }
  return exitCode;
}

/** A run with nothing to do succeeds: said on stderr, or as an empty result with --json. */
function nothingToDo(req: CliRequest, message: string): number {
  if (req.json) process.stdout.write(`${JSON.stringify({ ...new JsonCollector().document([], ExitCode.ok, 0), message }, null, 2)}\n`);
  else process.stderr.write(`hitc: ${message}\n`);
  return ExitCode.ok;
}

function redactEvent(event: RunEvent): RunEvent {
  // an error in an event stays an Error (its class decides how it is shown): it is redacted
  // when formatted; every string beside it is redacted here
  return redactDeep(event);
}

/** The same connection settings for the system ssh (tasks `ssh`, `rsync_up`, …). */
function sshClientArgs(req: CliRequest, settings: Settings | undefined): string[] {
  const args: string[] = [];
  if (req.sshConfig) args.push('-F', req.sshConfig);
  for (const id of [...req.identities, ...(settings?.identities ?? [])]) args.push('-i', id);
  const gateway = req.gateway ?? settings?.gateway;
  if (gateway) args.push('-J', gateway);
  if (req.forwardAgent || settings?.forwardAgent) args.push('-A');
  const timeout = req.connectTimeoutSec ?? settings?.connectTimeoutSec;
  if (timeout) args.push('-o', `ConnectTimeout=${Math.ceil(timeout)}`);
  // without --strict-host-keys the tasks add accept-new only where the user's ssh config is silent
  if (req.strictHostKeys) args.push('-o', 'StrictHostKeyChecking=yes');
  return args;
}
