// The words hitc reads as true or false, in task arguments (`rm=no`) and manifests
// (`privileged: yes`): one list for both, so a value means the same wherever it is written.

const TRUE = new Set(['true', 'yes', 'y', 'on', '1', 't']);
const FALSE = new Set(['false', 'no', 'n', 'off', '0', 'f', '']);

/** true, false, or undefined when the text is not a boolean word (case does not matter). */
export function parseBooleanText(text: string): boolean | undefined {
  const lower = text.trim().toLowerCase();
  return TRUE.has(lower) ? true : FALSE.has(lower) ? false : undefined;
}
