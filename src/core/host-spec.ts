// `[user@]host[:port]` as typed after -H, in a task's hosts list, or in ProxyJump.
// IPv6 addresses need brackets when a port is given: `[::1]:2222`.

import { UsageError } from './errors.ts';

export interface HostSpec {
  /** The host as the user wrote it, minus user and port: an alias, a name or an address. */
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
  /** Name to look up and record the host key under (OpenSSH's HostKeyAlias), e.g. for a
   *  container whose address is reused by later containers. */
  readonly hostKeyAlias?: string;
  /** A key to offer first (a provider's key for its servers). */
  readonly identityFile?: string;
}

export function parseHostSpec(text: string, where = text): HostSpec {
  const trimmed = text.trim();
  const at = trimmed.lastIndexOf('@');
  const user = at > 0 ? trimmed.slice(0, at) : undefined;
  let rest = at >= 0 ? trimmed.slice(at + 1) : trimmed;
  let port: number | undefined;
  let host: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw badHost(where, 'unclosed [ in an IPv6 address');
    host = rest.slice(1, close);
    rest = rest.slice(close + 1);
    if (rest.startsWith(':')) port = parsePort(rest.slice(1), where);
    else if (rest !== '') throw badHost(where, `unexpected "${rest}" after ]`);
  } else {
    const colons = rest.split(':').length - 1;
    if (colons === 1) {
      const i = rest.indexOf(':');
      host = rest.slice(0, i);
      port = parsePort(rest.slice(i + 1), where);
    } else {
      // no colon, or a bare IPv6 address (no port possible without brackets)
      host = rest;
    }
  }
  if (host === '') throw badHost(where, 'empty host name');
  if (/\s/.test(host)) throw badHost(where, 'host names cannot contain spaces');
  return { host, ...(user ? { user } : {}), ...(port !== undefined ? { port } : {}) };
}

export function formatHostSpec(spec: HostSpec): string {
  const host = spec.host.includes(':') ? `[${spec.host}]` : spec.host;
  return `${spec.user ? `${spec.user}@` : ''}${host}${spec.port && spec.port !== 22 ? `:${spec.port}` : ''}`;
}

function parsePort(text: string, where: string): number {
  if (!/^\d+$/.test(text)) throw badHost(where, `port "${text}" is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw badHost(where, `port ${port} is out of range 1-65535`);
  return port;
}

function badHost(where: string, why: string): UsageError {
  return new UsageError(`invalid host "${where}": ${why}`, {
    argument: where,
    hint: 'hosts are written [user@]host[:port], e.g. deploy@10.0.0.5:2222',
  });
}

