// create options for ec2: names and values are checked before anything is created. Only an
// image alias costs an API call (DescribeImages); everything else is checked locally.

import { UsageError } from '../../core/errors.ts';
import { suggest } from '../../core/suggest.ts';
import { CREATE_DEFAULTS } from './config.ts';

/** Instance types look like family.size: t3.micro, m7i-flex.large, u-6tb1.metal. The list of
 *  real ones changes too often to keep here (the original gave up checking for that reason). */
const SIZE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
/** Zones: us-east-1a, ap-northeast-1d, local zones us-east-1-bos-1a. */
const ZONE = /^[a-z]{2}(-[a-z0-9]+)+[a-z]$/;

/** Defaults merged with `options`; UsageError on an unknown name or a malformed value.
 *  `image` is left as given (resolving an alias is the caller's next, API-backed step). */
export function checkCreateOptions(options: Readonly<Record<string, string>>, region: string): Record<string, string> {
  const valid = Object.keys(CREATE_DEFAULTS);
  const unknown = Object.keys(options).filter((k) => !valid.includes(k));
  if (unknown.length > 0) {
    const close = unknown.length === 1 ? suggest(unknown[0] as string, valid, 1) : [];
    throw new UsageError(`unknown ec2 option${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`, {
      argument: unknown[0],
      hint: `${close.length > 0 ? `did you mean ${close[0]}? ` : ''}ec2 options: ${valid.join(', ')}`,
    });
  }
  const merged: Record<string, string> = { ...CREATE_DEFAULTS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) merged[k] = String(v).trim();

  const size = merged.size ?? '';
  if (!SIZE.test(size)) {
    throw new UsageError(`invalid ec2 size "${size}"`, { argument: 'size', hint: 'size= takes an instance type such as t3.micro, m7i.large or t4g.small' });
  }
  const bid = merged.bid ?? '';
  if (bid !== '' && !(/^\d*\.?\d+$/.test(bid) && Number(bid) > 0)) {
    throw new UsageError(`invalid spot bid "${bid}"`, { argument: 'bid', hint: 'bid= is the highest price in USD per hour, e.g. bid=0.02 (empty: an on-demand server)' });
  }
  const placement = merged.placement ?? '';
  if (placement !== '') {
    if (!ZONE.test(placement)) {
      throw new UsageError(`invalid placement "${placement}"`, { argument: 'placement', hint: `placement= takes an availability zone of ${region}, e.g. ${region}a (empty: EC2 chooses)` });
    }
    if (!placement.startsWith(`${region}`)) {
      throw new UsageError(`placement ${placement} is not in region ${region}`, { argument: 'placement', hint: 'set AWS_REGION to the zone\'s region, or pick a zone of this one' });
    }
  }
  if (!merged.security_group) {
    throw new UsageError('security_group is empty', { argument: 'security_group', hint: 'security_group= names a security group (default: "default")' });
  }
  if (!merged.image) throw new UsageError('image is empty', { argument: 'image', hint: 'image= takes an AMI id or an alias such as "ubuntu 24.04"' });
  return merged;
}
