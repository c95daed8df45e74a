// The plan as Mermaid and dot: exact text for a fresh web/redis plan and for one that replaces
// and prunes, hostile names, determinism. Plans are built by hand (the planner's own output is
// tested in plan.test.ts). Every dot text is also fed to Graphviz's `dot`: it must be installed
// (test/run.sh --unit checks it), a missing `dot` fails these tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import type { Manifest } from '../../../src/ensemble/manifest/model.ts';
import { Graph } from '../../../src/core/graph.ts';
import type { Note, Op, Plan } from '../../../src/ensemble/plan/ops.ts';
import { planDot, planMermaid } from '../../../src/ensemble/plan/plan-graph.ts';


const golden = (name: string): string => readFileSync(join(import.meta.dirname, 'graph-fixtures', name), 'utf8');
const FRESH_MERMAID = golden('fresh.mmd');
const FRESH_DOT = golden('fresh.dot');
const REPLACE_PRUNE_MERMAID = golden('replace-prune.mmd');
const REPLACE_PRUNE_DOT = golden('replace-prune.dot');
const HOSTILE_MERMAID = golden('hostile.mmd');
const HOSTILE_DOT = golden('hostile.dot');

function manifestOf(source: string): Manifest {
  const parsed = parseManifest('manifest.yml', source);
  assert.deepEqual(parsed.issues, []);
  return parsed.manifest!;
}

const freshManifest = (): Manifest => manifestOf(readFileSync(join(import.meta.dirname, 'graph-fixtures', 'web-redis.yml'), 'utf8'));

function plan(ops: Op[], notes: Partial<Omit<Plan, 'ensemble' | 'ops'>> = {}): Plan {
  return { ensemble: { name: 'web-redis', from: 'file name' }, ops, unchanged: [], unavailable: [], conflicts: [], orphans: [], warnings: [], ...notes };
}

const base = (id: string, server: string, after: string[] = []) => ({ id, server, after, reason: 'as the plan says' });
const createServer = (s: string, after: string[] = []): Op => ({ kind: 'create-server', provider: 'ec2', ...base(`create-server:${s}`, s, after) });
const setupDocker = (s: string, after: string[]): Op => ({ kind: 'setup-docker', ...base(`setup-docker:${s}`, s, after) });
const pull = (s: string, image: string, container: string, after: string[]): Op =>
  ({ kind: 'pull-image', image, container: `${s}.containers.${container}`, ...base(`pull-image:${s}/${image}`, s, after) });
const container = (kind: 'run-container' | 'replace-container', s: string, c: string, after: string[]): Op =>
  ({ kind, container: c, path: `${s}.containers.${c}`, swap: { order: 'start-first', standIn: false, stopTimeout: 10 }, ...base(`${kind}:${s}/${c}`, s, after) });
const putFirewall = (s: string, ruleCount: number, after: string[]): Op => ({ kind: 'put-firewall', ruleCount, ...base(`put-firewall:${s}`, s, after) });
const note = (id: string, kind: Note['kind'], server: string, name: string): Note => ({ id, kind, server, name, reason: 'as the plan says' });

/** web/redis from nothing: both servers, Docker, images, containers, firewalls. web's container
 *  waits for redis's server (REDIS_HOST: ${redis.ip}); redis's firewall for every server
 *  ($internal_ips). */
function freshPlan(): Plan {
  return plan([
    createServer('web'),
    createServer('redis'),
    setupDocker('web', ['create-server:web']),
    setupDocker('redis', ['create-server:redis']),
    pull('web', 'hello/web', 'web', ['setup-docker:web']),
    pull('redis', 'redis:7', 'redis', ['setup-docker:redis']),
    container('run-container', 'redis', 'redis', ['pull-image:redis/redis:7', 'setup-docker:redis']),
    container('run-container', 'web', 'web', ['pull-image:web/hello/web', 'setup-docker:web', 'create-server:redis']),
    putFirewall('web', 2, ['create-server:web']),
    putFirewall('redis', 1, ['create-server:redis', 'create-server:web']),
  ], { warnings: [{ id: 'firewall:redis', text: 'redis.firewall admits SSH (port 22) from no listed source' }] });
}

/** redis's size changed: its server is replaced (and what is on it made again), web's container
 *  is replaced for redis's new address; with prune, web's orphaned container goes and so does a
 *  server this ensemble made on ec2 that the manifest no longer has (once redis runs again: an
 *  edge that ends on a server). */
