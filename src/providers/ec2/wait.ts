// After launch: poll DescribeInstances until every new instance runs with a public address.
// SSH readiness is the caller's business (it waits on port 22 for every provider alike).

import type * as Sdk from '@aws-sdk/client-ec2';
import type { Node, ProviderEnv } from '../types.ts';
import { ProviderError } from '../types.ts';
import type { Ec2Api } from './client.ts';
import { PROVIDER } from './config.ts';
import { hasCode } from './errors.ts';
import { describeByIds, instanceToNode, nameTag } from './nodes.ts';
import { countSummary, formatDuration, plural, sleep, type PollTiming } from './poll.ts';

const DEAD = new Set(['shutting-down', 'terminated', 'stopping', 'stopped']);
const NO_ADDRESS = 'running, no public IP yet';

export async function waitForInstances(api: Ec2Api, ids: readonly string[], env: ProviderEnv, timing: PollTiming, deadline: number): Promise<Node[]> {
  const runningWithoutAddressSince = new Map<string, number>();
  let reported = '';
  for (;;) {
    let instances: Sdk.Instance[] = [];
    try {
      instances = await describeByIds(api, ids, env.signal);
    } catch (error) {
      // right after RunInstances, EC2 may not know the new ids yet (eventual consistency)
      if (!hasCode(error, 'InvalidInstanceID.NotFound')) throw error;
    }
    const byId = new Map(instances.map((i) => [i.InstanceId ?? '', i]));
    const labels: string[] = [];
    for (const id of ids) {
      const inst = byId.get(id);
      const state = inst?.State?.Name ?? 'pending';
      if (inst && DEAD.has(state)) {
        const why = inst.StateReason?.Message ?? inst.StateTransitionReason;
        throw new ProviderError(PROVIDER, `instance ${id}${label(inst, env)} is ${state} instead of starting${why ? `: ${why}` : ''}`, {
          hint: 'hitc nodes shows what is left; a capacity or quota problem shows in the EC2 console',
        });
      }
      if (state === 'running' && !inst?.PublicIpAddress) {
        const since = runningWithoutAddressSince.get(id) ?? Date.now();
        runningWithoutAddressSince.set(id, since);
        if (Date.now() - since > timing.noAddressGraceMs) {
          throw new ProviderError(PROVIDER, `instance ${id}${label(inst, env)} is running but has no public IP address`, {
            hint: 'hitc connects over the public address: launch in a subnet that assigns public IPv4 addresses (the default VPC does)',
          });
        }
        labels.push(NO_ADDRESS);
      } else {
        labels.push(state);
      }
    }
    if (labels.every((l) => l === 'running')) return ids.map((id) => instanceToNode(byId.get(id) as Sdk.Instance, env.namePrefix));

    const message = `waiting for ${plural(ids.length, 'instance')} to start [${countSummary(labels)}]`;
    if (message !== reported) env.progress(message);
    reported = message;
    if (Date.now() >= deadline) {
      const waiting = ids.flatMap((id, i) => (labels[i] === 'running' ? [] : [`${id}${label(byId.get(id), env)} ${labels[i]}`]));
      throw new ProviderError(PROVIDER, `instances did not start within ${formatDuration(timing.timeoutMs)}: ${waiting.join(', ')}`, {
        hint: 'they may still come up: hitc nodes shows them, hitc terminate removes them',
      });
    }
    await sleep(Math.min(timing.intervalMs, deadline - Date.now()), env.signal);
  }
}

function label(inst: Sdk.Instance | undefined, env: ProviderEnv): string {
  const tag = inst ? nameTag(inst) : undefined;
  return tag ? ` (${tag.startsWith(env.namePrefix) ? tag.slice(env.namePrefix.length) : tag})` : '';
}
