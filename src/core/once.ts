// Share one in-flight or finished async result between all callers (e.g. one sudo prompt
// for every host of a run). A failure is remembered too, so nobody is asked twice.

export function sharedOnce<T>(fn: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= fn());
}

/** Keyed variant: one computation per key. */
export function sharedByKey<T>(fn: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key) => {
    let p = cache.get(key);
    if (!p) {
      p = fn(key);
      cache.set(key, p);
    }
    return p;
  };
}
