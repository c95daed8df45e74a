// A local EC2 endpoint for tests: speaks the real wire protocol (EC2 Query API: form-encoded
// POST Action=…&Version=2016-11-15, XML responses in the 2016-11-15 namespace, errors as
// <Response><Errors><Error>) for exactly the calls hitc makes, so the real @aws-sdk/client-ec2
// runs against it unchanged (AWS_ENDPOINT_URL_EC2=url). Instances get addresses of real test-bed
// hosts, so what hitc creates here can be reached over SSH for real.
//
// It checks that a request is SigV4-signed (an Authorization header) but not the signature, and
// counts calls per Action so tests can assert how many API calls something made.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
export const CANONICAL_OWNER = '099720011419';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const REGION_ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
/** Local zones: the account opted in to Boston (launchable, listed by default), not Miami. */
const LOCAL_ZONES = [
  { name: 'us-east-1-bos-1a', id: 'use1-bos1-az1', optIn: 'opted-in' },
  { name: 'us-east-1-mia-1a', id: 'use1-mia1-az1', optIn: 'not-opted-in' },
];
const LAUNCH_ZONES = [...REGION_ZONES, ...LOCAL_ZONES.filter((z) => z.optIn === 'opted-in').map((z) => z.name)];
/** Instance types offered in the region: the only ones the fake launches (others:
 *  InvalidParameterValue, as EC2 answers). */
const INSTANCE_TYPES = new Set(['t3.nano', 't3.micro', 't3.small', 't3.medium', 't4g.micro', 'm5.large', 'm7i-flex.large', 'c5.xlarge']);
/** A zone carries fewer types than its region (a local zone far fewer). */
const NOT_IN_ZONE: Record<string, string[]> = { 'us-east-1-bos-1a': ['t3.nano', 't4g.micro', 'm7i-flex.large', 'c5.xlarge'] };
/** Graviton families (a "g" after the generation digit: t4g, m7g, c7gn) run arm64; the rest x86. */
const architecturesOf = (type: string): string[] => (/^[a-z]+\d+g/.test(type) ? ['arm64'] : ['x86_64']);
const offeredIn = (type: string, zone: string): boolean => INSTANCE_TYPES.has(type) && !(NOT_IN_ZONE[zone] ?? []).includes(type);
const STATE_CODES: Record<InstanceState, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 };

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export interface FakeInstance {
  id: string;
  reservationId: string;
  imageId: string;
  type: string;
  state: InstanceState;
  /** Public address: one of the `ips` given to the server, assigned when the instance runs. */
  ip: string | null;
  privateIp: string;
  zone: string;
  keyName: string;
  groups: string[];
  tags: Record<string, string>;
  launchTime: Date;
  /** When pending turns into running (and shutting-down into terminated). */
  readyAt: number;
  spotRequestId?: string;
  reboots: number;
}

export interface FakeImage {
  id: string;
  name: string;
  owner: string;
  architecture: 'x86_64' | 'arm64';
  creationDate: string;
}

export interface FakeSpotRequest {
  id: string;
  price: string;
  state: 'open' | 'active' | 'cancelled' | 'closed' | 'failed';
  statusCode: string;
  statusMessage: string;
  createTime: Date;
  evaluateAt: number;
  imageId: string;
  type: string;
  keyName: string;
  groups: string[];
  zone: string;
  instanceId?: string;
  /** The first request of a batch ends in price-too-low when knobs.spotPriceTooLow is set. */
  tooLow: boolean;
}

export interface FakeSpotPrice {
  type: string;
  zone: string;
  product: string;
  price: string;
  /** Hours before "now" (the time of the call). */
  hoursAgo: number;
}

export interface FakeEc2Knobs {
  /** The first spot request of each RequestSpotInstances call ends in `price-too-low`
   *  (the others are fulfilled), so "any request failed" differs from "the last one did". */
  spotPriceTooLow: boolean;
  /** At most this many items per page of Describe* answers that paginate (forces NextToken). */
  pageSize: number;
  /** false: instances run without a public address (a subnet that assigns none). */
  publicIps: boolean;
  /** The next call of this Action fails with this error (once). */
  failNext?: { action: string; code: string; message: string; status?: number };
  /** Calls of this Action (true: every call) are read and never answered: a hung endpoint. */
  hang?: string | true;
  /** Calls of this Action are done at once but answered only after `ms` (a slow network);
   *  with `calls`, only that many calls are slow. */
  slow?: { action: string; ms: number; calls?: number };
}

export interface FakeEc2 {
  url: string;
  calls: Record<string, number>;
  /** Every call in order, with its form parameters (to check what the SDK sent). */
  requests: { action: string; params: URLSearchParams }[];
  instances: FakeInstance[];
  images: FakeImage[];
  spotRequests: FakeSpotRequest[];
  spotPrices: FakeSpotPrice[];
  knobs: FakeEc2Knobs;
  /** Total API calls so far. */
  totalCalls(): number;
  close(): Promise<void>;
}

