// What the account must have for a create to succeed: the size offered in the zone (or the
// region), the zone, the AMI, an AMI built for the size's processor, and the security group.
// Checked when options are validated, which the ensemble does at plan time: a well-formed typo
// (t3.smal, us-east-1z) is then a plan error instead of a RunInstances failure after the server
// it replaces was terminated. Reads only, each answer kept for the provider's lifetime (the
// region is fixed). An identity whose IAM policy lacks a Describe permission skips that check:
// EC2 still refuses a bad value at create.

import type * as Sdk from '@aws-sdk/client-ec2';
import { UsageError } from '../../core/errors.ts';
import { suggest } from '../../core/suggest.ts';
import type { Ec2Api } from './client.ts';
import { hasCode } from './errors.ts';

const HINT_COUNT = 6;

export interface AccountChecks {
  /** `options` as validated locally (lowercase size and zone, AMI id resolved). */
  check(options: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<void>;
  /** An AMI already seen in a DescribeImages answer (an alias's), with its architecture: no
   *  need to ask again. */
  imageSeen(id: string, architecture: string): void;
}

export function accountChecks(api: Ec2Api): AccountChecks {
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    let p = memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      memo.set(key, p);
      p.catch(() => memo.delete(key)); // a failure is not remembered
    }
    return p;
  };

  /** undefined: the identity may not ask (the check is skipped). */
  const permitted = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      if (hasCode(error, 'UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException')) return undefined;
      throw error;
    }
  };

  /** The sizes offered in a zone (zones carry fewer than their region), else in the region. */
  const offeredSizes = (zone: string, signal?: AbortSignal) =>
    once(`sizes ${zone}`, () =>
      permitted(async () => {
        const sizes = new Set<string>();
        const where = zone ? { LocationType: 'availability-zone' as const, Filters: [{ Name: 'location', Values: [zone] }] } : { LocationType: 'region' as const };
        for await (const page of api.pages('DescribeInstanceTypeOfferings', { ...where, MaxResults: 1000 }, signal)) {
          for (const o of page.InstanceTypeOfferings ?? []) if (o.InstanceType) sizes.add(o.InstanceType);
        }
        return sizes;
      }),
    );

  // without AllAvailabilityZones: the zones this account can launch in (local zones once opted in)
  const zones = (signal?: AbortSignal) =>
    once('zones', () => permitted(async () => ((await api.call('DescribeAvailabilityZones', {}, signal)).AvailabilityZones ?? []).map((z) => z.ZoneName ?? '').filter(Boolean)));

  /** The AMI's architecture (x86_64, arm64), or null when EC2 does not know the AMI in this
   *  region (or this account may not use it). */
  const imageArchitecture = (id: string, signal?: AbortSignal) =>
    once(`image ${id}`, () =>
      permitted(async (): Promise<string | null> => {
        try {
          const [image] = (await api.call('DescribeImages', { ImageIds: [id] }, signal)).Images ?? [];
          return image ? (image.Architecture ?? '') : null;
        } catch (error) {
          if (hasCode(error, 'InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable')) return null;
          throw error;
        }
      }),
    );

  /** The architectures a size runs (t4g.micro: arm64); undefined for a type EC2 does not know. */
  const sizeArchitectures = (size: string, signal?: AbortSignal) =>
    once(`arch ${size}`, () =>
      permitted(async (): Promise<string[] | undefined> => {
        try {
          const [info] = (await api.call('DescribeInstanceTypes', { InstanceTypes: [size as Sdk._InstanceType] }, signal)).InstanceTypes ?? [];
          return info?.ProcessorInfo?.SupportedArchitectures;
        } catch (error) {
          if (hasCode(error, 'InvalidInstanceType')) return undefined; // the offerings check says it better
          throw error;
        }
      }),
    );

  const groupExists = (name: string, signal?: AbortSignal) =>
    once(`group ${name}`, () =>
      permitted(async () => {
        try {
          return ((await api.call('DescribeSecurityGroups', { GroupNames: [name] }, signal)).SecurityGroups ?? []).length > 0;
        } catch (error) {
          if (hasCode(error, 'InvalidGroup.NotFound')) return false;
          throw error;
        }
      }),
    );

  return {
    imageSeen(id, architecture) {
      memo.set(`image ${id}`, Promise.resolve(architecture));
    },

    async check(options, signal) {
      const region = await api.region();
      const size = options.size ?? '';
      const placement = options.placement ?? '';
      const image = options.image ?? '';
      const group = options.security_group ?? '';
      const [sizes, zoneList, imageArch, sizeArchs, groupKnown] = await Promise.all([
        offeredSizes(placement, signal),
        placement ? zones(signal) : undefined,
        imageArchitecture(image, signal),
        sizeArchitectures(size, signal),
        groupExists(group, signal),
      ]);
      if (zoneList && !zoneList.includes(placement)) {
        const close = suggest(placement, zoneList, 1);
        throw new UsageError(`no availability zone ${placement} in ${region} for this account`, {
          argument: 'placement',
          hint: `${close.length > 0 ? `did you mean ${close[0]}? ` : ''}zones: ${zoneList.slice(0, HINT_COUNT).join(', ')} (empty: EC2 chooses)`,
        });
      }
      if (sizes && !sizes.has(size)) {
        const close = suggest(size, sizes);
        throw new UsageError(`instance type ${size} is not offered in ${placement || region}`, {
          argument: 'size',
          hint: [
            close.length > 0 ? `did you mean ${close.join(' or ')}?` : '',
            placement ? 'another placement= zone may offer it (empty: EC2 chooses)' : close.length > 0 ? '' : 'the EC2 console lists the instance types of each region',
          ].filter(Boolean).join(' '),
        });
      }
      if (imageArch === null) {
        throw new UsageError(`AMI ${image} does not exist in ${region} (or this account may not use it)`, {
          argument: 'image',
          hint: 'AMI ids differ per region; an alias such as "ubuntu 24.04" finds the right one',
        });
      }
      if (imageArch && sizeArchs && sizeArchs.length > 0 && !sizeArchs.includes(imageArch)) {
        throw new UsageError(`image ${image} is built for ${imageArch}, and ${size} runs ${sizeArchs.join(' or ')}`, {
          argument: 'image',
          hint: sizeArchs.includes('arm64') ? 'Graviton sizes take arm64 images: add " arm64" to the alias ("ubuntu 24.04 arm64")' : 'pick an image built for it (an alias without " arm64" gives x86_64)',
        });
      }
      if (groupKnown === false) {
        throw new UsageError(`no security group named "${group}" in the default VPC of ${region}`, {
          argument: 'security_group',
          hint: 'security_group= names a group of the default VPC (default: "default"); aws ec2 describe-security-groups lists them',
        });
      }
    },
  };
}
