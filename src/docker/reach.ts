// docker.ssh and docker.tunnel: reaching a container through its host. The host is the jump
// (its connection is reused); the container's key is verified under a per-container alias,
// because container addresses are reused by later containers.

import { createServer, type Server, type Socket } from 'node:net';
import { TaskError } from '../core/errors.ts';
import type { TaskContext } from '../taskfile/context-types.ts';
import type { DockerHost } from './docker-host.ts';
import type { ContainerInfo } from './inspect.ts';

async function runningContainer(host: DockerHost, name: string): Promise<ContainerInfo & { ip: string }> {
  const info = await host.container(name);
  if (!info.running || !info.ip) {
    throw new TaskError(`container "${info.name}" on ${host.name} is not running`, { host: host.name });
  }
  return info as ContainerInfo & { ip: string };
}

export async function sshIntoContainer(
  host: DockerHost,
  name: string,
  options: { cmd?: string; user: string; password?: string },
): Promise<void> {
  const info = await runningContainer(host, name);
  const inner = await host.c.through({
    host: info.ip,
    port: 22,
    user: options.user,
    ...(options.password !== undefined ? { password: options.password } : {}),
    hostKeyAlias: `hitc-container-${info.id.slice(0, 12)}`,
  });
  const interactive = process.stdin.isTTY === true;
  const command = options.cmd ?? 'exec "${SHELL:-/bin/sh}" -l';
  await inner.run(command, interactive ? { pty: true, stdin: 'inherit' } : { stdin: 'inherit' });
}

/** Forward localhost:localPort to the container's remotePort until the task is stopped. */
export async function tunnelToContainer(host: DockerHost, name: string, localPort: number, remotePort: number): Promise<void> {
  const info = await runningContainer(host, name);
  const c: TaskContext = host.c;
  const server: Server = createServer((socket: Socket) => {
    c.forward(info.ip, remotePort).then(
      (stream) => {
        socket.pipe(stream).pipe(socket);
        const close = (): void => {
          socket.destroy();
          stream.destroy();
        };
        socket.on('error', close);
        stream.on('error', close);
        socket.on('close', close);
        stream.on('close', close);
      },
      (error: Error) => {
        c.warn(`tunnel connection to ${info.name}:${remotePort} failed: ${error.message}`);
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new TaskError(`cannot listen on localhost:${localPort}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}`, { hint: 'pick another local port' })),
    );
    server.listen(localPort, '127.0.0.1', () => resolve());
  });
  c.log(`forwarding localhost:${localPort} to ${info.name} (${info.ip}):${remotePort} through ${host.name}; Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      server.close();
      resolve();
    };
    if (c.signal.aborted) stop();
    c.signal.addEventListener('abort', stop, { once: true });
  });
}
