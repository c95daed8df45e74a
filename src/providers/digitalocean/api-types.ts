// The parts of DigitalOcean API v2 JSON that hitc reads. Only the fields used are declared:
// the API sends many more, and declaring them would only invite depending on them.

export interface DoNetworkV4 {
  readonly ip_address: string;
  readonly type: 'public' | 'private' | string;
}

export interface DoDroplet {
  readonly id: number;
  readonly name: string;
  /** new | active | off | archive */
  readonly status: string;
  readonly created_at: string;
  readonly size_slug: string;
  readonly networks: { readonly v4?: readonly DoNetworkV4[] };
  readonly region: { readonly slug: string; readonly name: string };
  readonly image: { readonly slug: string | null; readonly name: string; readonly distribution?: string; readonly id: number };
  readonly tags?: readonly string[];
}

export interface DoSize {
  readonly slug: string;
  /** Megabytes. */
  readonly memory: number;
  readonly vcpus: number;
  /** Gigabytes. */
  readonly disk: number;
  /** Terabytes per month. */
  readonly transfer: number;
  readonly price_monthly: number;
  readonly price_hourly: number;
  readonly regions: readonly string[];
  readonly available: boolean;
  readonly description?: string;
}

export interface DoRegion {
  readonly slug: string;
  /** "New York 1" */
  readonly name: string;
  readonly available: boolean;
  readonly sizes?: readonly string[];
}

export interface DoImage {
  readonly id: number;
  /** "24.04 (LTS) x64"; the distribution name is `${distribution} ${name}`. */
  readonly name: string;
  readonly distribution: string;
  readonly slug: string | null;
  readonly regions: readonly string[];
  readonly status?: string;
}

export interface DoSshKey {
  readonly id: number;
  readonly name: string;
  readonly fingerprint: string;
}

/** Every error body: `{"id": "not_found", "message": "…", "request_id": "…"}`. */
export interface DoErrorBody {
  readonly id?: string;
  readonly message?: string;
  readonly request_id?: string;
}

/** List responses: `{ <key>: [...], links: { pages: { next?, last?, … } }, meta: { total } }`. */
export interface DoPage {
  readonly links?: { readonly pages?: { readonly next?: string } };
  readonly meta?: { readonly total?: number };
}
