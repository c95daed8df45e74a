// Spot servers (create with bid=): request, wait until every request is fulfilled, clean up when
// one cannot be. Plus the listing and cancelling behind ec2.spot_requests / ec2.cancel_spot_request.

import { randomUUID } from 'node:crypto';
import type * as Sdk from '@aws-sdk/client-ec2';
import { UsageError } from '../../core/errors.ts';
import type { ProviderEnv } from '../types.ts';
import { ProviderError } from '../types.ts';
import type { Ec2Api } from './client.ts';
import { PROVIDER } from './config.ts';
import { Ec2ApiError, hasCode } from './errors.ts';
import { countSummary, formatDuration, plural, sleep, type PollTiming } from './poll.ts';

export interface LaunchSpec {
  readonly imageId: string;
  readonly size: string;
  readonly keyName: string | undefined;
  readonly securityGroup: string;
  readonly placement: string;
}

/** Status codes after which a request will never be fulfilled (price-too-low stays "open" in
 *  EC2, waiting for the price to drop; hitc gives up at once rather than wait for a maybe). */
const HOPELESS = new Set(['price-too-low', 'bad-parameters', 'system-error', 'schedule-expired', 'canceled-before-fulfillment', 'constraint-not-fulfillable', 'launch-group-constraint', 'az-group-constraint', 'placement-group-constraint']);

/** Requests one-time spot instances, one per name, waits until all are fulfilled and gives each
 *  its tags. Returns their instance ids, in name order. Until every instance is tagged, any
 *  failure (an API error, the deadline, Ctrl-C) cancels the requests and terminates what they
 *  started: an untagged instance is invisible to hitc and costs money, and an open request
 *  would start one later. The clean-up is kept alive past an abort (env.keep). */
export function launchSpot(
  api: Ec2Api,
  spec: LaunchSpec,
  names: readonly string[],
  tagsFor: (name: string) => Sdk.Tag[],
  bid: string,
  env: ProviderEnv,
  timing: PollTiming,
  deadline: number,
): Promise<string[]> {
  // kept from the first call on: Ctrl-C during the request itself must not let hitc exit
  // before the requests it made are cancelled
  const work = (async (): Promise<string[]> => {
    if (env.signal.aborted) throw env.signal.reason; // interrupted before anything was asked for
    const count = names.length;
    env.progress(`requesting ${plural(count, 'spot instance')} of size ${spec.size} at $${Number(bid).toFixed(3)}/h`);
    // Not aborted by the signal: a request cut off half way may exist without hitc knowing its
    // ids, so nothing could cancel it. It is bounded by the client's timeouts instead, and the
    // client token makes the SDK's own retries return the same requests rather than new ones.
    const request: Sdk.RequestSpotInstancesCommandInput = {
      SpotPrice: bid,
      InstanceCount: count,
      Type: 'one-time',
      ClientToken: randomUUID(),
      LaunchSpecification: {
        ImageId: spec.imageId,
        InstanceType: spec.size as Sdk._InstanceType,
        ...(spec.keyName ? { KeyName: spec.keyName } : {}),
        SecurityGroups: [spec.securityGroup],
        ...(spec.placement ? { Placement: { AvailabilityZone: spec.placement } } : {}),
      },
    };
    let created: Sdk.RequestSpotInstancesCommandOutput;
    try {
      created = await api.call('RequestSpotInstances', request);
    } catch (error) {
      // No answer (rather than a refusal): the requests may exist without hitc knowing their ids.
      // Asked again with the same client token, EC2 returns those requests (or makes them), so
      // hitc learns the ids and cancels them; only when that fails too is the user told to look.
      if (error instanceof ProviderError && !(error instanceof Ec2ApiError)) {
        const again = await api.call('RequestSpotInstances', request).catch(() => undefined);
        const ids = (again?.SpotInstanceRequests ?? []).map((r) => r.SpotInstanceRequestId ?? '').filter((id) => id !== '');
        error.message = again
          ? `${error.message}; ${await cancelAndTerminate(api, ids)}`
          : `${error.message}; spot requests may have been made: hitc ec2.spot_requests lists them, hitc ec2.cancel_spot_request cancels one`;
      }
      throw error;
    }
    const requestIds = (created.SpotInstanceRequests ?? []).map((r) => r.SpotInstanceRequestId ?? '').filter((id) => id !== '');
    try {
      if (env.signal.aborted) throw env.signal.reason;
      const ids = await waitForFulfilment(api, requestIds, bid, env, timing, deadline);
      // Spot requests cannot name their instances: tag them now, one name each.
      for (const [i, id] of ids.entries()) {
        await api.call('CreateTags', { Resources: [id], Tags: tagsFor(names[i] as string) }, env.signal);
      }
      return ids;
    } catch (error) {
      env.progress(`create stopped: cancelling ${plural(requestIds.length, 'spot request')} and terminating what they started`);
      const cleanup = await cancelAndTerminate(api, requestIds);
      env.progress(cleanup);
      // say what was cleaned up in the same one-line error (keeps its class and API code)
      if (error instanceof ProviderError) error.message = `${error.message}; ${cleanup}`;
      throw error;
    }
  })();
  env.keep?.(work);
  return work;
}

