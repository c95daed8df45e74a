// The manifest's two local YAML tags, resolved from hitc's own environment before anything else
// reads the tree: `!env NAME` (a plain value, anywhere) and `!secret NAME` (an environment value
// that is never printed, planned or put in argv: it stays a Secret until a remote stdin).
// An empty name means the entry's own key (`DB_PASSWORD: !secret`).

import type { ManifestIssue } from '../../core/errors.ts';
import { Secret } from '../../core/secret.ts';
import type { LEntry, LNode } from './yaml-tree.ts';

/** A scalar whose value came from `!secret`: its text is empty, the value lives in `secret`. */
export type SecretScalar = Extract<LNode, { kind: 'scalar' }> & { readonly secret: Secret };

export function isSecretScalar(node: LNode): node is SecretScalar {
  return node.kind === 'scalar' && (node as Partial<SecretScalar>).secret instanceof Secret;
}

const HOW = 'hitc reads `!env NAME` and `!secret NAME` from the environment it runs in';

export function resolveTags(root: LNode, env: Readonly<Record<string, string | undefined>>, issues: ManifestIssue[]): LNode {
  const walk = (node: LNode, path: string, key: string, inEnvironment: boolean): LNode => {
    if (node.kind === 'map') {
      // templates may be environment templates: their !secret values are checked where used
      const allows = (key: string): boolean => inEnvironment || key === 'environment' || (path === '' && key === 'templates');
      return { ...node, entries: node.entries.map((e): LEntry => ({ ...e, value: walk(e.value, path ? `${path}.${e.key}` : e.key, e.key, allows(e.key)) })) };
    }
    if (node.kind === 'seq') return { ...node, items: node.items.map((item, i) => walk(item, `${path}[${i}]`, key, inEnvironment)) };
    if (!node.tag) return node;
    const name = node.value === null || node.value === '' ? key : String(node.value);
    const value = env[name];
    if (node.tag === '!env') {
      if (value !== undefined) return { kind: 'scalar', line: node.line, value };
      issues.push({ path, line: node.line, message: `environment variable ${name} is not set (!env ${name})`, hint: `export ${name}=… before running hitc` });
      return { kind: 'scalar', line: node.line, value: '' };
    }
    if (node.tag === '!secret') {
      if (!inEnvironment) {
        issues.push({ path, line: node.line, message: '!secret is only for container environment values', hint: 'use !env NAME for a plain value read from the environment' });
      } else if (value === undefined) {
        issues.push({ path, line: node.line, message: `secret ${name} is not set (!secret ${name})`, hint: `export ${name}=… before running hitc; its value is never printed, planned or passed on a command line` });
      } else if (value.includes('\n')) {
        issues.push({ path, line: node.line, message: `secret ${name} has a line break, which a container environment value cannot carry safely`, hint: 'store it base64-encoded' });
      } else {
        const scalar: SecretScalar = { kind: 'scalar', line: node.line, value: '', secret: new Secret(value, name) };
        return scalar;
      }
      return { kind: 'scalar', line: node.line, value: '' };
    }
    issues.push({ path, line: node.line, message: `unknown tag ${node.tag}`, hint: HOW });
    return { kind: 'scalar', line: node.line, value: node.value };
  };
  return walk(root, '', '', false);
}
