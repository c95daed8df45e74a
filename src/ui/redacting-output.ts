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
  stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => write(redactChunk(chunk, rest[0]), ...rest)) as Write;
}

function redactChunk(chunk: unknown, encoding: unknown): unknown {
  if (secretCount() === 0) return chunk;
  // text in another encoding (base64, hex) is not text we could recognise a secret in
  const textual = encoding === undefined || typeof encoding === 'function' || encoding === 'utf8' || encoding === 'utf-8' || encoding === 'buffer';
  if (!textual) return chunk;
  if (typeof chunk === 'string') return redact(chunk);
  // bytes (rare: a task writing a Buffer) are decoded and re-encoded only when they change
  if (chunk instanceof Uint8Array) {
    const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
    const clean = redact(text);
    return clean === text ? chunk : Buffer.from(clean, 'utf8');
  }
  return chunk;
}
