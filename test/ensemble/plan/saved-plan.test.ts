import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../../src/core/errors.ts';
import { planToJson } from '../../../src/ensemble/plan/plan-json.ts';
import {
  manifestDigest, observedDigest, observedFingerprints, readSavedPlan, writeSavedPlan, type SavedPlan,
} from '../../../src/ensemble/plan/saved-plan.ts';
import { everyKindPlan, SECRET_VALUE, world } from './hand-plans.ts';
import { tempDir } from '../../helpers/temp.ts';

function savedPlan(): SavedPlan {
  const fingerprints = observedFingerprints(world());
  return {
    format: 'hitc-plan', version: 1, created: '2026-12-02T10:00:00.000Z', ensemble: 'shop',
    manifest: { file: 'shop.yml', digest: manifestDigest('web:\n  provider: ec2\n') },
    observed: { digest: observedDigest(fingerprints), fingerprints },
    plan: planToJson(everyKindPlan()),
  };
}

const dirs: string[] = [];
const scratch = (): string => {
  dirs.push(tempDir('hitc-saved-plan-'));
  return dirs.at(-1) as string;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('a saved plan survives the round trip: pretty JSON, trailing newline, mode 0600', async () => {
  const path = join(scratch(), 'plan.json');
  const saved = savedPlan();
  await writeSavedPlan(path, saved);
  assert.deepEqual(readSavedPlan(path), saved);
  const text = readFileSync(path, 'utf8');
  assert.ok(text.startsWith('{\n  "format": "hitc-plan",\n  "version": 1,'));
  assert.ok(text.endsWith('}\n'));
  assert.ok(!text.includes(SECRET_VALUE));
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('the file is the same text whatever order the saved plan was built in', async () => {
  const dir = scratch();
  const saved = savedPlan();
  const reversed = Object.fromEntries(Object.entries(saved).reverse()) as unknown as SavedPlan;
  await writeSavedPlan(join(dir, 'a.json'), saved);
  await writeSavedPlan(join(dir, 'b.json'), reversed);
  assert.equal(readFileSync(join(dir, 'b.json'), 'utf8'), readFileSync(join(dir, 'a.json'), 'utf8'));
});

test('writing over an existing plan makes it 0600 and leaves no temporary file', async () => {
  const dir = scratch();
  const path = join(dir, 'plan.json');
  writeFileSync(path, 'old\n');
  chmodSync(path, 0o644);
  await writeSavedPlan(path, savedPlan());
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['plan.json']);
});

test('a plan for a directory that does not exist is refused and nothing is created', async () => {
  const dir = scratch();
  const path = join(dir, 'missing', 'plan.json');
  await assert.rejects(writeSavedPlan(path, savedPlan()), (e: unknown) => e instanceof UsageError && /does not exist/.test(e.message));
  assert.equal(existsSync(join(dir, 'missing')), false);
  assert.deepEqual(readdirSync(dir), []);
});

// A real failure in the middle of writing: the file size limit (ulimit -f) makes the write of
// the temporary file fail with EFBIG after some bytes (node ignores SIGXFSZ). The old plan is
// intact and the temporary file is gone. (A kill between write and rename cannot be staged here.)
test('a write that fails part way leaves the old plan as it was', () => {
  const dir = scratch();
  const path = join(dir, 'plan.json');
  writeFileSync(path, 'the old plan\n');
  const big = { ...savedPlan(), ensemble: 'x'.repeat(20_000) };
  writeFileSync(join(dir, 'big.json'), JSON.stringify(big));
  const module = new URL('../../../src/ensemble/plan/saved-plan.ts', import.meta.url).href;
  const script = `const m = await import(${JSON.stringify(module)});
    const saved = JSON.parse(await (await import('node:fs/promises')).readFile(${JSON.stringify(join(dir, 'big.json'))}, 'utf8'));
    try { await m.writeSavedPlan(${JSON.stringify(path)}, saved); console.log('written'); } catch (e) { console.log(e.constructor.name + ': ' + e.message); }`;
  const out = execFileSync('bash', ['-c', 'ulimit -f 8 && exec node --import tsx --input-type=module -e "$0"', script], { encoding: 'utf8' });
  assert.match(out, /^UsageError: cannot write local path .*plan\.json: EFBIG/);
  assert.equal(readFileSync(path, 'utf8'), 'the old plan\n');
  assert.deepEqual(readdirSync(dir).sort(), ['big.json', 'plan.json']);
});

function refusal(path: string, pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof UsageError, String(e));
    assert.ok(e.message.includes(path), e.message);
    assert.match(e.message, pattern);
    assert.equal(e.hint, 'hitc ensemble.plan:NAME,out=FILE writes one');
    assert.equal(e.cliExitCode, 2);
    return true;
  };
}

test('reading a missing, unreadable, non-JSON or foreign file names it, with a hint', () => {
  const dir = scratch();
  const at = (name: string, text?: string): string => {
    const p = join(dir, name);
    if (text !== undefined) writeFileSync(p, text);
    return p;
  };
  assert.throws(() => readSavedPlan(at('nope.json')), refusal(join(dir, 'nope.json'), /does not exist/));
  mkdirSync(join(dir, 'adir'));
  assert.throws(() => readSavedPlan(join(dir, 'adir')), refusal(join(dir, 'adir'), /is a directory/));
  assert.throws(() => readSavedPlan(at('bad.json', '{"format": ')), refusal(join(dir, 'bad.json'), /is not JSON/));
  assert.throws(() => readSavedPlan(at('other.json', '{"name": "x"}')), refusal(join(dir, 'other.json'), /is not a hitc plan/));
  assert.throws(() => readSavedPlan(at('list.json', '[]')), refusal(join(dir, 'list.json'), /is not a hitc plan/));
  assert.throws(() => readSavedPlan(at('v2.json', '{"format": "hitc-plan", "version": 2}')), refusal(join(dir, 'v2.json'), /newer hitc .*version 2/));
  assert.throws(() => readSavedPlan(at('v0.json', '{"format": "hitc-plan", "version": "1"}')), refusal(join(dir, 'v0.json'), /unknown plan format version "1"/));
});

test('a damaged or edited plan file is refused', () => {
  const dir = scratch();
  const write = (name: string, change: (s: Record<string, any>) => void): string => {
    const s = structuredClone(savedPlan()) as Record<string, any>;
    change(s);
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(s));
    return p;
  };
  let p = write('no-observed.json', (s) => delete s.observed);
  assert.throws(() => readSavedPlan(p), refusal(p, /is damaged: "observed" needs/));
  p = write('no-ops.json', (s) => delete s.plan.ops);
  assert.throws(() => readSavedPlan(p), refusal(p, /is damaged: "plan.ops"/));
  p = write('no-orphans.json', (s) => delete s.plan.orphans);
  assert.throws(() => readSavedPlan(p), refusal(p, /"plan.orphans" is not a list/));
  p = write('edited.json', (s) => { s.observed.fingerprints['container:web/app'] = '0000000000000000'; });
  assert.throws(() => readSavedPlan(p), refusal(p, /was edited/));
});
