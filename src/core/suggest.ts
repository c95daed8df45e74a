// "Did you mean …?" candidates by edit distance (and by prefix, for namespaced names).

export function suggest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const scored: { name: string; score: number }[] = [];
  for (const name of candidates) {
    const d = distance(word.toLowerCase(), name.toLowerCase());
    const limit = Math.max(1, Math.floor(Math.max(word.length, name.length) / 3));
    const contains = name.toLowerCase().includes(word.toLowerCase()) || name.toLowerCase().endsWith(`.${word.toLowerCase()}`);
    if (d <= limit || contains) scored.push({ name, score: contains ? Math.min(d, 1) : d });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}

/** Edit distance where swapping two neighbouring letters counts as one edit (optimal string alignment). */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => (d[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}
