// The replace script as a value: containers are looked up by exact name only, every name comes
// after `--`, and a failure line says which step failed and whether the old one was put back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sh } from '../../src/core/command.ts';
import { parseReplaceFailure, replaceCommand } from '../../src/docker/commands.ts';

test('replaceCommand finds containers by exact name (never an image or an id prefix) and passes names after --', () => {
  const script = replaceCommand('abc123', sh`docker run -d --name abc123 -- img`).script;
  assert.match(script, /docker inspect --type container -f '\{\{\.Id\}\} \{\{\.Name\}\}' -- "\$1"/);
  assert.match(script, /\[ "\$\{o#\* \}" = "\/\$1" \]/, 'the name docker answers with must be /NAME');
  assert.doesNotMatch(script, /docker (inspect|rename|rm|kill|start|logs) (?!--|-f --|--type container|--tail 3 --)/, 'every docker call ends its options before a name');
  assert.match(script, /name='?abc123'?; aside='?abc123-hitc-replaced'?;/);
  // the new container must still run after the settle time, else the old one comes back
  assert.match(script, /sleep 2\n {2}if \[ "\$\(docker inspect --type container -f '\{\{\.State\.Running\}\}' -- "\$id" 2>\/dev\/null\)" != true \]/);
});

test('parseReplaceFailure reads the step, whether the old container was put back, and the code', () => {
  assert.deepEqual(parseReplaceFailure('x\nhitc-replace-failed exited yes 3\n'), { step: 'exited', restored: 'yes', code: '3' });
  assert.deepEqual(parseReplaceFailure('hitc-replace-failed run no 125'), { step: 'run', restored: 'no', code: '125' });
  assert.equal(parseReplaceFailure('[{"Id":"x"}]\n--hitc-docker-state--'), undefined);
});
