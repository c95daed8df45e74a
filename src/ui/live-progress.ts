// Progress groups as a live list on a terminal (listr2's default renderer): every step is shown
// from the start, spins while it runs, and ends ticked, crossed or skipped with its detail.
// Steps that wait for others say so. Only this module imports listr2.

import { Listr, type DefaultRenderer, type SimpleRenderer, type ListrTaskWrapper } from 'listr2';
import type { ProgressItem, RunEvent } from '../core/events.ts';

type Wrapper = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>;

interface Step {
  readonly title: string;
  started: () => void;
  settle: (state: 'done' | 'failed' | 'skipped', detail?: string) => void;
  wrapper?: Wrapper;
}

export class LiveProgress {
  readonly #steps = new Map<string, Map<string, Step>>();
  readonly #running = new Set<Promise<unknown>>();

  /** Whether a group is being drawn (other output should wait until it is done). */
  get active(): boolean {
    return this.#steps.size > 0 || this.#running.size > 0;
  }

  /** Draws the event's group; false when it is not this list's to draw (one list at a time:
   *  a second group, e.g. from another host, is left to the line reporter). */
  handle(event: Extract<RunEvent, { type: 'progress-start' | 'progress' | 'progress-end' }>): boolean {
    if (event.type === 'progress-start') {
      if (this.active) return false;
      this.#start(event.group, event.items);
      return true;
    }
    const steps = this.#steps.get(event.group);
    if (!steps) return false;
    if (event.type === 'progress-end') {
      for (const step of steps.values()) step.settle('skipped', 'not reported');
      this.#steps.delete(event.group);
      return true;
    }
    const step = steps.get(event.id);
    if (!step) return true;
    if (event.state === 'running') step.started();
    else if (event.state === 'note') {
      if (step.wrapper && event.detail) step.wrapper.output = event.detail;
    } else step.settle(event.state, event.detail);
    return true;
  }

  /** The run is over: whatever was not reported is drawn as skipped, so the list can finish. */
  abandon(): void {
    for (const steps of this.#steps.values()) for (const step of steps.values()) step.settle('skipped', 'the run ended first');
    this.#steps.clear();
  }

  /** Resolves once every list has finished drawing. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #start(group: string, items: readonly ProgressItem[]): void {
    const steps = new Map<string, Step>();
    const tasks = items.map((item) => {
      let started!: () => void;
      const begun = new Promise<void>((resolve) => (started = resolve));
      let settle!: Step['settle'];
      const outcome = new Promise<{ state: 'done' | 'failed' | 'skipped'; detail?: string }>((resolve) => {
        settle = (state, detail) => resolve({ state, ...(detail !== undefined ? { detail } : {}) });
      });
      const step: Step = { title: item.title, started, settle: (state, detail) => { started(); settle(state, detail); } };
      steps.set(item.id, step);
      return {
        title: `${item.title} (waiting)`,
        task: async (_ctx: unknown, wrapper: Wrapper): Promise<void> => {
          step.wrapper = wrapper;
          await begun;
          wrapper.title = item.title;
          const { state, detail } = await outcome;
          if (state === 'skipped') return wrapper.skip(`skipped${detail ? `: ${detail}` : ''}`);
          if (state === 'failed') throw new Error(detail ?? 'failed');
          wrapper.title = detail ? `${item.title}: ${detail}` : item.title;
        },
      };
    });
    this.#steps.set(group, steps);
    const list = new Listr<unknown, 'default', 'simple'>(tasks, {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      rendererOptions: { collapseErrors: false, collapseSkips: false, showErrorMessage: true },
    });
    const run = list.run().catch(() => undefined);
    this.#running.add(run);
    void run.finally(() => this.#running.delete(run));
  }
}
