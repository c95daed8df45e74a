// Entry point: argv → request → dispatch → one exit point. The only place that decides the
// process exit code; nothing below calls process.exit.

import { ExitCode, InterruptedError, isHitcError } from '../core/errors.ts';
import { parseArgs, type CliRequest } from './args.ts';
import { displayText, helpText, listText, versionText } from './help.ts';
import { loadTasks } from './load-tasks.ts';
import { errorJson, formatError } from '../ui/format-error.ts';
import { guardOutput } from '../ui/redacting-output.ts';
import { registerEnvSecrets } from './env-secrets.ts';
import { colorWanted, createStyle } from '../ui/style.ts';

export { setHitcApiUrl } from '../taskfile/api-url.ts';

export async function main(argv: readonly string[]): Promise<number> {
  // before anything can be printed: every write is masked from here on
  registerEnvSecrets();
  guardOutput(process.stdout);
  guardOutput(process.stderr);
  // a failed promise nobody awaited is a bug in hitc or a task: one line, never a crash with a stack
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`hitc: internal error: ${formatError(reason).headline} (a background step failed unobserved; please report this)\n`);
  });
  // an exception thrown from a callback nobody catches: Node would print it (and its stack, and
  // any secret in it) straight to fd 2, past the guard above; one masked line instead
  process.on('uncaughtException', (error) => {
    process.stderr.write(`hitc: ${formatError(error).headline}\n`);
    process.exit(isHitcError(error) ? error.cliExitCode : ExitCode.taskFailed);
  });
  let req: CliRequest | undefined;
  try {
    req = parseArgs(argv);
    switch (req.action) {
      case 'help':
        process.stdout.write(helpText());
        return ExitCode.ok;
      case 'version':
        process.stdout.write(versionText());
        return ExitCode.ok;
      case 'list': {
        const loaded = await loadTasks(req.hitcfile);
        process.stdout.write(listText(loaded.registry.list(), loaded.hitcfile, loaded.missing));
        return ExitCode.ok;
      }
      case 'display': {
        const loaded = await loadTasks(req.hitcfile);
        process.stdout.write(displayText(loaded.registry.get(req.display as string)));
        return ExitCode.ok;
      }
      case 'run':
        // loaded only when needed: `hitc -l` should not pay for ssh2
        return await (await import('./run.ts')).runRequest(req);
    }
  } catch (error) {
    return reportFatal(error, req);
  }
}

/** Errors that stop hitc before or outside a run: one message, a hint, no stack for user errors. */
function reportFatal(error: unknown, req: CliRequest | undefined): number {
  const code = isHitcError(error) ? error.cliExitCode : error instanceof InterruptedError ? ExitCode.interrupted : ExitCode.taskFailed;
  const f = formatError(error);
  if (req?.json) {
    // the one JSON shape of an error (file, line, issues, command…), as a run's results carry it
    process.stdout.write(`${JSON.stringify({ ok: false, exitCode: code, error: errorJson(error) }, null, 2)}\n`);
    return code;
  }
  const style = createStyle(colorWanted(req?.color, process.stderr));
  const lines = [style.red(`hitc: ${isHitcError(error) ? '' : 'internal error: '}${f.headline}`), ...f.details.map((d) => `  ${d}`)];
  if (f.hint) lines.push(style.dim(`hint: ${f.hint}`));
  if (!isHitcError(error)) lines.push(style.dim('this is a bug in hitc or in a task; please report it with the lines above'));
  process.stderr.write(`${lines.join('\n')}\n`);
  return code;
}
