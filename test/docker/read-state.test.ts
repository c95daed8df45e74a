import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANSWER_MARK, INSPECT_ALL, readStateCommand, STATE_SEPARATOR } from '../../src/docker/commands.ts';
import { parseHostState } from '../../src/docker/inspect.ts';

const fixture = readFileSync(join(import.meta.dirname, 'fixtures/inspect-web.json'), 'utf8');

test('the state read asks the Engine API for every container in one curl, the CLI otherwise', () => {
  assert.equal(readStateCommand().script, `if ! command -v docker >/dev/null 2>&1; then echo no-docker; exit 0; fi
docker_api() { [ -z "$DOCKER_HOST" ] && [ -S /var/run/docker.sock ] && command -v curl >/dev/null 2>&1 && curl -sf --max-time 20 --unix-socket /var/run/docker.sock "http://docker$1"; }
if list=$(docker_api '/containers/json?all=1'); then
  set --
  for id in $(printf '%s' "$list" | grep -o '"Id":"[0-9a-f]*"'); do id=\${id#*:\\"}; set -- "$@" "http://docker/containers/\${id%\\"}/json"; done
  if [ $# -gt 0 ]; then curl -s --max-time 20 --unix-socket /var/run/docker.sock -w '\\n--hitc-answer-- %{http_code}\\n' "$@" | awk '/^--hitc-answer-- / { if ($2 == 200) { all = all sep body; sep = "," } body = ""; next } { body = body $0 } END { print "[" all "]" }'; else echo '[]'; fi
else
  ids=$(docker ps -aq --no-trunc) || exit $?
  if [ -n "$ids" ]; then docker inspect $ids; else echo '[]'; fi
fi
echo --hitc-docker-state--
iptables -w -t nat -S HITC-BIND 2>/dev/null || true`);
});

/** INSPECT_ALL run by sh with `curl` answering `answers` (what curl prints with its -w). */
function joinAnswers(answers: string): string {
  return execFileSync('sh', ['-c', `curl() { printf '%s' "$ANSWERS"; }\nset -- a b c\n${INSPECT_ALL}`], { env: { ...process.env, ANSWERS: answers }, encoding: 'utf8' });
}

test("one curl's answers become the array docker inspect prints: the same containers, a vanished one left out", () => {
  const [web, old] = (JSON.parse(fixture) as unknown[]).map((x) => JSON.stringify(x));
  const answers = `${web}\n\n${ANSWER_MARK} 200\n{"message":"No such container: gone"}\n\n${ANSWER_MARK} 404\n${old}\n\n${ANSWER_MARK} 200\n`;
  const joined = joinAnswers(answers);
  assert.deepEqual(JSON.parse(joined), JSON.parse(fixture));
  assert.deepEqual(parseHostState(`${joined}${STATE_SEPARATOR}\n`), parseHostState(`${fixture}\n${STATE_SEPARATOR}\n`));
  assert.equal(joinAnswers(`{"message":"No such container: gone"}\n\n${ANSWER_MARK} 404\n`).trim(), '[]');
});

test('an answer cut short is not quietly a smaller list: it cannot be read', () => {
  const [web] = (JSON.parse(fixture) as unknown[]).map((x) => JSON.stringify(x));
  const joined = joinAnswers(`${web!.slice(0, 40)}\n${ANSWER_MARK} 200\n`);
  assert.throws(() => parseHostState(`${joined}${STATE_SEPARATOR}\n`), SyntaxError);
});
