// What the runner tells the UI, as a discriminated union. Text, grouped and JSON reporters
// all consume the same events, so they cannot disagree about what happened.

export type HostStatus = 'ok' | 'failed' | 'unreachable' | 'skipped';

export type RunEvent =
  | { type: 'task-start'; task: string; hosts: readonly string[] }
  | { type: 'host-start'; task: string; host: string | undefined }
  | { type: 'command'; host: string | undefined; kind: 'run' | 'sudo' | 'local' | 'put' | 'get'; display: string }
  | { type: 'output'; host: string | undefined; stream: 'out' | 'err'; line: string }
  | { type: 'message'; host: string | undefined; level: 'info' | 'warn'; text: string; tone?: Tone }
  | { type: 'host-end'; task: string; host: string | undefined; status: HostStatus; durationMs: number; error?: unknown; value?: unknown }
  // long work made of named steps (an ensemble's apply): a live list on a terminal, lines elsewhere
  | { type: 'progress-start'; group: string; host: string | undefined; items: readonly ProgressItem[] }
  | { type: 'progress'; group: string; host: string | undefined; id: string; state: ProgressState; detail?: string }
  | { type: 'progress-end'; group: string; host: string | undefined };

/** How an info line wants to stand out (the UI picks the colour: attention yellow, danger red). */
export type Tone = 'attention' | 'danger';

export interface ProgressItem {
  readonly id: string;
  readonly title: string;
}

export type ProgressState = 'running' | 'note' | 'done' | 'failed' | 'skipped';

export type EventSink = (event: RunEvent) => void;
