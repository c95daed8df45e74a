// ensemble.history's pure parts: which containers are a name's versions and in what order, who
// retired each one, the text and JSON it shows, and the selection of containers by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerInfo } from '../../../src/docker/inspect.ts';
import { containerVersions } from '../../../src/ensemble/history/container-history.ts';
import { historyLines, versionJson } from '../../../src/ensemble/history/history-text.ts';
import { selectContainers } from '../../../src/ensemble/history/select-containers.ts';
import { UsageError } from '../../../src/core/errors.ts';
import { LABELS } from '../../../src/ensemble/observe/observed.ts';
import { manifestOf } from '../plan/world-builder.ts';

const RETIRED_V1 = Date.UTC(2026, 11, 2, 14, 5) / 1000;
const RETIRED_V0 = Date.UTC(2026, 11, 1, 9, 30) / 1000;

function container(name: string, facts: { image: string; imageId: string; hash?: string; at?: string; by?: string; running?: boolean }): ContainerInfo {
  return {
    id: `${name}-id`, name, image: facts.image, imageId: facts.imageId, ip: null, running: facts.running ?? false, state: facts.running ? 'running' : 'exited',
    created: '2026-11-30T00:00:00Z', environment: {}, command: [], ports: [],
    labels: {
      [LABELS.ensemble]: 'shop', ...(facts.hash ? { [LABELS.specHash]: facts.hash, [LABELS.spec]: JSON.stringify({ image: facts.image }) } : {}),
      ...(facts.at ? { [LABELS.startedAt]: facts.at } : {}), ...(facts.by ? { [LABELS.startedBy]: facts.by } : {}),
    },
  };
}

const HOST = [
  container(`app-hitc-prev-${RETIRED_V0}`, { image: 'app:v0', imageId: 'sha256:0000aaaa1111bbbb', hash: '00112233445566778', at: '2026-11-30T08:00:00.000Z', by: 'carol@ci' }),
  container('app', { image: 'app:v2', imageId: 'sha256:2222cccc3333dddd', hash: 'ffeeddccbbaa9988', at: '2026-12-02T14:05:09.000Z', by: 'bob@desk', running: true }),
  container(`app-hitc-prev-${RETIRED_V1}`, { image: 'app:v1', imageId: 'sha256:1111eeee2222ffff', hash: 'abcdef0123456789', at: '2026-12-01T09:30:00.000Z', by: 'alice@laptop' }),
  container('app-hitc-next', { image: 'app:v3', imageId: 'sha256:3333', running: true }),
  container('application', { image: 'other', imageId: 'sha256:4444' }),
  container('app-hitc-prev-soon', { image: 'other', imageId: 'sha256:5555' }),
];

test('a container\'s versions are the current one, then the kept ones by when they were retired, each retired by whoever started the next', () => {
  const versions = containerVersions('app', HOST);
  assert.deepEqual(versions.map((v) => [v.dockerName, v.role, v.startedBy, v.retired, v.retiredBy]), [
    ['app', 'current', 'bob@desk', undefined, undefined],
    [`app-hitc-prev-${RETIRED_V1}`, 'previous', 'alice@laptop', '2026-12-02T14:05:00.000Z', 'bob@desk'],
    [`app-hitc-prev-${RETIRED_V0}`, 'previous', 'carol@ci', '2026-12-01T09:30:00.000Z', 'alice@laptop'],
  ]);
});

test('history shows each version on a line: state, image and its short id, short spec, started and retired by whom', () => {
  assert.equal(historyLines('app', containerVersions('app', HOST)).join('\n'), `app: current, 2 previous versions kept
  VERSION   STATE    IMAGE   IMAGE ID      SPEC      STARTED           BY            RETIRED           BY
  current   running  app:v2  2222cccc3333  ffeeddcc  2026-12-02 14:05  bob@desk
  previous  exited   app:v1  1111eeee2222  abcdef01  2026-12-01 09:30  alice@laptop  2026-12-02 14:05  bob@desk
  previous  exited   app:v0  0000aaaa1111  00112233  2026-11-30 08:00  carol@ci      2026-12-01 09:30  alice@laptop`);
  assert.deepEqual(historyLines('db', containerVersions('db', HOST)), ['db: no container and no kept previous version']);
});

test('a container hitc did not label shows docker\'s creation time and an unknown starter', () => {
  const [only] = containerVersions('x', [container('x', { image: 'busybox', imageId: 'sha256:9999' })]);
  assert.ok(only);
  assert.deepEqual(versionJson(only), {
    name: 'x', role: 'current', id: 'x-id', state: 'exited', image: 'busybox', imageId: 'sha256:9999', specHash: null,
    started: '2026-11-30T00:00:00Z', startedBy: null, retired: null, retiredBy: null,
  });
  assert.match(historyLines('x', [only])[2] ?? '', /^ {2}current +exited +busybox +9999 +- +2026-11-30 00:00 +\?$/);
});

test('container= and server= select; a name the manifest lacks is a user error naming the ones there are', () => {
  const m = manifestOf('web:\n  provider: ec2\n  containers:\n    app: {image: app}\n    cache: {image: redis}\nworker:\n  provider: ec2\n  containers:\n    app: {image: app}\n');
  assert.deepEqual(selectContainers(m, {}).map((s) => [s.server.name, s.containers.map((c) => c.name)]), [['web', ['app', 'cache']], ['worker', ['app']]]);
  assert.deepEqual(selectContainers(m, { container: 'app' }).map((s) => s.server.name), ['web', 'worker']);
  assert.deepEqual(selectContainers(m, { container: 'app', server: 'worker' }).map((s) => s.server.name), ['worker']);
  assert.throws(() => selectContainers(m, { container: 'cahce' }), (e: unknown) => e instanceof UsageError && /no container cahce/.test(e.message) && /did you mean cache\? \(containers there: app, cache\)/.test(e.hint ?? ''));
  assert.throws(() => selectContainers(m, { container: 'cache', server: 'worker' }), (e: unknown) => e instanceof UsageError && /the server worker has no container cache/.test(e.message) && /containers there: app/.test(e.hint ?? ''));
  assert.throws(() => selectContainers(m, { server: 'db' }), (e: unknown) => e instanceof UsageError && /no server db/.test(e.message) && /servers there: web, worker/.test(e.hint ?? ''));
});
