// An example of per-repo operations as code. Copy what fits into your own hitcfile.ts.
//   hitc -f hitcfile.example.ts -l                  list these tasks
//   hitc -R web deploy:v1.4.2                       deploy a tag to every web server
//   hitc -R web,db -P logs:lines=50                 recent logs from all servers at once
//   hitc -R db backup:keep=7                        dump the database, keep a week of dumps
import { configure, sh, task } from 'hitc';

export const settings = configure({
  roles: {
    web: ['deploy@web-1.example.com', 'deploy@web-2.example.com'],
    db: ['deploy@db-1.example.com'],
  },
  connectTimeoutSec: 10,
});

const APP_DIR = '/srv/app';

export const deploy = task(
  {
    description: 'Check out a git ref on the web servers and restart the app\nOne server at a time (add -P to do them all at once).',
    roles: ['web'],
    params: {
      ref: { type: 'string', required: true, description: 'git tag, branch or commit' },
      restart: { type: 'boolean', default: true, description: 'restart the service afterwards' },
    },
  },
  async (c, { ref, restart }) => {
    await c.run(sh`git -C ${APP_DIR} fetch --quiet --tags origin`);
    await c.run(sh`git -C ${APP_DIR} checkout --quiet ${ref}`);
    const head = await c.run(sh`git -C ${APP_DIR} rev-parse --short HEAD`, { quiet: true });
    c.log(`now at ${head.stdout.trim()}`);
    if (restart) await c.sudo('systemctl restart app');
  },
);

export const logs = task(
  {
    description: 'Show the last lines of the app log',
    roles: ['web', 'db'],
    parallel: true,
    params: { lines: { type: 'number', default: 20 } },
  },
  async (c, { lines }) => {
    await c.sudo(sh`journalctl -u app -n ${lines} --no-pager`);
  },
);

export const backup = task(
  {
    description: 'Dump the database to /var/backups and keep the newest N dumps',
    roles: ['db'],
    params: { keep: { type: 'number', default: 7 } },
  },
  async (c, { keep }) => {
    const file = `/var/backups/app-${new Date().toISOString().slice(0, 10)}.sql.gz`;
    await c.sudo(sh`pg_dump app | gzip > ${file}`, { user: 'postgres' });
    await c.sudo(sh`ls -1t /var/backups/app-*.sql.gz | tail -n +${keep + 1} | xargs -r rm --`);
    await c.get(file, `./backups/${c.host?.host ?? 'db'}-${file.split('/').pop()}`);
  },
);

export const uptime = task({ description: 'Load and uptime of every server', roles: ['web', 'db'], parallel: true }, async (c) => {
  await c.run('uptime');
});

export const db = {
  shell: task({ description: 'Open psql on the database server', roles: ['db'] }, async (c) => {
    await c.sudo('psql app', { user: 'postgres', pty: true, stdin: 'inherit' });
  }),
};
