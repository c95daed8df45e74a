// DigitalOcean provider: the public surface (the registry loads this file lazily by name).

export { createDigitalOceanProvider, DIGITALOCEAN_CREATE_DEFAULTS, type DigitalOceanProviderOptions } from './provider.ts';
export { DigitalOceanApi, DigitalOceanApiError, type ApiClientOptions } from './api-client.ts';
export { API_URL_VAR, DEFAULT_API_URL, POLL_INTERVAL_VAR, SSH_KEY_FILE_VAR, SSH_KEY_NAME_VAR, TOKEN_VARS } from './config.ts';
export { PRICING_COLUMNS } from './pricing.ts';
export { HITC_TAG } from './wait-for-droplets.ts';
