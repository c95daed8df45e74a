// Property tests for the command-line grammar: any argv, through parseArgs and on to a plan
// (task lookup, argument binding, host selection), either works or ends in a UsageError;
// escaped values round-trip through the TASK:arg,key=value grammar and its comma lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OPTIONS, parseArgs } from '../../src/cli/args.ts';
import { buildPlan } from '../../src/cli/build-plan.ts';
import { displayText } from '../../src/cli/help.ts';
import { parseTaskInvocation } from '../../src/cli/task-invocation.ts';
import * as builtins from '../../src/builtins/index.ts';
import { HitcError, UsageError } from '../../src/core/errors.ts';
import { formatHostSpec, parseHostSpec } from '../../src/core/host-spec.ts';
import { splitList } from '../../src/core/list-value.ts';
import { TaskRegistry } from '../../src/taskfile/registry.ts';
import { bindArgs, type ParamSpecs } from '../../src/taskfile/params.ts';
import { params, shellText } from '../core/property-settings.ts';

const registry = new TaskRegistry();
registry.addModule(builtins, 'builtin');
const TASK_NAMES = registry.list().map((t) => t.name);

/** Escapes a value for the task grammar: `\`, `,` and `=` get a backslash. */
const escapeArg = (v: string): string => v.replace(/[\\,=]/g, '\\$&');

/** The error must be one hitc raises on purpose: a UsageError (exit 2), never a TypeError. */
function expectUsage(error: unknown): void {
  if (error instanceof UsageError) return;
  throw new assert.AssertionError({ message: `expected a UsageError, got ${error instanceof Error ? error.stack : String(error)}` });
}

const flagWord = fc.oneof(
  fc.constantFrom(...OPTIONS.map((o) => `--${o.long}`), ...OPTIONS.filter((o) => o.short).map((o) => `-${o.short}`)),
  fc.tuple(fc.constantFrom(...OPTIONS.map((o) => o.long)), shellText(8)).map(([l, v]) => `--${l}=${v}`),
  fc.array(fc.constantFrom(...OPTIONS.filter((o) => o.short).map((o) => o.short as string)), { minLength: 1, maxLength: 4 }).chain((ls) =>
    shellText(6).map((v) => `-${ls.join('')}${v}`),
  ),
);
const argText = fc.oneof(shellText(10), fc.constantFrom('80', '0', '-1', '1e3', 'true', 'no', '', ' ', 'a=b', '\\,', '\\', '8080:80/udp', 'x=1\\,y=2'));
const taskWord = fc.oneof(
  fc.tuple(fc.constantFrom(...TASK_NAMES), fc.array(argText, { maxLength: 4 }), fc.boolean()).map(([n, args, raw]) =>
    args.length === 0 ? n : `${n}:${args.map((a) => (raw ? a : escapeArg(a))).join(',')}`),
  fc.tuple(fc.constantFrom(...TASK_NAMES), fc.array(fc.tuple(fc.constantFrom('name', 'image', 'ports', 'container', 'tail', 'force', 'follow', 'x', '__proto__', 'constructor', 'toString'), argText), { minLength: 1, maxLength: 3 })).map(
    ([n, kv]) => `${n}:${kv.map(([k, v]) => `${k}=${escapeArg(v)}`).join(',')}`),
  shellText(16),
);
const hostWord = fc.oneof(
  fc.constantFrom('h', 'root@10.0.0.1', 'u@h:22', '[::1]:2222', '::1', 'h:0', 'h:99999', '@h', 'h@', '[', '[::1', 'a,b', ' , ', 'h:x'),
  shellText(12),
);
const argvWord = fc.oneof(
  { weight: 3, arbitrary: flagWord },
  { weight: 3, arbitrary: taskWord },
  { weight: 2, arbitrary: hostWord },
  { weight: 1, arbitrary: fc.constantFrom('--', '-', '---', '--=', '-=') },
);

test('any argv: parseArgs and the plan built from it end in a request or a UsageError, nothing else', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(argvWord, { maxLength: 8 }), async (argv) => {
      let req;
      try {
        req = parseArgs(argv);
      } catch (error) {
        return expectUsage(error);
      }
      try {
        if (req.action === 'display') displayText(registry.get(req.display as string));
        if (req.action === 'run') await buildPlan(req, registry, undefined);
      } catch (error) {
        expectUsage(error);
      }
    }),
    params(600),
  );
});

test('any word as a task invocation: parsed or a UsageError', () => {
  fc.assert(
    fc.property(fc.oneof(taskWord, fc.string({ unit: 'binary', maxLength: 20 })), (word) => {
      try {
        const inv = parseTaskInvocation(word);
        assert.equal(inv.word, word);
      } catch (error) {
        expectUsage(error);
      }
    }),
    params(1000),
  );
});

