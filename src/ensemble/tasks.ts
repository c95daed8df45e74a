// The ensemble.* tasks. Their work lives in run-ensemble.ts, loaded only when one runs.

import { task } from '../taskfile/define.ts';

export const plan = task(
  {
    description: 'Show what ensemble.up would change (changes nothing; pull=true only downloads images)\nexit_code=true: exit 3 when changes are pending, 0 when none.\npull=true: pull the images first, so a moved tag (app:latest) shows as a change.\nprune=true: plan the removal of what this ensemble made that the manifest no longer has.\nout=FILE: save the plan (for ensemble.up:NAME,plan=FILE, which applies exactly it or refuses when stale).\nformat=mermaid|dot: draw the plan as a graph instead of text.',
    local: true,
    params: {
      name: { type: 'string', required: true }, verbose: { type: 'boolean', default: false }, exit_code: { type: 'boolean', default: false }, pull: { type: 'boolean', default: false },
      prune: { type: 'boolean', default: false }, out: { type: 'string' }, format: { type: 'string', default: 'text' },
    },
  },
  async (c, args) => (await import('./run-ensemble.ts')).planTask(c, args),
);

export const up = task(
  {
    description: 'Bring servers, containers and firewalls to what the manifest says (shows the plan and asks first)\nprune=true also removes containers and firewalls this ensemble made that the manifest no longer has.\npull=true: pull the images first, so containers on an older build of their tag are replaced.\nplan=FILE: apply exactly the plan ensemble.plan:NAME,out=FILE saved, or refuse (exit 2) if anything moved since.\nEach server it changes is locked first; lock_wait=SECONDS waits for a lock another run holds instead of failing.',
    local: true,
    params: {
      name: { type: 'string', required: true }, verbose: { type: 'boolean', default: false }, prune: { type: 'boolean', default: false }, pull: { type: 'boolean', default: false }, plan: { type: 'string' },
      lock_wait: { type: 'number', default: 0 },
    },
  },
  async (c, args) => (await import('./run-ensemble.ts')).upTask(c, args),
);

export const unlock = task(
  {
    description: 'Clear the locks a killed ensemble.up of this ensemble left on its servers (only this ensemble\'s; says what it removed)',
    local: true,
    params: { name: { type: 'string', required: true } },
  },
  async (c, args) => (await import('./run-ensemble.ts')).unlockTask(c, args),
);

export const history = task(
  {
    description: 'List each container\'s current and kept previous versions, newest first: state, image (short id), spec, when started or retired and by whom\ncontainer=C: only that container. server=S: only that server of the manifest.',
    local: true,
    params: { name: { type: 'string', required: true }, container: { type: 'string' }, server: { type: 'string' } },
  },
  async (c, args) => (await import('./history/history-task.ts')).historyTask(c, args),
);

export const rollback = task(
  {
    description: 'Bring back each container\'s newest kept previous version (the same replacement ensemble.up does; shows the plan and asks first)\ncontainer=C: only that container. server=S: only that server of the manifest.\nRefused, with nothing changed, for a version whose secret values differ from the ones set now.\nEach server it changes is locked first; lock_wait=SECONDS waits for a lock another run holds.',
    local: true,
    params: {
      name: { type: 'string', required: true }, container: { type: 'string' }, server: { type: 'string' },
      lock_wait: { type: 'number', default: 0 },
    },
  },
  async (c, args) => (await import('./rollback/rollback-task.ts')).rollbackTask(c, args),
);

export const down = task(
  {
    description: 'Remove what the ensemble created: the servers its providers list with its tag or label (their containers go with them), the local provider\'s ensemble network and the ensemble\'s /etc/hosts lines; nothing else (unmanaged servers are left as they are). Lists it and asks first.\ndry_run=true: only list.',
    local: true,
    params: { name: { type: 'string', required: true }, dry_run: { type: 'boolean', default: false } },
  },
  async (c, args) => (await import('./run-ensemble.ts')).downTask(c, args),
);

export const hosts = task(
  {
    description: 'Write /etc/hosts lines (HITC_HOSTS_FILE overrides the path) so this machine finds a local ensemble\'s servers as NAME and NAME.ENSEMBLE; only lines tagged for this ensemble are replaced, atomically.\nremove=true: drop them (ensemble.down does too).',
    local: true,
    params: { name: { type: 'string', required: true }, remove: { type: 'boolean', default: false } },
  },
  async (c, args) => (await import('./run-ensemble.ts')).hostsTask(c, args),
);
