// The server lock as values: the acquire, release and read scripts exactly, the parser of what
// they print (and of the holder's info), the holder's line, and which servers a plan locks.
// The scripts also run in a local shell against a scratch directory, to prove mkdir's
// all-or-nothing and the token check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  acquireLockCommand, lockHolderText, parseLockInfo, parseLockState, readLockCommand, releaseLockCommand, type LockInfo,
} from '../../../src/ensemble/lock/lock-commands.ts';
import { lockTargets } from '../../../src/ensemble/lock/lock-servers.ts';
import type { Located } from '../../../src/ensemble/observe/observe.ts';
import type { Op, Plan } from '../../../src/ensemble/plan/ops.ts';
import { tempDir } from '../../helpers/temp.ts';

const INFO = { token: '00112233aabbccdd', ensemble: 'shop', who: 'alice@laptop', pid: 4242, since: '2026-12-02T12:01:03.000Z' };
const LINE = '{"version":1,"token":"00112233aabbccdd","ensemble":"shop","who":"alice@laptop","pid":4242,"since":"2026-12-02T12:01:03.000Z","from":"203.0.113.7"}';

test('acquire: mkdir, the info written beside and renamed in, the SSH peer filled in remotely (or the one given)', () => {
  assert.equal(acquireLockCommand(INFO).script,
    `mkdir -p /var/lib/hitc || exit 1; if mkdir /var/lib/hitc/lock 2>/dev/null; then from=\${SSH_CLIENT%% *}; case $from in ''|*[!0-9A-Fa-f:.]*) from='';; esac; `
    + `{ printf '%s"%s"%s\\n' '{"version":1,"token":"00112233aabbccdd","ensemble":"shop","who":"alice@laptop","pid":4242,"since":"2026-12-02T12:01:03.000Z","from":' "$from" '}' >/var/lib/hitc/lock/info.new && mv -f /var/lib/hitc/lock/info.new /var/lib/hitc/lock/info; } || { rm -rf /var/lib/hitc/lock; exit 1; }; `
    + `echo hitc-lock-taken; elif [ -d /var/lib/hitc/lock ]; then echo hitc-lock-held; cat /var/lib/hitc/lock/info 2>/dev/null; true; else exit 1; fi`);
  assert.match(acquireLockCommand(INFO, '192.0.2.9').script, /from=192\.0\.2\.9;; esac/);
  // a name with a quote stays one shell word and valid JSON
  assert.match(acquireLockCommand({ ...INFO, who: "o'neil@box" }).script, /"who":"o'\\''neil@box"/);
});

test('release removes the lock only while it carries our token; read prints the holder', () => {
  assert.equal(releaseLockCommand('00112233aabbccdd').script,
    `if grep -qF '"token":"00112233aabbccdd"' /var/lib/hitc/lock/info 2>/dev/null; then rm -rf /var/lib/hitc/lock && echo hitc-lock-released; elif [ -d /var/lib/hitc/lock ]; then echo hitc-lock-not-ours; else echo hitc-lock-none; fi`);
  assert.throws(() => releaseLockCommand('x" /; rm -rf /'), /not a lock token/);
  assert.equal(readLockCommand().script, `if [ -d /var/lib/hitc/lock ]; then echo hitc-lock-held; cat /var/lib/hitc/lock/info 2>/dev/null; true; else echo hitc-lock-none; fi`);
});

