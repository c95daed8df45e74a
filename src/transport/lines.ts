// Turns a byte stream into whole lines, so output from parallel hosts never mixes mid-line.
// Lines are split on bytes (a newline byte never occurs inside a UTF-8 character), then decoded.
//
// A line is capped at MAX_LINE_BYTES: a program that writes without newlines (a progress bar
// redrawn with \r, a binary file by mistake) would otherwise grow one string without bound.
// 64 KiB is far beyond any line a person reads, well within what a terminal, a log or --json
// handles, and small enough that a few per host in parallel cost nothing. The capped part is
// emitted when the line ends, marked with how many bytes were dropped.

import { withoutSecretStartAtEnd } from '../core/redact.ts';

export const MAX_LINE_BYTES = 64 * 1024;

export function truncationNote(dropped: number): string {
  return ` … [line truncated: ${dropped} more bytes]`;
}

export class LineSplitter {
  #parts: Buffer[] = [];
  #size = 0;
  #dropped = 0;
  constructor(private readonly emit: (line: string) => void, private readonly maxBytes = MAX_LINE_BYTES) {}

  push(chunk: Buffer | Uint8Array): void {
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (;;) {
      const nl = data.indexOf(0x0a);
      if (nl < 0) break;
      this.#keep(data.subarray(0, nl));
      this.#flush();
      data = data.subarray(nl + 1);
    }
    // keep a copy: the caller may reuse its buffer
    if (data.length > 0) this.#keep(Buffer.from(data));
  }

  /** Emit what is left (a last line without a newline). */
  end(): void {
    if (this.#size > 0 || this.#dropped > 0) this.#flush();
  }

  #keep(bytes: Buffer): void {
    const room = this.maxBytes - this.#size;
    if (bytes.length <= room) {
      if (bytes.length > 0) this.#parts.push(bytes);
      this.#size += bytes.length;
      return;
    }
    if (room > 0) {
      this.#parts.push(bytes.subarray(0, room));
      this.#size += room;
    }
    this.#dropped += bytes.length - Math.max(room, 0);
  }

  #flush(): void {
    let line = Buffer.concat(this.#parts, this.#size);
    let dropped = this.#dropped;
    this.#parts = [];
    this.#size = 0;
    this.#dropped = 0;
    if (dropped > 0) {
      // cut on a character boundary: drop the continuation bytes of a split character
      const end = completeUtf8Length(line);
      dropped += line.length - end;
      line = line.subarray(0, end);
      const kept = withoutSecretStartAtEnd(decode(line));
      dropped += end - Buffer.byteLength(kept);
      this.emit(`${kept}${truncationNote(dropped)}`);
      return;
    }
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
    this.emit(decode(line));
  }
}

/** Length of `bytes` without a multi-byte character cut off at its end. */
export function completeUtf8Length(bytes: Uint8Array): number {
  let lead = bytes.length - 1;
  while (lead >= 0 && bytes.length - lead <= 4 && ((bytes[lead] as number) & 0xc0) === 0x80) lead--;
  if (lead < 0) return bytes.length;
  const b = bytes[lead] as number;
  const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  return bytes.length - lead < need ? lead : bytes.length;
}

const decoder = new TextDecoder('utf-8');
function decode(bytes: Buffer): string {
  return decoder.decode(bytes);
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
