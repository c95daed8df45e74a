// Checks for manifest values that end up on a command line on a server. hitc quotes every one
// of them, so none can start another command; these checks keep the rest of the line honest:
// an environment name that a shell would read as a command, a value that docker would read as
// an option (a leading "-"), bytes no command line can carry (NUL), a command's words.

import type { ManifestIssue } from '../../core/errors.ts';
import { CommandWordsError, commandWords } from './command-words.ts';
import { isSecretScalar } from './tags.ts';
import { VariableSyntaxError, parseValue } from './variables.ts';
import type { LEntry, LNode } from './yaml-tree.ts';

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A Docker image reference (registry[:port]/path[:tag][@digest]); may hold ${…} variables. */
const IMAGE = /^[A-Za-z0-9$][^\s]*$/;
/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Every key and text value that holds a NUL byte, which no command line can carry. */
export function findNulBytes(root: LNode, issues: ManifestIssue[]): void {
  const walk = (node: LNode, path: string): void => {
    if (node.kind === 'map') {
      for (const e of node.entries) {
        const where = path ? `${path}.${printable(e.key)}` : printable(e.key);
        if (e.key.includes('\0')) issues.push({ path: where, line: e.line, message: 'a key holds a NUL byte (\\0), which no command can carry' });
        walk(e.value, where);
      }
    } else if (node.kind === 'seq') node.items.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (!isSecretScalar(node) && typeof node.value === 'string' && node.value.includes('\0')) {
      issues.push({ path, line: node.line, message: 'a value holds a NUL byte (\\0), which no command can carry' });
    }
  };
  walk(root, '');
}

const printable = (s: string): string => s.replace(/\0/g, '\\0');

export function checkEnvironmentName(e: LEntry, path: string, issues: ManifestIssue[]): boolean {
  if (ENV_NAME.test(e.key)) return true;
  // the key is shown, never the value: it may be a secret
  issues.push({ path: `${path}.${printable(e.key)}`, line: e.line, message: `"${printable(e.key)}" is not an environment variable name`, hint: 'letters, digits and _, not starting with a digit, e.g. DB_PASS' });
  return false;
}

export function checkImage(image: string, path: string, line: number, issues: ManifestIssue[]): void {
  // empty: a tag that failed to resolve, already reported where it is
  if (image !== '' && !IMAGE.test(image)) issues.push({ path, line, message: `"${image}" is not an image name`, hint: 'e.g. nginx, nginx:1.27 or registry.example.com:5000/team/app:v2 (no spaces, not starting with -)' });
}

export function checkHostname(hostname: string, path: string, line: number, issues: ManifestIssue[]): void {
  if (!HOSTNAME.test(hostname)) issues.push({ path, line, message: `"${hostname}" is not a host name`, hint: 'letters, digits and inner hyphens, in dot-separated parts (e.g. db-1.internal)' });
}

/** An unmanaged server is named by the address hitc connects to: an IPv4 address or a host name. */
export function checkAddress(name: string, path: string, line: number, issues: ManifestIssue[]): void {
  if (!HOSTNAME.test(name)) issues.push({ path, line, message: `an unmanaged server is named by its address; "${name}" is not an IP address or host name` });
}

/** `command:` as a string (split into words by shell quoting rules) or a list (the argv). */
export function parseCommand(node: LNode, path: string, line: number, issues: ManifestIssue[]): string[] | undefined {
  if (node.kind === 'scalar' && node.value === null) return undefined;
  let words: string[];
  if (node.kind === 'seq') {
    words = [];
    node.items.forEach((item, i) => {
      if (item.kind !== 'scalar' || item.value === null) issues.push({ path: `${path}[${i}]`, line: item.line, message: 'each word of a command is a single value' });
      else words.push(String(item.value));
    });
    if (words.length !== node.items.length) return undefined;
  } else if (node.kind === 'scalar') {
    try {
      words = commandWords(String(node.value));
    } catch (error) {
      if (!(error instanceof CommandWordsError)) throw error;
      issues.push({ path, line, message: error.message });
      return undefined;
    }
  } else {
    issues.push({ path, line, message: 'a command is a string or a list of words' });
    return undefined;
  }
  if (words.length === 0) {
    issues.push({ path, line, message: 'the command is empty', hint: "leave command out to run the image's own command" });
    return undefined;
  }
  return words;
}

/** The value itself, after recording a ${…} syntax problem as an issue at its line. */
export function checkVariables(value: string, path: string, line: number, issues: ManifestIssue[]): string {
  try {
    parseValue(value);
  } catch (error) {
    if (!(error instanceof VariableSyntaxError)) throw error;
    issues.push({ path, line, message: error.message });
  }
  return value;
}
