// Human output: `[host] out: line`, one whole line per write so hosts never interleave
// mid-line. Grouped mode holds each host's lines until the host finishes.

import type { RunEvent } from '../core/events.ts';
import { formatError } from './format-error.ts';
import type { Style } from './style.ts';

export interface LineWriter {
  write(text: string): unknown;
}

export class TextReporter {
  readonly #held = new Map<string, string[]>();

  constructor(
    private readonly out: LineWriter,
    private readonly style: Style,
    private readonly mode: 'stream' | 'grouped',
  ) {}

  readonly handle = (event: RunEvent): void => {
    switch (event.type) {
      case 'task-start':
        return;
      case 'host-start':
        if (event.host) this.#line(event.host, `Executing task '${event.task}'`);
        return;
      case 'command':
        this.#line(event.host, `${event.kind}: ${event.display}`);
        return;
      case 'output':
        this.#line(event.host, `${event.stream}: ${event.line}`, event.stream === 'err' ? this.style.dim : undefined);
        return;
      case 'message':
        this.#line(event.host, event.level === 'warn' ? this.style.yellow(`Warning: ${event.text}`) : event.text);
        return;
      case 'host-end':
        if (event.error !== undefined) {
          const f = formatError(event.error);
          const headline = f.headline.replace(/^\[[^\]]*\] /, '');
          const pending = (event.error as { kind?: string }).kind === 'changes-pending';
          const word = pending ? 'CHANGES PENDING' : event.status === 'unreachable' ? 'UNREACHABLE' : 'FAILED';
          this.#line(event.host, pending ? this.style.yellow(word) : this.style.red(`${word}: ${headline}`));
          for (const d of f.details) this.#line(event.host, this.style.red(d));
          if (f.hint) this.#line(event.host, this.style.dim(`hint: ${f.hint}`));
        }
        if (event.host) this.#flush(event.host);
        return;
    }
  };

  /** Print whatever grouped mode still holds (e.g. after an interrupt). */
  flushAll(): void {
    for (const host of [...this.#held.keys()]) this.#flush(host);
  }

  #line(host: string | undefined, text: string, tint?: (t: string) => string): void {
    const body = tint ? tint(text) : text;
    const line = host ? `${this.style.host(host)(`[${host}]`)} ${body}\n` : `${body}\n`;
    if (this.mode === 'grouped' && host) {
      let lines = this.#held.get(host);
      if (!lines) this.#held.set(host, (lines = []));
      lines.push(line);
      return;
    }
    this.out.write(line);
  }

  #flush(host: string): void {
    const lines = this.#held.get(host);
    if (!lines) return;
    this.#held.delete(host);
    this.out.write(lines.join(''));
  }
}
