// The ec2.* tasks (the original's ec2 module exposed spot_requests and cancel_spot_request).
// They talk to the API only, so they run locally, once, without hosts. Importing this module
// does not load the AWS SDK; the first API call does.

import { UsageError } from '../core/errors.ts';
import { renderTable } from '../core/table.ts';
import type { TaskContext } from '../taskfile/context-types.ts';
import { task } from '../taskfile/define.ts';
import type { ProviderEnv } from '../providers/types.ts';
import { credentialsProblem } from '../providers/ec2/config.ts';
import type { SpotRequestRow } from '../providers/ec2/index.ts';

// the provider's modules load only when an ec2 task runs, not at every hitc start
const provider = () => import('../providers/ec2/index.ts');

function providerEnv(c: TaskContext): ProviderEnv {
  return { namePrefix: c.cloud.namePrefix, progress: (m) => c.log(m), signal: c.signal };
}

/** These tasks need credentials only (no key pair): check just that, with the same wording. */
function requireCredentials(): void {
  const problem = credentialsProblem();
  if (problem) throw new UsageError(`provider ec2 is not configured: ${problem}`, { argument: 'ec2' });
}

export const spot_requests = task(
  { description: 'List the EC2 spot instance requests: id, bid, create_time, state, status, instance_id', local: true, runsOnce: true },
  async (c): Promise<SpotRequestRow[]> => {
    requireCredentials();
    const { createEc2Provider, SPOT_REQUEST_COLUMNS } = await provider();
    const rows = await createEc2Provider().spotRequests(providerEnv(c));
    if (rows.length === 0) {
      c.log('no spot requests');
      return rows;
    }
    for (const line of renderTable(SPOT_REQUEST_COLUMNS, rows.map((r) => SPOT_REQUEST_COLUMNS.map((k) => r[k])))) c.log(line);
    return rows;
  },
);

export const cancel_spot_request = task(
  {
    description: 'Cancel an EC2 spot instance request\nAn instance it already started keeps running: hitc terminate removes that.',
    local: true,
    runsOnce: true,
    params: { request_id: { type: 'string', required: true, description: 'sir-… (see ec2.spot_requests)' } },
  },
  async (c, { request_id }) => {
    requireCredentials();
    const result = await (await provider()).createEc2Provider().cancelSpotRequest(request_id, providerEnv(c));
    c.log(`spot request ${result.id}: ${result.state}`);
    if (result.instance_id) c.log(`its instance ${result.instance_id} keeps running (hitc terminate removes it)`);
    return result;
  },
);