async function waitForFulfilment(api: Ec2Api, requestIds: string[], bid: string, env: ProviderEnv, timing: PollTiming, deadline: number): Promise<string[]> {
  let reported = '';
  for (;;) {
    let requests: Sdk.SpotInstanceRequest[] = [];
    try {
      for await (const page of api.pages('DescribeSpotInstanceRequests', { SpotInstanceRequestIds: requestIds }, env.signal)) requests.push(...(page.SpotInstanceRequests ?? []));
    } catch (error) {
      // brand-new request ids may not be visible yet (eventual consistency)
      if (!hasCode(error, 'InvalidSpotInstanceRequestID.NotFound')) throw error;
      requests = [];
    }
    const byId = new Map(requests.map((r) => [r.SpotInstanceRequestId ?? '', r]));
    // Every request is checked (the original only looked at the last one's status).
    for (const r of requests) {
      const code = r.Status?.Code ?? '';
      if (code === 'price-too-low') {
        throw new ProviderError(PROVIDER, `spot bid $${bid} is too low for ${r.LaunchSpecification?.InstanceType ?? 'this size'} (request ${r.SpotInstanceRequestId}): ${r.Status?.Message ?? code}`, {
          hint: 'raise bid=, or see the current prices with hitc pricing',
        });
      }
      if (HOPELESS.has(code) || ((r.State === 'failed' || r.State === 'cancelled' || r.State === 'closed') && !r.InstanceId)) {
        throw new ProviderError(PROVIDER, `spot request ${r.SpotInstanceRequestId} ${r.State ?? 'failed'}: ${code}${r.Status?.Message ? `: ${r.Status.Message}` : ''}`, {
          hint: r.Fault?.Message ?? 'hitc ec2.spot_requests lists the requests and their status',
        });
      }
    }
    const done = requestIds.map((id) => byId.get(id)).filter((r): r is Sdk.SpotInstanceRequest => r?.Status?.Code === 'fulfilled' && Boolean(r.InstanceId));
    if (done.length === requestIds.length) return done.map((r) => r.InstanceId as string);

    const labels = requestIds.map((id) => byId.get(id)?.Status?.Code ?? 'pending-evaluation');
    const message = `waiting for ${plural(requestIds.length, 'spot request')} to be fulfilled [${countSummary(labels)}]`;
    if (message !== reported) env.progress(message);
    reported = message;
    if (Date.now() >= deadline) {
      throw new ProviderError(PROVIDER, `spot requests not fulfilled within ${formatDuration(timing.timeoutMs)} [${countSummary(labels)}]`, {
        hint: 'spot capacity may be short for this size and zone: try another size=, placement= or a higher bid=',
      });
    }
    await sleep(Math.min(timing.intervalMs, deadline - Date.now()), env.signal);
  }
}

