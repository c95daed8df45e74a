// The layout is the architecture: these checks keep it so. No folder of src/ imports, through
// any chain, a folder that imports it back; each outside library stays in the one folder that
// wraps it; remote command text is built only in builder files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const SRC = join(import.meta.dirname, '..', 'src');
const IMPORT = /(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const files = sourceFiles(SRC).map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }));
const folderOf = (path: string): string => (path.includes('/') ? path.split('/')[0] as string : '(root)');
const importsOf = (file: { path: string; text: string }): string[] => [...file.text.matchAll(IMPORT)].map((m) => m[1] as string);

/** folder → folders it imports, with one file line each as evidence. */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of files) {
    for (const spec of importsOf(file).filter((s) => s.startsWith('.'))) {
      const target = normalize(join(dirname(file.path), spec));
      const [from, to] = [folderOf(file.path), folderOf(target)];
      if (from === to) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, `${file.path} imports ${target}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

test('no folder of src/ imports one that imports it back (directly or through others)', () => {
  const graph = folderGraph();
  const loops: string[] = [];
  for (const [start, edges] of graph) {
    // a path back to `start`, breadth first, with the file that makes each step
    const seen = new Map<string, string[]>([...edges].map(([to, why]) => [to, [why]]));
    const queue = [...edges.keys()];
    while (queue.length > 0) {
      const at = queue.shift() as string;
      if (at === start) {
        loops.push(`${start}: ${(seen.get(at) as string[]).join(' → ')}`);
        break;
      }
      for (const [to, why] of graph.get(at) ?? []) {
        if (seen.has(to)) continue;
        seen.set(to, [...(seen.get(at) as string[]), why]);
        queue.push(to);
      }
    }
  }
  assert.deepEqual(loops, []);
});

test('ssh2, each provider SDK, chalk and listr2 are imported only by the folder that wraps them', () => {
  const owners: [RegExp, RegExp][] = [
    [/^ssh2$/, /^transport\//],
    [/^@aws-sdk\//, /^providers\/ec2\//],
    [/^(chalk|listr2)$/, /^ui\//],
  ];
  const strays = files.flatMap((file) => importsOf(file).flatMap((spec) => {
    const owner = owners.find(([library]) => library.test(spec));
    return owner && !owner[1].test(file.path) ? [`${file.path} imports ${spec}`] : [];
  }));
  assert.deepEqual(strays, []);
});

test('the user interface is imported only by the command line', () => {
  const strays = files.filter((f) => !/^(ui|cli)\//.test(f.path)).flatMap((file) => importsOf(file).filter((s) => /(^|\/)ui\//.test(s)).map((s) => `${file.path} imports ${s}`));
  assert.deepEqual(strays, []);
});
