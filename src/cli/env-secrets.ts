// Credentials hitc may find in its environment. They are registered for redaction at start and
// again once the hitcfile has loaded (it may set them), whether or not a provider or sudo is
// ever used: a task that prints one by accident must still show the mask.

import { registerSecret } from '../core/redact.ts';
import { TOKEN_VARS } from '../providers/digitalocean/config.ts';

export const SECRET_ENV_VARS: readonly string[] = ['HITC_SUDO_PASSWORD', ...TOKEN_VARS, 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

export function registerEnvSecrets(env: Readonly<Record<string, string | undefined>> = process.env): void {
  for (const name of SECRET_ENV_VARS) registerSecret(env[name]);
}
