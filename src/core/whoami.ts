// Who runs hitc, as locks and audit lines name them: user@host.

import { hostname, userInfo } from 'node:os';

/** The local user@host hitc runs as (a uid without a passwd entry falls back to $USER). */
export function localUserAtHost(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}
