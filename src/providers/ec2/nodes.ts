// EC2 instances as hitc nodes: the Name tag carries the name prefix (HITC-web → web), other
// instances are not ours; terminated and shutting-down ones are gone for hitc's purposes.

import type * as Sdk from '@aws-sdk/client-ec2';
import type { Node, ProviderEnv } from '../types.ts';
import type { Ec2Api } from './client.ts';
import { PROVIDER } from './config.ts';

const GONE = new Set(['terminated', 'shutting-down']);
/** The tag naming the ensemble that created an instance. */
export const ENSEMBLE_TAG = 'hitc:ensemble';
/** The tag recording the image an instance was created from, as asked for (alias or AMI id). */
export const IMAGE_TAG = 'hitc:image';

export function nameTag(instance: Sdk.Instance): string | undefined {
  return instance.Tags?.find((t) => t.Key === 'Name')?.Value;
}

/** Ours: the Name tag starts with the prefix. An empty prefix takes every instance (as the
 *  original did), untagged ones included. */
export function isOurs(instance: Sdk.Instance, namePrefix: string): boolean {
  if (namePrefix === '') return true;
  return nameTag(instance)?.startsWith(namePrefix) ?? false;
}

export function isGone(instance: Sdk.Instance): boolean {
  return GONE.has(instance.State?.Name ?? '');
}

export function instanceToNode(instance: Sdk.Instance, namePrefix: string): Node {
  const id = instance.InstanceId ?? '';
  const tag = nameTag(instance);
  const state = instance.State?.Name ?? 'unknown';
  const ensemble = instance.Tags?.find((t) => t.Key === ENSEMBLE_TAG)?.Value;
  const extra: Record<string, string> = {
    placement: instance.Placement?.AvailabilityZone ?? '',
    image: instance.ImageId ?? '',
    security_group: instance.SecurityGroups?.[0]?.GroupName ?? '',
  };
  if (instance.SpotInstanceRequestId) extra.spot_request = instance.SpotInstanceRequestId;
  const asked = instance.Tags?.find((t) => t.Key === IMAGE_TAG)?.Value;
  if (asked) extra.image_option = asked;
  return {
    provider: PROVIDER,
    id,
    // an untagged instance (only listed with an empty prefix) goes by its id
    name: tag !== undefined && tag.startsWith(namePrefix) ? tag.slice(namePrefix.length) || id : id,
    size: instance.InstanceType ?? null,
    ip: instance.PublicIpAddress ?? null,
    internalIp: instance.PrivateIpAddress ?? null,
    state,
    running: state === 'running',
    created: instance.LaunchTime ? new Date(instance.LaunchTime).toISOString() : null,
    extra,
    ...(ensemble ? { ensemble } : {}),
  };
}

/** Every instance the account has in the region (all pages). */
export async function describeAll(api: Ec2Api, signal?: AbortSignal): Promise<Sdk.Instance[]> {
  const out: Sdk.Instance[] = [];
  for await (const page of api.pages('DescribeInstances', { MaxResults: 1000 }, signal)) {
    for (const reservation of page.Reservations ?? []) out.push(...(reservation.Instances ?? []));
  }
  return out;
}

/** These instances (by id; MaxResults is not allowed together with ids). */
export async function describeByIds(api: Ec2Api, ids: readonly string[], signal?: AbortSignal): Promise<Sdk.Instance[]> {
  const out: Sdk.Instance[] = [];
  for await (const page of api.pages('DescribeInstances', { InstanceIds: [...ids] }, signal)) {
    for (const reservation of page.Reservations ?? []) out.push(...(reservation.Instances ?? []));
  }
  return out;
}

export async function listEc2Nodes(api: Ec2Api, env: ProviderEnv): Promise<Node[]> {
  const instances = await describeAll(api, env.signal);
  return instances
    .filter((i) => isOurs(i, env.namePrefix) && !isGone(i))
    .map((i) => instanceToNode(i, env.namePrefix))
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }) || a.id.localeCompare(b.id));
}
