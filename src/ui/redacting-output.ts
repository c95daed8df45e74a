// The last line of defence: every write to hitc's stdout and stderr passes through redact(), so
// no output path (a reporter, the --json document, a fatal error, a task's own console.log) can
// forget it. hitc writes whole lines (or whole documents) per call, so a secret is never split
// across two writes; the reporters also redact events before a live list cuts them to width.

import { redact, secretCount } from '../core/redact.ts';

const GUARDED = Symbol.for('hitc.redacting-output');

type Write = NodeJS.WriteStream['write'];

export function guardOutput(stream: NodeJS.WriteStream): void {
  const marked = stream as NodeJS.WriteStream & { [GUARDED]?: true };
  if (marked[GUARDED]) return;
  marked[GUARDED] = true;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    const [clean, encodingChanged] = redactChunk(chunk, rest[0]);
    // a string that was decoded from another encoding is passed on as the bytes it stands for
    if (encodingChanged) return write(clean, ...rest.filter((r) => typeof r === 'function'));
    return write(clean, ...rest);
  }) as Write;
}

/** The chunk with every secret masked, and whether it became bytes (a string in another
 *  encoding: base64 or hex text is decoded to what the terminal really receives). */
function redactChunk(chunk: unknown, encoding: unknown): [unknown, boolean] {
  if (secretCount() === 0) return [chunk, false];
  if (typeof chunk === 'string') {
    const utf8 = encoding === undefined || typeof encoding === 'function' || encoding === 'utf8' || encoding === 'utf-8' || encoding === 'buffer';
    if (utf8) return [redact(chunk), false];
    const bytes = Buffer.from(chunk, encoding as BufferEncoding);
    const text = bytes.toString('utf8');
    const clean = redact(text);
    return clean === text ? [chunk, false] : [Buffer.from(clean, 'utf8'), true];
  }
  // bytes (rare: a task writing a Buffer) are decoded and re-encoded only when they change
  if (chunk instanceof Uint8Array) {
    const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
    const clean = redact(text);
    return [clean === text ? chunk : Buffer.from(clean, 'utf8'), false];
  }
  return [chunk, false];
}
