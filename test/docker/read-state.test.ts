import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANSWER_MARK, IMAGES_MARK, INSPECT_ALL, readStateCommand, STATE_SEPARATOR } from '../../src/docker/commands.ts';
import { parseHostState, parseStateImageIds } from '../../src/docker/inspect.ts';

const fixture = readFileSync(join(import.meta.dirname, 'fixtures/inspect-web.json'), 'utf8');
const [web, old] = (JSON.parse(fixture) as unknown[]).map((x) => JSON.stringify(x)) as [string, string];
const PREAMBLE = `if ! command -v docker >/dev/null 2>&1; then echo no-docker; exit 0; fi
docker_api() { [ -z "$DOCKER_HOST" ] && [ -S /var/run/docker.sock ] && command -v curl >/dev/null 2>&1 && curl -sf --max-time 20 --unix-socket /var/run/docker.sock "http://docker$1"; }
if list=$(docker_api '/containers/json?all=1'); then
  set --
  for id in $(printf '%s' "$list" | grep -o '"Id":"[0-9a-f]*"'); do id=\${id#*:\\"}; set -- "$@" "http://docker/containers/\${id%\\"}/json"; done
`;
const JOIN = `curl -s --max-time 20 --unix-socket /var/run/docker.sock -w '\\n--hitc-answer-- %{http_code} %{url_effective}\\n' "$@" | awk '/^--hitc-answer-- / { if ($3 ~ /\\/images\\/json$/) { images = 1; if ($2 == 200) ids = body } else if ($2 == 200) { all = all sep body; sep = "," } body = ""; next } { body = body $0 } END { print "[" all "]"; if (images) { print "--hitc-docker-images--"; if (ids == "") exit 3; print ids } }'`;

test('the state read asks the Engine API for every container in one curl, the CLI otherwise', () => {
  assert.equal(readStateCommand().script, `${PREAMBLE}  if [ $# -gt 0 ]; then ${JOIN}; else echo '[]'; fi
else
  ids=$(docker ps -aq --no-trunc) || exit $?
  if [ -n "$ids" ]; then docker inspect $ids; else echo '[]'; fi
fi
echo --hitc-docker-state--
iptables -w -t nat -S HITC-BIND 2>/dev/null || true`);
});

test("given images, the state read lists them in the containers' curl; the CLI, tag by tag, when it can't", () => {
  const cli = `for i in app:1 'a b'; do id=$(docker image inspect -f '{{.Id}}' -- "$i" 2>/dev/null) && echo "$id $i"; done`;
  assert.equal(readStateCommand(['app:1', 'a b']).script, `${PREAMBLE}  set -- "$@" http://docker/images/json
  ${JOIN} || ${cli}
else
  ids=$(docker ps -aq --no-trunc) || exit $?
  if [ -n "$ids" ]; then docker inspect $ids; else echo '[]'; fi
  echo --hitc-docker-images--; ${cli}
fi
echo --hitc-docker-state--
iptables -w -t nat -S HITC-BIND 2>/dev/null || true`);
});

/** INSPECT_ALL run by sh with `curl` answering `answers` (what curl prints with its -w); then
 *  what a failed image list falls back to. */
function joinAnswers(answers: string): string {
  return execFileSync('sh', ['-c', `curl() { printf '%s' "$ANSWERS"; }\nset -- a b c\n${INSPECT_ALL} || echo fallback $?`], { env: { ...process.env, ANSWERS: answers }, encoding: 'utf8' });
}
const answer = (body: string, code: number, url: string): string => `${body}\n\n${ANSWER_MARK} ${code} http://docker${url}\n`;

test("one curl's answers become the array docker inspect prints: the same containers, a vanished one left out", () => {
  const joined = joinAnswers(answer(web, 200, '/containers/1/json') + answer('{"message":"No such container: gone"}', 404, '/containers/2/json') + answer(old, 200, '/containers/3/json'));
  assert.deepEqual(JSON.parse(joined), JSON.parse(fixture));
  assert.deepEqual(parseHostState(`${joined}${STATE_SEPARATOR}\n`), parseHostState(`${fixture}\n${STATE_SEPARATOR}\n`));
  assert.equal(joinAnswers(answer('{"message":"No such container: gone"}', 404, '/containers/2/json')).trim(), '[]');
});

test('an answer cut short is not quietly a smaller list: it cannot be read', () => {
  const joined = joinAnswers(`${web.slice(0, 40)}\n${ANSWER_MARK} 200 http://docker/containers/1/json\n`);
  assert.throws(() => parseHostState(`${joined}${STATE_SEPARATOR}\n`), SyntaxError);
});

test('the image list answered in the same curl follows the array; a failed one leaves the CLI to read the ids', () => {
  const images = '[{"Id":"sha256:abc","RepoTags":["app:1"]}]';
  const joined = joinAnswers(answer(web, 200, '/containers/1/json') + answer(images, 200, '/images/json'));
  assert.equal(joined, `[${web}]\n${IMAGES_MARK}\n${images}\n`);
  const output = `${joined}${STATE_SEPARATOR}\n`;
  assert.deepEqual(parseStateImageIds(output), { 'app:1': 'sha256:abc' });
  assert.deepEqual(parseHostState(output), parseHostState(`[${web}]\n${STATE_SEPARATOR}\n`));
  assert.equal(joinAnswers(answer('', 500, '/images/json')), `[]\n${IMAGES_MARK}\nfallback 3\n`);
  // the CLI's `ID TAG` lines read the same; no images section, no ids
  assert.deepEqual(parseStateImageIds(`[]\n${IMAGES_MARK}\nsha256:abc app:1\n${STATE_SEPARATOR}\n`), { 'app:1': 'sha256:abc' });
  assert.deepEqual(parseStateImageIds(`[]\n${STATE_SEPARATOR}\n`), {});
  assert.deepEqual(parseStateImageIds('no-docker\n'), {});
});
