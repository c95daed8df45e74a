// The manifest's YAML as a small tree that remembers line numbers, so every problem can be
// reported at file:line — including values that came from a template (they keep its lines).

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { ManifestIssue } from '../../core/errors.ts';

export type LNode =
  | { readonly kind: 'map'; readonly line: number; readonly entries: readonly LEntry[] }
  | { readonly kind: 'seq'; readonly line: number; readonly items: readonly LNode[] }
  | { readonly kind: 'scalar'; readonly line: number; readonly value: string | number | boolean | null; readonly tag?: string };

export type LMap = Extract<LNode, { kind: 'map' }>;

export interface LEntry {
  readonly key: string;
  readonly line: number;
  readonly value: LNode;
}

export function parseYamlTree(text: string): { root?: LNode; issues: ManifestIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const issues: ManifestIssue[] = doc.errors.map((e) => ({
    path: '',
    line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line,
    message: e.message.split('\n')[0] as string,
  }));
  if (issues.length > 0) return { issues };
  const lineOf = (node: YamlNode | null | undefined, fallback: number): number =>
    node?.range ? lineCounter.linePos(node.range[0]).line : fallback;
  const convert = (node: unknown, fallback: number): LNode => {
    if (isMap(node)) {
      const line = lineOf(node, fallback);
      return {
        kind: 'map',
        line,
        entries: node.items.map((pair) => {
          const keyNode = pair.key as YamlNode | null;
          const keyLine = lineOf(keyNode, line);
          const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
          return { key, line: keyLine, value: convert(pair.value, keyLine) };
        }),
      };
    }
    if (isSeq(node)) {
      const line = lineOf(node, fallback);
      return { kind: 'seq', line, items: node.items.map((item) => convert(item, line)) };
    }
    if (isScalar(node)) {
      const v = node.value;
      // only local tags (!secret, !env) are kept: YAML's own (!!str …) are already resolved
      const tag = node.tag?.startsWith('!') ? node.tag : undefined;
      return { kind: 'scalar', line: lineOf(node, fallback), value: typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : v === null || v === undefined ? null : String(v), ...(tag ? { tag } : {}) };
    }
    return { kind: 'scalar', line: fallback, value: null };
  };
  const root = convert(doc.contents, 1);
  return issues.length > 0 ? { issues } : { root, issues };
}

export function entry(node: LNode, key: string): LEntry | undefined {
  return node.kind === 'map' ? node.entries.find((e) => e.key === key) : undefined;
}

/** A scalar as text (numbers and booleans too); undefined for maps, lists and null. */
export function text(node: LNode | undefined): string | undefined {
  if (!node || node.kind !== 'scalar' || node.value === null) return undefined;
  return String(node.value);
}
