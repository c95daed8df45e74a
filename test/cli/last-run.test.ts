import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../src/cli/args.ts';
import { lastRunOf, lastRunPath, readLastRun, rerunRequest, writeLastRun, type LastRun } from '../../src/cli/last-run.ts';
import { parseHostSpec } from '../../src/core/host-spec.ts';
import { registerSecret } from '../../src/core/redact.ts';
import type { HostOutcome, PlannedTask } from '../../src/runner/plan.ts';
import { task } from '../../src/taskfile/define.ts';

const dirs: string[] = [];
process.on('exit', () => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const scratch = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-fleet-'));
  dirs.push(dir);
  return dir;
};

const planned = (name: string, hosts: string[], mode: PlannedTask['mode'] = 'parallel'): PlannedTask => ({ name, task: task(() => undefined), args: {}, hosts: hosts.map((h) => parseHostSpec(h)), mode, poolSize: 4 });
const out = (t: string, host: string, status: HostOutcome['status']): HostOutcome => ({ task: t, host, status, durationMs: 0 });

test('beside the hitcfile, else in ~/.hitc', () => {
  assert.equal(lastRunPath('/p/hitcfile.ts', '/home/u'), '/p/.hitc/last-run.json');
  assert.equal(lastRunPath(undefined, '/home/u'), '/home/u/.hitc/last-run.json');
});

test('failed and unreached hosts: a host is done only when every task ended ok on it', () => {
  const plan = [planned('a', ['h1', 'h2', 'h3', 'h4']), planned('b', ['h1', 'h2', 'h3', 'h4']), planned('once', [], 'once')];
  const outcomes = [out('a', 'h1', 'ok'), out('a', 'h2', 'failed'), out('a', 'h3', 'unreachable'), out('a', 'h4', 'skipped'), out('b', 'h1', 'ok')];
  const r = lastRunOf(plan, outcomes, { tasks: ['a', 'b:x=1'] }, new Date(0));
  assert.deepEqual(r, { version: 1, at: '1970-01-01T00:00:00.000Z', tasks: ['a', 'b:x=1'], failed: ['h2', 'h3'], unreached: ['h4'] });
  // b never ran on h1's peers; h1 itself is done
  const stopped = lastRunOf(plan, [out('a', 'h1', 'ok'), out('a', 'h2', 'ok'), out('a', 'h3', 'ok'), out('a', 'h4', 'ok')], { tasks: ['a', 'b'] });
  assert.deepEqual(stopped.unreached, ['h1', 'h2', 'h3', 'h4']);
});

test('an invocation holding a secret is not written down', () => {
  registerSecret('s3cr3t-fleet-token');
  const r = lastRunOf([planned('a', ['h1'])], [out('a', 'h1', 'failed')], { adhoc: 'deploy --token s3cr3t-fleet-token' });
  assert.equal(r.adhoc, undefined);
  assert.equal(JSON.stringify(r).includes('s3cr3t'), false);
  assert.throws(() => rerunRequest(parseArgs(['--rerun-failed']), r, 'F'), /holds no task invocation/);
});

test('written atomically, 0600, read back; a damaged file is a config error; a missing one is undefined', () => {
  const dir = scratch();
  const path = join(dir, '.hitc', 'last-run.json');
  assert.equal(readLastRun(path), undefined);
  const record: LastRun = { version: 1, at: 'x', tasks: ['a'], failed: ['h1'], unreached: [] };
  writeLastRun(path, record);
  assert.deepEqual(readLastRun(path), record);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(join(dir, '.hitc')), ['last-run.json']); // no temp file left
  writeFileSync(path, '{"version":1,"failed":"h1"');
  assert.throws(() => readLastRun(path), /is not a run record hitc wrote/);
  writeFileSync(path, JSON.stringify({ version: 1, at: 'x', failed: [1], unreached: [] }));
  assert.throws(() => readLastRun(path), /is not a run record/);
});

test('a failed write leaves the old record as it was', () => {
  const dir = scratch();
  const path = join(dir, '.hitc', 'last-run.json');
  writeLastRun(path, { version: 1, at: 'old', failed: ['h1'], unreached: [] });
  const before = readFileSync(path, 'utf8');
  // a record JSON cannot encode makes the write fail half way
  const bad = { version: 1, at: 'new', failed: [], unreached: [], big: 10n } as unknown as LastRun;
  assert.throws(() => writeLastRun(path, bad));
  assert.equal(readFileSync(path, 'utf8'), before);
  assert.deepEqual(readdirSync(join(dir, '.hitc')), ['last-run.json']);
});

test('the rerun request: recorded hosts, recorded tasks unless given, nothing when nothing failed', () => {
  const record: LastRun = { version: 1, at: 'x', tasks: ['deploy:v2', 'check'], failed: ['h2'], unreached: ['h4'] };
  const r = rerunRequest(parseArgs(['--rerun-failed', '-P']), record, 'F');
  assert.deepEqual(r?.hosts, ['h2', 'h4']);
  assert.deepEqual(r?.tasks.map((t) => t.word), ['deploy:v2', 'check']);
  assert.equal(r?.parallel, true);
  assert.deepEqual(rerunRequest(parseArgs(['--rerun-failed', 'other']), record, 'F')?.tasks.map((t) => t.name), ['other']);
  assert.equal(rerunRequest(parseArgs(['--rerun-failed']), { ...record, adhoc: 'uptime', tasks: undefined }, 'F')?.adhoc, 'uptime');
  assert.equal(rerunRequest(parseArgs(['--rerun-failed']), { ...record, failed: [], unreached: [] }, 'F'), undefined);
});
