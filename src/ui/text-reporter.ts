// Human output: `[host] out: line`, one whole line per write so hosts never interleave
// mid-line. Grouped mode holds each host's lines until the host finishes. Progress steps are
// lines here (→ started, ✓ done, ✗ failed, - skipped); a live list replaces them on a terminal,
// and holds other output back while it draws.

import type { RunEvent } from '../core/events.ts';
import { formatError } from './format-error.ts';
import type { Style } from './style.ts';

export interface LineWriter {
  write(text: string): unknown;
}

export class TextReporter {
  readonly #held = new Map<string, string[]>();
  readonly #titles = new Map<string, Map<string, string>>();
  #holding: string[] | undefined;

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
      case 'message': {
        const tinted = event.tone === 'danger' ? this.style.red(event.text) : event.tone === 'attention' ? this.style.yellow(event.text) : event.text;
        this.#line(event.host, event.level === 'warn' ? this.style.yellow(`Warning: ${event.text}`) : tinted);
        return;
      }
      case 'progress-start':
        this.#titles.set(event.group, new Map(event.items.map((i) => [i.id, i.title])));
        return;
      case 'progress-end':
        this.#titles.delete(event.group);
        return;
      case 'progress': {
        const title = this.#titles.get(event.group)?.get(event.id) ?? event.id;
        const text = event.detail ? `${title}: ${event.detail}` : title;
        const marks = { running: `→ ${text}`, note: `  ${text}`, done: this.style.green(`✓ ${text}`), failed: this.style.red(`✗ ${text}`), skipped: this.style.dim(`- ${title}: skipped${event.detail ? ` (${event.detail})` : ''}`) };
        this.#line(event.host, marks[event.state]);
        return;
      }
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
    this.release();
    for (const host of [...this.#held.keys()]) this.#flush(host);
  }

  /** Keep every line back (a live progress list is drawing) until release(). */
  hold(): void {
    this.#holding ??= [];
  }

  release(): void {
    const lines = this.#holding;
    this.#holding = undefined;
    if (lines && lines.length > 0) this.out.write(lines.join(''));
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
    if (this.#holding) this.#holding.push(line);
    else this.out.write(line);
  }

  #flush(host: string): void {
    const lines = this.#held.get(host);
    if (!lines) return;
    this.#held.delete(host);
    this.out.write(lines.join(''));
  }
}