/** Best effort, and deliberately without the run's abort signal (it runs after Ctrl-C too;
 *  the client's timeouts bound it). Cancels first, so no request starts another instance,
 *  then terminates every instance the requests started. Says what it did, or what is left. */
async function cancelAndTerminate(api: Ec2Api, requestIds: string[]): Promise<string> {
  if (requestIds.length === 0) return 'no spot request to cancel';
  try {
    await api.call('CancelSpotInstanceRequests', { SpotInstanceRequestIds: requestIds });
    let requests: Sdk.SpotInstanceRequest[] = [];
    for (let attempt = 0; ; attempt++) {
      try {
        requests = [];
        for await (const page of api.pages('DescribeSpotInstanceRequests', { SpotInstanceRequestIds: requestIds })) requests.push(...(page.SpotInstanceRequests ?? []));
        break;
      } catch (error) {
        // brand-new ids may not be visible yet: a few short retries, then give up loudly
        if (!hasCode(error, 'InvalidSpotInstanceRequestID.NotFound') || attempt >= 4) throw error;
        await sleep(500 * (attempt + 1));
      }
    }
    const instanceIds = requests.map((r) => r.InstanceId).filter((id): id is string => Boolean(id));
    if (instanceIds.length > 0) await api.call('TerminateInstances', { InstanceIds: instanceIds });
    return `cancelled ${plural(requestIds.length, 'spot request')} (${requestIds.join(', ')})${instanceIds.length > 0 ? ` and terminated their ${plural(instanceIds.length, 'instance')} (${instanceIds.join(', ')})` : ''}`;
  } catch (error) {
    return `cleaning up failed (${(error as Error).message}): cancel ${requestIds.join(', ')} with hitc ec2.cancel_spot_request and terminate their instances (hitc ec2.spot_requests lists them)`;
  }
}

export interface SpotRequestRow {
  readonly id: string;
  readonly bid: string;
  readonly create_time: string;
  readonly state: string;
  readonly status: string;
  readonly instance_id: string;
}

export const SPOT_REQUEST_COLUMNS = ['id', 'bid', 'create_time', 'state', 'status', 'instance_id'] as const;

/** All spot requests of the account in the region (the original's spot_requests table). */
export async function listSpotRequests(api: Ec2Api, signal?: AbortSignal): Promise<SpotRequestRow[]> {
  const rows: SpotRequestRow[] = [];
  for await (const page of api.pages('DescribeSpotInstanceRequests', { MaxResults: 1000 }, signal)) {
    for (const r of page.SpotInstanceRequests ?? []) {
      rows.push({
        id: r.SpotInstanceRequestId ?? '',
        bid: r.SpotPrice ?? '',
        create_time: r.CreateTime ? new Date(r.CreateTime).toISOString() : '',
        state: r.State ?? '',
        status: r.Status?.Code ?? '',
        instance_id: r.InstanceId ?? '',
      });
    }
  }
  return rows.sort((a, b) => a.create_time.localeCompare(b.create_time) || a.id.localeCompare(b.id));
}

export interface CancelledSpotRequest {
  readonly id: string;
  readonly state: string;
  /** The instance the request started: cancelling a request does not terminate it. */
  readonly instance_id: string | null;
}

export async function cancelSpotRequest(api: Ec2Api, id: string, signal?: AbortSignal): Promise<CancelledSpotRequest> {
  if (!/^sir-[0-9a-z]+$/.test(id)) {
    throw new UsageError(`"${id}" is not a spot request id`, { argument: id, hint: 'spot request ids look like sir-0123abcd; hitc ec2.spot_requests lists them' });
  }
  const out = await api.call('CancelSpotInstanceRequests', { SpotInstanceRequestIds: [id] }, signal);
  const described = await api.call('DescribeSpotInstanceRequests', { SpotInstanceRequestIds: [id] }, signal);
  const cancelled = out.CancelledSpotInstanceRequests?.[0];
  return { id, state: cancelled?.State ?? 'unknown', instance_id: described.SpotInstanceRequests?.[0]?.InstanceId ?? null };
}
