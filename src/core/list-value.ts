// Comma lists inside one task argument (`ports=80\,3306:3307`, `environment=A=1\,B=2`).
// Each level of the command line consumes one level of escaping: the task grammar turns `\,`
// into a list comma, and `\\\,` into a literal comma inside a list item (`\,` at this level).

/** Split on commas not preceded by a backslash; unescape `\,` and `\\` in each item. */
export function splitList(text: string): string[] {
  if (text === '') return [];
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\\' && i + 1 < text.length) {
      current += text[i + 1];
      i++;
    } else if (ch === ',') {
      items.push(current);
      current = '';
    } else current += ch;
  }
  items.push(current);
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

/** `K=V` items → object; the first `=` splits, so values may contain `=`. */
export function parseKeyValues(items: readonly string[], what: string, onError: (item: string, why: string) => never): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) onError(item, `${what} items are KEY=VALUE`);
    // defined, not assigned: a key named __proto__ must be kept like any other
    Object.defineProperty(out, item.slice(0, eq), { value: item.slice(eq + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
