// A dependency graph of string ids: edges point from a thing to what it depends on. Cycle
// detection returns the cycle itself, so errors can name it (`web → redis → web`).

export class Graph {
  readonly #deps = new Map<string, Set<string>>();

  add(id: string): void {
    if (!this.#deps.has(id)) this.#deps.set(id, new Set());
  }

  /** `from` depends on `to`. */
  depend(from: string, to: string): void {
    this.add(from);
    this.add(to);
    (this.#deps.get(from) as Set<string>).add(to);
  }

  ids(): string[] {
    return [...this.#deps.keys()];
  }

  dependencies(id: string): string[] {
    return [...(this.#deps.get(id) ?? [])];
  }

  dependents(id: string): string[] {
    return this.ids().filter((other) => this.#deps.get(other)?.has(id));
  }

  /** The first cycle found, as a path that starts and ends with the same id; undefined if none. */
  findCycle(): string[] | undefined {
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (id: string): string[] | undefined => {
      state.set(id, 'visiting');
      stack.push(id);
      for (const dep of [...(this.#deps.get(id) ?? [])].sort()) {
        if (state.get(dep) === 'visiting') return [...stack.slice(stack.indexOf(dep)), dep];
        if (!state.has(dep)) {
          const found = visit(dep);
          if (found) return found;
        }
      }
      stack.pop();
      state.set(id, 'done');
      return undefined;
    };
    for (const id of this.ids().sort()) {
      if (!state.has(id)) {
        const found = visit(id);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Ids in an order where every id comes after its dependencies (call findCycle first). */
  topological(): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const visit = (id: string): void => {
      if (seen.has(id)) return;
      seen.add(id);
      for (const dep of [...(this.#deps.get(id) ?? [])].sort()) visit(dep);
      out.push(id);
    };
    for (const id of this.ids().sort()) visit(id);
    return out;
  }

  /** The longest chain of dependencies ending at each id, weighted (critical path lengths). */
  depths(weight: (id: string) => number = () => 1): Map<string, number> {
    const depth = new Map<string, number>();
    for (const id of this.topological()) {
      const deps = this.dependencies(id).map((d) => depth.get(d) ?? 0);
      depth.set(id, weight(id) + (deps.length > 0 ? Math.max(...deps) : 0));
    }
    return depth;
  }
}
