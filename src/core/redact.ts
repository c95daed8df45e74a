// The run's secrets, registered once where each one enters hitc (a `secret()` value, a `!secret`
// manifest value, the sudo password, a provider token, a key passphrase), and the one function
// every output sink applies: whatever path a value takes to the screen or to --json, it shows
// as the mask there.
//
// Values shorter than MIN_SECRET_LENGTH are not masked: a one- to three-character value masked
// everywhere would shred ordinary output (every "a", every "abc" in every line), and such a value
// protects nothing anyway (all 3-character printable strings can be tried in well under a
// million guesses). The README says so.

export const SECRET_MASK = '••••••';
export const MIN_SECRET_LENGTH = 4;

interface Registry {
  readonly values: Set<string>;
  /** Registered values, longest first; rebuilt only when the set changes. */
  sorted: string[] | undefined;
}

// Kept on globalThis: a hitcfile that ended up with a second copy of this module (another
// import path, the compiled cache) must still register into the one registry the sinks read.
const KEY = Symbol.for('hitc.secret-registry');
const registry: Registry = ((globalThis as Record<symbol, unknown>)[KEY] ??= { values: new Set<string>(), sorted: undefined }) as Registry;

/**
 * Mask this value on every output path from now on. Also registers the forms it takes in
 * output: each line of a multi-line value (output is redacted line by line), the value without
 * surrounding whitespace (a secret read from a file keeps its newline), and its JSON-escaped
 * form (a value with quotes or backslashes inside a JSON string). Returns the value, so an
 * entry point can register what it reads in passing.
 */
export function registerSecret<T extends string | undefined | null>(value: T): T {
  if (typeof value !== 'string' || value === '') return value;
  const forms = new Set([value, value.trim(), ...value.split(/\r\n|\r|\n/).map((l) => l.trim())]);
  for (const form of [...forms]) forms.add(JSON.stringify(form).slice(1, -1));
  let added = false;
  for (const form of forms) {
    if (form.length >= MIN_SECRET_LENGTH && !registry.values.has(form)) {
      registry.values.add(form);
      added = true;
    }
  }
  if (added) registry.sorted = undefined;
  return value;
}

/** How many distinct forms are registered (for tests and a cheap "anything to do?" check). */
export function secretCount(): number {
  return registry.values.size;
}

/** Forget every secret: only for tests, which share one process. */
export function clearSecretsForTest(): void {
  registry.values.clear();
  registry.sorted = undefined;
}

/**
 * The text with every registered value replaced by the mask. Overlapping or adjacent
 * occurrences (of one value or of two) become one mask, so no part of either shows.
 * One native substring search per value: fast on megabytes, and no pattern to escape.
 */
export function redact(text: string): string {
  if (registry.values.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
  const sorted = (registry.sorted ??= [...registry.values].sort((a, b) => b.length - a.length));
  let spans: [number, number][] | undefined;
  for (const value of sorted) {
    if (value.length > text.length) continue;
    for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) {
      (spans ??= []).push([at, at + value.length]);
    }
  }
  if (!spans) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let from = 0;
  let [start, end] = spans[0] as [number, number];
  for (const [s, e] of spans) {
    if (s <= end) {
      end = Math.max(end, e);
      continue;
    }
    out += text.slice(from, start) + SECRET_MASK;
    from = end;
    [start, end] = [s, e];
  }
  return out + text.slice(from, start) + SECRET_MASK + text.slice(end);
}

/**
 * The text without a tail that starts a registered value. Where text is cut short (an
 * over-long line is capped), a secret that straddles the cut would otherwise show its first
 * part, which no mask can recognise afterwards.
 */
export function withoutSecretStartAtEnd(text: string): string {
  let cut = text.length;
  for (const value of registry.values) {
    for (let n = Math.min(value.length - 1, text.length); n > 0; n--) {
      if (text.endsWith(value.slice(0, n))) {
        cut = Math.min(cut, text.length - n);
        break;
      }
    }
  }
  return text.slice(0, cut);
}

/**
 * A copy of a JSON-like value with every string redacted (object keys too). Class instances
 * other than plain objects and arrays are kept as they are: an Error is formatted (and
 * redacted) where it is shown, a Secret prints as the mask by itself.
 */
export function redactDeep<T>(value: T): T {
  if (registry.values.size === 0) return value;
  return walk(value) as T;
}

function walk(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(walk);
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redact(k)] = walk(v);
    return out;
  }
  return value;
}
