// Kills remote process groups for one connection. Every kill asked for in the same turn of the
// event loop (Ctrl-C aborts all of a host's commands at once) goes out as one command on one
// channel, and only one such channel is open at a time: a kill channel per command would
// exceed sshd's MaxSessions (10 by default) next to the commands it is meant to stop.

export interface KillBatch {
  /** Process group ids (the remote shells are session leaders). */
  readonly pids: readonly number[];
  /** Some of them run root commands: the kill itself needs sudo. */
  readonly sudo: boolean;
}

/**
 * The shell text that kills each command's whole tree. The group alone is not enough: sudo
 * with use_pty (the default in current sudo) runs the command in a session of its own, which
 * outlives a killed sudo. So the tree is found from the shells down (ps), stopped so that it
 * cannot fork any more, and then killed together with the groups.
 */
export function killScript(pids: readonly number[]): string {
  for (const pid of pids) {
    if (!Number.isSafeInteger(pid) || pid <= 1) throw new RangeError(`not a process id to kill: ${pid}`);
  }
  const roots = pids.join(' ');
  return [
    `t='${roots}'; n="$t"; kill -STOP $t 2>/dev/null`,
    `while [ -n "$n" ]; do n=$(ps -A -o pid= -o ppid= 2>/dev/null | awk -v s=" $n " 'index(s, " " $2 " ") { printf "%s ", $1 }'); [ -z "$n" ] || { kill -STOP $n 2>/dev/null; t="$t $n"; }; done`,
    `for p in ${roots}; do kill -KILL -- -$p 2>/dev/null; done`,
    'kill -KILL $t 2>/dev/null; true',
  ].join('\n');
}

export class GroupKiller {
  readonly #pending = new Map<number, boolean>();
  #chain: Promise<void> = Promise.resolve();
  #scheduled = false;

  constructor(private readonly send: (batch: KillBatch) => Promise<void>) {}

  kill(pid: number, sudo: boolean): void {
    this.#pending.set(pid, (this.#pending.get(pid) ?? false) || sudo);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#chain = this.#chain
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        this.#scheduled = false;
        const pids = [...this.#pending.keys()];
        const batch = { pids, sudo: [...this.#pending.values()].some(Boolean) };
        this.#pending.clear();
        return this.send(batch);
      })
      .catch(() => undefined); // a kill that fails leaves nothing more to do here
  }

  /** Settles when every kill asked for so far has been sent and has finished. */
  idle(): Promise<void> {
    return this.#chain;
  }
}
