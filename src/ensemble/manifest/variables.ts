// Variables in manifest values: `${server.field}`, `${server.containers.c.field[key]}`,
// `${host.field}`, bare `$name`, the whole-value tokens `$internal_ips` and `$servers`, and
// `$$` for a literal `$` (the original had no escape). Parsing is pure; resolution happens
// just before a thing starts, when the referenced values exist.

export type Segment = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'ref'; readonly ref: Reference; readonly source: string };

export interface Reference {
  /** A manifest server name (or "host": the server the value belongs to). */
  readonly server: string;
  /** Set for `${server.containers.NAME.field}`. */
  readonly container?: string;
  /** ip, internal_ip, name, environment, … */
  readonly field: string;
  /** `[key]` suffixes, applied in order (dict keys or list positions). */
  readonly index: readonly string[];
}

export type Parsed =
  | { readonly kind: 'internal_ips' }
  | { readonly kind: 'servers' }
  | { readonly kind: 'segments'; readonly segments: readonly Segment[] };

export class VariableSyntaxError extends Error {}

const IPV4_PREFIX = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\.(.*)$/;

// a value is read by the parser's checks, the graph, the planner and apply: parsed once
const parsedValues = new Map<string, Parsed | VariableSyntaxError>();

export function parseValue(text: string): Parsed {
  let parsed = parsedValues.get(text);
  if (parsed === undefined) {
    try {
      parsed = parseFresh(text);
    } catch (error) {
      if (!(error instanceof VariableSyntaxError)) throw error;
      parsed = error;
    }
    if (parsedValues.size > 10_000) parsedValues.clear();
    parsedValues.set(text, parsed);
  }
  if (parsed instanceof VariableSyntaxError) throw parsed;
  return parsed;
}

function parseFresh(text: string): Parsed {
  if (text === '$internal_ips') return { kind: 'internal_ips' };
  if (text === '$servers') return { kind: 'servers' };
  const segments: Segment[] = [];
  let buffer = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '$') {
      buffer += ch;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      buffer += '$';
      i++;
      continue;
    }
    let source: string;
    let inner: string;
    if (next === '{') {
      const close = text.indexOf('}', i + 2);
      if (close < 0) throw new VariableSyntaxError(`unclosed \${ in "${text}"`);
      inner = text.slice(i + 2, close);
      source = text.slice(i, close + 1);
      i = close;
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(text.slice(i + 1));
      // a bare $NAME has no field, so it can only ever be a mistake (or a literal $)
      throw new VariableSyntaxError(
        m ? `"$${m[0]}" in "${text}" is not a variable: write \${SERVER.FIELD}, or $$ for a literal $ ($internal_ips and $servers stand alone)`
          : `"$" must start a variable in "${text}" (write $$ for a literal $)`,
      );
    }
    if (buffer !== '') segments.push({ kind: 'text', text: buffer });
    buffer = '';
    segments.push({ kind: 'ref', ref: parseReference(inner, text), source });
  }
  if (buffer !== '') segments.push({ kind: 'text', text: buffer });
  return { kind: 'segments', segments };
}

function parseReference(inner: string, whole: string): Reference {
  if (inner.trim() === '') throw new VariableSyntaxError(`empty variable \${} in "${whole}"`);
  // an IP-named server's dots are part of its name: ${10.0.0.5.ip}
  const ip = IPV4_PREFIX.exec(inner);
  const parts = ip ? [ip[1] as string, ...(ip[2] as string).split('.')] : inner.split('.');
  if (parts.some((p) => p === '')) throw new VariableSyntaxError(`malformed variable \${${inner}}`);
  const [server, ...rest] = parts as [string, ...string[]];
  if (rest.length === 0) throw new VariableSyntaxError(`\${${inner}} names a server but no field (e.g. \${${inner}.ip})`);
  let container: string | undefined;
  let fieldPart: string;
  if (rest[0] === 'containers') {
    if (rest.length !== 3) throw new VariableSyntaxError(`\${${inner}}: write \${SERVER.containers.CONTAINER.FIELD}`);
    container = rest[1];
    fieldPart = rest[2] as string;
  } else {
    if (rest.length !== 1) throw new VariableSyntaxError(`\${${inner}}: write \${SERVER.FIELD} or \${SERVER.containers.CONTAINER.FIELD}`);
    fieldPart = rest[0] as string;
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\][]+\])*)$/.exec(fieldPart);
  if (!m) throw new VariableSyntaxError(`bad field "${fieldPart}" in \${${inner}}`);
  const index = [...(m[2] as string).matchAll(/\[([^\]]+)\]/g)].map((x) => x[1] as string);
  return { server, ...(container ? { container } : {}), field: m[1] as string, index };
}

/** Every reference in a value (for the dependency graph). */
export function referencesIn(text: string): Reference[] {
  const parsed = parseValue(text);
  if (parsed.kind !== 'segments') return [];
  return parsed.segments.flatMap((s) => (s.kind === 'ref' ? [s.ref] : []));
}

/** The whole-value tokens: undefined while some server's address is not known yet. */
export interface Specials {
  internalIps(): string[] | undefined;
  servers(): Record<string, unknown> | undefined;
}

/** Fill in a value; `lookup` gives a referenced value or undefined when it isn't known yet. */
export function resolveValue(
  text: string,
  lookup: (ref: Reference) => unknown,
  special: Specials,
): string | undefined {
  const parsed = parseValue(text);
  if (parsed.kind === 'internal_ips') return special.internalIps()?.join(',');
  if (parsed.kind === 'servers') {
    const all = special.servers();
    return all === undefined ? undefined : JSON.stringify(all);
  }
  let out = '';
  for (const s of parsed.segments) {
    if (s.kind === 'text') {
      out += s.text;
      continue;
    }
    let value: unknown = lookup(s.ref);
    for (const key of s.ref.index) {
      if (value === undefined || value === null) break;
      value = Array.isArray(value) ? value[Number(key)] : (value as Record<string, unknown>)[key];
    }
    if (value === undefined || value === null) return undefined;
    out += typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
}
