// Commands on this machine (the task context's `local`), with the same line handling,
// timeouts and results as remote ones.

import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { remoteScript, secretStdin } from '../core/command.ts';
import { LineSplitter, OutputBuffer } from './lines.ts';
import { modeFromLocal, openLocalSource, writeLocalAtomically } from './atomic-local.ts';
import type { ExecRequest, ExecResult, FileTransfer, Transport } from './types.ts';

export class LocalTransport implements Transport {
  readonly label = 'localhost';

  exec(request: ExecRequest): Promise<ExecResult> {
    if (request.signal?.aborted) return Promise.reject(request.signal.reason);
    const started = Date.now();
    const script = remoteScript(request.command, request.sudo ? { user: request.sudo.user, mode: 'nopasswd' } : undefined);
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', script], {
        stdio: [request.stdin === 'inherit' && request.command.secrets.length === 0 ? 'inherit' : 'pipe', 'pipe', 'pipe'],
        detached: true, // own process group, so a timeout can kill the whole tree
      });
      const out = new OutputBuffer();
      const err = new OutputBuffer();
      const so = new LineSplitter((l) => { out.add(l); request.onLine?.('out', l); });
      const se = new LineSplitter((l) => { err.add(l); request.onLine?.('err', l); });
      if (request.stdout) child.stdout?.pipe(request.stdout, { end: false });
      else child.stdout?.on('data', (b: Buffer) => so.push(b));
      child.stderr?.on('data', (b: Buffer) => se.push(b));
      if (child.stdin) {
        child.stdin.on('error', () => undefined); // the command may exit without reading stdin
        child.stdin.write(secretStdin(request.command));
        if (request.stdin === 'inherit') process.stdin.pipe(child.stdin);
        else if (request.stdin instanceof Readable) request.stdin.pipe(child.stdin);
        else child.stdin.end(request.stdin ?? '');
      }
      let timedOut = false;
      const killTree = (): void => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      const timer = request.timeoutMs ? setTimeout(() => { timedOut = true; killTree(); }, request.timeoutMs) : undefined;
      request.signal?.addEventListener('abort', killTree, { once: true });
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        request.signal?.removeEventListener('abort', killTree);
        if (request.stdin === 'inherit' && child.stdin) process.stdin.unpipe(child.stdin);
        if (request.stdin instanceof Readable && child.stdin) request.stdin.unpipe(child.stdin);
        if (request.stdout && child.stdout) child.stdout.unpipe(request.stdout);
        so.end();
        se.end();
        if (request.signal?.aborted) return reject(request.signal.reason ?? new Error('aborted'));
        resolve({
          exitCode: timedOut ? null : code,
          ...(signal && !timedOut ? { signal } : {}),
          timedOut,
          stdout: out.text(),
          stderr: err.text(),
          durationMs: Date.now() - started,
        });
      });
    });
  }

  // copies are atomic like SSH transfers: the source is opened first, the destination replaced
  // by a rename once the whole content is written
  async put(localPath: string, remotePath: string, options: FileTransfer = {}): Promise<void> {
    await copyAtomically(localPath, remotePath, options.mode);
  }

  async get(remotePath: string, localPath: string, options: FileTransfer = {}): Promise<void> {
    await copyAtomically(remotePath, localPath, options.mode);
  }
}

async function copyAtomically(from: string, to: string, mode?: number): Promise<void> {
  const source = await openLocalSource(from);
  try {
    await writeLocalAtomically(to, async (file) => {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      for (let position = 0; ; ) {
        const { bytesRead } = await source.handle.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) return;
        await file.write(buffer, 0, bytesRead);
        position += bytesRead;
      }
    }, mode, modeFromLocal(source.mode));
  } finally {
    await source.handle.close();
  }
}
