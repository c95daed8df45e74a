// What a swap is made of, as the docker layer runs it: how a new copy counts as healthy and in
// what order the copies change places. The manifest parser (ensemble/manifest/healthcheck.ts)
// and the planner produce these; the swap script consumes them.

/** How often, how long and how many times a probe is tried before the copy counts as unhealthy. */
export interface HealthTiming {
  readonly interval: number;
  readonly timeout: number;
  readonly retries: number;
}

export type HealthProbe =
  /** GET http://CONTAINER_IP:port/path from the host; `status` absent: any 2xx or 3xx. */
  | { readonly kind: 'http'; readonly path: string; readonly port: number; readonly status?: number }
  /** A TCP connection to CONTAINER_IP:port from the host. */
  | { readonly kind: 'tcp'; readonly port: number }
  /** `docker exec` of these words (no shell) inside the container; exit 0 = healthy. */
  | { readonly kind: 'cmd'; readonly command: readonly string[] };

export type HealthCheck = HealthProbe & HealthTiming;

export const HEALTH_DEFAULTS: HealthTiming = { interval: 1, timeout: 3, retries: 30 };
export const DEFAULT_STOP_TIMEOUT = 10;

/** start-first: the new copy runs and is healthy before the old one stops (with published
 *  ports, first as a stand-in, NAME-hitc-next, that takes the traffic through DNAT while the
 *  final copy starts; without, the old one steps aside by name, still running). stop-first (the
 *  container mounts volumes: two copies must never share its data): the old one stops first and
 *  is started again if the new one is not healthy. Either way the old one is kept, stopped, as
 *  NAME-hitc-prev-EPOCH. */
export interface Swap {
  readonly order: 'start-first' | 'stop-first';
  /** The new copy runs first as NAME-hitc-next on loopback ports (start-first with ports). */
  readonly standIn: boolean;
  /** Absent: the image's own HEALTHCHECK, else still running (not restarted) 2 s later. */
  readonly health?: HealthCheck;
  /** Seconds `docker stop` gives the old copy to finish its requests. */
  readonly stopTimeout: number;
}
