// The `audit` task: the last lines of the audit log ensemble.up keeps on each selected host
// (apply/audit-commands.ts), as readable lines, or the parsed records with --json.

import { UsageError } from '../core/errors.ts';
import { DockerHost } from '../docker/docker-host.ts';
import { task } from '../taskfile/define.ts';
import { AUDIT_LOG, formatAuditRecord, parseAuditLog, readAuditCommand, type AuditRecord } from './apply/audit-commands.ts';

const MAX_LINES = 10_000;

export const audit = task(
  {
    description: `Show what ensemble.up applied on the hosts: time, who, op, result (from ${AUDIT_LOG})\nlines=N: the last N records (default 20). ensemble=NAME: only that ensemble's.`,
    parallel: true,
    params: {
      lines: { type: 'number', default: 20, description: 'how many of the last records' },
      ensemble: { type: 'string', description: "only this ensemble's records" },
    },
  },
  async (c, { lines, ensemble }): Promise<{ records: AuditRecord[]; badLines: number }> => {
    if (!Number.isInteger(lines) || lines < 1 || lines > MAX_LINES) {
      throw new UsageError(`task audit: lines must be a whole number from 1 to ${MAX_LINES}, got ${lines}`, { argument: 'lines' });
    }
    const name = ensemble === '' ? undefined : ensemble;
    const read = await new DockerHost(c).asRoot(readAuditCommand(lines, name), { quiet: true });
    const { records, badLines } = parseAuditLog(read.stdout, name);
    if (records.length === 0) c.log(name ? `no audit records of ensemble ${name}` : 'no audit records');
    for (const r of records) c.log(formatAuditRecord(r), r.result === 'failed' ? { tone: 'danger' } : {});
    if (badLines > 0) c.warn(`${badLines} line${badLines === 1 ? '' : 's'} of ${AUDIT_LOG} ${badLines === 1 ? 'is' : 'are'} not an audit record (skipped)`);
    return { records, badLines };
  },
);
