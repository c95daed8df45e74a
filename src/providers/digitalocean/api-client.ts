// A small client for DigitalOcean API v2: JSON over HTTPS with a Bearer token, on Node's own
// fetch (no SDK to install or keep current). Every failure becomes one ProviderError that says
// which call failed and why, and the token never appears in any message.

import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from '../types.ts';
import type { DoErrorBody, DoPage } from './api-types.ts';
import { TOKEN_VARS } from './config.ts';

export const PROVIDER = 'digitalocean';

/** An API answer other than 2xx; keeps the status and the API's error id for callers that care (404 on delete). */
export class DigitalOceanApiError extends ProviderError {
  readonly status: number;
  readonly apiId: string | undefined;
  constructor(message: string, status: number, apiId: string | undefined, options?: { hint?: string }) {
    super(PROVIDER, message, options);
    this.status = status;
    this.apiId = apiId;
  }
}

export interface ApiClientOptions {
  /** e.g. https://api.digitalocean.com (no trailing slash; paths start with /v2/). */
  readonly baseUrl: string;
  readonly token: string;
  /** Per request, body included: a hung connection must not hang hitc (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Longest wait before the single retry of a rate-limited (429) request (default 60 s). */
  readonly maxRetryDelayMs?: number;
}

/** The API's largest page: the fewer pages, the fewer calls against the rate limit. */
const PER_PAGE = 200;
/** A pagination loop that never ends is a server bug; stop rather than spin. */
const MAX_PAGES = 1000;

interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export class DigitalOceanApi {
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #maxRetryDelayMs: number;

  constructor(options: ApiClientOptions) {
    this.#baseUrl = options.baseUrl;
    this.#token = options.token;
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
  }

  /** One call; the parsed JSON body, or undefined for 204 No Content. */
  async request<T>(method: string, path: string, options: { body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
    let response = await this.#send(method, path, options.body, options.signal);
    if (response.status === 429) {
      // a 429 means the request was refused, not half-done, so even a POST is safe to repeat
      await sleep(this.#retryDelay(response.headers), undefined, options.signal ? { signal: options.signal } : undefined);
      response = await this.#send(method, path, options.body, options.signal);
    }
    if (response.status < 200 || response.status > 299) throw this.#httpError(method, path, response);
    if (response.status === 204 || response.text.trim() === '') return undefined as T;
    try {
      return JSON.parse(response.text) as T;
    } catch (error) {
      throw this.#error(`${method} ${path}: the response is not JSON (HTTP ${response.status})`, { cause: error });
    }
  }

  /** Every item of a paginated list, following links.pages.next until there is none. */
  async listAll<T>(path: string, key: string, signal?: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let next: string | undefined = withQuery(path, { per_page: String(PER_PAGE) });
    while (next !== undefined) {
      if (seen.has(next) || seen.size >= MAX_PAGES) throw this.#error(`GET ${path}: the API's pagination does not end (at ${next})`);
      seen.add(next);
      const page: (DoPage & Record<string, unknown>) | undefined = await this.request('GET', next, signal ? { signal } : {});
      const list = page?.[key];
      if (!Array.isArray(list)) throw this.#error(`GET ${next}: the response has no "${key}" list`);
      items.push(...(list as T[]));
      next = this.#pathOf(page?.links?.pages?.next);
    }
    return items;
  }

  /**
   * The API's next-page links are absolute URLs. Only their path and query are used, against
   * our own base URL: the token then goes nowhere else, and a proxy or test server keeps working.
   */
  #pathOf(link: string | undefined): string | undefined {
    if (!link) return undefined;
    if (link.startsWith(this.#baseUrl + '/')) return link.slice(this.#baseUrl.length);
    try {
      const url = new URL(link, this.#baseUrl);
      return url.pathname + url.search;
    } catch {
      return undefined;
    }
  }

  async #send(method: string, path: string, body: unknown, signal: AbortSignal | undefined): Promise<RawResponse> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await fetch(this.#baseUrl + path, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: both,
      });
      // read the body under the same timeout: a server can stall after the headers too
      const text = await response.text();
      return { status: response.status, headers: response.headers, text };
    } catch (error) {
      // the run is being interrupted: that is not an API failure, let the caller's reason through
      if (signal?.aborted) throw signal.reason ?? error;
      if (timeout.aborted) {
        throw this.#error(`${method} ${path} timed out after ${formatSeconds(this.#timeoutMs)}`, {
          hint: `check the network path to ${this.#baseUrl}`,
          cause: error,
        });
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw this.#error(`${method} ${path}: cannot reach ${this.#baseUrl} (${why})`, {
        hint: 'check the network (HITC_DIGITALOCEAN_API_URL overrides the API address)',
        cause: error,
      });
    }
  }

  /** Retry-After (seconds or a date), else RateLimit-Reset (epoch seconds), bounded. */
  #retryDelay(headers: Headers): number {
    let ms = 1000;
    const retryAfter = headers.get('retry-after');
    const reset = headers.get('ratelimit-reset');
    if (retryAfter !== null && retryAfter.trim() !== '') {
      const seconds = Number(retryAfter);
      ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
    } else if (reset !== null && Number.isFinite(Number(reset))) {
      ms = Number(reset) * 1000 - Date.now();
    }
    if (!Number.isFinite(ms)) ms = 1000;
    return Math.min(Math.max(ms, 0), this.#maxRetryDelayMs);
  }

  #httpError(method: string, path: string, response: RawResponse): DigitalOceanApiError {
    let body: DoErrorBody = {};
    try {
      body = JSON.parse(response.text) as DoErrorBody;
    } catch {
      // a proxy's HTML error page: show its start instead
    }
    const message = body.message ?? (response.text.trim().slice(0, 200) || 'no error message');
    const detail = [`HTTP ${response.status}`, body.id, body.request_id ? `request ${body.request_id}` : undefined].filter(Boolean).join(', ');
    const hint = HINTS[response.status] ?? (response.status >= 500 ? 'a DigitalOcean-side failure: try again in a moment' : undefined);
    return new DigitalOceanApiError(this.#redact(`${method} ${path}: ${message} (${detail})`), response.status, body.id, hint ? { hint } : undefined);
  }

  #error(message: string, options: { hint?: string; cause?: unknown } = {}): ProviderError {
    return new ProviderError(PROVIDER, this.#redact(message), {
      ...(options.hint ? { hint: this.#redact(options.hint) } : {}),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
  }

  /** Belt and braces: nothing hitc writes should echo the token, even if a server did. */
  #redact(text: string): string {
    return this.#token.length >= 4 ? text.split(this.#token).join('[token]') : text;
  }
}

const HINTS: Record<number, string> = {
  401: `check ${TOKEN_VARS[0]} (or ${TOKEN_VARS[1]}): the token is wrong, expired or revoked`,
  403: 'the token lacks the scope this needs: create it with read and write access',
  429: "DigitalOcean's rate limit was hit twice in a row: wait a minute and try again",
};

function withQuery(path: string, params: Record<string, string>): string {
  const [base, query] = path.split('?', 2) as [string, string | undefined];
  const search = new URLSearchParams(query);
  for (const [key, value] of Object.entries(params)) if (!search.has(key)) search.set(key, value);
  return `${base}?${search.toString()}`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
