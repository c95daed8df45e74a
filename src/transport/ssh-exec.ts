// One command on one SSH connection: stdin, line-split output, timeout, cancellation, and the
// sudo password dance (answer sudo's marked prompt from a shared secret, never via argv).

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { remoteScript, secretStdin, type SudoMode } from '../core/command.ts';
import { LineSplitter, OutputBuffer } from './lines.ts';
import { MarkerFilter } from './markers.ts';
import type { ExecRequest, ExecResult, Stream } from './types.ts';

export interface ExecEnvironment {
  readonly client: Client;
  /** How long to wait for the server to open a channel. */
  readonly channelTimeoutMs: number;
  /** The sudo password, when the run has one; undefined means try `sudo -n`. */
  readonly sudoPassword?: string;
  /** Kills a remote process group (sshd ignores the SSH "signal" request); batched per host. */
  readonly killGroup?: (pid: number, sudo: boolean) => void;
}

export class SudoPasswordRejected extends Error {}

/** How long a kill waits for a just-started command to name its process group. */
const PID_WAIT_MS = 5000;

export async function execOnce(env: ExecEnvironment, req: ExecRequest): Promise<ExecResult & { sudoNeedsPassword: boolean }> {
  // nothing starts once the run (or this host) was interrupted, however long it waited for a
  // channel: an abort already sent is never heard again
  req.signal?.throwIfAborted();
  const nonce = randomBytes(6).toString('hex');
  const sudo: SudoMode | undefined = !req.sudo
    ? undefined
    : env.sudoPassword === undefined
      ? { user: req.sudo.user, mode: 'nopasswd' }
      : { user: req.sudo.user, mode: 'password', prompt: `[hitc-sudo-${nonce}]`, ready: `[hitc-ready-${nonce}]` };
  // The remote shell is a session leader (sshd calls setsid), so its PID names the process
  // group to kill on timeout or Ctrl-C; it is reported on stderr and filtered out below.
  const pidLine = `[hitc-pid-${nonce}]`;
  const script = `printf '%s%s\\n' ${pidLine} "$$" >&2; ${remoteScript(req.command, sudo)}`;
  let remotePid: number | undefined;
  const started = Date.now();
  // Listeners must be attached inside ssh2's exec callback: a fast command's output, exit status
  // and close can arrive in the same packet batch as the channel confirmation.
  return new Promise((resolve, reject) => openChannel(env, script, req.pty === true, reject, (channel) => {
    const out = { stdout: new OutputBuffer(), stderr: new OutputBuffer() };
    let sudoNeedsPassword = false;
    let timedOut = false;
    let exitCode: number | null = null;
    let exitSignal: string | undefined;
    let failure: Error | undefined;

    const emit = (stream: Stream, line: string): void => {
      if (remotePid === undefined && line.startsWith(pidLine)) {
        remotePid = Number(line.slice(pidLine.length));
        if (killWanted) killNow();
        return;
      }
      if (stream === 'err' && sudo?.mode === 'nopasswd' && /^sudo: (a password is required|a terminal is required)/.test(line)) {
        sudoNeedsPassword = true;
        return; // the runner retries with the password; this line would only confuse
      }
      (stream === 'out' ? out.stdout : out.stderr).add(line);
      req.onLine?.(stream, line);
    };
    const splitters = { out: new LineSplitter((l) => emit('out', l)), err: new LineSplitter((l) => emit('err', l)) };

    let stdinSent = false;
    const sendStdin = (): void => {
      if (stdinSent) return;
      stdinSent = true;
      const prefix = secretStdin(req.command);
      if (prefix !== '') channel.write(prefix);
      if (req.stdin === 'inherit' || req.stdin instanceof Readable) {
        const from = req.stdin === 'inherit' ? process.stdin : req.stdin;
        from.pipe(channel);
        channel.once('close', () => from.unpipe(channel));
      } else {
        if (req.stdin !== undefined) channel.write(req.stdin);
        channel.end();
      }
    };

    let prompts = 0;
    const makeSink = (stream: Stream) => {
      const decoder = new TextDecoder('utf-8');
      const splitter = splitters[stream];
      if (sudo?.mode !== 'password') return { push: (b: Buffer) => splitter.push(b), end: () => splitter.end() };
      const filter = new MarkerFilter(sudo.prompt, sudo.ready, {
        onPrompt: () => {
          prompts++;
          if (prompts > 1) {
            failure = new SudoPasswordRejected('sudo rejected the password');
            channel.close();
            return;
          }
          channel.write(`${env.sudoPassword}\n`);
        },
        onReady: sendStdin,
      }, (text) => splitter.push(Buffer.from(text)));
      return {
        push: (b: Buffer) => filter.push(decoder.decode(b, { stream: true })),
        end: () => { filter.push(decoder.decode()); filter.end(); splitter.end(); },
      };
    };
    const sinks = { out: makeSink('out'), err: makeSink('err') };
    if (req.stdout) {
      const raw = req.stdout;
      channel.pipe(raw, { end: false });
      channel.once('close', () => channel.unpipe(raw));
    } else channel.on('data', (b: Buffer) => sinks.out.push(b));
    channel.stderr.on('data', (b: Buffer) => sinks.err.push(b));

    if (sudo?.mode !== 'password') sendStdin();

    // The command's process group is known from its first line; a kill asked for before that
    // waits for it (briefly), since closing the channel alone leaves the command running.
    let killWanted = false;
    const killNow = (): void => {
      if (remotePid !== undefined && remotePid > 1) env.killGroup?.(remotePid, sudo !== undefined);
      channel.close();
    };
    const kill = (why: 'timeout' | 'abort'): void => {
      if (why === 'timeout') timedOut = true;
      if (killWanted) return;
      killWanted = true;
      if (remotePid !== undefined) return killNow();
      setTimeout(() => channel.close(), PID_WAIT_MS).unref();
    };
    const timer = req.timeoutMs ? setTimeout(() => kill('timeout'), req.timeoutMs) : undefined;
    const onAbort = (): void => kill('abort');
    req.signal?.addEventListener('abort', onAbort, { once: true });
    // aborted while the channel was opening: the command has started, so stop it now
    if (req.signal?.aborted) onAbort();

    channel.on('exit', (code: number | null, signalName?: string) => {
      exitCode = code;
      if (signalName) exitSignal = `SIG${signalName}`;
    });
    channel.on('close', () => {
      if (timer) clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      sinks.out.end();
      sinks.err.end();
      if (failure) return reject(failure);
      if (req.signal?.aborted) return reject(req.signal.reason ?? new Error('aborted'));
      resolve({
        exitCode: timedOut ? null : exitCode,
        ...(exitSignal ? { signal: exitSignal } : {}),
        timedOut,
        stdout: out.stdout.text(),
        stderr: out.stderr.text(),
        durationMs: Date.now() - started,
        sudoNeedsPassword,
      });
    });
  }));
}

function openChannel(
  env: ExecEnvironment,
  script: string,
  pty: boolean,
  reject: (error: Error) => void,
  setup: (channel: ClientChannel) => void,
): void {
  {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new Error(`the server did not open a channel within ${Math.round(env.channelTimeoutMs / 1000)}s`));
    }, env.channelTimeoutMs);
    const options = pty ? { pty: { term: process.env.TERM ?? 'xterm-256color', cols: process.stdout.columns ?? 80, rows: process.stdout.rows ?? 24 } } : {};
    env.client.exec(script, options, (err, channel) => {
      clearTimeout(timer);
      if (late) channel?.close();
      else if (err) reject(err);
      else setup(channel);
    });
  }
}
