// Where a hitcfile's `import … from 'hitc'` points: this running hitc's public API, so tasks,
// errors and secrets are the very classes the runner checks. From sources that is
// src/index.ts; bin/hitc.mjs points it at the compiled copy when it runs from the cache.

let apiUrl = new URL('../index.ts', import.meta.url).href;

export function hitcApiUrl(): string {
  return apiUrl;
}

export function setHitcApiUrl(url: string): void {
  apiUrl = url;
}
