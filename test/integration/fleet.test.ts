// Fleet operations through the real CLI on real bed hosts: batches with a failure budget,
// pauses between batches, retries, rerunning what failed, slices, and shell completion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, HITC, hitc, sandbox } from './bed.ts';

const b = bed();
const hosts = b.hosts.slice(20, 40);
// three failing hosts, all inside the first batch of five
const failing = [hosts[1], hosts[3], hosts[4]] as string[];
const counter = `/tmp/sf-fleet-counter-${process.pid}-${Date.now()}`;
const box = sandbox();
box.hitcfile(`
import { task, sh } from 'hitc';
const FAILING = new Set(${JSON.stringify(failing)});
export const check = task({ description: 'fails on three chosen hosts' }, async (c) => {
  await c.run(FAILING.has(c.host!.host) ? 'echo failing here >&2; exit 3' : 'hostname');
});
export const fine = task(async (c) => { await c.run('true'); });
export const flaky = task(async (c) => {
  // fails twice, then succeeds: the count lives on the host
  await c.run(sh\`n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; echo attempt $n; test $n -ge 3\`, { retries: 3, retryDelay: 0.2 });
});
export const rolled = task({ batch: 2, maxFail: 0 }, async (c) => { await c.run('true'); });
export const bad_batch = task({ batch: 0 }, async (c) => { await c.run('true'); });
`);

type HostJson = { host: string; status: string; startedAt?: string; endedAt?: string; reason?: string };
const json = (stdout: string): { exitCode: number; summary: Record<string, number>; tasks: { task: string; hosts: HostJson[] }[] } => JSON.parse(stdout);
const record = (): { failed: string[]; unreached: string[]; tasks?: string[] } => JSON.parse(readFileSync(join(box.dir, '.hitc', 'last-run.json'), 'utf8'));

test('--batch 5 --max-fail 0: only the first batch runs, the other 15 are skipped, exit 1', async () => {
  const r = await hitc(box, ['--json', '--batch', '5', '--max-fail', '0', '-H', hosts.join(','), 'check'], { timeoutMs: 120_000 });
  assert.equal(r.code, 1, r.stderr);
  const doc = json(r.stdout);
  assert.deepEqual(doc.summary, { ok: 2, failed: 3, unreachable: 0, skipped: 15 });
  const results = doc.tasks[0]?.hosts ?? [];
  assert.deepEqual(results.filter((h) => h.startedAt).map((h) => h.host), hosts.slice(0, 5));
  assert.deepEqual(results.filter((h) => h.status === 'failed').map((h) => h.host), failing);
  const skipped = results.filter((h) => h.status === 'skipped');
  assert.deepEqual(skipped.map((h) => h.host), hosts.slice(5));
  assert.match(skipped[0]?.reason ?? '', /3 hosts failed, --max-fail 0 allows 0/);
  // the record: the failed hosts and the 15 never reached
  assert.deepEqual(record().failed, failing);
  assert.deepEqual(record().unreached, hosts.slice(5));
  // the same in text: the summary says 15 skipped
  const text = await hitc(box, ['--batch', '5', '-H', hosts.join(','), 'check'], { timeoutMs: 120_000 });
  assert.equal(text.code, 1);
  assert.match(text.stdout, /Summary: 2 ok, 3 failed, 0 unreachable, 15 skipped/);
  assert.match(text.stdout, /check: batch 1\/4 \(5 hosts\)/);
  assert.doesNotMatch(text.stdout, /batch 2\/4/);
});

