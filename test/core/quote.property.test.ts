// Property tests: whatever a value holds (quotes, $, backticks, newlines, control characters,
// any Unicode), quoting it and running the line through a real shell gives back exactly its
// bytes, and sh`` with any interpolations yields exactly the intended argv. Samples are
// batched, one shell process per batch, on every POSIX shell present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import fc from 'fast-check';
import { quote, quoteArgv } from '../../src/core/quote.ts';
import { argv, remoteScript, secretStdin, sh, type ShellValue } from '../../src/core/command.ts';
import { UsageError } from '../../src/core/errors.ts';
import { Secret } from '../../src/core/secret.ts';
import { params, shellText } from './property-settings.ts';

// /bin/sh is required; the others run when installed (each real binary once)
const SHELLS = (() => {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of ['/bin/sh', '/bin/dash', '/bin/bash', '/bin/zsh', '/bin/mksh', '/bin/ksh']) {
    if (p !== '/bin/sh' && !existsSync(p)) continue;
    const real = realpathSync(p);
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(real === p ? p : `${p} (${real})`);
  }
  return out;
})();

function run(label: string, script: string, input = ''): Buffer {
  const shell = label.split(' ')[0] as string;
  // argv strings are capped at 128 KiB each: batches stay well below
  assert.ok(Buffer.byteLength(script) < 120_000, 'batch too large for one argv string');
  const r = spawnSync(shell, ['-c', script], { input, env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8' }, maxBuffer: 16 << 20 });
  assert.equal(r.status, 0, `${shell} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

/** stdout split at NUL bytes, decoded (the trailing terminator dropped). */
function fields(out: Buffer): string[] {
  const parts = out.toString('utf8').split('\0');
  assert.equal(parts.pop(), '', 'output ends with a NUL terminator');
  return parts;
}

test(`quote: printf %s <quoted> gives back the exact bytes (${SHELLS.join(', ')})`, () => {
  fc.assert(
    fc.property(fc.array(shellText(), { minLength: 1, maxLength: 150 }), (words) => {
      const script = words.map((w) => `printf %s ${quote(w)}; printf '\\0'`).join('\n');
      for (const shell of SHELLS) {
        const got = run(shell, script);
        assert.deepEqual(got, Buffer.from(words.map((w) => `${w}\0`).join(''), 'utf8'), shell);
      }
    }),
    params(8),
  );
});

test('quoteArgv and argv(): one quoted word per value, word boundaries kept', () => {
  fc.assert(
    fc.property(fc.array(fc.array(shellText(), { maxLength: 6 }), { minLength: 1, maxLength: 50 }), (samples) => {
      // each sample prints its words then an end marker; the marker is one field of its own
      const script = samples.map((words) => `printf '%s\\0' ${quoteArgv(words)} END; ${argv(['printf', '%s\\0', ...words, 'END']).script}`).join('\n');
      const expected = samples.flatMap((words) => [...words, 'END', ...words, 'END']);
      for (const shell of SHELLS) assert.deepEqual(fields(run(shell, script)), expected, shell);
    }),
    params(7),
  );
});

/** A value for sh``: plain strings, numbers and booleans, arrays of them, nested argv() commands. */
const scalarValue = fc.oneof(
  { weight: 6, arbitrary: shellText() },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: false }), fc.boolean()) },
);
const shValue: fc.Arbitrary<{ value: ShellValue; words: string[] }> = fc.oneof(
  { weight: 6, arbitrary: scalarValue.map((v) => ({ value: v, words: [String(v)] })) },
  { weight: 1, arbitrary: fc.array(scalarValue, { minLength: 1, maxLength: 4 }).map((vs) => ({ value: vs, words: vs.map(String) })) },
  { weight: 1, arbitrary: fc.array(shellText(), { minLength: 1, maxLength: 3 }).map((ws) => ({ value: argv(ws), words: ws })) },
);

/** Calls sh`` as a tag with `values` between plain spaces: printf '%s\0' v1 v2 … */
function shLine(values: readonly ShellValue[]) {
  const strings = Object.assign(["printf '%s\\0' ", ...values.map(() => ' ')], { raw: [] as string[] });
  strings.raw.push(...strings);
  return sh(strings as unknown as TemplateStringsArray, ...values);
}

test('sh``: random interpolations reach printf as the literal argv', () => {
  fc.assert(
    fc.property(fc.array(fc.array(shValue, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 50 }), (samples) => {
      const script = samples.map((vs) => shLine(vs.map((v) => v.value)).script).join('\n');
      const expected = samples.flatMap((vs) => vs.flatMap((v) => v.words));
      for (const shell of SHELLS) assert.deepEqual(fields(run(shell, script)), expected, shell);
    }),
    params(7),
  );
});

test('secrets travel on stdin and arrive as one literal argument; nested sh -c (the sudo shape) keeps every byte', () => {
  const secretText = shellText().filter((s) => !s.includes('\n'));
  fc.assert(
    fc.property(fc.array(fc.tuple(shellText(), secretText), { minLength: 1, maxLength: 40 }), (pairs) => {
      const commands = pairs.map(([plain, hidden]) => sh`printf '%s\\0' ${plain} ${new Secret(hidden)}`);
      for (const c of commands) assert.ok(!c.script.includes('\0'));
      // each command reads its own secret line from the shared stdin, in order
      const script = commands.map((c) => remoteScript(c)).join('\n');
      const input = commands.map(secretStdin).join('');
      const expected = pairs.flat();
      for (const shell of SHELLS) {
        assert.deepEqual(fields(run(shell, script, input)), expected, shell);
        // what sudo runs: the whole script quoted once more for an inner `sh -c`
        assert.deepEqual(fields(run(shell, `${shell.split(' ')[0]} -c ${quote(script)}`, input)), expected, `${shell} nested`);
      }
    }),
    params(5),
  );
});

test('any value with a NUL is refused by quote, argv and sh`` with a UsageError, never quoted', () => {
  const withNul = fc.tuple(shellText(8), shellText(8)).map(([a, b]) => `${a}\0${b}`);
  fc.assert(
    fc.property(withNul, (v) => {
      assert.throws(() => quote(v), UsageError);
      assert.throws(() => argv(['echo', v]), UsageError);
      assert.throws(() => sh`echo ${v}`, UsageError);
      assert.throws(() => sh`echo ${[v]}`, UsageError);
      assert.throws(() => sh`echo ${new Secret(v.replace(/\n/g, ''))}`, UsageError);
    }),
    params(200),
  );
});
