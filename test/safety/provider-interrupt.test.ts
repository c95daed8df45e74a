// Ctrl-C during a spot create, and an EC2 endpoint that never answers, through the real CLI and
// the real AWS SDK against the fake EC2 endpoint. An interrupted create must leave no open spot
// request (it would start an instance later) and no untagged instance (invisible to hitc, and
// billed); a hung endpoint must end in a clear error, not a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hitc } from '../integration/bed.ts';
import { ec2Bed } from './provider-helpers.ts';

test('SIGINT while a spot create waits for fulfilment: requests cancelled, nothing left running untagged, exit 130', async () => {
  const { fake, box, env } = await ec2Bed({ startDelayMs: 3_000 }); // fulfilment comes 3 s after the request
  let sent = false;
  const r = await hitc(box, ['create:provider=ec2,count=2,name=sf-providers-spot,bid=0.05'], {
    env,
    timeoutMs: 60_000,
    onStdout: (text, child) => {
      if (!sent && /waiting for 2 spot requests to be fulfilled/.test(text)) {
        sent = true;
        child.kill('SIGINT');
      }
    },
  });
  const out = r.stdout + r.stderr;
  assert.ok(sent, `never saw the wait:\n${out}`);
  assert.equal(r.code, 130, out);
  assert.match(out, /cancelled 2 spot requests \(sir-[0-9a-f]+, sir-[0-9a-f]+\)/);
  assert.match(out, /interrupted/);
  assert.equal(fake.spotRequests.length, 2);
  assert.deepEqual(fake.spotRequests.map((s) => s.state), ['cancelled', 'cancelled'], 'no spot request left open');

  // long after the fulfilment time, nothing was started by the cancelled requests
  await new Promise((resolve) => setTimeout(resolve, 3_500));
  const listed = await hitc(box, ['ec2.spot_requests'], { env });
  assert.equal(listed.code, 0, listed.stdout + listed.stderr);
  assert.equal((listed.stdout.match(/\bcancelled\b/g) ?? []).length, 2, listed.stdout);
  const running = fake.instances.filter((i) => i.state === 'pending' || i.state === 'running');
  assert.deepEqual(running.filter((i) => !i.tags.Name), [], 'no untagged instance runs');
  assert.equal(fake.calls.TerminateInstances ?? 0, 0, 'nothing had started, so nothing to terminate');
});

test('SIGINT after fulfilment, before the instances are tagged: they are terminated', async () => {
  const { fake, box, env } = await ec2Bed({ startDelayMs: 300 });
  fake.knobs.hang = 'CreateTags'; // tagging hangs: the window where instances run untagged
  // nothing is printed while tagging: watch the fake, and interrupt once CreateTags arrived
  let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
  let sent = false;
  const watch = setInterval(() => {
    if (!sent && child && fake.calls.CreateTags) {
      sent = true;
      child.kill('SIGINT');
    }
  }, 50);
  const r = await hitc(box, ['create:provider=ec2,name=sf-providers-tag,bid=0.05'], {
    env: { ...env, HITC_EC2_REQUEST_TIMEOUT_SECONDS: '30' },
    timeoutMs: 60_000,
    onStdout: (_text, c) => (child ??= c),
  }).finally(() => clearInterval(watch));
  assert.ok(sent, 'SIGINT was sent while tagging');
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 130, out);
  assert.equal(fake.instances.length, 1);
  assert.ok(['shutting-down', 'terminated'].includes(fake.instances[0]!.state), `the untagged instance was terminated: ${fake.instances[0]!.state}`);
  assert.equal(fake.spotRequests[0]!.state, 'cancelled');
  assert.match(out, /cancelled 1 spot request \(sir-[0-9a-f]+\) and terminated their 1 instance \(i-[0-9a-f]+\)/);
});

test('an EC2 endpoint that accepts and never answers: hitc fails within its timeout with a clear error', async () => {
  const { fake, box, env } = await ec2Bed();
  fake.knobs.hang = true;
  const r = await hitc(box, ['create:provider=ec2,name=sf-providers-hang'], { env: { ...env, HITC_EC2_REQUEST_TIMEOUT_SECONDS: '1' }, timeoutMs: 60_000 });
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 1, out);
  assert.match(out, /ec2: DescribeImages: no answer from EC2 at http:\/\/127\.0\.0\.1:\d+ within 1 s \(3 attempts\)/);
  assert.match(out, /HITC_EC2_REQUEST_TIMEOUT_SECONDS/);
  assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
  assert.ok(r.ms < 20_000, `took ${r.ms} ms`);
  assert.equal(fake.calls.RunInstances, undefined);
});
