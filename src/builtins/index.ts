// Built-in task modules. They register through the same path as a user's hitcfile
// (TaskRegistry.addModule), so a hitcfile task of the same name overrides them.

export { init } from './init.ts';
export * as docker from '../docker/tasks.ts';
export { nodes, create, terminate, reboot, rename, uncache, pricing } from './global-tasks.ts';
export { ssh, upload, download, rsync_up, rsync_down, ping } from './host-tasks.ts';
export { bootstrap } from './bootstrap.ts';
export { cp } from '../copy/copy-task.ts';
export { audit } from '../ensemble/audit-task.ts';
export * as ec2 from './ec2-tasks.ts';
export * as ensemble from '../ensemble/tasks.ts';
