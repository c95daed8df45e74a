// "Did you mean …?" candidates by edit distance (and by prefix, for namespaced names).

export function suggest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const scored: { name: string; score: number }[] = [];
  for (const name of candidates) {
    const d = distance(word.toLowerCase(), name.toLowerCase());
    const limit = Math.max(2, Math.floor(name.length / 3));
    const contains = name.toLowerCase().includes(word.toLowerCase()) || name.toLowerCase().endsWith(`.${word.toLowerCase()}`);
    if (d <= limit || contains) scored.push({ name, score: contains ? Math.min(d, 1) : d });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}

/** Damerau-free Levenshtein distance. */
export function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
