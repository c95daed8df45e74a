// The audit log as values: one JSON line per applied op, appended on the op's server, and the
// commands that write and read it. The line travels on stdin (a reason or an error could hold
// anything; argv is visible to every process on the host) and is appended with one write under
// O_APPEND, which POSIX keeps whole for writes below PIPE_BUF: concurrent writers (two ups, two
// ops of one up) never interleave lines. Hence lines are kept well under 4 KiB.

import { sh, type Command } from '../../core/command.ts';
import { redact } from '../../core/redact.ts';

export const AUDIT_DIR = '/var/log/hitc';
export const AUDIT_LOG = `${AUDIT_DIR}/audit.log`;

/** Longest line written, in bytes, newline included (PIPE_BUF is at least 4096 on Linux). */
export const MAX_LINE_BYTES = 3500;
/** Free text (reason, error) is cut to this many characters before anything else. */
const TEXT_CHARS = 300;

export interface AuditRecord {
  /** ISO 8601, UTC. */
  readonly time: string;
  /** Who applied it: the local user@host hitc ran as. */
  readonly by: string;
  readonly ensemble: string;
  /** The op's id in the plan (`replace-container:web/app`). */
  readonly op: string;
  readonly kind: string;
  readonly reason: string;
  /** The container spec hash or firewall hash the op put in place, when it has one. */
  readonly spec?: string;
  readonly result: 'done' | 'failed';
  /** The first line of the error, when it failed. */
  readonly error?: string;
}

/** The record as one line (newline included): secrets masked, free text cut to fit. */
export function auditLine(record: AuditRecord): string {
  let reason = cut(redact(record.reason), TEXT_CHARS);
  let error = record.error === undefined ? undefined : cut(redact(firstLine(record.error)), TEXT_CHARS);
  // always in this order: readAuditCommand's filter relies on `"ensemble":…,` being followed by a key
  const render = (): string => `${JSON.stringify({
    time: record.time, by: record.by, ensemble: record.ensemble, op: record.op, kind: record.kind, reason,
    ...(record.spec === undefined ? {} : { spec: record.spec }), result: record.result, ...(error === undefined ? {} : { error }),
  })}\n`;
  let line = render();
  // multi-byte text or long names: shorten the free text until the line fits one atomic write
  for (let chars = TEXT_CHARS; Buffer.byteLength(line) > MAX_LINE_BYTES && chars > 0; chars = Math.floor(chars / 2)) {
    reason = cut(reason, chars);
    if (error !== undefined) error = cut(error, chars);
    line = render();
  }
  if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
    line = `${JSON.stringify({ time: record.time, by: cut(record.by, 100), ensemble: cut(record.ensemble, 200), op: cut(record.op, 400), kind: record.kind, reason: '', result: record.result })}\n`;
  }
  return line;
}

/** Appends the line read from stdin to the audit log, as root. `read` takes the whole line
 *  first, so printf hands it to the file in one write; the umask makes the directory 0750 and
 *  the file 0640 when they are created. */
export function appendAuditCommand(): Command {
  return sh`umask 027 && mkdir -p ${AUDIT_DIR} && IFS= read -r line && printf '%s\\n' "$line" >> ${AUDIT_LOG}`;
}

/** The last `lines` lines of the log (of one ensemble's records, when given); nothing when
 *  there is no log yet. */
export function readAuditCommand(lines: number, ensemble?: string): Command {
  if (!Number.isInteger(lines) || lines < 1) throw new RangeError(`lines must be a positive integer, got ${lines}`);
  if (ensemble === undefined) return sh`if [ -f ${AUDIT_LOG} ]; then tail -n ${String(lines)} ${AUDIT_LOG}; fi`;
  // the key and value as they appear in a line: inside an escaped string a quote is \", so the
  // pattern cannot match a reason that merely mentions the ensemble
  const pattern = `"ensemble":${JSON.stringify(ensemble)},`;
  return sh`if [ -f ${AUDIT_LOG} ]; then grep -F -e ${pattern} ${AUDIT_LOG} | tail -n ${String(lines)}; fi`;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';
}

function cut(text: string, chars: number): string {
  const all = [...text]; // by code point: never split a surrogate pair
  return all.length <= chars ? text : `${all.slice(0, Math.max(0, chars - 1)).join('')}…`;
}

/** The records in the text a read returned, in file order; lines that are not a record (cut
 *  short by a full disk, written by hand) are counted, not fatal. */
export function parseAuditLog(text: string, ensemble?: string): { records: AuditRecord[]; badLines: number } {
  const records: AuditRecord[] = [];
  let badLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const record = toRecord(line);
    if (!record) badLines++;
    else if (ensemble === undefined || record.ensemble === ensemble) records.push(record);
  }
  return { records, badLines };
}

/** One readable line: time (to the second), who, ensemble, op, result (and why it failed). */
export function formatAuditRecord(r: AuditRecord): string {
  const time = r.time.replace(/\.\d+Z$/, 'Z');
  return `${time}  ${r.by}  ${r.ensemble}  ${r.op}  ${r.result}${r.error ? `: ${r.error}` : ''}`;
}

function toRecord(line: string): AuditRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof v[key] === 'string' ? (v[key] as string) : undefined);
  const [time, by, ensemble, op, kind, result] = ['time', 'by', 'ensemble', 'op', 'kind', 'result'].map(text);
  if (!time || by === undefined || ensemble === undefined || !op || (result !== 'done' && result !== 'failed')) return undefined;
  const spec = text('spec');
  const error = text('error');
  return {
    time, by, ensemble, op, kind: kind ?? op.split(':')[0] ?? '', reason: text('reason') ?? '',
    ...(spec !== undefined ? { spec } : {}), result, ...(error !== undefined ? { error } : {}),
  };
}
