import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { quote, quoteArgv } from '../../src/core/quote.ts';
import { raw, remoteScript, secretStdin, sh } from '../../src/core/command.ts';
import { secret } from '../../src/core/secret.ts';

export const INJECTION_CORPUS = [
  '; touch /tmp/hitc-pwned',
  '$(touch /tmp/hitc-pwned)',
  '`touch /tmp/hitc-pwned`',
  "it's",
  '"double" quotes',
  'new\nline',
  'back\\slash',
  '$HOME ${PATH} * ? [a] ~ & | < > ( ) { } !',
  '',
  'ünïcødé ✓ 日本',
  '--flag-looking',
];

test('safe words stay readable, others are single-quoted', () => {
  assert.equal(quote('abc-1.2/x:y@z'), 'abc-1.2/x:y@z');
  assert.equal(quote(''), "''");
  assert.equal(quote("it's"), `'it'\\''s'`);
  assert.equal(quoteArgv(['ls', 'a b']), `ls 'a b'`);
  // zsh, as a login shell, would replace a leading =word with the path of command `word`
  assert.equal(quote('=ls'), `'=ls'`);
  assert.equal(quote('A=1'), 'A=1');
});

test('every corpus value reaches a real sh as the same bytes', () => {
  for (const value of INJECTION_CORPUS) {
    const out = execFileSync('/bin/sh', ['-c', `printf '%s' ${quote(value)}`], { encoding: 'utf8' });
    assert.equal(out, value);
  }
});

test('sh`` quotes values, expands arrays, passes raw() and nests commands', () => {
  const c = sh`tar -C ${'/my dir'} -xf ${['a b', 'c']} ${raw('| wc -l')}`;
  assert.equal(c.script, `tar -C '/my dir' -xf 'a b' c | wc -l`);
  const outer = sh`sudo ${c}`;
  assert.equal(outer.script, `sudo ${c.script}`);
});

test('secrets never enter the script or its display, only stdin', () => {
  const c = sh`curl -H ${secret('Bearer s3cr3t-token')} https://x`;
  assert.ok(!c.script.includes('s3cr3t'));
  assert.ok(!c.display.includes('s3cr3t'));
  assert.equal(secretStdin(c), 'Bearer s3cr3t-token\n');
  const script = remoteScript(c);
  assert.ok(!script.includes('s3cr3t'));
  // the real shell reads the secret from stdin and passes it as one argument
  const out = execFileSync('/bin/sh', ['-c', remoteScript(sh`printf '[%s]' ${secret('a b; $(x)')}`)], { input: 'a b; $(x)\n', encoding: 'utf8' });
  assert.equal(out, '[a b; $(x)]');
});

test('sudo wrapping: -n by default, marked prompt in password mode', () => {
  const c = sh`id -un`;
  assert.equal(remoteScript(c, { mode: 'nopasswd' }), `sudo -n -H -- sh -c 'id -un'`);
  assert.equal(remoteScript(c, { mode: 'nopasswd', user: 'www' }), `sudo -n -u www -H -- sh -c 'id -un'`);
  const p = remoteScript(c, { mode: 'password', prompt: '[P]', ready: '[R]' });
  assert.match(p, /^sudo -S -p '\[P\]' -H -- sh -c /);
  assert.ok(p.includes('[R]'));
});
