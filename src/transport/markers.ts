// Finds hitc's sudo markers in a command's output. sudo's prompt has no newline, so it is
// matched in the raw text, before line splitting; the ready marker is a whole line.

export interface MarkerEvents {
  onPrompt(): void;
  onReady(): void;
}

export class MarkerFilter {
  #pending = '';
  constructor(
    private readonly prompt: string,
    private readonly ready: string,
    private readonly events: MarkerEvents,
    private readonly pass: (text: string) => void,
  ) {}

  push(text: string): void {
    this.#pending += text;
    for (;;) {
      const p = this.#pending.indexOf(this.prompt);
      const r = this.#pending.indexOf(this.ready);
      if (p < 0 && r < 0) break;
      if (p >= 0 && (r < 0 || p < r)) {
        this.#pass(this.#pending.slice(0, p));
        this.#pending = this.#pending.slice(p + this.prompt.length);
        this.events.onPrompt();
      } else {
        this.#pass(this.#pending.slice(0, r));
        let rest = this.#pending.slice(r + this.ready.length);
        if (rest.startsWith('\r')) rest = rest.slice(1);
        if (rest.startsWith('\n')) rest = rest.slice(1);
        this.#pending = rest;
        this.events.onReady();
      }
    }
    // keep a possible marker prefix at the end; pass everything before it
    const keep = Math.max(longestMarkerPrefix(this.#pending, this.prompt), longestMarkerPrefix(this.#pending, this.ready));
    this.#pass(this.#pending.slice(0, this.#pending.length - keep));
    this.#pending = this.#pending.slice(this.#pending.length - keep);
  }

  end(): void {
    this.#pass(this.#pending);
    this.#pending = '';
  }

  #pass(text: string): void {
    if (text !== '') this.pass(text);
  }
}

function longestMarkerPrefix(text: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, text.length); n > 0; n--) {
    if (marker.startsWith(text.slice(text.length - n))) return n;
  }
  return 0;
}
