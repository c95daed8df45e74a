// `restart:` and `logs:` of a container: how Docker brings it back after its process or the
// server stops, and how much of its log it keeps. Both are literal values (no variables): they
// are part of the spec hash and shown in the plan as they are written.

import type { ManifestIssue } from '../../core/errors.ts';
import { suggest } from '../../core/suggest.ts';
import { text, type LEntry } from './yaml-tree.ts';
import type { ContainerLogs } from './model.ts';

/** Docker's restart policies; on-failure may carry a retry bound (`on-failure:5`). */
export const RESTART_POLICIES = ['no', 'always', 'unless-stopped', 'on-failure'] as const;
const LOG_KEYS = ['max_size', 'max_files'];
// a bound that keeps a typo (max_files: 3000) from filling a disk with log files
const MAX_LOG_FILES = 100;

export function parseRestart(e: LEntry | undefined, path: string, issues: ManifestIssue[]): string | undefined {
  if (!e) return undefined;
  const value = text(e.value)?.toLowerCase();
  const m = value === undefined ? null : /^(no|always|unless-stopped|on-failure)(?::([1-9]\d{0,5}))?$/.exec(value);
  if (m && (m[2] === undefined || m[1] === 'on-failure')) return value;
  const close = value === undefined ? [] : suggest(value, RESTART_POLICIES);
  issues.push({
    path, line: e.line,
    message: `restart ${value === undefined ? 'must be a single value' : `"${value}" is not a restart policy`}`,
    hint: close.length > 0 ? `did you mean ${close.join(' or ')}?` : 'no, always, unless-stopped (the default), on-failure or on-failure:N (N retries, 1 or more)',
  });
  return undefined;
}

/** `logs: {max_size: 10m, max_files: 3}`, each optional (the defaults fill the rest). */
export function parseLogs(e: LEntry | undefined, path: string, issues: ManifestIssue[]): ContainerLogs | undefined {
  if (!e) return undefined;
  if (e.value.kind !== 'map') {
    issues.push({ path, line: e.line, message: 'logs is a mapping of max_size and max_files', hint: 'logs: {max_size: 10m, max_files: 3} (the default: json-file logs, 3 files of 10 MB)' });
    return undefined;
  }
  let maxSize: string | undefined;
  let maxFiles: number | undefined;
  for (const field of e.value.entries) {
    const where = `${path}.${field.key}`;
    const value = text(field.value)?.toLowerCase();
    if (field.key === 'max_size') {
      if (value !== undefined && /^[1-9]\d*[kmg]?$/.test(value)) maxSize = value;
      else issues.push({ path: where, line: field.line, message: `max_size ${value === undefined ? 'must be a single value' : `"${value}" is not a size`}`, hint: 'e.g. 10m, 500k or 1g (the size of one log file before it is rotated)' });
    } else if (field.key === 'max_files') {
      const n = Number(value);
      if (value !== undefined && /^\d+$/.test(value) && n >= 1 && n <= MAX_LOG_FILES) maxFiles = n;
      else issues.push({ path: where, line: field.line, message: `max_files must be a whole number from 1 to ${MAX_LOG_FILES}`, hint: 'e.g. max_files: 3 (how many log files Docker keeps)' });
    } else {
      const close = suggest(field.key, LOG_KEYS);
      issues.push({ path: where, line: field.line, message: `unknown logs field "${field.key}"`, hint: close.length > 0 ? `did you mean ${close.join(' or ')}?` : 'logs has max_size and max_files' });
    }
  }
  return { ...(maxSize !== undefined ? { maxSize } : {}), ...(maxFiles !== undefined ? { maxFiles } : {}) };
}
