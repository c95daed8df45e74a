// Secrets typed at hitc's prompts (a key passphrase, the sudo password) are registered when they
// are answered and masked on a real terminal too, where steps are a live list that redraws and
// cuts lines to the terminal's width. Runs hitc under `script` with a 120-column tty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { bed, hitcUnderTty, sandbox } from '../integration/bed.ts';

const MASK = '••••••';
const b = bed();

// 120 columns: the live step list cuts lines to the terminal's width
const underTty = (box: ReturnType<typeof sandbox>, args: string[], answers: string[]) => hitcUnderTty(box, args, answers, { term: 'xterm', cols: 120, timeoutMs: 60_000 });

// prints the value the way a remote script or a careless task might, in output and in steps
const hitcfile = (value: string, sudo = false): string => `
import { task } from 'hitc';
const v = ${JSON.stringify(value)};
export const show = task(async (c) => {
  // the first command connects (and asks); a value is masked from the moment hitc learns it
  ${sudo ? "await c.sudo('true');" : "await c.run('true');"}
  await c.run(\`echo "out \${v}"\`);
  const steps = c.progress([{ id: 'a', title: \`step \${v}\` }, { id: 'b', title: 'second' }]);
  steps.running('a', \`working on \${v}\`);
  await c.run('sleep 0.3');
  steps.done('a', \`done \${v}\`);
  steps.done('b');
  steps.end();
  throw new Error(\`failed with \${v}\`);
});
`;

test('a key passphrase typed at the prompt is masked in output, the live step list and the error', async () => {
  const box = sandbox();
  // no other key and no agent: the passphrase is needed (a working key would be used first)
  writeFileSync(box.sshConfig, `Host *\n  User root\n  UserKnownHostsFile ${box.knownHosts}\n`);
  box.hitcfile(hitcfile(b.passKeyPassphrase));
  const r = await underTty(box, ['-i', b.passKey, '-P', '-H', b.hosts[44] as string, 'show'], [b.passKeyPassphrase]);
  assert.equal(r.code, 1, r.out);
  assert.equal((r.out.match(/Passphrase for/g) ?? []).length, 1, r.out);
  assert.ok(!r.out.includes(b.passKeyPassphrase), `passphrase shown:\n${r.out}`);
  assert.ok(r.out.includes(`out: out ${MASK}`), r.out);
  assert.ok(r.out.includes(`step ${MASK}`), r.out);
  assert.ok(r.out.includes(`FAILED: failed with ${MASK}`), r.out);
});

test('a sudo password typed at the prompt is masked in output, the live step list and the error', async () => {
  const box = sandbox();
  const password = b.users.deploy?.password as string;
  box.hitcfile(hitcfile(password, true));
  const r = await underTty(box, ['-H', `deploy@${b.hosts[45]}`, 'show'], [password]);
  assert.equal(r.code, 1, r.out);
  assert.equal((r.out.match(/\[sudo\] password for the remote hosts/g) ?? []).length, 1, r.out);
  assert.ok(!r.out.includes(password), `password shown:\n${r.out}`);
  assert.ok(r.out.includes(`out: out ${MASK}`), r.out);
  assert.ok(r.out.includes(`step ${MASK}`), r.out);
  assert.ok(r.out.includes(`FAILED: failed with ${MASK}`), r.out);
});