const argName = fc.oneof({ weight: 1, arbitrary: fc.constantFrom("constructor", "__proto__", "toString") }, { weight: 9, arbitrary: fc.stringMatching(/^[A-Za-z_]\w{0,8}$/) });

test('round trip: escaped positional and key=value arguments parse back to the same values', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...TASK_NAMES, 'deploy', 'a.b-c.d_e'),
      fc.array(shellText(), { maxLength: 4 }),
      fc.uniqueArray(fc.tuple(argName, shellText()), { selector: ([k]) => k, maxLength: 4 }),
      (name, positional, named) => {
        const parts = [...positional.map(escapeArg), ...named.map(([k, v]) => `${k}=${escapeArg(v)}`)];
        const word = parts.length === 0 ? name : `${name}:${parts.join(',')}`;
        const inv = parseTaskInvocation(word);
        assert.equal(inv.name, name);
        assert.deepEqual(inv.positional, positional);
        assert.deepEqual({ ...inv.named }, Object.fromEntries(named));
        // and the same word survives the whole argv grammar
        assert.deepEqual(parseArgs(['-H', 'h', word]).tasks[0]?.positional, positional);
      },
    ),
    params(800),
  );
});

test('round trip: a comma list item escaped with \\ comes back from splitList (trimmed, non-empty items)', () => {
  const item = shellText(12).map((s) => s.trim()).filter((s) => s !== '' && !s.endsWith('\\'));
  fc.assert(
    fc.property(fc.array(item, { maxLength: 6 }), (items) => {
      const text = items.map((i) => i.replace(/[\\,]/g, '\\$&')).join(',');
      assert.deepEqual(splitList(text), items);
    }),
    params(800),
  );
});

test('host specs: any text parses or is a UsageError; a formatted spec parses back to itself', () => {
  fc.assert(
    fc.property(fc.oneof(hostWord, fc.string({ unit: 'binary', maxLength: 16 })), (word) => {
      try {
        const spec = parseHostSpec(word);
        assert.ok(spec.host !== '');
      } catch (error) {
        expectUsage(error);
      }
    }),
    params(1000),
  );
  const hostName = fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/), fc.ipV4(), fc.ipV6());
  const user = fc.option(fc.stringMatching(/^[a-z_][a-z0-9_-]{0,10}$/), { nil: undefined });
  const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
  fc.assert(
    fc.property(hostName, user, port, (host, u, p) => {
      const spec = { host, ...(u ? { user: u } : {}), ...(p !== undefined && p !== 22 ? { port: p } : {}) };
      assert.deepEqual(parseHostSpec(formatHostSpec(spec)), spec);
    }),
    params(800),
  );
});

test('binding CLI strings to declared params: a value or a UsageError, whatever the names and texts', () => {
  const specs: ParamSpecs = { name: { type: 'string' }, count: { type: 'number', default: 1 }, force: { type: 'boolean' } };
  const key = fc.oneof(fc.constantFrom('name', 'count', 'force', 'extra', '__proto__', 'constructor', 'toString', 'hasOwnProperty'), argName);
  fc.assert(
    fc.property(fc.array(argText, { maxLength: 4 }), fc.array(fc.tuple(key, argText), { maxLength: 4 }), fc.boolean(), fc.boolean(), (positional, pairs, extra, variadic) => {
      const parts = [...positional.map(escapeArg), ...pairs.map(([k, v]) => `${k}=${escapeArg(v)}`)];
      let inv;
      try {
        inv = parseTaskInvocation(`t:${parts.join(',')}`);
      } catch (error) {
        return expectUsage(error);
      }
      try {
        const bound = bindArgs('t', specs, inv.positional, inv.named, extra, variadic);
        for (const [k, v] of Object.entries(bound)) {
          if (k === 'extra') continue;
          assert.ok(Object.hasOwn(specs, k), `bound an undeclared parameter ${k}`);
          assert.equal(typeof v, specs[k]?.type, `parameter ${k} has the declared type`);
        }
      } catch (error) {
        expectUsage(error);
      }
    }),
    params(1000),
  );
});

test('a NUL anywhere in argv is a UsageError before anything else', () => {
  fc.assert(
    fc.property(fc.array(argvWord, { maxLength: 5 }), shellText(6), fc.nat(), (argv, around, at) => {
      const words = [...argv];
      words.splice(at % (words.length + 1), 0, `${around}\0`);
      assert.throws(() => parseArgs(words), (e: unknown) => e instanceof HitcError && /NUL byte/.test(e.message));
    }),
    params(300),
  );
});