test('the scripts in a real shell: one taker wins, the second sees the holder, only the token releases', () => {
  const dir = tempDir('hitc-lock-');
  const run = (script: string, env: Record<string, string> = {}): string =>
    execFileSync('sh', ['-c', script.replaceAll('/var/lib/hitc', dir)], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } }).toString();
  assert.equal(run(acquireLockCommand(INFO).script, { SSH_CLIENT: '203.0.113.7 50000 22' }), 'hitc-lock-taken\n');
  const second = parseLockState(run(acquireLockCommand({ ...INFO, token: 'ffffffffffffffff', who: 'bob@desk' }).script));
  assert.deepEqual(second, { state: 'held', holder: { ...INFO, from: '203.0.113.7' } });
  assert.equal(run(releaseLockCommand('ffffffffffffffff').script), 'hitc-lock-not-ours\n');
  assert.deepEqual(parseLockState(run(readLockCommand().script)), second);
  assert.equal(run(releaseLockCommand(INFO.token).script), 'hitc-lock-released\n');
  assert.equal(run(releaseLockCommand(INFO.token).script), 'hitc-lock-none\n');
  assert.deepEqual(parseLockState(run(readLockCommand().script)), { state: 'none' });
  // a peer that is not an address is not written
  run(acquireLockCommand(INFO).script, { SSH_CLIENT: '"};rm 1 2' });
  assert.equal((parseLockState(run(readLockCommand().script)) as { holder: LockInfo }).holder.from, '');
});

test('parsing: the markers, a held lock with no info yet, info that is not ours to trust', () => {
  assert.deepEqual(parseLockState('hitc-lock-taken\n'), { state: 'taken' });
  assert.deepEqual(parseLockState('hitc-lock-none\n'), { state: 'none' });
  assert.deepEqual(parseLockState(`hitc-lock-held\n${LINE}\n`), { state: 'held', holder: { ...INFO, from: '203.0.113.7' } });
  assert.deepEqual(parseLockState('hitc-lock-held\n'), { state: 'held', holder: undefined });
  assert.throws(() => parseLockState('sudo: a password is required'), /unexpected answer from the lock command/);
  assert.equal(parseLockInfo('{"token":"00112233aabbccdd","ensemble":"shop"'), undefined);
  assert.equal(parseLockInfo(LINE.replace('"pid":4242', '"pid":"4242"')), undefined);
  assert.equal(parseLockInfo(LINE.replace('00112233aabbccdd', "x'; rm -rf /")), undefined, 'a token that could not be released safely');
  assert.deepEqual(parseLockInfo(LINE.replace(',"from":"203.0.113.7"', '')), { ...INFO, from: '' });
});

test('the holder line: who, from where, which ensemble, since when (date only when not today), pid', () => {
  const holder = parseLockInfo(LINE) as LockInfo;
  assert.equal(lockHolderText('web', holder, new Date('2026-12-02T12:05:00Z')), 'web is locked by alice@laptop (from 203.0.113.7) for ensemble shop since 12:01:03 UTC (pid 4242)');
  assert.equal(lockHolderText('web', { ...holder, from: '' }, new Date('2026-12-03T01:00:00Z')), 'web is locked by alice@laptop for ensemble shop since 2026-12-02 12:01:03 UTC (pid 4242)');
  assert.match(lockHolderText('web', undefined), /^web is locked by a run whose details are not written/);
});

test('locked: the existing servers the plan changes; not one being created, not a stray; a replaced one is', () => {
  const op = (kind: Op['kind'], server: string): Op => ({ id: `${kind}:${server}`, kind, server, reason: 'r', after: [] } as unknown as Op);
  const plan = { ops: [op('create-server', 'new'), op('run-container', 'new'), op('replace-container', 'web'), op('pull-image', 'web'), op('put-firewall', 'db'), op('terminate-server', 'old-stray'), op('replace-server', 'cache')] } as unknown as Plan;
  const located = new Map<string, Located>([
    ['web', { spec: { host: '10.0.0.2' } } as Located], ['db', { spec: { host: '10.0.0.3' } } as Located], ['cache', { spec: { host: '10.0.0.4' } } as Located],
    ['idle', { spec: { host: '10.0.0.5' } } as Located],
  ]);
  assert.deepEqual(lockTargets(plan, located).map((t) => t.server), ['cache', 'db', 'web']);
  assert.deepEqual(lockTargets({ ...plan, ops: [] }, located), []);
});
