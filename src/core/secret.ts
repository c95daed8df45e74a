// A value that must never be printed, logged, put in a plan or passed in argv (argv is
// world-readable through /proc on the remote host). Printing one shows a mask instead, and its
// value is registered for redaction, so it is masked even where a task printed it by hand.

import { SECRET_MASK as MASK, registerSecret } from './redact.ts';

export class Secret {
  readonly #value: string;
  /** A short, non-secret label shown instead of the value, e.g. the variable's name. */
  readonly label: string;
  constructor(value: string, label = 'secret') {
    this.#value = value;
    this.label = label;
    registerSecret(value);
  }
  /** The real value. Call only at the edge that hands it to a remote stdin or a prompt. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return MASK;
  }
  toJSON(): string {
    return MASK;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${this.label})`;
  }
}

export function secret(value: string, label?: string): Secret {
  return new Secret(value, label);
}

export { MASK as SECRET_MASK };