test('--batch 25% --batch-wait 2: four batches, each starting ≥ 2 s after the previous ended', async () => {
  const r = await hitc(box, ['--json', '--batch', '25%', '--batch-wait', '2', '-H', hosts.join(','), '--', 'true'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  const results = json(r.stdout).tasks[0]?.hosts ?? [];
  assert.equal(results.length, 20);
  for (let i = 5; i < 20; i += 5) {
    const previousEnd = Math.max(...results.slice(i - 5, i).map((h) => Date.parse(h.endedAt as string)));
    const nextStart = Math.min(...results.slice(i, i + 5).map((h) => Date.parse(h.startedAt as string)));
    assert.ok(nextStart - previousEnd >= 2000, `batch ${i / 5 + 1} started ${nextStart - previousEnd}ms after batch ${i / 5} ended`);
  }
});

test("a task's own batch and maxFail apply; a bad one is a usage error before any host is contacted", async () => {
  const ok = await hitc(box, ['-H', hosts.slice(0, 4).join(','), 'rolled']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /rolled: batch 2\/2 \(2 hosts\)/);
  const bad = await hitc(box, ['-H', b.unreachable, 'bad_batch']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /task bad_batch: batch needs a whole number ≥ 1/);
  for (const [args, flag] of [[['--batch', '0'], '--batch'], [['--batch', '150%'], '--batch'], [['--max-fail', 'x'], '--max-fail']] as const) {
    // an unreachable host would take the connect timeout: a quick exit 2 shows nothing was tried
    const r = await hitc(box, [...args, '-H', b.unreachable, '--', 'true']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`${flag} needs`));
    assert.match(r.stderr, /hint: /);
    assert.ok(r.ms < 5000, `took ${r.ms}ms`);
  }
});

test('retries: a command failing twice then succeeding passes with retries: 3; --retries does it for every command', async () => {
  const host = hosts[10] as string;
  const r = await hitc(box, ['-H', host, 'flaky']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`\\[${host}\\] .*retry 1/3 after exit 1: n=`));
  assert.match(r.stdout, /retry 2\/3 after exit 1/);
  assert.doesNotMatch(r.stdout, /retry 3\/3/);
  assert.match(r.stdout, /attempt 3/);
  const file = `${counter}-cli`;
  const cmd = `n=$(cat ${file} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${file}; exit $((n < 3 ? 7 : 0))`;
  const spent = await hitc(box, ['--retries', '1', '--retry-delay', '0', '-H', host, '--', cmd]);
  assert.equal(spent.code, 1, 'two attempts are not enough');
  assert.match(spent.stdout, /retry 1\/1 after exit 7/);
  const enough = await hitc(box, ['--retries', '2', '--retry-delay', '0', '-H', host, '--', cmd]);
  assert.equal(enough.code, 0, enough.stdout);
  // a connection failure is retried with the same budget
  const down = await hitc(box, ['--retries', '1', '--retry-delay', '0', '-t', '1', '-H', b.unreachable, '--', 'true']);
  assert.equal(down.code, 1);
  assert.match(down.stdout, /retry 1\/1 after connection failure \(timeout\)/);
  await hitc(box, ['-H', host, '--', `rm -f ${counter} ${file}`]);
});

test('Ctrl-C stops retries and batch pauses at once: nothing more starts, exit 130', async () => {
  let interrupted = false;
  const retrying = await hitc(box, ['--retries', '5', '--retry-delay', '10', '-H', hosts[11] as string, '--', 'exit 3'], {
    // once: a second SIGINT after hitc has closed down would kill it without its handler
    onStdout: (out, child) => { if (!interrupted && out.includes('retry 1/5')) child.kill('SIGINT'); interrupted ||= out.includes('retry 1/5'); },
  });
  assert.equal(retrying.code, 130);
  assert.doesNotMatch(retrying.stdout, /retry 2\/5/);
  assert.ok(retrying.ms < 8000, `took ${retrying.ms}ms`);
  let sent = false;
  const paused = await hitc(box, ['--batch', '1', '--batch-wait', '10', '-H', hosts.slice(12, 15).join(','), '--', 'true'], {
    onStdout: (out, child) => {
      // in the pause after the first batch
      if (!sent && out.includes('run: true')) setTimeout(() => child.kill('SIGINT'), 1000);
      sent ||= out.includes('run: true');
    },
  });
  assert.equal(paused.code, 130);
  assert.match(paused.stdout, /Summary: 1 ok, 0 failed, 0 unreachable, 2 skipped/);
  assert.ok(paused.ms < 8000, `took ${paused.ms}ms`);
});

