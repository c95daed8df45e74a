// Doing a run-release op: the release command in its throwaway container, on the op's server.
// A failure (a non-zero exit, the time limit, a container that cannot be made) throws an error
// that names the host, the command, the exit code and the output's last lines; the container
// ops that wait for it are then skipped, so no copy is switched to a version whose release
// did not run.

import { TaskError } from '../../core/errors.ts';
import { quoteArgv } from '../../core/quote.ts';
import { dockerRm } from '../../docker/commands.ts';
import type { DockerHost } from '../../docker/docker-host.ts';
import type { RunReleaseOp } from '../plan/ops.ts';
import type { ResolvedContainer } from '../plan/resolve-container.ts';
import { parseReleaseResult, releaseCommand, releaseContainerName, releaseSpec } from './release-command.ts';

// time for docker to make and remove the container, beyond the release's own limit (the
// host's watchdog enforces that one; this only bounds a connection that stops answering)
const SLACK_SECONDS = 120;

export async function runRelease(host: DockerHost, op: RunReleaseOp, spec: ResolvedContainer, words: readonly string[], note: (text: string) => void): Promise<string> {
  // a variable may have filled it in: docker would read a leading "-" as an option
  if (!/^[A-Za-z0-9]\S*$/.test(spec.run.image)) throw new TaskError(`${op.path}.image: "${spec.run.image}" is not an image name`);
  const shown = quoteArgv(words);
  const name = releaseContainerName(op.container, Math.floor(Date.now() / 1000));
  const where = `[${op.server}] release of ${op.container} (${shown})`;
  note(`running in ${name}`);
  const started = performance.now();
  // the script's own cleanup may not have run when it did not get to report (Ctrl-C kills the
  // docker client, not the container): remove it from here, with a signal of its own, since
  // the run's is aborted by then
  const removeLeftover = (): Promise<unknown> => host.asRoot(dockerRm(name), { quiet: true, warn: true, timeout: 60, signal: AbortSignal.timeout(60_000) }).catch(() => undefined);
  const result = await host.asRoot(releaseCommand(releaseSpec(spec.run, name), words, op.timeoutSeconds), { quiet: true, warn: true, timeout: op.timeoutSeconds + SLACK_SECONDS })
    .catch(async (error: unknown) => {
      await removeLeftover();
      throw error;
    });
  const outcome = parseReleaseResult(result.stdout);
  if (!outcome) {
    await removeLeftover();
    const said = lastLines(result.stderr, 3);
    throw new TaskError(`${where} did not finish: ${result.timedOut ? 'no answer within its time limit' : `exit code ${result.exitCode}`}${said ? `: ${said}` : ''}`, {
      host: op.server, hint: `nothing of ${op.container} was switched; check ${op.server} for a leftover container ${name}`,
    });
  }
  // said in the message too: a failed step of an apply shows its message, not its hint
  const kept = `nothing of ${op.container} was switched`;
  const hint = `${kept} (the running copies are as they were); fix the release and run ensemble.up again`;
  const tail = outcome.tail.length > 0 ? `; its last ${outcome.tail.length === 1 ? 'line' : `${outcome.tail.length} lines`}:\n${outcome.tail.map((l) => `  | ${l}`).join('\n')}` : '; it printed nothing';
  if (outcome.step === 'create') {
    throw new TaskError(`${where}: its container could not be made (exit code ${outcome.code}): ${lastLines(result.stderr, 3) || 'docker said nothing'}; ${kept}`, { host: op.server, hint });
  }
  if (outcome.step === 'timeout') {
    throw new TaskError(`${where} timed out after ${op.timeoutSeconds}s (release_timeout) and was killed (exit code ${outcome.code}); ${kept}${tail}`, { host: op.server, hint });
  }
  if (outcome.code !== 0) throw new TaskError(`${where} failed with exit code ${outcome.code}; ${kept}${tail}`, { host: op.server, hint });
  return `done in ${Math.round((performance.now() - started) / 100) / 10}s`;
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').filter((l) => l.trim() !== '').slice(-n).join(' / ');
}
