// Shared set-up of the provider safety tests: a fake EC2 endpoint (the real SDK against the
// EC2 wire protocol, see test/providers/ec2/fake-ec2-server.ts) whose instances are bed hosts,
// a sandbox, and the environment that points hitc at both.
import { after } from 'node:test';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bed, sandbox, type Sandbox } from '../integration/bed.ts';
import { startFakeEc2, type FakeEc2, type FakeInstance } from '../providers/ec2/fake-ec2-server.ts';
import { tempDir } from '../helpers/temp.ts';

export interface Ec2Bed {
  fake: FakeEc2;
  box: Sandbox;
  env: Record<string, string>;
}

/** Bed hosts 45..47 stand in for this suite's instances (nothing is created on them). */
export async function ec2Bed(options: { startDelayMs?: number; box?: Sandbox } = {}): Promise<Ec2Bed> {
  const b = bed();
  const fake = await startFakeEc2({ ips: b.hosts.slice(45, 48), startDelayMs: options.startDelayMs ?? 200 });
  after(() => fake.close());
  const box = options.box ?? sandbox();
  copyFileSync(b.key, join(box.dir, 'aws_key'));
  const env = {
    AWS_ENDPOINT_URL_EC2: fake.url,
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'secret-test-key',
    AWS_REGION: 'us-east-1',
    AWS_KEYPAIR_NAME: 'hitc',
    AWS_SSH_KEY_FILENAME: join(box.dir, 'aws_key'),
    AWS_EC2_METADATA_DISABLED: 'true',
    HITC_EC2_SSH_USER: 'root',
    HITC_CACHE_FILE: join(tempDir('sf-providers-cache-'), 'nodes.json'),
  };
  return { fake, box, env };
}

/** A running instance in the fake, as if launched earlier, tagged HITC-<name>. */
export function runningInstance(fake: FakeEc2, name: string, ip: string): FakeInstance {
  const n = fake.instances.length;
  const inst: FakeInstance = {
    id: `i-05f${String(n).padStart(14, '0')}`,
    reservationId: `r-05f${String(n).padStart(14, '0')}`,
    imageId: 'ami-02404a0000000002',
    type: 't3.micro',
    state: 'running',
    ip,
    privateIp: `172.31.9.${n + 10}`,
    zone: 'us-east-1a',
    keyName: 'hitc',
    groups: ['default'],
    tags: { Name: `HITC-${name}` },
    launchTime: new Date(Math.floor(Date.now() / 1000) * 1000),
    readyAt: 0,
    reboots: 0,
  };
  fake.instances.push(inst);
  return inst;
}

/** known_hosts naming `host` with a freshly made key of each type the bed's hosts offer:
 *  whichever type hitc negotiates, the recorded key is not the host's. */
export function wrongKnownHosts(host: string): string {
  const dir = tempDir('sf-providers-keys-');
  return ['ed25519', 'ecdsa', 'rsa']
    .map((type) => {
      const file = join(dir, type);
      execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file]);
      const [kind, blob] = readFileSync(`${file}.pub`, 'utf8').split(' ');
      return `${host} ${kind} ${blob}\n`;
    })
    .join('');
}
