import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkContainerWord, matchContainer, MIN_ID_PREFIX } from '../../src/docker/container-match.ts';
import { HitcError, UsageError } from '../../src/core/errors.ts';

const id = (prefix: string): string => prefix.padEnd(64, '0');
const web = { id: id('abcdef123456aa'), name: 'web' };
const db = { id: id('abcdef123456bb'), name: 'db' };
// a container whose *name* is a prefix of another container's id
const tricky = { id: id('9999'), name: 'abcdef' };
const all = [db, tricky, web];

const usage = (pattern: RegExp) => (e: unknown) => e instanceof UsageError && e.cliExitCode === 2 && pattern.test(e.message);

test('an exact name wins, even over an id it prefixes', () => {
  assert.equal(matchContainer('web', all, 'h1'), web);
  assert.equal(matchContainer('/web', all, 'h1'), web);
  assert.equal(matchContainer('abcdef', all, 'h1'), tricky);
});

test('a full id, or a unique id prefix of at least 12 hex characters', () => {
  assert.equal(matchContainer(web.id, all, 'h1'), web);
  assert.equal(matchContainer('abcdef123456a', all, 'h1'), web);
  assert.equal(matchContainer('abcdef123456b', all, 'h1'), db);
  assert.equal(MIN_ID_PREFIX, 12);
});

test('no match is undefined (the caller says "no container named …")', () => {
  assert.equal(matchContainer('nope', all, 'h1'), undefined);
  assert.equal(matchContainer('0123456789ab', all, 'h1'), undefined);
  assert.equal(matchContainer('reg:5000/app:1', all, 'h1'), undefined); // an image, for docker.inspect
  assert.equal(matchContainer('Web', all, 'h1'), undefined);
});

test('an empty word is a usage error listing the candidates', () => {
  assert.throws(() => matchContainer('', all, 'h1'), usage(/^empty container: say which container on h1 \(containers there: db \(abcdef123456\), abcdef \(999900000000\), web \(abcdef123456\)\)$/));
  assert.throws(() => matchContainer('', [], 'h1'), usage(/containers there: none/));
  const many = Array.from({ length: 25 }, (_, i) => ({ id: id(`${i}`), name: `c${i}` }));
  assert.throws(() => matchContainer('', many, 'h1'), usage(/c19 \(\w+\) and 5 more\)$/));
});

test('a short id prefix never picks a container, even when only one id starts with it', () => {
  assert.throws(
    () => matchContainer('9999', all, 'h1'),
    usage(/^"9999" is no container name on h1, and an id prefix needs at least 12 hex characters \(it starts the id of: abcdef \(999900000000\)\)$/),
  );
  assert.throws(() => matchContainer('abc', all, 'h1'), usage(/it starts the id of: db \(abcdef123456\), web \(abcdef123456\)/));
});

test('an ambiguous long prefix is a usage error listing both', () => {
  assert.throws(() => matchContainer('abcdef123456', all, 'h1'), usage(/^"abcdef123456" is ambiguous on h1: it starts the id of 2 containers: db \(abcdef123456\), web \(abcdef123456\)$/));
});

test('option-looking and impossible words are refused before any host is asked', () => {
  assert.throws(() => checkContainerWord('-f'), usage(/^invalid container "-f": it starts with "-", so docker would read it as an option$/));
  assert.throws(() => checkContainerWord('--help', 'target'), usage(/^invalid target "--help"/));
  assert.throws(() => checkContainerWord('a b'), usage(/^invalid container "a b": not a container name or id$/));
  assert.throws(() => checkContainerWord('a;rm'), usage(/not a container name or id/));
  assert.doesNotThrow(() => checkContainerWord(''));
  assert.doesNotThrow(() => checkContainerWord('my_app.1-x'));
  assert.throws(() => matchContainer('-f', all, 'h1'), usage(/starts with "-"/));
});

test('property: any word either finds the one container it names or ids, is undefined, or is a HitcError', () => {
  const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
  const containers = fc.uniqueArray(fc.record({ id: hex, name: fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,8}$/) }), { selector: (c) => c.name, maxLength: 6 });
  fc.assert(
    fc.property(containers, fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{0,20}$/)), (cs, word) => {
      try {
        const found = matchContainer(word, cs, 'h');
        if (found) assert.ok(found.name === word.replace(/^\//, '') || (word.length >= 12 && found.id.startsWith(word) && cs.filter((c) => c.id.startsWith(word)).length === 1));
      } catch (error) {
        assert.ok(error instanceof HitcError);
      }
    }),
  );
});
