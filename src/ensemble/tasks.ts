// The ensemble.* tasks. Their work lives in run-ensemble.ts, loaded only when one runs.

import { task } from '../taskfile/define.ts';

export const plan = task(
  {
    description: 'Show what ensemble.up would change (changes nothing; pull=true only downloads images)\nexit_code=true: exit 3 when changes are pending, 0 when none.\npull=true: pull the images first, so a moved tag (app:latest) shows as a change.\nprune=true: plan the removal of what this ensemble made that the manifest no longer has.',
    local: true,
    params: { name: { type: 'string', required: true }, verbose: { type: 'boolean', default: false }, exit_code: { type: 'boolean', default: false }, pull: { type: 'boolean', default: false }, prune: { type: 'boolean', default: false } },
  },
  async (c, args) => (await import('./run-ensemble.ts')).planTask(c, args),
);

export const up = task(
  {
    description: 'Bring servers, containers and firewalls to what the manifest says (shows the plan and asks first)\nprune=true also removes containers and firewalls this ensemble made that the manifest no longer has.\npull=true: pull the images first, so containers on an older build of their tag are replaced.',
    local: true,
    params: { name: { type: 'string', required: true }, verbose: { type: 'boolean', default: false }, prune: { type: 'boolean', default: false }, pull: { type: 'boolean', default: false } },
  },
  async (c, args) => (await import('./run-ensemble.ts')).upTask(c, args),
);
