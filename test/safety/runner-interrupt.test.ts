// Ctrl-C and -T stop every remote command, root ones too on hosts where sudo needs a
// password, with many commands on one host (sshd's MaxSessions), and no command starts after
// the abort.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { bed, hitc, sandbox } from '../integration/bed.ts';

const b = bed();
const password = b.users.deploy?.password;
if (!password) throw new Error('the bed has no deploy user with a sudo password');
const [h1, h2, h3, h4] = b.hosts.slice(44, 48) as [string, string, string, string];
const tag = `${process.pid % 1000}`;
// a unique `sleep N` finds our processes; the pattern's last digit in brackets keeps pgrep
// from matching its own command line
const sleeper = (n: number): string => `sleep ${tag}${n}`;
const pattern = (n: number): string => { const s = sleeper(n); return `${s.slice(0, -1)}[${s.slice(-1)}]`; };

after(async () => {
  // whatever a failing run left behind
  await hitc(sandbox(), ['-P', '-H', [h1, h2, h3, h4].join(','), '--', `pkill -KILL -f '${pattern(0).replace(/\[0\]$/, '')}[0-9]' ; rm -f ${late} ${late}-root ${late}-timeout; true`]);
});

async function left(host: string, n: number): Promise<string> {
  await new Promise((r) => setTimeout(r, 700));
  const r = await hitc(sandbox(), ['-H', host, '--', `pgrep -fa '${pattern(n)}' || echo none-left`]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout;
}

const box = sandbox();
const late = `/tmp/sf-runner-late-${tag}`;
box.hitcfile(`
import { task } from 'hitc';
export const rootsleep = task(async (c) => { await c.sudo('echo started; ${sleeper(1)}'); });
export const rootsleepT = task(async (c) => { await c.sudo('echo started; ${sleeper(2)}'); });
export const many = task(async (c) => {
  // more than MaxSessions (10) commands on one host, root and plain ones
  await Promise.all(Array.from({ length: 14 }, (_, i) =>
    i % 2 ? c.sudo('echo started-' + i + '; ${sleeper(3)}') : c.run('echo started-' + i + '; ${sleeper(3)}')));
});
export const later = task(async (c) => {
  // a task that goes on after its command failed: its next command must never start
  await c.run('echo started; ${sleeper(4)}').catch(() => undefined);
  await c.run('touch ${late}').catch(() => undefined);
  await c.sudo('touch ${late}-root').catch(() => undefined);
});
export const timedout = task({ parallel: true }, async (c) => {
  if (c.host?.host === '${h1}') {
    // this host runs out of time; its task goes on and must not start another command
    await c.run('${sleeper(5)}').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    await c.run('touch ${late}-timeout').catch(() => undefined);
  } else {
    // the run (and h1's connection) lasts on while another host works
    await c.run('sleep 1.5');
  }
});
`);

function interruptWhen(count: number, label = /out: started/g) {
  let sent = false;
  return {
    get sent() { return sent; },
    onStdout: (text: string, child: { kill: (s: NodeJS.Signals) => boolean }) => {
      if (!sent && (text.match(label) ?? []).length >= count) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 200);
      }
    },
  };
}

test('SIGINT stops a root command on a host whose sudo needs a password', async () => {
  const when = interruptWhen(1);
  const r = await hitc(box, ['-H', `deploy@${h1}`, 'rootsleep'], { env: { HITC_SUDO_PASSWORD: password }, timeoutMs: 30_000, onStdout: when.onStdout });
  assert.ok(when.sent, `never saw the command start\n${r.stdout}${r.stderr}`);
  assert.equal(r.code, 130, r.stdout + r.stderr);
  assert.match(r.stderr, /interrupted/);
  assert.match(await left(h1, 1), /out: none-left/);
});

test('-T kills a root command on a host whose sudo needs a password', async () => {
  const r = await hitc(box, ['-T', '2', '-H', `deploy@${h2}`, 'rootsleepT'], { env: { HITC_SUDO_PASSWORD: password }, timeoutMs: 30_000 });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /timed out/);
  assert.match(await left(h2, 2), /out: none-left/);
});

test('SIGINT with more commands on one host than sshd has sessions: every one is stopped', async () => {
  // 8 run at once (hitc's channel limit), the rest wait: interrupt when the first 8 run
  const when = interruptWhen(8, /out: started-\d+/g);
  const r = await hitc(box, ['-H', `deploy@${h3}`, 'many'], { env: { HITC_SUDO_PASSWORD: password }, timeoutMs: 30_000, onStdout: when.onStdout });
  assert.ok(when.sent, `never saw the commands start\n${r.stdout}${r.stderr}`);
  assert.equal(r.code, 130, r.stdout + r.stderr);
  assert.equal((r.stdout.match(/out: started-\d+/g) ?? []).length, 8, `a waiting command started after the interrupt\n${r.stdout}`);
  assert.match(await left(h3, 3), /out: none-left/);
});

test('no command starts after the interrupt', async () => {
  const when = interruptWhen(1);
  const r = await hitc(box, ['-H', `deploy@${h4}`, 'later'], { env: { HITC_SUDO_PASSWORD: password }, timeoutMs: 30_000, onStdout: when.onStdout });
  assert.ok(when.sent, `never saw the command start\n${r.stdout}${r.stderr}`);
  assert.equal(r.code, 130, r.stdout + r.stderr);
  await new Promise((res) => setTimeout(res, 1500));
  const check = await hitc(sandbox(), ['-H', h4, '--', `ls ${late} ${late}-root 2>/dev/null || echo no-marker; rm -f ${late} ${late}-root`]);
  assert.match(check.stdout, /out: no-marker/);
  assert.doesNotMatch(check.stdout, /out: \/tmp\/sf-runner-late/);
  assert.match(await left(h4, 4), /out: none-left/);
});

test("a task that goes on after its host's time limit starts no command", async () => {
  // one host at a time: h1 times out, then h2 keeps the run (and h1's connection) alive
  const r = await hitc(box, ['-P', '-z', '1', '--host-timeout', '2', '-H', `${h1},${h2}`, 'timedout'], { timeoutMs: 30_000 });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /host time limit of 2s reached/);
  const check = await hitc(sandbox(), ['-H', h1, '--', `ls ${late}-timeout 2>/dev/null || echo no-marker; rm -f ${late}-timeout`]);
  assert.match(check.stdout, /out: no-marker/);
  assert.match(await left(h1, 5), /out: none-left/);
});
