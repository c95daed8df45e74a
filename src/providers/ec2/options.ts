// create options for ec2: names and the form of values are checked locally, before any API
// call, and values spelt the way EC2 reports them back (lowercase types, zones and AMI ids), so
// what the ensemble asks for compares equal to what `optionsOf` observes. What only the account
// knows (is the size offered, does the zone exist) is account-checks.ts's part.

import { UsageError } from '../../core/errors.ts';
import { suggest } from '../../core/suggest.ts';
import type { Node } from '../types.ts';
import { CREATE_DEFAULTS } from './config.ts';

/** Instance types look like family.size: t3.micro, m7i-flex.large, u-6tb1.metal. The list of
 *  real ones changes too often to keep here (the original gave up checking for that reason). */
const SIZE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
/** Zones: us-east-1a, ap-northeast-1d, local zones us-east-1-bos-1a. */
const ZONE = /^[a-z]{2}(-[a-z0-9]+)+[a-z]$/;
/** Regions: us-east-1, ap-northeast-3, us-gov-west-1 (the zone's name without its letter). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Defaults merged with `options`, in EC2's spelling; UsageError on an unknown name or a
 *  malformed value. `image` is left as given (resolving an alias is the caller's next,
 *  API-backed step). */
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

  // EC2 takes instance types and zones in lowercase only, and lists them that way
  const size = (merged.size ?? '').toLowerCase();
  if (!SIZE.test(size)) {
    throw new UsageError(`invalid ec2 size "${merged.size}"`, { argument: 'size', hint: 'size= takes an instance type such as t3.micro, m7i.large or t4g.small' });
  }
  merged.size = size;
  const bid = merged.bid ?? '';
  if (bid !== '' && !(/^\d*\.?\d+$/.test(bid) && Number(bid) > 0)) {
    throw new UsageError(`invalid spot bid "${bid}"`, { argument: 'bid', hint: 'bid= is the highest price in USD per hour, e.g. bid=0.02 (empty: an on-demand server)' });
  }
  merged.placement = checkPlacement((merged.placement ?? '').toLowerCase(), region);
  if (!merged.security_group) {
    throw new UsageError('security_group is empty', { argument: 'security_group', hint: 'security_group= names a security group (default: "default")' });
  }
  if (!merged.image) throw new UsageError('image is empty', { argument: 'image', hint: 'image= takes an AMI id or an alias such as "ubuntu 24.04"' });
  return merged;
}

/** An availability zone of `region`, or '' (EC2 chooses). A region given where a zone belongs
 *  is the likely slip, so it gets a message of its own. */
function checkPlacement(placement: string, region: string): string {
  if (placement === '') return '';
  if (REGION.test(placement)) {
    throw new UsageError(`placement ${placement} is a region, not an availability zone`, {
      argument: 'placement',
      hint:
        placement === region
          ? `placement= takes one of its zones, e.g. ${region}a (empty: EC2 chooses)`
          : `placement= takes a zone of ${region} (the region servers are created in, from AWS_REGION), e.g. ${region}a; empty: EC2 chooses`,
    });
  }
  if (!ZONE.test(placement)) {
    throw new UsageError(`invalid placement "${placement}"`, { argument: 'placement', hint: `placement= takes an availability zone of ${region}, e.g. ${region}a (empty: EC2 chooses)` });
  }
  // us-east-1a and us-east-1-bos-1a are in us-east-1; us-east-10a is not
  if (!placement.startsWith(region) || !/^[a-z-]/.test(placement.slice(region.length))) {
    throw new UsageError(`placement ${placement} is not in region ${region}`, { argument: 'placement', hint: 'set AWS_REGION to the zone\'s region, or pick a zone of this one' });
  }
  return placement;
}

/** What an instance was created with, in checkCreateOptions' spelling (image: its AMI id).
 *  Unknown facts are left out rather than guessed; bid is not observable as an option. */
export function ec2OptionsOf(node: Node): Record<string, string> {
  const facts: Record<string, string> = {
    size: (node.size ?? '').toLowerCase(),
    placement: (node.extra.placement ?? '').toLowerCase(),
    // the image as asked for at creation (an alias stays the alias: a newer build of it is no
    // change); an instance created without that tag has no comparable image, so none is given
    image: (node.extra.image_option ?? '').toLowerCase(),
    security_group: node.extra.security_group ?? '',
  };
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== ''));
}
