// The audit log as values: the line (exact, masked, cut to one atomic write), the commands that
// append and read it (exact), the parser that skips what is not a record, the readable line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registerSecret, clearSecretsForTest } from '../../../src/core/redact.ts';
import {
  appendAuditCommand, auditLine, formatAuditRecord, MAX_LINE_BYTES, parseAuditLog, readAuditCommand, type AuditRecord,
} from '../../../src/ensemble/apply/audit-commands.ts';

const RECORD: AuditRecord = {
  time: '2026-12-02T11:43:59.123Z', by: 'ann@laptop', ensemble: 'shop', op: 'replace-container:web/app', kind: 'replace-container',
  reason: 'image nginx:1.26 → nginx:1.27', spec: '0123456789abcdef', result: 'done',
};

test('a record is one JSON line, its keys always in one order', () => {
  // keys given in another order come out in the fixed one (the ensemble filter relies on it)
  const shuffled = { result: 'done', spec: RECORD.spec, reason: RECORD.reason, kind: RECORD.kind, op: RECORD.op, ensemble: 'shop', by: RECORD.by, time: RECORD.time } as AuditRecord;
  const line = '{"time":"2026-12-02T11:43:59.123Z","by":"ann@laptop","ensemble":"shop","op":"replace-container:web/app","kind":"replace-container","reason":"image nginx:1.26 → nginx:1.27","spec":"0123456789abcdef","result":"done"}\n';
  assert.equal(auditLine(RECORD), line);
  assert.equal(auditLine(shuffled), line);
  assert.equal(
    auditLine({ time: RECORD.time, by: 'ann@laptop', ensemble: 'shop', op: 'setup-docker:web', kind: 'setup-docker', reason: 'Docker is not installed', result: 'failed', error: '\napt-get failed: exit 100\nE: Unable to locate package\n' }),
    '{"time":"2026-12-02T11:43:59.123Z","by":"ann@laptop","ensemble":"shop","op":"setup-docker:web","kind":"setup-docker","reason":"Docker is not installed","result":"failed","error":"apt-get failed: exit 100"}\n',
  );
});

test('secret values are masked, long text is cut, and any line fits one atomic append', () => {
  registerSecret('hunter2-is-a-bad-password');
  try {
    const leaked = auditLine({ ...RECORD, result: 'failed', reason: 'x', error: 'docker: invalid env hunter2-is-a-bad-password' });
    assert.ok(!leaked.includes('hunter2'), leaked);
    assert.match(leaked, /"error":"docker: invalid env ••••••"/);
  } finally {
    clearSecretsForTest();
  }
  const long = JSON.parse(auditLine({ ...RECORD, reason: 'r'.repeat(1000) })) as AuditRecord;
  assert.equal(long.reason, `${'r'.repeat(299)}…`);
  // 4-byte characters in every free field, plus a newline or quote that JSON escapes
  const wide = auditLine({ ...RECORD, reason: '😀"\n'.repeat(400), result: 'failed', error: '😀\\'.repeat(400) });
  assert.ok(Buffer.byteLength(wide) <= MAX_LINE_BYTES, `${Buffer.byteLength(wide)} bytes`);
  assert.equal(wide.indexOf('\n'), wide.length - 1, 'one line');
  const parsed = JSON.parse(wide) as AuditRecord;
  assert.ok(parsed.reason.endsWith('…') && !parsed.reason.includes('\uFFFD'), 'cut between characters');
  // names too long for any cut of the free text: still one short, parseable line
  const huge = auditLine({ ...RECORD, op: `run-container:web/${'a'.repeat(5000)}` });
  assert.ok(Buffer.byteLength(huge) <= MAX_LINE_BYTES);
  assert.equal(parseAuditLog(huge).records.length, 1);
});

test('the append reads the line from stdin and appends it in one write, exactly', () => {
  const c = appendAuditCommand();
  assert.equal(c.script, "umask 027 && mkdir -p /var/log/hitc && IFS= read -r line && printf '%s\\n' \"$line\" >> /var/log/hitc/audit.log");
  assert.deepEqual(c.secrets, []);
});

test('the read is a tail of the log, or of one ensemble\'s lines, exactly; nothing when there is no log', () => {
  assert.equal(readAuditCommand(20).script, 'if [ -f /var/log/hitc/audit.log ]; then tail -n 20 /var/log/hitc/audit.log; fi');
  assert.equal(readAuditCommand(5, 'shop').script, `if [ -f /var/log/hitc/audit.log ]; then grep -F -e '"ensemble":"shop",' /var/log/hitc/audit.log | tail -n 5; fi`);
  assert.equal(readAuditCommand(5, "it's").script, `if [ -f /var/log/hitc/audit.log ]; then grep -F -e '"ensemble":"it'\\''s",' /var/log/hitc/audit.log | tail -n 5; fi`);
  assert.throws(() => readAuditCommand(0), RangeError);
  assert.throws(() => readAuditCommand(1.5), RangeError);
});

test('the parser keeps records in file order, counts lines that are not records, filters by ensemble', () => {
  const other = auditLine({ ...RECORD, ensemble: 'blog', op: 'run-container:db/pg', kind: 'run-container', result: 'failed', error: 'no space left' });
  const text = [
    auditLine(RECORD).trim(),
    '{"time":"2026-12-02T11:44:00Z","by":"ann@laptop","ensemble":"sho', // cut short
    'not json',
    '[1,2]',
    '{"time":"2026-12-02T11:44:00Z","by":"x","ensemble":"shop","op":"a:b","result":"maybe"}',
    '',
    other.trim(),
    '',
  ].join('\n');
  const all = parseAuditLog(text);
  assert.equal(all.badLines, 4);
  assert.deepEqual(all.records.map((r) => r.op), ['replace-container:web/app', 'run-container:db/pg']);
  assert.deepEqual(all.records[0], RECORD);
  assert.equal(all.records[1]?.error, 'no space left');
  const shop = parseAuditLog(text, 'shop');
  assert.deepEqual(shop.records.map((r) => r.ensemble), ['shop']);
  assert.equal(shop.badLines, 4);
  // a record written without the optional fields still parses, with kind taken from the op id
  const bare = parseAuditLog('{"time":"t","by":"","ensemble":"e","op":"pull-image:web/redis:7","result":"done"}');
  assert.deepEqual(bare.records, [{ time: 't', by: '', ensemble: 'e', op: 'pull-image:web/redis:7', kind: 'pull-image', reason: '', result: 'done' }]);
});

test('the readable line: time to the second, who, ensemble, op, result and the error', () => {
  assert.equal(formatAuditRecord(RECORD), '2026-12-02T11:43:59Z  ann@laptop  shop  replace-container:web/app  done');
  assert.equal(
    formatAuditRecord({ ...RECORD, result: 'failed', error: 'the new container app on web did not start' }),
    '2026-12-02T11:43:59Z  ann@laptop  shop  replace-container:web/app  failed: the new container app on web did not start',
  );
});
