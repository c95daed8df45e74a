// Turns a byte stream into whole lines, so output from parallel hosts never mixes mid-line.
// Multi-byte characters split across chunks are decoded correctly (TextDecoder stream mode).

export class LineSplitter {
  #decoder = new TextDecoder('utf-8');
  #partial = '';
  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: Buffer | Uint8Array): void {
    const text = this.#partial + this.#decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    this.#partial = parts.pop() as string;
    for (const part of parts) this.emit(part.endsWith('\r') ? part.slice(0, -1) : part);
  }

  /** Emit what is left (a last line without a newline). */
  end(): void {
    const rest = this.#partial + this.#decoder.decode();
    this.#partial = '';
    if (rest !== '') this.emit(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  }
}

/** Collects text up to a limit, keeping the tail (for error messages) and the whole (for results). */
export class OutputBuffer {
  #chunks: string[] = [];
  #size = 0;
  constructor(private readonly limit = 64 * 1024 * 1024) {}
  add(line: string): void {
    if (this.#size > this.limit) return;
    this.#chunks.push(line);
    this.#size += line.length + 1;
  }
  text(): string {
    return this.#chunks.length === 0 ? '' : `${this.#chunks.join('\n')}\n`;
  }
}
