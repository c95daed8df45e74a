// 50 real hosts at once: every line prefixed with its own host, none broken or mixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bed, hitc, sandbox } from './bed.ts';

const b = bed();

test('50 hosts in parallel: prefixed, unbroken lines and a summary', async () => {
  assert.ok(b.hosts.length >= 50, `the bed has only ${b.hosts.length} hosts`);
  const hosts = b.hosts.slice(0, 50);
  const box = sandbox();
  // each host prints 200 long lines tagged with its own hostname, in small writes
  const script = 'h=$(hostname); for i in $(seq 1 200); do echo "$h line $i $(printf %0300d 0)"; done; echo "$h err" >&2';
  // a hang guard, not a speed test (bench/ measures speed): 10 000 forks on the hosts share the CI machine's cores
  const r = await hitc(box, ['-P', '-H', hosts.join(','), '--', script], { timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  const names = new Map<string, string>(); // ip -> hostname seen in its lines
  let outLines = 0;
  for (const line of r.stdout.split('\n')) {
    const m = /^\[([\d.]+)\] (out|err): (\S+) (line (\d+) 0{300}|err)$/.exec(line);
    if (!m) {
      assert.ok(!line.includes(' out: ') && !line.includes(' err: '), `broken line: ${line.slice(0, 120)}`);
      continue;
    }
    const [, ip, , name] = m as unknown as [string, string, string, string];
    const seen = names.get(ip);
    assert.ok(seen === undefined || seen === name, `line from ${name} under prefix ${ip}`);
    names.set(ip, name);
    if (m[2] === 'out') outLines++;
  }
  assert.equal(names.size, 50);
  assert.equal(outLines, 50 * 200);
  assert.equal(new Set(names.values()).size, 50);
  assert.match(r.stdout, /Summary: 50 ok, 0 failed, 0 unreachable/);
});

test('grouped output prints each host as one block', async () => {
  const hosts = b.hosts.slice(0, 5);
  const box = sandbox();
  const r = await hitc(box, ['-P', '--output', 'grouped', '-H', hosts.join(','), '--', 'for i in 1 2 3; do echo $i; sleep 0.1; done']);
  assert.equal(r.code, 0);
  const prefixes = r.stdout.split('\n').filter((l) => l.startsWith('[')).map((l) => l.slice(0, l.indexOf(']') + 1));
  // in grouped mode a host's lines are contiguous: the prefix changes exactly hosts-1 times
  const changes = prefixes.filter((p, i) => i > 0 && p !== prefixes[i - 1]).length;
  assert.equal(changes, hosts.length - 1);
});
