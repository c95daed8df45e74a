// The plan as a picture: Mermaid (renders in most Markdown viewers, for docs and pull requests)
// and Graphviz dot. Both draw the same graph (plan-graph-model.ts); every label also carries its
// state as a word, so it reads without colour. Output depends only on the manifest and the plan.

import type { Manifest } from '../manifest/model.ts';
import type { Plan } from './ops.ts';
import { planGraph, type GraphCluster, type GraphNode, type GraphState, type PlanGraph } from './plan-graph-model.ts';

interface Look { readonly fill: string; readonly stroke: string; readonly cluster: string; readonly dashed?: boolean }

const LOOKS: Record<GraphState | 'aux' | 'empty', Look> = {
  create: { fill: '#c8efcf', stroke: '#2e7d32', cluster: '#eef9f0' },
  replace: { fill: '#ffe0b2', stroke: '#e65100', cluster: '#fff5e8' },
  update: { fill: '#fff3b0', stroke: '#a68b00', cluster: '#fffbe6' },
  remove: { fill: '#ffcdd2', stroke: '#c62828', cluster: '#fff0f1', dashed: true },
  unchanged: { fill: '#ffffff', stroke: '#9e9e9e', cluster: '#fafafa' },
  unavailable: { fill: '#e0e0e0', stroke: '#616161', cluster: '#f0f0f0', dashed: true },
  conflict: { fill: '#e1bee7', stroke: '#6a1b9a', cluster: '#f6ecf8' },
  kept: { fill: '#f5f5f5', stroke: '#757575', cluster: '#fafafa', dashed: true },
  aux: { fill: '#ffffff', stroke: '#bdbdbd', cluster: '#ffffff', dashed: true },
  empty: { fill: '#ffffff', stroke: '#bdbdbd', cluster: '#ffffff', dashed: true },
};
type LookName = keyof typeof LOOKS;

const look = (n: GraphNode): LookName => n.state ?? (n.kind === 'aux' ? 'aux' : 'empty');

const PREFIX: Record<string, string> = { server: 's', stray: 'st', container: 'c', firewall: 'f' };

/** Ids both syntaxes take unquoted: a letter prefix by kind, then the key's letters and digits
 *  (anything else becomes `_`), numbered on a clash. Assigned in drawing order, so stable. */