function replacePrunePlan(): Plan {
  return plan([
    { kind: 'replace-server', provider: 'ec2', node: { id: 'i-0abc', ip: '203.0.113.7' }, ...base('replace-server:redis', 'redis') },
    { kind: 'remove-container', container: 'old-worker', ...base('remove-container:web/old-worker', 'web') },
    setupDocker('redis', ['replace-server:redis']),
    pull('redis', 'redis:7', 'redis', ['setup-docker:redis']),
    container('run-container', 'redis', 'redis', ['pull-image:redis/redis:7']),
    { kind: 'terminate-server', provider: 'ec2', node: { id: 'i-0def', name: 'old-db', state: 'running' }, ...base('terminate-server:old-db', 'old-db', ['run-container:redis/redis']) },
    container('replace-container', 'web', 'web', ['replace-server:redis']),
    putFirewall('redis', 1, ['replace-server:redis']),
  ], {
    unchanged: [note('server:web', 'server', 'web', 'web'), note('firewall:web', 'firewall', 'web', 'web')],
  });
}

// Names from the world are anyone's text (an EC2 Name tag, a container found by label); the
// manifest's own names are checked when parsed but images and sources are written as they are.
const HOSTILE = {
  server: 'end',
  breakout: '"]; click s_end call alert() %%',
  html: '<b>x</b> & #quot; `y` {z} |w| [v] (u)',
  backslash: 'a\\nb\\"c\\',
  stray: 'evil"\nna/me\\l -> x [color=red]',
};

function hostileManifest(): Manifest {
  const c = (name: string, image: string) => ({
    server: HOSTILE.server, name, line: 2, path: `${HOSTILE.server}.containers.${name}`, image, environment: {},
    ports: [{ container: 53, public: 5353, protocol: 'udp' as const }], volumes: [], privileged: false, dependsOn: [],
  });
  return {
    file: 'manifest.yml',
    graph: new Graph(),
    servers: [{
      name: HOSTILE.server, line: 1, provider: 'ec2', options: {}, dependsOn: [],
      containers: [c('a-b', 'reg.example.com:5000/team/app@sha256:0123'), c('a.b', 'x'), c(HOSTILE.breakout, HOSTILE.html)],
      firewall: { line: 9, rules: [{ port: '*', protocol: '*', sources: ['${db.ip}', HOSTILE.backslash], line: 10 }] },
    }, {
      name: 'db', line: 11, provider: 'do', options: {}, dependsOn: [], containers: [],
    }],
  };
}

/** Every state that comes from a note: an unavailable server, a container another ensemble
 *  owns, a kept orphan, a kept stray with a hostile name. */
function hostilePlan(): Plan {
  return plan([], {
    unchanged: [note('firewall:end', 'firewall', 'end', 'end'), note('container:end/a.b', 'container', 'end', 'a.b')],
    unavailable: [note('server:db', 'server', 'db', 'db')],
    conflicts: [note(`container:end/${HOSTILE.breakout}`, 'container', 'end', HOSTILE.breakout)],
    orphans: [
      note(`container:end/${HOSTILE.backslash}`, 'container', 'end', HOSTILE.backslash),
      note(`stray:ec2/${HOSTILE.stray}`, 'server', HOSTILE.stray, HOSTILE.stray),
    ],
  });
}

/** Graphviz reads the text: the number of nodes and edges it finds (an escape that failed
 *  would add some or fail to parse). Fails, never skips, without Graphviz. */
