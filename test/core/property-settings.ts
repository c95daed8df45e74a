// Shared fast-check settings for the property tests: a fixed seed keeps CI deterministic;
// FC_SEED=random (or a number) and FC_RUNS=N explore further locally. fast-check prints the
// seed and the shrunk counterexample on failure.
import fc from 'fast-check';

const seedEnv = process.env.FC_SEED;
export const SEED = seedEnv === 'random' ? Date.now() ^ (Math.random() * 0x7fffffff) : seedEnv ? Number(seedEnv) : 0x5afe_9;
const runsFactor = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 1;

/** fast-check parameters: `runs` is the CI budget, scaled by FC_RUNS when exploring. */
export function params(runs: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns: Math.max(1, Math.round(runs * runsFactor)), verbose: 1 };
}

/** Characters a shell treats specially, plus control characters and a few wide ones. */
const NASTY = [
  "'", '"', '$', '`', '\\', '\n', '\r', '\t', ' ', ';', '|', '&', '*', '?', '[', ']', '~', '!', '{', '}', '(', ')',
  '#', '-', '=', '%', '<', '>', '^', ',', ':', '@', '\x01', '\x1b', '\x7f', '\u00a0', '\u2028', 'é', '日', '\u{1f600}', '$(', '${', "'\\''",
];

/** One code point anywhere in Unicode except NUL and lone surrogates. */
const anyCodePoint = fc
  .integer({ min: 1, max: 0x10ffff })
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => String.fromCodePoint(c));

/** Strings biased towards shell syntax, control characters and full Unicode; never a NUL. */
export const shellText = (maxLength = 24): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
      { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 0x1f }).map((c) => String.fromCharCode(c)) },
      { weight: 2, arbitrary: anyCodePoint },
    ),
    maxLength,
  });
