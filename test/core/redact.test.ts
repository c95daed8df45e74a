import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clearSecretsForTest, MIN_SECRET_LENGTH, redact, redactDeep, registerSecret, SECRET_MASK, secretCount } from '../../src/core/redact.ts';
import { secret } from '../../src/core/secret.ts';
import { sh } from '../../src/core/command.ts';

beforeEach(() => clearSecretsForTest());

test('nothing registered: text comes back as it is (the same string)', () => {
  const text = 'a line with hunter22 in it';
  assert.equal(redact(text), text);
  assert.equal(secretCount(), 0);
});

test('a registered value is masked wherever it appears, any number of times', () => {
  registerSecret('hunter22');
  assert.equal(redact('pw=hunter22; again hunter22!'), `pw=${SECRET_MASK}; again ${SECRET_MASK}!`);
  assert.equal(redact('hunter2'), 'hunter2', 'a prefix alone is not the secret');
});

test(`values shorter than ${MIN_SECRET_LENGTH} characters are not registered (they would shred every line)`, () => {
  registerSecret('abc');
  registerSecret('');
  registerSecret(undefined);
  registerSecret(null);
  assert.equal(secretCount(), 0);
  assert.equal(redact('abc abc'), 'abc abc');
  registerSecret('abcd');
  assert.equal(redact('xabcdx'), `x${SECRET_MASK}x`);
});

test('registerSecret returns its argument, so entry points register in passing', () => {
  assert.equal(registerSecret('tok-123456'), 'tok-123456');
  assert.equal(registerSecret(undefined), undefined);
});

test('overlapping and adjacent values become one mask: no part of either shows', () => {
  registerSecret('abcdef');
  registerSecret('defghi');
  assert.equal(redact('[abcdefghi]'), `[${SECRET_MASK}]`);
  assert.equal(redact('[abcdefabcdef]'), `[${SECRET_MASK}]`);
  registerSecret('aaaa');
  assert.equal(redact('xaaaaaax'), `x${SECRET_MASK}x`);
});

test('a value with a trailing newline, or several lines, is masked line by line in output', () => {
  registerSecret('from-a-file\n');
  assert.equal(redact('got from-a-file ok'), `got ${SECRET_MASK} ok`);
  registerSecret('-----KEY-----\nMIIEpAIBAAKCAQEA\nshort\n-----END-----\n');
  assert.equal(redact('line: MIIEpAIBAAKCAQEA'), `line: ${SECRET_MASK}`);
  assert.equal(redact('short'), 'short'.length >= MIN_SECRET_LENGTH ? SECRET_MASK : 'short');
});

test('a value with quotes or backslashes is masked inside JSON text too', () => {
  registerSecret('p"a\\ss');
  const json = JSON.stringify({ line: 'x p"a\\ss y' });
  assert.ok(!redact(json).includes('p\\"a\\\\ss'), redact(json));
  assert.ok(redact(json).includes(SECRET_MASK));
});

test('secret() and new Secret register their value: a task that prints it by hand still shows the mask', () => {
  const s = secret('db-pass-0001', 'DB');
  assert.equal(redact(`echo ${s.reveal()}`), `echo ${SECRET_MASK}`);
  assert.equal(sh`echo ${s}`.display, `echo ${SECRET_MASK}`);
});

test('redactDeep masks strings and keys in plain data and leaves class instances alone', () => {
  registerSecret('s3cr3t-value');
  const error = new Error('boom s3cr3t-value');
  const doc = { a: ['x s3cr3t-value', 1, null, true], 's3cr3t-value': { b: 's3cr3t-value' }, error };
  const out = redactDeep(doc);
  assert.deepEqual(out.a, [`x ${SECRET_MASK}`, 1, null, true]);
  assert.deepEqual(Object.keys(out), ['a', SECRET_MASK, 'error']);
  assert.equal(out.error, error, 'an Error keeps its class (it is redacted when formatted)');
  assert.equal(doc.a[0], 'x s3cr3t-value', 'the input is not modified');
});

test('property: after redaction no registered value remains, and text without one is unchanged', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ minLength: MIN_SECRET_LENGTH, maxLength: 12 }), { minLength: 1, maxLength: 5 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 6 }), (secrets, filler) => {
      clearSecretsForTest();
      for (const s of secrets) registerSecret(s);
      const text = filler.flatMap((f, i) => [f, secrets[i % secrets.length] as string]).join('');
      const out = redact(text);
      for (const s of secrets) {
        // a trimmed or per-line form is registered too; the full value can never survive
        assert.ok(!out.includes(s) || s.includes(SECRET_MASK), `${JSON.stringify(s)} survives in ${JSON.stringify(out)}`);
      }
      clearSecretsForTest();
      registerSecret('\u0000never-in-filler\u0000');
      const plain = filler.join('');
      assert.equal(redact(plain), plain);
    }),
  );
});

test('1 MB of output with 50 secrets is redacted in well under two seconds (whole or line by line)', () => {
  for (let i = 0; i < 50; i++) registerSecret(`token-${i}-${'x'.repeat(i % 7)}-zz`);
  const line = 'an ordinary output line of a busy command, 64 bytes long......\n';
  const big = line.repeat(Math.ceil(1_000_000 / line.length)) + 'token-7--zz at the end';
  const started = performance.now();
  const out = redact(big);
  const ms = performance.now() - started;
  assert.ok(out.endsWith(`${SECRET_MASK} at the end`));
  assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
  // line by line, as the reporters call it
  const lines = big.split('\n');
  const t2 = performance.now();
  for (const l of lines) redact(l);
  const ms2 = performance.now() - t2;
  assert.ok(ms2 < 2000, `line by line took ${ms2.toFixed(0)} ms`);
});
