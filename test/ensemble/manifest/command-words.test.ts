import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CommandWordsError, commandWords } from '../../../src/ensemble/manifest/command-words.ts';
import { quoteArgv } from '../../../src/core/quote.ts';

test('words split on blanks; quotes and backslashes group them as a POSIX shell would', () => {
  assert.deepEqual(commandWords('httpd -f -p 8080'), ['httpd', '-f', '-p', '8080']);
  assert.deepEqual(commandWords('  a   b\tc  '), ['a', 'b', 'c']);
  assert.deepEqual(commandWords(`sh -c 'echo a; touch /tmp/x'`), ['sh', '-c', 'echo a; touch /tmp/x']);
  assert.deepEqual(commandWords(`echo "a b" 'c"d' "e'f" g\\ h`), ['echo', 'a b', 'c"d', "e'f", 'g h']);
  assert.deepEqual(commandWords(`x"y"'z' "" ''`), ['xyz', '', '']);
  assert.deepEqual(commandWords(`"a \\" \\\\ b"`), ['a " \\ b']);
  assert.deepEqual(commandWords(`'a \\ b'`), ['a \\ b'], 'a backslash in single quotes is itself');
  assert.deepEqual(commandWords(`"a\\nb"`), ['a\\nb'], 'in double quotes only \\ " $ ` are escaped');
  assert.deepEqual(commandWords('a*b ~ [x]'), ['a*b', '~', '[x]'], 'no globbing, no tilde: nothing expands');
  assert.deepEqual(commandWords('a#b'), ['a#b'], '# inside a word is a character');
  assert.deepEqual(commandWords('"a\nb"'), ['a\nb'], 'a quoted line break is part of the word');
  assert.deepEqual(commandWords('httpd -f\n'), ['httpd', '-f'], 'a block scalar’s final line break is trimmed');
  assert.deepEqual(commandWords(''), []);
});

test("hitc's variables stay whole, whatever spaces or quotes are around or inside them", () => {
  assert.deepEqual(commandWords('app --db=${db.ip} "${a.containers.b.environment[X Y]}"'), ['app', '--db=${db.ip}', '${a.containers.b.environment[X Y]}']);
  assert.deepEqual(commandWords('echo $$HOME \\$x "\\$y"'), ['echo', '$$HOME', '$$x', '$$y'], 'a literal $ in hitc spelling');
  assert.deepEqual(commandWords(`'\${a.ip}'`), ['${a.ip}']);
});

test('what a shell would read as another command, a pipe, a redirection or a substitution is refused', () => {
  for (const bad of ['httpd -f -p 8080; touch /tmp/x', 'a | b', 'a && b', 'a & b', 'a > /f', 'a < /f', '(a)', 'echo $(id)', 'echo `id`', 'echo "`id`"', 'a # note', 'a\nb', 'a \\\nb', "echo 'open", 'echo "open', 'a \\', 'echo ${open']) {
    assert.throws(() => commandWords(bad), (e: unknown) => e instanceof CommandWordsError && /hitc runs no shell for a command/.test((e as Error).message) && /\["sh", "-c", "…"\]/.test((e as Error).message), bad);
  }
  assert.deepEqual(commandWords(`sh -c "a; b | c > d && \\\`e\\\`"`), ['sh', '-c', 'a; b | c > d && `e`'], 'quoted, they are characters');
});

test('property: any argv, quoted by hitc, splits back into itself', () => {
  fc.assert(fc.property(fc.array(fc.string({ unit: 'binary' }).filter((w) => !w.includes('\0')), { minLength: 1, maxLength: 6 }), (words) => {
    assert.deepEqual(commandWords(quoteArgv(words)), words);
  }), { numRuns: 500 });
});

test('property: any text either splits or is refused with a CommandWordsError, never anything else', () => {
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...` \t\n'"\\$(){}|;&<>\`#ab-`.split('')) }), (text) => {
    try {
      const words = commandWords(text);
      assert.ok(Array.isArray(words));
    } catch (error) {
      assert.ok(error instanceof CommandWordsError, String(error));
    }
  }), { numRuns: 2000 });
});