function dotCounts(text: string): { nodes: number; edges: number } {
  let plain: string;
  try {
    plain = execFileSync('dot', ['-Tplain'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('Graphviz `dot` is not installed (apt-get install graphviz; test/bed/bed.sh installs it)');
    throw new Error(`dot rejected the text: ${(e as { stderr?: string }).stderr ?? e}`);
  }
  const lines = plain.split('\n');
  return { nodes: lines.filter((l) => l.startsWith('node ')).length, edges: lines.filter((l) => l.startsWith('edge ')).length };
}

// The Mermaid subset planMermaid writes, line by line: no browser-free Mermaid parser exists for
// Node 20 (mermaid's own needs a DOM), so the tests hold the output to this grammar instead.
const ID = '[A-Za-z][A-Za-z0-9_]*';
const LABEL = '"[^"\\n]*"';
const MERMAID_LINE = new RegExp([
  '---', 'title: "[^"\\\\\\n]*"', 'flowchart TB', '  end',
  `  subgraph ${ID}\\[${LABEL}\\]`, `    ${ID}\\[${LABEL}\\]`, `    ${ID}\\(\\[${LABEL}\\]\\)`, `  ${ID} --> ${ID}`,
  `  classDef ${ID} [a-z-]+:[#A-Za-z0-9 ]+(,[a-z-]+:[#A-Za-z0-9 ]+)*`, `  class ${ID}(,${ID})* ${ID}`,
].map((l) => `(${l})`).join('|'));

function assertMermaidSubset(text: string): void {
  for (const line of text.trimEnd().split('\n')) assert.match(line, new RegExp(`^(${MERMAID_LINE.source})$`), `not in the subset: ${line}`);
  // a label cannot smuggle HTML, entities or a second statement
  for (const label of text.match(/"[^"\n]*"/g) ?? []) assert.doesNotMatch(label.replaceAll('<br/>', ''), /[<>`[\]{}|]|#(?!(quot|lt|gt|amp|\d+);)/, label);
}

test('fresh web/redis plan as Mermaid', () => {
  const text = planMermaid(freshManifest(), freshPlan());
  assert.equal(text, FRESH_MERMAID);
  assertMermaidSubset(text);
});

test('fresh web/redis plan as dot, which Graphviz reads', () => {
  const text = planDot(freshManifest(), freshPlan());
  assert.equal(text, FRESH_DOT);
  assert.deepEqual(dotCounts(text), { nodes: 8, edges: 6 });
});

test('a plan that replaces and prunes, as Mermaid and dot', () => {
  const mermaid = planMermaid(freshManifest(), replacePrunePlan());
  assert.equal(mermaid, REPLACE_PRUNE_MERMAID);
  assertMermaidSubset(mermaid);
  const dot = planDot(freshManifest(), replacePrunePlan());
  assert.equal(dot, REPLACE_PRUNE_DOT);
  assert.deepEqual(dotCounts(dot), { nodes: 8, edges: 4 });
});

test('a firewall put on a server that stays reads "update"; one on a new server "create"', () => {
  const p = plan([createServer('redis'), putFirewall('web', 2, []), putFirewall('redis', 1, ['create-server:redis'])], { unchanged: [note('server:web', 'server', 'web', 'web')] });
  const text = planMermaid(freshManifest(), p);
  assert.match(text, /f_web\["firewall<br\/>80\/tcp from anyone<br\/>22\/tcp from anyone<br\/>update"\]/);
  assert.match(text, /f_redis\["firewall<br\/>6379\/tcp from \$internal_ips<br\/>create"\]/);
  assert.match(text, /class f_web update/);
});

test('hostile names: ids are sanitised and unique, labels escaped, every state has its word', () => {
  const mermaid = planMermaid(hostileManifest(), hostilePlan());
  assertMermaidSubset(mermaid);
  assert.equal(mermaid, HOSTILE_MERMAID);
  const dot = planDot(hostileManifest(), hostilePlan());
  assert.equal(dot, HOSTILE_DOT);
  // 4 containers (one an orphan), the firewall, the placeholders of db and of the stray: nothing injected
  assert.deepEqual(dotCounts(dot), { nodes: 7, edges: 0 });
});

test('output depends only on the plan: same text twice, notes in any order, inputs untouched', () => {
  const manifest = hostileManifest();
  const p = hostilePlan();
  // the graph is a class instance: compared as its edges
  const snapshot = () => structuredClone({ manifest: { ...manifest, graph: manifest.graph.ids().map((id) => [id, manifest.graph.dependencies(id)]) }, p });
  const before = snapshot();
  const shuffled: Plan = { ...p, unchanged: [...p.unchanged].reverse(), orphans: [...p.orphans].reverse() };
  assert.equal(planMermaid(manifest, shuffled), planMermaid(manifest, p));
  assert.equal(planDot(manifest, shuffled), planDot(manifest, p));
  assert.equal(planMermaid(freshManifest(), freshPlan()), planMermaid(freshManifest(), freshPlan()));
  assert.deepEqual(snapshot(), before);
});