test('--rerun-failed selects exactly the failed hosts, with the same tasks unless given', async () => {
  const first = await hitc(box, ['-P', '-H', hosts.join(','), 'check'], { timeoutMs: 120_000 });
  assert.equal(first.code, 1);
  assert.deepEqual(record(), { ...record(), tasks: ['check'], failed: failing, unreached: [] });
  // a local task in between (no hosts) leaves the record alone
  const local = await hitc(box, ['uncache']);
  assert.equal(local.code, 0, local.stderr);
  assert.deepEqual(record().failed, failing);
  const again = await hitc(box, ['--json', '-P', '--rerun-failed']);
  assert.equal(again.code, 1, 'the same task fails on the same hosts');
  const doc = json(again.stdout);
  assert.equal(doc.tasks[0]?.task, 'check');
  assert.deepEqual(doc.tasks[0]?.hosts.map((h) => h.host).sort(), [...failing].sort());
  const other = await hitc(box, ['--json', '-P', '--rerun-failed', 'fine']);
  assert.equal(other.code, 0, other.stdout);
  assert.deepEqual(json(other.stdout).tasks[0]?.hosts.map((h) => h.host).sort(), [...failing].sort());
  const none = await hitc(box, ['--rerun-failed']);
  assert.equal(none.code, 0);
  assert.match(none.stderr, /left no failed or unreached hosts; nothing to rerun/);
  const noneJson = await hitc(box, ['--json', '--rerun-failed']);
  assert.equal(noneJson.code, 0);
  assert.deepEqual(json(noneJson.stdout).tasks, []);
  // with no hitcfile and no record: a usage error saying where it looked
  const bare = sandbox();
  const missing = await hitc(bare, ['--rerun-failed']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, new RegExp(`no earlier run is recorded \\(${join(bare.home, '.hitc', 'last-run.json')}`));
});

test('--slice I/3: disjoint shares that cover every host, whatever order the hosts are given in', async () => {
  const bare = sandbox();
  const shares: string[][] = [];
  for (const i of [1, 2, 3]) {
    const r = await hitc(bare, ['--json', '-P', '--slice', `${i}/3`, '-H', hosts.join(','), '--', 'true'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    shares.push(json(r.stdout).tasks[0]?.hosts.map((h) => h.host) ?? []);
  }
  assert.deepEqual(shares.map((s) => s.length).sort(), [6, 7, 7]);
  assert.deepEqual(shares.flat().sort(), [...hosts].sort());
  assert.equal(new Set(shares.flat()).size, 20);
  const reversed = await hitc(bare, ['--json', '-P', '--slice', '2/3', '-H', [...hosts].reverse().join(','), '--', 'true']);
  assert.deepEqual(json(reversed.stdout).tasks[0]?.hosts.map((h) => h.host).sort(), [...(shares[1] as string[])].sort());
  // without a hitcfile the run is recorded under ~/.hitc
  assert.ok(existsSync(join(bare.home, '.hitc', 'last-run.json')));
  // more shares than hosts: a job with an empty share has nothing to do, and says so
  const empty = await hitc(bare, ['--slice', '2/2', '-H', hosts[0] as string, '--', 'true']);
  assert.equal(empty.code, 0);
  assert.match(empty.stderr, /slice 2\/2 holds no host of task true; nothing to do/);
  const bad = await hitc(bare, ['--slice', '4/3', '-H', hosts[0] as string, '--', 'true']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--slice needs I\/N with 1 ≤ I ≤ N, got "4\/3"/);
});

test('bash completion, sourced in a real bash and driven like bash drives it, completes a hitcfile task', () => {
  const bin = join(box.dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'hitc'), `#!/bin/sh\nexec '${process.execPath}' '${HITC}' "$@"\n`);
  chmodSync(join(bin, 'hitc'), 0o755);
  writeFileSync(join(box.dir, 'sf-fleet-web.yml'), 'servers: {}\n');
  const script = `
source <(hitc completion bash)
complete -p hitc
t() { COMP_LINE=$1; COMP_POINT=\${#COMP_LINE}; read -ra COMP_WORDS <<< "$1"; COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _hitc_complete; echo "$1=>\${COMPREPLY[*]}"; }
t 'hitc fla'
t 'hitc -H x ch'
t 'hitc --batch-w'
t 'hitc ensemble.up:sf-fleet-w'
`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { cwd: box.dir, env: { PATH: `${bin}:${process.env.PATH}`, HOME: box.home }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.ok(lines.includes('complete -F _hitc_complete hitc'), r.stdout);
  assert.ok(lines.includes('hitc fla=>flaky'), r.stdout);
  assert.ok(lines.includes('hitc -H x ch=>check'), r.stdout);
  assert.ok(lines.includes('hitc --batch-w=>--batch-wait'), r.stdout);
  // bash replaces the word after its last ":", so the reply holds only the manifest name
  assert.ok(lines.includes('hitc ensemble.up:sf-fleet-w=>sf-fleet-web'), r.stdout);
});
