// Built-in task modules. They register through the same path as a user's hitcfile
// (TaskRegistry.addModule), so a hitcfile task of the same name overrides them.

export { init } from './init.ts';
export * as docker from '../docker/tasks.ts';
