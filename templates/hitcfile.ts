// Your operations as code. `hitc -l` lists these tasks; `hitc -d NAME` shows one.
// More examples: hitcfile.example.ts in the hitc repository.
import { configure, sh, task } from 'hitc';

export const settings = configure({
  roles: {
    // role name → hosts as [user@]host[:port]; select with `hitc -R web TASK`
    web: ['root@192.0.2.10'],
  },
});

export const uptime = task({ description: 'Show load and uptime', roles: ['web'], parallel: true }, async (c) => {
  await c.run('uptime');
});

export const disk = task(
  {
    description: 'Show disk usage of a path',
    roles: ['web'],
    params: { path: { type: 'string', default: '/' } },
  },
  async (c, { path }) => {
    await c.run(sh`df -h ${path}`);
  },
);