/** The images a fresh server knows: two builds per Canonical release (the newer one must win),
 *  an arm64 build, and a newer look-alike from another owner (must never be picked). */
export function defaultImages(): FakeImage[] {
  return [
    { id: 'ami-02204a0000000001', name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240101', owner: CANONICAL_OWNER, architecture: 'x86_64', creationDate: '2024-01-02T10:00:00.000Z' },
    { id: 'ami-02204a0000000002', name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240601', owner: CANONICAL_OWNER, architecture: 'x86_64', creationDate: '2024-06-02T10:00:00.000Z' },
    { id: 'ami-02404a0000000002', name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250115', owner: CANONICAL_OWNER, architecture: 'x86_64', creationDate: '2025-01-16T08:00:00.000Z' },
    { id: 'ami-02404a0000000001', name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20240423', owner: CANONICAL_OWNER, architecture: 'x86_64', creationDate: '2024-04-24T08:00:00.000Z' },
    { id: 'ami-02404b0000000002', name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20250115', owner: CANONICAL_OWNER, architecture: 'arm64', creationDate: '2025-01-16T08:00:00.000Z' },
    { id: 'ami-0badbad000000001', name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20990101', owner: '666666666666', architecture: 'x86_64', creationDate: '2025-06-01T00:00:00.000Z' },
  ];
}

/** 24 h of Linux/UNIX spot prices (plus noise the filters must drop). */
export function defaultSpotPrices(): FakeSpotPrice[] {
  const linux = 'Linux/UNIX';
  return [
    { type: 'm5.large', zone: 'us-east-1a', product: linux, price: '0.040000', hoursAgo: 20 },
    { type: 'm5.large', zone: 'us-east-1a', product: linux, price: '0.050000', hoursAgo: 12 },
    { type: 'm5.large', zone: 'us-east-1a', product: linux, price: '0.045000', hoursAgo: 2 },
    { type: 'm5.large', zone: 'us-east-1b', product: linux, price: '0.060000', hoursAgo: 10 },
    { type: 'm5.large', zone: 'us-east-1b', product: linux, price: '0.038000', hoursAgo: 1 },
    { type: 't3.micro', zone: 'us-east-1a', product: linux, price: '0.003100', hoursAgo: 23 },
    { type: 't3.micro', zone: 'us-east-1a', product: linux, price: '0.003500', hoursAgo: 3 },
    { type: 't3.micro', zone: 'us-east-1b', product: linux, price: '0.002900', hoursAgo: 5 },
    { type: 'c5.xlarge', zone: 'us-east-1b', product: linux, price: '0.070000', hoursAgo: 4 },
    // other products and older points: never part of the table
    { type: 'm5.large', zone: 'us-east-1a', product: 'Windows', price: '0.900000', hoursAgo: 2 },
    { type: 'm5.large', zone: 'us-east-1a', product: linux, price: '9.990000', hoursAgo: 30 },
  ];
}

export async function startFakeEc2(options: { ips: string[]; startDelayMs?: number; keyPairs?: string[]; securityGroups?: string[] }): Promise<FakeEc2> {
  const startDelayMs = options.startDelayMs ?? 300;
  const keyPairs = new Set(options.keyPairs ?? ['hitc']);
  const securityGroups = new Map((options.securityGroups ?? ['default', 'web']).map((g, i) => [g, `sg-0${String(i + 1).padStart(16, '0')}`]));
  const calls: Record<string, number> = {};
  const requests: FakeEc2['requests'] = [];
  const instances: FakeInstance[] = [];
  const spotRequests: FakeSpotRequest[] = [];
  const spotByToken = new Map<string, FakeSpotRequest[]>();
  const knobs: FakeEc2Knobs = { spotPriceTooLow: false, pageSize: 1000, publicIps: true };
  const images = defaultImages();
  const spotPrices = defaultSpotPrices();
  let privateCounter = 10;

  // --- time-driven state: evaluated lazily whenever a request arrives -----------------------
  function tick(): void {
    const now = Date.now();
    for (const sr of spotRequests) {
      if (sr.state !== 'open' || now < sr.evaluateAt || sr.statusCode === 'price-too-low') continue;
      if (sr.tooLow) {
        sr.statusCode = 'price-too-low';
        sr.statusMessage = `Your Spot request price of ${sr.price} is lower than the minimum required Spot request fulfillment price of 0.0450.`;
        continue;
      }
      const inst = launch({ imageId: sr.imageId, type: sr.type, keyName: sr.keyName, groups: sr.groups, zone: sr.zone, tags: {}, reservationId: newId('r-', 17) });
      inst.spotRequestId = sr.id;
      sr.instanceId = inst.id;
      sr.state = 'active';
      sr.statusCode = 'fulfilled';
      sr.statusMessage = 'Your spot request is fulfilled.';
    }
    for (const inst of instances) {
      if (now < inst.readyAt) continue;
      if (inst.state === 'pending') {
        inst.state = 'running';
        inst.ip = knobs.publicIps ? freeIp() : null;
      } else if (inst.state === 'shutting-down') {
        inst.state = 'terminated';
        if (inst.ip) released.push(inst.ip);
        inst.ip = null;
      }
    }
  }

  // like EC2, a new instance gets a new address: never-used ones first, then the longest released
  const released: string[] = [];
  function freeIp(): string | null {
    const used = new Set(instances.filter((i) => i.ip !== null).map((i) => i.ip));
    const fresh = options.ips.find((ip) => !used.has(ip) && !released.includes(ip));
    const ip = fresh ?? released.find((x) => !used.has(x)) ?? null;
    if (ip && released.includes(ip)) released.splice(released.indexOf(ip), 1);
    return ip;
  }

  function launch(spec: { imageId: string; type: string; keyName: string; groups: string[]; zone: string; tags: Record<string, string>; reservationId: string }): FakeInstance {
    const n = privateCounter++;
    const inst: FakeInstance = {
      id: newId('i-', 17),
      reservationId: spec.reservationId,
      imageId: spec.imageId,
      type: spec.type,
      state: 'pending',
      ip: null,
      privateIp: `172.31.${Math.floor(n / 250)}.${(n % 250) + 2}`,
      zone: spec.zone,
      keyName: spec.keyName,
      groups: spec.groups,
      tags: { ...spec.tags },
      launchTime: new Date(Math.floor(Date.now() / 1000) * 1000),
      readyAt: Date.now() + startDelayMs,
      reboots: 0,
    };
    instances.push(inst);
    return inst;
  }

  // --- the actions -------------------------------------------------------------------------
  const handlers: Record<string, (p: URLSearchParams) => string> = {
    DescribeInstances(p) {
      const ids = list(p, 'InstanceId');
      for (const id of ids) findInstance(id, true);
      const filters = filterMap(p);
      const chosen = instances.filter((i) => (ids.length === 0 || ids.includes(i.id)) && matchesInstanceFilters(i, filters));
      const { page, next } = paginate(chosen, p);
      // instances launched together share a reservation, as in EC2
      const byReservation = new Map<string, FakeInstance[]>();
      for (const i of page) byReservation.set(i.reservationId, [...(byReservation.get(i.reservationId) ?? []), i]);
      const reservations = [...byReservation].map(
        ([rid, insts]) => `<item><reservationId>${rid}</reservationId><ownerId>${ACCOUNT}</ownerId><groupSet/><instancesSet>${insts.map(instanceXml).join('')}</instancesSet></item>`,
      );
      return `<reservationSet>${reservations.join('')}</reservationSet>${next ? `<nextToken>${next}</nextToken>` : ''}`;
    },

    RunInstances(p) {
      const imageId = required(p, 'ImageId');
      const type = required(p, 'InstanceType');
      const min = Number(required(p, 'MinCount'));
      const max = Number(required(p, 'MaxCount'));
      checkLaunch(imageId, type, p.get('KeyName'), list(p, 'SecurityGroup'));
      if (!Number.isInteger(min) || min < 1 || max < min) throw new ApiError('InvalidParameterValue', `Invalid MinCount/MaxCount: ${min}/${max}`);
      const zone = p.get('Placement.AvailabilityZone') || REGION_ZONES[0]!;
      checkZone(zone);
      if (!offeredIn(type, zone)) throw new ApiError('Unsupported', `Your requested instance type (${type}) is not supported in your requested Availability Zone (${zone}).`);
      const tags: Record<string, string> = {};
      for (const spec of structList(p, 'TagSpecification')) {
        if (spec.ResourceType !== 'instance') continue;
        for (const t of structList(new URLSearchParams(Object.entries(spec)), 'Tag')) tags[t.Key ?? ''] = t.Value ?? '';
      }
      const available = options.ips.length - instances.filter((i) => i.state !== 'terminated').length;
      if (available < min) throw new ApiError('InsufficientInstanceCapacity', `We currently do not have sufficient ${type} capacity in the Availability Zone you requested (${zone}).`);
      const reservationId = newId('r-', 17);
      const launched = Array.from({ length: Math.min(max, available) }, () =>
        launch({ imageId, type, keyName: p.get('KeyName') ?? '', groups: groupsOf(p, 'SecurityGroup'), zone, tags, reservationId }),
      );
      return `<reservationId>${reservationId}</reservationId><ownerId>${ACCOUNT}</ownerId><groupSet/><instancesSet>${launched.map(instanceXml).join('')}</instancesSet>`;
    },

    CreateTags(p) {
      const ids = list(p, 'ResourceId');
      if (ids.length === 0) throw new ApiError('MissingParameter', 'The request must contain the parameter resourceIdSet');
      const tags = structList(p, 'Tag');
      for (const id of ids) {
        if (id.startsWith('sir-')) {
          // spot requests take tags too; the fake only checks that they exist
          if (!spotRequests.some((s) => s.id === id)) throw new ApiError('InvalidSpotInstanceRequestID.NotFound', `The spot instance request ID '${id}' does not exist`);
          continue;
        }
        const target = findInstance(id, true)!;
        for (const t of tags) target.tags[t.Key ?? ''] = t.Value ?? '';
      }
      return '<return>true</return>';
    },

    TerminateInstances(p) {
      const ids = list(p, 'InstanceId');
      const items = ids.map((id) => {
        const inst = findInstance(id, true)!;
        const previous = inst.state;
        if (inst.state !== 'terminated') {
          inst.state = 'shutting-down';
          inst.readyAt = Date.now() + startDelayMs;
        }
        return `<item><instanceId>${inst.id}</instanceId><currentState>${stateXml(inst.state)}</currentState><previousState>${stateXml(previous)}</previousState></item>`;
      });
      return `<instancesSet>${items.join('')}</instancesSet>`;
    },

    RebootInstances(p) {
      const ids = list(p, 'InstanceId');
      if (ids.length === 0) throw new ApiError('MissingParameter', 'The request must contain the parameter InstanceId');
      for (const id of ids) {
        const inst = findInstance(id, true)!;
        if (inst.state === 'terminated') throw new ApiError('IncorrectState', `The instance '${id}' is not in a state from which it can be rebooted.`);
        inst.reboots += 1;
      }
      return '<return>true</return>';
    },

    DescribeImages(p) {
      const owners = list(p, 'Owner');
      const ids = list(p, 'ImageId');
      // asked by id, EC2 refuses a malformed or unknown one rather than answering nothing
      for (const id of ids) {
        if (!/^ami-[0-9a-f]{8,17}$/.test(id)) throw new ApiError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`);
        if (!images.some((i) => i.id === id)) throw new ApiError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
      }
      const filters = filterMap(p);
      const chosen = images.filter(
        (img) =>
          (owners.length === 0 || owners.includes(img.owner) || (owners.includes('self') && img.owner === ACCOUNT)) &&
          (ids.length === 0 || ids.includes(img.id)) &&
          matches(filters.get('name'), img.name) &&
          matches(filters.get('architecture'), img.architecture) &&
          matches(filters.get('state'), 'available') &&
          matches(filters.get('owner-id'), img.owner),
      );
      const { page, next } = paginate(chosen, p);
      const items = page.map(
        (img) =>
          `<item><imageId>${img.id}</imageId><imageLocation>${esc(`${img.owner}/${img.name}`)}</imageLocation><imageState>available</imageState><imageOwnerId>${img.owner}</imageOwnerId>` +
          `<creationDate>${img.creationDate}</creationDate><isPublic>true</isPublic><architecture>${img.architecture}</architecture><imageType>machine</imageType>` +
          `<name>${esc(img.name)}</name><rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/sda1</rootDeviceName><virtualizationType>hvm</virtualizationType><hypervisor>xen</hypervisor></item>`,
      );
      return `<imagesSet>${items.join('')}</imagesSet>${next ? `<nextToken>${next}</nextToken>` : ''}`;
    },

    DescribeInstanceTypeOfferings(p) {
      const locationType = p.get('LocationType') ?? 'region';
      if (!['region', 'availability-zone', 'availability-zone-id'].includes(locationType)) throw new ApiError('InvalidParameterValue', `Invalid LocationType: ${locationType}`);
      const max = p.get('MaxResults');
      if (max !== null && !(Number(max) >= 5 && Number(max) <= 1000)) throw new ApiError('InvalidParameterValue', `MaxResults must be between 5 and 1000`);
      const filters = filterMap(p);
      const zoneIds = new Map([...REGION_ZONES.map((z, i): [string, string] => [z, `use1-az${i + 1}`]), ...LOCAL_ZONES.filter((z) => z.optIn === 'opted-in').map((z): [string, string] => [z.name, z.id])]);
      const offers =
        locationType === 'region'
          ? [...INSTANCE_TYPES].map((type) => ({ type, location: REGION }))
          : [...zoneIds].flatMap(([zone, id]) => [...INSTANCE_TYPES].filter((type) => offeredIn(type, zone)).map((type) => ({ type, location: locationType === 'availability-zone' ? zone : id })));
      const chosen = offers.filter((o) => matches(filters.get('instance-type'), o.type) && matches(filters.get('location'), o.location));
      const { page, next } = paginate(chosen, p);
      const items = page.map((o) => `<item><instanceType>${o.type}</instanceType><locationType>${locationType}</locationType><location>${o.location}</location></item>`);
      return `<instanceTypeOfferingSet>${items.join('')}</instanceTypeOfferingSet>${next ? `<nextToken>${next}</nextToken>` : ''}`;
    },

    DescribeInstanceTypes(p) {
      const types = list(p, 'InstanceType');
      const unknown = types.filter((t) => !INSTANCE_TYPES.has(t));
      if (unknown.length > 0) throw new ApiError('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`);
      const items = (types.length > 0 ? types : [...INSTANCE_TYPES]).map(
        (t) =>
          `<item><instanceType>${t}</instanceType><currentGeneration>true</currentGeneration><processorInfo><supportedArchitectures>` +
          `${architecturesOf(t).map((a) => `<item>${a}</item>`).join('')}</supportedArchitectures></processorInfo></item>`,
      );
      return `<instanceTypeSet>${items.join('')}</instanceTypeSet>`;
    },

    DescribeAvailabilityZones(p) {
      const all = p.get('AllAvailabilityZones') === 'true';
      const zones = [
        ...REGION_ZONES.map((name, i) => ({ name, id: `use1-az${i + 1}`, type: 'availability-zone', optIn: 'opt-in-not-required', group: REGION })),
        ...LOCAL_ZONES.map((z) => ({ ...z, type: 'local-zone', group: z.name.replace(/[a-z]$/, '') })),
      ].filter((z) => all || z.optIn !== 'not-opted-in');
      const names = list(p, 'ZoneName');
      for (const n of names) if (!zones.some((z) => z.name === n)) throw new ApiError('InvalidParameterValue', `Invalid availability zone: [${n}]`);
      const items = zones
        .filter((z) => names.length === 0 || names.includes(z.name))
        .map(
          (z) =>
            `<item><zoneName>${z.name}</zoneName><zoneState>available</zoneState><regionName>${REGION}</regionName><zoneId>${z.id}</zoneId><zoneType>${z.type}</zoneType>` +
            `<optInStatus>${z.optIn}</optInStatus><groupName>${z.group}</groupName><networkBorderGroup>${z.group}</networkBorderGroup><messageSet/></item>`,
        );
      return `<availabilityZoneInfo>${items.join('')}</availabilityZoneInfo>`;
    },

    DescribeSecurityGroups(p) {
      const names = list(p, 'GroupName');
      const ids = list(p, 'GroupId');
      for (const n of names) if (!securityGroups.has(n)) throw new ApiError('InvalidGroup.NotFound', `The security group '${n}' does not exist in default VPC 'vpc-0123456789abcdef0'`);
      for (const id of ids) if (![...securityGroups.values()].includes(id)) throw new ApiError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
      const items = [...securityGroups]
        .filter(([name, id]) => (names.length === 0 && ids.length === 0) || names.includes(name) || ids.includes(id))
        .map(
          ([name, id]) =>
            `<item><ownerId>${ACCOUNT}</ownerId><groupId>${id}</groupId><groupName>${esc(name)}</groupName><groupDescription>${esc(name)} group</groupDescription>` +
            `<vpcId>vpc-0123456789abcdef0</vpcId><ipPermissions/><ipPermissionsEgress/></item>`,
        );
      return `<securityGroupInfo>${items.join('')}</securityGroupInfo>`;
    },

    RequestSpotInstances(p) {
      // EC2's idempotency: the same client token returns the requests it made the first time
      const token = p.get('ClientToken');
      const earlier = token ? spotByToken.get(token) : undefined;
      if (earlier) return `<spotInstanceRequestSet>${earlier.map(spotXml).join('')}</spotInstanceRequestSet>`;
      const price = required(p, 'SpotPrice');
      const count = Number(p.get('InstanceCount') ?? '1');
      const imageId = required(p, 'LaunchSpecification.ImageId');
      const type = required(p, 'LaunchSpecification.InstanceType');
      checkLaunch(imageId, type, p.get('LaunchSpecification.KeyName'), list(p, 'LaunchSpecification.SecurityGroup'));
      if (!(Number(price) > 0)) throw new ApiError('InvalidParameterValue', `Invalid value '${price}' for SpotPrice`);
      const zone = p.get('LaunchSpecification.Placement.AvailabilityZone') || REGION_ZONES[1]!;
      checkZone(zone);
      const created = Array.from({ length: count }, (_, i): FakeSpotRequest => ({
        id: `sir-${randomBytes(4).toString('hex')}`,
        price: Number(price).toFixed(6),
        state: 'open',
        statusCode: 'pending-evaluation',
        statusMessage: 'Your Spot request has been submitted for review, and is pending evaluation.',
        createTime: new Date(Math.floor(Date.now() / 1000) * 1000),
        evaluateAt: Date.now() + startDelayMs,
        imageId,
        type,
        keyName: p.get('LaunchSpecification.KeyName') ?? '',
        groups: groupsOf(p, 'LaunchSpecification.SecurityGroup'),
        zone,
        tooLow: knobs.spotPriceTooLow && i === 0,
      }));
      spotRequests.push(...created);
      if (token) spotByToken.set(token, created);
      return `<spotInstanceRequestSet>${created.map(spotXml).join('')}</spotInstanceRequestSet>`;
    },

    DescribeSpotInstanceRequests(p) {
      const ids = list(p, 'SpotInstanceRequestId');
      for (const id of ids) {
        if (!spotRequests.some((s) => s.id === id)) throw new ApiError('InvalidSpotInstanceRequestID.NotFound', `The spot instance request ID '${id}' does not exist`);
      }
      const chosen = spotRequests.filter((s) => ids.length === 0 || ids.includes(s.id));
      const { page, next } = paginate(chosen, p);
      return `<spotInstanceRequestSet>${page.map(spotXml).join('')}</spotInstanceRequestSet>${next ? `<nextToken>${next}</nextToken>` : ''}`;
    },

    CancelSpotInstanceRequests(p) {
      const ids = list(p, 'SpotInstanceRequestId');
      const items = ids.map((id) => {
        const sr = spotRequests.find((s) => s.id === id);
        if (!sr) throw new ApiError('InvalidSpotInstanceRequestID.NotFound', `The spot instance request ID '${id}' does not exist`);
        if (sr.state === 'open' || sr.state === 'active') {
          sr.state = 'cancelled';
          sr.statusCode = sr.instanceId ? 'request-canceled-and-instance-running' : 'canceled-before-fulfillment';
          sr.statusMessage = sr.instanceId ? 'Spot request was cancelled, but the instance was not terminated.' : 'Your Spot request was canceled before it was fulfilled.';
        }
        return `<item><spotInstanceRequestId>${sr.id}</spotInstanceRequestId><state>${sr.state}</state></item>`;
      });
      return `<spotInstanceRequestSet>${items.join('')}</spotInstanceRequestSet>`;
    },

    DescribeSpotPriceHistory(p) {
      const now = Date.now();
      const start = p.get('StartTime') ? Date.parse(p.get('StartTime')!) : now - 24 * 3600_000;
      const end = p.get('EndTime') ? Date.parse(p.get('EndTime')!) : now;
      if (Number.isNaN(start) || Number.isNaN(end)) throw new ApiError('InvalidParameterValue', 'Invalid StartTime or EndTime');
      const products = list(p, 'ProductDescription');
      const types = list(p, 'InstanceType');
      const zone = p.get('AvailabilityZone');
      if (zone) checkZone(zone);
      const chosen = spotPrices
        .map((sp) => ({ ...sp, at: now - sp.hoursAgo * 3600_000 }))
        .filter((sp) => sp.at >= start && sp.at <= end && (products.length === 0 || products.includes(sp.product)) && (types.length === 0 || types.includes(sp.type)) && (!zone || sp.zone === zone))
        .sort((a, b) => b.at - a.at); // newest first, as EC2 answers
      const { page, next } = paginate(chosen, p);
      const items = page.map(
        (sp) =>
          `<item><instanceType>${sp.type}</instanceType><productDescription>${esc(sp.product)}</productDescription><spotPrice>${sp.price}</spotPrice>` +
          `<timestamp>${new Date(sp.at).toISOString()}</timestamp><availabilityZone>${sp.zone}</availabilityZone></item>`,
      );
      return `<spotPriceHistorySet>${items.join('')}</spotPriceHistorySet>${next ? `<nextToken>${next}</nextToken>` : ''}`;
    },
  };

  // --- helpers over the state ----------------------------------------------------------------
  function findInstance(id: string, mustExist: boolean): FakeInstance | undefined {
    if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw new ApiError('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
    const inst = instances.find((i) => i.id === id);
    if (!inst && mustExist) throw new ApiError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return inst;
  }

  function checkLaunch(imageId: string, type: string, keyName: string | null, groups: string[]): void {
    if (!/^ami-[0-9a-f]{8,17}$/.test(imageId)) throw new ApiError('InvalidAMIID.Malformed', `Invalid id: "${imageId}" (expecting "ami-...")`);
    if (!images.some((i) => i.id === imageId)) throw new ApiError('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
    if (!INSTANCE_TYPES.has(type)) throw new ApiError('InvalidParameterValue', `Invalid value '${type}' for InstanceType.`);
    const arch = images.find((i) => i.id === imageId)?.architecture ?? 'x86_64';
    if (!architecturesOf(type).includes(arch)) {
      throw new ApiError('InvalidParameterValue', `The architecture '${architecturesOf(type).join(', ')}' of the specified instance type does not match the architecture '${arch}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again.`);
    }
    if (keyName && !keyPairs.has(keyName)) throw new ApiError('InvalidKeyPair.NotFound', `The key pair '${keyName}' does not exist`);
    for (const g of groups) if (!securityGroups.has(g)) throw new ApiError('InvalidGroup.NotFound', `The security group '${g}' does not exist in default VPC 'vpc-0123456789abcdef0'`);
  }

  function checkZone(zone: string): void {
    if (!LAUNCH_ZONES.includes(zone)) throw new ApiError('InvalidParameterValue', `Invalid availability zone: [${zone}]`);
  }

  function groupsOf(p: URLSearchParams, key: string): string[] {
    const names = list(p, key);
    return names.length > 0 ? names : ['default'];
  }

  function paginate<T>(items: T[], p: URLSearchParams): { page: T[]; next?: string } {
    const size = Math.min(Number(p.get('MaxResults') ?? '1000') || 1000, knobs.pageSize);
    const start = Number(p.get('NextToken') ?? '0') || 0;
    const page = items.slice(start, start + size);
    return start + size < items.length ? { page, next: String(start + size) } : { page };
  }

  function instanceXml(i: FakeInstance): string {
    const group = i.groups.map((g) => `<item><groupId>${securityGroups.get(g) ?? 'sg-0'}</groupId><groupName>${esc(g)}</groupName></item>`).join('');
    const tags = Object.entries(i.tags)
      .map(([k, v]) => `<item><key>${esc(k)}</key><value>${esc(v)}</value></item>`)
      .join('');
    const reason =
      i.state === 'shutting-down' || i.state === 'terminated'
        ? '<stateReason><code>Client.UserInitiatedShutdown</code><message>Client.UserInitiatedShutdown: User initiated shutdown</message></stateReason>'
        : '';
    return (
      `<item><instanceId>${i.id}</instanceId><imageId>${i.imageId}</imageId><instanceState>${stateXml(i.state)}</instanceState>` +
      `<privateDnsName>ip-${i.privateIp.replace(/\./g, '-')}.ec2.internal</privateDnsName><dnsName/><reason/><keyName>${esc(i.keyName)}</keyName>` +
      `<amiLaunchIndex>0</amiLaunchIndex><productCodes/><instanceType>${i.type}</instanceType><launchTime>${i.launchTime.toISOString()}</launchTime>` +
      `<placement><availabilityZone>${i.zone}</availabilityZone><groupName/><tenancy>default</tenancy></placement><monitoring><state>disabled</state></monitoring>` +
      `<subnetId>subnet-0123456789abcdef0</subnetId><vpcId>vpc-0123456789abcdef0</vpcId><privateIpAddress>${i.privateIp}</privateIpAddress>` +
      (i.ip ? `<ipAddress>${i.ip}</ipAddress>` : '') +
      `<sourceDestCheck>true</sourceDestCheck><groupSet>${group}</groupSet>${reason}<architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType>` +
      `<rootDeviceName>/dev/sda1</rootDeviceName><blockDeviceMapping/>` +
      (i.spotRequestId ? `<instanceLifecycle>spot</instanceLifecycle><spotInstanceRequestId>${i.spotRequestId}</spotInstanceRequestId>` : '') +
      `<virtualizationType>hvm</virtualizationType><clientToken/>${tags ? `<tagSet>${tags}</tagSet>` : ''}<hypervisor>xen</hypervisor><networkInterfaceSet/><ebsOptimized>false</ebsOptimized></item>`
    );
  }

  function spotXml(s: FakeSpotRequest): string {
    return (
      `<item><spotInstanceRequestId>${s.id}</spotInstanceRequestId><spotPrice>${s.price}</spotPrice><type>one-time</type><state>${s.state}</state>` +
      `<status><code>${s.statusCode}</code><updateTime>${new Date().toISOString()}</updateTime><message>${esc(s.statusMessage)}</message></status>` +
      `<launchSpecification><imageId>${s.imageId}</imageId><keyName>${esc(s.keyName)}</keyName><groupSet>${s.groups.map((g) => `<item><groupId>${securityGroups.get(g) ?? 'sg-0'}</groupId><groupName>${esc(g)}</groupName></item>`).join('')}</groupSet>` +
      `<instanceType>${s.type}</instanceType><placement><availabilityZone>${s.zone}</availabilityZone></placement><monitoring><enabled>false</enabled></monitoring></launchSpecification>` +
      (s.instanceId ? `<instanceId>${s.instanceId}</instanceId><launchedAvailabilityZone>${s.zone}</launchedAvailabilityZone>` : '') +
      `<createTime>${s.createTime.toISOString()}</createTime><productDescription>Linux/UNIX</productDescription><instanceInterruptionBehavior>terminate</instanceInterruptionBehavior></item>`
    );
  }

  // --- HTTP ------------------------------------------------------------------------------------
  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const params = new URLSearchParams(body);
    const action = params.get('Action') ?? '';
    calls[action] = (calls[action] ?? 0) + 1;
    requests.push({ action, params });
    if (knobs.hang === true || knobs.hang === action) return; // the client must give up by itself
    try {
      if (req.method !== 'POST') throw new ApiError('InvalidAction', `${req.method} is not supported here`, 400);
      // Signed by the SDK? The signature itself is not checked: the fake knows no secret.
      if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/ec2\/aws4_request, SignedHeaders=.+, Signature=[0-9a-f]{64}$/.test(req.headers.authorization ?? '')) {
        throw new ApiError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
      }
      if (params.get('Version') !== '2016-11-15') throw new ApiError('InvalidParameterValue', `Unsupported Version: ${params.get('Version')}`);
      const handler = handlers[action];
      if (!handler) throw new ApiError('InvalidAction', `The action ${action} is not valid for this web service.`);
      if (knobs.failNext && knobs.failNext.action === action) {
        const f = knobs.failNext;
        knobs.failNext = undefined;
        throw new ApiError(f.code, f.message, f.status ?? 400);
      }
      tick();
      const inner = handler(params);
      const slow = knobs.slow;
      if (slow?.action === action && (slow.calls === undefined || slow.calls-- > 0)) await new Promise((r) => setTimeout(r, slow.ms));
      send(res, 200, `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS}"><requestId>${randomUUID()}</requestId>${inner}</${action}Response>`);
    } catch (error) {
      if (!(error instanceof ApiError)) {
        send(res, 500, errorXml('InternalError', `fake-ec2: ${(error as Error).message}`));
        return;
      }
      send(res, error.status, errorXml(error.code, error.message));
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined; // close() may be called twice (a test and its after-hook)
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    requests,
    instances,
    images,
    spotRequests,
    spotPrices,
    knobs,
    totalCalls: () => Object.values(calls).reduce((a, b) => a + b, 0),
    close: () => (closed ??= new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((e) => (e ? reject(e) : resolve()));
    })),
  };
}

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${esc(code)}</Code><Message>${esc(message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`;
}

function stateXml(s: InstanceState): string {
  return `<code>${STATE_CODES[s]}</code><name>${s}</name>`;
}

function required(p: URLSearchParams, key: string): string {
  const v = p.get(key);
  if (v === null || v === '') throw new ApiError('MissingParameter', `The request must contain the parameter ${key}`);
  return v;
}

/** Query-API lists: Key.1, Key.2, … */
function list(p: URLSearchParams, key: string): string[] {
  const out: string[] = [];
  for (let i = 1; p.has(`${key}.${i}`); i++) out.push(p.get(`${key}.${i}`)!);
  return out;
}

/** Query-API lists of structures: Key.1.Field=…, Key.1.Sub.1=… → [{ Field, 'Sub.1' }, …]. */
function structList(p: URLSearchParams, key: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (let i = 1; ; i++) {
    const prefix = `${key}.${i}.`;
    const entry: Record<string, string> = {};
    for (const [k, v] of p) if (k.startsWith(prefix)) entry[k.slice(prefix.length)] = v;
    if (Object.keys(entry).length === 0) return out;
    out.push(entry);
  }
}

/** Filter.N.Name / Filter.N.Value.M → name → values. */
function filterMap(p: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of structList(p, 'Filter')) {
    const values = list(new URLSearchParams(Object.entries(f)), 'Value');
    out.set(f.Name ?? '', values);
  }
  return out;
}

function matchesInstanceFilters(i: FakeInstance, filters: Map<string, string[]>): boolean {
  for (const [name, values] of filters) {
    if (name === 'instance-state-name' && !matches(values, i.state)) return false;
    if (name === 'tag:Name' && !matches(values, i.tags.Name ?? '')) return false;
  }
  return true;
}

/** EC2 filter values: any of them matches, with * and ? wildcards. */
function matches(values: string[] | undefined, text: string): boolean {
  if (!values || values.length === 0) return true;
  return values.some((v) => new RegExp(`^${v.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(text));
}

function newId(prefix: string, hexLength: number): string {
  return prefix + randomBytes(Math.ceil(hexLength / 2)).toString('hex').slice(0, hexLength);
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
