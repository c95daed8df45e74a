// create for ec2: on-demand (RunInstances) or spot (bid=), then wait until all run with an
// address. Names become Name tags with the name prefix (HITC-web).

import type * as Sdk from '@aws-sdk/client-ec2';
import type { CreateRequest, Node, ProviderEnv } from '../types.ts';
import { ensembleTag, ProviderError } from '../types.ts';
import { ENSEMBLE_TAG, IMAGE_TAG } from './nodes.ts';
import type { Ec2Api } from './client.ts';
import { keyPairName } from './config.ts';
import { plural, type PollTiming } from './poll.ts';
import { launchSpot, type LaunchSpec } from './spot.ts';
import { waitForInstances } from './wait.ts';

function ensembleTags(request: CreateRequest): Sdk.Tag[] {
  // the image as asked for (an alias or an AMI id): compared with the manifest later, so a new
  // build of an alias is no reason to replace the server
  const image = request.options.image ? [{ Key: IMAGE_TAG, Value: request.options.image }] : [];
  return [...(request.ensemble ? [{ Key: ENSEMBLE_TAG, Value: ensembleTag(request.ensemble) }] : []), ...image];
}

export async function createEc2Servers(
  api: Ec2Api,
  request: CreateRequest,
  env: ProviderEnv,
  timing: PollTiming,
  resolveImage: (image: string) => Promise<string>,
): Promise<Node[]> {
  const names = request.names;
  if (names.length === 0) return [];
  const o = request.options;
  const deadline = Date.now() + timing.timeoutMs;
  const spec: LaunchSpec = {
    imageId: await resolveImage(o.image ?? ''),
    size: o.size ?? '',
    keyName: keyPairName(),
    securityGroup: o.security_group || 'default',
    placement: o.placement ?? '',
  };

  let ids: string[];
  if (o.bid) {
    ids = await launchSpot(api, spec, names, (name) => [{ Key: 'Name', Value: env.namePrefix + name }, ...ensembleTags(request)], o.bid, env, timing, deadline);
  } else {
    ids = await launchOnDemand(api, spec, names, env, ensembleTags(request));
  }
  return waitForInstances(api, ids, env, timing, deadline);
}

/**
 * One RunInstances per distinct name (count = how often it repeats), each tagged at launch via
 * TagSpecifications: an instance never exists untagged, so a crash between calls cannot leave
 * servers hitc does not see. If a later call fails, the servers already made are named in the
 * error (they are tagged, so `hitc nodes` lists them).
 */
async function launchOnDemand(api: Ec2Api, spec: LaunchSpec, names: readonly string[], env: ProviderEnv, extraTags: readonly Sdk.Tag[]): Promise<string[]> {
  env.progress(names.length === 1 ? `creating EC2 ${spec.size} instance ${names[0]}` : `creating ${names.length} EC2 ${spec.size} instances`);
  const groups = new Map<string, number>();
  for (const n of names) groups.set(n, (groups.get(n) ?? 0) + 1);
  const byName = new Map<string, string[]>();
  for (const [name, count] of groups) {
    let out: Sdk.RunInstancesCommandOutput;
    try {
      out = await api.call(
        'RunInstances',
        {
          ImageId: spec.imageId,
          InstanceType: spec.size as Sdk._InstanceType,
          MinCount: count,
          MaxCount: count,
          ...(spec.keyName ? { KeyName: spec.keyName } : {}),
          SecurityGroups: [spec.securityGroup],
          ...(spec.placement ? { Placement: { AvailabilityZone: spec.placement } } : {}),
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: env.namePrefix + name }, ...extraTags] }],
        },
        env.signal,
      );
    } catch (error) {
      const made = [...byName].flatMap(([n, ids]) => ids.map((id) => `${n} (${id})`));
      if (error instanceof ProviderError && made.length > 0) error.message = `${error.message}; already created: ${made.join(', ')}`;
      throw error;
    }
    const ids = (out.Instances ?? []).map((i) => i.InstanceId ?? '').filter((id) => id !== '');
    if (ids.length !== count) throw new ProviderError('ec2', `RunInstances started ${plural(ids.length, 'instance')} instead of ${count} for ${name}`);
    byName.set(name, ids);
  }
  // back in request order: web, web-1, … (repeated names take their ids in launch order)
  const taken = new Map<string, number>();
  return names.map((n) => {
    const i = taken.get(n) ?? 0;
    taken.set(n, i + 1);
    return (byName.get(n) as string[])[i] as string;
  });
}
