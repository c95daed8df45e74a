// A NUL byte cannot reach a remote program (argv and shell lines are C strings): every command
// builder refuses one with a UsageError naming the value, before anything could be sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quote, quoteArgv } from '../../src/core/quote.ts';
import { argv, raw, remoteScript, script, secretStdin, sh, type Command } from '../../src/core/command.ts';
import { UsageError } from '../../src/core/errors.ts';
import { secret } from '../../src/core/secret.ts';
import { clearSecretsForTest, registerSecret } from '../../src/core/redact.ts';

const refused = (fn: () => unknown, role: RegExp): UsageError => {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof UsageError, `expected a UsageError, got ${String(caught)}`);
  assert.match(caught.message, /NUL byte/);
  assert.match(caught.message, role);
  assert.equal(caught.cliExitCode, 2);
  return caught;
};

test('quote and quoteArgv refuse a NUL and say which value it is', () => {
  const e = refused(() => quote('a\0b', 'docker.logs: container'), /^docker\.logs: container contains a NUL byte/);
  assert.match(e.hint ?? '', /"a\\u0000b"/);
  refused(() => quote('\0'), /^a command value contains/);
  refused(() => quoteArgv(['docker', 'logs', 'x\0']), /^argument 2 of "docker"/);
});

test('argv, script and raw refuse a NUL', () => {
  refused(() => argv(['rm', '-f', '/tmp/a\0b']), /^argument 2 of "rm"/);
  refused(() => argv(['r\0m']), /program name/);
  refused(() => script('echo a\0b'), /^the command contains/);
  refused(() => raw('| wc\0'), /raw\(\) shell fragment/);
});

test('sh`` names the value by the text before it; arrays and nested values are checked too', () => {
  refused(() => sh`docker logs --tail 5 ${'app\0x'}`, /the value after "docker logs --tail 5 " in a command/);
  refused(() => sh`tar -xf ${['ok', 'bad\0']}`, /the value after "tar -xf "/);
  refused(() => sh`ls ${1} ${'\0'}`, /the value after "ls 1 "/);
});

test('a secret with a NUL is refused without showing it; a newline is a UsageError too', () => {
  const e = refused(() => sh`login ${secret('pa\0ss', 'DB_PASS')}`, /^secret DB_PASS contains/);
  assert.ok(!`${e.message} ${e.hint}`.includes('pa'), 'the secret value must not appear in the error');
  const handMade: Command = { kind: 'hitc-command', script: 'true', display: 'true', secrets: ['x\ny'] };
  assert.throws(() => secretStdin(handMade), UsageError);
  assert.throws(() => remoteScript(handMade), UsageError);
});

test('remoteScript is the last gate: a hand-made command with a NUL is never turned into a script', () => {
  const handMade: Command = { kind: 'hitc-command', script: 'touch /tmp/a\0b', display: 'touch /tmp/a\0b', secrets: [] };
  refused(() => remoteScript(handMade), /^the command "touch \/tmp\/a\\0b"/);
  refused(() => remoteScript(handMade, { mode: 'nopasswd' }), /the command/);
  const nulSecret: Command = { kind: 'hitc-command', script: 'true', display: 'true', secrets: ['s\0'] };
  refused(() => remoteScript(nulSecret), /secret/);
  refused(() => remoteScript(sh`id`, { mode: 'nopasswd', user: 'ro\0ot' }), /argument/);
});

test('values without a NUL are untouched (control characters still pass, quoted)', () => {
  assert.equal(quote('a\x01b'), `'a\x01b'`);
  assert.equal(sh`echo ${'x y'}`.script, `echo 'x y'`);
});

test('a NUL error never shows part of a registered secret, however the text is cut', () => {
  const pw = 'correct-horse-battery-staple-0123456789';
  registerSecret(pw);
  try {
    for (const make of [() => sh`echo ${`x${pw}`} ${'a\0b'}`, () => sh`login ${`${pw}\0`}`, () => remoteScript(script(`echo ${pw}; printf 'a\0'`))]) {
      assert.throws(make, (e: unknown) => {
        const text = `${(e as Error).message} ${(e as UsageError).hint ?? ''}`;
        for (let n = 6; n <= pw.length; n++) for (let at = 0; at + n <= pw.length; at++) assert.ok(!text.includes(pw.slice(at, at + n)), text);
        return e instanceof UsageError;
      });
    }
  } finally {
    clearSecretsForTest();
  }
});
