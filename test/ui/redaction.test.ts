// Every output path of src/ui masks registered secrets: formatted errors (text and --json,
// stderr tails, stacks of foreign errors), the --json document, and the guarded streams.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { CommandError, ManifestError } from '../../src/core/errors.ts';
import { clearSecretsForTest, registerSecret, SECRET_MASK } from '../../src/core/redact.ts';
import { errorJson, formatError } from '../../src/ui/format-error.ts';
import { JsonCollector } from '../../src/ui/json-report.ts';
import { guardOutput } from '../../src/ui/redacting-output.ts';

const PW = 'pw-Zq81"x\\y';

beforeEach(() => {
  clearSecretsForTest();
  registerSecret(PW);
});

function commandError(): CommandError {
  return new CommandError({ host: 'web1', command: `echo ${PW}`, exitCode: 3, stdout: `out ${PW}\n`, stderr: `first\nerr ${PW}\n`, hint: `try ${PW}` });
}

test('formatError masks the headline, the stderr tail and the hint', () => {
  const f = formatError(commandError());
  const all = [f.headline, ...f.details, f.hint ?? ''].join('\n');
  assert.ok(!all.includes(PW), all);
  assert.ok(all.includes(`err ${SECRET_MASK}`), all);
});

test('a foreign error (a task threw it) is masked in its message and its stack', () => {
  const f = formatError(new Error(`cannot log in with ${PW}`));
  const all = [f.headline, ...f.details].join('\n');
  assert.equal(f.headline, `cannot log in with ${SECRET_MASK}`);
  assert.ok(!all.includes(PW));
});

test('errorJson masks message, command, stderrTail and manifest issues', () => {
  const text = JSON.stringify([errorJson(commandError()), errorJson(new ManifestError('m.yml', [{ path: 'a', line: 1, message: `bad ${PW}` }]))]);
  assert.ok(!text.includes(PW) && !text.includes(JSON.stringify(PW).slice(1, -1)), text);
  assert.ok(text.includes(SECRET_MASK));
});

test('the --json document masks output lines, task values and errors', () => {
  const json = new JsonCollector();
  json.handle({ type: 'task-start', task: 't', hosts: ['web1'] });
  json.handle({ type: 'output', host: 'web1', stream: 'err', line: `line ${PW}` });
  const doc = json.document([{ task: 't', host: 'web1', status: 'failed', durationMs: 1, value: { pw: PW }, error: commandError() }], 1, 5, new Error(PW));
  const text = JSON.stringify(doc);
  assert.ok(!text.includes(JSON.stringify(PW).slice(1, -1)), text);
  assert.ok(text.includes(`line ${SECRET_MASK}`));
});

test('a guarded stream masks every string and byte chunk, in any encoding', () => {
  const chunks: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk.toString('utf8')); cb(); } }) as unknown as NodeJS.WriteStream;
  guardOutput(sink);
  guardOutput(sink); // twice is once
  sink.write(`a ${PW}\n`);
  sink.write(Buffer.from(`b ${PW}\n`));
  sink.write(Buffer.from('plain\n'));
  sink.write(Buffer.from(`c ${PW}\n`).toString('base64'), 'base64');
  sink.write(Buffer.from(`d ${PW}\n`).toString('hex'), 'hex');
  sink.write(Buffer.from('plain too\n').toString('base64'), 'base64');
  assert.deepEqual(chunks, [`a ${SECRET_MASK}\n`, `b ${SECRET_MASK}\n`, 'plain\n', `c ${SECRET_MASK}\n`, `d ${SECRET_MASK}\n`, 'plain too\n']);
});
