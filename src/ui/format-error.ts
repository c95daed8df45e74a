// Every error's text, in one place. User errors get one message and a hint, never a stack;
// remote failures name the host, the command, the exit code and the tail of stderr.

import { CommandError, ConfigError, ConnectError, HitcError, ManifestError, UsageError } from '../core/errors.ts';
import { packageRoot } from '../core/package-root.ts';
import { redact, redactDeep } from '../core/redact.ts';

const TAIL_LINES = 10;

export interface FormattedError {
  readonly headline: string;
  readonly details: readonly string[];
  readonly hint?: string;
}

/** Masked: a message, a stderr tail or a stack line may carry a secret a task printed or threw. */
export function formatError(error: unknown): FormattedError {
  const f = describe(error);
  return { headline: redact(f.headline), details: f.details.map(redact), ...(f.hint ? { hint: redact(f.hint) } : {}) };
}

function describe(error: unknown): FormattedError {
  if (error instanceof CommandError) {
    const tail = lastLines(error.stderr || error.stdout, TAIL_LINES);
    return {
      headline: `[${error.host}] ${error.message}`,
      details: tail.length > 0 ? [`${error.stderr ? 'stderr' : 'stdout'} (last ${tail.length} line${tail.length === 1 ? '' : 's'}):`, ...tail.map((l) => `  ${l}`)] : [],
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  if (error instanceof ConnectError) {
    return { headline: `[${error.host}] ${error.message}`, details: [], ...(error.hint ? { hint: error.hint } : {}) };
  }
  if (error instanceof ManifestError) {
    return {
      headline: error.message,
      details: error.issues.map((i) => `${error.file}${i.line ? `:${i.line}` : ''}: ${i.path ? `${i.path}: ` : ''}${i.message}${i.hint ? ` (${i.hint})` : ''}`),
      hint: 'fix these and run again; nothing was changed',
    };
  }
  if (error instanceof ConfigError) {
    const where = error.file ? `${error.file}${error.line ? `:${error.line}${error.column ? `:${error.column}` : ''}` : ''}: ` : '';
    return { headline: `${where}${error.message}`, details: [], ...(error.hint ? { hint: error.hint } : {}) };
  }
  if (error instanceof UsageError) {
    return { headline: error.message, details: error.details ?? [], ...(error.hint ? { hint: error.hint } : {}) };
  }
  if (error instanceof HitcError) {
    return { headline: error.message, details: [], ...(error.hint ? { hint: error.hint } : {}) };
  }
  // Not ours. A bug in the user's own task code keeps its stack: it is what they need to fix it.
  // One that happened inside hitc is one line: its stack means nothing to the user.
  const err = error as Error;
  const message = err?.message ?? String(error);
  const frames = err?.stack ? err.stack.split('\n').slice(1).map((l) => l.trim()).filter((l) => l.startsWith('at ')) : [];
  // internal only when no frame with a file is outside hitc: a task that misuses the API makes
  // hitc throw, and then the task's own frame is what points at the mistake
  const located = frames.filter((f) => /(\(|^at )(file:\/\/)?\//.test(f));
  if (process.env.HITC_DEBUG !== '1' && located.length > 0 && located.every((f) => isHitcFrame(f))) {
    return { headline: `internal error in hitc: ${message}`, details: [], hint: 'this is a bug in hitc, not in your input; HITC_DEBUG=1 shows where it happened' };
  }
  return { headline: message, details: frames.slice(0, 7) };
}

/** A stack frame in hitc's own code (its sources or their compiled cache), not a hitcfile's. */
export function isHitcFrame(frame: string | undefined, root = packageRoot()): boolean {
  if (frame === undefined || /hitcfile[^/]*\.[cm]?[jt]s/.test(frame)) return false;
  return frame.includes(`${root}/src/`) || frame.includes(`${root}/bin/`) || frame.includes(`${root}/node_modules/`);
}

/** A JSON-safe description of an error for --json output. */
export function errorJson(error: unknown): Record<string, unknown> {
  const f = formatError(error);
  const base: Record<string, unknown> = { kind: error instanceof HitcError ? error.kind : 'internal', message: f.headline };
  if (f.hint) base.hint = f.hint;
  if (error instanceof CommandError) {
    Object.assign(base, { command: error.command, exitCode: error.exitCode, timedOut: error.timedOut, stderrTail: lastLines(error.stderr, TAIL_LINES) });
  }
  if (error instanceof ConnectError) base.failure = error.failure;
  if (error instanceof ConfigError) Object.assign(base, { file: error.file, line: error.line });
  if (error instanceof ManifestError) Object.assign(base, { file: error.file, issues: error.issues });
  if (error instanceof UsageError && error.details) base.details = f.details;
  return redactDeep(base);
}

function lastLines(text: string, n: number): string[] {
  const lines = text.replace(/\n$/, '').split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
  return lines.slice(-n).filter((l) => l !== '');
}
