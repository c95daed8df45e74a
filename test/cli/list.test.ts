import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listText } from '../../src/cli/help.ts';
import { TaskRegistry } from '../../src/taskfile/registry.ts';
import { task } from '../../src/taskfile/define.ts';

test("-l: the hitcfile's own tasks first, then built-ins grouped by namespace", () => {
  const registry = new TaskRegistry();
  const t = (d: string) => task({ description: d }, () => undefined);
  registry.addModule({ audit: t('b1'), docker: { ps: t('b2') }, ensemble: { up: t('b3') }, zap: t('b4') }, 'builtin');
  registry.addModule({ zdeploy: t('mine'), app: { restart: t('mine too') } }, '/p/hitcfile.ts');
  const lines = listText(registry.list(), '/p/hitcfile.ts').split('\n').map((l) => l.trim()).filter(Boolean);
  assert.deepEqual(lines.map((l) => l.split(/\s+/)[0]), ['Tasks', 'app.restart', 'zdeploy', 'Built-in', 'general:', 'audit', 'zap', 'docker:', 'docker.ps', 'ensemble:', 'ensemble.up']);
  assert.match(listText(registry.list().filter((x) => x.origin === 'builtin'), undefined, 'none here'), /^Built-in tasks \(none here\):/);
});
