// Apply's audit trail with a fake root shell: which ops write where (a terminated server and a
// failed create write nothing), what a line holds (spec hash, never a secret), and a host that
// refuses the write is warned about once while the ops' results stand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Manifest } from '../../../src/ensemble/manifest/model.ts';
import type { Located } from '../../../src/ensemble/observe/observe.ts';
import type { World } from '../../../src/ensemble/plan/world.ts';
import type { TaskContext } from '../../../src/taskfile/context-types.ts';
import { AuditTrail } from '../../../src/ensemble/apply/audit-trail.ts';
import { parseAuditLog, type AuditRecord } from '../../../src/ensemble/apply/audit-commands.ts';
import { everyKindPlan, SECRET_VALUE } from '../plan/hand-plans.ts';

/** A context whose hosts record each command's stdin; `refuse` hosts fail every command. */
function fakeContext(refuse: readonly string[] = [], throwing: readonly string[] = []) {
  const written: { host: string; stdin: string; script: string }[] = [];
  const warnings: string[] = [];
  const on = (spec: { host: string }) => ({
    host: { name: spec.host, host: spec.host },
    signal: new AbortController().signal,
    run: async (command: { script: string }, options: { stdin?: string }) => {
      if (throwing.includes(spec.host)) throw new Error(`connect to ${spec.host} timed out`);
      written.push({ host: spec.host, stdin: String(options.stdin ?? ''), script: command.script });
      const ok = !refuse.includes(spec.host);
      return { command: command.script, stdout: '', stderr: ok ? '' : 'mkdir: cannot create directory: Read-only file system', exitCode: ok ? 0 : 1, ok, timedOut: false, durationMs: 1 };
    },
  });
  const c = { signal: new AbortController().signal, on, warn: (text: string) => warnings.push(text) } as unknown as TaskContext;
  return { c, written, warnings };
}

// unique host names per test: DockerHost remembers per host name whether the login is root
let n = 0;
function located(...servers: string[]): { map: Map<string, Located>; host: (server: string) => string } {
  const tag = `t${n++}`;
  const host = (server: string) => `${server}.${tag}.example`;
  return { map: new Map(servers.map((s) => [s, { spec: { host: host(s) } } as unknown as Located])), host };
}

const scope = (c: TaskContext, where: Map<string, Located>) => ({ c, ensemble: 'shop', manifest: { servers: [] } as unknown as Manifest, world: {} as World, located: where });

test('every op that ran on an existing server writes one line there; terminate and failed creates write nothing', async () => {
  const plan = everyKindPlan();
  const { c, written, warnings } = fakeContext();
  const where = located('db', 'cache', 'web');
  const trail = new AuditTrail(scope(c, where.map), 'ann@laptop');
  for (const op of plan.ops) {
    const failed = op.id === 'create-server:cache' || op.id === 'put-firewall:db' || op.id === 'terminate-server:old';
    trail.record(op, failed ? 'failed' : 'done', failed ? new Error(`it broke\nmore detail ${SECRET_VALUE}`) : undefined);
  }
  await trail.finish();
  assert.deepEqual(warnings, []);
  // writes run side by side: compare them in the plan's order
  const order = plan.ops.map((o) => o.id);
  const lines = written.map((w) => ({ host: w.host, record: parseAuditLog(w.stdin).records[0] as AuditRecord }))
    .sort((a, b) => order.indexOf(a.record.op) - order.indexOf(b.record.op));
  assert.deepEqual(lines.map((l) => [l.host, l.record.op, l.record.result]), [
    [where.host('db'), 'create-server:db', 'done'],
    // create-server:cache failed: no server to write on; terminate-server:old: the server is gone
    [where.host('web'), 'replace-server:web', 'done'],
    [where.host('db'), 'setup-docker:db', 'done'],
    [where.host('db'), 'pull-image:db/postgres:16', 'done'],
    [where.host('cache'), 'pull-image:cache/app', 'done'],
    [where.host('db'), 'run-container:db/app', 'done'],
    [where.host('cache'), 'run-release:cache/app', 'done'],
    [where.host('cache'), 'run-container:cache/app', 'done'],
    [where.host('web'), 'run-release:web/app', 'done'],
    [where.host('web'), 'replace-container:web/app', 'done'],
    [where.host('web'), 'remove-container:web/gone', 'done'],
    [where.host('web'), 'put-firewall:web', 'done'],
    [where.host('db'), 'put-firewall:db', 'failed'],
    [where.host('cache'), 'remove-firewall:cache', 'done'],
  ]);
  for (const w of written) {
    assert.ok(!w.stdin.includes(SECRET_VALUE) && !w.script.includes(SECRET_VALUE), 'no secret in the line or the command');
    assert.match(w.script, /read -r line && printf/);
  }
  const byOp = Object.fromEntries(lines.map((l) => [l.record.op, l.record]));
  const spec = plan.ops.find((o) => o.id === 'replace-container:web/app');
  assert.equal(byOp['replace-container:web/app']?.spec, spec?.kind === 'replace-container' ? spec.spec?.hash : 'none');
  assert.equal(byOp['put-firewall:web']?.spec, '0123456789abcdef');
  assert.equal(byOp['run-container:cache/app']?.spec, undefined, 'pending and not in this manifest: no hash');
  // a release records the spec of the values it ran with
  assert.equal(byOp['run-release:web/app']?.spec, spec?.kind === 'replace-container' ? spec.spec?.hash : 'none');
  assert.equal(byOp['pull-image:db/postgres:16']?.spec, undefined);
  assert.deepEqual(byOp['put-firewall:db'], {
    time: byOp['put-firewall:db']?.time, by: 'ann@laptop', ensemble: 'shop', op: 'put-firewall:db', kind: 'put-firewall',
    reason: 'no hitc firewall on the server', result: 'failed', error: 'it broke',
  });
  assert.match(byOp['put-firewall:db']?.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('a host that refuses the write is warned about once; the other hosts still get their lines', async () => {
  const plan = everyKindPlan();
  const where = located('db', 'cache', 'web');
  const { c, written, warnings } = fakeContext([where.host('web')], [where.host('cache')]);
  const trail = new AuditTrail(scope(c, where.map), 'ann@laptop');
  for (const op of plan.ops) trail.record(op, 'done');
  await trail.finish();
  assert.deepEqual(warnings.sort(), [
    'could not write the audit log on cache (connect to cache.t1.example timed out); the changes themselves are as reported',
    'could not write the audit log on web (mkdir: cannot create directory: Read-only file system); the changes themselves are as reported',
  ]);
  assert.equal(written.filter((w) => w.host === where.host('db')).length, 5);
});
