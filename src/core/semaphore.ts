// A counting semaphore: bounds hosts in flight, handshakes in flight, channels per connection.

export class Semaphore {
  #free: number;
  #waiting: (() => void)[] = [];
  constructor(size: number) {
    if (!(size >= 1)) throw new RangeError(`semaphore size must be ≥ 1, got ${size}`);
    this.#free = size;
  }

  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }

  async use<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/** Run fn on every item with at most `limit` in flight; results keep the input order. */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const gate = new Semaphore(Math.max(1, limit));
  return Promise.all(items.map((item, i) => gate.use(() => fn(item, i))));
}
