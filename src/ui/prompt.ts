// Asks for a secret on the controlling terminal without echo. Questions are serialized, so
// parallel hosts never draw two prompts at once.

import { openSync, closeSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import { registerSecret } from '../core/redact.ts';

let queue: Promise<unknown> = Promise.resolve();

/** undefined when there is no terminal to ask on (CI, pipes). */
export function terminalAsker(): ((question: string) => Promise<string>) | undefined {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return undefined;
  }
  closeSync(fd);
  return (question) => {
    const next = queue.then(() => askNoEcho(question));
    queue = next.catch(() => undefined);
    return next;
  };
}

function askNoEcho(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const fd = openSync('/dev/tty', 'r+');
    const input = new ReadStream(fd);
    const output = new WriteStream(fd);
    // no echo before the question shows: an answer typed (or sent) early must not be echoed
    input.setRawMode(true);
    output.write(question);
    let answer = '';
    const done = (error?: Error): void => {
      input.setRawMode(false);
      input.removeAllListeners('data');
      input.destroy();
      output.write('\n');
      if (error) reject(error);
      else resolve(registerSecret(answer)); // a sudo password or key passphrase: masked from now on
    };
    input.on('data', (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('interrupted at the password prompt'));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    });
  });
}

/** Yes/no on the terminal: empty means yes; undefined when there is no terminal. */
export async function confirmOnTerminal(question: string): Promise<boolean | undefined> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return undefined;
  }
  const input = new ReadStream(fd);
  const output = new WriteStream(fd);
  try {
    for (;;) {
      output.write(`${question} [Y/n] `);
      const line = await new Promise<string>((resolve) => input.once('data', (b: Buffer) => resolve(b.toString('utf8').trim().toLowerCase())));
      if (line === '' || line === 'y' || line === 'yes') return true;
      if (line === 'n' || line === 'no') return false;
      output.write("I didn't understand you. Please specify '(y)es' or '(n)o'.\n");
    }
  } finally {
    input.destroy();
  }
}