function graphIds(g: PlanGraph): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  const assign = (key: string, prefix: string): void => {
    const slug = key.replace(/^[a-z]+:/, '').replace(/#empty$/, '').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');
    const base = `${prefix}_${slug}`;
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}_${i}`;
    used.add(id);
    ids.set(key, id);
  };
  for (const c of g.clusters) {
    assign(c.key, PREFIX[c.key.split(':')[0]!] ?? 's');
    for (const n of c.nodes) assign(n.key, n.kind === 'aux' ? 'a' : n.kind === 'empty' ? 'e' : PREFIX[n.kind]!);
  }
  return ids;
}

// Mermaid: entity codes (#quot; #35; …) for everything its lexer or its HTML labels would read;
// a line break or other control character in a name becomes a space.
const MERMAID_CODES: Record<string, string> = { '"': '#quot;', '#': '#35;', '<': '#lt;', '>': '#gt;', '&': '#amp;', '`': '#96;', '[': '#91;', ']': '#93;', '{': '#123;', '}': '#125;', '|': '#124;' };
const mermaidText = (s: string): string => s.replace(/[\0-\x1f\x7f]/g, ' ').replace(/["#<>&`[\]{}|]/g, (ch) => MERMAID_CODES[ch]!);
const mermaidLabel = (lines: readonly string[]): string => `"${lines.map(mermaidText).join('<br/>')}"`;

function mermaidStyle(l: Look, fill: string): string {
  return `fill:${fill},stroke:${l.stroke},color:#212121${l.dashed ? ',stroke-dasharray:5 3' : ''}`;
}

export function planMermaid(manifest: Manifest, plan: Plan): string {
  const g = planGraph(manifest, plan);
  const ids = graphIds(g);
  const id = (key: string): string => ids.get(key)!;
  // YAML front matter; JSON's string syntax is YAML's double-quoted one
  const out = ['---', `title: ${JSON.stringify(g.title.replace(/[\0-\x1f\x7f]/g, ' '))}`, '---', 'flowchart TB'];
  const classes = new Map<string, string[]>();
  const classify = (name: string, key: string): void => void (classes.get(name) ?? classes.set(name, []).get(name)!).push(id(key));
  for (const c of g.clusters) {
    out.push(`  subgraph ${id(c.key)}[${mermaidLabel([c.title])}]`);
    for (const n of c.nodes) {
      const [open, close] = n.kind === 'aux' || n.kind === 'empty' ? ['([', '])'] : ['[', ']'];
      out.push(`    ${id(n.key)}${open}${mermaidLabel(n.lines)}${close}`);
      classify(look(n), n.key);
    }
    out.push('  end');
    classify(`server_${c.state}`, c.key);
  }
  for (const e of g.edges) out.push(`  ${id(e.from)} --> ${id(e.to)}`);
  for (const [name, l] of Object.entries(LOOKS)) {
    const small = name === 'aux' || name === 'empty' ? ',font-size:11px' : '';
    if (classes.has(name)) out.push(`  classDef ${name} ${mermaidStyle(l, l.fill)}${small}`);
    if (classes.has(`server_${name}`)) out.push(`  classDef server_${name} ${mermaidStyle(l, l.cluster)}`);
  }
  for (const [name, members] of [...classes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out.push(`  class ${members.join(',')} ${name}`);
  return `${out.join('\n')}\n`;
}

// dot: labels are double-quoted strings; `\n` is our line break, so a backslash in a name is
// doubled (a name cannot smuggle in \N, \G or \l) and a line break in it becomes a space.
const dotText = (s: string): string => s.replace(/[\0-\x1f\x7f]/g, ' ').replace(/[\\"]/g, (ch) => `\\${ch}`);
const dotLabel = (lines: readonly string[]): string => `"${lines.map(dotText).join('\\n')}"`;

/** `sep`: ", " inside a node's [attributes], "; " between a cluster's attribute statements. */
function dotLook(l: Look, fill: string, sep: string): string {
  return [`style="rounded,filled${l.dashed ? ',dashed' : ''}"`, `fillcolor="${fill}"`, `color="${l.stroke}"`].join(sep);
}

export function planDot(manifest: Manifest, plan: Plan): string {
  const g = planGraph(manifest, plan);
  const ids = graphIds(g);
  const id = (key: string): string => ids.get(key)!;
  const out = [
    'digraph plan {',
    `  label=${dotLabel([g.title])}; labelloc=t; fontname="Helvetica";`,
    '  compound=true; rankdir=TB;',
    '  node [shape=box, fontname="Helvetica", fontsize=11];',
  ];
  // an edge to or from a server is drawn to or from its first node, clipped at the cluster
  const cluster = new Map<string, GraphCluster>(g.clusters.map((c) => [c.key, c]));
  for (const c of g.clusters) {
    const l = LOOKS[c.state];
    out.push(`  subgraph cluster_${id(c.key)} {`, `    label=${dotLabel([c.title])}; ${dotLook(l, l.cluster, '; ')};`);
    for (const n of c.nodes) {
      const small = n.kind === 'aux' || n.kind === 'empty' ? ', fontsize=9' : '';
      out.push(`    ${id(n.key)} [label=${dotLabel(n.lines)}, ${dotLook(LOOKS[look(n)], LOOKS[look(n)].fill, ', ')}${small}];`);
    }
    out.push('  }');
  }
  for (const e of g.edges) {
    const from = cluster.get(e.from);
    const to = cluster.get(e.to);
    const attrs = [from ? `ltail=cluster_${id(from.key)}` : '', to ? `lhead=cluster_${id(to.key)}` : ''].filter(Boolean);
    const end = (c: GraphCluster | undefined, key: string): string => id(c ? c.nodes[0]!.key : key);
    out.push(`  ${end(from, e.from)} -> ${end(to, e.to)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
